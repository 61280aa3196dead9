// Package transform runs a lowered transform: its analyzers over the
// training examples, then the bound graph over any examples. The Beam job
// calls it on shards; tests call it on whole files.
package transform

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"io"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/runtime/analyze"
	"github.com/tfxc/tfxc/runtime/graph"
	"github.com/tfxc/tfxc/stdlib"
)

// Analyzers accumulates every analyzer of a template over batches of
// examples. Accumulators from different shards merge.
type Analyzers struct {
	tmpl    *tfgraph.Template
	exe     *graph.Executable
	fetches []string // the analyzers' input tensors (and fill flags), fetched per batch
	accs    []accumulator
}

// accumulator is one analyzer's state.
type accumulator interface {
	add(t *graph.Tensor) error
	merge(o accumulator) error
	result() (map[string]any, error)
	// state is the value that holds everything the accumulator knows, a
	// pointer that gob can encode into and decode from.
	state() any
}

// NewAnalyzers prepares the analyzers of a template. The template's graph
// is run up to each analyzer's input. Every analyzer must be able to run in
// one pass, reading no other analyzer's results: a template whose analyzers
// do (tfidf reads a vocabulary's ids) is analyzed pass by pass, on
// tfgraph.FirstPass(t) and then on what tfgraph.Partial leaves, as Fit does.
func NewAnalyzers(t *tfgraph.Template) (*Analyzers, error) {
	if first := tfgraph.FirstPass(t); len(first.Analyzers) != len(t.Analyzers) {
		return nil, fmt.Errorf("%d of the template's %d analyzers read other analyzers' results and need a later pass (tfgraph.FirstPass)",
			len(t.Analyzers)-len(first.Analyzers), len(t.Analyzers))
	}
	// A later pass reads tables that earlier results filled.
	exe, err := graph.Compile(t.Graph, tfgraph.BoundInitializers(t)...)
	if err != nil {
		return nil, fmt.Errorf("compiling the transform template: %w", err)
	}
	a := &Analyzers{tmpl: t, exe: exe}
	for _, an := range t.Analyzers {
		acc, err := newAccumulator(an)
		if err != nil {
			return nil, fmt.Errorf("analyzer %s: %w", an.ID, err)
		}
		a.fetches = append(a.fetches, an.Input)
		if an.Fill != "" {
			a.fetches = append(a.fetches, an.FilledWhere, an.Fill)
		}
		if an.Weights != "" {
			a.fetches = append(a.fetches, an.Weights)
		}
		if an.Kind == stdlib.AnalyzerDocFreq {
			if an.Lengths == "" || an.VocabSize == "" {
				return nil, fmt.Errorf("analyzer %s: document frequencies need the lengths and the vocabulary size", an.ID)
			}
			a.fetches = append(a.fetches, an.Lengths, an.VocabSize)
		}
		a.accs = append(a.accs, acc)
	}
	return a, nil
}

