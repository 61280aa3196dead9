package metrics

import (
	"errors"
	"fmt"
	"slices"

	"github.com/tfxc/tfxc/internal/bincodec"
	"github.com/tfxc/tfxc/runtime/batch"
)

// Config is what an Evaluator computes: TFMA's metrics_specs,
// slicing_specs and options.min_slice_size.
type Config struct {
	Metrics []Spec
	// Slices are the slicing specs. None means the overall slice alone, as
	// TFMA defaults to; otherwise the overall slice exists only if one of
	// them is the empty spec.
	Slices []SliceSpec
	// MinSliceSize: a slice with fewer examples reports an error instead
	// of metrics (TFMA Options.min_slice_size); 0 or 1 keeps every slice.
	MinSliceSize int
}

// Batch is a batch of evaluated examples: column i of every field is
// example i.
type Batch struct {
	Labels      []float64
	Predictions []float64
	// Weights are the example weights; nil weighs every example 1.
	Weights []float64
	// Classes are per-class scores, for accuracy; nil otherwise.
	Classes [][]float64
	// Features hold the slicing columns, one row per example; nil when
	// only the overall slice is computed.
	Features *batch.Batch
}

// Len is the number of examples, or an error when the fields disagree.
func (b *Batch) Len() (int, error) {
	n := len(b.Labels)
	if len(b.Predictions) != n {
		return 0, fmt.Errorf("%d labels but %d predictions", n, len(b.Predictions))
	}
	if b.Weights != nil && len(b.Weights) != n {
		return 0, fmt.Errorf("%d labels but %d weights", n, len(b.Weights))
	}
	if b.Classes != nil && len(b.Classes) != n {
		return 0, fmt.Errorf("%d labels but %d class score rows", n, len(b.Classes))
	}
	if b.Features != nil && b.Features.Rows() != n {
		return 0, fmt.Errorf("%d labels but %d feature rows", n, b.Features.Rows())
	}
	return n, nil
}

// Evaluator computes metrics per slice: one Accumulator per slice key
// met. Like its accumulators it merges and encodes, so that shards of an
// evaluation can run apart and combine in any order with identical
// results.
type Evaluator struct {
	cfg     Config
	lay     *layout
	slicers []*slicer
	slices  map[string]*sliceAcc
}

type sliceAcc struct {
	key SliceKey
	acc *Accumulator
}

// New returns an empty Evaluator, or an error naming the first invalid
// metric or slicing spec.
func New(cfg Config) (*Evaluator, error) {
	lay, err := newLayout(cfg.Metrics)
	if err != nil {
		return nil, err
	}
	if len(cfg.Slices) == 0 {
		cfg.Slices = []SliceSpec{{}}
	}
	if cfg.MinSliceSize < 0 {
		return nil, fmt.Errorf("min_slice_size %d is negative", cfg.MinSliceSize)
	}
	e := &Evaluator{cfg: cfg, lay: lay, slices: map[string]*sliceAcc{}}
	for i, s := range cfg.Slices {
		sl, err := s.compile()
		if err != nil {
			return nil, fmt.Errorf("slicing spec %d: %w", i, err)
		}
		e.slicers = append(e.slicers, sl)
	}
	lay.fingerprint += fmt.Sprintf("|%+v|%d", cfg.Slices, cfg.MinSliceSize)
	return e, nil
}

// Add adds a batch. An invalid example fails the whole batch, with an
// error naming it, and leaves the Evaluator unchanged.
func (e *Evaluator) Add(b Batch) error {
	n, err := b.Len()
	if err != nil {
		return fmt.Errorf("metrics batch: %w", err)
	}
	exs := make([]Example, n)
	// Resolve every example's slices first; new slices are committed only
	// when the whole batch is valid.
	rt := &router{cols: map[string]*batch.Column{}}
	pending := map[string]*sliceAcc{}
	var routes []*sliceAcc
	ends := make([]int, n)
	for i := range n {
		ex := Example{Label: b.Labels[i], Prediction: b.Predictions[i], Weight: 1}
		if b.Weights != nil {
			ex.Weight = b.Weights[i]
		}
		if b.Classes != nil {
			ex.Classes = b.Classes[i]
		}
		if err := e.lay.checkExample(&ex); err != nil {
			return fmt.Errorf("metrics batch: example %d: %w", i, err)
		}
		exs[i] = ex
		if routes, err = e.resolve(routes, rt, pending, b.Features, i); err != nil {
			return fmt.Errorf("metrics batch: example %d: %w", i, err)
		}
		ends[i] = len(routes)
	}
	for id, s := range pending {
		e.slices[id] = s
	}
	lo := 0
	for i := range exs {
		for _, s := range routes[lo:ends[i]] {
			s.acc.add(&exs[i])
		}
		lo = ends[i]
	}
	return nil
}

