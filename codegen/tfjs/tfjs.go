// Package tfjs writes a frozen TensorFlow graph as a TF.js graph model:
// model.json (the graph as proto3 JSON, the table initialisation as its
// modelInitializer, the weights manifest) and one weights file holding
// every constant. The layout follows what TF.js 4.22's loader reads, as
// recorded in the project's notes on TF.js graph models.
package tfjs

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/internal/atomicdir"
	tfpb "github.com/tfxc/tfxc/pb/tf"
)

// WeightsFile is the name of the single weights shard.
const WeightsFile = "group1-shard1of1.bin"

// Model is what Write needs: the frozen graph and the nodes that fill its
// lookup tables.
type Model struct {
	Graph        *tfpb.GraphDef
	Initializers []string // e.g. LookupTableImportV2 nodes
	ConvertedBy  string   // free text recorded in model.json, e.g. "tfxc devel"
}

// weightEntry is one entry of the weights manifest.
type weightEntry struct {
	Name  string  `json:"name"`
	Shape []int64 `json:"shape"`
	DType string  `json:"dtype"`
}

type manifestGroup struct {
	Paths   []string      `json:"paths"`
	Weights []weightEntry `json:"weights"`
}

type modelJSON struct {
	Format           string          `json:"format"`
	GeneratedBy      string          `json:"generatedBy"`
	ConvertedBy      string          `json:"convertedBy"`
	ModelTopology    json.RawMessage `json:"modelTopology"`
	ModelInitializer json.RawMessage `json:"modelInitializer,omitempty"`
	WeightsManifest  []manifestGroup `json:"weightsManifest"`
}

// Write writes the model into dir, which must not exist yet or is
// replaced: everything is written into a temporary sibling first and
// renamed into place, so a failed write leaves no half-written model.
func Write(dir string, m *Model) error {
	main, init, err := split(m)
	if err != nil {
		return err
	}
	var weights bytes.Buffer
	var entries []weightEntry
	for _, g := range []*tfpb.GraphDef{main, init} {
		for _, n := range g.GetNode() {
			if n.GetOp() != "Const" {
				continue
			}
			e, err := moveToWeights(n, &weights)
			if err != nil {
				return fmt.Errorf("constant %s: %w", n.GetName(), err)
			}
			entries = append(entries, e)
		}
	}
	opts := protojson.MarshalOptions{}
	topo, err := opts.Marshal(main)
	if err != nil {
		return err
	}
	mj := modelJSON{
		Format:          "graph-model",
		GeneratedBy:     "tfxc",
		ConvertedBy:     m.ConvertedBy,
		ModelTopology:   topo,
		WeightsManifest: []manifestGroup{{Paths: []string{WeightsFile}, Weights: entries}},
	}
	if len(init.GetNode()) > 0 {
		if mj.ModelInitializer, err = opts.Marshal(init); err != nil {
			return err
		}
	}
	js, err := json.Marshal(mj)
	if err != nil {
		return err
	}
	return atomicdir.Write(dir, map[string][]byte{"model.json": js, WeightsFile: weights.Bytes()})
}

