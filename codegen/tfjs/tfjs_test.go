package tfjs_test

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/tfxc/tfxc/codegen/opreg"
	"github.com/tfxc/tfxc/codegen/tfjs"
	"github.com/tfxc/tfxc/internal/taxitest"
	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/runtime/graph"
	"github.com/tfxc/tfxc/runtime/transform"
	"github.com/tfxc/tfxc/tfjs/harness"
)

// TestTaxiAgreesWithTFJS transforms every row of the real taxi sample with
// the example's transforms, analyzed over the sample, in the Go executor
// and in TF.js from the written model: integers must agree exactly, floats
// within 1e-6 relative.
func TestTaxiAgreesWithTFJS(t *testing.T) {
	h, err := harness.Find()
	taxitest.Need(t, "the TF.js harness", err)
	reg, err := opreg.Default()
	taxitest.Need(t, "TensorFlow's op registry", err)
	fit := taxitest.Fit(t)
	g, tmpl, feeds, names := fit.Graph, fit.Template, fit.Feeds, fit.OutputNames()
	if err := reg.Validate(g); err != nil {
		t.Fatalf("the taxi graph is not valid TensorFlow: %v", err)
	}
	exe, err := graph.Compile(g, tmpl.Initializers...)
	if err != nil {
		t.Fatal(err)
	}
	want, err := exe.Run(feeds, names...)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "tfjs")
	if err := tfjs.Write(dir, &tfjs.Model{Graph: g, Initializers: tmpl.Initializers, ConvertedBy: "tfxc test"}); err != nil {
		t.Fatal(err)
	}
	got, err := h.Run(dir, feeds, names)
	if err != nil {
		t.Fatal(err)
	}
	rows := fit.Rows
	for i, name := range names {
		w, g := want[i], got[name]
		if len(g.Values) != rows || w.Len() != rows {
			t.Fatalf("%s: %d TF.js values, %d Go values, %d rows", name, len(g.Values), w.Len(), rows)
		}
		bad := 0
		for r := range rows {
			gv, wv := g.Values[r], w.Float64At(r)
			var agree bool
			if w.DType == tfpb.DataType_DT_FLOAT {
				agree = math.Abs(gv-wv) <= 1e-6*math.Abs(wv) || (math.IsNaN(gv) && math.IsNaN(wv))
			} else {
				agree = gv == wv
			}
			if !agree {
				if bad < 5 {
					t.Errorf("%s row %d: TF.js %v, Go %v", name, r, gv, wv)
				}
				bad++
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d of %d rows disagree", name, bad, rows)
		}
	}
}

