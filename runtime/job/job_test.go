package job_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tfxc/tfxc/frontend"
	"github.com/tfxc/tfxc/internal/taxitest"
	"github.com/tfxc/tfxc/planner"
	"github.com/tfxc/tfxc/runtime/batch"
	"github.com/tfxc/tfxc/runtime/examplegen"
	"github.com/tfxc/tfxc/runtime/job"
	"github.com/tfxc/tfxc/runtime/metrics"
	"github.com/tfxc/tfxc/runtime/tfrecord"
)

// taxiPlan compiles the taxi example against the real sample and its
// schema in ../shared, with a short training: the tests that use it are
// about the data stages (model_test.go trains in earnest).
func taxiPlan(t testing.TB) *planner.Plan {
	t.Helper()
	return taxiPlanWith(t, func(s string) string { return strings.Replace(s, "steps: 1000", "steps: 20", 1) })
}

// taxiPlanWith compiles the taxi example, edited, against the real sample.
func taxiPlanWith(t testing.TB, edit func(string) string) *planner.Plan {
	t.Helper()
	text := edit(taxitest.SharedSource(t))
	file := filepath.Join(t.TempDir(), "taxi.tfxl")
	prog, diags := frontend.Check(file, []byte(text), frontend.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	p, err := planner.Compile(prog, file)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// runLocally runs the job without Beam, shard after shard.
func runLocally(t testing.TB, p *planner.Plan, shardBytes int64, runDir string) (*job.Job, *job.Outcome) {
	t.Helper()
	return runWithBaseline(t, p, shardBytes, runDir, "")
}

// runWithBaseline runs the job without Beam, comparing the model with
// the baseline's metrics file ("" for none).
func runWithBaseline(t testing.TB, p *planner.Plan, shardBytes int64, runDir, baseline string) (*job.Job, *job.Outcome) {
	t.Helper()
	j, err := job.New(p)
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := j.Tasks(shardBytes)
	if err != nil {
		t.Fatal(err)
	}
	var parts []*job.ShardSummary
	for i := len(tasks) - 1; i >= 0; i-- { // any order: Finish sorts
		s, err := j.AnalyzeShard(tasks[i], runDir)
		if err != nil {
			t.Fatal(err)
		}
		data, err := s.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if s, err = job.DecodeShardSummary(data); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, s)
	}
	_, state, err := j.Finish(parts, runDir, "test")
	if err != nil {
		t.Fatal(err)
	}
	for pass := 1; pass < j.Passes(); pass++ {
		var later []*job.PassSummary
		for _, task := range tasks {
			s, err := j.AnalyzePass(task, state)
			if err != nil {
				t.Fatal(err)
			}
			later = append(later, s)
		}
		if state, err = j.FinishPass(state, later, runDir, "test"); err != nil {
			t.Fatal(err)
		}
	}
	tr, err := j.NewTransformer(state)
	if err != nil {
		t.Fatal(err)
	}
	var sums []*job.TransformSummary
	for _, task := range tasks {
		s, err := tr.TransformShard(task, runDir)
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, s)
	}
	if err := j.FinishTransform(sums, runDir); err != nil {
		t.Fatal(err)
	}
	if p.Model != nil {
		runModel(t, j, tasks, state, runDir, baseline)
	}
	o, err := j.ReadOutcome(runDir)
	if err != nil {
		t.Fatal(err)
	}
	return j, o
}

