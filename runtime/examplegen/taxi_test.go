package examplegen

import (
	"os"
	"slices"
	"testing"

	"github.com/tfxc/tfxc/internal/taxitest"
	"github.com/tfxc/tfxc/pb/tfmd"
	"github.com/tfxc/tfxc/runtime/batch"
	"github.com/tfxc/tfxc/schema"
)

// taxiRows is the number of data rows of ../shared/data/taxi/data.csv.
const taxiRows = 15002

// taxiColumns reads the kinds of the taxi schema.
func taxiColumns(t testing.TB) []Column {
	s, _, err := schema.Load(taxitest.Shared(t, "data/taxi/schema.pbtxt"))
	if err != nil {
		t.Fatal(err)
	}
	var cols []Column
	for _, f := range s.Proto.GetFeature() {
		k := map[tfmd.FeatureType]batch.Kind{tfmd.FeatureType_INT: batch.Int, tfmd.FeatureType_FLOAT: batch.Float, tfmd.FeatureType_BYTES: batch.Bytes}[f.GetType()]
		if k == 0 {
			t.Fatalf("feature %s has type %v", f.GetName(), f.GetType())
		}
		cols = append(cols, Column{Name: f.GetName(), Kind: k})
	}
	return cols
}

func TestTaxi(t *testing.T) {
	path := taxitest.Shared(t, "data/taxi/data.csv")
	cols := taxiColumns(t)
	all := func([]string) []Column { return cols }
	want, rep, _ := readAllCSV(t, path, 0, all)
	if rep.Rows != taxiRows || rep.Bad.Total() != 0 || rep.Blank != 0 {
		t.Fatalf("read %d rows, bad %v, %d blank; want %d rows", rep.Rows, rep.Bad, rep.Blank, taxiRows)
	}
	// Lines run from 2 to 15003 without a gap.
	for i, r := range want {
		if r.Line != int64(i+2) {
			t.Fatalf("row %d has line %d", i, r.Line)
		}
	}
	for _, target := range []int64{1 << 10, 100 << 10, 333333} {
		got, rep, shards := readAllCSV(t, path, target, all)
		if !slices.Equal(got, want) || rep.Rows != taxiRows {
			t.Fatalf("target %d: %d shards read %d rows differently", target, len(shards), rep.Rows)
		}
	}
}

// TestTaxiSplit splits the taxi rows 2:1: the shares are near 2/3 and 1/3,
// and each row's split is the same for every sharding.
func TestTaxiSplit(t *testing.T) {
	path := taxitest.Shared(t, "data/taxi/data.csv")
	cols := taxiColumns(t)
	sp := Splitter{Names: []string{"train", "eval"}, Weights: []int{2, 1}}
	splitOf := func(target int64) map[int64]int {
		shards, header, err := PlanCSV(path, target)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]int{}
		for _, s := range shards {
			if _, err := ReadCSV(s, header, cols, 1000, func(b *batch.Batch) error {
				parts, err := sp.SplitBatch(b)
				if err != nil {
					return err
				}
				n := 0
				for i, p := range parts {
					if err := p.Check(); err != nil {
						return err
					}
					for _, line := range p.Lines {
						out[line] = i
					}
					n += p.Rows()
				}
				if n != b.Rows() {
					t.Fatalf("split %d rows into %d", b.Rows(), n)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	whole := splitOf(0)
	if len(whole) != taxiRows {
		t.Fatalf("%d rows split", len(whole))
	}
	var train int
	for _, s := range whole {
		if s == 0 {
			train++
		}
	}
	// A fair 2:1 split of 15002 rows has a standard deviation of 58 rows
	// in train; allow 4 of them.
	if diff := train - taxiRows*2/3; diff < -232 || diff > 232 {
		t.Errorf("train has %d of %d rows", train, taxiRows)
	}
	t.Logf("train %d, eval %d", train, taxiRows-train)
	for _, target := range []int64{4 << 10, 200 << 10} {
		if got := splitOf(target); !mapsEqual(got, whole) {
			t.Errorf("target %d splits differently", target)
		}
	}
}

func mapsEqual(a, b map[int64]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// benchCSV is a taxi-like CSV for benchmarks: $TFXC_BENCH_CSV (for
// instance go run ./examples/taxi/gendata -rows 200000 -o /tmp/x.csv), or
// else the shared taxi sample repeated to about 200,000 rows.
func benchCSV(b *testing.B) string {
	if p := os.Getenv("TFXC_BENCH_CSV"); p != "" {
		return p
	}
	data, err := os.ReadFile(taxitest.Shared(b, "data/taxi/data.csv"))
	if err != nil {
		b.Fatal(err)
	}
	header := data[:slices.Index(data, '\n')+1]
	body := data[len(header):]
	out := slices.Clone(header)
	for range 13 {
		out = append(out, body...)
	}
	path := b.TempDir() + "/taxi.csv"
	if err := os.WriteFile(path, out, 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

func taxiBatches(b *testing.B) []*batch.Batch {
	path := taxitest.Shared(b, "data/taxi/data.csv")
	shards, header, err := PlanCSV(path, 0)
	if err != nil {
		b.Fatal(err)
	}
	var out []*batch.Batch
	if _, err := ReadCSV(shards[0], header, taxiColumns(b), 4096, func(bt *batch.Batch) error { out = append(out, bt); return nil }); err != nil {
		b.Fatal(err)
	}
	return out
}

func BenchmarkReadCSV(b *testing.B) {
	path := benchCSV(b)
	cols := taxiColumns(b)
	shards, header, err := PlanCSV(path, 0)
	if err != nil {
		b.Fatal(err)
	}
	size := fileSize(b, path)
	b.SetBytes(size)
	var rows int64
	b.ResetTimer()
	for b.Loop() {
		rep, err := ReadCSV(shards[0], header, cols, 4096, func(*batch.Batch) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		rows += rep.Rows
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkPlanCSV(b *testing.B) {
	path := benchCSV(b)
	b.SetBytes(fileSize(b, path))
	for b.Loop() {
		if _, _, err := PlanCSV(path, 1<<20); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSplitBatch(b *testing.B) {
	batches := taxiBatches(b)
	sp := Splitter{Names: []string{"train", "eval"}, Weights: []int{2, 1}}
	rows := 0
	for _, bt := range batches {
		rows += bt.Rows()
	}
	b.ResetTimer()
	for b.Loop() {
		for _, bt := range batches {
			if _, err := sp.SplitRows(bt); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
