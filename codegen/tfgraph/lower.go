package tfgraph

import (
	"cmp"
	"fmt"

	"github.com/tfxc/tfxc/lang"
	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/stdlib"
)

// Lower lowers the transform block of a checked program (one without
// errors) to a Template.
func Lower(prog *lang.Program) (*Template, error) {
	l := &lowerer{prog: prog, b: newBuilder(), vals: map[string]val{}, t: &Template{}, filled: map[string]bool{}}
	for _, xf := range prog.Transforms {
		markFilled(xf.Expr, l.filled)
	}
	for _, xf := range prog.Transforms {
		v, err := l.expr(xf.Name, xf.Expr)
		if err != nil {
			return nil, fmt.Errorf("transform %s: %w", xf.Name, err)
		}
		if v.present != "" && xf.Type.Optional {
			return nil, fmt.Errorf("transform %s may be missing; the checker should have refused it", xf.Name)
		}
		// A feature the schema says is always present has a presence
		// placeholder when some transform fills it; read bare, it is its
		// value, as in any other expression.
		if v.fill != "" {
			return nil, fmt.Errorf("transform %s is a filled string, which TF.js cannot compute; encode it in the same transform (vocabulary, hash)", xf.Name)
		}
		out := l.b.op(xf.Name, "Identity", map[string]*tfpb.AttrValue{"T": typeAttr(v.dt)}, v.t)
		if out != xf.Name {
			return nil, fmt.Errorf("transform %s: its name is taken by a graph node", xf.Name)
		}
		l.vals[xf.Name] = val{t: out, dt: v.dt, n: v.n, lengths: v.lengths, ids: v.ids}
		shape := []int64{-1}
		if xf.Type.Kind == lang.Vector {
			// A length known only after analysis (tfidf without top_k) is
			// unknown in the graph's signature.
			shape = append(shape, int64(cmp.Or(xf.Type.Len, -1)))
		}
		l.t.Outputs = append(l.t.Outputs, Output{Name: xf.Name, DType: v.dt, Shape: shape, Lengths: v.lengths})
	}
	l.t.Graph = l.b.g
	return l.t, nil
}

type lowerer struct {
	prog *lang.Program
	b    *builder
	t    *Template
	vals map[string]val // features and transform outputs already lowered
	// filled are the features some transform fills: they get a presence
	// placeholder even when the schema says they are always present, so
	// examples that break the schema still transform as the pipeline says
	// (validation reports them).
	filled map[string]bool
}

// markFilled records the features that x passes to fill directly.
func markFilled(x lang.Expr, filled map[string]bool) {
	switch x := x.(type) {
	case *lang.ParenExpr:
		markFilled(x.X, filled)
	case *lang.UnaryExpr:
		markFilled(x.X, filled)
	case *lang.BinaryExpr:
		markFilled(x.X, filled)
		markFilled(x.Y, filled)
	case *lang.CallExpr:
		if x.Fun.Name == "fill" && len(x.Args) > 0 {
			if id, ok := x.Args[0].Value.(*lang.Ident); ok {
				filled[id.Name] = true
			}
		}
		for _, a := range x.Args {
			markFilled(a.Value, filled)
		}
	}
}

// val is a lowered expression: a tensor of one value per example.
type val struct {
	t       string
	dt      tfpb.DataType
	n       int    // the length of a vector value; 0 for one value per example
	lengths string // for a list: the tensor of values per example (t holds them all)
	present string // bool tensor, for a value that may be missing
	ids     string // for category ids: the int64 scalar tensor of their number, when known
	// A filled string is kept as the raw tensor t, the presence flags in
	// filledWhere and the fill constant in fill: TF.js cannot select
	// between strings (its SelectV2 and GatherV2 take numbers only), so the
	// fill is applied to the numeric result of the op that reads the
	// string (see fillAfter).
	filledWhere, fill string
}

