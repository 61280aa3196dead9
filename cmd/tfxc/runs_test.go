package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tfxc/tfxc/mlmd"
)

const (
	stamp1 = "20261126-230501"
	stamp2 = "20261127-080000"
)

// runsFixture is a store with two runs of the pipeline "small", the
// second validating against the schema the first inferred.
type runsFixture struct {
	dir        string // the working directory, holding small.tfxl
	run1, run2 int64
	dir1, dir2 string // the runs' folders
}

// newRunsFixture writes small.tfxl to a new working directory and records
// two runs in runs/metadata.sqlite with mlmd.
func newRunsFixture(t *testing.T) *runsFixture {
	t.Helper()
	dir := testDir(t, map[string]string{"small.tfxl": okPipeline})
	fx := &runsFixture{
		dir:  dir,
		dir1: filepath.Join(dir, "runs", "small", stamp1),
		dir2: filepath.Join(dir, "runs", "small", stamp2),
	}
	for _, d := range []string{fx.dir1, fx.dir2} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s, err := mlmd.Open(filepath.Join(dir, "runs", "metadata.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	t1 := time.Date(2026, 11, 26, 23, 5, 1, 0, time.UTC)
	t2 := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	csv := mlmd.Artifact{Type: "ExternalData", URI: filepath.Join(dir, "data.csv"), Hash: "sha256:d0d0d0d0d0d0d0d0"}
	schema := mlmd.Artifact{Type: "Schema", URI: filepath.Join(fx.dir1, "schema"), Hash: "sha256:5c5c5c5c5c5c5c5c5c5c"}

	fx.run1, err = s.BeginRun("small", fx.dir1, t1)
	must(err)
	examples1 := mlmd.Artifact{Type: "Examples", URI: filepath.Join(fx.dir1, "examples"), Hash: "sha256:e1e1e1e1e1e1e1e1e1e1"}
	_, err = s.RecordExecution(fx.run1, mlmd.Execution{Stage: "examples", Kind: "ExampleGen", State: mlmd.Complete,
		Start: t1, End: t1.Add(1500 * time.Millisecond), Inputs: []mlmd.Artifact{csv}, Outputs: []mlmd.Artifact{examples1}})
	must(err)
	_, err = s.RecordExecution(fx.run1, mlmd.Execution{Stage: "schema", Kind: "SchemaGen", State: mlmd.Complete,
		Start: t1.Add(2 * time.Second), End: t1.Add(3 * time.Second), Inputs: []mlmd.Artifact{examples1}, Outputs: []mlmd.Artifact{schema}})
	must(err)
	must(s.FinishRun(fx.run1, mlmd.Run{State: mlmd.Complete, End: t1.Add(90 * time.Second), Blessed: true,
		Pushed: "/serving/small/1764198301", Metrics: map[string]float64{"example_count": 1200, "auc": 0.81234},
		Note: "auc 0.8123 >= 0.5"}))

	fx.run2, err = s.BeginRun("small", fx.dir2, t2)
	must(err)
	examples2 := mlmd.Artifact{Type: "Examples", URI: filepath.Join(fx.dir2, "examples"), Hash: "sha256:e2e2e2e2e2e2e2e2e2e2"}
	_, err = s.RecordExecution(fx.run2, mlmd.Execution{Stage: "examples", Kind: "ExampleGen", State: mlmd.Complete,
		Start: t2, End: t2.Add(time.Second), Inputs: []mlmd.Artifact{csv}, Outputs: []mlmd.Artifact{examples2}})
	must(err)
	_, err = s.RecordExecution(fx.run2, mlmd.Execution{Stage: "validate/eval", Kind: "ExampleValidator", State: mlmd.Failed,
		Start: t2.Add(time.Second), End: t2.Add(2 * time.Second), Inputs: []mlmd.Artifact{examples2, schema},
		Outputs: []mlmd.Artifact{{Type: "ExampleAnomalies", URI: filepath.Join(fx.dir2, "anomalies", "eval"), Hash: "sha256:a0a0a0a0a0a0a0a0"}}})
	must(err)
	must(s.FinishRun(fx.run2, mlmd.Run{State: mlmd.Failed, End: t2.Add(2 * time.Second),
		Note: "the eval examples have anomalies\n(on_anomaly is fail)"}))
	return fx
}

// fields splits a line of a table into its cells.
func fields(line string) []string {
	return regexp.MustCompile(` {2,}`).Split(strings.TrimSpace(line), -1)
}

// squeeze makes every run of two or more spaces after a line's indent two
// spaces, so that a test does not depend on the width of a column.
func squeeze(text string) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		rest := strings.TrimLeft(line, " ")
		lines[i] = line[:len(line)-len(rest)] + regexp.MustCompile(` {2,}`).ReplaceAllString(rest, "  ")
	}
	return strings.Join(lines, "\n")
}

