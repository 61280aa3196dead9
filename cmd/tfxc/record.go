package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tfxc/tfxc/mlmd"
	"github.com/tfxc/tfxc/planner"
)

// The run's records that tfxc reads back to fill the metadata store. They
// are written by package runtime/job, which tfxc does not link; these
// types hold the few fields read.
type (
	blessingFile struct {
		Blessed bool
		Reasons []string
		Notes   []string
	}
	pushFile struct {
		Pushed  bool
		Version string
		Reason  string
	}
	metricRecord struct {
		Slice  []json.RawMessage `json:"slice"`
		Metric string            `json:"metric"`
		Value  json.RawMessage   `json:"value"`
	}
)

// artifactTypes are ML Metadata's types of the stages' outputs, as TFX's
// standard artifacts name them.
var artifactTypes = map[planner.StageKind]string{
	planner.StatisticsGen:    "ExampleStatistics",
	planner.SchemaGen:        "Schema",
	planner.ExampleValidator: "ExampleAnomalies",
	planner.Analyze:          "TransformGraph",
	planner.TransformStage:   "TransformedExamples",
	planner.Trainer:          "Model",
	planner.Evaluator:        "ModelEvaluation",
	planner.Pusher:           "PushedModel",
}

// recorder records a run of tfxc run in the metadata store.
type recorder struct {
	store *mlmd.Store
	run   int64
	plan  *planner.Plan
	dir   string
	start time.Time
	// reused are the stages whose artifacts came from an earlier run.
	reused map[string]bool
	// engine identifies the build of tfxc-beam that runs the job
	// (engineID): results are reused only from the same engine.
	engine string
}

// beginRun opens the store of the runs folder out, records the run as
// running, and finds the baseline: the metrics of the pipeline's latest
// blessed run, "" when there is none.
func beginRun(out string, p *planner.Plan, runDir string, start time.Time) (*recorder, string, error) {
	store, err := mlmd.Open(filepath.Join(out, storeName))
	if err != nil {
		return nil, "", err
	}
	id, err := store.BeginRun(p.Pipeline, runDir, start)
	if err != nil {
		store.Close()
		return nil, "", err
	}
	r := &recorder{store: store, run: id, plan: p, dir: runDir, start: start}
	base, err := store.LatestBlessed(p.Pipeline, id)
	if err != nil {
		r.close()
		return nil, "", err
	}
	baseline := ""
	if base != nil {
		path := filepath.Join(base.Dir, "evaluation", "metrics.json")
		if _, err := os.Stat(path); err == nil {
			baseline = path
		}
	}
	return r, baseline, nil
}

func (r *recorder) close() { r.store.Close() }

// finish records every stage's execution, with the artifacts it wrote,
// and the run's outcome. failed says the job failed or broke the
// pipeline's rules; jobErr, when set, is why.
func (r *recorder) finish(failed bool, jobErr error, baseline string, end time.Time) error {
	defer r.close()
	// The run is finished in the store even when recording its stages
	// fails, so that it never stays "running".
	recErr := r.recordStages(baseline, end)
	if recErr != nil {
		failed = true
		jobErr = errors.Join(jobErr, fmt.Errorf("recording the stages: %w", recErr))
	}
	return errors.Join(recErr, r.finishRun(failed, jobErr, end))
}

// recordStages records every stage's execution with its artifacts.
func (r *recorder) recordStages(baseline string, end time.Time) error {
	outputs := map[string][]mlmd.Artifact{}
	states := map[string]mlmd.State{}
	ends := map[string]time.Time{}
	for _, s := range r.plan.Stages {
		state := mlmd.Complete
		var ins []mlmd.Artifact
		// A stage starts when its last input is done, and is done when
		// its last artifact was written: the job does not report stage
		// times, the files' modification times tell them.
		begin := r.start
		for _, in := range s.Inputs {
			ins = append(ins, outputs[in]...)
			if states[in] != mlmd.Complete && states[in] != mlmd.Cached {
				state = mlmd.Skipped
			}
			if ends[in].After(begin) {
				begin = ends[in]
			}
		}
		if s.Kind == planner.ExampleGen {
			files, err := exampleFiles(r.plan)
			if err != nil {
				return err
			}
			ins = append(ins, files...)
		}
		if s.Kind == planner.Evaluator && baseline != "" {
			a, err := artifact("ModelEvaluation", baseline)
			if err != nil {
				return err
			}
			a.Properties = map[string]string{"role": "baseline"}
			ins = append(ins, a)
		}
		outs, missing, err := r.stageOutputs(s)
		if err != nil {
			return err
		}
		if missing && state == mlmd.Complete {
			state = mlmd.Failed
		}
		if r.reused[s.ID] && state == mlmd.Complete {
			state = mlmd.Cached
		}
		states[s.ID] = state
		outputs[s.ID] = outs
		done := begin
		for _, a := range outs {
			if t := modified(a.URI); t.After(done) && t.Before(end) {
				done = t
			}
		}
		ends[s.ID] = done
		e := mlmd.Execution{Stage: s.ID, Kind: string(s.Kind), State: state, Fingerprint: s.Fingerprint,
			Start: begin, End: done, Inputs: ins, Outputs: outs}
		e.Properties = map[string]string{"engine": r.engine}
		if s.Split != "" {
			e.Properties["split"] = s.Split
		}
		if _, err := r.store.RecordExecution(r.run, e); err != nil {
			return err
		}
	}
	return nil
}

