package metrics

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/tfxc/tfxc/internal/bincodec"
)

// Example is one evaluated example.
type Example struct {
	// Label is the label: 0 or 1 for binary metrics (a fraction in [0, 1]
	// counts as that share of a positive, TFMA's fractional labels), any
	// number for regression metrics, the class index for accuracy.
	Label float64
	// Prediction is the model's score: the probability of the positive
	// class for binary metrics.
	Prediction float64
	// Weight is the example weight that weighted metrics apply (0 is a
	// weight, not a default); unweighted metrics count every example as 1.
	Weight float64
	// Classes are the per-class scores of a multiclass model, for accuracy.
	Classes []float64
}

// maxMagnitude bounds labels, predictions and weights so that every term
// (a product of two of them, or a squared error) and every sum stays
// finite, which the exact sums need.
const maxMagnitude = 1e150

// layout is what an accumulator computes: the checked specs and, for each
// weighting (0 unweighted, 1 weighted), the sums they need.
type layout struct {
	plans []plan
	needs [2]needs
	// fingerprint identifies the layout in the binary form and in Merge.
	fingerprint string
}

type needs struct {
	used, calibration, regression, accuracy, confusion, histogram bool
	// exact are the ascending distinct thresholds counted exactly.
	exact []float64
}

func newLayout(specs []Spec) (*layout, error) {
	l := &layout{}
	seen := map[MetricKey]bool{}
	for i, s := range specs {
		p, err := s.check()
		if err != nil {
			return nil, fmt.Errorf("metrics[%d]: %w", i, err)
		}
		if seen[s.Key()] {
			return nil, fmt.Errorf("metrics[%d]: %s is configured twice", i, s.Key())
		}
		seen[s.Key()] = true
		l.plans = append(l.plans, p)
		n := &l.needs[weightIndex(s.Weighted)]
		n.used = true
		switch p.info.fam {
		case famCalibration:
			n.calibration = true
		case famRegression:
			n.regression = true
		case famAccuracy:
			n.accuracy = true
		}
		if p.usesConfusion() {
			n.confusion = true
			if p.exact {
				n.exact = append(n.exact, p.thresholds...)
			} else {
				n.histogram = true
			}
		}
	}
	for i := range l.needs {
		slices.Sort(l.needs[i].exact)
		l.needs[i].exact = slices.Compact(l.needs[i].exact)
	}
	l.fingerprint = fmt.Sprintf("%+v", specs)
	return l, nil
}

func weightIndex(weighted bool) int {
	if weighted {
		return 1
	}
	return 0
}

// Accumulator computes the metrics of one slice. It is a mergeable
// accumulator: shards add their examples to accumulators of the same
// specs, which then merge in any order (or cross process boundaries
// through MarshalBinary) with identical results, since every weighted sum
// is exact (Sum) and the unweighted count is an integer.
type Accumulator struct {
	lay   *layout
	count int64
	parts [2]*part
}

// part holds the sums of one weighting.
type part struct {
	examples Sum // Σw
	labels   Sum // Σw·label
	preds    Sum // Σw·prediction
	absErr   Sum // Σw·|label − prediction|
	sqErr    Sum // Σw·(label − prediction)²
	correct  Sum // Σw over examples whose top class is the label
	// hist is the calibration histogram: bucket id → weights of the
	// positive and negative halves of the examples in it.
	hist map[int32]*bucket
	// exact[i] counts the matrix at needs.exact[i].
	exact []matrixSums
}

type matrixSums struct{ tp, tn, fp, fn Sum }

// NewAccumulator returns an empty accumulator of the given metrics.
func NewAccumulator(specs []Spec) (*Accumulator, error) {
	l, err := newLayout(specs)
	if err != nil {
		return nil, err
	}
	return newAccumulator(l), nil
}

func newAccumulator(l *layout) *Accumulator {
	a := &Accumulator{lay: l}
	for i, n := range l.needs {
		if !n.used {
			continue
		}
		p := &part{exact: make([]matrixSums, len(n.exact))}
		if n.histogram {
			p.hist = map[int32]*bucket{}
		}
		a.parts[i] = p
	}
	return a
}

