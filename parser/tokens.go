package parser

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/tfxc/tfxc/lang"
)

// Limits that keep the parser, the checker and everything after them out of
// trouble on absurd input. No sensible pipeline comes near them.
const (
	maxDepth      = 64      // nesting of (), [] and {}
	maxStmtTokens = 20_000  // tokens in one statement
	maxDiags      = 50      // syntax diagnostics reported before giving up
	maxFileSize   = 1 << 20 // bytes; pipeline files are hand-written
)

// lexDef is the token definition. Rules are tried in order; Invalid comes
// last and catches any character the language does not have, so lexing
// itself never fails and the scanner can report every bad character.
var lexDef = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "Comment", Pattern: `#[^\n]*`},
	{Name: "Newline", Pattern: `\n`},
	{Name: "Whitespace", Pattern: `[ \t\r\f\v]+`},
	{Name: "Float", Pattern: `[0-9]+\.[0-9]+(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+`},
	{Name: "Int", Pattern: `[0-9]+`},
	{Name: "String", Pattern: `"(?:\\.|[^"\\\n])*"`},
	{Name: "Unterminated", Pattern: `"(?:\\.|[^"\\\n])*`},
	{Name: "Ident", Pattern: `[\p{L}_][\p{L}\p{N}_]*`},
	{Name: "Punct", Pattern: `\.\.|==|!=|<=|>=|[-+*/%(),:;{}\[\]<>=.]`},
	{Name: "Invalid", Pattern: `.`},
})

// tokenTypes holds the token type of each rule.
type tokenTypes struct {
	comment, newline, whitespace, float, int, string, unterminated, ident, punct, invalid lexer.TokenType
}

func newTokenTypes() tokenTypes {
	s := lexDef.Symbols()
	return tokenTypes{
		comment: s["Comment"], newline: s["Newline"], whitespace: s["Whitespace"],
		float: s["Float"], int: s["Int"], string: s["String"], unterminated: s["Unterminated"],
		ident: s["Ident"], punct: s["Punct"], invalid: s["Invalid"],
	}
}

var types = newTokenTypes()

// scanned is a lexed file, ready for the parser: whitespace and comments
// removed, statement-ending semicolons inserted.
type scanned struct {
	tokens    []lexer.Token
	comments  []*lang.Comment
	synthetic map[int]string // inserted semicolons by offset: what stands there instead
	poisoned  map[int]bool   // indexes into tokens where a limit was exceeded
	eof       lexer.Position
}

