package savedmodel_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/codegen/opreg"
	"github.com/tfxc/tfxc/codegen/savedmodel"
	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/internal/taxitest"
	tfpb "github.com/tfxc/tfxc/pb/tf"
)

func TestTaxiSavedModel(t *testing.T) {
	tmpl, g := taxitest.Bound(t)
	dir := filepath.Join(t.TempDir(), "transform", "1")
	if err := savedmodel.Write(dir, savedmodel.FromTemplate(tmpl, g)); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "variables")); err != nil || !fi.IsDir() {
		t.Errorf("no variables folder: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("temporary folders left beside the model: %v", entries)
	}
	b, err := os.ReadFile(filepath.Join(dir, "saved_model.pb"))
	if err != nil {
		t.Fatal(err)
	}
	var sm tfpb.SavedModel
	if err := proto.Unmarshal(b, &sm); err != nil {
		t.Fatal(err)
	}
	mg := sm.GetMetaGraphs()[0]
	if !slices.Equal(mg.GetMetaInfoDef().GetTags(), []string{"serve"}) {
		t.Errorf("tags %v", mg.GetMetaInfoDef().GetTags())
	}
	for _, key := range []string{"serving_default", "transform_features"} {
		sig := mg.GetSignatureDef()[key]
		if sig == nil || len(sig.GetOutputs()) != len(tmpl.Outputs) || sig.GetOutputs()["fare_xf"].GetName() != "fare_xf:0" {
			t.Errorf("signature %s: %v", key, sig)
		}
		if in := sig.GetInputs()["fare"]; in.GetDtype() != tfpb.DataType_DT_FLOAT {
			t.Errorf("%s input fare: %v", key, in)
		}
		if _, leak := sig.GetInputs()["tips"]; leak {
			t.Errorf("%s takes tips, which is absent at serving time", key)
		}
	}
	if got := mg.GetCollectionDef()["table_initializer"].GetNodeList().GetValue(); !slices.Equal(got, tmpl.Initializers) {
		t.Errorf("table_initializer %v, want %v", got, tmpl.Initializers)
	}
	if mg.GetSignatureDef()["__saved_model_init_op"] == nil || mg.GetCollectionDef()["saved_model_main_op"] == nil {
		t.Error("no main op")
	}
	reg, err := opreg.Default()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	if err := reg.Validate(mg.GetGraphDef()); err != nil {
		t.Errorf("the SavedModel's graph is not valid TensorFlow: %v", err)
	}
}

func TestServingSavedModel(t *testing.T) {
	tmpl, g := taxitest.Bound(t)
	m := &tfgraph.Model{
		Inputs: []tfgraph.ModelInput{{Output: "fare_xf", Kind: tfgraph.Numeric, Width: 1}, {Output: "hour_xf", Kind: tfgraph.OneHot, Width: 24}},
		Layers: []tfgraph.Layer{{In: 25, Out: 1, W: make([]float32, 25), B: []float32{0}, Activation: "sigmoid"}},
	}
	sg, err := tfgraph.Serving(tmpl, g, m)
	if err != nil {
		t.Fatal(err)
	}
	sm, err := savedmodel.Build(savedmodel.ForServing(tmpl, sg, 0))
	if err != nil {
		t.Fatal(err)
	}
	sig := sm.GetMetaGraphs()[0].GetSignatureDef()["serving_default"]
	if out := sig.GetOutputs(); len(out) != 1 || out["prediction"].GetName() != "prediction:0" {
		t.Errorf("serving_default outputs %v", out)
	}
	if _, ok := sig.GetInputs()["fare"]; !ok {
		t.Error("serving_default does not take fare")
	}
	if _, leak := sig.GetInputs()["tips"]; leak {
		t.Error("serving_default takes tips, which is absent at serving time")
	}
	if tf := sm.GetMetaGraphs()[0].GetSignatureDef()["transform_features"]; len(tf.GetOutputs()) != len(tmpl.Outputs) {
		t.Errorf("transform_features has %d outputs", len(tf.GetOutputs()))
	}
}
