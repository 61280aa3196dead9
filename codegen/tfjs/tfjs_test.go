package tfjs_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/tfxc/tfxc/codegen/opreg"
	"github.com/tfxc/tfxc/codegen/tfjs"
	"github.com/tfxc/tfxc/internal/taxitest"
	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/runtime/graph"
	"github.com/tfxc/tfxc/tfjs/harness"
)

// TestTaxiAgreesWithTFJS transforms every row of the real taxi sample with
// the example's transforms, analyzed over the sample, in the Go executor
// and in TF.js from the written model: integers must agree exactly, floats
// within 1e-6 relative.
func TestTaxiAgreesWithTFJS(t *testing.T) {
	h, err := harness.Find()
	taxitest.Need(t, "the TF.js harness", err)
	reg, err := opreg.Default()
	taxitest.Need(t, "TensorFlow's op registry", err)
	fit := taxitest.Fit(t)
	g, tmpl, feeds, names := fit.Graph, fit.Template, fit.Feeds, fit.OutputNames()
	if err := reg.Validate(g); err != nil {
		t.Fatalf("the taxi graph is not valid TensorFlow: %v", err)
	}
	exe, err := graph.Compile(g, tmpl.Initializers...)
	if err != nil {
		t.Fatal(err)
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
	rows := fit.Rows
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
