package parser

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/tfxc/tfxc/lang"
)

// This file converts participle's parse tree into the lang syntax tree.

// span converts participle's span of a node. participle's EndPos is where
// the next token starts; the node ends where its last token ends.
func (p *parser) span(from, to lexer.Position) lang.Span {
	return lang.Span{From: toPos(from), To: p.endBefore(to)}
}

// endBefore returns the end of the last token that starts before pos.
func (p *parser) endBefore(pos lexer.Position) lang.Pos {
	toks := p.src.tokens
	i, _ := slices.BinarySearchFunc(toks, pos.Offset, func(t lexer.Token, off int) int {
		return cmp.Compare(t.Pos.Offset, off)
	})
	if i == 0 {
		return toPos(pos)
	}
	return endOf(toks[i-1])
}

func (p *parser) convertItem(g *gItem) lang.Decl {
	switch {
	case g.Pipeline != nil:
		return &lang.PipelineDecl{Span: p.span(g.Pipeline.Pos, g.Pipeline.EndPos), Name: p.ident(g.Pipeline.Name)}
	case g.Schema != nil:
		d := &lang.SchemaDecl{Span: p.span(g.Schema.Pos, g.Schema.EndPos), Infer: g.Schema.Infer}
		if g.Schema.Path != nil {
			d.Path = p.stringLit(g.Schema.Path.Raw, g.Schema.Path.Pos, g.Schema.Path.EndPos)
		}
		return d
	case g.Examples != nil:
		e := g.Examples
		d := &lang.ExamplesDecl{Span: p.span(e.Pos, e.EndPos), Format: p.ident(e.Format)}
		for _, a := range e.Args {
			d.Args = append(d.Args, p.convertArg(a))
		}
		if e.Body != nil {
			d.Body = p.convertSettings(e.Body)
		}
		return d
	case g.Features != nil:
		d := &lang.FeaturesDecl{Span: p.span(g.Features.Pos, g.Features.EndPos)}
		for _, f := range g.Features.Fields {
			d.Fields = append(d.Fields, p.convertField(f))
		}
		return d
	case g.Transform != nil:
		d := &lang.TransformDecl{Span: p.span(g.Transform.Pos, g.Transform.EndPos)}
		for _, a := range g.Transform.Assigns {
			d.Assigns = append(d.Assigns, p.convertAssign(a))
		}
		return d
	case g.Label != nil:
		a := p.convertAssign(g.Label.Assign)
		return &lang.LabelDecl{Span: p.span(g.Label.Pos, g.Label.EndPos), Name: a.Name, Value: a.Value}
	case g.Serving != nil:
		d := &lang.ServingDecl{Span: p.span(g.Serving.Pos, g.Serving.EndPos)}
		for _, id := range g.Serving.Excludes {
			d.Excludes = append(d.Excludes, p.ident(id))
		}
		return d
	case g.Model != nil:
		return &lang.ModelDecl{Span: p.span(g.Model.Pos, g.Model.EndPos), Family: p.ident(g.Model.Family), Body: p.convertSettings(g.Model.Body)}
	case g.Evaluate != nil:
		return &lang.EvaluateDecl{Span: p.span(g.Evaluate.Pos, g.Evaluate.EndPos), Body: p.convertSettings(g.Evaluate.Body)}
	case g.Push != nil:
		d := &lang.PushDecl{Span: p.span(g.Push.Pos, g.Push.EndPos), Dest: p.stringLit(g.Push.Dest.Raw, g.Push.Dest.Pos, g.Push.Dest.EndPos)}
		for _, id := range g.Push.Formats {
			d.Formats = append(d.Formats, p.ident(id))
		}
		if w := g.Push.When; w != nil {
			d.When = toPos(w.Pos)
			for _, c := range w.Criteria {
				d.Criteria = append(d.Criteria, p.convertExpr(c.Expr))
			}
		}
		return d
	}
	return nil
}