// finishRun records the run's outcome: its state, blessing, push and
// headline metrics, and a note saying why.
func (r *recorder) finishRun(failed bool, jobErr error, end time.Time) error {
	out := mlmd.Run{State: mlmd.Complete, End: end}
	if failed {
		out.State = mlmd.Failed
	}
	var notes []string
	if b, err := readBlessing(r.dir); err == nil {
		out.Blessed = b.Blessed
		if b.Blessed {
			notes = append(notes, "blessed")
		} else {
			notes = append(notes, "not blessed: "+strings.Join(b.Reasons, "; "))
		}
	}
	for i := range r.plan.Pushes {
		var p pushFile
		if err := readJSONFile(filepath.Join(r.dir, "push", fmt.Sprintf("%d.json", i)), &p); err != nil {
			continue
		}
		if p.Version != "" && out.Pushed == "" {
			out.Pushed = p.Version // new, or already serving this model
		}
	}
	if m, err := overallMetrics(filepath.Join(r.dir, "evaluation", "metrics.json")); err == nil {
		out.Metrics = m
	}
	if jobErr != nil {
		notes = append([]string{jobErr.Error()}, notes...)
	}
	out.Note = strings.Join(notes, "; ")
	return r.store.FinishRun(r.run, out)
}

// stageOutputs lists the artifacts a stage wrote, and whether any it
// must write is missing. A required pattern's files are one artifact,
// their folder (the parts of a split's transformed examples); an optional
// pattern's are one artifact each (the quarantine files of the shards
// that had bad records). A push's artifact is also the version that
// serves the model.
func (r *recorder) stageOutputs(s planner.Stage) ([]mlmd.Artifact, bool, error) {
	var paths []string
	missing := false
	for _, rel := range s.Artifacts {
		path := filepath.Join(r.dir, rel)
		switch {
		case strings.ContainsAny(rel, "*?["):
			matches, err := filepath.Glob(path)
			if err != nil {
				return nil, false, err
			}
			if len(matches) == 0 {
				missing = true
				continue
			}
			path = filepath.Dir(path)
		case filepath.Base(rel) == "saved_model.pb" || filepath.Base(rel) == "model.json":
			// The SavedModel and the TF.js model are folders.
			path = filepath.Dir(path)
		}
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			missing = true
			continue
		}
		paths = append(paths, path)
	}
	for _, rel := range s.Optional {
		matches, err := filepath.Glob(filepath.Join(r.dir, rel))
		if err != nil {
			return nil, false, err
		}
		paths = append(paths, matches...)
	}
	var out []mlmd.Artifact
	seen := map[string]bool{}
	for _, path := range paths {
		if seen[path] {
			continue
		}
		seen[path] = true
		t := artifactTypes[s.Kind]
		switch {
		case strings.HasPrefix(path, filepath.Join(r.dir, "quarantine")):
			t = "QuarantinedRecords"
		case strings.HasSuffix(path, ".json") && s.Kind != planner.Evaluator:
			t = "RunRecord" // data.json, transform.json, training.json, push/N.json
		case strings.HasSuffix(path, "blessing.json"):
			t = "ModelBlessing"
		}
		a, err := artifact(t, path)
		if err != nil {
			return nil, false, err
		}
		out = append(out, a)
	}
	if s.Kind == planner.Pusher {
		var p pushFile
		if err := readJSONFile(filepath.Join(r.dir, s.Artifacts[0]), &p); err == nil && p.Version != "" {
			a, err := artifact("PushedModel", p.Version)
			if err != nil {
				return nil, false, err
			}
			out = append(out, a)
		}
	}
	return out, missing, nil
}

// modified is when a file, or the newest file directly in a folder, was
// last written; zero when it cannot be told.
func modified(path string) time.Time {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	t := fi.ModTime()
	if !fi.IsDir() {
		return t
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return t
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.ModTime().After(t) {
			t = info.ModTime()
		}
	}
	return t
}

// artifact describes a file or folder with its content hash.
func artifact(typ, path string) (mlmd.Artifact, error) {
	h, err := mlmd.HashPath(path)
	if err != nil {
		return mlmd.Artifact{}, err
	}
	return mlmd.Artifact{Type: typ, URI: path, Hash: h}, nil
}

// exampleFiles are the raw example files a run read.
func exampleFiles(p *planner.Plan) ([]mlmd.Artifact, error) {
	var out []mlmd.Artifact
	for _, pat := range p.Examples.Paths {
		paths, err := filepath.Glob(pat)
		if err != nil {
			return nil, err
		}
		for _, path := range paths {
			a, err := artifact("ExternalExamples", path)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		}
	}
	return out, nil
}

func readBlessing(dir string) (*blessingFile, error) {
	var b blessingFile
	return &b, readJSONFile(filepath.Join(dir, "evaluation", "blessing.json"), &b)
}

func readJSONFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// overallMetrics reads the overall slice's metrics from an evaluation's
// metrics.json (JSON lines; non-finite values are strings).
func overallMetrics(path string) (map[string]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var rec metricRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(rec.Slice) != 0 || rec.Metric == "" {
			continue
		}
		var x float64
		if err := json.Unmarshal(rec.Value, &x); err != nil {
			var s string
			if json.Unmarshal(rec.Value, &s) != nil {
				continue
			}
			switch s {
			case "NaN":
				x = math.NaN()
			case "Infinity":
				x = math.Inf(1)
			case "-Infinity":
				x = math.Inf(-1)
			default:
				continue
			}
		}
		out[rec.Metric] = x
	}
	return out, sc.Err()
}
