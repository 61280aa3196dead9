package tfpb

import (
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

// constGraph returns a GraphDef with one float Const node.
func constGraph() *GraphDef {
	return &GraphDef{
		Node: []*NodeDef{{
			Name: "c",
			Op:   "Const",
			Attr: map[string]*AttrValue{
				"dtype": {Value: &AttrValue_Type{Type: DataType_DT_FLOAT}},
				"value": {Value: &AttrValue_Tensor{Tensor: &TensorProto{
					Dtype:       DataType_DT_FLOAT,
					TensorShape: &TensorShapeProto{Dim: []*TensorShapeProto_Dim{{Size: 2}}},
					FloatVal:    []float32{1.5, -2},
				}}},
			},
		}},
		Versions: &VersionDef{Producer: 1882},
	}
}

func TestGraphDefRoundTrip(t *testing.T) {
	g := constGraph()
	tests := []struct {
		name      string
		marshal   func(proto.Message) ([]byte, error)
		unmarshal func([]byte, proto.Message) error
	}{
		{"binary", proto.Marshal, proto.Unmarshal},
		{"json", protojson.Marshal, protojson.Unmarshal},
		{"text", prototext.Marshal, prototext.Unmarshal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.marshal(g)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			var got GraphDef
			if err := tc.unmarshal(b, &got); err != nil {
				t.Fatalf("unmarshal: %v\n%s", err, b)
			}
			if !proto.Equal(g, &got) {
				t.Errorf("round trip changed the graph:\n got %v\nwant %v", &got, g)
			}
			if v := got.GetNode()[0].GetAttr()["value"].GetTensor().GetFloatVal(); len(v) != 2 || v[0] != 1.5 {
				t.Errorf("const value = %v, want [1.5 -2]", v)
			}
		})
	}
}

func TestJSONNames(t *testing.T) {
	b, err := protojson.Marshal(constGraph())
	if err != nil {
		t.Fatal(err)
	}
	compact := strings.Join(strings.Fields(string(b)), "") // protojson varies its spacing
	for _, want := range []string{`"op":"Const"`, `"type":"DT_FLOAT"`, `"tensorShape":`, `"floatVal":[1.5,-2]`} {
		if !strings.Contains(compact, want) {
			t.Errorf("JSON %s lacks %s", compact, want)
		}
	}
}

// TestOpsPbtxt reads TensorFlow's op registry from the Go module cache, when
// scripts/genproto.sh has downloaded it there.
func TestOpsPbtxt(t *testing.T) {
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		cache = filepath.Join(build.Default.GOPATH, "pkg", "mod")
	}
	path := filepath.Join(cache, "github.com/tensorflow/tensorflow@v2.18.0+incompatible/tensorflow/core/ops/ops.pbtxt")
	src, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("ops.pbtxt not in the module cache in CI (make testdeps downloads it): %v", err)
		}
		t.Skipf("ops.pbtxt not in the module cache: %v", err)
	}
	var ops OpList
	if err := prototext.Unmarshal(src, &ops); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	var c *OpDef
	for _, op := range ops.GetOp() {
		if op.GetName() == "Const" {
			c = op
		}
	}
	if c == nil {
		t.Fatalf("no Const among %d ops", len(ops.GetOp()))
	}
	var attrs []string
	for _, a := range c.GetAttr() {
		attrs = append(attrs, a.GetName()+":"+a.GetType())
	}
	if got, want := strings.Join(attrs, " "), "value:tensor dtype:type"; got != want {
		t.Errorf("Const attrs = %q, want %q", got, want)
	}
}
