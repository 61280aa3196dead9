package format

import (
	"fmt"
	"math"
	"strings"

	"github.com/tfxc/tfxc/lang"
)

// declLayout is a declaration laid out for printing: a header, and the
// statements of its block when it has one.
type declLayout struct {
	header   *stmt
	group    string // the keyword of a declaration of the header group, or ""
	hasBlock bool   // the declaration has a block
	optional bool   // the block is left out when it is empty
	body     []*stmt
	close    int // offset of the "}" that closes the block
}

// file prints the declarations of f and the comments around them.
func (p *printer) file(f *lang.File) {
	var prev *declLayout
	for i, d := range f.Decls {
		b := layout(d)
		if prev != nil && !p.grouped(prev, b) {
			p.blank()
		}
		limit := math.MaxInt
		if i+1 < len(f.Decls) {
			limit = f.Decls[i+1].Pos().Offset
		}
		p.ownComments(d.Pos().Offset, 0)
		p.decl(d, b, limit)
		prev = b
	}
	p.ownComments(math.MaxInt, 0)
}

// grouped reports whether the declaration b stays on the line after the
// declaration a: both are one-line declarations of the header group, and
// the source had no blank line between them.
func (p *printer) grouped(a, b *declLayout) bool {
	if a.group == "" || b.group == "" || a.header.multiline() || b.header.multiline() {
		return false
	}
	line := p.lastLine
	for _, c := range p.comments[p.next:] {
		if c.Pos().Offset >= b.header.pos.Offset {
			break
		}
		if c.Pos().Line > line+1 {
			return false
		}
		line = c.End().Line
	}
	return b.header.pos.Line <= line+1
}

// decl prints the declaration d laid out as b; limit is where the next
// declaration starts.
func (p *printer) decl(d lang.Decl, b *declLayout, limit int) {
	h := b.header
	empty := len(b.body) == 0 && !p.pending(h.end.Offset, b.close)
	switch {
	case !b.hasBlock || empty && b.optional:
		h.end = d.End()
		p.stmt(h, 0, limit)
		return
	case empty:
		h.suffix += " {}"
		h.end = d.End()
		p.stmt(h, 0, limit)
		return
	}
	h.suffix += " {"
	first := b.close
	if len(b.body) > 0 {
		first = b.body[0].pos.Offset
	}
	p.stmt(h, 0, first)
	for i, s := range b.body {
		next := b.close
		if i+1 < len(b.body) {
			next = b.body[i+1].pos.Offset
		}
		p.ownComments(s.pos.Offset, indentWidth)
		p.stmt(s, indentWidth, next)
	}
	p.ownComments(b.close, indentWidth)
	p.add(line{kind: closeLine, text: "}"})
	p.trailing(d.End(), limit, 0)
	p.lastLine = max(p.lastLine, d.End().Line)
}

// layout lays out the declaration d.
func layout(d lang.Decl) *declLayout {
	b := &declLayout{hasBlock: true}
	if headerGroup(d) != "" {
		b.hasBlock = false
	}
	switch d := d.(type) {
	case *lang.PipelineDecl:
		b.header = &stmt{prefix: "pipeline " + name(d.Name)}
	case *lang.SchemaDecl:
		b.header = &stmt{prefix: "schema infer"}
		if !d.Infer && d.Path != nil {
			b.header.prefix = "schema " + d.Path.Raw
		}
	case *lang.LabelDecl:
		b.header = exprStmt("label "+name(d.Name)+" = ", d.Value)
	case *lang.ServingDecl:
		b.header = &stmt{prefix: "serving excludes ", items: identItems(d.Excludes)}
	case *lang.ExamplesDecl:
		b.header = &stmt{prefix: "examples " + name(d.Format) + "(", items: argItems(d.Args), suffix: ")"}
		b.header.end = nodeEnd(d.Format)
		if n := len(d.Args); n > 0 {
			b.header.end = d.Args[n-1].End()
		}
		b.optional = true
		b.body = settings(d.Body)
	case *lang.FeaturesDecl:
		b.header = &stmt{prefix: "features", end: keywordEnd(d)}
		for _, f := range d.Fields {
			b.body = append(b.body, fieldStmt(f))
		}
	case *lang.TransformDecl:
		b.header = &stmt{prefix: "transform", end: keywordEnd(d)}
		for _, a := range d.Assigns {
			s := exprStmt("= ", a.Value)
			s.head, s.pos, s.end = name(a.Name), a.Pos(), a.End()
			b.body = append(b.body, s)
		}
	case *lang.ModelDecl:
		b.header = &stmt{prefix: "model " + name(d.Family), end: nodeEnd(d.Family)}
		b.body = settings(d.Body)
	case *lang.EvaluateDecl:
		b.header = &stmt{prefix: "evaluate", end: keywordEnd(d)}
		b.body = settings(d.Body)
	case *lang.PushDecl:
		b.header = pushHeader(d)
		b.hasBlock = d.When.IsValid()
		for _, x := range d.Criteria {
			s := exprStmt("", x)
			s.pos, s.end = x.Pos(), x.End()
			b.body = append(b.body, s)
		}
	default:
		b.header = &stmt{}
	}
	b.header.pos = d.Pos()
	b.group = headerGroup(d)
	if !b.hasBlock {
		b.header.end = d.End()
	}
	b.close = d.End().Offset - 1
	if n := len(b.body); n > 0 {
		b.close = max(b.close, b.body[n-1].end.Offset)
	}
	return b
}