// Count is the number of examples added, whatever their weights.
func (a *Accumulator) Count() int64 { return a.count }

// checkExample validates an example for the sums the layout needs.
func (l *layout) checkExample(e *Example) error {
	for _, f := range []struct {
		what string
		v    float64
	}{{"label", e.Label}, {"prediction", e.Prediction}, {"example weight", e.Weight}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fmt.Errorf("%s is %v", f.what, f.v)
		}
		if math.Abs(f.v) > maxMagnitude {
			return fmt.Errorf("%s %v is beyond ±%g", f.what, f.v, maxMagnitude)
		}
	}
	for _, n := range l.needs {
		if n.confusion && (e.Label < 0 || e.Label > 1) {
			// metric_util._yield_fractional_labels raises the same.
			return fmt.Errorf("label %v is not within [0, 1], as confusion-matrix metrics need", e.Label)
		}
		if n.accuracy {
			if len(e.Classes) == 0 {
				return errors.New("accuracy needs the per-class scores (Classes)")
			}
			for _, c := range e.Classes {
				if math.IsNaN(c) {
					return errors.New("a class score is NaN")
				}
			}
		}
	}
	return nil
}

// Add adds one example. An invalid example (a NaN or infinite label,
// prediction or weight; a label outside [0, 1] when confusion-matrix
// metrics are computed) is rejected with an error and changes nothing.
func (a *Accumulator) Add(e Example) error {
	if err := a.lay.checkExample(&e); err != nil {
		return err
	}
	a.add(&e)
	return nil
}

func (a *Accumulator) add(e *Example) {
	a.count++
	for i, p := range a.parts {
		if p == nil {
			continue
		}
		n := &a.lay.needs[i]
		w := 1.0
		if i == 1 {
			w = e.Weight
		}
		p.examples.Add(w)
		if n.calibration {
			// calibration.py: total_weighted_labels += label·weight, …
			p.labels.Add(e.Label * w)
			p.preds.Add(e.Prediction * w)
		}
		if n.regression {
			// mean_regression_error.py: error·weight.
			d := e.Label - e.Prediction
			p.absErr.Add(math.Abs(d) * w)
			p.sqErr.Add(d * d * w)
		}
		if n.accuracy && argmax(e.Classes) == e.Label {
			p.correct.Add(w)
		}
		if !n.confusion {
			continue
		}
		// Fractional labels (metric_util._yield_fractional_labels): the
		// example splits into a negative half of weight w·(1−l) and a
		// positive half of weight w·l; zero-weight halves are dropped.
		negW, posW := w*(1-e.Label), w*e.Label
		if p.hist != nil {
			id := bucketIndex(e.Prediction)
			b := p.hist[id]
			if b == nil {
				b = &bucket{}
				p.hist[id] = b
			}
			b.neg.Add(negW)
			b.pos.Add(posW)
		}
		for k, t := range n.exact {
			m := &p.exact[k]
			// binary_confusion_matrices._BinaryConfusionMatrixCombiner:
			// predicted positive iff prediction > threshold.
			if e.Prediction > t {
				m.fp.Add(negW)
				m.tp.Add(posW)
			} else {
				m.tn.Add(negW)
				m.fn.Add(posW)
			}
		}
	}
}

// argmax is the index of the first largest score (numpy.argmax).
func argmax(xs []float64) float64 {
	best := 0
	for i, x := range xs {
		if x > xs[best] {
			best = i
		}
	}
	return float64(best)
}

