package lang

import "math"

// Catalog is the standard library as the checker sees it: the built-in
// functions, metrics and model families. Package stdlib provides it; the
// checker receives it as go/types receives an importer, so lang does not
// depend on stdlib.
type Catalog interface {
	Func(name string) *Func         // nil if there is none
	Metric(name string) *Metric     // nil if there is none
	Model(name string) *ModelFamily // nil if there is none
	FuncNames() []string            // for "did you mean"
	MetricNames() []string
	ModelNames() []string
}

// Param describes a parameter of a built-in function or an argument of a
// setting.
type Param struct {
	Name       string
	Doc        string
	Kinds      KindSet  // the kinds accepted; for a constant list, its elements' kinds
	List       bool     // a constant list literal: [1, 2, 3]
	Enum       []string // the parameter takes one of these names instead of a value
	Optional   bool     // accepts an optional (missing-able) value
	Positional bool     // may be given by position as well as by name
	Required   bool     // must be given
	Variadic   bool     // the last positional parameter takes one or more arguments
	Const      bool     // must be a constant
	Default    any      // the value used when it is not given, for the docs; nil if none
	Bounds     *Bounds  // the allowed range of a numeric constant; nil if any
}

// Bounds is the allowed range of a numeric constant.
type Bounds struct {
	Min, Max float64 // inclusive unless MinOpen
	MinOpen  bool    // Min itself is not allowed
}

// AtLeast returns the bounds [min, +Inf).
func AtLeast(min float64) *Bounds { return &Bounds{Min: min, Max: math.Inf(1)} }

// Positive returns the bounds (0, +Inf).
func Positive() *Bounds { return &Bounds{Min: 0, Max: math.Inf(1), MinOpen: true} }

// Between returns the bounds [min, max].
func Between(min, max float64) *Bounds { return &Bounds{Min: min, Max: max} }

// Contains reports whether v is within b.
func (b *Bounds) Contains(v float64) bool {
	if b.MinOpen && v <= b.Min {
		return false
	}
	return v >= b.Min && v <= b.Max
}

// String describes b: "at least 1", "greater than 0", "between 0 and 1".
func (b *Bounds) String() string {
	switch {
	case math.IsInf(b.Max, 1) && b.MinOpen:
		return sprintf("greater than %g", b.Min)
	case math.IsInf(b.Max, 1):
		return sprintf("at least %g", b.Min)
	case b.MinOpen:
		return sprintf("greater than %g and at most %g", b.Min, b.Max)
	}
	return sprintf("between %g and %g", b.Min, b.Max)
}

// Func describes a built-in function.
type Func struct {
	Name     string
	Doc      string // one line
	Params   []Param
	Analyzer string // the full-pass analyzer it needs ("mean_var", "vocabulary", ...), "" if none
	// Result types a call whose arguments have passed the generic checks of
	// Params, and checks what the Params cannot say. It may report through
	// the Call and return TInvalid.
	Result func(c *Call) Type
}

// Call is a call of a built-in being checked, as its Func.Result sees it.
type Call struct {
	Node     *CallExpr
	Args     map[string]ArgValue // by parameter name, for the arguments given
	Variadic []ArgValue          // the arguments of a variadic parameter
	report   func(code Code, n Node, hint, msg string)
}

// ArgValue is an argument of a call after checking.
type ArgValue struct {
	Expr  Expr
	Type  Type
	Const any // int64, float64, string, bool, []any, or nil when not a constant
	// Feature is the schema feature the argument passes through unchanged
	// (the feature itself, a fill of it), or nil.
	Feature *SchemaFeature
}

// Arg returns the argument for a parameter, and whether it was given.
func (c *Call) Arg(name string) (ArgValue, bool) {
	a, ok := c.Args[name]
	return a, ok
}

// WithArgType returns a copy of the call in which the named argument has
// type t: a Result can type a list's elements as if they were the argument.
func (c *Call) WithArgType(name string, t Type) *Call {
	d := *c
	d.Args = make(map[string]ArgValue, len(c.Args))
	for k, v := range c.Args {
		d.Args[k] = v
	}
	a := d.Args[name]
	a.Type = t
	d.Args[name] = a
	return &d
}

// Errorf reports an error at n (or the call when n is nil).
func (c *Call) Errorf(code Code, n Node, hint, format string, args ...any) {
	if n == nil {
		n = c.Node
	}
	c.report(code, n, hint, sprintf(format, args...))
}

// LabelKinds is a set of label types a metric or model fits.
type LabelKinds uint8

// The label kinds.
const (
	BinaryLabel     LabelKinds = 1 << iota // a bool label
	RegressionLabel                        // an int or float label
	MulticlassLabel                        // a category label
)

// String describes the set in words.
func (l LabelKinds) String() string {
	var s []string
	if l&BinaryLabel != 0 {
		s = append(s, "binary (bool)")
	}
	if l&RegressionLabel != 0 {
		s = append(s, "regression (int or float)")
	}
	if l&MulticlassLabel != 0 {
		s = append(s, "multiclass (category)")
	}
	return joinOr(s)
}

// Metric describes a built-in evaluation metric.
type Metric struct {
	Name     string
	Doc      string
	Labels   LabelKinds // the label types it fits
	Min, Max float64    // the values it can take; ±Inf when unbounded
}

// ModelFamily describes a built-in model family.
type ModelFamily struct {
	Name     string
	Doc      string
	Labels   LabelKinds
	Settings []SettingSpec
}

// SettingSpec describes one setting of a block: `hidden 100, 70`.
type SettingSpec struct {
	Name     string
	Doc      string
	Required bool
	Names    bool    // the arguments are names of transform outputs or features
	Params   []Param // otherwise, the arguments, checked as a function's
}
