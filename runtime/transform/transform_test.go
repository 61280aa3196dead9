package transform_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfxc/tfxc/internal/taxitest"
	"github.com/tfxc/tfxc/runtime/graph"
	"github.com/tfxc/tfxc/runtime/transform"
)

// compile fits the taxi transform over the real sample and compiles it.
func compile(t testing.TB) (*taxitest.Fitted, *graph.Executable) {
	fit := taxitest.Fit(t)
	exe, err := graph.Compile(fit.Graph, fit.Template.Initializers...)
	if err != nil {
		t.Fatal(err)
	}
	return fit, exe
}

func TestTaxiTransform(t *testing.T) {
	fit, exe := compile(t)
	n := fit.Rows
	if n != 15002 {
		t.Fatalf("%d rows", n)
	}
	names := fit.OutputNames()
	out, err := exe.Run(fit.Feeds, names...)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*graph.Tensor{}
	for i, o := range out {
		if o.Len() != n {
			t.Errorf("%s has %d values", names[i], o.Len())
		}
		byName[names[i]] = o
	}
	// z-scores have mean 0 and variance 1 over the data they were fitted on.
	var sum, sq float64
	for _, v := range byName["fare_xf"].F32 {
		sum += float64(v)
		sq += float64(v) * float64(v)
	}
	if mean, variance := sum/float64(n), sq/float64(n)-(sum/float64(n))*(sum/float64(n)); mean > 1e-4 || mean < -1e-4 || variance < 0.999 || variance > 1.001 {
		t.Errorf("fare_xf mean %g variance %g", mean, variance)
	}
	// Quantile buckets split the data roughly evenly: 10 buckets, none
	// holding more than a quarter (coordinates repeat, so not exactly a tenth).
	counts := map[int64]int{}
	for _, v := range byName["pickup_lat_xf"].I64 {
		counts[v]++
	}
	for b, c := range counts {
		if b < 0 || b > 9 || c > n/4 {
			t.Errorf("pickup_lat_xf bucket %d holds %d rows", b, c)
		}
	}
	// The vocabulary's most frequent payment type gets id 0; ids stay below
	// top_k + oov.
	pay := map[int64]int{}
	for _, v := range byName["payment_type_xf"].I64 {
		pay[v]++
		if v < 0 || v >= 1010 {
			t.Fatalf("payment_type_xf id %d", v)
		}
	}
	for id, c := range pay {
		if id != 0 && c > pay[0] {
			t.Errorf("id %d (%d rows) is more frequent than id 0 (%d rows)", id, c, pay[0])
		}
	}
}

func BenchmarkTaxiTransform(b *testing.B) {
	fit, exe := compile(b)
	names := fit.OutputNames()
	b.ResetTimer()
	for b.Loop() {
		if _, err := exe.Run(fit.Feeds, names...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(fit.Rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// rowsOf returns rows [lo, hi) of rank-1 feeds.
func rowsOf(t *testing.T, feeds map[string]*graph.Tensor, lo, hi int) map[string]*graph.Tensor {
	out := map[string]*graph.Tensor{}
	for name, f := range feeds {
		if len(f.Shape) != 1 {
			t.Fatalf("feed %s has shape %v", name, f.Shape)
		}
		s := &graph.Tensor{DType: f.DType, Shape: []int{hi - lo}}
		switch {
		case f.F32 != nil:
			s.F32 = f.F32[lo:hi]
		case f.I64 != nil:
			s.I64 = f.I64[lo:hi]
		case f.Str != nil:
			s.Str = f.Str[lo:hi]
		case f.Bool != nil:
			s.Bool = f.Bool[lo:hi]
		default:
			t.Fatalf("feed %s: unexpected type %s", name, f.DType)
		}
		out[name] = s
	}
	return out
}

// TestAnalyzersCrossBoundaries analyzes the taxi sample in three shards,
// sends each shard's accumulators through MarshalBinary/UnmarshalBinary as
// the Beam job does, and gets exactly the results of merging them in
// memory.
func TestAnalyzersCrossBoundaries(t *testing.T) {
	fit := taxitest.Fit(t)
	cuts := []int{0, 4000, 9001, fit.Rows}
	var direct, decoded *transform.Analyzers
	for i := 0; i+1 < len(cuts); i++ {
		shard, err := transform.NewAnalyzers(fit.Template)
		if err != nil {
			t.Fatal(err)
		}
		if err := shard.Add(rowsOf(t, fit.Feeds, cuts[i], cuts[i+1])); err != nil {
			t.Fatal(err)
		}
		data, err := shard.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		received, err := transform.NewAnalyzers(fit.Template)
		if err != nil {
			t.Fatal(err)
		}
		if err := received.UnmarshalBinary(data); err != nil {
			t.Fatal(err)
		}
		if direct == nil {
			direct, decoded = shard, received
			continue
		}
		if err := direct.Merge(shard); err != nil {
			t.Fatal(err)
		}
		if err := decoded.Merge(received); err != nil {
			t.Fatal(err)
		}
	}
	want, err := direct.Results()
	if err != nil {
		t.Fatal(err)
	}
	got, err := decoded.Results()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results after a round trip differ (-direct +decoded):\n%s", diff)
	}
	if len(want) != len(fit.Template.Analyzers) {
		t.Errorf("%d results for %d analyzers", len(want), len(fit.Template.Analyzers))
	}
	other, err := transform.NewAnalyzers(fit.Template)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.UnmarshalBinary([]byte("not gob")); err == nil {
		t.Error("UnmarshalBinary accepted garbage")
	}
}