// Merge adds the examples of o, an accumulator of the same specs.
func (a *Accumulator) Merge(o *Accumulator) error {
	if a.lay.fingerprint != o.lay.fingerprint {
		return errors.New("cannot merge accumulators of different metrics")
	}
	a.count += o.count
	for i, p := range a.parts {
		q := o.parts[i]
		if p == nil || q == nil {
			continue
		}
		p.examples.Merge(&q.examples)
		p.labels.Merge(&q.labels)
		p.preds.Merge(&q.preds)
		p.absErr.Merge(&q.absErr)
		p.sqErr.Merge(&q.sqErr)
		p.correct.Merge(&q.correct)
		for id, qb := range q.hist {
			b := p.hist[id]
			if b == nil {
				b = &bucket{}
				p.hist[id] = b
			}
			b.pos.Merge(&qb.pos)
			b.neg.Merge(&qb.neg)
		}
		for k := range p.exact {
			m, qm := &p.exact[k], &q.exact[k]
			m.tp.Merge(&qm.tp)
			m.tn.Merge(&qm.tn)
			m.fp.Merge(&qm.fp)
			m.fn.Merge(&qm.fn)
		}
	}
	return nil
}

// MarshalBinary encodes the accumulator; UnmarshalBinary of an
// accumulator made with the same specs restores it.
func (a *Accumulator) MarshalBinary() ([]byte, error) {
	b := bincodec.AppendString(nil, a.lay.fingerprint)
	return a.appendState(b), nil
}