// scan lexes src. Outside "(" and "[", a newline ends a statement unless
// the line ends with "," or "{"; so do the end of the file and a "}". The
// scanner inserts a ";" there, so the grammar can treat ";" as the only
// terminator, and an expression may still continue over several lines
// inside brackets or after a comma.
func (p *parser) scan(src string) *scanned {
	s := &scanned{synthetic: map[int]string{}, poisoned: map[int]bool{}}
	lx, err := lexDef.LexString(p.filename, src)
	if err != nil { // cannot happen: the Invalid rule matches anything
		p.errorf(lang.ESyntax, lang.Pos{Line: 1, Col: 1}, lang.Pos{Line: 1, Col: 1}, "", "cannot read the file: %v", err)
		return s
	}
	var (
		depth       int  // open ( and [ and {
		brackets    int  // open ( and [
		lastInvalid = -1 // offset just after the last invalid token, to merge runs
		stmtStart   int  // index of the first token of the current statement
	)
	// continues reports whether the statement so far asks for more on the
	// next line: it is empty, or ends with "," or "{".
	continues := func() bool {
		if len(s.tokens) == 0 {
			return true
		}
		t := s.tokens[len(s.tokens)-1]
		return t.Type == types.punct && (t.Value == "," || t.Value == "{" || t.Value == ";")
	}
	afterLast := func() lexer.Position {
		last := s.tokens[len(s.tokens)-1]
		end := endOf(last)
		return lexer.Position{Filename: last.Pos.Filename, Offset: end.Offset, Line: end.Line, Column: end.Col}
	}
	semicolon := func(pos lexer.Position, standsFor string) {
		if len(s.tokens) == 0 {
			return
		}
		if last := s.tokens[len(s.tokens)-1]; last.Type == types.punct && (last.Value == ";" || last.Value == "{") {
			return
		}
		if standsFor != "" {
			s.synthetic[pos.Offset] = standsFor
		}
		s.tokens = append(s.tokens, lexer.Token{Type: types.punct, Value: ";", Pos: pos})
		stmtStart = len(s.tokens)
	}
	for {
		t, err := lx.Next()
		if err != nil {
			p.errorf(lang.ESyntax, toPos(t.Pos), toPos(t.Pos), "", "cannot read the file: %v", err)
			break
		}
		if t.EOF() {
			if brackets == 0 {
				semicolon(t.Pos, "end of file")
			}
			s.eof = t.Pos
			break
		}
		switch t.Type {
		case types.whitespace:
			continue
		case types.comment:
			s.comments = append(s.comments, &lang.Comment{
				Span: lang.Span{From: toPos(t.Pos), To: endOf(t)},
				Text: strings.TrimRight(t.Value, "\r"),
			})
			continue
		case types.newline:
			if brackets == 0 && !continues() {
				// The statement ends just after its last token, which is
				// where an "unexpected end of line" belongs.
				semicolon(afterLast(), "end of line")
			}
			continue
		case types.invalid:
			if len(p.diags) >= maxDiags {
				return s // too many errors to be worth going on
			}
			if t.Pos.Offset != lastInvalid {
				p.errorf(lang.EInvalidToken, toPos(t.Pos), endOf(t), "",
					"invalid character %s", quoteRune(t.Value))
			}
			lastInvalid = t.Pos.Offset + len(t.Value)
			continue
		case types.unterminated:
			p.errorf(lang.EInvalidToken, toPos(t.Pos), endOf(t), "close the string with \" on the same line",
				"string literal not terminated")
			t.Type = types.string
			t.Value += `"`
		case types.punct:
			switch t.Value {
			case ";":
				semicolon(t.Pos, "")
				continue
			case "(", "[", "{":
				depth++
				if t.Value != "{" {
					brackets++
				}
				if depth == maxDepth+1 {
					p.errorf(lang.ETooDeep, toPos(t.Pos), endOf(t), "split the expression into several transforms",
						"nesting deeper than %d levels", maxDepth)
					s.poisoned[len(s.tokens)] = true
				}
			case ")", "]", "}":
				if t.Value == "}" && brackets == 0 {
					semicolon(t.Pos, `"}"`)
				}
				if depth > 0 {
					depth--
				}
				if t.Value != "}" && brackets > 0 {
					brackets--
				}
			}
		}
		if len(s.tokens)-stmtStart == maxStmtTokens {
			p.errorf(lang.ETooDeep, toPos(t.Pos), endOf(t), "split the statement into several",
				"statement longer than %d tokens", maxStmtTokens)
			s.poisoned[len(s.tokens)] = true
		}
		s.tokens = append(s.tokens, t)
	}
	return s
}

func quoteRune(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	if r < ' ' || r == utf8.RuneError || r == 0x7f {
		return fmt.Sprintf("U+%04X", r)
	}
	return fmt.Sprintf("%q", s)
}

// toPos converts a participle position.
func toPos(p lexer.Position) lang.Pos {
	return lang.Pos{Offset: p.Offset, Line: p.Line, Col: p.Column}
}

// endOf returns the position just after token t, which never spans lines.
func endOf(t lexer.Token) lang.Pos {
	return lang.Pos{Offset: t.Pos.Offset + len(t.Value), Line: t.Pos.Line, Col: t.Pos.Column + utf8.RuneCountInString(t.Value)}
}

// sliceLexer feeds a slice of already scanned tokens to participle.
type sliceLexer struct {
	tokens []lexer.Token
	eof    lexer.Position
	i      int
}

func (l *sliceLexer) Next() (lexer.Token, error) {
	if l.i >= len(l.tokens) {
		return lexer.EOFToken(l.eof), nil
	}
	t := l.tokens[l.i]
	l.i++
	return t, nil
}
