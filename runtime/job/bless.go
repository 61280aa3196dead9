package job

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"time"

	"github.com/tfxc/tfxc/planner"
	"github.com/tfxc/tfxc/runtime/metrics"
	"github.com/tfxc/tfxc/runtime/push"
)

// Blessing is the model validation's verdict, written to the run's folder
// as evaluation/blessing.json. Each push has its own: the model goes to a
// destination when the data kept the pipeline's rules and the model meets
// that push's criteria. The model is blessed when it may go to every one.
type Blessing struct {
	Blessed bool
	Pushes  []PushVerdict
	// Baseline is the metrics file of the blessed model compared with, ""
	// when there is none yet.
	Baseline string `json:",omitempty"`
	Checks   []Check
	// Reasons say why the model is not blessed; Notes what was not
	// checked.
	Reasons []string `json:",omitempty"`
	Notes   []string `json:",omitempty"`
}

// PushVerdict is the verdict for one push.
type PushVerdict struct {
	Dest    string
	Blessed bool
	Reasons []string `json:",omitempty"`
}

// Check is one criterion on one slice.
type Check struct {
	Push      int    // the index of the push whose criterion it is
	Criterion string // as written
	Slice     string // TFMA's name of the slice: Overall, trip_start_hour:7
	// Value is the metric, Bound what it was compared with, and Baseline,
	// when the bound reads it, the baseline's value of the metric.
	Value    Float  `json:"value"`
	Bound    Float  `json:"bound"`
	Baseline *Float `json:"baseline,omitempty"`
	Passed   bool
	// Skipped checks (a bound on the baseline while there is none) do not
	// count; Note says why a check was skipped or failed.
	Skipped bool   `json:",omitempty"`
	Note    string `json:",omitempty"`
}

// Float is a metric's value in JSON, NaN and infinities included.
type Float = metrics.Float

// Bless checks the criteria of every push against the results, and the
// baseline's results when a bound reads them (nil when no model is
// blessed yet: those criteria are skipped with a note). dataFailures are
// the pipeline's rules the data broke (see Failures): a model trained on
// such data is never blessed. The verdict is written to
// runDir/evaluation/blessing.json.
//
// The language's criteria are TFMA's thresholds made explicit: `>=` and
// `<=` are inclusive as TFMA's value thresholds are, `>` and `<` strict;
// a criterion on a sliced metric applies to every slice of that spec
// (TFMA per-slice thresholds); a NaN value fails every criterion, and a
// metric or slice missing from the baseline fails a criterion that reads
// the baseline (metrics_validator: "Metric not found"). Sources: TFMA
// evaluators/metrics_validator.py and SEMANTICS.md §3.7.
func (j *Job) Bless(res, baseline *metrics.Results, baselinePath string, dataFailures []string, runDir string) (*Blessing, error) {
	b := &Blessing{Blessed: true, Reasons: append([]string(nil), dataFailures...)}
	if baseline != nil {
		b.Baseline = baselinePath
	}
	for pi, p := range j.Plan.Pushes {
		v := PushVerdict{Dest: p.Dest, Reasons: append([]string(nil), dataFailures...)}
		for _, c := range p.Criteria {
			checks, err := checkCriterion(pi, c, res, baseline)
			if err != nil {
				return nil, err
			}
			for _, ch := range checks {
				if ch.Skipped {
					note := fmt.Sprintf("%s [%s]: %s", ch.Criterion, ch.Slice, ch.Note)
					if !slices.Contains(b.Notes, note) {
						b.Notes = append(b.Notes, note)
					}
				} else if !ch.Passed {
					reason := fmt.Sprintf("%s failed on %s: %s", ch.Criterion, ch.Slice, ch.describe())
					v.Reasons = append(v.Reasons, reason)
					if !slices.Contains(b.Reasons, reason) {
						b.Reasons = append(b.Reasons, reason)
					}
				}
			}
			b.Checks = append(b.Checks, checks...)
		}
		v.Blessed = len(v.Reasons) == 0
		b.Pushes = append(b.Pushes, v)
	}
	b.Blessed = len(b.Reasons) == 0
	if err := writeJSON(filepath.Join(runDir, "evaluation", "blessing.json"), b); err != nil {
		return nil, err
	}
	return b, nil
}

func (c Check) describe() string {
	s := fmt.Sprintf("%v against %v", c.Value, c.Bound)
	if c.Baseline != nil {
		s += fmt.Sprintf(" (baseline %v)", *c.Baseline)
	}
	if c.Note != "" {
		s += ": " + c.Note
	}
	return s
}

