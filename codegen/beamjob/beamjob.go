// Package beamjob builds the one Beam pipeline that runs a plan: the data
// stages, then training, evaluation, blessing and push. Its elements are
// shards, encoded accumulators and graphs, never rows: each shard is read,
// analyzed, transformed or evaluated in a tight loop by package
// runtime/job inside one DoFn, and the shards' accumulators meet in one
// grouping, merged in shard order so that every runner gives the same
// artifacts. Training runs in one DoFn on one worker.
//
//	tasks ─ Reshuffle ─ analyze ─ GroupByKey ─ finish ─▶ transform state ─┐ (side input)
//	  │                 [analyze pass k ─ GroupByKey ─ finish pass k ◀──────┤ for a transform
//	  │                                          └─▶ next state ───────────┤  needing k passes]
//	  ├──────────────────────────────────── transform ◀─────────────────────┘ ─ GroupByKey ─ report ─ train
//	  └─ evaluate (the serving graph from train as side input) ─ GroupByKey ─ bless ─ push
package beamjob

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/tfxc/tfxc/planner"
	"github.com/tfxc/tfxc/runtime/job"
	"github.com/tfxc/tfxc/runtime/metrics"
)

// The job's counters, which progress lines and the final summary read.
var (
	shardsAnalyzed    = beam.NewCounter("tfxc", "shards_analyzed")
	rowsRead          = beam.NewCounter("tfxc", "rows_read")
	rowsBad           = beam.NewCounter("tfxc", "rows_quarantined")
	shardsTransformed = beam.NewCounter("tfxc", "shards_transformed")
	rowsTransformed   = beam.NewCounter("tfxc", "rows_transformed")
	shardsEvaluated   = beam.NewCounter("tfxc", "shards_evaluated")
	rowsEvaluated     = beam.NewCounter("tfxc", "rows_evaluated")
)

// Counter names, for readers of the job's metrics.
const (
	CounterShardsAnalyzed    = "shards_analyzed"
	CounterRowsRead          = "rows_read"
	CounterRowsQuarantined   = "rows_quarantined"
	CounterShardsTransformed = "shards_transformed"
	CounterRowsTransformed   = "rows_transformed"
	CounterShardsEvaluated   = "shards_evaluated"
	CounterRowsEvaluated     = "rows_evaluated"
)

func init() {
	register.DoFn3x1[context.Context, []byte, func([]byte), error](&analyzeFn{})
	register.DoFn4x1[context.Context, int, func(*[]byte) bool, func([]byte), error](&finishFn{})
	register.DoFn4x1[context.Context, []byte, []byte, func([]byte), error](&transformFn{})
	register.DoFn4x1[context.Context, int, func(*[]byte) bool, func([]byte), error](&reportFn{})
	register.DoFn4x1[context.Context, []byte, []byte, func([]byte), error](&trainFn{})
	register.DoFn4x1[context.Context, []byte, []byte, func([]byte), error](&evaluateFn{})
	register.DoFn4x1[context.Context, int, func(*[]byte) bool, func([]byte), error](&blessFn{})
	register.DoFn2x1[context.Context, []byte, error](&pushFn{})
	register.DoFn4x1[context.Context, []byte, []byte, func([]byte), error](&analyzePassFn{})
	register.DoFn5x1[context.Context, int, func(*[]byte) bool, []byte, func([]byte), error](&finishPassFn{})
	register.Emitter1[[]byte]()
	register.Iter1[[]byte]()
}

// Config is what the job's DoFns carry to the workers.
type Config struct {
	Plan    []byte // planner.Marshal's JSON
	RunDir  string // the run's artifact folder, shared by every worker
	Version string // the version of tfxc that compiled the plan
	// Baseline is the metrics file (evaluation/metrics.json) of the
	// pipeline's latest blessed model, "" when there is none.
	Baseline string
	// Now is when the run started, in Unix nanoseconds: pushed versions
	// are numbered from it.
	Now int64
	// Reuse says which stages an earlier run did for this one, their
	// artifacts already copied into RunDir: "" (none), ReuseData (every
	// data stage) or ReuseModel (the data stages and the Trainer).
	Reuse string
}

// What a run can reuse of an earlier one.
const (
	ReuseData  = "data"
	ReuseModel = "model"
)