// headerGroup returns the keyword of d if d is of the header group, whose
// one-line declarations may stay together, or "".
func headerGroup(d lang.Decl) string {
	switch d.(type) {
	case *lang.PipelineDecl, *lang.SchemaDecl, *lang.LabelDecl, *lang.ServingDecl:
		return d.Keyword()
	}
	return ""
}

// pushHeader lays out the header of a push declaration, up to "when".
func pushHeader(d *lang.PushDecl) *stmt {
	dest := ""
	if d.Dest != nil {
		dest = d.Dest.Raw
	}
	s := &stmt{prefix: "push " + dest + " as ", items: identItems(d.Formats)}
	if d.When.IsValid() {
		s.suffix = " when"
		s.end = lang.Pos{Offset: d.When.Offset + len("when"), Line: d.When.Line, Col: d.When.Col + len("when")}
	}
	return s
}

// settings lays out the settings of a block.
func settings(body []*lang.Setting) []*stmt {
	var out []*stmt
	for _, st := range body {
		out = append(out, &stmt{head: name(st.Name), items: argItems(st.Args), pos: st.Pos(), end: st.End()})
	}
	return out
}

// fieldStmt lays out a feature declaration: `name: optional T in domain`.
func fieldStmt(f *lang.FeatureField) *stmt {
	s := &stmt{head: name(f.Name) + ":", pos: f.Pos(), end: f.End()}
	t := f.Type
	if t == nil {
		return s
	}
	var b strings.Builder
	if t.Optional {
		b.WriteString("optional ")
	}
	b.WriteString(name(t.Name))
	if t.Elem != nil && t.Len != 0 {
		fmt.Fprintf(&b, "(%s, %d)", t.Elem.Name, t.Len)
	} else if t.Elem != nil {
		b.WriteString("(" + t.Elem.Name + ")")
	}
	if d := t.Domain; d != nil && d.Lo != nil {
		b.WriteString(" in " + lang.ExprString(d.Lo) + ".." + lang.ExprString(d.Hi))
	} else if d != nil {
		b.WriteString(" in [")
		s.items = exprItems(d.Values)
		s.suffix = "]"
	}
	s.prefix = b.String()
	return s
}

// exprStmt lays out prefix followed by the expression x. When x is a call
// or a list, its arguments or elements are the statement's list.
func exprStmt(prefix string, x lang.Expr) *stmt {
	switch x := x.(type) {
	case *lang.CallExpr:
		return &stmt{prefix: prefix + name(x.Fun) + "(", items: argItems(x.Args), suffix: ")"}
	case *lang.ListExpr:
		return &stmt{prefix: prefix + "[", items: exprItems(x.Elems), suffix: "]"}
	}
	return &stmt{prefix: prefix + lang.ExprString(x)}
}

// argItems returns the items of an argument list.
func argItems(args []*lang.Arg) []item {
	var out []item
	for _, a := range args {
		var b strings.Builder
		lang.WriteArgs(&b, []*lang.Arg{a})
		out = append(out, item{text: b.String(), pos: a.Pos(), end: a.End()})
	}
	return out
}

// exprItems returns the items of a list of expressions.
func exprItems(xs []lang.Expr) []item {
	var out []item
	for _, x := range xs {
		out = append(out, item{text: lang.ExprString(x), pos: x.Pos(), end: x.End()})
	}
	return out
}

// identItems returns the items of a list of names.
func identItems(ids []*lang.Ident) []item {
	var out []item
	for _, id := range ids {
		it := item{text: name(id)}
		if id != nil {
			it.pos, it.end = id.Pos(), id.End()
		}
		out = append(out, it)
	}
	return out
}

// keywordEnd returns where the keyword that starts d ends.
func keywordEnd(d lang.Decl) lang.Pos {
	p, n := d.Pos(), len(d.Keyword())
	return lang.Pos{Offset: p.Offset + n, Line: p.Line, Col: p.Col + n}
}

// nodeEnd returns where id ends, or the zero Pos for a nil id.
func nodeEnd(id *lang.Ident) lang.Pos {
	if id == nil {
		return lang.Pos{}
	}
	return id.End()
}

// name returns the name of id, or "" for a nil id.
func name(id *lang.Ident) string {
	if id == nil {
		return ""
	}
	return id.Name
}
