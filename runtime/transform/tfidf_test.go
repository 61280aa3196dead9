package transform_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/internal/taxitest"
	"github.com/tfxc/tfxc/runtime/graph"
	"github.com/tfxc/tfxc/runtime/transform"
)

// TestTfidfInTwoPasses: tfidf reads a vocabulary's ids, so its document
// frequencies are counted in a second pass, on the graph the vocabulary is
// bound in; shard accumulators of that pass encode and merge.
func TestTfidfInTwoPasses(t *testing.T) {
	src := "pipeline p\nschema infer\nexamples csv(\"x.csv\")\nfeatures {\n    a: string\n}\ntransform {\n    out = tfidf(vocabulary(tokenize(a)))\n}\n"
	tmpl := taxitest.Lower(t, src)
	if _, err := transform.NewAnalyzers(tmpl); err == nil {
		t.Error("NewAnalyzers took analyzers that need two passes")
	}
	batch := func(s ...string) map[string]*graph.Tensor {
		return map[string]*graph.Tensor{"a": graph.Strings([]int{len(s)}, s)}
	}
	// TFT's testStringToTFIDF rows, in two shards.
	b1, b2 := batch("hello hello world", "hello goodbye hello world"), batch("I like pie pie pie")
	all := batch("hello hello world", "hello goodbye hello world", "I like pie pie pie")

	first := tfgraph.FirstPass(tmpl)
	if len(first.Analyzers) != 1 {
		t.Fatalf("first pass of %d analyzers, want the vocabulary", len(first.Analyzers))
	}
	vocab, err := transform.NewAnalyzers(first)
	if err != nil {
		t.Fatal(err)
	}
	if err := vocab.Add(all); err != nil {
		t.Fatal(err)
	}
	res, err := vocab.Results()
	if err != nil {
		t.Fatal(err)
	}
	second, err := tfgraph.Partial(tmpl, res)
	if err != nil {
		t.Fatal(err)
	}
	shard := func(b map[string]*graph.Tensor) *transform.Analyzers {
		a, err := transform.NewAnalyzers(second)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Add(b); err != nil {
			t.Fatal(err)
		}
		return a
	}
	s1, s2 := shard(b1), shard(b2)
	data, err := s2.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	s2b, err := transform.NewAnalyzers(second)
	if err != nil {
		t.Fatal(err)
	}
	if err := s2b.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if err := s1.Merge(s2b); err != nil {
		t.Fatal(err)
	}
	merged, err := s1.Results()
	if err != nil {
		t.Fatal(err)
	}
	whole, err := shard(all).Results()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(whole, merged); diff != "" {
		t.Errorf("merged shards differ from one pass: %s", diff)
	}
	// Vocabulary hello, pie, world, like, goodbye, I; N = 3; smooth idf.
	idf := whole[second.Analyzers[0].ID]["idf"].([]float32)
	want := []float32{1.2876821, 1.6931472, 1.2876821, 1.6931472, 1.6931472, 1.6931472}
	if diff := cmp.Diff(want, idf); diff != "" {
		t.Errorf("idf: %s", diff)
	}

	g, err := transform.Fit(tmpl, b1, b2)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := graph.Compile(g, tmpl.Initializers...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exe.Run(all, "out")
	if err != nil {
		t.Fatal(err)
	}
	// Row 1: hello 2/3 * 1.2877, world 1/3 * 1.2877 (TFT's expected values).
	if got := out[0].F32[:6]; !cmp.Equal(got, []float32{0.8584547, 0, 0.42922735, 0, 0, 0}, cmp.Comparer(func(a, b float32) bool { return a-b < 1e-5 && b-a < 1e-5 })) {
		t.Errorf("row 1: %v", got)
	}
}
