package format

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/tfxc/tfxc/lang"
	"github.com/tfxc/tfxc/parser"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata from the current output")

// TestGolden formats each testdata/*.input and compares the result with
// the .golden file next to it.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*.input")
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) < 6 {
		t.Fatalf("found %d golden inputs, want at least 6", len(inputs))
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got := checkProperties(t, in, src)
			golden := strings.TrimSuffix(in, ".input") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s:\n%s", golden, lineDiff(string(want), string(got)))
			}
			checkProperties(t, golden, want)
		})
	}
}

// TestRepoFiles checks the properties of the formatter on every .tfxl file
// of the repository that parses without syntax errors.
func TestRepoFiles(t *testing.T) {
	files := repoFiles(t)
	if len(files) == 0 {
		t.Fatal("no .tfxl file found in the repository")
	}
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, diags := parser.ParseFile(name, src); diags.HasErrors() {
			t.Logf("%s: skipped, it has syntax errors", name)
			continue
		}
		t.Run(name, func(t *testing.T) { checkProperties(t, name, src) })
	}
}

// repoFiles returns the .tfxl files of the repository, outside testdata
// directories of this package.
func repoFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a directory another process is changing
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != ".." {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".tfxl") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// handWritten are small files that exercise one rule each.
var handWritten = map[string]string{
	"empty":              "",
	"only blank lines":   "\n\n\n",
	"only comments":      "\n\n# a   \n\n\n# b\n#c",
	"no final newline":   "pipeline p",
	"crlf":               "pipeline p\r\n# c\r\nschema infer\r\n",
	"semicolons":         "pipeline p; schema infer; label y = a\ntransform { a = 1; b = 2 }\n",
	"one-line blocks":    "model dnn { hidden 1, 2 }  # c\nevaluate { metrics auc }",
	"empty blocks":       "transform {}\nmodel dnn {\n}\nfeatures {\n\n}\nevaluate {}  # c\nexamples csv(\"a\") {}\npush \"x\" as a when {}\n",
	"comment in empty":   "transform {\n    # nothing yet\n}\nmodel dnn {  # header\n}\nexamples csv(\"a\") {  # header\n}\n",
	"comment in args":    "examples csv(\"a\", # first\n  \"b\"  # second\n) {\n    split train: 2\n}\n",
	"comment in call":    "transform {\n    a = f(x, g(y,  # inner\n        z))\n    b = f(x,  # gap\n        y)  # end\n}\n",
	"comment before ]":   "features {\n    a: string in [\"x\",  # one\n        \"y\"  # two\n    ]\n}\n",
	"comment in header":  "push \"x\" as a,  # one\n    b when {\n    auc >= 1\n}\n",
	"label over lines":   "label y = f(a,\n    b)\nserving excludes c\n",
	"grouped":            "pipeline p\nschema infer\nlabel y = a\n# about serving\nserving excludes a\n\nlabel z = b\n",
	"not grouped":        "pipeline p\n\nschema infer\ntransform {}\nlabel y = a\nmodel dnn {}\n",
	"selector criteria":  "push \"x\" as a when {\n    auc >= baseline.auc  # selector\n    auc[p] >= 1  # index\n    1 <= auc[p]  # index last\n}\n",
	"blank lines":        "transform {\n\n\n    a = 1\n\n\n    # c\n\n    b = 2\n\n\n}\n\n\n\nmodel dnn {}\n",
	"unicode names":      "transform {\n    größe = 1\n    ab = 2\n}\n",
	"settings no args":   "model dnn {\n    shuffle\n    hidden 1\n    batch_norm\n}\n",
	"after block":        "transform {\n    a = 1\n}  # after\n# next\nlabel y = a\n",
	"trailing spaces":    "pipeline p   \n# c   \t\ntransform {   \n    a = 1   # d  \n}   \n",
	"nested brackets":    "transform {\n    a = f([1,\n        2], (3 +\n        4))\n}\n",
	"domain range":       "features {\n    a: optional int in -1..10\n    b: list(float)\n    c: float in 0.5..1.5  # c\n}\n",
	"push without when":  "push \"x\" as saved_model  # c\n",
	"end-of-block cmt":   "evaluate {\n    metrics auc\n    # end\n\n    # more\n}\n# eof\n",
	"list value":         "transform {\n    a = [1,\n        2]\n    b = -x\n    c = not (a and b)\n}\n",
	"header comment two": "examples csv(\"a\"  # c1\n)  # c2\nlabel y = a\n",
}