// fillAfter applies op to a string value and, when the value is a pending
// fill, to the fill constant too, selecting between the two results:
// op(fill(x, v)) = SelectV2(present, op(x), op(v)) for the elementwise ops
// that read strings (lookup, hash, comparison).
func (l *lowerer) fillAfter(scope string, x val, op func(in string) val) val {
	if x.fill == "" {
		return op(x.t)
	}
	a, b := op(x.t), op(x.fill)
	return val{t: l.b.op(scope+"/filled", "SelectV2", tAttr(a.dt), x.filledWhere, a.t, b.t), dt: a.dt}
}

// dtypeOf is the graph type of a language type: TFMD FLOAT features are
// float32 in TensorFlow (tf.Example's float_list), INT int64, BYTES string;
// category ids are int64.
func dtypeOf(k lang.Kind) (tfpb.DataType, error) {
	switch k {
	case lang.Float:
		return tfpb.DataType_DT_FLOAT, nil
	case lang.Int, lang.Category:
		return tfpb.DataType_DT_INT64, nil
	case lang.String:
		return tfpb.DataType_DT_STRING, nil
	case lang.Bool:
		return tfpb.DataType_DT_BOOL, nil
	}
	return 0, fmt.Errorf("no graph type for %s yet", k)
}

// feature returns the placeholder of a raw feature, adding it on first use.
func (l *lowerer) feature(name string) (val, error) {
	if v, ok := l.vals[name]; ok {
		return v, nil
	}
	f := l.prog.Schema.Feature(name)
	if f == nil {
		return val{}, fmt.Errorf("feature %s is not in the schema", name)
	}
	kind, n, shape := f.Type.Kind, 0, []int64{-1}
	switch {
	case f.Type.Kind == lang.Vector && !f.Type.Optional:
		kind, n, shape = f.Type.Elem, f.Type.Len, []int64{-1, int64(f.Type.Len)}
	case f.Type.Kind == lang.List:
		kind = f.Type.Elem
	case !f.Type.IsScalar():
		return val{}, fmt.Errorf("feature %s of type %s: lists and optional vectors are not lowered yet", name, f.Type)
	}
	dt, err := dtypeOf(kind)
	if err != nil {
		return val{}, err
	}
	ph := l.b.op(name, "Placeholder", map[string]*tfpb.AttrValue{"dtype": typeAttr(dt), "shape": shapeAttr(shape...)})
	if ph != name {
		return val{}, fmt.Errorf("feature %s: its name is taken by a graph node", name)
	}
	v := val{t: ph, dt: dt, n: n}
	in := Input{Feature: name, DType: dt}
	if f.Type.Kind == lang.List {
		v.lengths = l.b.op(name+"__lengths", "Placeholder", map[string]*tfpb.AttrValue{
			"dtype": typeAttr(tfpb.DataType_DT_INT64), "shape": shapeAttr(-1)})
		in.Lengths = v.lengths
	}
	if f.Type.Optional || l.filled[name] {
		v.present = l.b.op(name+"__present", "Placeholder", map[string]*tfpb.AttrValue{
			"dtype": typeAttr(tfpb.DataType_DT_BOOL), "shape": shapeAttr(-1)})
		in.Present = v.present
	}
	l.t.Inputs = append(l.t.Inputs, in)
	l.vals[name] = v
	return v, nil
}

func (l *lowerer) expr(scope string, x lang.Expr) (val, error) {
	switch x := x.(type) {
	case *lang.Ident:
		if v, ok := l.vals[x.Name]; ok {
			return v, nil
		}
		return l.feature(x.Name)
	case *lang.ParenExpr:
		return l.expr(scope, x.X)
	case *lang.BasicLit:
		return l.literal(scope, x)
	case *lang.UnaryExpr:
		v, err := l.expr(scope, x.X)
		if err != nil {
			return val{}, err
		}
		if x.Op == "not" {
			return val{t: l.b.op(scope+"/not", "LogicalNot", nil, v.t), dt: v.dt}, nil
		}
		return val{t: l.b.op(scope+"/neg", "Neg", tAttr(v.dt), v.t), dt: v.dt}, nil
	case *lang.BinaryExpr:
		return l.binary(scope, x)
	case *lang.CallExpr:
		return l.call(scope, x)
	}
	return val{}, fmt.Errorf("cannot lower %s", lang.ExprString(x))
}