func (e *Evaluator) slice(k SliceKey) *sliceAcc {
	id := k.id()
	s := e.slices[id]
	if s == nil {
		s = &sliceAcc{key: k, acc: newAccumulator(e.lay)}
		e.slices[id] = s
	}
	return s
}

// Merge adds the examples of o, an Evaluator of the same Config.
func (e *Evaluator) Merge(o *Evaluator) error {
	if e.lay.fingerprint != o.lay.fingerprint {
		return errors.New("cannot merge evaluators of different configurations")
	}
	for _, s := range o.sorted() {
		if err := e.slice(s.key).acc.Merge(s.acc); err != nil {
			return fmt.Errorf("slice %s: %w", s.key, err)
		}
	}
	return nil
}

func (e *Evaluator) sorted() []*sliceAcc {
	out := make([]*sliceAcc, 0, len(e.slices))
	for _, s := range e.slices {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *sliceAcc) int { return CompareSliceKeys(a.key, b.key) })
	return out
}

// MarshalBinary encodes the Evaluator's state (slices in key order, so
// that equal states encode to equal bytes).
func (e *Evaluator) MarshalBinary() ([]byte, error) {
	b := bincodec.AppendString(nil, e.lay.fingerprint)
	ss := e.sorted()
	b = bincodec.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = bincodec.AppendUvarint(b, uint64(len(s.key)))
		for _, c := range s.key {
			b = bincodec.AppendString(b, c.Column)
			b = bincodec.AppendUvarint(b, uint64(c.Value.Kind)) // one byte: the kinds are small
			switch c.Value.Kind {
			case batch.Int:
				b = bincodec.AppendVarint(b, c.Value.Int)
			case batch.Float:
				b = bincodec.AppendFloat(b, c.Value.Float)
			default:
				b = bincodec.AppendString(b, c.Value.Str)
			}
		}
		b = s.acc.appendState(b)
	}
	return b, nil
}

// UnmarshalBinary restores a state encoded by MarshalBinary into e, which
// must have been made with the same Config.
func (e *Evaluator) UnmarshalBinary(data []byte) error {
	r := bincodec.NewReader(data)
	if fp := r.String("fingerprint"); r.Err() == nil && fp != e.lay.fingerprint {
		return errors.New("metrics evaluator: encoded with a different configuration")
	}
	got := map[string]*sliceAcc{}
	n := r.Count("slice count", 2)
	for range n {
		k := make(SliceKey, r.Count("slice key length", 3))
		for i := range k {
			k[i].Column = r.String("slice column")
			if r.Err() != nil || r.Len() == 0 {
				r.Fail("truncated slice key")
				break
			}
			kind := batch.Kind(r.Uvarint("slice value kind"))
			switch kind {
			case batch.Int:
				k[i].Value = IntValue(r.Varint("slice value"))
			case batch.Float:
				k[i].Value = FloatValue(r.Float("slice value"))
			case batch.Bytes:
				k[i].Value = StringValue(r.String("slice value"))
			default:
				r.Fail("unknown slice value kind %d", kind)
			}
		}
		if r.Err() != nil {
			break
		}
		s := &sliceAcc{key: k, acc: newAccumulator(e.lay)}
		s.acc.readState(r)
		if _, dup := got[k.id()]; dup {
			r.Fail("slice %s twice", k)
		}
		got[k.id()] = s
	}
	if err := r.Done(); err != nil {
		return fmt.Errorf("metrics evaluator: %w", err)
	}
	e.slices = got
	return nil
}

// Results computes every metric of every slice met, slices in
// CompareSliceKeys order and metrics in the order of the specs.
func (e *Evaluator) Results() (*Results, error) {
	res := &Results{}
	for _, s := range e.sorted() {
		sr := SliceResult{Key: s.key, ExampleCount: s.acc.count}
		if min := int64(e.cfg.MinSliceSize); s.acc.count < min {
			// metrics_plots_and_validations_evaluator / slicer_lib
			// FilterOutSlices: the slice's metrics are replaced by an error.
			sr.Error = fmt.Sprintf("Example count for this slice key is lower than the minimum required value: %d", min)
		} else {
			vals, err := s.acc.Values()
			if err != nil {
				return nil, fmt.Errorf("slice %s: %w", s.key, err)
			}
			sr.Metrics = vals
		}
		res.Slices = append(res.Slices, sr)
	}
	return res, nil
}
