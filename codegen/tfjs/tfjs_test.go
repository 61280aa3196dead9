package tfjs_test

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/tfxc/tfxc/codegen/opreg"
	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/codegen/tfjs"
	"github.com/tfxc/tfxc/frontend"
	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/runtime/graph"
	"github.com/tfxc/tfxc/runtime/transform"
	"github.com/tfxc/tfxc/tfjs/harness"
)

// need skips outside CI when something the test needs is missing, and
// fails in CI, where .ci/run installs it.
func need(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing in CI: %v", what, err)
	}
	t.Skipf("%s is missing: %v (make test installs it)", what, err)
}

// TestTaxiAgreesWithTFJS transforms every row of the real taxi sample with
// the example's transforms, analyzed over the sample, in the Go executor
// and in TF.js from the written model: integers must agree exactly, floats
// within 1e-6 relative.
func TestTaxiAgreesWithTFJS(t *testing.T) {
	h, err := harness.Find()
	need(t, "the TF.js harness", err)
	dataPath := "../../../shared/data/taxi/data.csv"
	_, err = os.Stat(dataPath)
	need(t, dataPath, err)
	schema, diags := frontend.LoadSchema("../../../shared/data/taxi/schema.pbtxt")
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
	f, err := os.Open(dataPath)
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(f).ReadAll()
	f.Close()
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
	reg, err := opreg.Default()
	need(t, "TensorFlow's op registry", err)
	if err := reg.Validate(g); err != nil {
		t.Fatalf("the taxi graph is not valid TensorFlow: %v", err)
	}
	exe, err := graph.Compile(g, tmpl.Initializers...)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range tmpl.Outputs {
		names = append(names, o.Name)
	}
	want, err := exe.Run(feeds, names...)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "tfjs")
	if err := tfjs.Write(dir, &tfjs.Model{Graph: g, Initializers: tmpl.Initializers, ConvertedBy: "tfxc test"}); err != nil {
		t.Fatal(err)
	}
	got, err := h.Run(dir, feeds, names)
	if err != nil {
		t.Fatal(err)
	}
	rows := len(records) - 1
	for i, name := range names {
		w, g := want[i], got[name]
		if len(g.Values) != rows || w.Len() != rows {
			t.Fatalf("%s: %d TF.js values, %d Go values, %d rows", name, len(g.Values), w.Len(), rows)
		}
		bad := 0
		for r := range rows {
			gv, wv := g.Values[r], w.Float64At(r)
			var agree bool
			if w.DType == tfpb.DataType_DT_FLOAT {
				agree = math.Abs(gv-wv) <= 1e-6*math.Abs(wv) || (math.IsNaN(gv) && math.IsNaN(wv))
			} else {
				agree = gv == wv
			}
			if !agree {
				if bad < 5 {
					t.Errorf("%s row %d: TF.js %v, Go %v", name, r, gv, wv)
				}
				bad++
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d of %d rows disagree", name, bad, rows)
		}
	}
}
