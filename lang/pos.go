package lang

import "fmt"

// Pos is a position in a source file. Line and Col are 1-based; Col counts
// Unicode code points (not bytes), as editors and SARIF's
// "unicodeCodePoints" column kind do. Offset is the 0-based byte offset.
// The zero Pos is invalid and means "no position".
type Pos struct {
	Offset int
	Line   int
	Col    int
}

// IsValid reports whether p is a real position.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String formats p as "line:col", or "-" when p is invalid.
func (p Pos) String() string {
	if !p.IsValid() {
		return "-"
	}
	return fmt.Sprintf("%d:%d", p.Line, p.Col)
}

// Before reports whether p comes before q in the file.
func (p Pos) Before(q Pos) bool { return p.Offset < q.Offset }

// Range is a half-open span of source text [Start, End) in one file.
type Range struct {
	File  string
	Start Pos
	End   Pos
}

// String formats r as "file:line:col".
func (r Range) String() string {
	if r.File == "" {
		return r.Start.String()
	}
	return r.File + ":" + r.Start.String()
}
