package analyze

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// This file implements the weighted quantiles sketch TFT's QuantilesCombiner
// uses (tfx-bsl cc/sketches/quantiles_sketch.cc over the "Squawd" weighted
// quantiles stream, summary and buffer of TensorFlow's boosted trees:
// weighted_quantiles_{stream,summary,buffer}.h; SEMANTICS 1.6), so that
// bucket boundaries are the ones TFT computes: identical whenever TFT's
// sketch is exact (every input below about 1/ε distinct values per shard),
// and with the same ε-approximate rank guarantee otherwise.
//
// Structure. A stream buffers raw (value, weight) pairs; when the buffer is
// full it is sorted, equal values are combined, and the result becomes a
// summary: entries (value, weight, min_rank, max_rank) sorted by value, where
// [min_rank, max_rank] bounds the total weight strictly below / up to the
// value. Summaries are kept in levels like a binary counter: a new summary is
// merged into level 0; when that level was occupied and the merge is larger
// than the block size, it is compressed and carried to the next level.
// Compression drops entries while keeping every rank gap within ε·W. The
// block size and number of levels follow from ε and the maximum number of
// elements (2^32, TFT's QuantilesCombiner._max_num_values), so memory per
// stream is O(log(εN)/ε) entries, independent of the number of rows.

// quantilesMaxNumElements is the element bound TFT gives the sketch
// (QuantilesCombiner: `self._max_num_values = 1 << 32`).
const quantilesMaxNumElements = int64(1) << 32

// qEntry is one summary entry.
type qEntry struct {
	Value, Weight, MinRank, MaxRank float64
}

// prevMaxRank bounds the rank of the largest value below this entry's.
func (e qEntry) prevMaxRank() float64 { return e.MaxRank - e.Weight }

// nextMinRank bounds the rank of the smallest value above this entry's.
func (e qEntry) nextMinRank() float64 { return e.MinRank + e.Weight }

// qPair is a raw buffered (value, weight) pair.
type qPair struct{ Value, Weight float64 }

// summaryFromPairs sorts raw pairs, combines equal values and returns the
// exact summary of them (buffer GenerateEntryList + summary
// BuildFromBufferEntries).
func summaryFromPairs(pairs []qPair) []qEntry {
	if len(pairs) == 0 {
		return nil
	}
	p := slices.Clone(pairs)
	sort.Slice(p, func(i, j int) bool { return p[i].Value < p[j].Value })
	out := make([]qEntry, 0, len(p))
	cum := 0.0
	for i := 0; i < len(p); {
		v, w := p[i].Value, p[i].Weight
		j := i + 1
		for ; j < len(p) && p[j].Value == v; j++ {
			w += p[j].Weight
		}
		out = append(out, qEntry{Value: v, Weight: w, MinRank: cum, MaxRank: cum + w})
		cum += w
		i = j
	}
	return out
}

// mergeSummaries merges two summaries, keeping rank bounds valid: an entry
// taken from one side gets as extra min rank the next-min-rank of the last
// entry taken from the other side, and as extra max rank the prev-max-rank of
// the other side's next entry (or the other side's total weight when it is
// exhausted); equal values are combined by adding weights and ranks.
func mergeSummaries(a, b []qEntry) []qEntry {
	if len(b) == 0 {
		return slices.Clone(a)
	}
	if len(a) == 0 {
		return slices.Clone(b)
	}
	out := make([]qEntry, 0, len(a)+len(b))
	i, j := 0, 0
	var nextA, nextB float64 // next min rank contributed by the last taken entry of a / b
	for i < len(a) && j < len(b) {
		x, y := a[i], b[j]
		switch {
		case x.Value < y.Value:
			out = append(out, qEntry{x.Value, x.Weight, x.MinRank + nextB, x.MaxRank + y.prevMaxRank()})
			nextA = x.nextMinRank()
			i++
		case y.Value < x.Value:
			out = append(out, qEntry{y.Value, y.Weight, y.MinRank + nextA, y.MaxRank + x.prevMaxRank()})
			nextB = y.nextMinRank()
			j++
		default:
			out = append(out, qEntry{x.Value, x.Weight + y.Weight, x.MinRank + y.MinRank, x.MaxRank + y.MaxRank})
			nextA, nextB = x.nextMinRank(), y.nextMinRank()
			i++
			j++
		}
	}
	for ; i < len(a); i++ {
		x := a[i]
		out = append(out, qEntry{x.Value, x.Weight, x.MinRank + nextB, x.MaxRank + b[len(b)-1].MaxRank})
	}
	for ; j < len(b); j++ {
		y := b[j]
		out = append(out, qEntry{y.Value, y.Weight, y.MinRank + nextA, y.MaxRank + a[len(a)-1].MaxRank})
	}
	return out
}

