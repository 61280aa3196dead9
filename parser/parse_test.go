package parser

import (
	"os"
	"strings"
	"testing"

	"github.com/tfxc/tfxc/lang"
)

func codes(ds lang.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, string(d.Code)+"@"+d.Range.Start.String())
	}
	return out
}

func TestParseTaxi(t *testing.T) {
	src, err := os.ReadFile("../examples/taxi/taxi.tfxl")
	if err != nil {
		t.Fatal(err)
	}
	f, diags := ParseFile("taxi.tfxl", src)
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", codes(diags))
	}
	var kws []string
	for _, d := range f.Decls {
		kws = append(kws, d.Keyword())
	}
	want := "pipeline schema examples transform label serving model evaluate push"
	if got := strings.Join(kws, " "); got != want {
		t.Errorf("declarations = %q, want %q", got, want)
	}
	if len(f.Comments) == 0 {
		t.Error("comments were not collected")
	}
}

// TestRecovery checks that one run reports the errors of several
// declarations and several statements, each at its place.
func TestRecovery(t *testing.T) {
	src := `pipeline p
schema "s.pbtxt
transform {
    a = z_score(fill(x 0.0))
    b =
    c = ok(1)
    d = x + * 2
}
label y = tips >
model dnn {
    inputs a b
}
$
push "x" as tfjs when { auc >= }
`
	f, diags := ParseFile("t.tfxl", []byte(src))
	want := []string{
		"E0101@2:8",  // unterminated string
		"E0100@4:24", // missing comma
		"E0100@5:8",  // b = <end of line>
		"E0100@7:13", // + *
		"E0100@9:17", // label y = tips > <end of line>
		"E0100@11:14",
		"E0101@13:1", // $
		"E0100@14:32",
	}
	got := codes(diags)
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("missing %s in %v", w, got)
		}
	}
	// The statements that parsed are kept.
	for _, d := range f.Decls {
		if tr, ok := d.(*lang.TransformDecl); ok && len(tr.Assigns) != 1 {
			t.Errorf("transform kept %d assignments, want 1 (c)", len(tr.Assigns))
		}
	}
	for _, d := range diags {
		if d.Message == "" || strings.Contains(d.Message, "G") && strings.Contains(d.Message, "expected G") {
			t.Errorf("message leaks grammar names: %q", d.Message)
		}
	}
}

func TestBadInput(t *testing.T) {
	deep := "pipeline p\ntransform {\n a = " + strings.Repeat("(", 100000) + "x" + strings.Repeat(")", 100000) + "\n}\n"
	long := "pipeline p\ntransform {\n a = x" + strings.Repeat(" + x", 30000) + "\n}\n"
	negs := "pipeline p\ntransform {\n a = " + strings.Repeat("-", 100000) + "x\n}\n"
	big := strings.Repeat("garbage ( { [ \" 1.2.3 @\n", 400000) // ~10 MB
	for name, tc := range map[string]struct {
		src  string
		code lang.Code
	}{
		"binary":  {"pipeline \x00\xff\xfe", lang.ENotUTF8},
		"deep":    {deep, lang.ETooDeep},
		"long":    {long, lang.ETooDeep},
		"negs":    {negs, lang.ETooDeep},
		"10MB":    {big, lang.ETooDeep},
		"garbage": {big[:1<<19], lang.EInvalidToken},
		"unicode": {"pipeline p\ntransform { é = x ∑ y }", lang.EInvalidToken},
	} {
		t.Run(name, func(t *testing.T) {
			_, diags := ParseFile(name, []byte(tc.src))
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			found := false
			for _, d := range diags {
				found = found || d.Code == tc.code
			}
			if !found {
				t.Errorf("want %s, got %v", tc.code, codes(diags))
			}
			if len(diags) > maxDiags {
				t.Errorf("%d diagnostics, more than the cap %d", len(diags), maxDiags)
			}
		})
	}
	if _, diags := ParseFile("empty", nil); len(diags) != 0 {
		t.Errorf("empty file: syntax diagnostics %v (the checker reports the missing declarations)", codes(diags))
	}
}

func TestPositions(t *testing.T) {
	src := "pipeline p\ntransform {\n    é_xf = z_score(fare)  # c\n}\n"
	f, diags := ParseFile("p.tfxl", []byte(src))
	if len(diags) > 0 {
		t.Fatal(codes(diags))
	}
	a := f.Decls[1].(*lang.TransformDecl).Assigns[0]
	if got := a.Name.Pos(); got.Line != 3 || got.Col != 5 {
		t.Errorf("name at %v, want 3:5", got)
	}
	call := a.Value.(*lang.CallExpr)
	// Columns count code points: "é" is one column, two bytes.
	if got := call.Pos(); got.Line != 3 || got.Col != 12 || got.Offset != 35 {
		t.Errorf("call at %v offset %d, want 3:12 offset 35", got, got.Offset)
	}
	if got := call.End(); got.Col != 25 {
		t.Errorf("call ends at %v, want 3:25", got)
	}
	if c := f.Comments[0]; c.Text != "# c" || c.Pos().Col != 27 {
		t.Errorf("comment %q at %v", c.Text, c.Pos())
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"pipeline p\nschema infer\n",
		"transform {\n a = z_score(fill(x, 0.0))\n}\n",
		"push \"x\" as tfjs when {\n auc[a, b] >= baseline.auc - 1e-3\n}\n",
		"features {\n x: optional int in 1..7\n y: string in [\"a\", \"b\"]\n}\n",
		"model dnn {\n inputs a,\n  b\n hidden 1, 2\n}\n",
	} {
		f.Add([]byte(s))
	}
	if src, err := os.ReadFile("../examples/taxi/taxi.tfxl"); err == nil {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, diags := ParseFile("fuzz.tfxl", src)
		if file == nil {
			t.Fatal("nil file")
		}
		for _, d := range diags {
			if !d.Range.Start.IsValid() {
				t.Errorf("diagnostic without position: %v", d)
			}
		}
	})
}

func BenchmarkParseTaxi(b *testing.B) {
	src, err := os.ReadFile("../examples/taxi/taxi.tfxl")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		ParseFile("taxi.tfxl", src)
	}
}