// TestEveryLoweringAgreesWithTFJS runs a pipeline that uses every lowered
// function and operator on random data, analyzed over it, in the Go
// executor and in TF.js.
func TestEveryLoweringAgreesWithTFJS(t *testing.T) {
	h, err := harness.Find()
	taxitest.Need(t, "the TF.js harness", err)
	src := `pipeline p
schema infer
examples csv("x.csv")
features {
    f: optional float
    i: int
    s: optional string
    v: vector(float, 3)
    tags: list(string)
    text: string
}
transform {
    a = z_score(fill(f, 0.0))
    b = scale_to_0_1(i)
    c = scale_by_min_max(i, output_min: -1.0, output_max: 1.0)
    d = log1p(fill(f, 0.0) * fill(f, 0.0))
    e = clip(i, min: 0, max: 10)
    g = bucketize(i, 4)
    h = apply_buckets(fill(f, 0.0), [-0.5, 0.0, 1.5])
    k = hash(fill(s, ""), 7)
    m = categorical(i, 5)
    n = vocabulary(fill(s, "x"), top_k: 3, oov: 2)
    o = vocabulary(i, oov: 1)
    p = fill(s, "") == "b" or i > 2 and not (i == 3)
    q = -i * 2 + i / 3 + i % 4
    r = z_score(v, elementwise: true)
    u = scale_by_min_max(v, output_min: 1.0, output_max: 2.0)
    w = pca(v, components: 2)
    x = pca(fill(f, 0.0), i, components: 1)
    y = vocabulary(fill(s, "x"), weights: fill(f, 0.0) * fill(f, 0.0), default: -5)
    z = vocabulary(tags, top_k: 3, oov: 2)
    t1 = vocabulary(tokenize(text, " ,"), top_k: 5)
    t2 = tfidf(vocabulary(ngrams(tokenize(text), [1, 3], sep: "_"), top_k: 20, oov: 3))
    t3 = tfidf(vocabulary(bag_of_words(tags, [1, 2]), top_k: 6), smooth: false)
    t4 = tfidf(vocabulary(tokenize(text, "")), vocab_size: 8)
    t5 = vocabulary(bag_of_words(tokenize(text, ""), [2, 4], sep: ""), top_k: 10)
}
`
	tmpl := taxitest.Lower(t, src)
	const n = 500
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"a", "b", "c", "", "long word", "é"}
	feeds := map[string]*graph.Tensor{}
	for _, in := range tmpl.Inputs {
		switch in.Feature {
		case "f":
			vals := make([]float32, n)
			for j := range vals {
				vals[j] = float32(rng.NormFloat64())
			}
			feeds["f"] = graph.Float32s([]int{n}, vals)
		case "i":
			vals := make([]int64, n)
			for j := range vals {
				vals[j] = rng.Int64N(12) - 2
			}
			feeds["i"] = graph.Int64s([]int{n}, vals)
		case "s":
			vals := make([]string, n)
			for j := range vals {
				vals[j] = words[rng.IntN(len(words))]
			}
			feeds["s"] = graph.Strings([]int{n}, vals)
		case "v":
			vals := make([]float32, 3*n)
			for j := range vals {
				vals[j] = float32(rng.Float64()*10) * float32(j%3)
			}
			feeds["v"] = graph.Float32s([]int{n, 3}, vals)
		case "tags":
			lengths := make([]int64, n)
			var vals []string
			for j := range lengths {
				lengths[j] = rng.Int64N(4)
				for range lengths[j] {
					vals = append(vals, words[rng.IntN(len(words))])
				}
			}
			feeds["tags"] = graph.Strings([]int{len(vals)}, vals)
			feeds[in.Lengths] = graph.Int64s([]int{n}, lengths)
		case "text":
			// ASCII only: StringSplit with an empty separator splits bytes in
			// TensorFlow and the Go executor, UTF-16 units in TF.js.
			parts := []string{"a", "b", "c", "", "long word", "x,y", "  "}
			vals := make([]string, n)
			for j := range vals {
				for range rng.IntN(6) {
					vals[j] += parts[rng.IntN(len(parts))] + " "
				}
			}
			feeds["text"] = graph.Strings([]int{n}, vals)
		}
		if in.Present != "" {
			present := make([]bool, n)
			for j := range present {
				present[j] = rng.IntN(5) > 0
			}
			feeds[in.Present] = graph.Bools([]int{n}, present)
		}
	}
	g, err := transform.Fit(tmpl, feeds)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := graph.Compile(g, tmpl.Initializers...)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range tmpl.Outputs {
		names = append(names, o.Name)
	}
	want, err := exe.Run(feeds, names...)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "tfjs")
	if err := tfjs.Write(dir, &tfjs.Model{Graph: g, Initializers: tmpl.Initializers}); err != nil {
		t.Fatal(err)
	}
	got, err := h.Run(dir, feeds, names)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range names {
		w, gv := want[i], got[name].Values
		if len(gv) != w.Len() {
			t.Errorf("%s: TF.js gave %d values, Go %d", name, len(gv), w.Len())
			continue
		}
		for j := range gv {
			x, y := gv[j], w.Float64At(j)
			if !(x == y || math.Abs(x-y) <= 1e-6*math.Abs(y) || (math.IsNaN(x) && math.IsNaN(y))) {
				t.Errorf("%s[%d]: TF.js %v, Go %v", name, j, x, y)
				break
			}
		}
	}
}

func TestWriteRefusesWhatTFJSCannotHold(t *testing.T) {
	p := func(tp *tfpb.TensorProto) *tfpb.GraphDef {
		return &tfpb.GraphDef{Node: []*tfpb.NodeDef{{Name: "c", Op: "Const", Attr: map[string]*tfpb.AttrValue{
			"dtype": {Value: &tfpb.AttrValue_Type{Type: tp.Dtype}},
			"value": {Value: &tfpb.AttrValue_Tensor{Tensor: tp}},
		}}}}
	}
	for name, g := range map[string]*tfpb.GraphDef{
		"int64 beyond int32":  p(&tfpb.TensorProto{Dtype: tfpb.DataType_DT_INT64, TensorShape: &tfpb.TensorShapeProto{}, Int64Val: []int64{17031081500}}),
		"no values":           p(&tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: &tfpb.TensorShapeProto{Dim: []*tfpb.TensorShapeProto_Dim{{Size: 2}}}}),
		"unknown initializer": {Node: nil},
	} {
		dir := filepath.Join(t.TempDir(), "m")
		m := &tfjs.Model{Graph: g}
		if name == "unknown initializer" {
			m.Initializers = []string{"nope"}
		}
		if err := tfjs.Write(dir, m); err == nil {
			t.Errorf("%s: written", name)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%s: a model folder was left", name)
		}
	}
}