// Build adds the plan's stages to the pipeline, those that cfg.Reuse says
// an earlier run did excepted: tasks are the shards of the examples, as
// job.Job.Tasks planned them.
func Build(s beam.Scope, cfg Config, tasks []job.Task) error {
	if len(tasks) == 0 {
		return fmt.Errorf("no examples to read")
	}
	p, err := planner.Unmarshal(cfg.Plan)
	if err != nil {
		return err
	}
	var elems [][]byte
	for _, t := range tasks {
		b, err := json.Marshal(t)
		if err != nil {
			return fmt.Errorf("encoding shard %d: %w", t.Index, err)
		}
		elems = append(elems, b)
	}
	// A Create is one bundle; the Reshuffle lets the runner spread the
	// shards over its workers and cores.
	shards := beam.Reshuffle(s, beam.CreateList(s.Scope("shards"), elems))

	var state, done beam.PCollection
	switch cfg.Reuse {
	case "":
		if state, done, err = buildData(s, cfg, p, shards); err != nil || p.Transform == nil {
			return err
		}
	case ReuseData, ReuseModel:
		if p.Model == nil {
			return fmt.Errorf("reusing the stages of an earlier run: the plan has no model")
		}
		st, err := job.ReadState(cfg.RunDir)
		if err != nil {
			return err
		}
		state = beam.Create(s.Scope("reused transform"), st)
		done = beam.Create(s.Scope("reused data"), []byte("reused"))
	default:
		return fmt.Errorf("unknown reuse %q", cfg.Reuse)
	}
	if p.Model == nil {
		return nil
	}
	// Training runs on one worker, once every shard is transformed.
	var model beam.PCollection
	if cfg.Reuse == ReuseModel {
		m, err := job.ReadServingGraph(cfg.RunDir)
		if err != nil {
			return err
		}
		model = beam.Create(s.Scope("reused model"), m)
	} else {
		model = beam.ParDo(s.Scope("train"), &trainFn{Config: cfg}, done, beam.SideInput{Input: state})
	}
	if p.Stage("evaluate") == nil {
		return nil
	}
	evals := beam.ParDo(s.Scope("evaluate"), &evaluateFn{Config: cfg}, shards, beam.SideInput{Input: model})
	blessing := beam.ParDo(s.Scope("bless"), &blessFn{Config: cfg}, beam.GroupByKey(s, beam.AddFixedKey(s, evals)))
	beam.ParDo0(s.Scope("push"), &pushFn{Config: cfg}, blessing)
	return nil
}

// buildData adds the data stages: it returns the transform's final state
// (the finish's output, empty without a transform) and a collection that
// holds one element once every shard is transformed (zero without a
// transform).
func buildData(s beam.Scope, cfg Config, p *planner.Plan, shards beam.PCollection) (state, done beam.PCollection, err error) {
	summaries := beam.ParDo(s.Scope("analyze"), &analyzeFn{Config: cfg}, shards)
	grouped := beam.GroupByKey(s, beam.AddFixedKey(s, summaries))
	state = beam.ParDo(s.Scope("finish"), &finishFn{Config: cfg}, grouped)
	if p.Transform == nil {
		return state, done, nil
	}
	// A transform whose analyzers read others' results needs more passes
	// over the shards, each with the state the previous one left.
	j, err := job.New(p)
	if err != nil {
		return state, done, err
	}
	for pass := 1; pass < j.Passes(); pass++ {
		scope := s.Scope(fmt.Sprintf("analyze pass %d", pass+1))
		parts := beam.ParDo(scope, &analyzePassFn{Config: cfg}, shards, beam.SideInput{Input: state})
		state = beam.ParDo(scope, &finishPassFn{Config: cfg}, beam.GroupByKey(scope, beam.AddFixedKey(scope, parts)), beam.SideInput{Input: state})
	}
	transformed := beam.ParDo(s.Scope("transform"), &transformFn{Config: cfg}, shards, beam.SideInput{Input: state})
	done = beam.ParDo(s.Scope("report"), &reportFn{Config: cfg}, beam.GroupByKey(s, beam.AddFixedKey(s, transformed)))
	return state, done, nil
}

// prepare decodes the plan once per DoFn instance.
func (c *Config) prepare() (*job.Job, error) {
	p, err := planner.Unmarshal(c.Plan)
	if err != nil {
		return nil, err
	}
	return job.New(p)
}

func decodeTask(data []byte) (job.Task, error) {
	var t job.Task
	if err := json.Unmarshal(data, &t); err != nil {
		return t, fmt.Errorf("decoding a shard: %w", err)
	}
	return t, nil
}

// analyzeFn reads a shard and emits its encoded job.ShardSummary.
type analyzeFn struct {
	Config Config
	job    *job.Job
}

func (f *analyzeFn) Setup() (err error) {
	f.job, err = f.Config.prepare()
	return err
}