func tAttr(dt tfpb.DataType) map[string]*tfpb.AttrValue {
	return map[string]*tfpb.AttrValue{"T": typeAttr(dt)}
}

func (l *lowerer) literal(scope string, x *lang.BasicLit) (val, error) {
	switch v := x.Value.(type) {
	case int64:
		return val{t: l.b.value(scope+"/const", v), dt: tfpb.DataType_DT_INT64}, nil
	case float64:
		return val{t: l.b.value(scope+"/const", float32(v)), dt: tfpb.DataType_DT_FLOAT}, nil
	case string:
		return val{t: l.b.value(scope+"/const", v), dt: tfpb.DataType_DT_STRING}, nil
	case bool:
		return val{t: l.b.value(scope+"/const", v), dt: tfpb.DataType_DT_BOOL}, nil
	}
	return val{}, fmt.Errorf("literal %s", x.Raw)
}

// cast converts v to dt, adding a Cast only when needed.
func (l *lowerer) cast(scope string, v val, dt tfpb.DataType) val {
	if v.dt == dt {
		return v
	}
	return val{t: l.b.op(scope+"/cast", "Cast", map[string]*tfpb.AttrValue{
		"SrcT": typeAttr(v.dt), "DstT": typeAttr(dt), "Truncate": boolAttr(false)}, v.t), dt: dt, n: v.n}
}

var binaryOps = map[string]string{
	"+": "AddV2", "-": "Sub", "*": "Mul", "/": "RealDiv", "%": "FloorMod",
	"<": "Less", "<=": "LessEqual", ">": "Greater", ">=": "GreaterEqual",
	"==": "Equal", "!=": "NotEqual", "and": "LogicalAnd", "or": "LogicalOr",
}

// binary lowers an operator. Mixed int and float operands, and both sides
// of "/", are computed in float32, as the checker types them.
func (l *lowerer) binary(scope string, x *lang.BinaryExpr) (val, error) {
	a, err := l.expr(scope, x.X)
	if err != nil {
		return val{}, err
	}
	b, err := l.expr(scope, x.Y)
	if err != nil {
		return val{}, err
	}
	op, ok := binaryOps[x.Op]
	if !ok {
		return val{}, fmt.Errorf("operator %s is not lowered yet", x.Op)
	}
	if a.fill != "" || b.fill != "" {
		// Only == and != read strings; compare raw and fill, then select.
		attrs := map[string]*tfpb.AttrValue{"T": typeAttr(a.dt), "incompatible_shape_error": boolAttr(true)}
		if a.fill != "" {
			bb := b
			return l.fillAfter(scope, a, func(in string) val {
				if bb.fill != "" {
					return l.fillAfter(scope, bb, func(in2 string) val {
						return val{t: l.b.op(scope+"/"+op, op, attrs, in, in2), dt: tfpb.DataType_DT_BOOL}
					})
				}
				return val{t: l.b.op(scope+"/"+op, op, attrs, in, bb.t), dt: tfpb.DataType_DT_BOOL}
			}), nil
		}
		return l.fillAfter(scope, b, func(in string) val {
			return val{t: l.b.op(scope+"/"+op, op, attrs, a.t, in), dt: tfpb.DataType_DT_BOOL}
		}), nil
	}
	if x.Op == "and" || x.Op == "or" {
		return val{t: l.b.op(scope+"/"+op, op, nil, a.t, b.t), dt: tfpb.DataType_DT_BOOL}, nil
	}
	if x.Op == "/" || a.dt != b.dt {
		if a.dt != tfpb.DataType_DT_STRING && a.dt != tfpb.DataType_DT_BOOL {
			a = l.cast(scope, a, tfpb.DataType_DT_FLOAT)
			b = l.cast(scope, b, tfpb.DataType_DT_FLOAT)
		}
	}
	attrs := tAttr(a.dt)
	dt := a.dt
	switch x.Op {
	case "<", "<=", ">", ">=", "==", "!=":
		dt = tfpb.DataType_DT_BOOL
	}
	return val{t: l.b.op(scope+"/"+op, op, attrs, a.t, b.t), dt: dt}, nil
}

