package planner_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/frontend"
	"github.com/tfxc/tfxc/planner"
)

func compile(t *testing.T, file string, src []byte) *planner.Plan {
	t.Helper()
	prog, diags := frontend.Check(file, src, frontend.Options{})
	if diags.HasErrors() {
		t.Fatalf("%s does not check: %v", file, diags)
	}
	p, err := planner.Compile(prog, file)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTaxiPlan(t *testing.T) {
	file := "../examples/taxi/taxi.tfxl"
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p := compile(t, file, src)
	var ids []string
	for _, s := range p.Stages {
		ids = append(ids, s.ID)
	}
	want := []string{"examples", "statistics/train", "statistics/eval", "schema", "validate/train", "validate/eval", "analyze", "transform/train", "transform/eval", "train", "evaluate", "push/0"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("stages (-want +got):\n%s", diff)
	}
	abs, _ := filepath.Abs("../examples/taxi/data/taxi.csv")
	if p.Examples.Paths[0] != abs || p.AnalyzeSplit != "train" || p.Schema == nil {
		t.Errorf("examples %v, analyze split %q, schema %d bytes", p.Examples.Paths, p.AnalyzeSplit, len(p.Schema))
	}
	if m := p.Model; m == nil || m.Family != "dnn" || m.Label != "big_tipper" || m.LabelKind != "binary" || len(m.Inputs) != 14 ||
		m.Steps != 1000 || m.Batch != 40 || m.LearningRate != 0.001 || m.Activation != "relu" || !slices.Equal(m.Hidden, []int{100, 70, 48, 34}) {
		t.Errorf("model %+v", m)
	} else if in := m.Inputs[3]; in.Kind != tfgraph.OneHot || in.Width != 1010 {
		t.Errorf("model input %+v, want payment_type_xf one-hot of 1010", in)
	}
	if len(p.Pushes) != 1 || len(p.Pushes[0].Criteria) != 2 || !p.Pushes[0].Criteria[1].Bound.UsesBaseline() || p.Pushes[0].Criteria[0].Bound.UsesBaseline() {
		t.Errorf("pushes %+v", p.Pushes)
	} else if c := p.Pushes[0].Criteria[1]; c.Bound.Eval(func(string) float64 { return 0.5 }) != 0.5-1e-10 || c.Op != ">=" || c.Metric != "binary_accuracy" {
		t.Errorf("criterion %+v", c)
	}
	if len(p.Transform.Outputs) != 14 {
		t.Errorf("%d transform outputs, want 14", len(p.Transform.Outputs))
	}

	// The plan survives its JSON encoding, template and all.
	data, err := planner.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	back, err := planner.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	want1, err := p.Transform.Template()
	if err != nil {
		t.Fatal(err)
	}
	got1, err := back.Transform.Template()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want1.Graph, got1.Graph, protocmp.Transform()); diff != "" {
		t.Errorf("graph after a round trip:\n%s", diff)
	}
	for i, a := range want1.Analyzers {
		b := got1.Analyzers[i]
		for name := range a.Options {
			x, okx := a.IntOption(name)
			y, oky := b.IntOption(name)
			if okx != oky || x != y {
				t.Errorf("analyzer %s option %s: %v became %v", a.ID, name, a.Options[name], b.Options[name])
			}
		}
	}
	if diff := cmp.Diff(want1.Inputs, got1.Inputs); diff != "" {
		t.Errorf("inputs after a round trip:\n%s", diff)
	}

	// Another format is refused.
	if _, err := planner.Unmarshal(bytes.Replace(data, []byte(fmt.Sprintf(`"Format": %d`, planner.Format)), []byte(`"Format": 99`), 1)); err == nil || !strings.Contains(err.Error(), "format 99") {
		t.Errorf("a plan of format 99 gave %v", err)
	}

	// A changed transform changes the fingerprints of the stages that
	// depend on it, and only those.
	changed := compile(t, file, bytes.Replace(src, []byte("bucketize(fill(pickup_latitude, 0.0), 10)"), []byte("bucketize(fill(pickup_latitude, 0.0), 12)"), 1))
	for i, s := range p.Stages {
		c := changed.Stages[i]
		moved := s.Fingerprint != c.Fingerprint
		downstream := s.Kind == planner.Analyze || s.Kind == planner.TransformStage || s.Kind == planner.Trainer || s.Kind == planner.Evaluator || s.Kind == planner.Pusher
		if wantMoved := downstream; moved != wantMoved {
			t.Errorf("stage %s: fingerprint changed %v, want %v", s.ID, moved, wantMoved)
		}
	}

	var text, dot bytes.Buffer
	if err := p.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := p.WriteDOT(&dot); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"pipeline taxi", "statistics/train", "pickup_lat_xf", "quantiles", "model dnn of big_tipper: 14 inputs, 2264 columns", "company × payment_type", "  binary_accuracy >= 0.6"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("plan text lacks %q:\n%s", s, text.String())
		}
	}
	if !strings.Contains(dot.String(), `"analyze" -> "transform/eval";`) {
		t.Errorf("DOT lacks the analyze → transform/eval edge:\n%s", dot.String())
	}
}

// TestRawModelInput: a model input that is a raw feature reaches the model
// through a pass-through output of the transform graph, even when another
// transform fills the same feature.
func TestRawModelInput(t *testing.T) {
	file := "../examples/taxi/taxi.tfxl"
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p := compile(t, file, bytes.Replace(src, []byte("inputs trip_miles_xf,"), []byte("inputs trip_start_hour, trip_miles_xf,"), 1))
	want := "trip_start_hour" + planner.RawInputSuffix
	if in := p.Model.Inputs[0]; in.Output != want || in.Kind != tfgraph.Numeric || in.Width != 1 {
		t.Errorf("model input %+v, want %s, numeric", in, want)
	}
	if !slices.ContainsFunc(p.Transform.Outputs, func(o tfgraph.Output) bool { return o.Name == want }) {
		t.Errorf("the transform graph has no output %s", want)
	}
}
