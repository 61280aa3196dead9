// Package parser turns .tfxl source text into the lang syntax tree.
//
// The grammar is written with participle (grammar.go). The parser never
// panics and never stops at the first mistake: the file is split into
// top-level declarations, and a declaration with a block is re-parsed one
// statement at a time when it has an error, so one run reports the syntax
// errors of every declaration and every statement.
package parser

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/tfxc/tfxc/lang"
)

// parsers holds the participle parsers, built once on first use.
type parsers struct {
	file      *participle.Parser[gFile]
	item      *participle.Parser[gItem]
	setting   *participle.Parser[gSetting]
	assign    *participle.Parser[gAssign]
	field     *participle.Parser[gField]
	criterion *participle.Parser[gCriterion]
}

var grammar = sync.OnceValue(func() *parsers {
	opts := []participle.Option{participle.Lexer(lexDef), participle.UseLookahead(4)}
	return &parsers{
		file:      participle.MustBuild[gFile](opts...),
		item:      participle.MustBuild[gItem](opts...),
		setting:   participle.MustBuild[gSetting](opts...),
		assign:    participle.MustBuild[gAssign](opts...),
		field:     participle.MustBuild[gField](opts...),
		criterion: participle.MustBuild[gCriterion](opts...),
	}
})

// EBNF returns the grammar of the language in EBNF, as participle derives it.
func EBNF() string { return grammar().file.String() }

// ParseFile parses the source of one .tfxl file. It always returns a File,
// holding every declaration it could parse, and the syntax diagnostics.
func ParseFile(filename string, src []byte) (*lang.File, lang.Diagnostics) {
	p := &parser{filename: filename}
	f := &lang.File{Name: filename}
	if len(src) > maxFileSize {
		p.errorf(lang.ETooDeep, lang.Pos{Line: 1, Col: 1}, lang.Pos{Line: 1, Col: 1}, "is this the right file? split the pipeline if it really is one",
			"the file is %d bytes, larger than the %d a pipeline file may have", len(src), maxFileSize)
		return f, p.diags
	}
	if bad := firstInvalidUTF8(src); bad >= 0 {
		pos := posAt(src, bad)
		p.errorf(lang.ENotUTF8, pos, pos, "tfxc reads UTF-8 text; is this the right file?",
			"the file is not UTF-8 text: byte 0x%02x at %s is invalid", src[bad], pos)
		return f, p.diags
	}
	s := p.scan(string(src))
	f.Comments = s.comments
	f.Span = lang.Span{From: lang.Pos{Line: 1, Col: 1}, To: toPos(s.eof)}
	p.src = s
	for _, item := range splitStatements(s.tokens, 0, len(s.tokens)) {
		if len(p.diags) >= maxDiags {
			break
		}
		if d := p.parseItem(item.from, item.to); d != nil {
			f.Decls = append(f.Decls, d)
		}
	}
	if len(p.diags) >= maxDiags {
		p.diags = p.diags[:maxDiags]
		last := p.diags[maxDiags-1]
		last.Hint = strings.TrimSpace(last.Hint + " (too many errors; later ones are not reported)")
	}
	return f, p.diags
}

type parser struct {
	filename string
	src      *scanned
	diags    lang.Diagnostics
}

func (p *parser) errorf(code lang.Code, from, to lang.Pos, hint, format string, args ...any) {
	p.diags = append(p.diags, &lang.Diagnostic{
		Code:     code,
		Severity: code.Info().Severity,
		Range:    lang.Range{File: p.filename, Start: from, End: to},
		Message:  fmt.Sprintf(format, args...),
		Hint:     hint,
	})
}

// span is a half-open range of token indexes.
type tokenSpan struct{ from, to int }

// splitStatements splits tokens[from:to] at the semicolons that are not
// nested in brackets; the semicolons themselves are left out.
func splitStatements(tokens []lexer.Token, from, to int) []tokenSpan {
	var out []tokenSpan
	depth, start := 0, from
	for i := from; i < to; i++ {
		t := tokens[i]
		if t.Type != types.punct {
			continue
		}
		switch t.Value {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			if depth > 0 {
				depth--
			}
		case ";":
			if depth == 0 {
				if i > start {
					out = append(out, tokenSpan{start, i})
				}
				start = i + 1
			}
		}
	}
	if to > start {
		out = append(out, tokenSpan{start, to})
	}
	return out
}

