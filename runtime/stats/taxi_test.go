package stats

import (
	"encoding/csv"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/internal/taxitest"
	"github.com/tfxc/tfxc/pb/tfmd"
	"github.com/tfxc/tfxc/runtime/batch"
)

// taxiCSV reads the taxi sample: its header and records.
func taxiCSV(t testing.TB) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(taxitest.Shared(t, "data/taxi/data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs[0], recs[1:]
}

// taxiBatch types each column as TFDV's CSV decoder infers it (INT if
// every non-empty cell is an integer, else FLOAT if a number, else
// STRING) and holds an empty cell as a missing row.
func taxiBatch(header []string, recs [][]string) ([]Feature, *batch.Batch) {
	var fs []Feature
	b := &batch.Batch{}
	for j, name := range header {
		kind := batch.Int
		for _, r := range recs {
			if r[j] == "" {
				continue
			}
			if _, err := strconv.ParseInt(r[j], 10, 64); err == nil {
				continue
			}
			if _, err := strconv.ParseFloat(r[j], 64); err == nil {
				kind = max(kind, batch.Float)
				continue
			}
			kind = batch.Bytes
			break
		}
		c := batch.NewColumn(name, kind)
		for _, r := range recs {
			switch cell := r[j]; {
			case cell == "":
				c.AppendMissing()
			case kind == batch.Int:
				v, _ := strconv.ParseInt(cell, 10, 64)
				c.AppendInts(v)
			case kind == batch.Float:
				v, _ := strconv.ParseFloat(cell, 32)
				c.AppendFloats(float32(v))
			default:
				c.AppendStrings(cell)
			}
		}
		fs = append(fs, Feature{name, kind})
		b.Columns = append(b.Columns, c)
	}
	return fs, b
}

func feature(t *testing.T, r *tfmd.DatasetFeatureStatistics, name string) *tfmd.FeatureNameStatistics {
	t.Helper()
	for _, f := range r.Features {
		if f.GetPath().GetStep()[0] == name {
			return f
		}
	}
	t.Fatalf("no statistics for %s", name)
	return nil
}

func TestTaxi(t *testing.T) {
	header, recs := taxiCSV(t)
	fs, b := taxiBatch(header, recs)
	a := New(fs, Options{})
	if err := a.Add(b); err != nil {
		t.Fatal(err)
	}
	r, err := a.Result("train")
	if err != nil {
		t.Fatal(err)
	}
	if r.NumExamples != 15002 || int(r.NumExamples) != len(recs) || len(r.Features) != len(header) {
		t.Fatalf("%d examples, %d features", r.NumExamples, len(r.Features))
	}

	col := func(name string) int { return slices.Index(header, name) }
	empty := func(name string) uint64 {
		n := uint64(0)
		for _, rec := range recs {
			if rec[col(name)] == "" {
				n++
			}
		}
		return n
	}

	// pickup_latitude: a float with 2 empty cells.
	lat := feature(t, r, "pickup_latitude")
	if lat.Type != tfmd.FeatureNameStatistics_FLOAT {
		t.Errorf("pickup_latitude is %v", lat.Type)
	}
	if got := lat.GetNumStats().CommonStats.NumMissing; got != 2 || empty("pickup_latitude") != 2 {
		t.Errorf("pickup_latitude: %d missing, %d empty cells; want 2", got, empty("pickup_latitude"))
	}
	for _, name := range []string{"company", "dropoff_census_tract", "trip_seconds"} {
		f := feature(t, r, name)
		c := f.GetNumStats().GetCommonStats()
		if c == nil {
			c = f.GetStringStats().GetCommonStats()
		}
		if c.NumMissing != empty(name) || c.NumNonMissing+c.NumMissing != r.NumExamples || c.MinNumValues != 1 || c.MaxNumValues != 1 {
			t.Errorf("%s: %v, %d empty cells", name, c, empty(name))
		}
	}

	// fare: mean, standard deviation, extremes and median computed here.
	var fares []float64
	sum := 0.0
	for _, rec := range recs {
		v, _ := strconv.ParseFloat(rec[col("fare")], 32)
		fares = append(fares, float64(float32(v)))
		sum += float64(float32(v))
	}
	mean := sum / float64(len(fares))
	ss := 0.0
	for _, v := range fares {
		ss += (v - mean) * (v - mean)
	}
	std := math.Sqrt(ss / float64(len(fares)))
	slices.Sort(fares)
	fare := feature(t, r, "fare").GetNumStats()
	if math.Abs(fare.Mean-mean) > 1e-12*mean || math.Abs(fare.StdDev-std) > 1e-9*std {
		t.Errorf("fare mean %v std %v, computed %v and %v", fare.Mean, fare.StdDev, mean, std)
	}
	if fare.Min != fares[0] || fare.Max != fares[len(fares)-1] {
		t.Errorf("fare min %v max %v, want %v and %v", fare.Min, fare.Max, fares[0], fares[len(fares)-1])
	}
	if m := len(fares) / 2; fare.Median < fares[m-1] || fare.Median > fares[m] {
		t.Errorf("fare median %v, the middle values are %v and %v", fare.Median, fares[m-1], fares[m])
	}
	zeros := uint64(0)
	for _, v := range fares {
		if v == 0 {
			zeros++
		}
	}
	if fare.NumZeros != zeros {
		t.Errorf("fare has %d zeros, computed %d", fare.NumZeros, zeros)
	}
	for _, h := range fare.Histograms {
		if math.Abs(sumBuckets(h)-float64(len(fares))) > 1e-6 {
			t.Errorf("fare's %v histogram holds %v values", h.Type, sumBuckets(h))
		}
	}

	// payment_type: every distinct value and its count.
	counts := map[string]float64{}
	for _, rec := range recs {
		counts[rec[col("payment_type")]]++
	}
	pay := feature(t, r, "payment_type")
	ps := pay.GetStringStats()
	if pay.Type != tfmd.FeatureNameStatistics_STRING || ps.Unique != uint64(len(counts)) || len(ps.RankHistogram.Buckets) != len(counts) {
		t.Fatalf("payment_type: %v", ps)
	}
	for i, tv := range ps.TopValues {
		if counts[tv.Value] != tv.Frequency || (i > 0 && ps.TopValues[i-1].Frequency < tv.Frequency) {
			t.Errorf("payment_type top value %d: %v, counted %v", i, tv, counts[tv.Value])
		}
	}

	hour := feature(t, r, "trip_start_hour").GetNumStats()
	if feature(t, r, "trip_start_hour").Type != tfmd.FeatureNameStatistics_INT || hour.Min != 0 || hour.Max != 23 {
		t.Errorf("trip_start_hour: %v", hour)
	}

	// The same statistics from 7 shards of uneven batches.
	rows := make([]int, len(recs))
	for i := range rows {
		rows[i] = i
	}
	var merged *Accumulator
	for k := range 7 {
		lo, hi := k*len(rows)/7, (k+1)*len(rows)/7
		s := New(fs, Options{})
		for _, part := range [][]int{rows[lo : lo+(hi-lo)/3], rows[lo+(hi-lo)/3 : hi]} {
			if err := s.Add(b.Select(part)); err != nil {
				t.Fatal(err)
			}
		}
		if merged == nil {
			merged = s
		} else if err := s.Merge(merged); err != nil {
			t.Fatal(err)
		} else {
			merged = s
		}
	}
	got, _ := merged.Result("train")
	if !proto.Equal(got, r) {
		t.Error("sharded taxi statistics differ")
	}
}

// BenchmarkAdd measures Add of the taxi sample (18 features, 15002 rows)
// into one accumulator, the steady state of a shard.
func BenchmarkAdd(bm *testing.B) {
	header, recs := taxiCSV(bm)
	fs, b := taxiBatch(header, recs)
	values := 0
	for _, c := range b.Columns {
		values += c.NumValues()
	}
	a := New(fs, Options{})
	bm.ReportAllocs()
	bm.ResetTimer()
	for range bm.N {
		if err := a.Add(b); err != nil {
			bm.Fatal(err)
		}
	}
	bm.ReportMetric(float64(values)*float64(bm.N)/bm.Elapsed().Seconds(), "values/s")
	bm.ReportMetric(float64(b.Rows())*float64(bm.N)/bm.Elapsed().Seconds(), "rows/s")
}

// BenchmarkResult measures building the proto of the taxi sample.
func BenchmarkResult(bm *testing.B) {
	header, recs := taxiCSV(bm)
	fs, b := taxiBatch(header, recs)
	a := New(fs, Options{})
	if err := a.Add(b); err != nil {
		bm.Fatal(err)
	}
	bm.ResetTimer()
	for range bm.N {
		if _, err := a.Result("train"); err != nil {
			bm.Fatal(err)
		}
	}
}
