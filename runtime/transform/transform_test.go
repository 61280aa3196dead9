package transform_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/frontend"
	"github.com/tfxc/tfxc/runtime/graph"
	"github.com/tfxc/tfxc/runtime/transform"
)

// sharedFile returns a path in ../shared: skipped outside CI when absent,
// a failure in CI.
func sharedFile(t testing.TB, rel string) string {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", rel)
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing in CI: %v", path, err)
		}
		t.Skipf("%s is missing: %v", path, err)
	}
	return path
}

// TaxiGraph analyzes the real taxi sample with the example's transforms
// and returns the frozen graph, its template and the sample's feeds.
func taxiGraph(t testing.TB) (*tfgraph.Template, *graph.Executable, map[string]*graph.Tensor, int) {
	t.Helper()
	schema, diags := frontend.LoadSchema(sharedFile(t, "data/taxi/schema.pbtxt"))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	prog, _, diags, err := frontend.CheckFile("../../examples/taxi/taxi.tfxl", frontend.Options{Schema: schema})
	if err != nil || diags.HasErrors() {
		t.Fatal(err, diags)
	}
	tmpl, err := tfgraph.Lower(prog)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(sharedFile(t, "data/taxi/data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	feeds, err := transform.Feeds(records[0], records[1:], tmpl.Inputs)
	if err != nil {
		t.Fatal(err)
	}
	g, err := transform.Fit(tmpl, feeds)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := graph.Compile(g, tmpl.Initializers...)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl, exe, feeds, len(records) - 1
}

func TestTaxiTransform(t *testing.T) {
	tmpl, exe, feeds, n := taxiGraph(t)
	if n != 15002 {
		t.Fatalf("%d rows", n)
	}
	var names []string
	for _, o := range tmpl.Outputs {
		names = append(names, o.Name)
	}
	out, err := exe.Run(feeds, names...)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*graph.Tensor{}
	for i, o := range out {
		if o.Len() != n {
			t.Errorf("%s has %d values", names[i], o.Len())
		}
		byName[names[i]] = o
	}
	// z-scores have mean 0 and variance 1 over the data they were fitted on.
	var sum, sq float64
	for _, v := range byName["fare_xf"].F32 {
		sum += float64(v)
		sq += float64(v) * float64(v)
	}
	if mean, variance := sum/float64(n), sq/float64(n)-(sum/float64(n))*(sum/float64(n)); mean > 1e-4 || mean < -1e-4 || variance < 0.999 || variance > 1.001 {
		t.Errorf("fare_xf mean %g variance %g", mean, variance)
	}
	// Quantile buckets split the data roughly evenly: 10 buckets, none
	// holding more than a quarter (coordinates repeat, so not exactly a tenth).
	counts := map[int64]int{}
	for _, v := range byName["pickup_lat_xf"].I64 {
		counts[v]++
	}
	for b, c := range counts {
		if b < 0 || b > 9 || c > n/4 {
			t.Errorf("pickup_lat_xf bucket %d holds %d rows", b, c)
		}
	}
	// The vocabulary's most frequent payment type gets id 0; ids stay below
	// top_k + oov.
	pay := map[int64]int{}
	for _, v := range byName["payment_type_xf"].I64 {
		pay[v]++
		if v < 0 || v >= 1010 {
			t.Fatalf("payment_type_xf id %d", v)
		}
	}
	for id, c := range pay {
		if id != 0 && c > pay[0] {
			t.Errorf("id %d (%d rows) is more frequent than id 0 (%d rows)", id, c, pay[0])
		}
	}
}

func BenchmarkTaxiTransform(b *testing.B) {
	tmpl, exe, feeds, n := taxiGraph(b)
	var names []string
	for _, o := range tmpl.Outputs {
		names = append(names, o.Name)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := exe.Run(feeds, names...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