func newAccumulator(an *tfgraph.Analyzer) (accumulator, error) {
	n64, _ := an.IntOption("elementwise")
	n := int(n64)
	switch {
	case an.Kind == stdlib.AnalyzerMeanVar && n > 0:
		return &meanVarEach{acc: analyze.NewVecMeanVar(n)}, nil
	case an.Kind == stdlib.AnalyzerMinMax && n > 0:
		acc := &minMaxEach{accs: make([]analyze.MinMax, n)}
		for i := range acc.accs {
			acc.accs[i] = analyze.NewMinMax()
		}
		return acc, nil
	}
	switch an.Kind {
	case stdlib.AnalyzerMeanVar:
		return &meanVar{}, nil
	case stdlib.AnalyzerMinMax:
		return &minMax{acc: analyze.NewMinMax()}, nil
	case stdlib.AnalyzerQuantiles:
		n, _ := an.IntOption("num_buckets")
		if n < 1 {
			return nil, fmt.Errorf("bucketize needs num_buckets, got %v", an.Options["num_buckets"])
		}
		// TFT bucketize's default epsilon (SEMANTICS.md 1.6).
		sk, err := analyze.NewQuantileSketch(analyze.DefaultBucketizeEpsilon(int(n)), 1)
		if err != nil {
			return nil, err
		}
		return &quantiles{sketch: sk, buckets: int(n)}, nil
	case stdlib.AnalyzerCovariance:
		dim, _ := an.IntOption("dim")
		k, _ := an.IntOption("components")
		cov, err := analyze.NewCovariance(int(dim))
		if err != nil {
			return nil, err
		}
		return &pca{cov: cov, components: int(k)}, nil
	case stdlib.AnalyzerVocabulary:
		dt := analyze.String
		if an.InputDT == tfpb.DataType_DT_INT64 {
			dt = analyze.Int64
		}
		v, err := analyze.NewVocabulary(dt, "text", an.Weights != "")
		if err != nil {
			return nil, err
		}
		opts := analyze.VocabOptions{}
		if k, ok := an.IntOption("top_k"); ok {
			opts.TopK = int(k)
		}
		if f, ok := an.IntOption("frequency_threshold"); ok {
			opts.FrequencyThreshold = float64(f)
		}
		if approx, _ := an.Options["approximate"].(bool); approx {
			v.Capacity = approximateCapacity(opts.TopK)
		}
		return &vocabulary{vocab: v, opts: opts}, nil
	case stdlib.AnalyzerDocFreq:
		smooth, ok := an.Options["smooth"].(bool)
		if !ok {
			return nil, fmt.Errorf("tfidf needs the option smooth, got %v", an.Options["smooth"])
		}
		return &docFreq{smooth: smooth}, nil
	}
	return nil, fmt.Errorf("analyzer %s is not implemented yet", an.Kind)
}

// approximateCapacity is how many tokens an approximate vocabulary keeps:
// sixteen times its top_k (at least 65,536), or 2^20 without top_k.
func approximateCapacity(topK int) int {
	if topK <= 0 {
		return 1 << 20
	}
	return max(16*topK, 1<<16)
}

// Add accumulates one batch: feeds for every raw feature input.
func (a *Analyzers) Add(feeds map[string]*graph.Tensor) error {
	if len(a.fetches) == 0 {
		return nil
	}
	vals, err := a.exe.Run(feeds, a.fetches...)
	if err != nil {
		return err
	}
	for i, an := range a.tmpl.Analyzers {
		v := vals[0]
		vals = vals[1:]
		if an.Fill != "" {
			v, err = filled(v, vals[0], vals[1])
			if err != nil {
				return fmt.Errorf("analyzer %s: %w", an.ID, err)
			}
			vals = vals[2:]
		}
		if an.Weights != "" {
			w := vals[0]
			vals = vals[1:]
			if err := a.accs[i].(*vocabulary).addWeighted(v, w); err != nil {
				return fmt.Errorf("analyzer %s: %w", an.ID, err)
			}
			continue
		}
		if an.Kind == stdlib.AnalyzerDocFreq {
			lengths, size := vals[0], vals[1]
			vals = vals[2:]
			if err := a.accs[i].(*docFreq).addDocuments(v, lengths, size); err != nil {
				return fmt.Errorf("analyzer %s: %w", an.ID, err)
			}
			continue
		}
		if err := a.accs[i].add(v); err != nil {
			return fmt.Errorf("analyzer %s: %w", an.ID, err)
		}
	}
	return nil
}

// filled returns the strings of v with fill where present is false: the
// values a lazily filled string stands for.
func filled(v, present, fill *graph.Tensor) (*graph.Tensor, error) {
	if v.DType != tfpb.DataType_DT_STRING || fill.Len() != 1 || present.Len() != v.Len() {
		return nil, fmt.Errorf("cannot fill %s values with %d-value %s flags", v.DType, present.Len(), fill.DType)
	}
	out := graph.Strings(v.Shape, append([]string(nil), v.Str...))
	for i, p := range present.Bool {
		if !p {
			out.Str[i] = fill.Str[0]
		}
	}
	return out, nil
}

