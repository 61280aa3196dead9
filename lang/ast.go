package lang

// This file declares the syntax tree of a .tfxl file. The parser builds it;
// the checker and the formatter read it. Every node knows the span of source
// it was parsed from.

// Node is any syntax tree node.
type Node interface {
	Pos() Pos // the first character of the node
	End() Pos // the position just after the node
}

// Span holds a node's source span and implements the Pos and End methods of
// Node for the types that embed it.
type Span struct {
	From, To Pos
}

// Pos returns the position of the node's first character.
func (s Span) Pos() Pos { return s.From }

// End returns the position just after the node's last character.
func (s Span) End() Pos { return s.To }

// File is a parsed .tfxl file.
type File struct {
	Span
	Name     string     // the file name as given to the parser
	Decls    []Decl     // top-level declarations in source order
	Comments []*Comment // every comment in source order
}

// Comment is a "#" comment running to the end of its line.
type Comment struct {
	Span
	Text string // including the leading "#"
}

// Decl is a top-level declaration: one of the *Decl types below.
type Decl interface {
	Node
	// Keyword is the word that introduces the declaration ("transform").
	Keyword() string
}

// PipelineDecl names the pipeline: `pipeline taxi`.
type PipelineDecl struct {
	Span
	Name *Ident
}

// SchemaDecl names the schema file, or asks for one to be inferred:
// `schema "schema.pbtxt"` or `schema infer`.
type SchemaDecl struct {
	Span
	Path  *BasicLit // nil when Infer is set
	Infer bool
}

// ExamplesDecl says where the examples come from and how they split:
// `examples csv("data/taxi.csv") { split train: 2, eval: 1 }`.
type ExamplesDecl struct {
	Span
	Format *Ident     // csv, tfrecord
	Args   []*Arg     // the source's arguments, path first
	Body   []*Setting // split and reader options
}

// FeaturesDecl declares features and their types, checked against the
// schema, or standing in for it when the schema is inferred.
type FeaturesDecl struct {
	Span
	Fields []*FeatureField
}

// FeatureField declares one feature: `trip_start_day: int in 1..7`.
type FeatureField struct {
	Span
	Name *Ident
	Type *TypeExpr
}

// TypeExpr is a written type: `optional int in 1..7`, `list(string)`.
type TypeExpr struct {
	Span
	Optional bool
	Name     *Ident // int, float, string, bool, list, vector
	Elem     *Ident // the element type of list(T) and vector(T, n)
	Len      int    // the length n of vector(T, n); 0 when not written
	Domain   *Domain
}

// Domain is the set of values a declared feature takes: a range `lo..hi`
// or a list of values `["Cash", "Credit Card"]`.
type Domain struct {
	Span
	Lo, Hi Expr   // set for a range
	Values []Expr // set for a list
}

// TransformDecl is the transform block: one assignment per derived feature.
type TransformDecl struct {
	Span
	Assigns []*Assign
}

// Assign binds a name to an expression: `fare_xf = z_score(fare)`.
type Assign struct {
	Span
	Name  *Ident
	Value Expr
}

// LabelDecl defines the label: `label big_tipper = tips > 0.2 * fare`.
type LabelDecl struct {
	Span
	Name  *Ident
	Value Expr
}

// ServingDecl names features that are absent when the model serves:
// `serving excludes tips`.
type ServingDecl struct {
	Span
	Excludes []*Ident
}

// ModelDecl declares the model: `model dnn { inputs a, b  hidden 10 }`.
type ModelDecl struct {
	Span
	Family *Ident
	Body   []*Setting
}

// EvaluateDecl declares the evaluation: metrics and slices.
type EvaluateDecl struct {
	Span
	Body []*Setting
}

// PushDecl declares where a blessed model goes and the criteria it must
// meet: `push "serving/taxi" as saved_model, tfjs when { auc >= 0.7 }`.
type PushDecl struct {
	Span
	Dest     *BasicLit
	Formats  []*Ident
	When     Pos    // position of `when`, invalid if there is no criteria block
	Criteria []Expr // each a comparison
}

// Setting is one line of a settings block: a name and its arguments,
// positional or named: `split train: 2, eval: 1`, `hidden 100, 70`.
type Setting struct {
	Span
	Name *Ident
	Args []*Arg
}

// Keyword implementations.

// Keyword returns "pipeline".
func (*PipelineDecl) Keyword() string { return "pipeline" }

// Keyword returns "schema".
func (*SchemaDecl) Keyword() string { return "schema" }

// Keyword returns "examples".
func (*ExamplesDecl) Keyword() string { return "examples" }

// Keyword returns "features".
func (*FeaturesDecl) Keyword() string { return "features" }

// Keyword returns "transform".
func (*TransformDecl) Keyword() string { return "transform" }

// Keyword returns "label".
func (*LabelDecl) Keyword() string { return "label" }

// Keyword returns "serving".
func (*ServingDecl) Keyword() string { return "serving" }

// Keyword returns "model".
func (*ModelDecl) Keyword() string { return "model" }

// Keyword returns "evaluate".
func (*EvaluateDecl) Keyword() string { return "evaluate" }

// Keyword returns "push".
func (*PushDecl) Keyword() string { return "push" }

// Expressions.

// Expr is an expression: one of the expression types below.
type Expr interface {
	Node
	exprNode()
}

// Ident is a name: a feature, a transform output, a built-in, a metric.
type Ident struct {
	Span
	Name string
}

// LitKind is the kind of a literal.
type LitKind int

// The literal kinds.
const (
	IntLit LitKind = iota
	FloatLit
	StringLit
	BoolLit
)

// BasicLit is a literal: 42, 0.2, 1e-10, "text", true.
type BasicLit struct {
	Span
	Kind  LitKind
	Raw   string // as written, quotes included for strings
	Value any    // int64, float64, string or bool
}

// Arg is an argument of a call or a setting, positional when Name is nil:
// `top_k: 1000`.
type Arg struct {
	Span
	Name  *Ident
	Value Expr
}

// CallExpr is a call of a built-in: `vocabulary(company, top_k: 1000)`.
type CallExpr struct {
	Span
	Fun  *Ident
	Args []*Arg
}

// BinaryExpr is `X Op Y`.
type BinaryExpr struct {
	Span
	X     Expr
	Op    string // + - * / % == != < <= > >= and or
	OpPos Pos
	Y     Expr
}

// UnaryExpr is `Op X`, with Op "-" or "not".
type UnaryExpr struct {
	Span
	Op string
	X  Expr
}

// ParenExpr is a parenthesised expression.
type ParenExpr struct {
	Span
	X Expr
}

// SelectorExpr is `X.Sel`, as in `baseline.auc`.
type SelectorExpr struct {
	Span
	X   Expr
	Sel *Ident
}

// IndexExpr is `X[Index, ...]`, as in `auc[payment_type]`: a metric on the
// slices of a slicing spec.
type IndexExpr struct {
	Span
	X       Expr
	Indices []Expr
}

// ListExpr is a list literal: `[0.5, 1.0, 2.0]`.
type ListExpr struct {
	Span
	Elems []Expr
}

func (*Ident) exprNode()        {}
func (*BasicLit) exprNode()     {}
func (*CallExpr) exprNode()     {}
func (*BinaryExpr) exprNode()   {}
func (*UnaryExpr) exprNode()    {}
func (*ParenExpr) exprNode()    {}
func (*SelectorExpr) exprNode() {}
func (*IndexExpr) exprNode()    {}
func (*ListExpr) exprNode()     {}

// BadExpr stands for an expression that could not be parsed.
type BadExpr struct {
	Span
}

func (*BadExpr) exprNode() {}