// TestHandWritten checks the properties of the formatter on small files.
func TestHandWritten(t *testing.T) {
	for name, src := range handWritten {
		t.Run(name, func(t *testing.T) { checkProperties(t, name, []byte(src)) })
	}
}

// TestLayout checks the exact output of the rules the package doc states.
func TestLayout(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"final newline", "pipeline p", "pipeline p\n"},
		{"grouped header", "pipeline p\nschema infer\n", "pipeline p\nschema infer\n"},
		{"separated", "pipeline p\ntransform {}\n", "pipeline p\n\ntransform {}\n"},
		{"empty optional block", "examples csv(\"a\") {}\n", "examples csv(\"a\")\n"},
		{"empty block", "model dnn {\n\n}\n", "model dnn {}\n"},
		{"comment in empty block", "model dnn {\n# c\n}\n", "model dnn {\n    # c\n}\n"},
		{"align assignments", "transform {\na=1\nlong_name = 2\n\nc=3\n}\n",
			"transform {\n    a         = 1\n    long_name = 2\n\n    c = 3\n}\n"},
		{"comment ends run", "transform {\na=1\n# c\nlong_name = 2\n}\n",
			"transform {\n    a = 1\n    # c\n    long_name = 2\n}\n"},
		{"align settings", "model dnn {\ninputs a,b\nhidden 1\nshuffle\n}\n",
			"model dnn {\n    inputs a, b\n    hidden 1\n    shuffle\n}\n"},
		{"align features", "features {\na: int\nlonger: optional string in [\"x\",\"y\"]\n}\n",
			"features {\n    a:      int\n    longer: optional string in [\"x\", \"y\"]\n}\n"},
		{"trailing comment", "label y = a    # c\n", "label y = a  # c\n"},
		{"hoisted comment", "label y = f(g(a, # c\n b))\n", "# c\nlabel y = f(g(a, b))\n"},
		{"kept break", "model dnn {\ninputs a,\nb  , c\n}\n", "model dnn {\n    inputs a,\n        b, c\n}\n"},
		{"push", "push  \"x\"  as a,b when{auc>=0.5}", "push \"x\" as a, b when {\n    auc >= 0.5\n}\n"},
		{"expressions", "label y=( a+b )*-c>=f( x,k : 1 )", "label y = (a + b) * -c >= f(x, k: 1)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := Format("t.tfxl", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Format(%q) =\n%s\nwant\n%s", tt.in, got, tt.want)
			}
		})
	}
}

// TestSyntaxError checks that Format refuses a file with syntax errors.
func TestSyntaxError(t *testing.T) {
	out, diags, err := Format("bad.tfxl", []byte("transform {\n    a = \n}\n"))
	if !errors.Is(err, ErrSyntax) || out != nil || !diags.HasErrors() {
		t.Errorf("Format of a bad file = %q, %v, %v; want nil output, the diagnostics and ErrSyntax", out, diags, err)
	}
}

// TestSourceNil checks that Source survives a nil file.
func TestSourceNil(t *testing.T) {
	if got := Source(nil); len(got) != 0 {
		t.Errorf("Source(nil) = %q, want nothing", got)
	}
}