// totalWeight is the summary's total weight W.
func totalWeight(s []qEntry) float64 {
	if len(s) == 0 {
		return 0
	}
	return s[len(s)-1].MaxRank
}

// compressSummary reduces a summary to about sizeHint entries, always keeping
// the first and the last, so that the approximation error grows by at most
// W·max(1/sizeHint, minEps): starting from each kept entry it skips ahead
// while the rank gap to the candidate stays within that bound, and an
// accumulator limits how many entries one step may skip so that the kept
// entries stay spread out (summary Compress). It returns a new slice.
func compressSummary(s []qEntry, sizeHint int64, minEps float64) []qEntry {
	sizeHint = max(sizeHint, 2)
	if int64(len(s)) <= sizeHint {
		return slices.Clone(s)
	}
	epsDelta := totalWeight(s) * math.Max(1/float64(sizeHint), minEps)
	out := make([]qEntry, 1, sizeHint+2)
	out[0] = s[0]
	addAcc, addStep := int64(0), int64(len(s))
	last := 1
	for r := 0; r+1 != len(s); {
		next := r + 1
		for next != len(s) && addAcc < addStep && s[next].prevMaxRank()-s[r].nextMinRank() <= epsDelta {
			addAcc += sizeHint
			next++
		}
		if r == next-1 {
			r++
		} else {
			r = next - 1
		}
		out = append(out, s[r])
		last = r
		addAcc -= addStep
	}
	if last+1 != len(s) {
		out = append(out, s[len(s)-1])
	}
	return out
}

// summaryQuantiles returns numQuantiles+1 values of the summary, the first
// being its minimum and the last its maximum: for r = 0…q the entry whose
// rank interval best contains the target rank r·W/q (summary
// GenerateQuantilesAndCumulativeWeights; SEMANTICS 1.6 spells the loop out).
func summaryQuantiles(s []qEntry, numQuantiles int) []float64 {
	if len(s) == 0 {
		return nil
	}
	q := max(numQuantiles, 2)
	w := totalWeight(s)
	out := make([]float64, 0, q+1)
	cur := 0
	for r := 0; r <= q; r++ {
		d2 := 2 * (float64(r) * w / float64(q))
		next := cur + 1
		for next < len(s) && d2 >= s[next].MinRank+s[next].MaxRank {
			next++
		}
		cur = next - 1
		if next == len(s) || d2 < s[cur].nextMinRank()+s[next].prevMaxRank() {
			out = append(out, s[cur].Value)
		} else {
			out = append(out, s[next].Value)
		}
	}
	return out
}

// quantileSpecs returns the number of summary levels and the block size for
// an error eps and a bound on the number of elements (stream
// GetQuantileSpecs): the smallest number of levels L such that
// 2^L·blockSize >= maxElements, with blockSize = ceil((L−1)/eps)+1 for the
// level count before the last increment. An eps at or below machine epsilon
// means exact: one level holding every element.
func quantileSpecs(eps float64, maxElements int64) (levels, blockSize int64) {
	if eps <= 0x1p-52 {
		return 1, max(maxElements, 2)
	}
	levels, blockSize = 1, 2
	for (int64(1)<<levels)*blockSize < maxElements {
		blockSize = int64(math.Ceil(float64(levels)/eps)) + 1
		levels++
	}
	return levels, max(blockSize, 2)
}

// QuantileStream is one feature position's weighted quantiles sketch.
// Fields are exported so that a coder can serialize it.
type QuantileStream struct {
	Eps       float64
	BlockSize int64
	MaxLevels int64
	// BufferCap is the number of raw pairs buffered before they are
	// summarized: min(2·BlockSize, max elements).
	BufferCap int64
	Buffer    []qPair
	// Levels[i] is the summary at level i (possibly empty).
	Levels [][]qEntry
	// Compressed records that some compression dropped entries, i.e. that
	// the summary is no longer exact.
	Compressed bool
}

func newQuantileStream(eps float64, maxElements int64) *QuantileStream {
	levels, block := quantileSpecs(eps, maxElements)
	return &QuantileStream{
		Eps:       eps,
		BlockSize: block,
		MaxLevels: levels,
		BufferCap: min(block<<1, maxElements),
	}
}

// push adds one raw pair; weights <= 0 are ignored (buffer PushEntry).
func (s *QuantileStream) push(v, w float64) {
	if !(w > 0) {
		return
	}
	s.Buffer = append(s.Buffer, qPair{v, w})
	if int64(len(s.Buffer)) >= s.BufferCap {
		s.flushBuffer()
	}
}

func (s *QuantileStream) compress(sum []qEntry) []qEntry {
	out := compressSummary(sum, s.BlockSize, s.Eps)
	if len(out) < len(sum) {
		s.Compressed = true
	}
	return out
}

