// Package taxitest gives tests the taxi example's transform graph: with
// made-up analyzer results, or analyzed over the real sample in
// ../shared/data/taxi. Only tests import it.
package taxitest

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/frontend"
	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/runtime/graph"
	"github.com/tfxc/tfxc/runtime/transform"
	"github.com/tfxc/tfxc/stdlib"
)

// root is the repository's folder.
func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Need skips the test outside CI when something it needs is missing, and
// fails it in CI, where .ci/run installs everything.
func Need(t testing.TB, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing in CI: %v", what, err)
	}
	t.Skipf("%s is missing: %v", what, err)
}

// Shared returns the path of a file in ../shared, or skips (fails in CI).
func Shared(t testing.TB, rel string) string {
	t.Helper()
	path := filepath.Join(root(), "..", "shared", rel)
	_, err := os.Stat(path)
	Need(t, path, err)
	return path
}

// Template checks and lowers examples/taxi/taxi.tfxl against schema (its
// own when nil).
func Template(t testing.TB, schema *frontend.Options) *tfgraph.Template {
	t.Helper()
	opts := frontend.Options{}
	if schema != nil {
		opts = *schema
	}
	prog, _, diags, err := frontend.CheckFile(filepath.Join(root(), "examples", "taxi", "taxi.tfxl"), opts)
	if err != nil || diags.HasErrors() {
		t.Fatal(err, diags)
	}
	tmpl, err := tfgraph.Lower(prog)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// Lower checks a pipeline's source and lowers its transform block.
func Lower(t testing.TB, src string) *tfgraph.Template {
	t.Helper()
	prog, diags := frontend.Check("p.tfxl", []byte(src), frontend.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	tmpl, err := tfgraph.Lower(prog)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// Bound returns the taxi template and its graph bound with made-up
// analyzer results, for tests of the graph's form rather than its values.
func Bound(t testing.TB) (*tfgraph.Template, *tfpb.GraphDef) {
	t.Helper()
	tmpl := Template(t, nil)
	results := tfgraph.Results{}
	for _, a := range tmpl.Analyzers {
		switch a.Kind {
		case stdlib.AnalyzerMeanVar:
			results[a.ID] = tfgraph.MeanVar(10, 4)
		case stdlib.AnalyzerQuantiles:
			results[a.ID] = tfgraph.Quantiles([]float64{41.8, 41.9, 42})
		case stdlib.AnalyzerVocabulary:
			results[a.ID] = tfgraph.Vocabulary([]string{"Cash", "Credit Card"})
		default:
			t.Fatalf("unexpected analyzer %s", a.Kind)
		}
	}
	g, err := tfgraph.Bind(tmpl, results)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl, g
}

// Fitted is the taxi transform analyzed over the real sample.
type Fitted struct {
	Template *tfgraph.Template
	Graph    *tfpb.GraphDef
	Feeds    map[string]*graph.Tensor // every row of the sample
	Rows     int
}

// Fit checks the example against the TFX taxi schema, analyzes the real
// sample (skipped outside CI when ../shared is absent) and binds the
// results.
func Fit(t testing.TB) *Fitted {
	t.Helper()
	schema, diags := frontend.LoadSchema(Shared(t, "data/taxi/schema.pbtxt"))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	tmpl := Template(t, &frontend.Options{Schema: schema})
	feeds, rows := SampleFeeds(t, tmpl.Inputs)
	g, err := transform.Fit(tmpl, feeds)
	if err != nil {
		t.Fatal(err)
	}
	return &Fitted{Template: tmpl, Graph: g, Feeds: feeds, Rows: rows}
}

// SampleFeeds reads every row of the real sample as the feeds of a graph's
// inputs, and returns them with the number of rows.
func SampleFeeds(t testing.TB, inputs []tfgraph.Input) (map[string]*graph.Tensor, int) {
	t.Helper()
	f, err := os.Open(Shared(t, "data/taxi/data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	feeds, err := transform.Feeds(records[0], records[1:], inputs)
	if err != nil {
		t.Fatal(err)
	}
	return feeds, len(records) - 1
}

// OutputNames lists the template's outputs.
func (f *Fitted) OutputNames() []string {
	var names []string
	for _, o := range f.Template.Outputs {
		names = append(names, o.Name)
	}
	return names
}

// SharedSource returns the text of examples/taxi/taxi.tfxl rewritten to
// read the real sample and its schema in ../shared (by absolute path), for
// tests that run the pipeline on it.
func SharedSource(t testing.TB) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(root(), "examples", "taxi", "taxi.tfxl"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(src), `csv("data/taxi.csv")`, `csv("`+Shared(t, "data/taxi/data.csv")+`")`, 1)
	return strings.Replace(text, `schema "schema.pbtxt"`, `schema "`+Shared(t, "data/taxi/schema.pbtxt")+`"`, 1)
}