func (f *analyzeFn) ProcessElement(ctx context.Context, task []byte, emit func([]byte)) error {
	t, err := decodeTask(task)
	if err != nil {
		return err
	}
	sum, err := f.job.AnalyzeShard(t, f.Config.RunDir)
	if err != nil {
		return err
	}
	data, err := sum.Encode()
	if err != nil {
		return err
	}
	var rows, bad int64
	for _, n := range sum.Rows {
		rows += n
	}
	for _, n := range sum.Bad {
		bad += n
	}
	rowsRead.Inc(ctx, rows+bad)
	rowsBad.Inc(ctx, bad)
	shardsAnalyzed.Inc(ctx, 1)
	emit(data)
	return nil
}

// finishFn merges every shard's summary and writes the data artifacts; it
// emits the transform's state (empty without a transform).
type finishFn struct {
	Config Config
	job    *job.Job
}

func (f *finishFn) Setup() (err error) {
	f.job, err = f.Config.prepare()
	return err
}

func (f *finishFn) ProcessElement(ctx context.Context, _ int, summaries func(*[]byte) bool, emit func([]byte)) error {
	var parts []*job.ShardSummary
	var data []byte
	for summaries(&data) {
		s, err := job.DecodeShardSummary(data)
		if err != nil {
			return err
		}
		parts = append(parts, s)
	}
	_, state, err := f.job.Finish(parts, f.Config.RunDir, f.Config.Version)
	if err != nil {
		return err
	}
	emit(state)
	return nil
}

// analyzePassFn runs a later analysis pass over a shard, given the
// transform's state; it emits the encoded job.PassSummary.
type analyzePassFn struct {
	Config Config
	job    *job.Job
}

func (f *analyzePassFn) Setup() (err error) {
	f.job, err = f.Config.prepare()
	return err
}

func (f *analyzePassFn) ProcessElement(ctx context.Context, task []byte, state []byte, emit func([]byte)) error {
	t, err := decodeTask(task)
	if err != nil {
		return err
	}
	sum, err := f.job.AnalyzePass(t, state)
	if err != nil {
		return err
	}
	data, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	emit(data)
	return nil
}

// finishPassFn merges a later pass's shard summaries and emits the next
// state of the transform.
type finishPassFn struct {
	Config Config
	job    *job.Job
}

func (f *finishPassFn) Setup() (err error) {
	f.job, err = f.Config.prepare()
	return err
}

func (f *finishPassFn) ProcessElement(ctx context.Context, _ int, summaries func(*[]byte) bool, state []byte, emit func([]byte)) error {
	var parts []*job.PassSummary
	var data []byte
	for summaries(&data) {
		s := &job.PassSummary{}
		if err := json.Unmarshal(data, s); err != nil {
			return fmt.Errorf("decoding a pass summary: %w", err)
		}
		parts = append(parts, s)
	}
	next, err := f.job.FinishPass(state, parts, f.Config.RunDir, f.Config.Version)
	if err != nil {
		return err
	}
	emit(next)
	return nil
}

// transformFn applies the frozen graph (the transform's final state) to a
// shard and writes its transformed examples; it emits the encoded
// job.TransformSummary.
type transformFn struct {
	Config Config
	job    *job.Job

	mu    sync.Mutex
	state string // the transform state the transformer was compiled from
	tr    *job.Transformer
}

func (f *transformFn) Setup() (err error) {
	f.job, err = f.Config.prepare()
	return err
}

// transformer compiles the frozen graph once per DoFn instance.
func (f *transformFn) transformer(state []byte) (*job.Transformer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.tr != nil && f.state == string(state) {
		return f.tr, nil
	}
	tr, err := f.job.NewTransformer(state)
	if err != nil {
		return nil, err
	}
	f.tr, f.state = tr, string(state)
	return tr, nil
}

func (f *transformFn) ProcessElement(ctx context.Context, task []byte, state []byte, emit func([]byte)) error {
	t, err := decodeTask(task)
	if err != nil {
		return err
	}
	tr, err := f.transformer(state)
	if err != nil {
		return err
	}
	sum, err := tr.TransformShard(t, f.Config.RunDir)
	if err != nil {
		return err
	}
	data, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	var rows int64
	for _, n := range sum.Rows {
		rows += n
	}
	rowsTransformed.Inc(ctx, rows)
	shardsTransformed.Inc(ctx, 1)
	emit(data)
	return nil
}

// reportFn writes the transform's totals to the run's folder.
type reportFn struct {
	Config Config
	job    *job.Job
}