// FuzzFormat checks, on any input that parses without syntax errors, that
// the output parses without syntax errors, to the same syntax tree, with
// the same comments, and that formatting it again changes nothing.
func FuzzFormat(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/*.input")
	for _, in := range inputs {
		if src, err := os.ReadFile(in); err == nil {
			f.Add(src)
		}
	}
	for _, src := range handWritten {
		f.Add([]byte(src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if _, diags := parser.ParseFile("fuzz.tfxl", src); diags.HasErrors() {
			return
		}
		checkProperties(t, "fuzz.tfxl", src)
	})
}

// checkProperties formats src, which must parse without syntax errors,
// checks the properties every output must have, and returns the output.
func checkProperties(t *testing.T, name string, src []byte) []byte {
	t.Helper()
	f, diags := parser.ParseFile(name, src)
	if diags.HasErrors() {
		t.Fatalf("the input has syntax errors: %v", diags)
	}
	out, diags, err := Format(name, src)
	if err != nil {
		t.Fatalf("Format: %v %v", err, diags)
	}
	g, diags := parser.ParseFile(name, out)
	if diags.HasErrors() {
		t.Fatalf("the output has syntax errors: %v\ninput:\n%s\noutput:\n%s", diags, src, out)
	}
	if want, got := dump(f), dump(g); want != got {
		t.Errorf("the output parses to another tree:\n%s\ninput:\n%s\noutput:\n%s", lineDiff(want, got), src, out)
	}
	if want, got := commentTexts(f), commentTexts(g); want != got {
		t.Errorf("comments differ:\n%s\ninput:\n%s\noutput:\n%s", lineDiff(want, got), src, out)
	}
	again, _, err := Format(name, out)
	if err != nil || !bytes.Equal(again, out) {
		t.Errorf("formatting is not idempotent (%v):\n%s\ninput:\n%s", err, lineDiff(string(out), string(again)), src)
	}
	checkText(t, out)
	return out
}

// checkText checks that out has no trailing spaces and ends with exactly
// one newline, unless empty.
func checkText(t *testing.T, out []byte) {
	t.Helper()
	if len(out) == 0 {
		return
	}
	if !bytes.HasSuffix(out, []byte("\n")) || bytes.HasSuffix(out, []byte("\n\n")) {
		t.Errorf("the output does not end with exactly one newline:\n%q", out)
	}
	for i, l := range strings.Split(string(out), "\n") {
		if strings.TrimRight(l, " \t\r") != l {
			t.Errorf("line %d has trailing white space: %q", i+1, l)
		}
	}
}

// commentTexts returns the texts of the comments of f, one a line, without
// trailing white space, which the formatter removes.
func commentTexts(f *lang.File) string {
	var b strings.Builder
	for _, c := range f.Comments {
		b.WriteString(strings.TrimRight(c.Text, " \t\r\f\v"))
		b.WriteByte('\n')
	}
	return b.String()
}

// dump describes the syntax tree of f without positions, one line per
// declaration or statement.
func dump(f *lang.File) string {
	var b strings.Builder
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *lang.PipelineDecl:
			fmt.Fprintf(&b, "pipeline %s\n", d.Name.Name)
		case *lang.SchemaDecl:
			path := "-"
			if d.Path != nil {
				path = d.Path.Raw
			}
			fmt.Fprintf(&b, "schema infer=%v %s\n", d.Infer, path)
		case *lang.ExamplesDecl:
			fmt.Fprintf(&b, "examples %s %d(%s)\n", d.Format.Name, len(d.Args), args(d.Args))
			dumpSettings(&b, d.Body)
		case *lang.FeaturesDecl:
			fmt.Fprintf(&b, "features %d\n", len(d.Fields))
			for _, fd := range d.Fields {
				dumpField(&b, fd)
			}
		case *lang.TransformDecl:
			fmt.Fprintf(&b, "transform %d\n", len(d.Assigns))
			for _, a := range d.Assigns {
				fmt.Fprintf(&b, "\t%s = %s\n", a.Name.Name, exprs(a.Value))
			}
		case *lang.LabelDecl:
			fmt.Fprintf(&b, "label %s = %s\n", d.Name.Name, exprs(d.Value))
		case *lang.ServingDecl:
			fmt.Fprintf(&b, "serving %d %s\n", len(d.Excludes), idents(d.Excludes))
		case *lang.ModelDecl:
			fmt.Fprintf(&b, "model %s\n", d.Family.Name)
			dumpSettings(&b, d.Body)
		case *lang.EvaluateDecl:
			fmt.Fprintf(&b, "evaluate\n")
			dumpSettings(&b, d.Body)
		case *lang.PushDecl:
			fmt.Fprintf(&b, "push %s %d %s when=%v %d\n", d.Dest.Raw, len(d.Formats), idents(d.Formats), d.When.IsValid(), len(d.Criteria))
			for _, x := range d.Criteria {
				fmt.Fprintf(&b, "\t%s\n", exprs(x))
			}
		default:
			fmt.Fprintf(&b, "%T\n", d)
		}
	}
	return b.String()
}

// dumpSettings describes the settings of a block.
func dumpSettings(b *strings.Builder, body []*lang.Setting) {
	fmt.Fprintf(b, "\t%d settings\n", len(body))
	for _, s := range body {
		fmt.Fprintf(b, "\t%s %d(%s)\n", s.Name.Name, len(s.Args), args(s.Args))
	}
}

// dumpField describes a feature declaration.
func dumpField(b *strings.Builder, f *lang.FeatureField) {
	t := f.Type
	fmt.Fprintf(b, "\t%s: optional=%v %s", f.Name.Name, t.Optional, t.Name.Name)
	if t.Elem != nil {
		fmt.Fprintf(b, " elem=%s len=%d", t.Elem.Name, t.Len)
	}
	if d := t.Domain; d != nil {
		fmt.Fprintf(b, " in lo=%s hi=%s %d[%s]", exprs(d.Lo), exprs(d.Hi), len(d.Values), exprs(d.Values...))
	}
	b.WriteByte('\n')
}

// exprs formats expressions, marking absent ones, with their number of
// nodes so that a change of structure shows even where the text does not.
func exprs(xs ...lang.Expr) string {
	var parts []string
	for _, x := range xs {
		if x == nil {
			parts = append(parts, "<nil>")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s{%d}", lang.ExprString(x), nodes(x)))
	}
	return strings.Join(parts, ", ")
}

// nodes counts the nodes of an expression.
func nodes(x lang.Expr) int {
	switch x := x.(type) {
	case *lang.CallExpr:
		n := 1
		for _, a := range x.Args {
			n += nodes(a.Value)
		}
		return n
	case *lang.BinaryExpr:
		return 1 + nodes(x.X) + nodes(x.Y)
	case *lang.UnaryExpr:
		return 1 + nodes(x.X)
	case *lang.ParenExpr:
		return 1 + nodes(x.X)
	case *lang.SelectorExpr:
		return 1 + nodes(x.X)
	case *lang.IndexExpr:
		n := 1 + nodes(x.X)
		for _, i := range x.Indices {
			n += nodes(i)
		}
		return n
	case *lang.ListExpr:
		n := 1
		for _, e := range x.Elems {
			n += nodes(e)
		}
		return n
	}
	return 1
}

// args formats arguments with their number of nodes.
func args(as []*lang.Arg) string {
	var b strings.Builder
	lang.WriteArgs(&b, as)
	for _, a := range as {
		fmt.Fprintf(&b, " {%d}", nodes(a.Value))
	}
	return b.String()
}

// idents formats names separated by commas.
func idents(ids []*lang.Ident) string {
	var names []string
	for _, id := range ids {
		names = append(names, id.Name)
	}
	return strings.Join(names, ",")
}

// lineDiff shows the lines of want and got from the first that differs.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at line %d\n", i+1)
	for j := i; j < len(w) && j < i+5; j++ {
		fmt.Fprintf(&b, "-%s\n", w[j])
	}
	for j := i; j < len(g) && j < i+5; j++ {
		fmt.Fprintf(&b, "+%s\n", g[j])
	}
	return b.String()
}

// TestShuffledLayouts rewrites valid files with random white space, line
// breaks, blank lines, semicolons and comments wherever the language allows
// them, and checks that each variant formats with the properties every
// output must have, to the syntax tree of the original.
func TestShuffledLayouts(t *testing.T) {
	own, _ := filepath.Glob("testdata/*.input")
	for i, name := range append(own, repoFiles(t)...) {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		orig, diags := parser.ParseFile(name, src)
		if diags.HasErrors() {
			continue
		}
		valid := 0
		for seed := range uint64(40) {
			v := shuffle(src, rand.New(rand.NewPCG(seed, 1)))
			f, diags := parser.ParseFile(name, v)
			if diags.HasErrors() {
				continue
			}
			valid++
			if dump(f) != dump(orig) {
				continue // the variant changed the meaning; not the formatter's business
			}
			t.Run(fmt.Sprintf("%s/%d", filepath.Base(name), seed), func(t *testing.T) {
				out := checkProperties(t, name, v)
				if g, _ := parser.ParseFile(name, out); dump(g) != dump(orig) {
					t.Errorf("the output of a variant parses to another tree than the original")
				}
			})
		}
		if i < len(own) && valid < 20 {
			t.Errorf("%s: only %d of 40 variants parse; the generator is broken", name, valid)
		}
	}
}

// tokenRE splits .tfxl source into tokens, white space and newlines.
var tokenRE = regexp.MustCompile(`#[^\n]*|\n|[ \t\r]+|[0-9]+\.[0-9]+(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+|[0-9]+|"(?:\\.|[^"\\\n])*"|[\p{L}_][\p{L}\p{N}_]*|\.\.|==|!=|<=|>=|.`)

// shuffle returns src with its layout changed at random: the tokens and
// their order stay, the white space and comments between them do not.
func shuffle(src []byte, r *rand.Rand) []byte {
	var b strings.Builder
	depth, comments := 0, 0
	prev := ""
	comment := func() string {
		comments++
		return fmt.Sprintf("%s# c%d", strings.Repeat(" ", r.IntN(3)), comments)
	}
	newline := func() {
		switch r.IntN(6) {
		case 0:
			b.WriteString(comment())
		case 1:
			b.WriteString("\n")
		}
		b.WriteString("\n" + strings.Repeat(" ", r.IntN(9)))
		if r.IntN(8) == 0 {
			b.WriteString(comment() + "\n")
		}
	}
	for _, tok := range tokenRE.FindAllString(string(src), -1) {
		switch {
		case tok == "\n":
			switch {
			case prev == "" || strings.HasPrefix(prev, "#"):
				b.WriteString("\n")
			case depth == 0 && prev != "{" && prev != "," && r.IntN(4) == 0:
				b.WriteString("; ")
			default:
				newline()
			}
			continue
		case strings.TrimSpace(tok) == "":
			continue
		case strings.HasPrefix(tok, "#"):
			b.WriteString(" " + tok)
			prev = tok
			continue
		}
		if prev != "" && !strings.HasPrefix(prev, "#") {
			switch {
			case (prev == "," || prev == "{" || depth > 0) && r.IntN(5) == 0:
				newline()
			case isWord(prev) && isWord(tok) || r.IntN(2) == 0:
				b.WriteString(strings.Repeat(" ", 1+r.IntN(2)))
			}
		}
		switch tok {
		case "(", "[":
			depth++
		case ")", "]":
			depth--
		}
		b.WriteString(tok)
		prev = tok
	}
	return []byte(b.String())
}

// isWord reports whether tok is a name, a number or a string.
func isWord(tok string) bool {
	r, _ := utf8.DecodeRuneInString(tok)
	return r == '_' || r == '"' || unicode.IsLetter(r) || unicode.IsDigit(r)
}