// arg returns the lowered positional or named argument of a call.
func (l *lowerer) arg(scope string, c *lang.CallExpr, i int, name string) (val, error) {
	for _, a := range c.Args {
		if a.Name != nil && a.Name.Name == name {
			return l.expr(scope, a.Value)
		}
	}
	if i >= 0 && i < len(c.Args) && c.Args[i].Name == nil {
		return l.expr(scope, c.Args[i].Value)
	}
	return val{}, fmt.Errorf("%s has no argument %s", c.Fun.Name, name)
}

// hasArg reports whether a call names the argument.
func hasArg(c *lang.CallExpr, name string) bool {
	for _, a := range c.Args {
		if a.Name != nil && a.Name.Name == name {
			return true
		}
	}
	return false
}

// namedOnly is the position to pass arg and constArg for a parameter that
// is only ever given by name.
const namedOnly = -1

// constArg returns a constant argument's value, given by name or at
// position i, or def when it is absent.
func constArg(c *lang.CallExpr, i int, name string, def any) any {
	for _, a := range c.Args {
		if a.Name != nil && a.Name.Name == name {
			return constOf(a.Value)
		}
	}
	if i >= 0 && i < len(c.Args) && c.Args[i].Name == nil {
		return constOf(c.Args[i].Value)
	}
	return def
}

// constOf evaluates a constant as the checker did (lang.ConstValue), or a
// list of constants.
func constOf(x lang.Expr) any {
	if l, ok := x.(*lang.ListExpr); ok {
		var out []any
		for _, e := range l.Elems {
			out = append(out, constOf(e))
		}
		return out
	}
	v, _, _ := lang.ConstValue(x)
	return v
}

func asFloat(v any) float64 {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case float64:
		return v
	}
	return 0
}

func asInt(v any) int64 {
	if i, ok := v.(int64); ok {
		return i
	}
	return 0
}

// placeholder adds an analyzer result placeholder.
func (l *lowerer) placeholder(name string, dt tfpb.DataType, dims ...int64) string {
	return l.b.op(name, "Placeholder", map[string]*tfpb.AttrValue{"dtype": typeAttr(dt), "shape": shapeAttr(dims...)})
}

// analyzer registers an analyzer reading v and returns it, with the
// dimensions of its per-position results: [n] for an elementwise analyzer
// of a vector of n, none for a pooled one.
func (l *lowerer) analyzer(scope, fn, kind string, v val, opts map[string]any) (*Analyzer, []int64) {
	id := l.b.unique(scope + "/" + fn)
	a := &Analyzer{ID: id, Kind: kind, Input: v.t, InputDT: v.dt, Options: opts, Results: map[string]string{}}
	l.t.Analyzers = append(l.t.Analyzers, a)
	if n, ok := opts["elementwise"].(int); ok && n > 0 {
		return a, []int64{int64(n)}
	}
	return a, nil
}

// elementwiseOpts records the length of a vector analyzed elementwise
// (option "elementwise": n); a pooled analyzer of a vector, like one of
// numbers, has no options (TFT's elementwise=False reduces every value).
func elementwiseOpts(c *lang.CallExpr, x val) map[string]any {
	if b, _ := constArg(c, namedOnly, "elementwise", false).(bool); b && x.n > 0 {
		return map[string]any{"elementwise": x.n}
	}
	return map[string]any{}
}

func (a *Analyzer) result(l *lowerer, name string, dt tfpb.DataType, dims ...int64) string {
	ph := l.placeholder(a.ID+"/"+name, dt, dims...)
	a.Results[name] = ph
	return ph
}