func (p *parser) poisoned(from, to int) bool {
	for i := range p.src.poisoned {
		if i >= from && i < to {
			return true
		}
	}
	return false
}

// lex returns a participle lexer over tokens[from:to] followed by extra
// tokens, ending with an EOF at the position just after the last token.
func (p *parser) lex(from, to int, extra ...lexer.Token) *lexer.PeekingLexer {
	toks := make([]lexer.Token, 0, to-from+len(extra))
	toks = append(toks, p.src.tokens[from:to]...)
	toks = append(toks, extra...)
	eof := p.src.eof
	if to < len(p.src.tokens) {
		eof = p.src.tokens[to].Pos
	}
	pl, _ := lexer.Upgrade(&sliceLexer{tokens: toks, eof: eof}) // sliceLexer never fails
	return pl
}

// parseItem parses one top-level declaration. A declaration with a block
// is parsed as its header with an empty block, then one statement at a
// time: that keeps the parser fast on long blocks (participle slows down on
// long token streams) and lets it report an error in every statement.
func (p *parser) parseItem(from, to int) lang.Decl {
	if p.poisoned(from, to) {
		return nil // already reported
	}
	open, close := p.block(from, to)
	if open < 0 {
		g, err := grammar().item.ParseFromLexer(p.lex(from, to))
		if err != nil {
			p.syntaxError(err)
			return nil
		}
		return p.convertItem(g)
	}
	closing := lexer.Token{Type: types.punct, Value: "}", Pos: p.src.eof}
	if close < 0 {
		o := p.src.tokens[open]
		p.errorf(lang.ESyntax, toPos(o.Pos), endOf(o), "close it with }", "this block is never closed")
		close = to
	} else {
		closing = p.src.tokens[close]
	}
	g, err := grammar().item.ParseFromLexer(p.lex(from, open+1, closing))
	if err != nil {
		p.syntaxError(err)
		return nil
	}
	decl := p.convertItem(g)
	// The header was parsed with the closing brace right after "{"; the
	// declaration ends at the real one (or at its last token when unclosed).
	last := close
	if close == to { // unclosed: the block runs to the item's last token
		last = to - 1
	}
	setEnd(decl, endOf(p.src.tokens[last]))
	for _, st := range splitStatements(p.src.tokens, open+1, close) {
		if len(p.diags) >= maxDiags {
			break
		}
		p.parseStatement(decl, st)
	}
	if close+1 < to {
		t := p.src.tokens[close+1]
		p.errorf(lang.ESyntax, toPos(t.Pos), endOf(t), "", "unexpected %q after the block, expected end of line", t.Value)
	}
	return decl
}

// block finds the first top-level "{" of tokens[from:to] and its matching
// "}": (-1, -1) when there is no block, (open, -1) when it is not closed.
func (p *parser) block(from, to int) (open, close int) {
	depth := 0
	open = -1
	for i := from; i < to; i++ {
		t := p.src.tokens[i]
		if t.Type != types.punct {
			continue
		}
		switch t.Value {
		case "{", "(", "[":
			if t.Value == "{" && depth == 0 && open < 0 {
				open = i
			}
			depth++
		case "}", ")", "]":
			depth--
			if depth == 0 && open >= 0 && t.Value == "}" {
				return open, i
			}
		}
	}
	return open, -1
}