func TestRunsText(t *testing.T) {
	fx := newRunsFixture(t)
	r := runTFXC("runs", "small.tfxl")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("tfxc runs:\n%s", r)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	want := [][]string{
		{"ID", "STAMP", "STATE", "BLESSED", "METRICS", "PUSHED", "NOTE"},
		{fmt.Sprint(fx.run2), stamp2, "failed", "no", "-", "-", "the eval examples have anomalies (on_anomaly is fail)"},
		{fmt.Sprint(fx.run1), stamp1, "complete", "yes", "auc=0.8123 example_count=1200", "1764198301", "auc 0.8123 >= 0.5"},
	}
	if len(lines) != len(want) {
		t.Fatalf("tfxc runs printed %d lines, want %d:\n%s", len(lines), len(want), r.stdout)
	}
	for i, line := range lines {
		if got := fields(line); fmt.Sprint(got) != fmt.Sprint(want[i]) {
			t.Errorf("line %d: %q, want %q", i+1, got, want[i])
		}
	}
	// The columns are aligned.
	if strings.Index(lines[0], "STATE") != strings.Index(lines[1], "failed") {
		t.Errorf("columns not aligned:\n%s", r.stdout)
	}

	// The pipeline file is read for its name only: runs are listed even
	// when it no longer checks.
	if err := os.WriteFile("broken.tfxl", []byte("pipeline small\n\ntransform {\n    x = nope(\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runTFXC("runs", "broken.tfxl"); r.code != 0 || !strings.Contains(r.stdout, stamp1) {
		t.Errorf("tfxc runs of a file with a syntax error:\n%s", r)
	}

	// From another folder, the runs are found beside the file.
	t.Chdir(t.TempDir())
	if r := runTFXC("runs", filepath.Join(fx.dir, "small.tfxl")); r.code != 0 || !strings.Contains(r.stdout, stamp2) {
		t.Errorf("tfxc runs from another folder:\n%s", r)
	}
}

func TestRunsJSON(t *testing.T) {
	fx := newRunsFixture(t)
	r := runTFXC("runs", "--format", "json", "small.tfxl")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("tfxc runs --format json:\n%s", r)
	}
	var runs []mlmd.Run
	if err := json.Unmarshal([]byte(r.stdout), &runs); err != nil {
		t.Fatalf("%v:\n%s", err, r.stdout)
	}
	if len(runs) != 2 || runs[0].ID != fx.run2 || runs[1].ID != fx.run1 || runs[1].Dir != fx.dir1 ||
		runs[1].Metrics["auc"] != 0.81234 || !runs[1].Blessed || runs[0].State != mlmd.Failed {
		t.Errorf("tfxc runs --format json:\n%s", r.stdout)
	}
	for _, key := range []string{`"note": "auc 0.8123 >= 0.5"`, `"id"`, `"pipeline": "small"`, `"dir"`, `"state"`, `"start"`, `"end"`, `"blessed"`, `"metrics"`} {
		if !strings.Contains(r.stdout, key) {
			t.Errorf("the JSON lacks %s:\n%s", key, r.stdout)
		}
	}
}