func (l *lowerer) call(scope string, c *lang.CallExpr) (val, error) {
	if c.Fun.Name == "pca" {
		return l.pca(scope, c)
	}
	x, err := l.arg(scope, c, 0, "x")
	if err != nil {
		return val{}, err
	}
	f32 := tfpb.DataType_DT_FLOAT
	i64 := tfpb.DataType_DT_INT64
	switch c.Fun.Name {
	case "fill":
		// TFX's _fill_in_missing: the value where the feature is missing.
		fillV, err := l.arg(scope, c, 1, "value")
		if err != nil {
			return val{}, err
		}
		if x.present == "" {
			return x, nil
		}
		fillV = l.cast(scope, fillV, x.dt)
		if x.dt == tfpb.DataType_DT_STRING {
			return val{t: x.t, dt: x.dt, filledWhere: x.present, fill: fillV.t}, nil
		}
		return val{t: l.b.op(scope+"/fill", "SelectV2", tAttr(x.dt), x.present, x.t, fillV.t), dt: x.dt}, nil
	case "z_score":
		// TFT scale_to_z_score: (x - mean) / sqrt(var), float32; Bind puts
		// std 1 where the variance is 0, giving x - mean (SEMANTICS.md 1.3).
		// Elementwise, each position of a vector has its own mean and std.
		xf := l.cast(scope, x, f32)
		a, dims := l.analyzer(scope, "z_score", stdlib.AnalyzerMeanVar, xf, elementwiseOpts(c, xf))
		mean, std := a.result(l, "mean", f32, dims...), a.result(l, "std", f32, dims...)
		d := l.b.op(scope+"/centered", "Sub", tAttr(f32), xf.t, mean)
		return val{t: l.b.op(scope+"/z_score", "RealDiv", tAttr(f32), d, std), dt: f32, n: xf.n}, nil
	case "scale_to_0_1", "scale_by_min_max":
		lo := float32(asFloat(constArg(c, 1, "output_min", 0.0)))
		hi := float32(asFloat(constArg(c, 2, "output_max", 1.0)))
		return l.scaleMinMax(scope, c, x, lo, hi), nil
	case "log1p":
		xf := l.cast(scope, x, f32)
		return val{t: l.b.op(scope+"/log1p", "Log1p", tAttr(f32), xf.t), dt: f32}, nil
	case "clip":
		lo, hi := asFloat(constArg(c, 1, "min", nil)), asFloat(constArg(c, 2, "max", nil))
		var loC, hiC string
		if x.dt == i64 {
			loC, hiC = l.b.value(scope+"/min", int64(lo)), l.b.value(scope+"/max", int64(hi))
		} else {
			loC, hiC = l.b.value(scope+"/min", float32(lo)), l.b.value(scope+"/max", float32(hi))
		}
		m := l.b.op(scope+"/clip_low", "Maximum", tAttr(x.dt), x.t, loC)
		return val{t: l.b.op(scope+"/clip", "Minimum", tAttr(x.dt), m, hiC), dt: x.dt}, nil
	case "bucketize":
		xf := l.cast(scope, x, f32)
		a, _ := l.analyzer(scope, "bucketize", stdlib.AnalyzerQuantiles, xf,
			map[string]any{"num_buckets": asInt(constArg(c, 1, "num_buckets", nil))})
		return l.buckets(scope, xf, a.result(l, "boundaries", f32, -1)), nil
	case "apply_buckets":
		xf := l.cast(scope, x, f32)
		var bounds []float32
		for _, v := range constArg(c, 1, "boundaries", nil).([]any) {
			bounds = append(bounds, float32(asFloat(v)))
		}
		return l.buckets(scope, xf, l.b.value(scope+"/boundaries", bounds)), nil
	case "hash":
		// TFT hash_strings: StringToHashBucketFast (SEMANTICS.md 1.7).
		n := asInt(constArg(c, 1, "buckets", nil))
		return l.fillAfter(scope, x, func(in string) val {
			return val{t: l.b.op(scope+"/hash", "StringToHashBucketFast", map[string]*tfpb.AttrValue{"num_buckets": intAttr(n)}, in), dt: i64}
		}), nil
	case "categorical":
		n := asInt(constArg(c, 1, "buckets", nil))
		geq := l.b.op(scope+"/nonnegative", "GreaterEqual", tAttr(i64), x.t, l.b.value(scope+"/zero", int64(0)))
		lt := l.b.op(scope+"/below", "Less", tAttr(i64), x.t, l.b.value(scope+"/buckets", n))
		in := l.b.op(scope+"/in_range", "LogicalAnd", nil, geq, lt)
		return val{t: l.b.op(scope+"/categorical", "SelectV2", tAttr(i64), in, x.t, scope+"/zero"), dt: i64}, nil
	case "vocabulary":
		return l.vocabulary(scope, c, x)
	case "tokenize":
		sep, _ := constArg(c, 1, "sep", " ").(string)
		return l.tokenize(scope, x, sep)
	case "ngrams", "bag_of_words":
		lo, hi, err := ngramRange(c)
		if err != nil {
			return val{}, err
		}
		sep, _ := constArg(c, namedOnly, "sep", " ").(string)
		v, err := l.ngrams(scope, x, lo, hi, sep)
		if err != nil || c.Fun.Name == "ngrams" {
			return v, err
		}
		return l.bagOfWords(scope, v), nil
	case "tfidf":
		if x.dt != i64 || x.lengths == "" {
			return val{}, fmt.Errorf("tfidf needs a list of ids")
		}
		// Ids wrap modulo vocab_size, or the vocabulary's size plus its
		// OOV buckets (TFT get_num_buckets_for_transformed_feature).
		size := x.ids
		if n := constArg(c, namedOnly, "vocab_size", nil); n != nil {
			size = l.b.value(scope+"/vocab_size", asInt(n))
		}
		if size == "" {
			return val{}, fmt.Errorf("tfidf: the number of ids is unknown; give vocab_size")
		}
		// The vector is as long as the checker said (top_k + oov, which
		// a small vocabulary may not fill), else as the ids wrap.
		width := size
		if n := l.prog.Types[c].Len; n > 0 {
			width = l.b.value(scope+"/width", int64(n))
		}
		smooth, _ := constArg(c, namedOnly, "smooth", true).(bool)
		return l.tfidf(scope, x, size, width, smooth), nil
	}
	return val{}, fmt.Errorf("%s is not lowered to a graph yet", c.Fun.Name)
}