// flushBuffer summarizes the buffer, compresses it and propagates it
// (stream PushBuffer).
func (s *QuantileStream) flushBuffer() {
	local := summaryFromPairs(s.Buffer)
	s.Buffer = s.Buffer[:0]
	s.propagate(s.compress(local))
}

// pushSummary compresses a summary and propagates it (stream PushSummary).
func (s *QuantileStream) pushSummary(sum []qEntry) {
	s.propagate(s.compress(sum))
}

// propagate merges a summary into the levels like a carry through a binary
// counter (stream PropagateLocalSummary).
func (s *QuantileStream) propagate(local []qEntry) {
	if len(local) == 0 {
		return
	}
	for level := 0; ; level++ {
		if len(s.Levels) <= level {
			s.Levels = append(s.Levels, nil)
		}
		cur := s.Levels[level]
		local = mergeSummaries(local, cur)
		if len(cur) == 0 || int64(len(local)) <= s.BlockSize+1 {
			s.Levels[level] = local
			return
		}
		local = s.compress(local)
		s.Levels[level] = nil
	}
}

func (s *QuantileStream) clone() *QuantileStream {
	c := *s
	c.Buffer = slices.Clone(s.Buffer)
	c.Levels = make([][]qEntry, len(s.Levels))
	for i, l := range s.Levels {
		c.Levels[i] = slices.Clone(l)
	}
	return &c
}

// finalSummary returns the stream's final summary without changing the
// stream (stream Finalize on a copy: flush the buffer, then merge every
// level).
func (s *QuantileStream) finalSummary() ([]qEntry, bool) {
	c := s.clone()
	c.flushBuffer()
	var out []qEntry
	for _, l := range c.Levels {
		out = mergeSummaries(out, l)
	}
	return out, c.Compressed
}

// mergeFrom pushes another stream's contents into s: its buffered pairs one
// by one, then each of its level summaries (stream PushStream).
func (s *QuantileStream) mergeFrom(o *QuantileStream) {
	for _, p := range o.Buffer {
		s.push(p.Value, p.Weight)
	}
	for _, l := range o.Levels {
		if len(l) > 0 {
			s.pushSummary(slices.Clone(l))
		}
	}
	s.Compressed = s.Compressed || o.Compressed
}

// QuantileSketch is TFT's quantiles accumulator: one weighted quantiles
// stream per feature position (one when reduce_instance_dims), with error
// eps. Like tfx-bsl's QuantilesSketch it runs each stream at eps/3, because
// a result passes through three compressions (adding and merging, Compact,
// and the final query).
type QuantileSketch struct {
	Eps       float64
	Streams   []*QuantileStream
	Compacted bool
}

// NewQuantileSketch returns an empty sketch with numStreams streams.
func NewQuantileSketch(eps float64, numStreams int) (*QuantileSketch, error) {
	if !(eps > 0) || eps >= 3 {
		return nil, fmt.Errorf("eps must be positive (and below 3), got %v", eps)
	}
	if numStreams < 1 {
		return nil, fmt.Errorf("num_streams must be >= 1, got %d", numStreams)
	}
	sk := &QuantileSketch{Eps: eps, Streams: make([]*QuantileStream, numStreams)}
	for i := range sk.Streams {
		sk.Streams[i] = newQuantileStream(eps/3, quantilesMaxNumElements)
	}
	return sk, nil
}

// NumStreams is the number of streams (feature positions).
func (sk *QuantileSketch) NumStreams() int { return len(sk.Streams) }

// Add adds value v with weight 1 to a stream; NaN is skipped.
func (sk *QuantileSketch) Add(stream int, v float64) { sk.AddWeighted(stream, v, 1) }

// AddWeighted adds value v with weight w to a stream; NaN values, NaN
// weights and weights <= 0 are skipped (SEMANTICS 1.6).
func (sk *QuantileSketch) AddWeighted(stream int, v, w float64) {
	if math.IsNaN(v) || math.IsNaN(w) || w <= 0 {
		return
	}
	sk.Streams[stream].push(v, w)
}

// AddValues adds a flattened batch: value i goes to stream i mod
// NumStreams, as tfx-bsl splits a row-major [batch, positions] array.
func (sk *QuantileSketch) AddValues(values []float64) error {
	n := len(sk.Streams)
	if len(values)%n != 0 {
		return fmt.Errorf("values size must be divisible by the number of streams (%d values, %d streams)", len(values), n)
	}
	for i, v := range values {
		sk.Add(i%n, v)
	}
	return nil
}