// runModel runs the stages after the transform: train, evaluate, bless
// and push.
func runModel(t testing.TB, j *job.Job, tasks []job.Task, state []byte, runDir, baselinePath string) {
	t.Helper()
	model, _, err := j.Train(state, runDir, "test")
	if err != nil {
		t.Fatal(err)
	}
	if j.Plan.Stage("evaluate") == nil {
		return
	}
	ev, err := j.NewEvaluator(model)
	if err != nil {
		t.Fatal(err)
	}
	var parts []*job.EvalSummary
	for i := len(tasks) - 1; i >= 0; i-- {
		s, err := ev.EvaluateShard(tasks[i])
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, s)
	}
	res, err := j.FinishEvaluation(parts, runDir)
	if err != nil {
		t.Fatal(err)
	}
	var baseline *metrics.Results
	if baselinePath != "" {
		if baseline, err = job.ReadMetrics(baselinePath); err != nil {
			t.Fatal(err)
		}
	}
	failures, err := j.DataFailures(runDir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := j.Bless(res, baseline, baselinePath, failures, runDir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range j.Plan.Pushes {
		if _, err := j.Push(i, b, runDir, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTaxiDataStages(t *testing.T) {
	p := taxiPlan(t)
	dir := t.TempDir()
	j, o := runLocally(t, p, 256<<10, dir)
	var total int64
	for _, n := range o.Data.Rows {
		total += n
	}
	if total != 15002 || o.Data.Shards < 4 {
		t.Errorf("%d rows in %d shards, want 15002 rows in several shards", total, o.Data.Shards)
	}
	if o.Data.BadTotal != 0 {
		t.Errorf("%d bad rows: %v", o.Data.BadTotal, o.Data.Bad)
	}
	all := strings.Join(o.Data.Anomalies["train"], "\n")
	for _, want := range []string{"company", "pickup_latitude"} {
		if !strings.Contains(all, want) {
			t.Errorf("train anomalies do not name %s:\n%s", want, all)
		}
	}
	var written int64
	for _, n := range o.Transform.Rows {
		written += n
	}
	if written != total {
		t.Errorf("transform wrote %d examples of %d rows (bad: %v)", written, total, o.Transform.Bad)
	}
	for _, f := range []string{"statistics/train.pb", "statistics/eval.pbtxt", "schema/schema.pbtxt", "anomalies/eval.pbtxt", "transform_graph/saved_model/saved_model.pb", "transform_graph/tfjs/model.json", "data.json", "transform.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("artifact missing: %v", err)
		}
	}
	parts, _ := filepath.Glob(filepath.Join(dir, "transformed", "train", "part-*.tfrecord"))
	if len(parts) != o.Data.Shards {
		t.Errorf("%d train shards written for %d input shards", len(parts), o.Data.Shards)
	}
	// The label is written beside the transform's outputs, 0 or 1.
	f, err := os.Open(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	var records [][]byte
	r := tfrecord.NewReader(f)
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", parts[0], err)
		}
		records = append(records, append([]byte(nil), rec...))
	}
	f.Close()
	labels, err := examplegen.FromExamples(records, []examplegen.Column{{Name: "big_tipper", Kind: batch.Int}})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[int64]int{}
	for r := range labels.Rows() {
		c := labels.Columns[0]
		if c.Missing[r] || c.Len(r) != 1 {
			t.Fatalf("example %d has no label", r)
		}
		counts[c.Ints[c.Offsets[r]]]++
	}
	if len(records) == 0 || counts[0] == 0 || counts[1] == 0 || counts[0]+counts[1] != len(records) {
		t.Errorf("labels %v over %d examples", counts, len(records))
	}
	if f := j.Failures(o); len(f) != 1 || !strings.Contains(f[0], "anomalies") {
		t.Errorf("failures %q, want the anomalies", f)
	}
	var sb strings.Builder
	if err := j.WriteSummary(&sb, o, 0); err != nil {
		t.Fatal(err)
	}
	t.Logf("summary:\n%s", sb.String())

	// Another sharding gives the same statistics and anomalies, byte for
	// byte (their accumulators do not depend on the order of merging).
	// The analyzers' floating-point merges do, in the last bits, which is
	// why Finish merges them in shard order: the same shards give the same
	// graph on any runner.
	dir2 := t.TempDir()
	runLocally(t, p, 1<<20, dir2)
	for _, f := range []string{"statistics/train.pb", "statistics/eval.pb", "anomalies/train.pb"} {
		a, _ := os.ReadFile(filepath.Join(dir, f))
		b, _ := os.ReadFile(filepath.Join(dir2, f))
		if len(a) == 0 || string(a) != string(b) {
			t.Errorf("%s differs between shardings (%d and %d bytes)", f, len(a), len(b))
		}
	}
}

// TestTFRecordExamples runs the same pipeline over the sample written as a
// TFRecord of tf.Example: the same rows land in the same splits, so the
// statistics are the same as from the CSV.
func TestTFRecordExamples(t *testing.T) {
	p := taxiPlan(t)
	j, err := job.New(p)
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := j.Tasks(1 << 40)
	if err != nil {
		t.Fatal(err)
	}
	cols := j.Columns()
	path := filepath.Join(t.TempDir(), "taxi.tfrecord")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := tfrecord.NewWriter(f)
	if _, err := examplegen.ReadCSV(tasks[0].Shard, tasks[0].Header, cols, 1000, func(b *batch.Batch) error {
		return examplegen.ToExamples(b, w.Write)
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	csvDir := t.TempDir()
	runLocally(t, p, 1<<20, csvDir)
	rec := *p
	rec.Examples.Format, rec.Examples.Paths = "tfrecord", []string{path}
	recDir := t.TempDir()
	_, o := runLocally(t, &rec, 1<<20, recDir)
	if o.Data.Rows["train"]+o.Data.Rows["eval"] != 15002 || o.Data.Shards < 2 {
		t.Errorf("from TFRecord: rows %v in %d shards", o.Data.Rows, o.Data.Shards)
	}
	// The same file compressed with GZIP, as TFX's ExampleGen writes it.
	plain, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write(plain)
	zw.Close()
	gz := filepath.Join(t.TempDir(), "taxi.tfrecord.gz")
	if err := os.WriteFile(gz, zipped.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rec.Examples.Paths = []string{gz}
	gzDir := t.TempDir()
	runLocally(t, &rec, 1<<20, gzDir)
	for _, name := range []string{"statistics/train.pb", "statistics/eval.pb", "anomalies/train.pb", "transform_graph/saved_model/saved_model.pb"} {
		a, _ := os.ReadFile(filepath.Join(csvDir, name))
		for _, dir := range []string{recDir, gzDir} {
			b, _ := os.ReadFile(filepath.Join(dir, name))
			if len(a) == 0 || string(a) != string(b) {
				t.Errorf("%s differs between CSV and TFRecord input (%s)", name, dir)
			}
		}
	}
}

// TestQuarantine: bad records are counted by reason, written with their
// line to the quarantine, and fail the run beyond max_bad_rows, while the
// good rows are still analyzed and transformed.
func TestQuarantine(t *testing.T) {
	p := taxiPlan(t)
	src, err := os.ReadFile(p.Examples.Paths[0])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(src), "\n")
	lines[5] = "1,2,3\n" // too few cells
	lines[9] = strings.Replace(lines[9], ",", ",\xff", 1)
	path := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	p.Examples.Paths = []string{path}
	dir := t.TempDir()
	j, o := runLocally(t, p, 1<<20, dir)
	if o.Data.BadTotal != 2 || o.Data.Rows["train"]+o.Data.Rows["eval"] != 15000 {
		t.Errorf("bad %v (%d), rows %v", o.Data.Bad, o.Data.BadTotal, o.Data.Rows)
	}
	q, _ := filepath.Glob(filepath.Join(dir, "quarantine", "examples-*.jsonl"))
	var all string
	for _, f := range q {
		b, _ := os.ReadFile(f)
		all += string(b)
	}
	if !strings.Contains(all, `"line":6`) || !strings.Contains(all, `"line":10`) {
		t.Errorf("quarantine does not locate lines 6 and 10:\n%s", all)
	}
	fails := j.Failures(o)
	if len(fails) == 0 || !strings.Contains(fails[0], "2 records were quarantined") {
		t.Errorf("failures %q", fails)
	}
	p.Examples.MaxBadRows, p.Examples.OnAnomaly = 2, "warn"
	j2, err := job.New(p)
	if err != nil {
		t.Fatal(err)
	}
	if f := j2.Failures(o); len(f) != 0 {
		t.Errorf("with max_bad_rows 2 and on_anomaly warn the run fails: %q", f)
	}
}

// BenchmarkDataStages runs every data stage over the taxi sample without
// Beam, as bench/baseline does: rows per second of the whole.
func BenchmarkDataStages(b *testing.B) {
	p := taxiPlan(b)
	for b.Loop() {
		runLocally(b, p, 1<<40, b.TempDir())
	}
	b.ReportMetric(15002*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestSchemaInfer: with "schema infer" the schema is inferred from the
// training split's statistics (TFDV's rules) and the splits are validated
// against it: the training split has no anomalies by construction.
func TestSchemaInfer(t *testing.T) {
	data := taxitest.Shared(t, "data/taxi/data.csv")
	src := `pipeline inferred
schema infer
examples csv("` + data + `") {
    on_anomaly warn
}
features {
    fare: optional float
    payment_type: string
}
transform {
    fare_xf    = z_score(fill(fare, 0.0))
    payment_xf = vocabulary(payment_type, top_k: 10)
}
`
	file := filepath.Join(t.TempDir(), "p.tfxl")
	prog, diags := frontend.Check(file, []byte(src), frontend.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	p, err := planner.Compile(prog, file)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	j, o := runLocally(t, p, 1<<20, dir)
	schema, err := os.ReadFile(filepath.Join(dir, "schema", "schema.pbtxt"))
	if err != nil {
		t.Fatal(err)
	}
	// prototext varies its spacing on purpose, hence \s+.
	for _, want := range []string{`name:\s+"fare"`, `type:\s+FLOAT`, `name:\s+"payment_type"`, `type:\s+BYTES`, `min_fraction:\s+1`} {
		if !regexp.MustCompile(want).Match(schema) {
			t.Errorf("inferred schema lacks %q:\n%s", want, schema)
		}
	}
	if len(o.Data.Anomalies["train"]) != 0 {
		t.Errorf("the split the schema was inferred from has anomalies: %v", o.Data.Anomalies["train"])
	}
	if f := j.Failures(o); len(f) != 0 {
		t.Errorf("on_anomaly warn, yet the run fails: %q", f)
	}
}

// TestTwoPasses runs a transform whose tfidf reads a vocabulary's ids: a
// second pass over the training split, after which the graph is frozen,
// written and applied to every row.
func TestTwoPasses(t *testing.T) {
	p2 := taxiPlanWith(t, func(s string) string {
		return strings.Replace(s, "transform {", "transform {\n    words_xf = tfidf(vocabulary(tokenize(payment_type), top_k: 5))", 1)
	})
	dir := t.TempDir()
	j, o := runLocally(t, p2, 1<<20, dir)
	if j.Passes() != 2 {
		t.Errorf("%d passes, want 2", j.Passes())
	}
	if o.Transform.Rows["train"]+o.Transform.Rows["eval"] != 15002 {
		t.Errorf("transformed %v", o.Transform.Rows)
	}
	if _, err := os.Stat(filepath.Join(dir, "transform_graph", "tfjs", "model.json")); err != nil {
		t.Error(err)
	}
}
