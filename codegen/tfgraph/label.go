package tfgraph

import (
	"fmt"

	"github.com/tfxc/tfxc/lang"
	tfpb "github.com/tfxc/tfxc/pb/tf"
)

// LowerLabel lowers the label of a checked program to a template of its
// own: one output named like the label, computed from raw features. It is
// a graph apart from the transform because the label may read features
// absent at serving time (tips): the serving graph must not have their
// placeholders. A label that needs an analyzer, or reads a transform
// output, is not supported yet. It returns nil without a label.
func LowerLabel(prog *lang.Program) (*Template, error) {
	if prog.Label == nil {
		return nil, nil
	}
	for _, xf := range prog.Transforms {
		if usesName(prog.Label.Expr, xf.Name) {
			return nil, fmt.Errorf("label %s reads transform output %s; a label is computed from raw features only, for now", prog.Label.Name, xf.Name)
		}
	}
	l := &lowerer{prog: prog, b: newBuilder(), vals: map[string]val{}, t: &Template{}, filled: map[string]bool{}}
	markFilled(prog.Label.Expr, l.filled)
	v, err := l.expr(prog.Label.Name, prog.Label.Expr)
	if err != nil {
		return nil, fmt.Errorf("label %s: %w", prog.Label.Name, err)
	}
	switch {
	case len(l.t.Analyzers) > 0:
		return nil, fmt.Errorf("label %s needs a full pass over the data, which a label cannot have yet", prog.Label.Name)
	case v.present != "" || v.fill != "" || v.lengths != "":
		return nil, fmt.Errorf("label %s must be one value per example", prog.Label.Name)
	}
	out := l.b.op(prog.Label.Name, "Identity", map[string]*tfpb.AttrValue{"T": typeAttr(v.dt)}, v.t)
	if out != prog.Label.Name {
		return nil, fmt.Errorf("label %s: its name is taken by a graph node", prog.Label.Name)
	}
	l.t.Outputs = []Output{{Name: out, DType: v.dt, Shape: []int64{-1}}}
	l.t.Graph = l.b.g
	return l.t, nil
}

// usesName reports whether x refers to name.
func usesName(x lang.Expr, name string) bool {
	switch x := x.(type) {
	case *lang.Ident:
		return x.Name == name
	case *lang.ParenExpr:
		return usesName(x.X, name)
	case *lang.UnaryExpr:
		return usesName(x.X, name)
	case *lang.BinaryExpr:
		return usesName(x.X, name) || usesName(x.Y, name)
	case *lang.CallExpr:
		for _, a := range x.Args {
			if usesName(a.Value, name) {
				return true
			}
		}
	}
	return false
}