func (f *reportFn) Setup() (err error) {
	f.job, err = f.Config.prepare()
	return err
}

func (f *reportFn) ProcessElement(ctx context.Context, _ int, summaries func(*[]byte) bool, emit func([]byte)) error {
	var parts []*job.TransformSummary
	var data []byte
	for summaries(&data) {
		s := &job.TransformSummary{}
		if err := json.Unmarshal(data, s); err != nil {
			return fmt.Errorf("decoding a transform summary: %w", err)
		}
		parts = append(parts, s)
	}
	if err := f.job.FinishTransform(parts, f.Config.RunDir); err != nil {
		return err
	}
	emit([]byte("transformed"))
	return nil
}

// trainFn trains the model on one worker once the transform is done, and
// emits the encoded serving graph.
type trainFn struct {
	Config Config
	job    *job.Job
}

func (f *trainFn) Setup() (err error) {
	f.job, err = f.Config.prepare()
	return err
}

func (f *trainFn) ProcessElement(ctx context.Context, _ []byte, state []byte, emit func([]byte)) error {
	model, _, err := f.job.Train(state, f.Config.RunDir, f.Config.Version)
	if err != nil {
		return err
	}
	emit(model)
	return nil
}

// evaluateFn evaluates the serving graph on a shard's evaluation split,
// and emits the encoded job.EvalSummary.
type evaluateFn struct {
	Config Config
	job    *job.Job

	mu    sync.Mutex
	model string
	ev    *job.Evaluator
}

func (f *evaluateFn) Setup() (err error) {
	f.job, err = f.Config.prepare()
	return err
}

func (f *evaluateFn) evaluator(model []byte) (*job.Evaluator, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ev != nil && f.model == string(model) {
		return f.ev, nil
	}
	ev, err := f.job.NewEvaluator(model)
	if err != nil {
		return nil, err
	}
	f.ev, f.model = ev, string(model)
	return ev, nil
}

func (f *evaluateFn) ProcessElement(ctx context.Context, task []byte, model []byte, emit func([]byte)) error {
	t, err := decodeTask(task)
	if err != nil {
		return err
	}
	ev, err := f.evaluator(model)
	if err != nil {
		return err
	}
	sum, err := ev.EvaluateShard(t)
	if err != nil {
		return err
	}
	data, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	rowsEvaluated.Inc(ctx, sum.Rows)
	shardsEvaluated.Inc(ctx, 1)
	emit(data)
	return nil
}

// blessFn merges the shards' metrics, writes them, checks the push
// criteria against them and the baseline's, and emits the blessing as
// JSON.
type blessFn struct {
	Config Config
	job    *job.Job
}

func (f *blessFn) Setup() (err error) {
	f.job, err = f.Config.prepare()
	return err
}

func (f *blessFn) ProcessElement(ctx context.Context, _ int, summaries func(*[]byte) bool, emit func([]byte)) error {
	var parts []*job.EvalSummary
	var data []byte
	for summaries(&data) {
		s := &job.EvalSummary{}
		if err := json.Unmarshal(data, s); err != nil {
			return fmt.Errorf("decoding an evaluation summary: %w", err)
		}
		parts = append(parts, s)
	}
	dir := f.Config.RunDir
	res, err := f.job.FinishEvaluation(parts, dir)
	if err != nil {
		return err
	}
	var baseline *metrics.Results
	if f.Config.Baseline != "" {
		if baseline, err = job.ReadMetrics(f.Config.Baseline); err != nil {
			return fmt.Errorf("the baseline: %w", err)
		}
	}
	failures, err := f.job.DataFailures(dir)
	if err != nil {
		return err
	}
	b, err := f.job.Bless(res, baseline, f.Config.Baseline, failures, dir)
	if err != nil {
		return err
	}
	out, err := json.Marshal(b)
	if err != nil {
		return err
	}
	emit(out)
	return nil
}

// pushFn pushes the blessed model to every destination of the plan, and
// records why it pushed nothing otherwise.
type pushFn struct {
	Config Config
	job    *job.Job
}

func (f *pushFn) Setup() (err error) {
	f.job, err = f.Config.prepare()
	return err
}

func (f *pushFn) ProcessElement(ctx context.Context, blessing []byte) error {
	b := &job.Blessing{}
	if err := json.Unmarshal(blessing, b); err != nil {
		return fmt.Errorf("decoding the blessing: %w", err)
	}
	for i := range f.job.Plan.Pushes {
		if _, err := f.job.Push(i, b, f.Config.RunDir, time.Unix(0, f.Config.Now)); err != nil {
			return err
		}
	}
	return nil
}
