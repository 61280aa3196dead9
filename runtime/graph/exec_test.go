package graph

import (
	"math"
	"strings"
	"testing"

	farm "github.com/dgryski/go-farm"
	"github.com/google/go-cmp/cmp"

	tfpb "github.com/tfxc/tfxc/pb/tf"
)

// A tiny GraphDef builder for the tests.
type gb struct{ g *tfpb.GraphDef }

func (b *gb) add(name, op string, attrs map[string]*tfpb.AttrValue, inputs ...string) string {
	b.g.Node = append(b.g.Node, &tfpb.NodeDef{Name: name, Op: op, Input: inputs, Attr: attrs})
	return name
}

func typeAttr(t tfpb.DataType) *tfpb.AttrValue {
	return &tfpb.AttrValue{Value: &tfpb.AttrValue_Type{Type: t}}
}

func constAttr(p *tfpb.TensorProto) map[string]*tfpb.AttrValue {
	return map[string]*tfpb.AttrValue{"dtype": typeAttr(p.Dtype), "value": {Value: &tfpb.AttrValue_Tensor{Tensor: p}}}
}

func shapeProto(dims ...int64) *tfpb.TensorShapeProto {
	s := &tfpb.TensorShapeProto{}
	for _, d := range dims {
		s.Dim = append(s.Dim, &tfpb.TensorShapeProto_Dim{Size: d})
	}
	return s
}

func (b *gb) placeholder(name string, t tfpb.DataType) string {
	return b.add(name, "Placeholder", map[string]*tfpb.AttrValue{"dtype": typeAttr(t)})
}

func (b *gb) f32(name string, v ...float32) string {
	return b.add(name, "Const", constAttr(&tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: shapeProto(int64(len(v))), FloatVal: v}))
}

func (b *gb) scalarF32(name string, v float32) string {
	return b.add(name, "Const", constAttr(&tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: shapeProto(), FloatVal: []float32{v}}))
}

func (b *gb) i64(name string, shape []int64, v ...int64) string {
	return b.add(name, "Const", constAttr(&tfpb.TensorProto{Dtype: tfpb.DataType_DT_INT64, TensorShape: shapeProto(shape...), Int64Val: v}))
}

func (b *gb) i32(name string, v int32) string {
	return b.add(name, "Const", constAttr(&tfpb.TensorProto{Dtype: tfpb.DataType_DT_INT32, TensorShape: shapeProto(), IntVal: []int32{v}}))
}

func (b *gb) strs(name string, v ...string) string {
	p := &tfpb.TensorProto{Dtype: tfpb.DataType_DT_STRING, TensorShape: shapeProto(int64(len(v)))}
	for _, s := range v {
		p.StringVal = append(p.StringVal, []byte(s))
	}
	return b.add(name, "Const", constAttr(p))
}

func run(t *testing.T, g *tfpb.GraphDef, init []string, feeds map[string]*Tensor, fetch string) *Tensor {
	t.Helper()
	e, err := Compile(g, init...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Run(feeds, fetch)
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

// TestZScore: (x - mean) * (1/std) over a float32 batch.
func TestZScore(t *testing.T) {
	b := &gb{g: &tfpb.GraphDef{}}
	x := b.placeholder("x", tfpb.DataType_DT_FLOAT)
	d := b.add("d", "Sub", map[string]*tfpb.AttrValue{"T": typeAttr(tfpb.DataType_DT_FLOAT)}, x, b.scalarF32("mean", 1.5))
	b.add("z", "RealDiv", map[string]*tfpb.AttrValue{"T": typeAttr(tfpb.DataType_DT_FLOAT)}, d, b.scalarF32("std", 0.5))
	got := run(t, b.g, nil, map[string]*Tensor{"x": Float32s([]int{4}, []float32{1, 1, 2, 2})}, "z")
	if diff := cmp.Diff([]float32{-1, -1, 1, 1}, got.F32); diff != "" {
		t.Error(diff)
	}
}

// TestBucketize lowers apply_buckets as DESIGN.md says:
// Sum(Cast(LogicalNot(Less(ExpandDims(x, -1), boundaries)))): a value on a
// boundary goes up, NaN goes to the last bucket.
func TestBucketize(t *testing.T) {
	b := &gb{g: &tfpb.GraphDef{}}
	x := b.placeholder("x", tfpb.DataType_DT_FLOAT)
	ex := b.add("ex", "ExpandDims", nil, x, b.i32("axis", -1))
	less := b.add("less", "Less", nil, ex, b.f32("bounds", 0, 1, 2))
	not := b.add("not", "LogicalNot", nil, less)
	cast := b.add("cast", "Cast", map[string]*tfpb.AttrValue{"DstT": typeAttr(tfpb.DataType_DT_INT64)}, not)
	b.add("bucket", "Sum", nil, cast, b.i32("last", -1))
	nan := float32(math.NaN())
	got := run(t, b.g, nil, map[string]*Tensor{"x": Float32s([]int{6}, []float32{-1, 0, 0.5, 1, 7, nan})}, "bucket")
	if diff := cmp.Diff([]int64{0, 1, 1, 2, 3, 3}, got.I64); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]int{6}, got.Shape); diff != "" {
		t.Error(diff)
	}
}

