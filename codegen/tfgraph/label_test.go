package tfgraph_test

import (
	"testing"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/frontend"
	"github.com/tfxc/tfxc/internal/taxitest"
	"github.com/tfxc/tfxc/runtime/graph"
)

// TestTaxiLabel lowers big_tipper = tips > 0.2 * fare to a graph of its own
// and checks it against the rule computed here on the real sample.
func TestTaxiLabel(t *testing.T) {
	schema, diags := frontend.LoadSchema(taxitest.Shared(t, "data/taxi/schema.pbtxt"))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	prog, _, diags, err := frontend.CheckFile("../../examples/taxi/taxi.tfxl", frontend.Options{Schema: schema})
	if err != nil || diags.HasErrors() {
		t.Fatal(err, diags)
	}
	lt, err := tfgraph.LowerLabel(prog)
	if err != nil {
		t.Fatal(err)
	}
	var feats []string
	for _, in := range lt.Inputs {
		feats = append(feats, in.Feature)
	}
	if len(lt.Outputs) != 1 || lt.Outputs[0].Name != "big_tipper" || len(feats) != 2 {
		t.Fatalf("label template: outputs %v, inputs %v", lt.Outputs, feats)
	}
	exe, err := graph.Compile(lt.Graph)
	if err != nil {
		t.Fatal(err)
	}
	feeds, rows := taxitest.SampleFeeds(t, lt.Inputs)
	out, err := exe.Run(feeds, "big_tipper")
	if err != nil {
		t.Fatal(err)
	}
	positives := 0
	for r := range rows {
		tips, fare := feeds["tips"].F32[r], feeds["fare"].F32[r]
		want := tips > 0.2*fare
		if out[0].Bool[r] != want {
			t.Fatalf("row %d: tips %v fare %v: label %v, want %v", r, tips, fare, out[0].Bool[r], want)
		}
		if want {
			positives++
		}
	}
	if positives == 0 || positives == rows {
		t.Errorf("%d positives of %d", positives, rows)
	}
}
