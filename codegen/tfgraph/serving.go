package tfgraph

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	tfpb "github.com/tfxc/tfxc/pb/tf"
)

// InputKind says how a model reads a transform output.
type InputKind int

// The ways a model reads an input: a number as one column, a category id
// as a one-hot row of its cardinality, a vector as its columns.
const (
	Numeric InputKind = iota + 1
	OneHot
	Vector
)

// ModelInput is one input of a model: a transform output of the graph.
type ModelInput struct {
	Output string
	Kind   InputKind
	// Width is the number of columns it gives: 1 for a number, the
	// cardinality for a category, the length for a vector.
	Width int
}

// Layer is a dense layer: Activation(x·W + B).
type Layer struct {
	In, Out    int
	W          []float32 // In×Out, row-major
	B          []float32 // Out
	Activation string    // "relu", "sigmoid", "tanh", "softmax" (the last layer only) or "" (none)
}

// Model is a trained model as the serving graph computes it.
type Model struct {
	Inputs []ModelInput
	Layers []Layer
}

// Classes is the number of classes of a model with a softmax head, 0 for
// a model that gives one value per example.
func (m *Model) Classes() int {
	if n := len(m.Layers); n > 0 && m.Layers[n-1].Activation == "softmax" {
		return m.Layers[n-1].Out
	}
	return 0
}

// PredictionNode names the serving graph's output: one prediction per
// example, or with a softmax head a row of class probabilities.
const PredictionNode = "prediction"