// split separates the table initialisation (the initializer nodes and the
// constants only they read) from the graph. The tables themselves stay in
// both, under the same name: TF.js shares a table by name between the
// modelInitializer, which it runs once, and the model.
func split(m *Model) (main, init *tfpb.GraphDef, err error) {
	g := proto.Clone(m.Graph).(*tfpb.GraphDef)
	byName := map[string]*tfpb.NodeDef{}
	for _, n := range g.GetNode() {
		byName[n.GetName()] = n
	}
	inInit := map[string]bool{}
	for _, name := range m.Initializers {
		n, ok := byName[name]
		if !ok {
			return nil, nil, fmt.Errorf("initializer %s is not in the graph", name)
		}
		inInit[name] = true
		for _, in := range n.GetInput() {
			inInit[in] = true
		}
	}
	usedByMain := map[string]bool{}
	for _, n := range g.GetNode() {
		if inInit[n.GetName()] && byName[n.GetName()].GetOp() != "HashTableV2" {
			continue
		}
		for _, in := range n.GetInput() {
			usedByMain[in] = true
		}
	}
	main = &tfpb.GraphDef{Versions: g.GetVersions()}
	init = &tfpb.GraphDef{Versions: g.GetVersions()}
	for _, n := range g.GetNode() {
		name := n.GetName()
		switch {
		case !inInit[name]:
			main.Node = append(main.Node, n)
		case n.GetOp() == "HashTableV2":
			main.Node = append(main.Node, n)
			init.Node = append(init.Node, proto.Clone(n).(*tfpb.NodeDef))
		case usedByMain[name]:
			return nil, nil, fmt.Errorf("node %s feeds both an initializer and the model", name)
		default:
			init.Node = append(init.Node, n)
		}
	}
	return main, init, nil
}

// moveToWeights appends a Const's values to the weights and clears them
// from the node, keeping its dtype and shape: TF.js reads a Const's value
// from the weights under the node's name. int64 values are written as
// int32, which is how TF.js computes them.
func moveToWeights(n *tfpb.NodeDef, w *bytes.Buffer) (weightEntry, error) {
	t := n.GetAttr()["value"].GetTensor()
	var shape []int64
	count := int64(1)
	for _, d := range t.GetTensorShape().GetDim() {
		shape = append(shape, d.GetSize())
		count *= d.GetSize()
	}
	if len(t.GetTensorContent()) > 0 {
		return weightEntry{}, fmt.Errorf("tensor_content is not supported; write typed values")
	}
	// Fewer values than elements repeat the last, as TensorFlow reads them;
	// no values at all are zeros.
	at := func(n int, i int64) int64 { return min(i, int64(n-1)) }
	have := len(t.GetFloatVal()) + len(t.GetInt64Val()) + len(t.GetIntVal()) + len(t.GetBoolVal()) + len(t.GetStringVal())
	if have == 0 && count > 0 {
		return weightEntry{}, fmt.Errorf("a constant of %d elements without values is not supported", count)
	}
	e := weightEntry{Name: n.GetName(), Shape: shape}
	if shape == nil {
		e.Shape = []int64{}
	}
	le := binary.LittleEndian
	switch t.GetDtype() {
	case tfpb.DataType_DT_FLOAT:
		e.DType = "float32"
		for i := range count {
			_ = binary.Write(w, le, math.Float32bits(t.FloatVal[at(len(t.FloatVal), i)]))
		}
		t.FloatVal = nil
	case tfpb.DataType_DT_INT64:
		e.DType = "int32"
		for i := range count {
			v := t.Int64Val[at(len(t.Int64Val), i)]
			if v < math.MinInt32 || v > math.MaxInt32 {
				return e, fmt.Errorf("int64 value %d does not fit the int32 in which TF.js computes int64", v)
			}
			_ = binary.Write(w, le, int32(v))
		}
		t.Int64Val = nil
	case tfpb.DataType_DT_INT32:
		e.DType = "int32"
		for i := range count {
			_ = binary.Write(w, le, t.IntVal[at(len(t.IntVal), i)])
		}
		t.IntVal = nil
	case tfpb.DataType_DT_BOOL:
		e.DType = "bool"
		for i := range count {
			b := byte(0)
			if t.BoolVal[at(len(t.BoolVal), i)] {
				b = 1
			}
			w.WriteByte(b)
		}
		t.BoolVal = nil
	case tfpb.DataType_DT_STRING:
		e.DType = "string"
		for i := range count {
			s := t.StringVal[at(len(t.StringVal), i)]
			_ = binary.Write(w, le, uint32(len(s)))
			w.Write(s)
		}
		t.StringVal = nil
	default:
		return e, fmt.Errorf("constants of type %s are not supported", t.GetDtype())
	}
	return e, nil
}
