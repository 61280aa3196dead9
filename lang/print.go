package lang

import "strings"

// ExprString formats an expression in canonical form: single spaces around
// binary operators, none inside brackets, parentheses as written.
func ExprString(x Expr) string {
	var b strings.Builder
	writeExpr(&b, x)
	return b.String()
}

func writeExpr(b *strings.Builder, x Expr) {
	switch x := x.(type) {
	case *Ident:
		b.WriteString(x.Name)
	case *BasicLit:
		b.WriteString(x.Raw)
	case *ParenExpr:
		b.WriteByte('(')
		writeExpr(b, x.X)
		b.WriteByte(')')
	case *UnaryExpr:
		b.WriteString(x.Op)
		if x.Op == "not" {
			b.WriteByte(' ')
		}
		writeExpr(b, x.X)
	case *BinaryExpr:
		writeExpr(b, x.X)
		b.WriteByte(' ')
		b.WriteString(x.Op)
		b.WriteByte(' ')
		writeExpr(b, x.Y)
	case *CallExpr:
		b.WriteString(x.Fun.Name)
		b.WriteByte('(')
		WriteArgs(b, x.Args)
		b.WriteByte(')')
	case *SelectorExpr:
		writeExpr(b, x.X)
		b.WriteByte('.')
		b.WriteString(x.Sel.Name)
	case *IndexExpr:
		writeExpr(b, x.X)
		b.WriteByte('[')
		writeList(b, x.Indices)
		b.WriteByte(']')
	case *ListExpr:
		b.WriteByte('[')
		writeList(b, x.Elems)
		b.WriteByte(']')
	case *BadExpr:
		b.WriteString("<bad expression>")
	}
}

func writeList(b *strings.Builder, xs []Expr) {
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		writeExpr(b, x)
	}
}

// WriteArgs formats arguments separated by ", ": `x, top_k: 10`.
func WriteArgs(b *strings.Builder, args []*Arg) {
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		if a.Name != nil {
			b.WriteString(a.Name.Name)
			b.WriteString(": ")
		}
		writeExpr(b, a.Value)
	}
}