func TestRunsNoStore(t *testing.T) {
	testDir(t, map[string]string{"small.tfxl": okPipeline})
	r := runTFXC("runs", "small.tfxl")
	if r.code != 0 || r.stdout != "no runs recorded under runs yet\n" || r.stderr != "" {
		t.Errorf("tfxc runs without a store:\n%s", r)
	}
	if _, err := os.Stat("runs"); !os.IsNotExist(err) {
		t.Errorf("tfxc runs created the runs folder: %v", err)
	}
	r = runTFXC("runs", "--format", "json", "small.tfxl")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "[]" || r.stderr != "" {
		t.Errorf("tfxc runs --format json without a store:\n%s", r)
	}
	r = runTFXC("runs", "--out", "elsewhere", "small.tfxl")
	if r.code != 0 || r.stdout != "no runs recorded under elsewhere yet\n" {
		t.Errorf("tfxc runs --out without a store:\n%s", r)
	}

	// A store without runs of this pipeline.
	newRunsFixture(t)
	other := strings.Replace(okPipeline, "pipeline small", "pipeline other", 1)
	if err := os.WriteFile("other.tfxl", []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runTFXC("runs", "other.tfxl")
	if r.code != 0 || r.stdout != "no runs of other recorded under runs yet\n" {
		t.Errorf("tfxc runs of a pipeline without runs:\n%s", r)
	}
}

func TestRunsOut(t *testing.T) {
	fx := newRunsFixture(t)
	if err := os.Rename("runs", "moved"); err != nil {
		t.Fatal(err)
	}
	r := runTFXC("runs", "--out", "moved", "small.tfxl")
	if r.code != 0 || !strings.Contains(r.stdout, stamp1) || !strings.Contains(r.stdout, stamp2) {
		t.Errorf("tfxc runs --out:\n%s", r)
	}
	// The store records the folders where the runs were: show finds the
	// run by ID or stamp through --out.
	r = runTFXC("show", "--out", "moved", fmt.Sprint(fx.run1))
	if r.code != 0 || !strings.Contains(r.stdout, fx.dir1) {
		t.Errorf("tfxc show --out moved ID:\n%s", r)
	}
}

func TestRunsErrors(t *testing.T) {
	testDir(t, map[string]string{"small.tfxl": okPipeline, "nameless.tfxl": "schema infer\n"})
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"runs"}, 2, "runs takes one pipeline file, got 0"},
		{[]string{"runs", "a.tfxl", "b.tfxl"}, 2, "got 2"},
		{[]string{"runs", "--format", "xml", "small.tfxl"}, 2, "--format xml: want text or json"},
		{[]string{"runs", "missing.tfxl"}, 1, "read missing.tfxl: no such file or directory"},
		{[]string{"runs", "nameless.tfxl"}, 1, "nameless.tfxl: no pipeline declaration"},
		{[]string{"show"}, 2, "show takes one run, got 0"},
		{[]string{"show", "--format", "dot", "x"}, 2, "--format dot: want text or json"},
		{[]string{"show", "runs/small/nope"}, 1, "no run folder runs/small/nope"},
		{[]string{"show", "--out", "runs", "7"}, 1, `no run "7": no runs recorded under runs`},
	} {
		r := runTFXC(tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("tfxc %s: want exit %d and %q:\n%s", strings.Join(tc.args, " "), tc.code, tc.want, r)
		}
	}
}