func (p *parser) ident(g *gIdent) *lang.Ident {
	if g == nil {
		return nil
	}
	return &lang.Ident{Span: p.span(g.Pos, g.EndPos), Name: g.Name}
}

func (p *parser) convertSettings(g *gSettings) []*lang.Setting {
	var out []*lang.Setting
	for _, s := range g.Settings {
		out = append(out, p.convertSetting(s))
	}
	return out
}

func (p *parser) convertSetting(g *gSetting) *lang.Setting {
	s := &lang.Setting{Span: p.span(g.Pos, g.EndPos), Name: p.ident(g.Name)}
	for _, a := range g.Args {
		s.Args = append(s.Args, p.convertArg(a))
	}
	return s
}

func (p *parser) convertAssign(g *gAssign) *lang.Assign {
	return &lang.Assign{Span: p.span(g.Pos, g.EndPos), Name: p.ident(g.Name), Value: p.convertExpr(g.Value)}
}

func (p *parser) convertField(g *gField) *lang.FeatureField {
	t := g.Type
	te := &lang.TypeExpr{Span: p.span(t.Pos, t.EndPos), Optional: t.Optional, Name: p.ident(t.Name), Elem: p.ident(t.Elem)}
	if t.Len != nil {
		n, err := strconv.Atoi(*t.Len)
		if err != nil {
			n = -1 // out of range: declaredType reports it
		}
		te.Len = n
	}
	if d := t.Domain; d != nil {
		dom := &lang.Domain{Span: p.span(d.Pos, d.EndPos)}
		if d.Lo != nil {
			dom.Lo, dom.Hi = p.convertAdd(d.Lo), p.convertAdd(d.Hi)
		} else {
			dom.Values = []lang.Expr{}
			for _, v := range d.Values {
				dom.Values = append(dom.Values, p.convertExpr(v))
			}
		}
		te.Domain = dom
	}
	return &lang.FeatureField{Span: p.span(g.Pos, g.EndPos), Name: p.ident(g.Name), Type: te}
}

func (p *parser) convertArg(g *gArg) *lang.Arg {
	return &lang.Arg{Span: p.span(g.Pos, g.EndPos), Name: p.ident(g.Name), Value: p.convertExpr(g.Value)}
}

func (p *parser) convertExpr(g *gExpr) lang.Expr {
	x := p.convertAnd(g.Left)
	for _, op := range g.Rest {
		x = binary(x, op.Op, op.Pos, p.convertAnd(op.Right))
	}
	return x
}

func (p *parser) convertAnd(g *gAnd) lang.Expr {
	x := p.convertNot(g.Left)
	for _, op := range g.Rest {
		x = binary(x, op.Op, op.Pos, p.convertNot(op.Right))
	}
	return x
}

func (p *parser) convertNot(g *gNot) lang.Expr {
	x := p.convertCmp(g.X)
	for i := len(g.Nots) - 1; i >= 0; i-- {
		x = &lang.UnaryExpr{Span: lang.Span{From: toPos(g.Nots[i].Pos), To: x.End()}, Op: "not", X: x}
	}
	return x
}

func (p *parser) convertCmp(g *gCmp) lang.Expr {
	x := p.convertAdd(g.Left)
	if g.Op != nil {
		x = binary(x, g.Op.Op, g.Op.Pos, p.convertAdd(g.Op.Right))
	}
	return x
}

func (p *parser) convertAdd(g *gAdd) lang.Expr {
	x := p.convertMul(g.Left)
	for _, op := range g.Rest {
		x = binary(x, op.Op, op.Pos, p.convertMul(op.Right))
	}
	return x
}

func (p *parser) convertMul(g *gMul) lang.Expr {
	x := p.convertUnary(g.Left)
	for _, op := range g.Rest {
		x = binary(x, op.Op, op.Pos, p.convertUnary(op.Right))
	}
	return x
}

func (p *parser) convertUnary(g *gUnary) lang.Expr {
	x := p.convertPostfix(g.X)
	for i := len(g.Negs) - 1; i >= 0; i-- {
		x = &lang.UnaryExpr{Span: lang.Span{From: toPos(g.Negs[i].Pos), To: x.End()}, Op: "-", X: x}
	}
	return x
}