// AddWeightedValues is AddValues with one weight per row of the batch
// (len(values) == len(weights)·NumStreams).
func (sk *QuantileSketch) AddWeightedValues(values, weights []float64) error {
	n := len(sk.Streams)
	if len(values) != len(weights)*n {
		return fmt.Errorf("values size must be equal to weights size times number of streams (%d values, %d weights, %d streams)",
			len(values), len(weights), n)
	}
	for i, v := range values {
		sk.AddWeighted(i%n, v, weights[i/n])
	}
	return nil
}

// Merge pushes another sketch's contents into sk (QuantilesSketch Merge).
func (sk *QuantileSketch) Merge(o *QuantileSketch) error {
	if len(o.Streams) != len(sk.Streams) {
		return fmt.Errorf("attempting to merge sketches with different number of streams (%d and %d)", len(sk.Streams), len(o.Streams))
	}
	if o.Eps != sk.Eps {
		return fmt.Errorf("attempting to merge sketches with different eps (%v and %v)", sk.Eps, o.Eps)
	}
	for i, s := range sk.Streams {
		s.mergeFrom(o.Streams[i])
	}
	sk.Compacted = sk.Compacted || o.Compacted
	return nil
}

// Compact replaces each stream by a stream holding only its compressed final
// summary, shrinking the accumulator before it is shuffled (QuantilesSketch
// Compact, TFT QuantilesCombiner.compact). It is done at most once.
func (sk *QuantileSketch) Compact() {
	if sk.Compacted {
		return
	}
	for i, s := range sk.Streams {
		final, compressed := s.finalSummary()
		ns := newQuantileStream(s.Eps, quantilesMaxNumElements)
		ns.Compressed = compressed
		ns.pushSummary(final)
		sk.Streams[i] = ns
	}
	sk.Compacted = true
}

// Exact reports whether no compression has dropped an entry yet, i.e.
// whether quantiles are still computed from every distinct value.
func (sk *QuantileSketch) Exact() bool {
	for _, s := range sk.Streams {
		if s.Compressed {
			return false
		}
		if _, c := s.finalSummary(); c {
			return false
		}
	}
	return true
}

// Quantiles returns, per stream, numQuantiles+1 values: the minimum, the
// numQuantiles−1 interior quantiles and the maximum (QuantilesSketch
// GetQuantiles). An empty stream gives nil. numQuantiles must be at least 2.
// The sketch is not modified and can keep accumulating.
func (sk *QuantileSketch) Quantiles(numQuantiles int) ([][]float64, error) {
	if numQuantiles <= 1 {
		return nil, fmt.Errorf("number of requested quantiles must be >= 2, got %d", numQuantiles)
	}
	out := make([][]float64, len(sk.Streams))
	for i, s := range sk.Streams {
		final, _ := s.finalSummary()
		out[i] = summaryQuantiles(final, numQuantiles)
	}
	return out, nil
}

// Boundaries returns TFT's bucket boundaries for numQuantiles buckets, one
// row per stream (TFT QuantilesCombiner.extract_output; SEMANTICS 1.6): the
// quantiles without the first and the last (numQuantiles−1 values), or all
// numQuantiles+1 with includeMinMax, cast to dtype (float32 for
// tft.quantiles and bucketize). Boundaries are data values, never
// interpolated, and may repeat. An empty sketch gives zeros (an individual
// empty stream of a non-empty sketch also gives zeros here; TFT fails on
// that case).
func (sk *QuantileSketch) Boundaries(numQuantiles int, includeMinMax bool, dtype DType) ([][]float64, error) {
	qs, err := sk.Quantiles(numQuantiles)
	if err != nil {
		return nil, err
	}
	n := numQuantiles - 1
	if includeMinMax {
		n = numQuantiles + 1
	}
	out := make([][]float64, len(qs))
	for i, q := range qs {
		row := make([]float64, n)
		if len(q) > 0 {
			if !includeMinMax {
				q = q[1 : len(q)-1]
			}
			for j, v := range q {
				row[j] = dtype.RoundFloat(v)
			}
		}
		out[i] = row
	}
	return out, nil
}

// DefaultBucketizeEpsilon is tft.bucketize's default error:
// min(1/numBuckets, 0.01) (SEMANTICS 1.6).
func DefaultBucketizeEpsilon(numBuckets int) float64 {
	return math.Min(1/float64(numBuckets), 0.01)
}

// ApplyBuckets assigns x to a bucket given sorted boundaries, as
// tft.apply_buckets does (tf_utils.assign_buckets(side=RIGHT); SEMANTICS
// 1.6): the number of boundaries <= x, so a value equal to a boundary goes to
// the upper bucket, and NaN goes to the last bucket, len(boundaries).
func ApplyBuckets(x float64, boundaries []float64) int64 {
	if math.IsNaN(x) {
		return int64(len(boundaries))
	}
	return int64(sort.Search(len(boundaries), func(i int) bool { return boundaries[i] > x }))
}
