package stats

import (
	"math"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/pb/tfmd"
	"github.com/tfxc/tfxc/runtime/batch"
)

// row is one cell of a test column: nil is a missing row, a non-nil empty
// slice an empty list.
type floatRows [][]float32
type intRows [][]int64
type stringRows [][]string

func floatCol(name string, rows floatRows) *batch.Column {
	c := batch.NewColumn(name, batch.Float)
	for _, r := range rows {
		if r == nil {
			c.AppendMissing()
		} else {
			c.AppendFloats(r...)
		}
	}
	return c
}

func intCol(name string, rows intRows) *batch.Column {
	c := batch.NewColumn(name, batch.Int)
	for _, r := range rows {
		if r == nil {
			c.AppendMissing()
		} else {
			c.AppendInts(r...)
		}
	}
	return c
}

func stringCol(name string, rows stringRows) *batch.Column {
	c := batch.NewColumn(name, batch.Bytes)
	for _, r := range rows {
		if r == nil {
			c.AppendMissing()
		} else {
			c.AppendStrings(r...)
		}
	}
	return c
}

// result computes the statistics of one batch.
func result(t *testing.T, opts Options, cols ...*batch.Column) *tfmd.DatasetFeatureStatistics {
	t.Helper()
	var fs []Feature
	for _, c := range cols {
		fs = append(fs, Feature{c.Name, c.Kind})
	}
	a := New(fs, opts)
	if err := a.Add(&batch.Batch{Columns: cols}); err != nil {
		t.Fatal(err)
	}
	r, err := a.Result("train")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type bucket struct{ lo, hi, n float64 }

func checkHistogram(t *testing.T, what string, h *tfmd.Histogram, typ tfmd.Histogram_HistogramType, nan uint64, want []bucket) {
	t.Helper()
	if h.GetType() != typ || h.GetNumNan() != nan {
		t.Errorf("%s: type %v num_nan %d, want %v and %d", what, h.GetType(), h.GetNumNan(), typ, nan)
	}
	if len(h.GetBuckets()) != len(want) {
		t.Fatalf("%s: %d buckets, want %d: %v", what, len(h.GetBuckets()), len(want), h)
	}
	for i, b := range h.GetBuckets() {
		w := want[i]
		if b.LowValue != w.lo || b.HighValue != w.hi || math.Abs(b.SampleCount-w.n) > 1e-9 {
			t.Errorf("%s: bucket %d is [%v, %v] × %v, want [%v, %v] × %v", what, i, b.LowValue, b.HighValue, b.SampleCount, w.lo, w.hi, w.n)
		}
	}
}

func checkCommon(t *testing.T, what string, c *tfmd.CommonStatistics, nonMissing, missing, minN, maxN, tot uint64, avg float32) {
	t.Helper()
	if c.GetNumNonMissing() != nonMissing || c.GetNumMissing() != missing || c.GetMinNumValues() != minN ||
		c.GetMaxNumValues() != maxN || c.GetTotNumValues() != tot || c.GetAvgNumValues() != avg {
		t.Errorf("%s: common stats %v\nwant non_missing %d missing %d min %d max %d tot %d avg %v", what, c, nonMissing, missing, minN, maxN, tot, avg)
	}
}

func sumBuckets(h *tfmd.Histogram) float64 {
	s := 0.0
	for _, b := range h.GetBuckets() {
		s += b.SampleCount
	}
	return s
}

// A float feature with a missing row, an empty list, a list of two values
// and a NaN. Every figure below was worked out by hand from TFDV's rules
// (basic_stats_generator.py, quantiles_util.py, tfx-bsl's
// GenerateQuantilesAndCumulativeWeights).
func TestFloatFeature(t *testing.T) {
	r := result(t, Options{}, floatCol("x", floatRows{{1}, nil, {}, {2, float32(math.NaN())}, {3}, {0}}))
	if r.Name != "train" || r.NumExamples != 6 || len(r.Features) != 1 {
		t.Fatalf("dataset: %v", r)
	}
	f := r.Features[0]
	if got := f.GetPath().GetStep(); len(got) != 1 || got[0] != "x" || f.Type != tfmd.FeatureNameStatistics_FLOAT {
		t.Errorf("path %v type %v", got, f.Type)
	}
	ns := f.GetNumStats()
	// Value counts per present row: 1, 0, 2, 1, 1.
	checkCommon(t, "x", ns.CommonStats, 5, 1, 0, 2, 5, 1)
	// Quantiles of {0,1,1,1,2} at r/10: 0 0 1 1 1 1 1 1 2 2 2 with
	// cumulative weights 1 1 4 4 4 4 4 4 5 5 5; buckets sharing an upper
	// bound share its weight, the first gets the weight at the minimum.
	third := 1.0 / 3
	checkHistogram(t, "num_values_histogram", ns.CommonStats.NumValuesHistogram, tfmd.Histogram_QUANTILES, 0, []bucket{
		{0, 0, 1}, {0, 1, .5}, {1, 1, .5}, {1, 1, .5}, {1, 1, .5}, {1, 1, .5}, {1, 1, .5}, {1, 2, third}, {2, 2, third}, {2, 2, third},
	})
	// Non-NaN values 1, 2, 3, 0: mean 1.5, population variance 1.25.
	if ns.Mean != 1.5 || ns.StdDev != math.Sqrt(1.25) || ns.NumZeros != 1 || ns.Min != 0 || ns.Max != 3 || ns.Median != 2 {
		t.Errorf("numeric stats: mean %v std %v zeros %d min %v max %v median %v", ns.Mean, ns.StdDev, ns.NumZeros, ns.Min, ns.Max, ns.Median)
	}
	if len(ns.Histograms) != 2 {
		t.Fatalf("%d histograms", len(ns.Histograms))
	}
	std, q := ns.Histograms[0], ns.Histograms[1]
	if std.Type != tfmd.Histogram_STANDARD || std.NumNan != 1 || len(std.Buckets) != 10 {
		t.Fatalf("standard histogram: %v", std)
	}
	for i, b := range std.Buckets {
		if lo := float64(i) * 0.3; b.LowValue != lo { // numpy.linspace(0, 3, 11)
			t.Errorf("standard bucket %d starts at %v, want %v", i, b.LowValue, lo)
		}
	}
	if std.Buckets[9].HighValue != 3 || math.Abs(sumBuckets(std)-4) > 1e-9 {
		t.Errorf("standard histogram ends at %v with %v values, want 3 and 4", std.Buckets[9].HighValue, sumBuckets(std))
	}
	// Quantiles of {0,1,2,3} at r/10: 0 0 0 1 1 2 2 2 3 3 3, cumulative 1 1 1 2 2 3 3 3 4 4 4.
	checkHistogram(t, "quantiles histogram", q, tfmd.Histogram_QUANTILES, 1, []bucket{
		{0, 0, .5}, {0, 0, .5}, {0, 1, .5}, {1, 1, .5}, {1, 2, third}, {2, 2, third}, {2, 2, third}, {2, 3, third}, {3, 3, third}, {3, 3, third},
	})
}

func TestStringFeature(t *testing.T) {
	r := result(t, Options{}, stringCol("s", stringRows{{"apple"}, {"kiwi", "apple"}, nil, {}, {"fig"}, {"kiwi"}, {"apple"}, {"date"}}))
	f := r.Features[0]
	if f.Type != tfmd.FeatureNameStatistics_STRING {
		t.Errorf("type %v", f.Type)
	}
	ss := f.GetStringStats()
	checkCommon(t, "s", ss.CommonStats, 7, 1, 0, 2, 7, 1)
	if ss.Unique != 4 || ss.AvgLength != float32(30.0/7) {
		t.Errorf("unique %d avg_length %v", ss.Unique, ss.AvgLength)
	}
	// Ties (fig and date once each) go to the larger value first.
	want := []struct {
		v string
		n float64
	}{{"apple", 3}, {"kiwi", 2}, {"fig", 1}, {"date", 1}}
	if len(ss.TopValues) != len(want) || len(ss.RankHistogram.GetBuckets()) != len(want) {
		t.Fatalf("top values %v rank histogram %v", ss.TopValues, ss.RankHistogram)
	}
	for i, w := range want {
		tv, b := ss.TopValues[i], ss.RankHistogram.Buckets[i]
		if tv.Value != w.v || tv.Frequency != w.n || b.Label != w.v || b.SampleCount != w.n || b.LowRank != uint64(i) || b.HighRank != uint64(i) {
			t.Errorf("rank %d: top value %v, bucket %v; want %s × %v", i, tv, b, w.v, w.n)
		}
	}
}

func TestTopValuesLimits(t *testing.T) {
	var rows stringRows
	for i := range 30 {
		for range i + 1 {
			rows = append(rows, []string{string(rune('A' + i))})
		}
	}
	r := result(t, Options{NumTopValues: 3, NumRankHistogramBuckets: 5, FrequencyThreshold: 27}, stringCol("s", rows))
	ss := r.Features[0].GetStringStats()
	// Counts 30 (^), 29 (]), 28 (\), 27 ([); the threshold drops the rest.
	if ss.Unique != 30 || len(ss.TopValues) != 3 || len(ss.RankHistogram.Buckets) != 4 {
		t.Fatalf("unique %d, %d top values, %d rank buckets", ss.Unique, len(ss.TopValues), len(ss.RankHistogram.Buckets))
	}
	if ss.TopValues[0].Value != string(rune('A'+29)) || ss.RankHistogram.Buckets[3].SampleCount != 27 {
		t.Errorf("top %v, last bucket %v", ss.TopValues[0], ss.RankHistogram.Buckets[3])
	}
}

func TestAllMissingAndAllNaN(t *testing.T) {
	nan := float32(math.NaN())
	r := result(t, Options{},
		intCol("i", intRows{nil, nil, nil}),
		floatCol("f", floatRows{{nan}, nil, {nan, nan}}),
		stringCol("s", stringRows{nil, {}, nil}))
	i := r.Features[0]
	if i.Type != tfmd.FeatureNameStatistics_INT {
		t.Errorf("type %v", i.Type)
	}
	ins := i.GetNumStats()
	checkCommon(t, "i", ins.CommonStats, 0, 3, 0, 0, 0, 0)
	if ins.CommonStats.NumValuesHistogram != nil || len(ins.Histograms) != 0 || ins.Mean != 0 || ins.Max != 0 {
		t.Errorf("an all-missing feature has numeric stats: %v", ins)
	}
	fns := r.Features[1].GetNumStats()
	checkCommon(t, "f", fns.CommonStats, 2, 1, 1, 2, 3, 1.5)
	if len(fns.Histograms) != 2 || fns.Histograms[0].NumNan != 3 || fns.Histograms[1].NumNan != 3 ||
		fns.Histograms[0].Type != tfmd.Histogram_STANDARD || fns.Histograms[1].Type != tfmd.Histogram_QUANTILES ||
		len(fns.Histograms[0].Buckets)+len(fns.Histograms[1].Buckets) != 0 || fns.Mean != 0 || fns.NumZeros != 0 {
		t.Errorf("an all-NaN feature: %v", fns)
	}
	ss := r.Features[2].GetStringStats()
	checkCommon(t, "s", ss.CommonStats, 1, 2, 0, 0, 0, 0)
	if ss.Unique != 0 || ss.RankHistogram != nil || ss.AvgLength != 0 {
		t.Errorf("a string feature without values: %v", ss)
	}
}

func TestOneDistinctValue(t *testing.T) {
	r := result(t, Options{}, intCol("i", intRows{{7}, {7, 7}}))
	ns := r.Features[0].GetNumStats()
	checkCommon(t, "i", ns.CommonStats, 2, 0, 1, 2, 3, 1.5)
	if ns.Mean != 7 || ns.StdDev != 0 || ns.Median != 7 || ns.Min != 7 || ns.Max != 7 || ns.NumZeros != 0 {
		t.Errorf("numeric stats %v", ns)
	}
	// Every quantile is 7: the standard histogram is one point bucket, the
	// quantiles histogram ten with a tenth of the count each.
	checkHistogram(t, "standard", ns.Histograms[0], tfmd.Histogram_STANDARD, 0, []bucket{{7, 7, 3}})
	var q []bucket
	for range 10 {
		q = append(q, bucket{7, 7, .3})
	}
	checkHistogram(t, "quantiles", ns.Histograms[1], tfmd.Histogram_QUANTILES, 0, q)
}

func TestInfinities(t *testing.T) {
	inf := float32(math.Inf(1))
	r := result(t, Options{}, floatCol("f", floatRows{{-inf, 1}, {2, inf}}))
	ns := r.Features[0].GetNumStats()
	if !math.IsNaN(ns.Mean) || ns.StdDev != 0 || !math.IsInf(ns.Min, -1) || !math.IsInf(ns.Max, 1) {
		t.Errorf("mean %v std %v min %v max %v", ns.Mean, ns.StdDev, ns.Min, ns.Max)
	}
	std := ns.Histograms[0]
	// A −∞ bucket, ten buckets between the finite extremes 1 and 2, a +∞ bucket.
	if len(std.Buckets) != 12 {
		t.Fatalf("standard histogram: %v", std)
	}
	first, last := std.Buckets[0], std.Buckets[11]
	if !math.IsInf(first.LowValue, -1) || first.SampleCount != 1 || !math.IsInf(last.HighValue, 1) || last.SampleCount != 1 {
		t.Errorf("infinite buckets %v and %v", first, last)
	}
	if std.Buckets[1].LowValue != 1 || std.Buckets[10].HighValue != 2 || math.Abs(sumBuckets(std)-4) > 1e-9 {
		t.Errorf("finite buckets from %v to %v, total %v", std.Buckets[1].LowValue, std.Buckets[10].HighValue, sumBuckets(std))
	}

	r = result(t, Options{}, floatCol("f", floatRows{{inf}, {inf}}))
	ns = r.Features[0].GetNumStats()
	if !math.IsInf(ns.Mean, 1) || ns.Median != math.Inf(1) {
		t.Errorf("mean %v median %v", ns.Mean, ns.Median)
	}
	checkHistogram(t, "no finite value", ns.Histograms[0], tfmd.Histogram_STANDARD, 0, []bucket{{math.Inf(1), math.Inf(-1), 2}})
}

// The standard histogram interpolates inside quantile buckets: for 100
// distinct values each bucket of width 9.9 holds about 9.9 of them.
func TestStandardHistogramSpread(t *testing.T) {
	var rows intRows
	for i := range 100 {
		rows = append(rows, []int64{int64(i)})
	}
	ns := result(t, Options{}, intCol("i", rows)).Features[0].GetNumStats()
	std := ns.Histograms[0]
	if len(std.Buckets) != 10 || math.Abs(sumBuckets(std)-100) > 1e-9 {
		t.Fatalf("standard histogram %v", std)
	}
	for i, b := range std.Buckets {
		exact := 0.0
		for v := range 100 {
			if x := float64(v); x >= b.LowValue && (x < b.HighValue || i == 9) {
				exact++
			}
		}
		if math.Abs(b.SampleCount-exact) > 1.5 {
			t.Errorf("bucket [%v, %v] holds %v, about %v expected", b.LowValue, b.HighValue, b.SampleCount, exact)
		}
	}
	if ns.Median != 50 || ns.Mean != 49.5 || math.Abs(ns.StdDev-math.Sqrt((100*100-1)/12.0)) > 1e-12 {
		t.Errorf("median %v mean %v std %v", ns.Median, ns.Mean, ns.StdDev)
	}
}

func TestExactSums(t *testing.T) {
	// Floating-point addition would lose the 1 here; the exact sum keeps it.
	r := result(t, Options{}, floatCol("f", floatRows{{1e30}, {1}, {-1e30}}), intCol("i", intRows{{1<<60 + 1}, nil, {-(1 << 60)}}))
	if got := r.Features[0].GetNumStats().Mean; got != 1.0/3 {
		t.Errorf("mean of 1e30, 1, -1e30 is %v, want 1/3", got)
	}
	if got := r.Features[1].GetNumStats().Mean; got != 0.5 {
		t.Errorf("mean of 2^60+1 and -2^60 is %v, want 0.5", got)
	}
	r = result(t, Options{}, floatCol("f", floatRows{{-2.5, -0.5}, {}}), intCol("i", intRows{{-3}, {-5}}))
	if ns := r.Features[0].GetNumStats(); ns.Mean != -1.5 || ns.StdDev != 1 {
		t.Errorf("mean %v std %v of -2.5, -0.5; want -1.5 and 1", ns.Mean, ns.StdDev)
	}
	if ns := r.Features[1].GetNumStats(); ns.Mean != -4 || ns.StdDev != 1 {
		t.Errorf("mean %v std %v of -3, -5; want -4 and 1", ns.Mean, ns.StdDev)
	}
}

func TestErrors(t *testing.T) {
	if _, err := New([]Feature{{"a", batch.Int}, {"a", batch.Float}}, Options{}).Result("x"); err == nil {
		t.Error("a duplicate feature is accepted")
	}
	if _, err := New([]Feature{{"a", 0}}, Options{}).Result("x"); err == nil {
		t.Error("a feature without kind is accepted")
	}
	if _, err := New(nil, Options{QuantileEntries: 3}).Result("x"); err == nil {
		t.Error("a tiny sketch is accepted")
	}
	a := New([]Feature{{"a", batch.Int}}, Options{})
	if err := a.Add(&batch.Batch{Columns: []*batch.Column{floatCol("a", floatRows{{1}})}}); err == nil {
		t.Error("a float column for an int feature is accepted")
	}
	bad := intCol("a", intRows{{1}})
	bad.Offsets[1] = 5
	if err := a.Add(&batch.Batch{Columns: []*batch.Column{bad}}); err == nil {
		t.Error("a column with bad offsets is accepted")
	}
	if err := a.Merge(New([]Feature{{"b", batch.Int}}, Options{})); err == nil {
		t.Error("merging different features is accepted")
	}
	if err := a.Merge(New([]Feature{{"a", batch.Int}}, Options{NumTopValues: 3})); err == nil {
		t.Error("merging different options is accepted")
	}
	if a.NumExamples() != 0 {
		t.Errorf("failed calls added %d examples", a.NumExamples())
	}
	// A feature without a column counts as missing.
	if err := a.Add(&batch.Batch{Columns: []*batch.Column{floatCol("other", floatRows{{1}, {2}})}}); err != nil {
		t.Fatal(err)
	}
	r, _ := a.Result("x")
	if c := r.Features[0].GetNumStats().CommonStats; c.NumMissing != 2 || r.NumExamples != 2 {
		t.Errorf("absent column: %v", r)
	}
}

func TestWriters(t *testing.T) {
	r := result(t, Options{}, stringCol("s", stringRows{{"a"}, {"b"}}), floatCol("f", floatRows{{1.5}, nil}))
	l := List(r, r)
	dir := t.TempDir()
	for _, w := range []struct {
		name  string
		write func(string, *tfmd.DatasetFeatureStatisticsList) error
		read  func([]byte, proto.Message) error
	}{
		{"stats.pb", WriteBinary, proto.Unmarshal},
		{"stats.pbtxt", WriteText, unmarshalText},
	} {
		path := dir + "/" + w.name
		if err := w.write(path, l); err != nil {
			t.Fatal(err)
		}
		data, err := readFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var got tfmd.DatasetFeatureStatisticsList
		if err := w.read(data, &got); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(&got, l) {
			t.Errorf("%s does not read back as written", w.name)
		}
	}
	if err := WriteBinary(dir+"/no/such/dir/stats.pb", l); err == nil {
		t.Error("writing into a missing directory succeeds")
	}
}

func TestNonUTF8Label(t *testing.T) {
	r := result(t, Options{}, stringCol("s", stringRows{{"\xff\xfe"}, {"ok"}, {"\xff\xfe"}}))
	ss := r.Features[0].GetStringStats()
	if ss.TopValues[0].Value != nonUTF8Placeholder || ss.RankHistogram.Buckets[0].Label != nonUTF8Placeholder || ss.TopValues[1].Value != "ok" {
		t.Errorf("top values %v", ss.TopValues)
	}
	if _, err := proto.Marshal(r); err != nil {
		t.Errorf("the statistics do not marshal: %v", err)
	}
	r = result(t, Options{FrequencyThreshold: 5}, stringCol("s", stringRows{{"a"}}))
	if ss := r.Features[0].GetStringStats(); ss.RankHistogram != nil || ss.TopValues != nil || ss.Unique != 1 {
		t.Errorf("values below the threshold: %v", ss)
	}
}
