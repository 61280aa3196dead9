package mlmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// t0 is a start time with nanoseconds, in a zone other than UTC, to check
// that times come back exactly, in UTC.
var t0 = time.Date(2026, 11, 26, 23, 5, 1, 123456789, time.FixedZone("CET", 3600))

func openStore(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func newStore(t *testing.T) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	return openStore(t, filepath.Join(dir, "runs", "metadata.sqlite")), dir
}

func beginRun(t *testing.T, s *Store, pipeline, dir string, start time.Time) int64 {
	t.Helper()
	id, err := s.BeginRun(pipeline, dir, start)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func record(t *testing.T, s *Store, run int64, e Execution) int64 {
	t.Helper()
	id, err := s.RecordExecution(run, e)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func finish(t *testing.T, s *Store, run int64, r Run) {
	t.Helper()
	if err := s.FinishRun(run, r); err != nil {
		t.Fatal(err)
	}
}

func TestRoundTrip(t *testing.T) {
	s, dir := newStore(t)
	runDir := filepath.Join(dir, "runs", "taxi", "20261126-230501")
	run := beginRun(t, s, "taxi", runDir, t0)

	runs, err := s.Runs("taxi")
	if err != nil {
		t.Fatal(err)
	}
	want := []Run{{ID: run, Pipeline: "taxi", Dir: runDir, State: Running, Start: t0.UTC()}}
	if diff := cmp.Diff(want, runs); diff != "" {
		t.Errorf("Runs while running (-want +got):\n%s", diff)
	}
	if runs[0].Start.Location() != time.UTC || !runs[0].End.IsZero() {
		t.Errorf("Start %v is not UTC or End %v is not zero", runs[0].Start, runs[0].End)
	}

	csv := Artifact{Type: "ExternalData", URI: filepath.Join(dir, "data.csv"), Hash: "sha256:00"}
	examples := Artifact{Type: "Examples", URI: filepath.Join(runDir, "examples"), Hash: "sha256:01",
		Properties: map[string]string{"split_names": `["train","eval"]`}}
	stats := Artifact{Type: "ExampleStatistics", URI: filepath.Join(runDir, "statistics", "train"), Hash: "sha256:02"}
	e1 := Execution{Stage: "examples", Kind: "ExampleGen", State: Complete, Fingerprint: "fp1",
		Start: t0, End: t0.Add(time.Second), Inputs: []Artifact{csv}, Outputs: []Artifact{examples},
		Properties: map[string]string{"shards": "4"}}
	e2 := Execution{Stage: "statistics/train", Kind: "StatisticsGen", State: Failed, Fingerprint: "fp2",
		Start: t0.Add(time.Second), Inputs: []Artifact{examples}, Outputs: []Artifact{stats}}
	id1 := record(t, s, run, e1)
	id2 := record(t, s, run, e2)

	execs, err := s.Executions(run)
	if err != nil {
		t.Fatal(err)
	}
	// What comes back: IDs and the run filled in, times in UTC, the
	// examples artifact the same (one ID) as output and as input.
	e1.ID, e1.Run, e1.Start, e1.End = id1, run, e1.Start.UTC(), e1.End.UTC()
	e2.ID, e2.Run, e2.Start = id2, run, e2.Start.UTC()
	ignoreIDs := cmpopts.IgnoreFields(Artifact{}, "ID")
	if diff := cmp.Diff([]Execution{e1, e2}, execs, ignoreIDs); diff != "" {
		t.Errorf("Executions (-want +got):\n%s", diff)
	}
	if execs[0].Outputs[0].ID != execs[1].Inputs[0].ID {
		t.Errorf("examples: output artifact %d, input artifact %d: want one artifact", execs[0].Outputs[0].ID, execs[1].Inputs[0].ID)
	}
	if execs[1].Properties != nil || execs[1].Outputs[0].Properties != nil {
		t.Errorf("empty properties should come back nil: %#v", execs[1])
	}
	if !execs[1].End.IsZero() {
		t.Errorf("End = %v, want zero", execs[1].End)
	}

	events, err := s.Events(id2)
	if err != nil {
		t.Fatal(err)
	}
	wantEvents := []Event{{Kind: Input, Artifact: execs[1].Inputs[0]}, {Kind: Output, Artifact: execs[1].Outputs[0]}}
	if diff := cmp.Diff(wantEvents, events); diff != "" {
		t.Errorf("Events (-want +got):\n%s", diff)
	}

	// Producer and Consumers within the run.
	p, err := s.Producer(execs[0].Outputs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if p == nil || p.ID != id1 || len(p.Outputs) != 1 || p.Properties["shards"] != "4" {
		t.Errorf("Producer(examples) = %+v, want execution %d with its outputs", p, id1)
	}
	cons, err := s.Consumers(execs[0].Outputs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cons) != 1 || cons[0].ID != id2 {
		t.Errorf("Consumers(examples) = %+v, want execution %d", cons, id2)
	}
	if p, err := s.Producer(execs[0].Inputs[0].ID); p != nil || err != nil {
		t.Errorf("Producer(source data) = %v, %v; want nil, nil", p, err)
	}

	end := t0.Add(time.Minute)
	outcome := Run{ID: 999, State: Complete, End: end, Blessed: true, Pushed: "/serving/taxi/1764198301",
		Metrics: map[string]float64{"auc": 0.8125, "binary_accuracy": 0.75}, Note: "auc 0.8125 >= 0.5"}
	finish(t, s, run, outcome)
	got, err := s.FindRun(fmt.Sprint(run))
	if err != nil {
		t.Fatal(err)
	}
	wantRun := outcome
	wantRun.ID, wantRun.Pipeline, wantRun.Dir, wantRun.Start, wantRun.End = run, "taxi", runDir, t0.UTC(), end.UTC()
	if diff := cmp.Diff(&wantRun, got); diff != "" {
		t.Errorf("FindRun after FinishRun (-want +got):\n%s", diff)
	}

	// FinishRun again replaces the outcome, metrics included.
	finish(t, s, run, Run{State: Failed, End: end, Note: "push failed"})
	got, err = s.FindRun(fmt.Sprint(run))
	if err != nil {
		t.Fatal(err)
	}
	if got.State != Failed || got.Blessed || got.Pushed != "" || got.Metrics != nil || got.Note != "push failed" {
		t.Errorf("after a second FinishRun: %+v", got)
	}

	// Everything survives closing and opening again.
	path := filepath.Join(dir, "runs", "metadata.sqlite")
	s2 := openStore(t, path)
	execs2, err := s2.Executions(run)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(execs, execs2); diff != "" {
		t.Errorf("Executions from a second Store (-first +second):\n%s", diff)
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "b", "metadata.sqlite")
	s := openStore(t, path)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("Open did not create the store with its folders: %v", err)
	}
	var mode string
	if err := s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var timeout int
	if err := s.db.QueryRow(`PRAGMA busy_timeout`).Scan(&timeout); err != nil || timeout != 10000 {
		t.Errorf("busy_timeout = %d, %v; want 10000", timeout, err)
	}
	var fk bool
	if err := s.db.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || !fk {
		t.Errorf("foreign_keys = %v, %v; want on", fk, err)
	}

	// A path with characters that mean something in a URI.
	odd := filepath.Join(dir, "50% #1?", "metadata.sqlite")
	s2 := openStore(t, odd)
	if _, err := s2.BeginRun("p", dir, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(odd); err != nil {
		t.Errorf("the store is not at %s: %v", odd, err)
	}

	// Not a database.
	bad := filepath.Join(dir, "bad.sqlite")
	if err := os.WriteFile(bad, []byte(strings.Repeat("not a database\n", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(bad); err == nil {
		s.Close()
		t.Errorf("Open(%s) of a text file succeeded", bad)
	} else if !strings.Contains(err.Error(), bad) {
		t.Errorf("Open error %q does not name the file", err)
	}
}

func TestOpenNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metadata.sqlite")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`UPDATE schema_version SET version = ?`, SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path)
	if err == nil {
		s.Close()
		t.Fatal("Open of a store with a newer schema succeeded")
	}
	for _, want := range []string{path, fmt.Sprintf("schema version %d", SchemaVersion+1), "newer"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestArtifactReuseAcrossRuns(t *testing.T) {
	s, dir := newStore(t)
	dir1 := filepath.Join(dir, "runs", "taxi", "20261126-230501")
	dir2 := filepath.Join(dir, "runs", "taxi", "20261127-080000")
	run1 := beginRun(t, s, "taxi", dir1, t0)
	schema := Artifact{Type: "Schema", URI: filepath.Join(dir1, "schema"), Hash: "sha256:5c",
		Properties: map[string]string{"inferred": "true"}}
	producer := record(t, s, run1, Execution{Stage: "schema", Kind: "SchemaGen", State: Complete, Outputs: []Artifact{schema}})
	finish(t, s, run1, Run{State: Complete, End: t0.Add(time.Minute)})

	// The second run validates against the first run's schema: its input
	// is the same URI and hash, with other properties, which are ignored.
	run2 := beginRun(t, s, "taxi", dir2, t0.Add(time.Hour))
	input := schema
	input.Type, input.Properties = "Schema", map[string]string{"other": "x"}
	consumer := record(t, s, run2, Execution{Stage: "validate/eval", Kind: "ExampleValidator", State: Complete,
		Inputs:  []Artifact{input},
		Outputs: []Artifact{{Type: "ExampleAnomalies", URI: filepath.Join(dir2, "anomalies", "eval"), Hash: "sha256:a0"}}})
	// A same URI with another hash is another artifact.
	changed := record(t, s, run2, Execution{Stage: "schema", Kind: "SchemaGen", State: Complete,
		Outputs: []Artifact{{Type: "Schema", URI: schema.URI, Hash: "sha256:5d"}}})

	ex1, err := s.Executions(run1)
	if err != nil {
		t.Fatal(err)
	}
	ex2, err := s.Executions(run2)
	if err != nil {
		t.Fatal(err)
	}
	art := ex1[0].Outputs[0]
	if got := ex2[0].Inputs[0]; got.ID != art.ID || got.Type != "Schema" || !cmp.Equal(got.Properties, schema.Properties) {
		t.Errorf("run 2's input %+v, want run 1's output %+v", got, art)
	}
	if ex2[1].Outputs[0].ID == art.ID {
		t.Errorf("an artifact with another hash reused artifact %d", art.ID)
	}

	p, err := s.Producer(art.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p == nil || p.ID != producer || p.Run != run1 || p.Stage != "schema" {
		t.Errorf("Producer = %+v, want execution %d of run %d", p, producer, run1)
	}
	cons, err := s.Consumers(art.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cons) != 1 || cons[0].ID != consumer || cons[0].Run != run2 || cons[0].Stage != "validate/eval" {
		t.Errorf("Consumers = %+v, want execution %d of run %d", cons, consumer, run2)
	}
	if p, err := s.Producer(ex2[1].Outputs[0].ID); err != nil || p == nil || p.ID != changed {
		t.Errorf("Producer(changed schema) = %+v, %v; want execution %d", p, err, changed)
	}

	// The artifact is attributed to both runs' contexts and the pipeline's,
	// each execution associated with its run's and the pipeline's.
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM attributions WHERE artifact = ?`, art.ID).Scan(&n); err != nil || n != 3 {
		t.Errorf("%d attributions of the shared artifact, %v; want 3", n, err)
	}
	if err := s.db.QueryRow(`SELECT count(*) FROM associations`).Scan(&n); err != nil || n != 6 {
		t.Errorf("%d associations, %v; want 6", n, err)
	}
}

func TestLatestBlessed(t *testing.T) {
	s, dir := newStore(t)
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	newRun := func(pipeline string, h int, r Run) int64 {
		id := beginRun(t, s, pipeline, filepath.Join(dir, pipeline, fmt.Sprint(h)), at(h))
		if r.State != "" {
			r.End = at(h).Add(time.Minute)
			finish(t, s, id, r)
		}
		return id
	}
	if r, err := s.LatestBlessed("taxi", 0); r != nil || err != nil {
		t.Errorf("LatestBlessed of an empty store = %v, %v; want nil, nil", r, err)
	}
	newRun("taxi", 1, Run{State: Complete, Blessed: true})
	blessed := newRun("taxi", 2, Run{State: Complete, Blessed: true})
	newRun("taxi", 3, Run{State: Complete})                 // not blessed
	newRun("taxi", 4, Run{State: Failed, Blessed: true})    // failed after blessing (the push failed)
	newRun("taxi", 5, Run{})                                // still running
	newRun("other", 6, Run{State: Complete, Blessed: true}) // another pipeline
	current := newRun("taxi", 7, Run{State: Complete, Blessed: true})

	for _, tc := range []struct {
		except int64
		want   int64
	}{{0, current}, {current, blessed}, {blessed, current}} {
		r, err := s.LatestBlessed("taxi", tc.except)
		if err != nil {
			t.Fatal(err)
		}
		if r == nil || r.ID != tc.want || !r.Blessed || r.State != Complete {
			t.Errorf("LatestBlessed(taxi, %d) = %+v, want run %d", tc.except, r, tc.want)
		}
	}
	if r, err := s.LatestBlessed("nope", 0); r != nil || err != nil {
		t.Errorf("LatestBlessed(nope) = %v, %v; want nil, nil", r, err)
	}

	runs, err := s.Runs("taxi")
	if err != nil {
		t.Fatal(err)
	}
	var order []time.Time
	for _, r := range runs {
		order = append(order, r.Start)
	}
	if len(runs) != 6 || !isSortedDesc(order) {
		t.Errorf("Runs(taxi): %d runs, starts %v; want 6, newest first", len(runs), order)
	}
	all, err := s.Runs("")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 7 || all[0].Pipeline != "taxi" || all[1].Pipeline != "other" {
		t.Errorf("Runs(\"\") = %d runs, first %s, %s; want 7, taxi then other", len(all), all[0].Pipeline, all[1].Pipeline)
	}
	if none, err := s.Runs("nope"); none != nil || err != nil {
		t.Errorf("Runs(nope) = %v, %v; want nil, nil", none, err)
	}
}

func isSortedDesc(ts []time.Time) bool {
	for i := 1; i < len(ts); i++ {
		if ts[i].After(ts[i-1]) {
			return false
		}
	}
	return true
}

func TestFindRun(t *testing.T) {
	s, dir := newStore(t)
	t.Chdir(dir)
	taxi1 := beginRun(t, s, "taxi", filepath.Join(dir, "runs", "taxi", "20261126-230501"), t0)
	taxi2 := beginRun(t, s, "taxi", filepath.Join("runs", "taxi", "20261126-230501-2"), t0) // relative: made absolute
	other := beginRun(t, s, "other", filepath.Join(dir, "runs", "other", "20261126-230501"), t0)
	odd := beginRun(t, s, "odd", filepath.Join(dir, "runs", "odd", "50%_x"), t0)
	numeric := beginRun(t, s, "num", filepath.Join(dir, "runs", "num", "12345"), t0)

	for _, tc := range []struct {
		ref  string
		want int64
	}{
		{fmt.Sprint(taxi2), taxi2},
		{filepath.Join(dir, "runs", "taxi", "20261126-230501"), taxi1},
		{filepath.Join("runs", "taxi", "20261126-230501"), taxi1},
		{"runs/taxi/20261126-230501/", taxi1},
		{filepath.Join(dir, "runs", "taxi", "20261126-230501-2"), taxi2},
		{"20261126-230501-2", taxi2},
		{"runs/other/20261126-230501", other},
		{"50%_x", odd},
		{"12345", numeric}, // not an ID, so the stamp
	} {
		r, err := s.FindRun(tc.ref)
		if err != nil {
			t.Errorf("FindRun(%q): %v", tc.ref, err)
			continue
		}
		if r.ID != tc.want {
			t.Errorf("FindRun(%q) = run %d, want %d", tc.ref, r.ID, tc.want)
		}
	}
	if r, err := s.FindRun(filepath.Join("runs", "taxi", "20261126-230501-2")); err != nil || r.Dir != filepath.Join(dir, "runs", "taxi", "20261126-230501-2") {
		t.Errorf("a run begun with a relative folder: %+v, %v; want its absolute folder", r, err)
	}

	_, err := s.FindRun("20261126-230501")
	if err == nil || !strings.Contains(err.Error(), `"20261126-230501" is ambiguous`) ||
		!strings.Contains(err.Error(), fmt.Sprint(taxi1)) || !strings.Contains(err.Error(), fmt.Sprint(other)) {
		t.Errorf("FindRun of a stamp of two pipelines: %v, want an ambiguity error naming runs %d and %d", err, taxi1, other)
	}
	for _, ref := range []string{"20261126", "99", "runs/taxi", "5%_x", "230501"} {
		_, err := s.FindRun(ref)
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), fmt.Sprintf("%q", ref)) {
			t.Errorf("FindRun(%q) = %v, want ErrNotFound naming it", ref, err)
		}
	}
}

func TestErrors(t *testing.T) {
	s, dir := newStore(t)
	run := beginRun(t, s, "taxi", filepath.Join(dir, "r1"), t0)
	ok := Execution{Stage: "train", Kind: "Trainer", State: Complete}

	if _, err := s.BeginRun("taxi", filepath.Join(dir, "r1"), t0); err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("BeginRun of a recorded folder: %v", err)
	}
	if _, err := s.BeginRun("", filepath.Join(dir, "r2"), t0); err == nil {
		t.Error("BeginRun without a pipeline succeeded")
	}
	if _, err := s.BeginRun("taxi", filepath.Join(dir, "r2"), time.Time{}); err == nil {
		t.Error("BeginRun without a start succeeded")
	}
	if _, err := s.RecordExecution(run+100, ok); !errors.Is(err, ErrNotFound) {
		t.Errorf("RecordExecution of an unknown run: %v, want ErrNotFound", err)
	}
	for _, bad := range []Execution{
		{Kind: "Trainer", State: Complete},
		{Stage: "train", State: Complete},
		{Stage: "train", Kind: "Trainer", State: "done"},
		{Stage: "train", Kind: "Trainer", State: Complete, Outputs: []Artifact{{Type: "Model"}}},
		{Stage: "train", Kind: "Trainer", State: Complete, Inputs: []Artifact{{URI: "/x"}}},
	} {
		if _, err := s.RecordExecution(run, bad); err == nil {
			t.Errorf("RecordExecution(%+v) succeeded", bad)
		}
	}
	if err := s.FinishRun(run+100, Run{State: Complete, End: t0}); !errors.Is(err, ErrNotFound) {
		t.Errorf("FinishRun of an unknown run: %v, want ErrNotFound", err)
	}
	if err := s.FinishRun(run, Run{State: Running, End: t0}); err == nil {
		t.Error("FinishRun in state running succeeded")
	}
	if err := s.FinishRun(run, Run{State: Complete}); err == nil {
		t.Error("FinishRun without an end succeeded")
	}
	if _, err := s.Executions(run + 100); !errors.Is(err, ErrNotFound) {
		t.Errorf("Executions of an unknown run: %v, want ErrNotFound", err)
	}
	if execs, err := s.Executions(run); execs != nil || err != nil {
		t.Errorf("Executions of a run without any = %v, %v; want nil, nil", execs, err)
	}
	if _, err := s.Events(42); !errors.Is(err, ErrNotFound) {
		t.Errorf("Events of an unknown execution: %v, want ErrNotFound", err)
	}
	if _, err := s.Producer(42); !errors.Is(err, ErrNotFound) {
		t.Errorf("Producer of an unknown artifact: %v, want ErrNotFound", err)
	}
	if _, err := s.Consumers(42); !errors.Is(err, ErrNotFound) {
		t.Errorf("Consumers of an unknown artifact: %v, want ErrNotFound", err)
	}
	// A recording that fails halfway leaves nothing behind: make the
	// output event fail after the execution, its input and the input's
	// event were written.
	if _, err := s.db.Exec(`CREATE TRIGGER fail_outputs BEFORE INSERT ON events WHEN NEW.kind = 'output'
BEGIN SELECT RAISE(ABORT, 'no outputs today'); END`); err != nil {
		t.Fatal(err)
	}
	half := ok
	half.Inputs = []Artifact{{Type: "Examples", URI: "/in", Hash: "sha256:01"}}
	half.Outputs = []Artifact{{Type: "Model", URI: "/out", Hash: "sha256:02"}}
	if _, err := s.RecordExecution(run, half); err == nil || !strings.Contains(err.Error(), "no outputs today") {
		t.Errorf("RecordExecution with a failing output event: %v", err)
	}
	var n int
	if err := s.db.QueryRow(`SELECT (SELECT count(*) FROM executions) + (SELECT count(*) FROM artifacts) +
(SELECT count(*) FROM events) + (SELECT count(*) FROM associations) + (SELECT count(*) FROM attributions)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows of executions, artifacts, events, associations and attributions after failed recordings, %v; want 0", n, err)
	}
}

func TestMetricsNaN(t *testing.T) {
	s, dir := newStore(t)
	run := beginRun(t, s, "taxi", dir, t0)
	finish(t, s, run, Run{State: Complete, End: t0.Add(time.Second),
		Metrics: map[string]float64{"auc": math.NaN(), "loss": math.Inf(1), "example_count": 3}})
	r, err := s.FindRun(fmt.Sprint(run))
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(r.Metrics["auc"]) || !math.IsInf(r.Metrics["loss"], 1) || r.Metrics["example_count"] != 3 {
		t.Errorf("metrics = %v", r.Metrics)
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"auc": nil, "loss": nil, "example_count": 3.0}
	if diff := cmp.Diff(want, back["metrics"]); diff != "" {
		t.Errorf("JSON metrics (-want +got):\n%s\n%s", diff, data)
	}
	if _, ok := back["end"]; !ok || back["state"] != "complete" || back["id"] != float64(run) {
		t.Errorf("JSON run: %s", data)
	}
}

// TestConcurrentWriters records from two Stores on one file at once, as two
// runs of tfxc would.
func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metadata.sqlite")
	const perWriter = 50
	stores := []*Store{openStore(t, path), openStore(t, path)}
	runs := make([]int64, len(stores))
	var wg sync.WaitGroup
	errs := make(chan error, len(stores)*perWriter)
	for w, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run, err := s.BeginRun("taxi", filepath.Join(filepath.Dir(path), fmt.Sprint("run", w)), t0)
			if err != nil {
				errs <- err
				return
			}
			runs[w] = run
			shared := Artifact{Type: "ExternalData", URI: "/data/taxi.csv", Hash: "sha256:cafe"}
			for i := range perWriter {
				_, err := s.RecordExecution(run, Execution{Stage: fmt.Sprint("stage", i), Kind: "StatisticsGen", State: Complete,
					Inputs:  []Artifact{shared},
					Outputs: []Artifact{{Type: "ExampleStatistics", URI: fmt.Sprintf("/out/%d/%d", w, i), Hash: "sha256:00"}}})
				if err != nil {
					errs <- err
				}
			}
			if err := s.FinishRun(run, Run{State: Complete, End: t0.Add(time.Minute)}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	check := openStore(t, path)
	total := 0
	for _, run := range runs {
		execs, err := check.Executions(run)
		if err != nil {
			t.Fatal(err)
		}
		if len(execs) != perWriter {
			t.Errorf("run %d: %d executions, want %d", run, len(execs), perWriter)
		}
		for i, e := range execs {
			if e.Stage != fmt.Sprint("stage", i) || len(e.Inputs) != 1 || len(e.Outputs) != 1 {
				t.Errorf("run %d, execution %d: %+v", run, i, e)
				break
			}
		}
		total += len(execs)
	}
	if total != len(stores)*perWriter {
		t.Errorf("%d executions in all, want %d", total, len(stores)*perWriter)
	}
	var shared int
	if err := check.db.QueryRow(`SELECT count(*) FROM artifacts WHERE uri = '/data/taxi.csv'`).Scan(&shared); err != nil || shared != 1 {
		t.Errorf("the shared input is %d artifacts, %v; want 1", shared, err)
	}
	var integrity string
	if err := check.db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Errorf("integrity_check = %q, %v", integrity, err)
	}
	var fkViolations int
	if err := check.db.QueryRow(`SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fkViolations); err != nil || fkViolations != 0 {
		t.Errorf("%d foreign key violations, %v", fkViolations, err)
	}
}

func TestLatestExecution(t *testing.T) {
	s, dir := newStore(t)
	exec := func(pipeline string, h int, stage, fp string, state State) int64 {
		run := beginRun(t, s, pipeline, filepath.Join(dir, pipeline, fmt.Sprint(h)), t0.Add(time.Duration(h)*time.Hour))
		return record(t, s, run, Execution{Stage: stage, Kind: "Trainer", State: state, Fingerprint: fp})
	}
	exec("taxi", 1, "train", "aaa", Complete)
	second := exec("taxi", 2, "train", "aaa", Cached)
	exec("taxi", 3, "train", "aaa", Failed)
	exec("taxi", 4, "train", "bbb", Complete)
	exec("other", 5, "train", "aaa", Complete)
	exec("taxi", 6, "evaluate", "aaa", Complete)

	e, err := s.LatestExecution("taxi", "train", "aaa", Complete, Cached)
	if err != nil || e == nil || e.ID != second {
		t.Errorf("LatestExecution = %+v, %v; want execution %d", e, err, second)
	}
	for _, tc := range [][3]string{{"taxi", "train", "ccc"}, {"nope", "train", "aaa"}, {"taxi", "push", "aaa"}} {
		if e, err := s.LatestExecution(tc[0], tc[1], tc[2], Complete); e != nil || err != nil {
			t.Errorf("LatestExecution%v = %+v, %v; want nil, nil", tc, e, err)
		}
	}
	if e, err := s.LatestExecution("taxi", "train", "aaa"); e != nil || err != nil {
		t.Errorf("LatestExecution without states = %+v, %v; want nil, nil", e, err)
	}
}