// Serving appends a model to a bound transform graph: the model's inputs
// are assembled from the transform's outputs (numbers cast to float,
// categories one-hot, vectors as they are) into one matrix, which runs
// through the layers (MatMul, BiasAdd, then Relu, Tanh or Sigmoid) with the trained
// weights as constants. The result has one more output, PredictionNode, a
// float per example; the placeholders stay those of the transform, so the
// serving graph takes raw features and nothing the serving environment
// lacks.
func Serving(t *Template, bound *tfpb.GraphDef, m *Model) (*tfpb.GraphDef, error) {
	if len(m.Inputs) == 0 || len(m.Layers) == 0 {
		return nil, fmt.Errorf("serving graph: the model has no inputs or no layers")
	}
	outputs := map[string]Output{}
	for _, o := range t.Outputs {
		outputs[o.Name] = o
	}
	b := &builder{g: proto.Clone(bound).(*tfpb.GraphDef), names: map[string]int{}}
	for _, n := range b.g.GetNode() {
		b.names[n.GetName()] = 1
	}
	f32 := typeAttr(tfpb.DataType_DT_FLOAT)
	i32 := typeAttr(tfpb.DataType_DT_INT32)
	var cols []string
	width := 0
	for _, in := range m.Inputs {
		o, ok := outputs[in.Output]
		if !ok {
			return nil, fmt.Errorf("serving graph: model input %s is not a transform output", in.Output)
		}
		if o.Lengths != "" {
			return nil, fmt.Errorf("serving graph: model input %s is a list; a model takes numbers, categories and vectors", in.Output)
		}
		x := o.Name
		scope := "model/" + in.Output
		switch in.Kind {
		case Numeric, Vector:
			if o.DType != tfpb.DataType_DT_FLOAT {
				x = b.op(scope+"/float", "Cast", map[string]*tfpb.AttrValue{"SrcT": typeAttr(o.DType), "DstT": f32, "Truncate": boolAttr(false)}, x)
			}
			shape := b.value(scope+"/shape", []int32{-1, int32(in.Width)})
			x = b.op(scope+"/columns", "Reshape", map[string]*tfpb.AttrValue{"T": f32, "Tshape": i32}, x, shape)
		case OneHot:
			if o.DType != tfpb.DataType_DT_INT64 && o.DType != tfpb.DataType_DT_INT32 {
				return nil, fmt.Errorf("serving graph: category input %s is %s", in.Output, o.DType)
			}
			if o.DType != tfpb.DataType_DT_INT32 {
				// TF.js's oneHot takes int32 indices.
				x = b.op(scope+"/ids", "Cast", map[string]*tfpb.AttrValue{"SrcT": typeAttr(o.DType), "DstT": i32, "Truncate": boolAttr(false)}, x)
			}
			depth := b.value(scope+"/depth", int32(in.Width))
			on := b.value(scope+"/on", float32(1))
			off := b.value(scope+"/off", float32(0))
			x = b.op(scope+"/one_hot", "OneHot", map[string]*tfpb.AttrValue{"T": f32, "TI": i32, "axis": intAttr(-1)}, x, depth, on, off)
		default:
			return nil, fmt.Errorf("serving graph: model input %s has no kind", in.Output)
		}
		cols = append(cols, x)
		width += in.Width
	}
	x := cols[0]
	if len(cols) > 1 {
		axis := b.value("model/inputs/axis", int32(1))
		x = b.op("model/inputs", "ConcatV2", map[string]*tfpb.AttrValue{"N": intAttr(int64(len(cols))), "T": f32, "Tidx": i32}, append(cols, axis)...)
	}
	in := width
	for i, l := range m.Layers {
		if l.In != in || len(l.W) != l.In*l.Out || len(l.B) != l.Out {
			return nil, fmt.Errorf("serving graph: layer %d is %d×%d with %d weights and %d biases, after %d inputs", i, l.In, l.Out, len(l.W), len(l.B), in)
		}
		scope := fmt.Sprintf("model/dense_%d", i)
		w := b.constant(scope+"/kernel", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: shapeProto(int64(l.In), int64(l.Out)), FloatVal: l.W})
		bias := b.constant(scope+"/bias", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: shapeProto(int64(l.Out)), FloatVal: l.B})
		x = b.op(scope+"/MatMul", "MatMul", map[string]*tfpb.AttrValue{"T": f32, "transpose_a": boolAttr(false), "transpose_b": boolAttr(false)}, x, w)
		x = b.op(scope+"/BiasAdd", "BiasAdd", map[string]*tfpb.AttrValue{"T": f32, "data_format": {Value: &tfpb.AttrValue_S{S: []byte("NHWC")}}}, x, bias)
		switch l.Activation {
		case "relu":
			x = b.op(scope+"/Relu", "Relu", map[string]*tfpb.AttrValue{"T": f32}, x)
		case "sigmoid":
			x = b.op(scope+"/Sigmoid", "Sigmoid", map[string]*tfpb.AttrValue{"T": f32}, x)
		case "tanh":
			x = b.op(scope+"/Tanh", "Tanh", map[string]*tfpb.AttrValue{"T": f32}, x)
		case "softmax":
			if i != len(m.Layers)-1 {
				return nil, fmt.Errorf("serving graph: layer %d has a softmax; only the last may", i)
			}
			x = b.op(scope+"/Softmax", "Softmax", map[string]*tfpb.AttrValue{"T": f32}, x)
		case "":
		default:
			return nil, fmt.Errorf("serving graph: layer %d has activation %q", i, l.Activation)
		}
		in = l.Out
	}
	if classes := m.Classes(); classes == 0 {
		if in != 1 {
			return nil, fmt.Errorf("serving graph: the last layer gives %d values per example, want 1", in)
		}
		flat := b.value("model/prediction/shape", []int32{-1})
		x = b.op("model/prediction/flat", "Reshape", map[string]*tfpb.AttrValue{"T": f32, "Tshape": i32}, x, flat)
	} else if classes < 2 {
		return nil, fmt.Errorf("serving graph: a softmax over %d class", classes)
	}
	if _, taken := b.names[PredictionNode]; taken {
		return nil, fmt.Errorf("serving graph: the transform already has a node %s", PredictionNode)
	}
	b.op(PredictionNode, "Identity", map[string]*tfpb.AttrValue{"T": f32}, x)
	return b.g, nil
}