// Merge adds the state of b, built from the same template.
func (a *Analyzers) Merge(b *Analyzers) error {
	if len(a.accs) != len(b.accs) {
		return fmt.Errorf("merging analyzers of different templates")
	}
	for i := range a.accs {
		if err := a.accs[i].merge(b.accs[i]); err != nil {
			return fmt.Errorf("analyzer %s: %w", a.tmpl.Analyzers[i].ID, err)
		}
	}
	return nil
}

// MarshalBinary encodes the state of every accumulator, so that a shard's
// analyzers can cross a Beam boundary and be merged elsewhere.
func (a *Analyzers) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	for i, acc := range a.accs {
		if err := enc.Encode(acc.state()); err != nil {
			return nil, fmt.Errorf("encoding analyzer %s: %w", a.tmpl.Analyzers[i].ID, err)
		}
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary replaces the state of every accumulator by the one
// encoded in data, which MarshalBinary of analyzers of the same template
// wrote.
func (a *Analyzers) UnmarshalBinary(data []byte) error {
	dec := gob.NewDecoder(bytes.NewReader(data))
	for i, acc := range a.accs {
		if err := dec.Decode(acc.state()); err != nil {
			return fmt.Errorf("decoding analyzer %s: %w", a.tmpl.Analyzers[i].ID, err)
		}
	}
	if err := dec.Decode(new(struct{})); err != io.EOF {
		return fmt.Errorf("decoding analyzers: %d accumulators expected, more data follows", len(a.accs))
	}
	return nil
}

// Results returns every analyzer's result, ready for tfgraph.Bind.
func (a *Analyzers) Results() (tfgraph.Results, error) {
	out := tfgraph.Results{}
	for i, acc := range a.accs {
		r, err := acc.result()
		if err != nil {
			return nil, fmt.Errorf("analyzer %s: %w", a.tmpl.Analyzers[i].ID, err)
		}
		out[a.tmpl.Analyzers[i].ID] = r
	}
	return out, nil
}

// floats returns a numeric tensor's values as float64.
func floats(t *graph.Tensor) []float64 {
	out := make([]float64, t.Len())
	for i := range out {
		out[i] = t.Float64At(i)
	}
	return out
}

type meanVar struct{ acc analyze.MeanVar }

func (m *meanVar) add(t *graph.Tensor) error { m.acc.AddBatch(floats(t)); return nil }
func (m *meanVar) merge(o accumulator) error {
	m.acc.Merge(o.(*meanVar).acc)
	return nil
}
func (m *meanVar) state() any { return &m.acc }
func (m *meanVar) result() (map[string]any, error) {
	_, mean, variance := m.acc.Result()
	return tfgraph.MeanVar(mean, variance), nil
}

type minMax struct{ acc analyze.MinMax }

func (m *minMax) add(t *graph.Tensor) error { m.acc.AddBatch(floats(t)); return nil }
func (m *minMax) merge(o accumulator) error {
	m.acc.Merge(o.(*minMax).acc)
	return nil
}
func (m *minMax) state() any { return &m.acc }
func (m *minMax) result() (map[string]any, error) {
	lo, hi := m.acc.Result()
	return tfgraph.MinMax(lo, hi), nil
}

// meanVarEach is an elementwise mean and variance: one per position of
// the vectors, whose values arrive flattened, row after row.
type meanVarEach struct{ acc *analyze.VecMeanVar }

func (m *meanVarEach) add(t *graph.Tensor) error {
	n := len(m.acc.Cells)
	for i, v := range floats(t) {
		m.acc.AddAt(i%n, v)
	}
	return nil
}
func (m *meanVarEach) merge(o accumulator) error { return m.acc.Merge(o.(*meanVarEach).acc) }
func (m *meanVarEach) state() any                { return m.acc }
func (m *meanVarEach) result() (map[string]any, error) {
	mean, variance := m.acc.Result()
	return tfgraph.MeanVarEach(mean, variance), nil
}

// minMaxEach is an elementwise minimum and maximum.
type minMaxEach struct{ accs []analyze.MinMax }

func (m *minMaxEach) add(t *graph.Tensor) error {
	n := len(m.accs)
	for i, v := range floats(t) {
		m.accs[i%n].Add(v)
	}
	return nil
}
func (m *minMaxEach) merge(o accumulator) error {
	for i, b := range o.(*minMaxEach).accs {
		m.accs[i].Merge(b)
	}
	return nil
}
func (m *minMaxEach) state() any { return &m.accs }
func (m *minMaxEach) result() (map[string]any, error) {
	lo, hi := make([]float64, len(m.accs)), make([]float64, len(m.accs))
	for i, a := range m.accs {
		lo[i], hi[i] = a.Result()
	}
	return tfgraph.MinMaxEach(lo, hi), nil
}

// pca accumulates the covariance of vectors arriving as [rows, dim].
type pca struct {
	cov        *analyze.Covariance
	components int
}

func (p *pca) add(t *graph.Tensor) error {
	vals, dim := floats(t), p.cov.Dim
	if dim == 0 || len(vals)%dim != 0 {
		return fmt.Errorf("%d values for vectors of %d", len(vals), dim)
	}
	for r := 0; r < len(vals); r += dim {
		if err := p.cov.AddRow(vals[r : r+dim]); err != nil {
			return err
		}
	}
	return nil
}
func (p *pca) merge(o accumulator) error { return p.cov.Merge(o.(*pca).cov) }
func (p *pca) state() any                { return p.cov }
func (p *pca) result() (map[string]any, error) {
	return tfgraph.PCA(p.cov.Mean, p.cov.PCA(p.components)), nil
}

type quantiles struct {
	sketch  *analyze.QuantileSketch
	buckets int
}

func (q *quantiles) add(t *graph.Tensor) error { return q.sketch.AddValues(floats(t)) }
func (q *quantiles) merge(o accumulator) error {
	return q.sketch.Merge(o.(*quantiles).sketch)
}
func (q *quantiles) state() any { return q.sketch }
func (q *quantiles) result() (map[string]any, error) {
	b, err := q.sketch.Boundaries(q.buckets, false, analyze.Float32)
	if err != nil {
		return nil, err
	}
	return tfgraph.Quantiles(b[0]), nil
}

type vocabulary struct {
	vocab *analyze.Vocabulary
	opts  analyze.VocabOptions
}

func (v *vocabulary) add(t *graph.Tensor) error {
	switch t.DType {
	case tfpb.DataType_DT_STRING:
		v.vocab.AddStrings(t.Str)
	case tfpb.DataType_DT_INT64:
		v.vocab.AddInts(t.I64)
	default:
		return fmt.Errorf("vocabulary of %s", t.DType)
	}
	return nil
}

// addWeighted counts each value by its example's weight.
func (v *vocabulary) addWeighted(t, w *graph.Tensor) error {
	if w.Len() != t.Len() {
		return fmt.Errorf("%d weights for %d values", w.Len(), t.Len())
	}
	for i := range t.Len() {
		switch t.DType {
		case tfpb.DataType_DT_STRING:
			v.vocab.AddStringWeighted(t.Str[i], w.Float64At(i))
		case tfpb.DataType_DT_INT64:
			v.vocab.AddIntWeighted(t.I64[i], w.Float64At(i))
		default:
			return fmt.Errorf("vocabulary of %s", t.DType)
		}
	}
	return nil
}

func (v *vocabulary) merge(o accumulator) error { return v.vocab.Merge(o.(*vocabulary).vocab) }
func (v *vocabulary) state() any                { return v.vocab }
func (v *vocabulary) result() (map[string]any, error) {
	r, err := v.vocab.Result(v.opts)
	if err != nil {
		return nil, err
	}
	return tfgraph.Vocabulary(r.Tokens()), nil
}

// Fit analyzes batches of examples with the template's analyzers and
// returns the frozen graph, their results bound in. Analyzers that read
// other analyzers' results run in a later pass over the batches, on the
// graph the earlier results are bound in (TFT's analysis phases).
func Fit(t *tfgraph.Template, batches ...map[string]*graph.Tensor) (*tfpb.GraphDef, error) {
	for {
		pass := tfgraph.FirstPass(t)
		an, err := NewAnalyzers(pass)
		if err != nil {
			return nil, err
		}
		for _, b := range batches {
			if err := an.Add(b); err != nil {
				return nil, err
			}
		}
		results, err := an.Results()
		if err != nil {
			return nil, err
		}
		if len(pass.Analyzers) == len(t.Analyzers) {
			return tfgraph.Bind(t, results)
		}
		if len(pass.Analyzers) == 0 {
			return nil, fmt.Errorf("the template's analyzers read each other's results")
		}
		if t, err = tfgraph.Partial(t, results); err != nil {
			return nil, err
		}
	}
}

// docFreq counts, for tfidf, the examples (documents) that hold each id,
// reading the ids of a list example by example (TFT mappers.tfidf,
// _count_docs_with_term; SEMANTICS.md 1.8). The number of ids comes from
// the graph with the first batch: the ids were wrapped into it there.
type docFreq struct {
	smooth bool
	acc    analyze.DocFreq
}

func (d *docFreq) add(*graph.Tensor) error {
	return fmt.Errorf("document frequencies need the lengths of the examples")
}

func (d *docFreq) addDocuments(ids, lengths, size *graph.Tensor) error {
	if ids.DType != tfpb.DataType_DT_INT64 || lengths.DType != tfpb.DataType_DT_INT64 || size.DType != tfpb.DataType_DT_INT64 || size.Len() != 1 {
		return fmt.Errorf("document frequencies need int64 ids, lengths and size, got %s, %s and %s%v", ids.DType, lengths.DType, size.DType, size.Shape)
	}
	n := size.I64[0]
	if n <= 0 {
		return fmt.Errorf("%d ids", n)
	}
	if d.acc.DF == nil {
		acc, err := analyze.NewDocFreq(int(n))
		if err != nil {
			return err
		}
		acc.N = d.acc.N
		d.acc = *acc
	} else if int64(len(d.acc.DF)) != n {
		return fmt.Errorf("batches of %d and %d ids", len(d.acc.DF), n)
	}
	next := 0
	for _, k := range lengths.I64 {
		if k < 0 || next+int(k) > len(ids.I64) {
			return fmt.Errorf("lengths add up to more than the %d ids", len(ids.I64))
		}
		d.acc.AddDocument(ids.I64[next : next+int(k)])
		next += int(k)
	}
	if next != len(ids.I64) {
		return fmt.Errorf("lengths add up to %d of the %d ids", next, len(ids.I64))
	}
	return nil
}

func (d *docFreq) merge(o accumulator) error {
	other := &o.(*docFreq).acc
	switch {
	case other.DF == nil:
		d.acc.N += other.N
		return nil
	case d.acc.DF == nil:
		n := d.acc.N
		d.acc = analyze.DocFreq{DF: append([]int64(nil), other.DF...), N: other.N + n}
		return nil
	}
	return d.acc.Merge(other)
}

func (d *docFreq) state() any { return &d.acc }

func (d *docFreq) result() (map[string]any, error) {
	if d.acc.DF == nil {
		return nil, fmt.Errorf("tfidf analyzed no examples, so the number of ids is unknown")
	}
	idf := make([]float64, len(d.acc.DF))
	for i, df := range d.acc.DF {
		idf[i] = analyze.IDF(df, d.acc.N, d.smooth)
	}
	return tfgraph.TFIDF(idf), nil
}