func (p *parser) parseStatement(decl lang.Decl, st tokenSpan) {
	g := grammar()
	lx := p.lex(st.from, st.to)
	var err error
	switch d := decl.(type) {
	case *lang.TransformDecl:
		var a *gAssign
		if a, err = g.assign.ParseFromLexer(lx); err == nil {
			d.Assigns = append(d.Assigns, p.convertAssign(a))
		}
	case *lang.FeaturesDecl:
		var f *gField
		if f, err = g.field.ParseFromLexer(lx); err == nil {
			d.Fields = append(d.Fields, p.convertField(f))
		}
	case *lang.PushDecl:
		var c *gCriterion
		if c, err = g.criterion.ParseFromLexer(lx); err == nil {
			d.Criteria = append(d.Criteria, p.convertExpr(c.Expr))
		}
	case *lang.ExamplesDecl, *lang.ModelDecl, *lang.EvaluateDecl:
		var s *gSetting
		if s, err = g.setting.ParseFromLexer(lx); err == nil {
			set := p.convertSetting(s)
			switch d := d.(type) {
			case *lang.ExamplesDecl:
				d.Body = append(d.Body, set)
			case *lang.ModelDecl:
				d.Body = append(d.Body, set)
			case *lang.EvaluateDecl:
				d.Body = append(d.Body, set)
			}
		}
	default:
		return
	}
	if err != nil {
		p.syntaxError(err)
	}
}

// syntaxError reports a participle error in the language's own words.
func (p *parser) syntaxError(err error) {
	var perr participle.Error
	if !errors.As(err, &perr) {
		p.errorf(lang.ESyntax, lang.Pos{Line: 1, Col: 1}, lang.Pos{Line: 1, Col: 1}, "", "%v", err)
		return
	}
	pos := perr.Position()
	from := toPos(pos)
	to := from
	msg := perr.Message()
	var unexpected *participle.UnexpectedTokenError
	if errors.As(err, &unexpected) {
		tok := unexpected.Unexpected
		if tok.EOF() {
			// A statement parsed on its own ends where the next token starts.
			if i, ok := slices.BinarySearchFunc(p.src.tokens, tok.Pos.Offset, func(t lexer.Token, off int) int {
				return cmp.Compare(t.Pos.Offset, off)
			}); ok {
				tok = p.src.tokens[i]
			}
		}
		what := fmt.Sprintf("%q", tok.Value)
		switch {
		case tok.EOF():
			what = "end of file"
		case tok.Value == ";" && p.src.synthetic[tok.Pos.Offset] != "":
			what = p.src.synthetic[tok.Pos.Offset]
		default:
			to = endOf(tok)
		}
		msg = "unexpected " + what
		if _, expected, ok := strings.Cut(perr.Message(), "(expected "); ok {
			msg += ", expected " + friendlyExpect(strings.TrimSuffix(expected, ")"))
		} else if !tok.EOF() {
			// participle stops at a complete statement followed by more.
			msg += ", expected end of line"
		}
	}
	p.errorf(lang.ESyntax, from, to, "", "%s", msg)
}

// friendlyExpect rewrites participle's description of what it expected,
// which names grammar types and token types, in the language's words. Of a
// sequence (`"=" GExpr`) only the first element is what was missing.
func friendlyExpect(s string) string {
	if !strings.Contains(s, "|") {
		s, _, _ = strings.Cut(s, " ")
	}
	return expectWords.Replace(s)
}

var expectWords = strings.NewReplacer(
	"GIdent", "a name", "GString", "a string", "GSettings", "a block", "GSetting", "a setting", "GArg", "an argument",
	"GField", "a feature declaration", "GType", "a type", "GDomain", "a domain", "GAssign", "an assignment",
	"GCriterion", "a criterion", "GItem", "a declaration",
	"GExpr", "an expression", "GAnd", "an expression", "GNot", "an expression", "GCmp", "an expression",
	"GAdd", "an expression", "GMul", "an expression", "GUnary", "an expression", "GPostfix", "an expression",
	"GPrimary", "an expression",
	"<ident>", "a name", "<int>", "an integer", "<float>", "a number", "<string>", "a string",
	`";"`, "end of line",
)

// firstInvalidUTF8 returns the offset of the first byte of src that is not
// part of valid UTF-8, or of a NUL byte, or -1.
func firstInvalidUTF8(src []byte) int {
	for i := 0; i < len(src); {
		r, n := utf8.DecodeRune(src[i:])
		if (r == utf8.RuneError && n == 1) || r == 0 {
			return i
		}
		i += n
	}
	return -1
}

// posAt computes the position of a byte offset.
func posAt(src []byte, off int) lang.Pos {
	line, col := 1, 1
	for i := 0; i < off; {
		r, n := utf8.DecodeRune(src[i:])
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
		i += n
	}
	return lang.Pos{Offset: off, Line: line, Col: col}
}