func TestShowText(t *testing.T) {
	fx := newRunsFixture(t)
	r := runTFXC("show", filepath.Join("runs", "small", stamp2))
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("tfxc show:\n%s", r)
	}
	want := []string{
		fmt.Sprintf("run %d of small", fx.run2),
		"  dir  " + fx.dir2,
		"  state  failed",
		"  start  2026-11-27T08:00:00Z",
		"  duration  2s",
		"  blessed  no",
		"  pushed  -",
		"  note  the eval examples have anomalies (on_anomaly is fail)",
		"  metrics  -",
		"",
		"executions",
		"  examples  ExampleGen  complete  1s",
		"    in  ExternalData  " + filepath.Join(fx.dir, "data.csv") + "  d0d0d0d0d0d0",
		"    out  Examples  examples  e2e2e2e2e2e2",
		"  validate/eval  ExampleValidator  failed  1s",
		"    in  Examples  examples  e2e2e2e2e2e2",
		// The first run's schema, outside this run's folder: absolute.
		"    in  Schema  " + filepath.Join(fx.dir1, "schema") + "  5c5c5c5c5c5c",
		"    out  ExampleAnomalies  anomalies/eval  a0a0a0a0a0a0",
		"",
		"lineage",
		fmt.Sprintf("  Schema  %s  from run %d (%s) stage schema", filepath.Join(fx.dir1, "schema"), fx.run1, stamp1),
	}
	if got, want := squeeze(r.stdout), strings.Join(want, "\n")+"\n"; got != want {
		t.Errorf("tfxc show:\n%s\nwant (spaces squeezed):\n%s", r.stdout, want)
	}
	// The columns are aligned.
	if lines := strings.Split(r.stdout, "\n"); strings.Index(lines[1], "/") != strings.Index(lines[2], "failed") {
		t.Errorf("the header is not aligned:\n%s", r.stdout)
	}

	// The first run: blessed, pushed, metrics; no input from another run.
	r = runTFXC("show", "--out", "runs", stamp1)
	for _, s := range []string{
		fmt.Sprintf("run %d of small\n", fx.run1),
		"  duration  1m30s\n",
		"  blessed  yes\n",
		"  pushed  /serving/small/1764198301\n",
		"  note  auc 0.8123 >= 0.5\n",
		"  metrics  auc=0.8123 example_count=1200\n",
		"  examples  ExampleGen  complete  1.5s\n",
		"    out  Schema  schema  5c5c5c5c5c5c\n",
		"\nlineage\n  no input came from another run\n",
	} {
		if !strings.Contains(squeeze(r.stdout), s) {
			t.Errorf("tfxc show --out runs %s lacks %q:\n%s", stamp1, s, r)
		}
	}
	if r.code != 0 {
		t.Errorf("tfxc show --out runs %s:\n%s", stamp1, r)
	}

	// By ID, and by folder from another working directory.
	byID := runTFXC("show", "--out", "runs", fmt.Sprint(fx.run2))
	t.Chdir(fx.dir1)
	byDir := runTFXC("show", filepath.Join("..", stamp2))
	for _, r2 := range []result{byID, byDir} {
		if r2.code != 0 || squeeze(r2.stdout) != strings.Join(want, "\n")+"\n" {
			t.Errorf("tfxc show by ID or relative folder differs:\n%s", r2)
		}
	}
}