func binary(x lang.Expr, op string, opPos lexer.Position, y lang.Expr) lang.Expr {
	return &lang.BinaryExpr{Span: lang.Span{From: x.Pos(), To: y.End()}, X: x, Op: op, OpPos: toPos(opPos), Y: y}
}

func (p *parser) convertPostfix(g *gPostfix) lang.Expr {
	x := p.convertPrimary(g.X)
	for _, s := range g.Suffix {
		sp := lang.Span{From: x.Pos(), To: p.endBefore(s.EndPos)}
		if s.Sel != nil {
			x = &lang.SelectorExpr{Span: sp, X: x, Sel: p.ident(s.Sel)}
			continue
		}
		ix := &lang.IndexExpr{Span: sp, X: x}
		for _, e := range s.Indices {
			ix.Indices = append(ix.Indices, p.convertExpr(e))
		}
		x = ix
	}
	return x
}

func (p *parser) convertPrimary(g *gPrimary) lang.Expr {
	sp := p.span(g.Pos, g.EndPos)
	switch {
	case g.Call != nil:
		c := &lang.CallExpr{Span: sp, Fun: p.ident(g.Call.Fun)}
		for _, a := range g.Call.Args {
			c.Args = append(c.Args, p.convertArg(a))
		}
		return c
	case g.Ident != nil:
		return p.ident(g.Ident)
	case g.Float != nil:
		v, err := strconv.ParseFloat(*g.Float, 64)
		if err != nil {
			p.errorf(lang.EInvalidToken, sp.From, sp.To, "", "number %s is out of range", *g.Float)
		}
		return &lang.BasicLit{Span: sp, Kind: lang.FloatLit, Raw: *g.Float, Value: v}
	case g.Int != nil:
		v, err := strconv.ParseInt(*g.Int, 10, 64)
		if err != nil {
			p.errorf(lang.EInvalidToken, sp.From, sp.To, "integers are 64-bit", "integer %s is out of range", *g.Int)
		}
		return &lang.BasicLit{Span: sp, Kind: lang.IntLit, Raw: *g.Int, Value: v}
	case g.String != nil:
		return p.stringLit(*g.String, g.Pos, g.EndPos)
	case g.Bool != nil:
		return &lang.BasicLit{Span: sp, Kind: lang.BoolLit, Raw: *g.Bool, Value: *g.Bool == "true"}
	case g.Paren != nil:
		return &lang.ParenExpr{Span: sp, X: p.convertExpr(g.Paren)}
	case g.List != nil:
		l := &lang.ListExpr{Span: sp, Elems: []lang.Expr{}}
		for _, e := range g.List.Elems {
			l.Elems = append(l.Elems, p.convertExpr(e))
		}
		return l
	}
	return &lang.BadExpr{Span: sp}
}

func (p *parser) stringLit(raw string, from, to lexer.Position) *lang.BasicLit {
	sp := p.span(from, to)
	v, err := strconv.Unquote(raw)
	if err != nil {
		p.errorf(lang.EInvalidToken, sp.From, sp.To, `escapes are those of Go: \" \\ \n \t \u00e9 ...`,
			"invalid escape in string %s", raw)
		v = strings.Trim(raw, `"`)
	}
	return &lang.BasicLit{Span: sp, Kind: lang.StringLit, Raw: raw, Value: v}
}

// setEnd sets where a declaration ends.
func setEnd(d lang.Decl, end lang.Pos) {
	switch d := d.(type) {
	case *lang.ExamplesDecl:
		d.To = end
	case *lang.FeaturesDecl:
		d.To = end
	case *lang.TransformDecl:
		d.To = end
	case *lang.ModelDecl:
		d.To = end
	case *lang.EvaluateDecl:
		d.To = end
	case *lang.PushDecl:
		d.To = end
	}
}
