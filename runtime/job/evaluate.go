package job

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/internal/atomicdir"
	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/runtime/batch"
	"github.com/tfxc/tfxc/runtime/graph"
	"github.com/tfxc/tfxc/runtime/metrics"
	"github.com/tfxc/tfxc/runtime/transform"
)

// Evaluator applies the serving graph to the raw examples of the
// evaluation split and accumulates the evaluate block's metrics per slice.
// Compile it once per worker and share it between shards.
type Evaluator struct {
	job     *Job
	serving *graph.Executable // its placeholders are the transform's
	label   *graph.Executable
	split   int
	cfg     metrics.Config
	classes int // the classes of a softmax head; 0 for one value per example
	// sliced are the transform outputs that slices name, computed by the
	// serving graph beside the prediction.
	sliced []tfgraph.Output
}

// NewEvaluator compiles the serving graph that Train returned.
func (j *Job) NewEvaluator(model []byte) (*Evaluator, error) {
	if j.Plan.Model == nil || j.Label == nil {
		return nil, fmt.Errorf("the plan has no model to evaluate")
	}
	g := &tfpb.GraphDef{}
	if err := proto.Unmarshal(model, g); err != nil {
		return nil, fmt.Errorf("decoding the serving graph: %w", err)
	}
	exe, err := graph.Compile(g, j.Template.Initializers...)
	if err != nil {
		return nil, fmt.Errorf("compiling the serving graph: %w", err)
	}
	lexe, err := graph.Compile(j.Label.Graph)
	if err != nil {
		return nil, fmt.Errorf("compiling the label graph: %w", err)
	}
	cfg, err := j.metricsConfig()
	if err != nil {
		return nil, err
	}
	e := &Evaluator{job: j, serving: exe, label: lexe, split: -1, cfg: cfg, classes: j.Plan.Model.Classes}
	for i, s := range j.Plan.Examples.Splits {
		if s.Name == j.evalSplit() {
			e.split = i
		}
	}
	for _, o := range j.Template.Outputs {
		for _, s := range cfg.Slices {
			named := slices.ContainsFunc(e.sliced, func(x tfgraph.Output) bool { return x.Name == o.Name })
			if slices.Contains(s.FeatureKeys, o.Name) && !named {
				if o.Lengths != "" {
					return nil, fmt.Errorf("slice %s: a transform output with several values per example cannot slice", o.Name)
				}
				e.sliced = append(e.sliced, o)
			}
		}
	}
	if e.split < 0 {
		return nil, fmt.Errorf("the plan evaluates split %q, which it does not declare", j.evalSplit())
	}
	return e, nil
}

// evalSplit is the split the Evaluator reads.
func (j *Job) evalSplit() string {
	if s := j.Plan.Stage("evaluate"); s != nil {
		return s.Split
	}
	return "eval"
}

// metricsConfig is the evaluate block as TFMA's configuration: its
// metrics (example_count alone without one) and its slicing specs.
func (j *Job) metricsConfig() (metrics.Config, error) {
	var cfg metrics.Config
	names := []string{"example_count"}
	var slices [][]string
	if ev := j.Plan.Evaluate; ev != nil {
		names, slices = ev.Metrics, ev.Slices
	}
	for _, n := range names {
		name, err := metrics.CanonicalName(n)
		if err != nil {
			return cfg, err
		}
		cfg.Metrics = append(cfg.Metrics, metrics.Spec{Name: name})
	}
	for _, s := range slices {
		cfg.Slices = append(cfg.Slices, metrics.SliceSpec{FeatureKeys: s})
	}
	return cfg, nil
}

// EvalSummary is a shard's encoded metrics accumulators.
type EvalSummary struct {
	Index   int
	Rows    int64
	Metrics []byte
}

