package frontend_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tfxc/tfxc/frontend"
	"github.com/tfxc/tfxc/internal/taxitest"
	"github.com/tfxc/tfxc/lang"
)

const taxi = "../examples/taxi/taxi.tfxl"

func TestTaxiExampleChecksClean(t *testing.T) {
	prog, _, diags, err := frontend.CheckFile(taxi, frontend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diags {
		t.Errorf("%s", d.Error())
	}
	if prog == nil || prog.Model == nil || len(prog.Model.Inputs) != 14 {
		t.Fatalf("model inputs not resolved: %+v", prog)
	}
	byName := map[string]*lang.Transform{}
	for _, xf := range prog.Transforms {
		byName[xf.Name] = xf
	}
	for name, want := range map[string]lang.Type{
		"fare_xf":         lang.TFloat,
		"payment_type_xf": lang.CategoryOf(1010),
		"pickup_lat_xf":   lang.CategoryOf(10),
		"day_xf":          lang.CategoryOf(8),
	} {
		if got := byName[name].Type; got != want {
			t.Errorf("%s: type %s, want %s", name, got, want)
		}
	}
	if got := byName["fare_xf"].Analyzers; len(got) != 1 || got[0] != "mean_var" {
		t.Errorf("fare_xf analyzers = %v", got)
	}
	if prog.Label.Kind != lang.BinaryLabel || !prog.Excluded["tips"] {
		t.Errorf("label %+v, excluded %v", prog.Label, prog.Excluded)
	}
}

// TestTaxiAgainstSharedSchema checks the example against the TFX taxi
// schema, where every feature but eleven is optional: it checks because
// every optional input is filled.
func TestTaxiAgainstSharedSchema(t *testing.T) {
	schema := taxitest.Shared(t, "data/taxi/schema.pbtxt")
	s, diags := frontend.LoadSchema(schema)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	_, _, diags, err := frontend.CheckFile(taxi, frontend.Options{Schema: s})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diags {
		t.Errorf("%s", d.Error())
	}
}

// TestUnfilledOptionalAgainstSharedSchema removes one fill and expects the
// checker to notice that the feature may be missing.
func TestUnfilledOptionalAgainstSharedSchema(t *testing.T) {
	schema := taxitest.Shared(t, "data/taxi/schema.pbtxt")
	src := []byte(`pipeline p
schema "unused.pbtxt"
examples csv("x.csv")
transform {
    company_xf = vocabulary(company, top_k: 10)
}
`)
	s, _ := frontend.LoadSchema(schema)
	_, diags := frontend.Check("p.tfxl", src, frontend.Options{Schema: s})
	if len(diags) != 1 || diags[0].Code != lang.EOptionalUnfilled || diags[0].Range.Start.Col != 29 {
		t.Fatalf("want one E0301 at 5:29, got %v", diags)
	}
}

func TestPolicy(t *testing.T) {
	src := []byte("pipeline p\nschema \"testdata/diagnostics/schema.pbtxt\"\nexamples csv(\"x\")\npush \"d\" as tfjs\nmodel dnn {\n}\n")
	_, diags := frontend.Check("p.tfxl", src, frontend.Options{})
	var warned bool
	for _, d := range diags {
		warned = warned || d.Code == lang.WUnconditionalPush
	}
	if !warned {
		t.Fatalf("no unconditional-push warning in %v", diags)
	}
	_, diags = frontend.Check("p.tfxl", src, frontend.Options{Policy: lang.Policy{Allow: map[string]bool{"unconditional-push": true}}})
	for _, d := range diags {
		if d.Code == lang.WUnconditionalPush {
			t.Errorf("allowed warning still reported")
		}
	}
	_, diags = frontend.Check("p.tfxl", src, frontend.Options{Policy: lang.Policy{Deny: map[string]bool{"W0007": true}}})
	for _, d := range diags {
		if d.Code == lang.WUnconditionalPush && d.Severity != lang.SeverityError {
			t.Errorf("denied warning is a %s", d.Severity)
		}
	}
}

func TestBadFiles(t *testing.T) {
	if _, _, _, err := frontend.CheckFile("testdata/does-not-exist.tfxl", frontend.Options{}); err == nil {
		t.Error("missing file: no error")
	}
	for name, src := range map[string]string{
		"empty":   "",
		"binary":  "\x89PNG\r\n\x1a\n\x00\x00",
		"garbage": "}}}{{{ ((( ]]] \"",
	} {
		_, diags := frontend.Check(name, []byte(src), frontend.Options{})
		if !diags.HasErrors() {
			t.Errorf("%s: no error", name)
		}
	}
	_, diags := frontend.Check("p.tfxl", []byte("pipeline p\nschema \"nope.pbtxt\"\nexamples csv(\"x\")\n"), frontend.Options{})
	if len(diags) != 1 || diags[0].Code != lang.ESchemaRead {
		t.Errorf("missing schema: %v", diags)
	}
	if s, diags := frontend.LoadSchema("testdata/nope.pbtxt"); s != nil || len(diags) != 1 || diags[0].Code != lang.ESchemaRead || diags[0].Range.File != "testdata/nope.pbtxt" {
		t.Errorf("missing --schema: %v %v", s, diags)
	}
}

func FuzzCheck(f *testing.F) {
	files, _ := filepath.Glob("testdata/diagnostics/*.tfxl")
	files = append(files, taxi)
	for _, path := range files {
		if src, err := os.ReadFile(path); err == nil {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		// The checker must survive anything the parser lets through, with
		// the golden schema in scope.
		frontend.Check("testdata/diagnostics/fuzz.tfxl", src, frontend.Options{})
	})
}

func BenchmarkCheckTaxi(b *testing.B) {
	src, err := os.ReadFile(taxi)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, diags := frontend.Check(taxi, src, frontend.Options{}); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}