// TestVocabulary: a static table filled at Compile, OOV ids as
// vocab_size + StringToHashBucketFast(x, oov).
func TestVocabulary(t *testing.T) {
	b := &gb{g: &tfpb.GraphDef{}}
	x := b.placeholder("x", tfpb.DataType_DT_STRING)
	tbl := b.add("table", "HashTableV2", map[string]*tfpb.AttrValue{
		"key_dtype": typeAttr(tfpb.DataType_DT_STRING), "value_dtype": typeAttr(tfpb.DataType_DT_INT64)})
	b.add("init", "LookupTableImportV2", nil, tbl, b.strs("keys", "Cash", "Credit Card"), b.i64("ids", []int64{2}, 0, 1))
	id := b.add("id", "LookupTableFindV2", nil, tbl, x, b.i64("default", nil, -1))
	h := b.add("h", "StringToHashBucketFast", map[string]*tfpb.AttrValue{"num_buckets": {Value: &tfpb.AttrValue_I{I: 10}}}, x)
	oov := b.add("oov", "AddV2", nil, h, b.i64("size", nil, 2))
	miss := b.add("miss", "Equal", nil, id, "default")
	b.add("out", "SelectV2", nil, miss, oov, id)
	got := run(t, b.g, []string{"init"}, map[string]*Tensor{"x": Strings([]int{3}, []string{"Credit Card", "Cash", "Bitcoin"})}, "out")
	want := []int64{1, 0, 2 + int64(farm.Fingerprint64([]byte("Bitcoin"))%10)}
	if diff := cmp.Diff(want, got.I64); diff != "" {
		t.Error(diff)
	}
}

func TestCompileErrors(t *testing.T) {
	for name, g := range map[string]*tfpb.GraphDef{
		"unknown op": {Node: []*tfpb.NodeDef{{Name: "a", Op: "AsString"}}},
		"dangling":   {Node: []*tfpb.NodeDef{{Name: "a", Op: "Identity", Input: []string{"nope"}}}},
		"cycle":      {Node: []*tfpb.NodeDef{{Name: "a", Op: "Identity", Input: []string{"b"}}, {Name: "b", Op: "Identity", Input: []string{"a"}}}},
		"duplicate":  {Node: []*tfpb.NodeDef{{Name: "a", Op: "Identity"}, {Name: "a", Op: "Identity"}}},
		"bad const":  {Node: []*tfpb.NodeDef{{Name: "c", Op: "Const", Attr: constAttr(&tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: shapeProto(1), FloatVal: []float32{1, 2}})}}},
	} {
		if _, err := Compile(g); err == nil {
			t.Errorf("%s: compiled", name)
		}
	}
	b := &gb{g: &tfpb.GraphDef{}}
	b.placeholder("x", tfpb.DataType_DT_FLOAT)
	e, err := Compile(b.g)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Run(map[string]*Tensor{"x": Int64s([]int{1}, []int64{1})}, "x"); err == nil || !strings.Contains(err.Error(), "wants DT_FLOAT") {
		t.Errorf("wrong feed dtype: %v", err)
	}
	if _, err := e.Run(nil, "x"); err == nil {
		t.Error("unfed placeholder ran")
	}
}

func TestBroadcast(t *testing.T) {
	b := &gb{g: &tfpb.GraphDef{}}
	x := b.placeholder("x", tfpb.DataType_DT_INT64)
	b.add("y", "Mul", nil, x, b.i64("k", []int64{1, 3}, 1, 10, 100))
	got := run(t, b.g, nil, map[string]*Tensor{"x": Int64s([]int{2, 1}, []int64{2, 3})}, "y")
	if diff := cmp.Diff([]int64{2, 20, 200, 3, 30, 300}, got.I64); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]int{2, 3}, got.Shape); diff != "" {
		t.Error(diff)
	}
}