// scaleMinMax lowers TFT's scale_by_min_max: (x - min) / (max - min) *
// (hi - lo) + lo, and sigmoid(x) * (hi - lo) + lo when min >= max, which
// Bind records in the "degenerate" result (SEMANTICS.md 1.4).
func (l *lowerer) scaleMinMax(scope string, c *lang.CallExpr, x val, lo, hi float32) val {
	f32, fn := tfpb.DataType_DT_FLOAT, c.Fun.Name
	xf := l.cast(scope, x, f32)
	a, dims := l.analyzer(scope, fn, stdlib.AnalyzerMinMax, xf, elementwiseOpts(c, xf))
	mn, mx := a.result(l, "min", f32, dims...), a.result(l, "max", f32, dims...)
	degenerate := a.result(l, "degenerate", tfpb.DataType_DT_BOOL, dims...)
	span := l.b.value(scope+"/output_span", hi-lo)
	low := l.b.value(scope+"/output_min", lo)
	num := l.b.op(scope+"/shifted", "Sub", tAttr(f32), xf.t, mn)
	den := l.b.op(scope+"/range", "Sub", tAttr(f32), mx, mn)
	unit := l.b.op(scope+"/unit", "RealDiv", tAttr(f32), num, den)
	lin := l.b.op(scope+"/linear", "AddV2", tAttr(f32), l.b.op(scope+"/stretched", "Mul", tAttr(f32), unit, span), low)
	sig := l.b.op(scope+"/sigmoid", "Sigmoid", tAttr(f32), xf.t)
	sigScaled := l.b.op(scope+"/sigmoid_scaled", "AddV2", tAttr(f32), l.b.op(scope+"/sigmoid_stretched", "Mul", tAttr(f32), sig, span), low)
	return val{t: l.b.op(scope+"/"+fn, "SelectV2", tAttr(f32), degenerate, sigScaled, lin), dt: f32, n: xf.n}
}

