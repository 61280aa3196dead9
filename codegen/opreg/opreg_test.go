package opreg_test

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/tfxc/tfxc/codegen/opreg"
	"github.com/tfxc/tfxc/internal/taxitest"
	tfpb "github.com/tfxc/tfxc/pb/tf"
)

var registry = sync.OnceValues(opreg.Default)

func load(t *testing.T) *opreg.Registry {
	t.Helper()
	r, err := registry()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the op registry is missing in CI: %v", err)
		}
		t.Skipf("the op registry is missing: %v", err)
	}
	return r
}

func TestTaxiGraphsAreValid(t *testing.T) {
	r := load(t)
	tmpl, g := taxitest.Bound(t)
	if err := r.Validate(tmpl.Graph); err != nil {
		t.Errorf("template: %v", err)
	}
	if err := r.Validate(g); err != nil {
		t.Errorf("bound graph: %v", err)
	}
}

func TestEveryFunctionLowersToValidOps(t *testing.T) {
	r := load(t)
	src := `pipeline p
schema infer
examples csv("x.csv")
features {
    f: optional float
    i: int
    s: optional string
    v: vector(float, 3)
    tags: list(string)
}
transform {
    a = z_score(fill(f, 0.0))
    b = scale_to_0_1(i)
    c = scale_by_min_max(i, output_min: -1.0, output_max: 1.0)
    d = log1p(fill(f, 0.0))
    e = clip(i, min: 0, max: 10)
    g = bucketize(i, 4)
    h = apply_buckets(fill(f, 0.0), [0.5, 1.5])
    k = hash(fill(s, ""), 7)
    m = categorical(i, 5)
    n = vocabulary(fill(s, "x"), top_k: 5, oov: 2)
    o = vocabulary(i, oov: 1)
    p = fill(s, "") == "yes" or i > 2 and not (i == 3)
    q = -i * 2 + i / 3 + i % 4
    r = z_score(v, elementwise: true)
    t = scale_by_min_max(v, output_min: 1.0, output_max: 2.0)
    w = pca(v, components: 2)
    x = pca(fill(f, 0.0), i, components: 1)
    y = vocabulary(fill(s, "x"), weights: fill(f, 0.0) * fill(f, 0.0), default: -5)
    z = vocabulary(tags, top_k: 3, oov: 2)
}
`
	tmpl := taxitest.Lower(t, src)
	if err := r.Validate(tmpl.Graph); err != nil {
		t.Error(err)
	}
}

func TestRejectsWrongGraphs(t *testing.T) {
	r := load(t)
	typ := func(dt tfpb.DataType) *tfpb.AttrValue { return &tfpb.AttrValue{Value: &tfpb.AttrValue_Type{Type: dt}} }
	ph := func(name string, dt tfpb.DataType) *tfpb.NodeDef {
		return &tfpb.NodeDef{Name: name, Op: "Placeholder", Attr: map[string]*tfpb.AttrValue{"dtype": typ(dt)}}
	}
	f32, i64 := tfpb.DataType_DT_FLOAT, tfpb.DataType_DT_INT64
	for name, tc := range map[string]struct {
		nodes []*tfpb.NodeDef
		want  string
	}{
		"missing attr": {[]*tfpb.NodeDef{ph("x", f32), {Name: "y", Op: "Sub", Input: []string{"x", "x"}}}, "attr T is required"},
		"unknown attr": {[]*tfpb.NodeDef{ph("x", f32), {Name: "y", Op: "Identity", Input: []string{"x"}, Attr: map[string]*tfpb.AttrValue{"T": typ(f32), "Tout": typ(f32)}}}, "unknown attr Tout"},
		"dtype mismatch": {[]*tfpb.NodeDef{ph("x", f32), ph("z", i64),
			{Name: "y", Op: "Sub", Input: []string{"x", "z"}, Attr: map[string]*tfpb.AttrValue{"T": typ(f32)}}}, "is DT_INT64, the op wants DT_FLOAT"},
		"arity":       {[]*tfpb.NodeDef{ph("x", f32), {Name: "y", Op: "Sub", Input: []string{"x"}, Attr: map[string]*tfpb.AttrValue{"T": typ(f32)}}}, "has 1 inputs, the op takes 2"},
		"dangling":    {[]*tfpb.NodeDef{{Name: "y", Op: "Identity", Input: []string{"nope"}, Attr: map[string]*tfpb.AttrValue{"T": typ(f32)}}}, "input nope does not exist"},
		"unknown op":  {[]*tfpb.NodeDef{{Name: "y", Op: "NoSuchOp"}}, "no such op"},
		"not allowed": {[]*tfpb.NodeDef{ph("x", tfpb.DataType_DT_STRING), {Name: "y", Op: "Sub", Input: []string{"x", "x"}, Attr: map[string]*tfpb.AttrValue{"T": typ(tfpb.DataType_DT_STRING)}}}, "not allowed"},
		"cycle": {[]*tfpb.NodeDef{
			{Name: "a", Op: "Identity", Input: []string{"b"}, Attr: map[string]*tfpb.AttrValue{"T": typ(f32)}},
			{Name: "b", Op: "Identity", Input: []string{"a"}, Attr: map[string]*tfpb.AttrValue{"T": typ(f32)}}}, "cycle"},
		"table init attrs": {[]*tfpb.NodeDef{
			{Name: "t", Op: "HashTableV2", Attr: map[string]*tfpb.AttrValue{"key_dtype": typ(tfpb.DataType_DT_STRING), "value_dtype": typ(i64)}},
			ph("k", tfpb.DataType_DT_STRING), ph("v", i64),
			{Name: "init", Op: "InitializeTableV2", Input: []string{"t", "k", "v"}, Attr: map[string]*tfpb.AttrValue{"Tin": typ(tfpb.DataType_DT_STRING), "Tout": typ(i64)}}}, "unknown attr Tin"},
	} {
		err := r.Validate(&tfpb.GraphDef{Node: tc.nodes})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, tc.want)
		}
	}
}
