package tfgraph

import (
	"fmt"

	tfpb "github.com/tfxc/tfxc/pb/tf"
)

// builder appends nodes to a GraphDef with unique names.
type builder struct {
	g     *tfpb.GraphDef
	names map[string]int
}

func newBuilder() *builder {
	return &builder{g: &tfpb.GraphDef{Versions: &tfpb.VersionDef{Producer: graphProducer}}, names: map[string]int{}}
}

// graphProducer is the GraphDef version TensorFlow 2.18 writes
// (TF_GRAPH_DEF_VERSION in tensorflow/core/public/version.h).
const graphProducer = 1994

// unique returns name, or name_N when name is taken.
func (b *builder) unique(name string) string {
	n := b.names[name]
	b.names[name] = n + 1
	if n == 0 {
		return name
	}
	return b.unique(fmt.Sprintf("%s_%d", name, n))
}

// op adds a node and returns its name.
func (b *builder) op(name, op string, attrs map[string]*tfpb.AttrValue, inputs ...string) string {
	name = b.unique(name)
	b.g.Node = append(b.g.Node, &tfpb.NodeDef{Name: name, Op: op, Input: inputs, Attr: attrs})
	return name
}

func typeAttr(t tfpb.DataType) *tfpb.AttrValue {
	return &tfpb.AttrValue{Value: &tfpb.AttrValue_Type{Type: t}}
}

func intAttr(i int64) *tfpb.AttrValue { return &tfpb.AttrValue{Value: &tfpb.AttrValue_I{I: i}} }

func boolAttr(v bool) *tfpb.AttrValue { return &tfpb.AttrValue{Value: &tfpb.AttrValue_B{B: v}} }

func shapeAttr(dims ...int64) *tfpb.AttrValue {
	return &tfpb.AttrValue{Value: &tfpb.AttrValue_Shape{Shape: shapeProto(dims...)}}
}

func shapeProto(dims ...int64) *tfpb.TensorShapeProto {
	s := &tfpb.TensorShapeProto{}
	for _, d := range dims {
		s.Dim = append(s.Dim, &tfpb.TensorShapeProto_Dim{Size: d})
	}
	return s
}

// constant adds a Const node holding a tensor.
func (b *builder) constant(name string, p *tfpb.TensorProto) string {
	return b.op(name, "Const", constAttrs(p))
}

func constAttrs(p *tfpb.TensorProto) map[string]*tfpb.AttrValue {
	return map[string]*tfpb.AttrValue{
		"dtype": typeAttr(p.Dtype),
		"value": {Value: &tfpb.AttrValue_Tensor{Tensor: p}},
	}
}

// tensorOf converts a Go value to a TensorProto: a scalar or a rank-1
// list of float32, int64, int32, string or bool.
func tensorOf(v any) (*tfpb.TensorProto, error) {
	switch v := v.(type) {
	case float32:
		return &tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: shapeProto(), FloatVal: []float32{v}}, nil
	case []float32:
		return &tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: shapeProto(int64(len(v))), FloatVal: v}, nil
	case int64:
		return &tfpb.TensorProto{Dtype: tfpb.DataType_DT_INT64, TensorShape: shapeProto(), Int64Val: []int64{v}}, nil
	case []int64:
		return &tfpb.TensorProto{Dtype: tfpb.DataType_DT_INT64, TensorShape: shapeProto(int64(len(v))), Int64Val: v}, nil
	case int32:
		return &tfpb.TensorProto{Dtype: tfpb.DataType_DT_INT32, TensorShape: shapeProto(), IntVal: []int32{v}}, nil
	case []int32:
		return &tfpb.TensorProto{Dtype: tfpb.DataType_DT_INT32, TensorShape: shapeProto(int64(len(v))), IntVal: v}, nil
	case string:
		return &tfpb.TensorProto{Dtype: tfpb.DataType_DT_STRING, TensorShape: shapeProto(), StringVal: [][]byte{[]byte(v)}}, nil
	case []string:
		p := &tfpb.TensorProto{Dtype: tfpb.DataType_DT_STRING, TensorShape: shapeProto(int64(len(v)))}
		for _, s := range v {
			p.StringVal = append(p.StringVal, []byte(s))
		}
		return p, nil
	case bool:
		return &tfpb.TensorProto{Dtype: tfpb.DataType_DT_BOOL, TensorShape: shapeProto(), BoolVal: []bool{v}}, nil
	case [][]float32:
		p := &tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: shapeProto(int64(len(v)), 0)}
		if len(v) > 0 {
			p.TensorShape = shapeProto(int64(len(v)), int64(len(v[0])))
		}
		for _, row := range v {
			p.FloatVal = append(p.FloatVal, row...)
		}
		return p, nil
	case []bool:
		return &tfpb.TensorProto{Dtype: tfpb.DataType_DT_BOOL, TensorShape: shapeProto(int64(len(v))), BoolVal: v}, nil
	}
	return nil, fmt.Errorf("no tensor for a %T", v)
}

// value adds a Const node for a Go value.
func (b *builder) value(name string, v any) string {
	p, err := tensorOf(v)
	if err != nil {
		panic(err) // the lowering only passes the types above
	}
	return b.constant(name, p)
}
