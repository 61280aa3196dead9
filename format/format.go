// Package format prints a .tfxl file in its canonical layout, as
// `tfxc fmt` does.
//
// The layout is fixed; there are no options:
//
//   - Declarations are separated by one blank line. The exception is a run
//     of one-line declarations of the header group (pipeline, schema, label,
//     serving): two of them stay on consecutive lines when the source had
//     them on consecutive lines (comments between them allowed, blank lines
//     not).
//   - A block is printed as `keyword header {`, one statement per line
//     indented 4 spaces, and `}` alone on its line. A block with neither
//     statements nor comments is printed `{}` on the header line, except
//     that an examples declaration drops it, since it means the same as no
//     block: `examples csv("a.csv")`.
//   - Blank lines between the statements of a block, and between comments,
//     are kept, at most one in a row; blank lines at the start and end of a
//     block are dropped.
//   - Within a run of consecutive statements of a block (a blank line or a
//     comment on a line of its own ends the run) the part after the name is
//     aligned: the "=" of assignments, the arguments of settings and the
//     types of features. A setting without arguments is left alone.
//   - A statement is printed on one line, its expressions by
//     lang.ExprString, except that a line break the source had after a comma
//     of the statement's top-level list is kept: the arguments of a setting,
//     of the examples source, of the call that is the value of an assignment
//     or label; the values of a domain; the names of serving excludes and
//     push formats. The list continues on the next line indented 4 spaces
//     more than the statement.
//   - Comments are kept, each exactly once and in source order. A comment on
//     a line of its own stays on a line of its own, indented as the
//     statement or declaration that follows it, or, at the end of a block,
//     as the block's statements. A comment after the code on a line stays at
//     the end of that line, two spaces after the code; that includes a
//     comment after the "{" or the "}" of a block. A comment in a line break
//     that a list keeps (see above) stays there, at the end of the line or
//     on a line of its own. Any other comment inside a statement, such as
//     one inside a nested call, moves to a line of its own before the
//     statement, and then so do the other comments inside that statement.
//     Trailing white space of comments is removed.
//   - The output has no trailing spaces and ends with exactly one newline,
//     unless it is empty (a file with no declarations and no comments).
package format

import (
	"errors"
	"fmt"

	"github.com/tfxc/tfxc/lang"
	"github.com/tfxc/tfxc/parser"
)

// ErrSyntax is the error Format returns, wrapped, for a file that has
// syntax errors.
var ErrSyntax = errors.New("syntax errors")

// Format parses src and returns it in canonical layout with the parser's
// diagnostics. It refuses to format a file that has syntax errors: it then
// returns no output, the diagnostics and an error wrapping ErrSyntax.
func Format(filename string, src []byte) ([]byte, lang.Diagnostics, error) {
	f, diags := parser.ParseFile(filename, src)
	if diags.HasErrors() {
		return nil, diags, fmt.Errorf("%s: cannot format: %w", filename, ErrSyntax)
	}
	return Source(f), diags, nil
}

// Source returns the canonical layout of a syntax tree that the parser
// built without syntax errors. It places comments by the positions of the
// nodes, so a tree built or changed by hand must keep them consistent, and
// the span of a declaration with a block must end after its "}", as the
// parser makes it. Whatever the positions, Source prints every comment
// of f.Comments exactly once, in order.
func Source(f *lang.File) []byte {
	if f == nil {
		return nil
	}
	p := &printer{comments: f.Comments}
	p.file(f)
	return p.bytes()
}
