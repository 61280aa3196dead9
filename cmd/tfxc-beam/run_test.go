package main_test

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/codegen/opreg"
	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/internal/prismtest"
	"github.com/tfxc/tfxc/internal/taxitest"
	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/planner"
	"github.com/tfxc/tfxc/runtime/batch"
	"github.com/tfxc/tfxc/runtime/examplegen"
	"github.com/tfxc/tfxc/runtime/graph"
	"github.com/tfxc/tfxc/runtime/job"
	"github.com/tfxc/tfxc/runtime/tfrecord"
	"github.com/tfxc/tfxc/runtime/transform"
	"github.com/tfxc/tfxc/tfjs/harness"
)

// install builds tfxc and tfxc-beam side by side, as go install does.
func install(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", dir+"/", "github.com/tfxc/tfxc/cmd/tfxc", "github.com/tfxc/tfxc/cmd/tfxc-beam")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// sharedTaxi writes the taxi example pointed at the real sample and its
// schema.
func sharedTaxi(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "taxi.tfxl")
	if err := os.WriteFile(file, []byte(taxitest.SharedSource(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

type runResult struct {
	dir            string
	code           int
	stdout, stderr string
}

// tfxc runs the tfxc of bin and returns its output and exit status.
func tfxc(t *testing.T, bin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "tfxc"), args...)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	err := cmd.Run()
	if e, ok := err.(*exec.ExitError); ok {
		code = e.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errs.String(), code
}

func tfxcRun(t *testing.T, bin, file, out string, args ...string) runResult {
	t.Helper()
	stdout, stderr, code := tfxc(t, bin, append(append([]string{"run", "--out", out, "--shard_bytes", "500000"}, args...), file)...)
	runs, _ := filepath.Glob(filepath.Join(out, "taxi", "*"))
	if len(runs) != 1 {
		t.Fatalf("%d run folders under %s; stderr:\n%s", len(runs), out, stderr)
	}
	return runResult{runs[0], code, stdout, stderr}
}

// files reads every file of a run's folder but the job's log.
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel == "beam.log" {
			return nil
		}
		b, err := os.ReadFile(path)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRunOnPrismAndJobServer runs the taxi pipeline over the real sample
// on the embedded Prism runner and on a standalone Prism job server
// through the universal runner, and gets the same artifacts, byte for
// byte. The sample has anomalies, so both runs fail by the pipeline's rule
// after writing everything.
func TestRunOnPrismAndJobServer(t *testing.T) {
	bin := install(t)
	file := sharedTaxi(t)
	embedded := tfxcRun(t, bin, file, t.TempDir())
	endpoint := prismtest.Start(t)
	server := tfxcRun(t, bin, file, t.TempDir(), "--runner", "universal", "--endpoint", endpoint, "--environment_type", "LOOPBACK")

	for _, r := range []runResult{embedded, server} {
		if r.code != 1 || !strings.Contains(r.stderr, "anomalies and on_anomaly is fail") {
			t.Errorf("run exited %d; stderr:\n%s", r.code, r.stderr)
		}
		for _, want := range []string{"15002 rows", "train 10019, eval 4983", "company: Unexpected string values", "pickup_latitude: Column dropped"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("summary lacks %q:\n%s", want, r.stdout)
			}
		}
	}
	a, b := files(t, embedded.dir), files(t, server.dir)
	var names []string
	for name := range a {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, want := range []string{"plan.json", "statistics/train.pb", "schema/schema.pbtxt", "anomalies/eval.pbtxt", "transform_graph/saved_model/saved_model.pb", "transform_graph/tfjs/model.json", "transformed/train/part-00000-of-00004.tfrecord"} {
		if _, ok := a[want]; !ok {
			t.Errorf("the run wrote no %s; it wrote %v", want, names)
		}
	}
	if len(a) != len(b) {
		t.Errorf("the embedded run wrote %d files, the job server's %d", len(a), len(b))
	}
	for _, name := range names {
		if !bytes.Equal(normalise(t, name, a[name], embedded.dir), normalise(t, name, b[name], server.dir)) {
			t.Errorf("%s differs between the embedded run and the job server's", name)
		}
	}

	// The sample's anomalies break on_anomaly fail: the model is trained
	// and evaluated, but not blessed, and nothing is pushed.
	for _, want := range []string{"training   dnn on 10019 examples", "Overall", "trip_start_hour:", "NOT BLESSED", "nothing pushed"} {
		if !strings.Contains(embedded.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, embedded.stdout)
		}
	}
	if entries, err := os.ReadDir(filepath.Join(filepath.Dir(file), "serving")); !os.IsNotExist(err) {
		t.Errorf("an unblessed run pushed %v (%v)", entries, err)
	}

	checkWithTFJS(t, embedded.dir)
	checkServingWithTFJS(t, embedded.dir)
}

// normalise removes from an artifact what differs between two runs of
// the same job by design: the run's folder in messages, and the training's
// timings.
func normalise(t *testing.T, name string, data []byte, runDir string) []byte {
	t.Helper()
	data = bytes.ReplaceAll(data, []byte(runDir), []byte("RUN"))
	if name != "model/training.json" {
		return data
	}
	var tr map[string]any
	if err := json.Unmarshal(data, &tr); err != nil {
		t.Fatal(err)
	}
	delete(tr, "Seconds")
	delete(tr, "ExamplesPerSecond")
	out, err := json.Marshal(tr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkServingWithTFJS runs the trained serving model, raw features in,
// prediction out, with the Go executor and with TF.js on every raw row of
// the eval split: the predictions must agree to 1e-5 relative. The
// serving graph must also be valid for TensorFlow's op registry.
func checkServingWithTFJS(t *testing.T, runDir string) {
	h, err := harness.Find()
	taxitest.Need(t, "the TF.js harness", err)
	reg, err := opreg.Default()
	taxitest.Need(t, "TensorFlow's op registry", err)
	_, j, splits := rawSplits(t, runDir)
	smData, err := os.ReadFile(filepath.Join(runDir, "model", "saved_model", "saved_model.pb"))
	if err != nil {
		t.Fatal(err)
	}
	sm := &tfpb.SavedModel{}
	if err := proto.Unmarshal(smData, sm); err != nil {
		t.Fatal(err)
	}
	g := sm.GetMetaGraphs()[0].GetGraphDef()
	if err := reg.Validate(g); err != nil {
		t.Fatalf("the serving graph is not valid TensorFlow: %v", err)
	}
	if sig := sm.GetMetaGraphs()[0].GetSignatureDef()["serving_default"]; sig == nil || sig.GetInputs()["tips"] != nil || len(sig.GetInputs()) == 0 {
		t.Errorf("serving_default %v: want the raw features but tips", sig)
	}
	exe, err := graph.Compile(g, j.Template.Initializers...)
	if err != nil {
		t.Fatal(err)
	}
	eval := splits[1]
	feeds, err := transform.BatchFeeds(eval, j.Template.Inputs)
	if err != nil {
		t.Fatal(err)
	}
	want, err := exe.Run(feeds, tfgraph.PredictionNode)
	if err != nil {
		t.Fatal(err)
	}
	got, err := h.Run(filepath.Join(runDir, "model", "tfjs"), feeds, []string{tfgraph.PredictionNode})
	if err != nil {
		t.Fatal(err)
	}
	preds := got[tfgraph.PredictionNode].Values
	if len(preds) != eval.Rows() || want[0].Len() != eval.Rows() {
		t.Fatalf("%d TF.js predictions, %d Go predictions, %d eval rows", len(preds), want[0].Len(), eval.Rows())
	}
	bad, worst := 0, 0.0
	for r := range eval.Rows() {
		w, g := want[0].Float64At(r), preds[r]
		rel := math.Abs(g-w) / math.Abs(w)
		worst = math.Max(worst, rel)
		if !(rel <= 1e-5) {
			if bad < 5 {
				t.Errorf("eval row %d: TF.js predicts %v, the Go executor %v", r, g, w)
			}
			bad++
		}
	}
	t.Logf("serving model: TF.js and the Go executor agree on %d of %d eval predictions (worst relative difference %.2g)", eval.Rows()-bad, eval.Rows(), worst)
}

// rawSplits reads a run's plan and the raw rows of its examples, split
// as the job splits them.
func rawSplits(t *testing.T, runDir string) (*planner.Plan, *job.Job, []*batch.Batch) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(runDir, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := planner.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	j, err := job.New(p)
	if err != nil {
		t.Fatal(err)
	}
	shards, header, err := examplegen.PlanCSV(p.Examples.Paths[0], 1<<40)
	if err != nil {
		t.Fatal(err)
	}
	var raw []*batch.Batch
	if _, err := examplegen.ReadCSV(shards[0], header, j.Columns(), 1<<20, func(b *batch.Batch) error { raw = append(raw, b); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(raw) != 1 {
		t.Fatalf("%d batches", len(raw))
	}
	var sp examplegen.Splitter
	for _, s := range p.Examples.Splits {
		sp.Names = append(sp.Names, s.Name)
		sp.Weights = append(sp.Weights, int(s.Weight))
	}
	splits, err := sp.SplitBatch(raw[0])
	if err != nil {
		t.Fatal(err)
	}
	return p, j, splits
}

// checkWithTFJS reads the raw rows again and has TF.js apply the run's own
// TF.js model to them: every transformed example the job wrote must equal
// what TF.js computes (integers exactly, floats to 1e-6 relative).
func checkWithTFJS(t *testing.T, runDir string) {
	h, err := harness.Find()
	taxitest.Need(t, "the TF.js harness", err)
	p, j, splits := rawSplits(t, runDir)
	tmpl := j.Template
	var outCols []examplegen.Column
	var names []string
	for _, o := range tmpl.Outputs {
		kind := batch.Int
		if strings.Contains(o.DType.String(), "FLOAT") {
			kind = batch.Float
		}
		outCols = append(outCols, examplegen.Column{Name: o.Name, Kind: kind})
		names = append(names, o.Name)
	}
	for s, split := range p.Examples.Splits {
		parts, _ := filepath.Glob(filepath.Join(runDir, "transformed", split.Name, "part-*.tfrecord"))
		sort.Strings(parts)
		var records [][]byte
		for _, part := range parts {
			f, err := os.Open(part)
			if err != nil {
				t.Fatal(err)
			}
			r := tfrecord.NewReader(f)
			for {
				rec, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("%s: %v", part, err)
				}
				records = append(records, append([]byte(nil), rec...))
			}
			f.Close()
		}
		got, err := examplegen.FromExamples(records, outCols)
		if err != nil {
			t.Fatal(err)
		}
		if got.Rows() != splits[s].Rows() {
			t.Fatalf("%s: %d transformed examples for %d raw rows", split.Name, got.Rows(), splits[s].Rows())
		}
		feeds, err := transform.BatchFeeds(splits[s], tmpl.Inputs)
		if err != nil {
			t.Fatal(err)
		}
		want, err := h.Run(filepath.Join(runDir, "transform_graph", "tfjs"), feeds, names)
		if err != nil {
			t.Fatal(err)
		}
		mismatches := 0
		for _, c := range got.Columns {
			w := want[c.Name]
			for r := range got.Rows() {
				var g float64
				if c.Kind == batch.Float {
					g = float64(c.Floats[c.Offsets[r]])
				} else {
					g = float64(c.Ints[c.Offsets[r]])
				}
				x := w.Values[r]
				ok := g == x
				if c.Kind == batch.Float {
					ok = math.Abs(g-x) <= 1e-6*math.Max(1, math.Abs(x))
				}
				if !ok && mismatches < 10 {
					t.Errorf("%s row %d %s: the job wrote %v, TF.js computes %v", split.Name, r, c.Name, g, x)
				}
				if !ok {
					mismatches++
				}
			}
		}
		t.Logf("%s: %d examples × %d outputs, TF.js agrees on all but %d values", split.Name, got.Rows(), len(got.Columns), mismatches)
	}
}

// TestSecondRunComparesWithFirst runs a pipeline four times into one runs
// folder: every run is recorded in the metadata store; the first is
// blessed and pushed with its change criterion skipped; the second reuses
// the first's data stages and model (same plan, same input files), takes
// the first's evaluation as its baseline, which tfxc show traces back to
// the first run; the third, whose examples file has a new modification
// time, recomputes everything; so does the fourth, since an artifact of
// the third was changed after the fact. Every run has the same model
// (same data and seed), so only the first adds a version.
func TestSecondRunComparesWithFirst(t *testing.T) {
	bin := install(t)
	dir := t.TempDir()
	data, err := os.ReadFile(taxitest.Shared(t, "data/taxi/data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(dir, "data.csv")
	if err := os.WriteFile(csv, data, 0o644); err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(taxitest.SharedSource(t), "split train: 2, eval: 1", "split train: 2, eval: 1\n    on_anomaly warn", 1)
	src = strings.Replace(src, taxitest.Shared(t, "data/taxi/data.csv"), csv, 1)
	src = strings.Replace(src, "steps: 1000", "steps: 300", 1)
	file := filepath.Join(dir, "taxi.tfxl")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	run := func(i int, want, notWant string) {
		t.Helper()
		stdout, stderr, code := tfxc(t, bin, "run", "--out", out, file)
		all := stdout + stderr
		if code != 0 || !strings.Contains(stdout, "BLESSED") || !strings.Contains(all, want) || (notWant != "" && strings.Contains(all, notWant)) {
			t.Fatalf("run %d exited %d, want a blessed model, %q and not %q; stdout:\n%s\nstderr:\n%s", i, code, want, notWant, stdout, stderr)
		}
		if i > 1 && !strings.Contains(stdout, "already serves this very model") {
			t.Errorf("run %d pushed its model, the first run's, again:\n%s", i, stdout)
		}
	}
	run(1, "not checked: no model of this pipeline is blessed yet", "reusing")
	run(2, "reusing the data stages and the trained model of", "nothing pushed")
	// The second run's model is the first's: it is served already.
	versions, _ := filepath.Glob(filepath.Join(dir, "serving", "taxi", "*", "saved_model.pb"))
	if len(versions) != 1 {
		t.Errorf("pushed versions %v, want 1", versions)
	}
	stdout, _, code := tfxc(t, bin, "runs", "--out", out, file)
	if code != 0 || strings.Count(stdout, "complete  yes") != 2 || !strings.Contains(stdout, "auc=") {
		t.Errorf("tfxc runs exited %d:\n%s", code, stdout)
	}
	stdout, _, code = tfxc(t, bin, "show", "--out", out, "2")
	for _, want := range []string{"run 2 of taxi", "train  Trainer  cached", "transform/train  Transform  cached", "evaluate  Evaluator  complete", "PushedModel", "from run 1"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("tfxc show 2 exited %d, lacks %q:\n%s", code, want, stdout)
		}
	}

	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(csv, later, later); err != nil {
		t.Fatal(err)
	}
	before, _ := filepath.Glob(filepath.Join(out, "taxi", "*"))
	run(3, "baseline: ", "reusing")
	after, _ := filepath.Glob(filepath.Join(out, "taxi", "*"))
	third := slices.DeleteFunc(after, func(d string) bool { return slices.Contains(before, d) })
	if len(third) != 1 {
		t.Fatalf("run folders %v after %v", after, before)
	}
	parts, _ := filepath.Glob(filepath.Join(third[0], "transformed", "train", "part-*"))
	if err := os.WriteFile(parts[0], []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(4, "baseline: ", "reusing")
}