func (a *Accumulator) appendState(b []byte) []byte {
	b = bincodec.AppendVarint(b, a.count)
	for _, p := range a.parts {
		if p == nil {
			continue
		}
		for _, s := range []*Sum{&p.examples, &p.labels, &p.preds, &p.absErr, &p.sqErr, &p.correct} {
			b = appendSum(b, s)
		}
		// The histogram in bucket order, so that equal states encode alike.
		ids := make([]int32, 0, len(p.hist))
		for id := range p.hist {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		b = bincodec.AppendUvarint(b, uint64(len(ids)))
		for _, id := range ids {
			b = bincodec.AppendUvarint(b, uint64(id))
			b = appendSum(b, &p.hist[id].pos)
			b = appendSum(b, &p.hist[id].neg)
		}
		for k := range p.exact {
			m := &p.exact[k]
			for _, s := range []*Sum{&m.tp, &m.tn, &m.fp, &m.fn} {
				b = appendSum(b, s)
			}
		}
	}
	return b
}

// UnmarshalBinary restores an accumulator encoded by MarshalBinary into a,
// which must have been made with the same specs.
func (a *Accumulator) UnmarshalBinary(data []byte) error {
	r := bincodec.NewReader(data)
	if fp := r.String("fingerprint"); r.Err() == nil && fp != a.lay.fingerprint {
		return errors.New("metrics accumulator: encoded with different metrics")
	}
	fresh := newAccumulator(a.lay)
	fresh.readState(r)
	if err := r.Done(); err != nil {
		return fmt.Errorf("metrics accumulator: %w", err)
	}
	*a = *fresh
	return nil
}

func (a *Accumulator) readState(r *bincodec.Reader) {
	a.count = r.Varint("example count")
	if a.count < 0 {
		r.Fail("negative example count")
	}
	for _, p := range a.parts {
		if p == nil {
			continue
		}
		for _, s := range []*Sum{&p.examples, &p.labels, &p.preds, &p.absErr, &p.sqErr, &p.correct} {
			readSum(r, s)
		}
		n := r.Count("histogram size", 3)
		if n > 0 && p.hist == nil {
			r.Fail("histogram in an accumulator that keeps none")
			return
		}
		for range n {
			id := r.Uvarint("bucket")
			if id > numBuckets+1 {
				r.Fail("bucket %d out of range", id)
				return
			}
			b := &bucket{}
			readSum(r, &b.pos)
			readSum(r, &b.neg)
			p.hist[int32(id)] = b
		}
		for k := range p.exact {
			m := &p.exact[k]
			for _, s := range []*Sum{&m.tp, &m.tn, &m.fp, &m.fn} {
				readSum(r, s)
			}
		}
	}
}

// Matrices returns the confusion matrices at ascending thresholds of the
// weighted or unweighted examples: from the calibration histogram when
// histogram is set (the accumulator's specs must include a histogram
// metric of that weighting), else counted exactly (each threshold must be
// one a spec of that weighting counts exactly).
func (a *Accumulator) Matrices(thresholds []float64, histogram, weighted bool) (Matrices, error) {
	i := weightIndex(weighted)
	p := a.parts[i]
	if p == nil {
		return Matrices{}, fmt.Errorf("no metric of weighting %v", weighted)
	}
	if histogram {
		if p.hist == nil {
			return Matrices{}, errors.New("no metric keeps the calibration histogram")
		}
		return histogramMatrices(thresholds, p.hist)
	}
	m := Matrices{Thresholds: slices.Clone(thresholds)}
	for _, t := range thresholds {
		k, ok := slices.BinarySearch(a.lay.needs[i].exact, t)
		if !ok {
			return Matrices{}, fmt.Errorf("threshold %v is not counted exactly", t)
		}
		s := &p.exact[k]
		m.TP = append(m.TP, s.tp.Value())
		m.TN = append(m.TN, s.tn.Value())
		m.FP = append(m.FP, s.fp.Value())
		m.FN = append(m.FN, s.fn.Value())
	}
	return m, nil
}

// Value is one computed metric.
type Value struct {
	Key   MetricKey
	Value float64
}

// Values computes every metric, in the order of the specs. A zero
// denominator gives NaN, as in TFMA.
func (a *Accumulator) Values() ([]Value, error) {
	out := make([]Value, 0, len(a.lay.plans))
	// Matrices are shared by the specs that ask for the same ones.
	type computed struct {
		pl plan
		m  Matrices
	}
	var cache []computed
	for _, pl := range a.lay.plans {
		v, err := a.value(pl, func() (Matrices, error) {
			for _, c := range cache {
				if c.pl.Weighted == pl.Weighted && c.pl.exact == pl.exact && slices.Equal(c.pl.thresholds, pl.thresholds) {
					return c.m, nil
				}
			}
			m, err := a.Matrices(pl.thresholds, !pl.exact, pl.Weighted)
			if err == nil {
				cache = append(cache, computed{pl, m})
			}
			return m, err
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pl.Key(), err)
		}
		out = append(out, Value{Key: pl.Key(), Value: v})
	}
	return out, nil
}

func (a *Accumulator) value(pl plan, matrices func() (Matrices, error)) (float64, error) {
	p := a.parts[weightIndex(pl.Weighted)]
	switch pl.info.fam {
	case famCount:
		// example_count.py: unweighted counts every example (weight 0
		// included), weighted sums the weights.
		if pl.Weighted {
			return p.examples.Value(), nil
		}
		return float64(a.count), nil
	case famCalibration:
		// calibration.py: NaN when the denominator isclose 0.
		num := p.preds.Value()
		den := p.examples.Value()
		switch pl.Name {
		case "mean_label":
			num = p.labels.Value()
		case "calibration":
			den = p.labels.Value()
		}
		if isClose0(den) {
			return nan, nil
		}
		return num / den, nil
	case famRegression:
		// mean_regression_error.py: NaN when the total weight is 0.
		num := p.sqErr.Value()
		if pl.Name == "mean_absolute_error" {
			num = p.absErr.Value()
		}
		den := p.examples.Value()
		if den == 0 {
			return nan, nil
		}
		return num / den, nil
	case famAccuracy:
		return ratioAny(p.correct.Value(), p.examples.Value()), nil
	}
	m, err := matrices()
	if err != nil {
		return 0, err
	}
	switch pl.info.fam {
	case famRate:
		return pl.info.rate(m.At(0)), nil
	case famCurve:
		return AUC(m, pl.Curve, pl.Summation)
	case famAt:
		return atMetric(pl.Name, m, pl.At), nil
	}
	return 0, fmt.Errorf("metric %q has no computation", pl.Name)
}

// isClose0 is numpy.isclose(x, 0.0): |x| ≤ 1e−8.
func isClose0(x float64) bool { return math.Abs(x) <= 1e-8 }
