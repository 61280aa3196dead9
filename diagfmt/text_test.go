package diagfmt

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tfxc/tfxc/lang"
)

func pos(line, col int) lang.Pos { return lang.Pos{Line: line, Col: col} }

func rng(file string, l1, c1, l2, c2 int) lang.Range {
	return lang.Range{File: file, Start: pos(l1, c1), End: pos(l2, c2)}
}

func text(t *testing.T, ds lang.Diagnostics, sources map[string][]byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := Text(&b, ds, sources, false); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

const taxiSrc = `pipeline taxi

transform {
    fare_xf = z_score(fill(fare, 0.0))
    fare_xf = z_score(fill(fare, 0.0))
}
`

func TestTextDuplicate(t *testing.T) {
	d := &lang.Diagnostic{
		Code:     lang.EDuplicateName,
		Severity: lang.SeverityError,
		Range:    rng("taxi.tfxl", 5, 5, 5, 12),
		Path:     "transform.fare_xf",
		Message:  "fare_xf is defined twice",
		Hint:     "rename one of them",
		Related:  []lang.Related{{Range: rng("taxi.tfxl", 4, 5, 4, 12), Message: "first defined here"}},
	}
	got := text(t, lang.Diagnostics{d}, map[string][]byte{"taxi.tfxl": []byte(taxiSrc)})
	want := `taxi.tfxl:5:5: error[E0203]: fare_xf is defined twice
    5 |     fare_xf = z_score(fill(fare, 0.0))
      |     ^^^^^^^
      = hint: rename one of them
      = note: taxi.tfxl:4:5: first defined here
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestTextWarningShowsName(t *testing.T) {
	d := &lang.Diagnostic{
		Code:     lang.WUnusedTransform,
		Severity: lang.SeverityWarning,
		Range:    rng("taxi.tfxl", 4, 5, 4, 12),
		Message:  "fare_xf is never used",
	}
	got := text(t, lang.Diagnostics{d}, nil)
	want := "taxi.tfxl:4:5: warning[W0001 unused-transform]: fare_xf is never used\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// Promoted by --deny: still named, so the user sees what they denied.
	d.Severity = lang.SeverityError
	if got := text(t, lang.Diagnostics{d}, nil); !strings.HasPrefix(got, "taxi.tfxl:4:5: error[W0001 unused-transform]: ") {
		t.Errorf("denied warning: %q", got)
	}
}

// caretUnder returns the text that the carets of a rendered diagnostic
// underline, found by display column in the shown source line.
func caretUnder(t *testing.T, out string) string {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) < 3 {
		t.Fatalf("no source line in\n%s", out)
	}
	src, carets := lines[1], lines[2]
	i := strings.Index(src, " | ")
	j := strings.Index(carets, " | ")
	if i < 0 || i != j {
		t.Fatalf("gutters differ:\n%s", out)
	}
	srcRunes := []rune(src[i+3:])
	c := carets[j+3:]
	start := strings.IndexByte(c, '^')
	n := strings.Count(c, "^")
	if start < 0 || strings.TrimLeft(c, " ") != strings.Repeat("^", n) {
		t.Fatalf("bad caret line %q", c)
	}
	var under []rune
	col := 0
	for _, r := range srcRunes {
		if col >= start && col < start+n {
			under = append(under, r)
		}
		col += runeWidth(r)
	}
	return string(under)
}

func TestTextCaretAlignment(t *testing.T) {
	cases := []struct {
		name string
		line string
		col  int // of "bad", code points
		want string
	}{
		{"plain", `x = f(bad)`, 7, "bad"},
		{"leading tab", "\tx = f(bad)", 8, "bad"},
		{"tabs inside", "\tx\t=\tf(bad)", 8, "bad"},
		{"tab after text", "ab\tbad", 4, "bad"},
		{"é before", `x = "é" + bad`, 11, "bad"},
		{"é and tab before", "\té = \"é\"\tbad", 10, "bad"},
		{"combining accent before", "x = \"e\u0301\" + bad", 12, "bad"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := "# first line\n" + c.line + "\n"
			d := &lang.Diagnostic{
				Code: lang.EUnknownFeature, Severity: lang.SeverityError,
				Range:   rng("p.tfxl", 2, c.col, 2, c.col+3),
				Message: "unknown feature bad",
			}
			out := text(t, lang.Diagnostics{d}, map[string][]byte{"p.tfxl": []byte(src)})
			if strings.Contains(out, "\t") {
				t.Errorf("output has a tab:\n%s", out)
			}
			if got := caretUnder(t, out); got != c.want {
				t.Errorf("carets under %q, want %q:\n%s", got, c.want, out)
			}
		})
	}
}

func TestTextExactTabAndAccentLayout(t *testing.T) {
	src := "transform {\n\tcafé_xf =\tz_score(bad)\n}\n"
	d := &lang.Diagnostic{
		Code: lang.EUnknownFeature, Severity: lang.SeverityError,
		Range:   rng("p.tfxl", 2, 20, 2, 23),
		Message: "unknown feature bad",
	}
	got := text(t, lang.Diagnostics{d}, map[string][]byte{"p.tfxl": []byte(src)})
	want := "p.tfxl:2:20: error[E0200]: unknown feature bad\n" +
		"    2 |     café_xf =   z_score(bad)\n" +
		"      |                         ^^^\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestTextWideCharacters(t *testing.T) {
	src := `x = "日本" + bad` + "\n"
	d := &lang.Diagnostic{
		Code: lang.EUnknownFeature, Severity: lang.SeverityError,
		Range: rng("p.tfxl", 1, 12, 1, 15), Message: "m",
	}
	out := text(t, lang.Diagnostics{d}, map[string][]byte{"p.tfxl": []byte(src)})
	lines := strings.Split(out, "\n")
	// "日本" takes four columns: the carets start at column 4+1+4+1+3 = 13.
	if want := "      | " + strings.Repeat(" ", 13) + "^^^"; lines[2] != want {
		t.Errorf("got %q, want %q", lines[2], want)
	}
}

func TestTextCaretShapes(t *testing.T) {
	src := "abc def\nghi\n"
	sources := map[string][]byte{"f": []byte(src)}
	cases := []struct {
		name   string
		r      lang.Range
		carets string
	}{
		{"empty range", rng("f", 1, 5, 1, 5), "    ^"},
		{"invalid end", lang.Range{File: "f", Start: pos(1, 5)}, "    ^"},
		{"end before start", rng("f", 1, 5, 1, 2), "    ^"},
		{"multi-line", rng("f", 1, 5, 2, 2), "    ^^^"},
		{"multi-line from first col", rng("f", 1, 1, 3, 1), "^^^^^^^"},
		{"at end of line", rng("f", 1, 8, 1, 8), "       ^"},
		{"multi-line at end of line", rng("f", 1, 8, 2, 1), "       ^"},
		{"past end of line", rng("f", 1, 20, 1, 21), "       ^"},
		{"end past end of line", rng("f", 1, 5, 1, 30), "    ^^^"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := &lang.Diagnostic{Code: lang.ESyntax, Severity: lang.SeverityError, Range: c.r, Message: "m"}
			lines := strings.Split(text(t, lang.Diagnostics{d}, sources), "\n")
			if len(lines) < 3 {
				t.Fatalf("no carets: %q", lines)
			}
			if want := "      | " + c.carets; lines[2] != want {
				t.Errorf("got %q, want %q", lines[2], want)
			}
		})
	}
}

func TestTextHeaderOnly(t *testing.T) {
	src := map[string][]byte{"f": []byte("one line\n")}
	cases := []struct {
		name string
		r    lang.Range
		want string
	}{
		{"no source", rng("g", 1, 1, 1, 2), "g:1:1: error[E0100]: m\n"},
		{"line out of range", rng("f", 7, 1, 7, 2), "f:7:1: error[E0100]: m\n"},
		{"invalid position", lang.Range{File: "f"}, "f: error[E0100]: m\n"},
		{"invalid column", lang.Range{File: "f", Start: lang.Pos{Line: 1}}, "f:1:0: error[E0100]: m\n"},
		{"no file", lang.Range{}, "error[E0100]: m\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := &lang.Diagnostic{Code: lang.ESyntax, Severity: lang.SeverityError, Range: c.r, Message: "m"}
			if got := text(t, lang.Diagnostics{d}, src); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestTextCRLFAndBigLineNumbers(t *testing.T) {
	src := strings.Repeat("\r\n", 123455) + "bad\r\n"
	d := &lang.Diagnostic{Code: lang.ESyntax, Severity: lang.SeverityError,
		Range: rng("f", 123456, 1, 123456, 4), Message: "m"}
	got := text(t, lang.Diagnostics{d}, map[string][]byte{"f": []byte(src)})
	want := "f:123456:1: error[E0100]: m\n123456 | bad\n       | ^^^\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTextControlCharactersAndNewlines(t *testing.T) {
	src := "a \x1b[31m bad\n"
	d := &lang.Diagnostic{Code: lang.EInvalidToken, Severity: lang.SeverityError,
		Range: rng("f", 1, 3, 1, 4), Message: "two\nlines", Hint: "a\nb"}
	got := text(t, lang.Diagnostics{d}, map[string][]byte{"f": []byte(src)})
	if strings.Contains(got, "\x1b") {
		t.Errorf("escape copied to the output: %q", got)
	}
	want := "f:1:3: error[E0101]: two lines\n    1 | a \uFFFD[31m bad\n      |   ^\n      = hint: a b\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTextRelatedWithoutFile(t *testing.T) {
	d := &lang.Diagnostic{Code: lang.EDuplicateName, Severity: lang.SeverityError,
		Range: rng("a.tfxl", 2, 1, 2, 2), Message: "m",
		Related: []lang.Related{{Range: lang.Range{Start: pos(1, 3)}, Message: "here"}, {Message: "somewhere"}}}
	got := text(t, lang.Diagnostics{d}, nil)
	want := "a.tfxl:2:1: error[E0203]: m\n      = note: a.tfxl:1:3: here\n      = note: somewhere\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTextColor(t *testing.T) {
	ds := lang.Diagnostics{
		{Code: lang.ESyntax, Severity: lang.SeverityError, Range: rng("f", 1, 1, 1, 2), Message: "m"},
		{Code: lang.WUnusedTransform, Severity: lang.SeverityWarning, Range: rng("f", 1, 1, 1, 2), Message: "m"},
	}
	src := map[string][]byte{"f": []byte("x\n")}
	var plain, colored bytes.Buffer
	if err := Text(&plain, ds, src, false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b") {
		t.Errorf("escapes without color: %q", plain.String())
	}
	if err := Text(&colored, ds, src, true); err != nil {
		t.Fatal(err)
	}
	out := colored.String()
	for _, want := range []string{ansiRed + "error[E0100]" + ansiReset, ansiYellow + "warning[W0001 unused-transform]" + ansiReset, ansiRed + "^" + ansiReset} {
		if !strings.Contains(out, want) {
			t.Errorf("colored output lacks %q:\n%q", want, out)
		}
	}
	// Without the escapes it is the plain output.
	stripped := out
	for _, esc := range []string{ansiReset, ansiBold, ansiRed, ansiYellow, ansiCyan, ansiBlue} {
		stripped = strings.ReplaceAll(stripped, esc, "")
	}
	if stripped != plain.String() {
		t.Errorf("colored output differs from plain beyond escapes:\n%q\n%q", stripped, plain.String())
	}
}

func TestSummary(t *testing.T) {
	e := &lang.Diagnostic{Code: lang.ESyntax, Severity: lang.SeverityError}
	w := &lang.Diagnostic{Code: lang.WUnusedTransform, Severity: lang.SeverityWarning}
	n := &lang.Diagnostic{Code: lang.WUnusedTransform, Severity: lang.SeverityNote}
	cases := []struct {
		ds   lang.Diagnostics
		want string
	}{
		{nil, ""},
		{lang.Diagnostics{e}, "1 error, 0 warnings\n"},
		{lang.Diagnostics{w}, "0 errors, 1 warning\n"},
		{lang.Diagnostics{e, e, w, w, w}, "2 errors, 3 warnings\n"},
		{lang.Diagnostics{e, n}, "1 error, 0 warnings, 1 note\n"},
	}
	for _, c := range cases {
		var b bytes.Buffer
		if err := Summary(&b, c.ds); err != nil {
			t.Fatal(err)
		}
		if b.String() != c.want {
			t.Errorf("Summary(%d diagnostics) = %q, want %q", len(c.ds), b.String(), c.want)
		}
	}
}

func TestRuneWidth(t *testing.T) {
	cases := map[rune]int{'a': 1, 'é': 1, '\u0301': 0, '\u200d': 0, '日': 2, '한': 2, 'Ａ': 2, '😀': 2, 'ß': 1, '→': 1}
	for r, want := range cases {
		if got := runeWidth(r); got != want {
			t.Errorf("runeWidth(%q) = %d, want %d", r, got, want)
		}
	}
}

func TestLongLineIsWindowed(t *testing.T) {
	line := strings.Repeat("a", 5000) + "BAD" + strings.Repeat("b", 5000)
	d := &lang.Diagnostic{Code: lang.ESyntax, Severity: lang.SeverityError, Message: "m",
		Range: lang.Range{File: "f", Start: lang.Pos{Line: 1, Col: 5001}, End: lang.Pos{Line: 1, Col: 5004}}}
	var b strings.Builder
	if err := Text(&b, lang.Diagnostics{d}, map[string][]byte{"f": []byte(line)}, false); err != nil {
		t.Fatal(err)
	}
	out := strings.Split(b.String(), "\n")
	if len(out[1]) > 400 || !strings.Contains(out[1], "…aaa") || !strings.Contains(out[1], "bbb…") {
		t.Fatalf("source line not windowed: %q", out[1])
	}
	col := strings.Index(out[1], "BAD")
	caret := strings.Index(out[2], "^^^")
	if utf8.RuneCountInString(out[1][:col]) != utf8.RuneCountInString(out[2][:caret]) {
		t.Errorf("carets do not line up:\n%s\n%s", out[1], out[2])
	}
}