// buckets lowers TFT's apply_buckets as DESIGN.md section 5 says, with ops
// TF.js has: Sum(Cast(LogicalNot(Less(ExpandDims(x, -1), boundaries)))).
// A value on a boundary goes to the bucket above it; NaN, never less than
// a boundary, goes to the last bucket, as TFT's bucketize does.
func (l *lowerer) buckets(scope string, xf val, boundaries string) val {
	f32, i64 := tfpb.DataType_DT_FLOAT, tfpb.DataType_DT_INT64
	minusOne := l.b.value(scope+"/last_axis", int32(-1))
	ex := l.b.op(scope+"/expand", "ExpandDims", map[string]*tfpb.AttrValue{"T": typeAttr(f32), "Tdim": typeAttr(tfpb.DataType_DT_INT32)}, xf.t, minusOne)
	less := l.b.op(scope+"/below_boundary", "Less", tAttr(f32), ex, boundaries)
	above := l.b.op(scope+"/at_or_above", "LogicalNot", nil, less)
	count := l.b.op(scope+"/as_int", "Cast", map[string]*tfpb.AttrValue{
		"SrcT": typeAttr(tfpb.DataType_DT_BOOL), "DstT": typeAttr(i64), "Truncate": boolAttr(false)}, above)
	return val{t: l.b.op(scope+"/bucket", "Sum", map[string]*tfpb.AttrValue{
		"T": typeAttr(i64), "Tidx": typeAttr(tfpb.DataType_DT_INT32), "keep_dims": boolAttr(false)}, count, minusOne), dt: i64}
}

// vocabulary lowers TFT's apply_vocabulary as TensorFlow's static
// vocabulary table does: a HashTableV2 filled from constant keys by
// LookupTableImportV2, LookupTableFindV2 with default -1, and for values
// outside it vocab_size + StringToHashBucketFast(x, oov) (SEMANTICS.md 1.5).
func (l *lowerer) vocabulary(scope string, c *lang.CallExpr, x val) (val, error) {
	i64 := tfpb.DataType_DT_INT64
	oov := asInt(constArg(c, namedOnly, "oov", int64(0)))
	if x.dt == i64 && oov > 1 {
		// Hashing an int needs AsString, which TF.js lacks.
		return val{}, fmt.Errorf("vocabulary of an int with more than one oov bucket cannot be lowered yet")
	}
	opts := map[string]any{"oov": oov, "frequency_threshold": asInt(constArg(c, namedOnly, "frequency_threshold", int64(0)))}
	if k := constArg(c, namedOnly, "top_k", nil); k != nil {
		opts["top_k"] = asInt(k)
	}
	if approx, _ := constArg(c, namedOnly, "approximate", false).(bool); approx {
		opts["approximate"] = true
	}
	// The analyzer reads the raw values and, per example where the value
	// is missing, the fill: Analyzers knows a pending fill from FilledWhere.
	a, _ := l.analyzer(scope, "vocabulary", stdlib.AnalyzerVocabulary, x, opts)
	a.FilledWhere, a.Fill = x.filledWhere, x.fill
	if hasArg(c, "weights") {
		w, err := l.arg(scope, c, namedOnly, "weights")
		if err != nil {
			return val{}, err
		}
		a.Weights = l.cast(scope, w, tfpb.DataType_DT_FLOAT).t
	}
	keys := a.result(l, "keys", x.dt, -1)
	ids := a.result(l, "ids", i64, -1)
	size := a.result(l, "size", i64)
	table := l.b.op(scope+"/table", "HashTableV2", map[string]*tfpb.AttrValue{
		"key_dtype": typeAttr(x.dt), "value_dtype": typeAttr(i64)})
	init := l.b.op(scope+"/table_init", "LookupTableImportV2", map[string]*tfpb.AttrValue{
		"Tin": typeAttr(x.dt), "Tout": typeAttr(i64)}, table, keys, ids)
	l.t.Initializers = append(l.t.Initializers, init)
	missing := l.b.value(scope+"/missing", asInt(constArg(c, namedOnly, "default", int64(-1))))
	// The number of ids, for tfidf: the vocabulary's size plus the OOV
	// buckets (TFT get_num_buckets_for_transformed_feature).
	numIDs := size
	if oov > 0 {
		numIDs = l.b.op(scope+"/num_ids", "AddV2", tAttr(i64), size, l.b.value(scope+"/oov", oov))
	}
	v := l.fillAfter(scope, x, func(in string) val {
		id := l.b.op(scope+"/lookup", "LookupTableFindV2", map[string]*tfpb.AttrValue{
			"Tin": typeAttr(x.dt), "Tout": typeAttr(i64)}, table, in, missing)
		if oov == 0 {
			return val{t: id, dt: i64}
		}
		oovID := size
		if x.dt == tfpb.DataType_DT_STRING {
			h := l.b.op(scope+"/oov_bucket", "StringToHashBucketFast", map[string]*tfpb.AttrValue{"num_buckets": intAttr(oov)}, in)
			oovID = l.b.op(scope+"/oov_id", "AddV2", tAttr(i64), h, size)
		}
		isMissing := l.b.op(scope+"/not_found", "Equal", map[string]*tfpb.AttrValue{
			"T": typeAttr(i64), "incompatible_shape_error": boolAttr(true)}, id, missing)
		return val{t: l.b.op(scope+"/vocabulary", "SelectV2", tAttr(i64), isMissing, oovID, id), dt: i64}
	}).withLengths(x.lengths)
	v.ids = numIDs
	return v, nil
}