// EvaluateShard reads one shard again, keeps the evaluation split, runs
// the serving graph and the label graph over it and accumulates the
// metrics of every slice.
func (e *Evaluator) EvaluateShard(task Task) (*EvalSummary, error) {
	j := e.job
	ev, err := metrics.New(e.cfg)
	if err != nil {
		return nil, err
	}
	sum := &EvalSummary{Index: task.Index}
	_, err = j.read(task, func(b *batch.Batch) error {
		return j.eachSplit(b, func(s int, part *batch.Batch) error {
			if s != e.split {
				return nil
			}
			// Rows the graphs cannot take are left out, as the transform
			// left them out (and quarantined them).
			bad, err := j.unfeedable(part)
			if err != nil {
				return err
			}
			if len(bad) > 0 {
				part = part.Select(keptRows(part.Rows(), bad))
			}
			if part.Rows() == 0 {
				return nil
			}
			mb, err := e.score(part)
			if err != nil {
				return err
			}
			sum.Rows += int64(part.Rows())
			return ev.Add(*mb)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("evaluating shard %d of %s: %w", task.Index, task.Shard.Path, err)
	}
	if sum.Metrics, err = ev.MarshalBinary(); err != nil {
		return nil, err
	}
	return sum, nil
}

// score runs the graphs over a batch of raw examples.
func (e *Evaluator) score(b *batch.Batch) (*metrics.Batch, error) {
	preds, sliced, err := e.run(b)
	if err != nil {
		return nil, err
	}
	lt := e.job.Label
	feeds, err := transform.BatchFeeds(b, lt.Inputs)
	if err != nil {
		return nil, err
	}
	vals, err := e.label.Run(feeds, lt.Outputs[0].Name)
	if err != nil {
		return nil, fmt.Errorf("computing the label: %w", err)
	}
	labels, err := floats(vals[0])
	if err != nil {
		return nil, fmt.Errorf("the label: %w", err)
	}
	features := b
	if sliced != nil {
		// The slicing columns: the raw features and the transform
		// outputs that slices name.
		features = &batch.Batch{File: b.File, Lines: b.Lines, Columns: append(append([]*batch.Column(nil), b.Columns...), sliced.Columns...)}
	}
	mb := &metrics.Batch{Labels: labels, Predictions: preds, Features: features}
	if k := e.classes; k > 0 {
		// A softmax head: the class probabilities, and as the prediction
		// the most likely class.
		mb.Predictions = make([]float64, len(preds)/k)
		for r := range mb.Predictions {
			row := preds[r*k : (r+1)*k]
			mb.Classes = append(mb.Classes, row)
			mb.Predictions[r] = float64(argmax(row))
		}
	}
	if len(labels) != len(mb.Predictions) {
		return nil, fmt.Errorf("%d labels for %d predictions", len(labels), len(mb.Predictions))
	}
	return mb, nil
}

// argmax is the index of the first largest value.
func argmax(xs []float64) int {
	best := 0
	for i, x := range xs {
		if x > xs[best] {
			best = i
		}
	}
	return best
}

// Predict runs the serving graph over raw examples: one prediction each,
// or with a softmax head a row of class probabilities each, one row after
// the other.
func (e *Evaluator) Predict(b *batch.Batch) ([]float64, error) {
	preds, _, err := e.run(b)
	return preds, err
}

// run runs the serving graph over raw examples for the predictions and
// the transform outputs that slices name (nil when none does).
func (e *Evaluator) run(b *batch.Batch) ([]float64, *batch.Batch, error) {
	feeds, err := transform.BatchFeeds(b, e.job.Template.Inputs)
	if err != nil {
		return nil, nil, err
	}
	fetches := []string{tfgraph.PredictionNode}
	for _, o := range e.sliced {
		fetches = append(fetches, o.Name)
	}
	vals, err := e.serving.Run(feeds, fetches...)
	if err != nil {
		return nil, nil, fmt.Errorf("running the serving graph: %w", err)
	}
	preds, err := floats(vals[0])
	if err != nil {
		return nil, nil, fmt.Errorf("the prediction: %w", err)
	}
	if want := b.Rows() * max(e.classes, 1); len(preds) != want {
		return nil, nil, fmt.Errorf("the serving graph gave %d values for %d examples", len(preds), b.Rows())
	}
	if len(e.sliced) == 0 {
		return preds, nil, nil
	}
	sliced, err := OutputBatch(e.sliced, vals[1:], b.Rows())
	if err != nil {
		return nil, nil, err
	}
	return preds, sliced, nil
}

// floats reads a numeric tensor as float64s.
func floats(t *graph.Tensor) ([]float64, error) {
	switch t.DType {
	case tfpb.DataType_DT_FLOAT, tfpb.DataType_DT_DOUBLE, tfpb.DataType_DT_INT64, tfpb.DataType_DT_INT32, tfpb.DataType_DT_BOOL:
	default:
		return nil, fmt.Errorf("a %s tensor is not numeric", t.DType)
	}
	out := make([]float64, t.Len())
	for i := range out {
		out[i] = t.Float64At(i)
	}
	return out, nil
}

// FinishEvaluation merges the shards' metrics in shard order and writes
// them to runDir/evaluation/metrics.json (one JSON record per slice and
// metric).
func (j *Job) FinishEvaluation(parts []*EvalSummary, runDir string) (*metrics.Results, error) {
	sort.Slice(parts, func(a, b int) bool { return parts[a].Index < parts[b].Index })
	cfg, err := j.metricsConfig()
	if err != nil {
		return nil, err
	}
	acc, err := metrics.New(cfg)
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		part, err := metrics.New(cfg)
		if err != nil {
			return nil, err
		}
		if err := part.UnmarshalBinary(p.Metrics); err != nil {
			return nil, fmt.Errorf("metrics of shard %d: %w", p.Index, err)
		}
		if err := acc.Merge(part); err != nil {
			return nil, err
		}
	}
	res, err := acc.Results()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := res.WriteJSON(&buf); err != nil {
		return nil, err
	}
	if err := atomicdir.WriteFile(filepath.Join(runDir, "evaluation", "metrics.json"), buf.Bytes()); err != nil {
		return nil, err
	}
	return res, nil
}

// ReadMetrics reads an evaluation's metrics.json (a baseline's).
func ReadMetrics(path string) (*metrics.Results, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the metrics: %w", err)
	}
	defer f.Close()
	res, err := metrics.ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return res, nil
}
