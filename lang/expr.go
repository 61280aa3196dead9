package lang

import (
	"fmt"
	"math"
	"slices"
)

// exprChecker types one expression tree and collects what it depends on.
type exprChecker struct {
	c         *checker
	deps      map[string]bool // raw features
	analyzers []string
}

func (c *checker) newExprChecker() *exprChecker {
	return &exprChecker{c: c, deps: map[string]bool{}}
}

// featureList returns the raw features the expression depends on, sorted.
func (e *exprChecker) featureList() []string {
	out := make([]string, 0, len(e.deps))
	for f := range e.deps {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// expr types x, reporting every problem, and records the type.
func (e *exprChecker) expr(x Expr) Type {
	t := e.typeOf(x)
	e.c.prog.Types[x] = t
	return t
}

func (e *exprChecker) typeOf(x Expr) Type {
	c := e.c
	switch x := x.(type) {
	case *Ident:
		return e.ident(x)
	case *BasicLit:
		switch x.Kind {
		case IntLit:
			return TInt
		case FloatLit:
			return TFloat
		case StringLit:
			return TString
		default:
			return TBool
		}
	case *ParenExpr:
		return e.expr(x.X)
	case *UnaryExpr:
		t := e.expr(x.X)
		if t.Kind == Invalid {
			return TInvalid
		}
		if t.Optional {
			c.errorf(EOptionalUnfilled, x.X, fillHint(x.X), "%s may be missing (%s); fill it before using it", ExprString(x.X), t)
			return TInvalid
		}
		if x.Op == "-" {
			if !t.IsNumeric() {
				c.errorf(EOperandType, x, "- takes an int or a float", "cannot negate a %s", t)
				return TInvalid
			}
			return t
		}
		if t.Kind != Bool {
			c.errorf(EOperandType, x, "not takes a bool, such as a comparison: not (x > 1)", "not needs a bool, not a %s", t)
			return TInvalid
		}
		return TBool
	case *BinaryExpr:
		return e.binary(x)
	case *CallExpr:
		return e.call(x)
	case *SelectorExpr, *IndexExpr:
		c.errorf(ENotAnExpression, x, "metrics and baselines appear only in push criteria",
			"%s is not a value of the examples", ExprString(x))
		return TInvalid
	case *ListExpr:
		c.errorf(EOperandType, x, "lists are written only as arguments that take them, such as apply_buckets' boundaries",
			"a list is not a value here")
		return TInvalid
	}
	return TInvalid // BadExpr: already reported by the parser
}

func (e *exprChecker) ident(id *Ident) Type {
	c := e.c
	switch id.Name {
	case "baseline":
		c.errorf(ENotAnExpression, id, "baseline.METRIC appears only in push criteria", "%s is not a value of the examples", id.Name)
		return TInvalid
	case "all":
		c.errorf(ENotAnExpression, id, "all names the overall slice, in evaluate and in push criteria", "%s is not a value of the examples", id.Name)
		return TInvalid
	}
	b, ok := c.names[id.Name]
	if !ok {
		c.unknownName(id, true)
		return TInvalid
	}
	switch b.kind {
	case "label":
		c.errorf(ELabelAsInput, id, "a transform or model input may not use the label",
			"%s is the label", id.Name)
		return TInvalid
	case "transform":
		if b.order >= c.current {
			c.used[id.Name] = true // misplaced, not unused
			if c.prog.Schema != nil && c.prog.Schema.Feature(id.Name) != nil {
				// The output hides the feature in the whole block.
				d := c.errorf(EUsedBeforeDef, id, fmt.Sprintf("rename the output, e.g. %s_xf, to read the feature here", id.Name),
					"%s here is the transform output defined on line %d, which hides the feature %s", id.Name, b.node.Pos().Line, id.Name)
				c.related(d, b.node, "defined here")
				return TInvalid
			}
			d := c.errorf(EUsedBeforeDef, id, "move the definition above its use",
				"%s is used before it is defined", id.Name)
			c.related(d, b.node, "defined here")
			return TInvalid
		}
	}
	c.used[id.Name] = true
	for _, f := range b.deps {
		e.deps[f] = true
	}
	return b.typ
}

func (e *exprChecker) binary(x *BinaryExpr) Type {
	c := e.c
	lt, rt := e.expr(x.X), e.expr(x.Y)
	if lt.Kind == Invalid || rt.Kind == Invalid {
		return TInvalid
	}
	for _, side := range []struct {
		t Type
		x Expr
	}{{lt, x.X}, {rt, x.Y}} {
		if side.t.Optional {
			c.errorf(EOptionalUnfilled, side.x, fillHint(side.x),
				"%s may be missing (%s); fill it before using it", ExprString(side.x), side.t)
			return TInvalid
		}
	}
	opNode := Span{From: x.OpPos, To: Pos{Offset: x.OpPos.Offset + len(x.Op), Line: x.OpPos.Line, Col: x.OpPos.Col + len(x.Op)}}
	mismatch := func() Type {
		hint := "+ - * / % < <= > >= take ints and floats; encode strings and categories first"
		switch x.Op {
		case "==", "!=":
			hint = "== and != compare two numbers, or two strings or bools"
		case "and", "or":
			hint = x.Op + " takes bools, such as comparisons"
		}
		c.errorf(EOperandType, opNode, hint, "operator %s does not apply to %s and %s", x.Op, lt, rt)
		return TInvalid
	}
	switch x.Op {
	case "+", "-", "*", "/", "%":
		if !lt.IsNumeric() || !rt.IsNumeric() {
			return mismatch()
		}
		if x.Op == "/" || lt.Kind == Float || rt.Kind == Float {
			return TFloat
		}
		return TInt
	case "<", "<=", ">", ">=":
		if !lt.IsNumeric() || !rt.IsNumeric() {
			return mismatch()
		}
		return TBool
	case "==", "!=":
		comparable := (lt.IsNumeric() && rt.IsNumeric()) || (lt.Kind == rt.Kind && lt.IsScalar() && lt.Kind != Category)
		if !comparable {
			return mismatch()
		}
		if lt.Kind == Float || rt.Kind == Float {
			c.errorf(WFloatEquality, opNode, "compare with a tolerance, or bucketize first",
				"%s on floats is true only for exact equality", x.Op)
		}
		return TBool
	case "and", "or":
		if lt.Kind != Bool || rt.Kind != Bool {
			return mismatch()
		}
		return TBool
	}
	return mismatch()
}

// fillHint suggests filling a missing value with the type's zero.
func fillHint(x Expr) string {
	return fmt.Sprintf("fill it: fill(%s, 0), or \"\" for a string", ExprString(x))
}

func (e *exprChecker) call(x *CallExpr) Type {
	c := e.c
	cat := c.cfg.Catalog
	fn := cat.Func(x.Fun.Name)
	if fn == nil {
		hint := didYouMean(x.Fun.Name, cat.FuncNames())
		if hint == "" && cat.Metric(x.Fun.Name) != nil {
			hint = x.Fun.Name + " is a metric; list it in evaluate's metrics"
		}
		if hint == "" {
			hint = "the functions are " + joinOr(cat.FuncNames())
		}
		c.errorf(EUnknownFunction, x.Fun, hint, "unknown function %s", x.Fun.Name)
		for _, a := range x.Args { // still resolve names inside
			e.expr(a.Value)
		}
		return TInvalid
	}
	call := &Call{Node: x, Args: map[string]ArgValue{}, report: func(code Code, n Node, hint, msg string) {
		c.report(code, n, hint, msg)
	}}
	if !e.bindArgs(fn.Name, fn.Params, x.Args, x, call) {
		return TInvalid
	}
	if fn.Analyzer != "" {
		e.analyzers = append(e.analyzers, fn.Analyzer)
	}
	if fn.Result == nil {
		return TInvalid
	}
	return fn.Result(call)
}

// bindArgs matches arguments to parameters and checks each, as for a call of
// fn; settings use it too. It reports whether every argument passed.
func (e *exprChecker) bindArgs(fn string, params []Param, args []*Arg, at Node, call *Call) bool {
	c := e.c
	ok := true
	given := map[string]*Arg{}
	positional := 0
	seenNamed, misplaced := false, false
	var names []string
	for _, p := range params {
		names = append(names, p.Name)
	}
	for _, a := range args {
		var p *Param
		if a.Name == nil {
			if seenNamed {
				c.errorf(EDuplicateOption, a, "put positional arguments first", "positional argument after a named one")
				ok, misplaced = false, true
				continue
			}
			for positional < len(params) && !params[positional].Positional {
				positional++
			}
			if positional >= len(params) {
				c.errorf(EArgCount, a, signatureHint(fn, params), "too many arguments to %s", fn)
				ok = false
				continue
			}
			p = &params[positional]
			if !p.Variadic {
				positional++
			}
		} else {
			seenNamed = true
			i := slices.IndexFunc(params, func(p Param) bool { return p.Name == a.Name.Name })
			if i < 0 {
				c.errorf(EUnknownOption, a.Name, cmpHint(didYouMean(a.Name.Name, names), signatureHint(fn, params)),
					"%s has no option %s", fn, a.Name.Name)
				e.expr(a.Value)
				ok = false
				continue
			}
			p = &params[i]
		}
		if prev, dup := given[p.Name]; dup && !(p.Variadic && a.Name == nil) {
			d := c.errorf(EDuplicateOption, a, "give each argument once", "%s is given twice", p.Name)
			c.related(d, prev, "first given here")
			ok = false
			continue
		}
		given[p.Name] = a
		v, good := e.checkArg(fn, p, a.Value)
		ok = ok && good
		if p.Variadic {
			call.Variadic = append(call.Variadic, v)
		}
		if _, dup := call.Args[p.Name]; !dup {
			call.Args[p.Name] = v
		}
	}
	for _, p := range params {
		if p.Required && given[p.Name] == nil && !misplaced { // a misplaced argument may be the one missing
			c.errorf(EArgCount, at, signatureHint(fn, params), "%s needs %s", fn, p.Name)
			ok = false
		}
	}
	return ok
}

// signatureHint shows a function's parameters.
func signatureHint(fn string, params []Param) string {
	s := fn + "("
	for i, p := range params {
		if i > 0 {
			s += ", "
		}
		if p.Positional {
			s += p.Name
		} else {
			s += p.Name + ": …"
		}
		if p.Variadic {
			s += "..."
		}
	}
	return "usage: " + s + ")"
}

// checkArg checks one argument against its parameter.
func (e *exprChecker) checkArg(fn string, p *Param, x Expr) (ArgValue, bool) {
	c := e.c
	v := ArgValue{Expr: x}
	switch {
	case len(p.Enum) > 0:
		id, isIdent := x.(*Ident)
		if !isIdent || !slices.Contains(p.Enum, id.Name) {
			hint := "one of: " + joinOr(p.Enum)
			if isIdent {
				hint = cmpHint(didYouMean(id.Name, p.Enum), hint)
			}
			c.errorf(EOptionType, x, hint, "%s of %s must be one of %s", p.Name, fn, joinOr(p.Enum))
			return v, false
		}
		v.Const = id.Name
		return v, true
	case p.List:
		l, isList := x.(*ListExpr)
		if !isList {
			c.errorf(EOptionType, x, "write a list: [1.0, 2.0]", "%s of %s must be a list of %s constants", p.Name, fn, p.Kinds)
			return v, false
		}
		var vals []any
		for _, el := range l.Elems {
			cv, kind, isConst := ConstValue(el)
			if !isConst {
				c.errorf(ENotConstant, el, "write literal values: [1.0, 2.5]", "%s of %s must hold constants", p.Name, fn)
				return v, false
			}
			if !p.Kinds.Has(kind) && !(kind == Int && p.Kinds.Has(Float)) {
				c.errorf(EOptionType, el, fmt.Sprintf("write %s constants", p.Kinds), "%s of %s holds %s, not %s", p.Name, fn, p.Kinds, kind)
				return v, false
			}
			vals = append(vals, cv)
		}
		v.Const = vals
		v.Type = ListOf(Float)
		return v, true
	case p.Const:
		cv, kind, isConst := ConstValue(x)
		if !isConst {
			e.expr(x) // resolve names for their own errors
			c.errorf(ENotConstant, x, "write a literal value", "%s of %s must be a constant", p.Name, fn)
			return v, false
		}
		if !p.Kinds.Has(kind) && !(kind == Int && p.Kinds.Has(Float)) {
			c.errorf(EOptionType, x, paramHint(p, fmt.Sprintf("give %s a constant of type %s", p.Name, p.Kinds)), "%s of %s must be %s, not %s", p.Name, fn, p.Kinds, kind)
			return v, false
		}
		if kind == Int && !p.Kinds.Has(Int) {
			cv = float64(cv.(int64))
			kind = Float
		}
		if p.Bounds != nil {
			if f, numeric := toFloat(cv); numeric && !p.Bounds.Contains(f) {
				c.errorf(EOptionRange, x, paramHint(p, fmt.Sprintf("give %s a value %s", p.Name, p.Bounds)), "%s of %s must be %s, not %s", p.Name, fn, p.Bounds, ExprString(x))
				return v, false
			}
		}
		v.Const, v.Type = cv, Type{Kind: kind}
		return v, true
	}
	t := e.expr(x)
	v.Type = t
	if t.Kind == Invalid {
		return v, false
	}
	if !p.Kinds.Has(t.Kind) {
		hint := ""
		switch {
		case t.Kind == String && p.Kinds.Has(Float):
			hint = "encode strings first: vocabulary(x) or hash(x, n)"
		case t.Kind == Float && p.Kinds.Has(String):
			hint = "bucketize floats first: bucketize(x, 10)"
		case t.Kind == Category && p.Kinds.Has(Float):
			hint = "category ids are not quantities; apply the transform to the raw feature"
		case t.Kind == String && p.Kinds.Has(List):
			hint = "split the string into tokens first: tokenize(x)"
		default:
			hint = paramHint(p, "")
		}
		c.errorf(EArgType, x, hint, "%s of %s must be %s, not %s", p.Name, fn, p.Kinds, t)
		return v, false
	}
	if t.Optional && !p.Optional {
		c.errorf(EOptionalUnfilled, x, fillHint(x), "%s may be missing (%s); fill it before %s", ExprString(x), t, fn)
		return v, false
	}
	v.Feature = e.c.sourceFeature(x)
	return v, true
}

// paramHint explains a parameter for a hint: what to do, then what the
// parameter is, from its doc.
func paramHint(p *Param, what string) string {
	switch {
	case p.Doc == "":
		return what
	case what == "":
		return p.Name + " is " + p.Doc
	}
	return what + " (" + p.Name + ": " + p.Doc + ")"
}

// sourceFeature returns the schema feature an expression passes through
// unchanged (a feature, a fill of one, a transform defined as one), or nil.
func (c *checker) sourceFeature(x Expr) *SchemaFeature {
	for depth := 0; depth < 100; depth++ {
		switch y := x.(type) {
		case *ParenExpr:
			x = y.X
		case *CallExpr:
			if y.Fun.Name != "fill" || len(y.Args) == 0 {
				return nil
			}
			x = y.Args[0].Value
		case *Ident:
			b := c.names[y.Name]
			switch {
			case b == nil:
				return nil
			case b.feature != nil:
				return b.feature
			case b.xf != nil:
				x = b.xf.Expr
			default:
				return nil
			}
		default:
			return nil
		}
	}
	return nil
}

// ConstValue evaluates a constant expression: a literal, possibly negated,
// parenthesised or combined with + - * / %. The checker and the lowering
// both read constants through it, so they agree on every value.
func ConstValue(x Expr) (any, Kind, bool) {
	switch x := x.(type) {
	case *BasicLit:
		switch x.Kind {
		case IntLit:
			return x.Value, Int, true
		case FloatLit:
			return x.Value, Float, true
		case StringLit:
			return x.Value, String, true
		default:
			return x.Value, Bool, true
		}
	case *ParenExpr:
		return ConstValue(x.X)
	case *UnaryExpr:
		v, k, ok := ConstValue(x.X)
		if !ok || x.Op != "-" {
			return nil, Invalid, false
		}
		switch v := v.(type) {
		case int64:
			return -v, k, true
		case float64:
			return -v, k, true
		}
	case *BinaryExpr:
		a, ak, ok1 := ConstValue(x.X)
		b, bk, ok2 := ConstValue(x.Y)
		af, num1 := toFloat(a)
		bf, num2 := toFloat(b)
		if !ok1 || !ok2 || !num1 || !num2 {
			return nil, Invalid, false
		}
		if ak == Int && bk == Int && x.Op != "/" {
			ai, bi := a.(int64), b.(int64)
			switch x.Op {
			case "+":
				return ai + bi, Int, true
			case "-":
				return ai - bi, Int, true
			case "*":
				return ai * bi, Int, true
			case "%":
				if bi != 0 {
					return floorMod(ai, bi), Int, true
				}
			}
			return nil, Invalid, false
		}
		switch x.Op {
		case "+":
			return af + bf, Float, true
		case "-":
			return af - bf, Float, true
		case "*":
			return af * bf, Float, true
		case "/":
			if bf == 0 {
				return nil, Invalid, false
			}
			return af / bf, Float, true
		}
	}
	return nil, Invalid, false
}

// toFloat converts a numeric constant.
func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return math.NaN(), false
}

// floorMod is a % b with the sign of b, as TensorFlow's FloorMod (and
// Python's %) computes it, which is how % on data lowers.
func floorMod(a, b int64) int64 {
	r := a % b
	if r != 0 && (r < 0) != (b < 0) {
		r += b
	}
	return r
}