// checkCriterion checks a criterion on every slice of its spec.
func checkCriterion(pushIndex int, c planner.Criterion, res, baseline *metrics.Results) ([]Check, error) {
	name, err := metrics.CanonicalName(c.Metric)
	if err != nil {
		return nil, err
	}
	key := metrics.MetricKey{Name: name}
	spec := metrics.SliceSpec{FeatureKeys: c.Slice}
	var out []Check
	for _, s := range res.Slices {
		if !sameColumns(s.Key, c.Slice) || !spec.Applies(s.Key) {
			continue
		}
		ch := Check{Push: pushIndex, Criterion: c.Text, Slice: s.Key.String()}
		v, ok := s.Value(key)
		if !ok {
			ch.Value, ch.Bound = Float(math.NaN()), Float(math.NaN())
			ch.Note = "the metric was not computed on this slice"
			if s.Error != "" {
				ch.Note += ": " + s.Error
			}
			out = append(out, ch)
			continue
		}
		ch.Value = Float(v)
		var missing string
		lookup := func(metric string) float64 {
			m, err := metrics.CanonicalName(metric)
			if err != nil {
				missing = err.Error()
				return math.NaN()
			}
			bs, ok := baseline.Slice(s.Key)
			if !ok {
				missing = "the baseline has no such slice"
				return math.NaN()
			}
			x, ok := bs.Value(metrics.MetricKey{Name: m})
			if !ok {
				missing = "the baseline has no " + metric
				return math.NaN()
			}
			if metric == c.Metric {
				f := Float(x)
				ch.Baseline = &f
			}
			return x
		}
		if c.Bound.UsesBaseline() && baseline == nil {
			ch.Skipped, ch.Passed = true, true
			ch.Bound = Float(math.NaN())
			ch.Note = "not checked: no model of this pipeline is blessed yet"
			out = append(out, ch)
			continue
		}
		bound := c.Bound.Eval(lookup)
		ch.Bound = Float(bound)
		switch c.Op {
		case ">=":
			ch.Passed = v >= bound
		case ">":
			ch.Passed = v > bound
		case "<=":
			ch.Passed = v <= bound
		case "<":
			ch.Passed = v < bound
		default:
			return nil, fmt.Errorf("criterion %s: unknown comparison %q", c.Text, c.Op)
		}
		switch {
		case missing != "":
			ch.Passed, ch.Note = false, missing
		case math.IsNaN(v):
			ch.Note = "the metric is NaN (undefined on this slice)"
		}
		out = append(out, ch)
	}
	if len(out) == 0 {
		what := "the overall slice"
		if len(c.Slice) > 0 {
			what = fmt.Sprintf("any slice of %v", c.Slice)
		}
		out = append(out, Check{Push: pushIndex, Criterion: c.Text, Slice: what, Value: Float(math.NaN()), Bound: Float(math.NaN()),
			Note: "the evaluation has no examples on " + what})
	}
	return out, nil
}

// sameColumns reports whether a slice key is one of the spec's: the same
// columns, in any order.
func sameColumns(k metrics.SliceKey, cols []string) bool {
	if len(k) != len(cols) {
		return false
	}
	for _, c := range k {
		if !slices.Contains(cols, c.Column) {
			return false
		}
	}
	return true
}

// Pushed is what a push did, written to the run's folder as
// push/INDEX.json.
type Pushed struct {
	Dest string
	// Pushed says a new version was written; Version is the version
	// folder that serves the model: the new one, or when the newest
	// version already holds this very model, that one.
	Pushed  bool
	Version string `json:",omitempty"`
	TFJS    string `json:",omitempty"` // the TF.js model inside the version
	Reason  string `json:",omitempty"` // why no version was written
}

// Push pushes the run's serving model to push number index's destination
// if and only if the blessing allows it there, and records what it did in
// runDir/push/INDEX.json. A model that misses the push's criteria, or was
// trained on data that broke the pipeline's rules, is never pushed.
func (j *Job) Push(index int, b *Blessing, runDir string, now time.Time) (*Pushed, error) {
	if index < 0 || index >= len(j.Plan.Pushes) {
		return nil, fmt.Errorf("push %d: the plan has %d pushes", index, len(j.Plan.Pushes))
	}
	p := j.Plan.Pushes[index]
	out := &Pushed{Dest: p.Dest}
	record := func() (*Pushed, error) {
		return out, writeJSON(filepath.Join(runDir, "push", fmt.Sprintf("%d.json", index)), out)
	}
	if b == nil || index >= len(b.Pushes) || !b.Pushes[index].Blessed {
		out.Reason = "the model is not blessed"
		if b != nil && index < len(b.Pushes) {
			if rs := b.Pushes[index].Reasons; len(rs) > 0 {
				out.Reason += ": " + rs[0]
				if n := len(rs) - 1; n > 0 {
					out.Reason += fmt.Sprintf(" (and %d more reasons)", n)
				}
			}
		}
		return record()
	}
	// The version folder is TensorFlow Serving's layout, so it always
	// holds the SavedModel; tfjs adds the TF.js model inside it.
	m := push.Model{SavedModel: filepath.Join(runDir, "model", "saved_model")}
	if slices.Contains(p.Formats, "tfjs") {
		m.TFJS = filepath.Join(runDir, "model", "tfjs")
	}
	// A rerun that trained the same model (same data, plan and seed) does
	// not add a copy of what is already served.
	served, err := push.Served(m, p.Dest)
	if err != nil {
		return nil, fmt.Errorf("pushing to %s: %w", p.Dest, err)
	}
	if served != "" {
		out.Version, out.Reason = served, "the newest version already holds this very model"
		if m.TFJS != "" {
			out.TFJS = filepath.Join(served, "tfjs")
		}
		return record()
	}
	done, err := push.Push(m, p.Dest, now)
	if err != nil {
		out.Reason = err.Error()
		if _, werr := record(); werr != nil {
			return nil, werr
		}
		return nil, fmt.Errorf("pushing to %s: %w", p.Dest, err)
	}
	out.Pushed, out.Version = true, done.Dir
	if m.TFJS != "" {
		out.TFJS = filepath.Join(done.Dir, "tfjs")
	}
	return record()
}
