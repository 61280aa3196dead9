package lang

// Program is a checked pipeline: the declarations resolved and typed. The
// planner lowers it; nothing in it needs the checker again.
type Program struct {
	File        *File
	Name        string
	Schema      *Schema // the schema as checked; declarations only when inferred
	InferSchema bool
	Examples    *Examples
	Transforms  []*Transform    // in definition order
	Label       *Label          // nil without a label
	Excluded    map[string]bool // features absent at serving time
	Model       *Model          // nil without a model
	Evaluate    *Evaluation     // nil without evaluate
	Pushes      []*Push
	Types       map[Expr]Type // the type of every checked expression
}

// Examples is where the examples come from and how they split.
type Examples struct {
	Format     string // csv or tfrecord
	Path       string
	Options    map[string]any // the source's named options, e.g. delimiter
	Splits     []Split        // in declaration order; train 2, eval 1 by default
	MaxBadRows int64          // rows that may fail to parse before the run fails
	OnAnomaly  string         // "fail" or "warn"
}

// Split is a named share of the examples.
type Split struct {
	Name   string
	Weight int64
}

// Transform is one checked assignment of the transform block.
type Transform struct {
	Name      string
	Expr      Expr
	Type      Type
	Features  []string // the raw features it depends on, sorted
	Analyzers []string // the full-pass analyzers it needs, in order of use
	Node      *Assign
}

// Label is the checked label.
type Label struct {
	Name     string
	Expr     Expr
	Type     Type
	Kind     LabelKinds // exactly one kind
	Features []string
}

// Model is the checked model block.
type Model struct {
	Family   string
	Inputs   []string       // transform outputs or features, in order
	Settings map[string]any // the other settings: name → []any positional, or map[string]any named
}

// Evaluation is the checked evaluate block.
type Evaluation struct {
	Metrics []string
	Slices  [][]string // each a slicing spec: nil or empty for the overall slice
}

// Push is one checked push.
type Push struct {
	Dest     string
	Formats  []string
	Criteria []*Criterion
}

// Criterion is a checked push criterion: Metric Op Bound, where Bound may
// refer to the baseline's metrics.
type Criterion struct {
	Metric string
	Slice  []string // nil for the overall slice
	Op     string   // >=, >, <=, <
	Bound  Expr
	Node   Expr
}
