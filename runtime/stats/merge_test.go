package stats

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/runtime/batch"
)

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }

func unmarshalText(b []byte, m proto.Message) error { return prototext.Unmarshal(b, m) }

var mixedFeatures = []Feature{{"f", batch.Float}, {"i", batch.Int}, {"s", batch.Bytes}}

// mixedBatch returns rows of a float, an int and a string feature with
// missing rows, empty lists, lists of several values, NaN, infinities,
// zeros of both signs and, with wide, many distinct values.
func mixedBatch(rng *rand.Rand, rows int, wide bool) *batch.Batch {
	f := batch.NewColumn("f", batch.Float)
	i := batch.NewColumn("i", batch.Int)
	s := batch.NewColumn("s", batch.Bytes)
	for range rows {
		switch k := rng.IntN(10); {
		case k == 0:
			f.AppendMissing()
		default:
			var vs []float32
			for range rng.IntN(4) {
				var v float32
				switch rng.IntN(40) {
				case 0:
					v = float32(math.NaN())
				case 1:
					v = float32(math.Inf(1 - 2*rng.IntN(2)))
				case 2:
					v = float32(math.Copysign(0, -1))
				default:
					if wide {
						v = float32(rng.NormFloat64() * 1000)
					} else {
						v = float32(rng.IntN(50)) / 4
					}
				}
				vs = append(vs, v)
			}
			f.AppendFloats(vs...)
		}
		if rng.IntN(7) == 0 {
			i.AppendMissing()
		} else {
			var vs []int64
			for range rng.IntN(3) {
				if wide {
					vs = append(vs, rng.Int64()>>rng.IntN(64)*int64(1-2*rng.IntN(2)))
				} else {
					vs = append(vs, int64(rng.IntN(20)-5))
				}
			}
			i.AppendInts(vs...)
		}
		if rng.IntN(5) == 0 {
			s.AppendMissing()
		} else {
			var vs []string
			for range rng.IntN(3) {
				n := 8
				if wide {
					n = 3000
				}
				vs = append(vs, fmt.Sprintf("v%d", int(math.Sqrt(float64(rng.IntN(n*n))))))
			}
			s.AppendStrings(vs...)
		}
	}
	return &batch.Batch{Columns: []*batch.Column{f, i, s}}
}

// shards cuts the rows of b into n random contiguous shards.
func shards(rng *rand.Rand, b *batch.Batch, n int) []*batch.Batch {
	cuts := []int{0, b.Rows()}
	for range n - 1 {
		cuts = append(cuts, rng.IntN(b.Rows()+1))
	}
	slices.Sort(cuts)
	var out []*batch.Batch
	for k := 0; k+1 < len(cuts); k++ {
		var rows []int
		for r := cuts[k]; r < cuts[k+1]; r++ {
			rows = append(rows, r)
		}
		out = append(out, b.Select(rows))
	}
	return out
}

// mergeRandomly merges accumulators in a random tree, passing some through
// MarshalBinary and UnmarshalBinary on the way.
func mergeRandomly(t *testing.T, rng *rand.Rand, accs []*Accumulator) *Accumulator {
	t.Helper()
	for len(accs) > 1 {
		i, j := rng.IntN(len(accs)), rng.IntN(len(accs)-1)
		if j >= i {
			j++
		}
		a, b := accs[i], accs[j]
		if rng.IntN(3) == 0 {
			b = roundTrip(t, b)
		}
		if err := a.Merge(b); err != nil {
			t.Fatal(err)
		}
		accs = slices.Delete(accs, j, j+1)
	}
	return accs[0]
}

func roundTrip(t *testing.T, a *Accumulator) *Accumulator {
	t.Helper()
	data, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var b Accumulator
	if err := b.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	again, err := b.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Fatal("MarshalBinary after UnmarshalBinary gives other bytes")
	}
	return &b
}