// ngramRange returns the checked range of an ngrams or bag_of_words call.
func ngramRange(c *lang.CallExpr) (lo, hi int64, err error) {
	r, _ := constArg(c, 1, "range", nil).([]any)
	if len(r) != 2 {
		return 0, 0, fmt.Errorf("%s: range must be [lo, hi]", c.Fun.Name)
	}
	lo, hi = asInt(r[0]), asInt(r[1])
	if lo < 1 || hi < lo {
		return 0, 0, fmt.Errorf("%s: range [%d, %d] is not 1 <= lo <= hi", c.Fun.Name, lo, hi)
	}
	return lo, hi, nil
}

// withLengths marks a value computed elementwise from a list's values as
// a list of the same lengths.
func (v val) withLengths(lengths string) val {
	v.lengths = lengths
	return v
}

// pca lowers the projection on the principal components of the training
// split's covariance (TFT pca: the biased covariance's eigenvectors by
// descending eigenvalue, SEMANTICS.md 1.2), centered as DESIGN.md's table
// of lowerings says: MatMul(Sub(x, mean[D]), W[D, K]). Several numbers are
// first joined into one vector.
func (l *lowerer) pca(scope string, c *lang.CallExpr) (val, error) {
	f32 := tfpb.DataType_DT_FLOAT
	var parts []val
	for _, a := range c.Args {
		if a.Name != nil {
			continue
		}
		v, err := l.expr(scope, a.Value)
		if err != nil {
			return val{}, err
		}
		parts = append(parts, l.cast(scope, v, f32))
	}
	k := asInt(constArg(c, namedOnly, "components", nil))
	var x val
	switch {
	case len(parts) == 1 && parts[0].n > 0:
		x = parts[0]
	default:
		axis := l.b.value(scope+"/last_axis", int32(-1))
		var cols []string
		for _, p := range parts {
			if p.n > 0 {
				return val{}, fmt.Errorf("pca takes one vector or several numbers")
			}
			cols = append(cols, l.b.op(scope+"/column", "ExpandDims", map[string]*tfpb.AttrValue{"T": typeAttr(f32), "Tdim": typeAttr(tfpb.DataType_DT_INT32)}, p.t, axis))
		}
		cat := l.b.op(scope+"/columns", "ConcatV2", map[string]*tfpb.AttrValue{
			"T": typeAttr(f32), "N": intAttr(int64(len(cols))), "Tidx": typeAttr(tfpb.DataType_DT_INT32)}, append(cols, axis)...)
		x = val{t: cat, dt: f32, n: len(cols)}
	}
	a, _ := l.analyzer(scope, "pca", stdlib.AnalyzerCovariance, x, map[string]any{"dim": x.n, "components": k})
	mean := a.result(l, "mean", f32, int64(x.n))
	w := a.result(l, "matrix", f32, int64(x.n), k)
	centered := l.b.op(scope+"/centered", "Sub", tAttr(f32), x.t, mean)
	return val{t: l.b.op(scope+"/pca", "MatMul", map[string]*tfpb.AttrValue{
		"T": typeAttr(f32), "transpose_a": boolAttr(false), "transpose_b": boolAttr(false)}, centered, w), dt: f32, n: int(k)}, nil
}
