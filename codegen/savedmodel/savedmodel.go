// Package savedmodel writes a frozen graph as a TensorFlow SavedModel:
// saved_model.pb with one MetaGraphDef tagged "serve" and an empty
// variables/ folder (the graph has no variables). Lookup tables are filled
// by a main op, recorded the ways TensorFlow's loader looks for one
// (tensorflow/python/saved_model/loader_impl.py, get_init_op): the
// __saved_model_init_op signature, the saved_model_main_op collection, and
// the table_initializer collection.
package savedmodel

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/internal/atomicdir"
	tfpb "github.com/tfxc/tfxc/pb/tf"
)

// Tensor names a graph tensor in a signature.
type Tensor struct {
	Key   string        // the signature's name for it
	Node  string        // the graph node; the tensor is Node:0
	DType tfpb.DataType //
	Shape []int64       // -1 for an unknown dimension
}

// Signature is a named function of the graph.
type Signature struct {
	Inputs, Outputs []Tensor
}

// Model is what Write needs.
type Model struct {
	Graph        *tfpb.GraphDef
	Initializers []string             // nodes that fill the lookup tables
	Signatures   map[string]Signature // e.g. serving_default, transform_features
}

// The names TensorFlow's SavedModel loader reads (signature_constants.py,
// constants.py).
const (
	initOpSignature   = "__saved_model_init_op"
	mainOpCollection  = "saved_model_main_op"
	tableInitializers = "table_initializer"
	predictMethod     = "tensorflow/serving/predict"
	mainOpName        = "tfxc_main_op"
)

// Build returns the SavedModel proto.
func Build(m *Model) (*tfpb.SavedModel, error) {
	g := proto.Clone(m.Graph).(*tfpb.GraphDef)
	mg := &tfpb.MetaGraphDef{
		MetaInfoDef:   &tfpb.MetaGraphDef_MetaInfoDef{Tags: []string{"serve"}, TensorflowVersion: "2.18.0"},
		SignatureDef:  map[string]*tfpb.SignatureDef{},
		CollectionDef: map[string]*tfpb.CollectionDef{},
	}
	for name, sig := range m.Signatures {
		sd := &tfpb.SignatureDef{Inputs: map[string]*tfpb.TensorInfo{}, Outputs: map[string]*tfpb.TensorInfo{}, MethodName: predictMethod}
		for _, t := range sig.Inputs {
			sd.Inputs[t.Key] = info(t)
		}
		for _, t := range sig.Outputs {
			sd.Outputs[t.Key] = info(t)
		}
		mg.SignatureDef[name] = sd
	}
	if len(m.Initializers) > 0 {
		for _, n := range g.GetNode() {
			if n.GetName() == mainOpName {
				return nil, fmt.Errorf("the graph already has a node named %s", mainOpName)
			}
		}
		main := &tfpb.NodeDef{Name: mainOpName, Op: "NoOp"}
		for _, init := range m.Initializers {
			main.Input = append(main.Input, "^"+init)
		}
		g.Node = append(g.Node, main)
		mg.SignatureDef[initOpSignature] = &tfpb.SignatureDef{Outputs: map[string]*tfpb.TensorInfo{
			initOpSignature: {Encoding: &tfpb.TensorInfo_Name{Name: mainOpName}, Dtype: tfpb.DataType_DT_INVALID},
		}}
		mg.CollectionDef[mainOpCollection] = nodeList(mainOpName)
		mg.CollectionDef[tableInitializers] = nodeList(m.Initializers...)
	}
	mg.GraphDef = g
	return &tfpb.SavedModel{SavedModelSchemaVersion: 1, MetaGraphs: []*tfpb.MetaGraphDef{mg}}, nil
}

func info(t Tensor) *tfpb.TensorInfo {
	shape := &tfpb.TensorShapeProto{}
	for _, d := range t.Shape {
		shape.Dim = append(shape.Dim, &tfpb.TensorShapeProto_Dim{Size: d})
	}
	return &tfpb.TensorInfo{Encoding: &tfpb.TensorInfo_Name{Name: t.Node + ":0"}, Dtype: t.DType, TensorShape: shape}
}

func nodeList(names ...string) *tfpb.CollectionDef {
	return &tfpb.CollectionDef{Kind: &tfpb.CollectionDef_NodeList_{NodeList: &tfpb.CollectionDef_NodeList{Value: names}}}
}

// Write writes the SavedModel into dir atomically.
func Write(dir string, m *Model) error {
	sm, err := Build(m)
	if err != nil {
		return err
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(sm) // the same model gives the same bytes
	if err != nil {
		return err
	}
	return atomicdir.Write(dir, map[string][]byte{"saved_model.pb": b}, "variables")
}

// FromTemplate describes a bound transform graph for Write: both
// serving_default and transform_features take the raw features (and the
// presence flags of those that may be missing) and give the transform
// outputs.
func FromTemplate(t *tfgraph.Template, g *tfpb.GraphDef) *Model {
	var sig Signature
	for _, in := range t.Inputs {
		sig.Inputs = append(sig.Inputs, Tensor{Key: in.Feature, Node: in.Feature, DType: in.DType, Shape: []int64{-1}})
		if in.Present != "" {
			sig.Inputs = append(sig.Inputs, Tensor{Key: in.Present, Node: in.Present, DType: tfpb.DataType_DT_BOOL, Shape: []int64{-1}})
		}
		if in.Lengths != "" {
			sig.Inputs = append(sig.Inputs, Tensor{Key: in.Lengths, Node: in.Lengths, DType: tfpb.DataType_DT_INT64, Shape: []int64{-1}})
		}
	}
	for _, out := range t.Outputs {
		sig.Outputs = append(sig.Outputs, Tensor{Key: out.Name, Node: out.Name, DType: out.DType, Shape: out.Shape})
		if out.Lengths != "" {
			sig.Outputs = append(sig.Outputs, Tensor{Key: out.Name + "__lengths", Node: out.Lengths, DType: tfpb.DataType_DT_INT64, Shape: []int64{-1}})
		}
	}
	return &Model{
		Graph:        g,
		Initializers: t.Initializers,
		Signatures:   map[string]Signature{"serving_default": sig, "transform_features": sig},
	}
}

// ForServing describes a serving graph (a bound transform followed by a
// model, see tfgraph.Serving) for Write: serving_default takes the raw
// features and gives the prediction (a row of class probabilities when
// classes > 0); transform_features gives the transform's outputs from the
// same inputs, as TFX's serving models do.
func ForServing(t *tfgraph.Template, g *tfpb.GraphDef, classes int) *Model {
	m := FromTemplate(t, g)
	transform := m.Signatures["transform_features"]
	shape := []int64{-1}
	if classes > 0 {
		shape = append(shape, int64(classes))
	}
	serving := Signature{Inputs: transform.Inputs, Outputs: []Tensor{
		{Key: tfgraph.PredictionNode, Node: tfgraph.PredictionNode, DType: tfpb.DataType_DT_FLOAT, Shape: shape},
	}}
	m.Signatures = map[string]Signature{"serving_default": serving, "transform_features": transform}
	return m
}