func TestShowJSON(t *testing.T) {
	fx := newRunsFixture(t)
	r := runTFXC("show", "--format", "json", filepath.Join(fx.dir, "runs", "small", stamp2))
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("tfxc show --format json:\n%s", r)
	}
	var got struct {
		Run        mlmd.Run         `json:"run"`
		Executions []mlmd.Execution `json:"executions"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v:\n%s", err, r.stdout)
	}
	if got.Run.ID != fx.run2 || got.Run.Dir != fx.dir2 || len(got.Executions) != 2 ||
		got.Executions[1].Stage != "validate/eval" || len(got.Executions[1].Inputs) != 2 ||
		got.Executions[1].Inputs[1].URI != filepath.Join(fx.dir1, "schema") {
		t.Errorf("tfxc show --format json:\n%s", r.stdout)
	}
}

func TestShowUnknownRun(t *testing.T) {
	fx := newRunsFixture(t)
	// Another pipeline with a run of the same stamp makes the stamp
	// ambiguous.
	s, err := mlmd.Open(filepath.Join(fx.dir, "runs", "metadata.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.BeginRun("other", filepath.Join(fx.dir, "runs", "other", stamp1), time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"show", "--out", "runs", "99"}, `no run "99" recorded under runs`},
		{[]string{"show", "--out", "runs", "20990101-000000"}, `no run "20990101-000000" recorded under runs`},
		{[]string{"show", "--out", "runs", stamp1}, fmt.Sprintf(`run %q is ambiguous: it could be run %d (%s) or run %d (%s)`,
			stamp1, other, filepath.Join(fx.dir, "runs", "other", stamp1), fx.run1, fx.dir1)},
		// A folder that is not a recorded run.
		{[]string{"show", "runs/small"}, `no run "runs/small": no runs recorded under ` + fx.dir},
		{[]string{"show", stamp1}, "no run folder " + stamp1 + " (to find a run by its ID or stamp, give the runs folder with --out)"},
	} {
		r := runTFXC(tc.args...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("tfxc %s: want exit 1 and %q:\n%s", strings.Join(tc.args, " "), tc.want, r)
		}
	}
}

func TestRunsFormatting(t *testing.T) {
	metrics := map[string]float64{"auc": 0.812345, "example_count": 12345, "loss": math.NaN(), "tiny": 1.5e-7, "big": 2e20}
	if got, want := metricsText(metrics), "auc=0.8123 big=2e+20 example_count=12345 loss=NaN tiny=1.5e-07"; got != want {
		t.Errorf("metricsText = %q, want %q", got, want)
	}
	if got := metricsText(nil); got != "-" {
		t.Errorf("metricsText(nil) = %q, want -", got)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		state mlmd.State
		d     time.Duration
		end   bool
		want  string
	}{
		{mlmd.Complete, 1234567 * time.Microsecond, true, "1.23s"},
		{mlmd.Complete, 1234567 * time.Nanosecond, true, "1ms"},
		{mlmd.Complete, 999 * time.Nanosecond, true, "999ns"},
		{mlmd.Failed, 61500 * time.Millisecond, true, "1m2s"},
		{mlmd.Running, 0, false, "running"},
		{mlmd.Failed, 0, false, "-"},
	} {
		var end time.Time
		if tc.end {
			end = start.Add(tc.d)
		}
		if got := duration(tc.state, start, end); got != tc.want {
			t.Errorf("duration(%s, %v) = %q, want %q", tc.state, tc.d, got, tc.want)
		}
	}
	for _, tc := range []struct{ dir, uri, want string }{
		{"/r/taxi/1", "/r/taxi/1/schema", "schema"},
		{"/r/taxi/1", "/r/taxi/1/transformed/train", "transformed/train"},
		{"/r/taxi/1", "/r/taxi/10/schema", "/r/taxi/10/schema"},
		{"/r/taxi/1", "/r/taxi/2/schema", "/r/taxi/2/schema"},
		{"/r/taxi/1", "gs://bucket/x", "gs://bucket/x"},
	} {
		if got := relURI(filepath.FromSlash(tc.dir), filepath.FromSlash(tc.uri)); got != filepath.FromSlash(tc.want) && got != tc.want {
			t.Errorf("relURI(%s, %s) = %q, want %q", tc.dir, tc.uri, got, tc.want)
		}
	}
	for hash, want := range map[string]string{"sha256:0123456789abcdef": "0123456789ab", "sha256:ab": "ab", "": "-"} {
		if got := shortHash(hash); got != want {
			t.Errorf("shortHash(%q) = %q, want %q", hash, got, want)
		}
	}
}

// TestEngineID: a Go ELF binary is known by its build ID, as go tool
// buildid prints it; any other file by its content hash.
func TestEngineID(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	id, err := engineID(exe)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" {
		out, err := exec.Command("go", "tool", "buildid", exe).Output()
		if err != nil {
			t.Fatal(err)
		}
		if want := "go-buildid:" + strings.TrimSpace(string(out)); id != want {
			t.Errorf("engineID = %q, want %q", id, want)
		}
	}
	script := filepath.Join(t.TempDir(), "tfxc-beam")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if id, err := engineID(script); err != nil || !strings.HasPrefix(id, "sha256:") {
		t.Errorf("engineID of a script = %q, %v", id, err)
	}
}