// Splitting the rows into shards, adding them in batches of any size and
// merging the shards in any order gives the identical proto and the
// identical encoded accumulator, in the exact regime and in the
// approximate one (a sketch bound far below the number of distinct values).
func TestShardOrderIndependence(t *testing.T) {
	for _, tc := range []struct {
		name  string
		wide  bool
		opts  Options
		trees int
	}{
		{"exact", false, Options{}, 8},
		{"approximate", true, Options{QuantileEntries: 16, NumRankHistogramBuckets: 50}, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(len(tc.name))))
			all := mixedBatch(rng, 5000, tc.wide)
			whole := New(mixedFeatures, tc.opts)
			if err := whole.Add(all); err != nil {
				t.Fatal(err)
			}
			want, err := whole.Result("train")
			if err != nil {
				t.Fatal(err)
			}
			wantBytes, _ := whole.MarshalBinary()
			if tc.wide && whole.feats[0].num.quantiles.canonical().level == 0 {
				t.Fatal("the approximate case never left the exact regime")
			}
			for trial := range tc.trees {
				var accs []*Accumulator
				for _, shard := range shards(rng, all, 1+rng.IntN(12)) {
					a := New(mixedFeatures, tc.opts)
					// Each shard in batches of random sizes.
					for _, b := range shards(rng, shard, 1+rng.IntN(4)) {
						if err := a.Add(b); err != nil {
							t.Fatal(err)
						}
					}
					accs = append(accs, a)
				}
				rng.Shuffle(len(accs), func(i, j int) { accs[i], accs[j] = accs[j], accs[i] })
				merged := mergeRandomly(t, rng, accs)
				got, err := merged.Result("train")
				if err != nil {
					t.Fatal(err)
				}
				if !proto.Equal(got, want) {
					t.Fatalf("trial %d: sharded statistics differ:\n%v\nwant\n%v", trial, got, want)
				}
				gotBytes, _ := merged.MarshalBinary()
				if !bytes.Equal(gotBytes, wantBytes) {
					t.Fatalf("trial %d: encoded accumulators differ", trial)
				}
			}
		})
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	a := New(mixedFeatures, Options{QuantileEntries: 64})
	for range 3 {
		if err := a.Add(mixedBatch(rng, 700, true)); err != nil {
			t.Fatal(err)
		}
	}
	want, _ := a.Result("eval")
	b := roundTrip(t, a)
	got, err := b.Result("eval")
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(got, want) {
		t.Fatal("the decoded accumulator gives other statistics")
	}
	// It keeps accumulating like the original.
	more := mixedBatch(rng, 300, true)
	if err := a.Add(more); err != nil {
		t.Fatal(err)
	}
	if err := b.Add(more); err != nil {
		t.Fatal(err)
	}
	x, _ := a.Result("eval")
	y, _ := b.Result("eval")
	if !proto.Equal(x, y) {
		t.Fatal("the decoded accumulator accumulates differently")
	}

	// Every truncation and corruption is an error, never a panic, and
	// leaves the receiver as it was.
	data, _ := a.MarshalBinary()
	for n := 0; n < len(data); n += 1 + n/50 {
		if err := b.UnmarshalBinary(data[:n]); err == nil {
			t.Fatalf("a truncation to %d of %d bytes decodes", n, len(data))
		}
	}
	for range 300 {
		bad := slices.Clone(data)
		bad[rng.IntN(len(bad))] ^= byte(1 + rng.IntN(255))
		_ = b.UnmarshalBinary(bad) // may decode (a count flipped to another count); must not panic
	}
	if err := b.UnmarshalBinary(append(slices.Clone(data), 0)); err == nil {
		t.Error("trailing bytes decode")
	}
	if err := b.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	z, _ := b.Result("eval")
	if !proto.Equal(x, z) {
		t.Fatal("decoding again gives other statistics")
	}
}

// In the approximate regime every quantile is a value of the data whose
// rank is right within the groups' error, and counts stay exact.
func TestApproximateQuantiles(t *testing.T) {
	c := batch.NewColumn("x", batch.Int)
	for v := range 10000 {
		c.AppendInts(int64(v) + 1)
	}
	a := New([]Feature{{"x", batch.Int}}, Options{QuantileEntries: 64})
	if err := a.Add(&batch.Batch{Columns: []*batch.Column{c}}); err != nil {
		t.Fatal(err)
	}
	r, _ := a.Result("x")
	ns := r.Features[0].GetNumStats()
	// 64 groups over 14 binades of values leave about 4 groups per binade:
	// a value is off by less than a quarter of itself.
	if ns.Median < 5000/1.25 || ns.Median > 5000*1.25 || ns.Median != math.Trunc(ns.Median) {
		t.Errorf("median %v of 1…10000", ns.Median)
	}
	if ns.Mean != 5000.5 || ns.Min != 1 || ns.Max != 10000 {
		t.Errorf("mean %v min %v max %v", ns.Mean, ns.Min, ns.Max)
	}
	for _, h := range ns.Histograms {
		if math.Abs(sumBuckets(h)-10000) > 1e-6 {
			t.Errorf("%v histogram holds %v values", h.Type, sumBuckets(h))
		}
	}
	if g := len(a.feats[0].num.quantiles.canonical().entries); g > 64 || g < 32 {
		t.Errorf("the sketch holds %d groups for a bound of 64", g)
	}
}
