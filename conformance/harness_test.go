package conformance

import (
	"os"
	"strings"
	"testing"
)

// The analyzer vectors in testdata/analyzers.jsonl restate more upstream
// TFT test cases (numeric analyzers over every input kind and dtype,
// covariance, PCA, vocabularies, quantiles, count_per_key, histograms) in
// the vectors format; every one must pass, except the ones named here.
func TestAnalyzerVectors(t *testing.T) {
	data, err := os.ReadFile("testdata/analyzers.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	wantSkip := map[string]bool{"x.vocab.labels_skip": true}
	n := 0
	for _, r := range RunFile(data) {
		n++
		want := Pass
		if wantSkip[r.ID] {
			want = Skip
		}
		if r.Outcome.Status != want {
			t.Errorf("%s", r.Line)
		}
	}
	if n < 50 {
		t.Errorf("only %d vectors ran", n)
	}
}

func TestHarnessRobustness(t *testing.T) {
	good := `{"id":"g","family":"transform","op":"analyzers.mean","params":{"input":"x"},` +
		`"input":{"feature_spec":{"x":{"kind":"fixed","shape":[],"dtype":"float32"}},"rows":[{"x":1},{"x":3}]},` +
		`"expected":{"outputs":{"mean":2.0}},"tolerance":{"exact":true}}`
	wrong := strings.Replace(strings.Replace(good, `"id":"g"`, `"id":"w"`, 1), `"mean":2.0`, `"mean":2.5`, 1)
	lines := []string{
		good,
		`{"id":"broken",`,
		`[1,2,3]`,
		`{"family":"transform","op":"vocabulary","expected":{}}`,
		`{"id":"u1","family":"transform","op":"no_such_op","expected":{}}`,
		`{"id":"u2","family":"elsewhere","op":"x","expected":{}}`,
		`{"id":"v","family":"validation","op":"infer_schema","expected":{}}`,
		`{"id":"m","family":"metrics","op":"AUC","expected":{}}`,
		`{"id":"gr","family":"transform","op":"apply_vocabulary+tfidf","expected":{}}`,
		`{"id":"chain-unknown","family":"transform","op":"bucketize+nope","expected":{}}`,
		wrong,
		good, // duplicate id
		`{"id":"bad-input","family":"transform","op":"analyzers.mean","params":{"input":"x"},"input":{"rows":"oops"},"expected":{"outputs":{}},"tolerance":{"exact":true}}`,
		`{"id":"bad-tol","family":"transform","op":"vocabulary","expected":{},"tolerance":{"abs":"x"}}`,
		"",
		`{"id":"nan","family":"transform","op":"analyzers.max","params":{"input":"x"},` +
			`"input":{"feature_spec":{"x":{"kind":"fixed","shape":[],"dtype":"float32"}},"rows":[{"x":"NaN"},{"x":3}]},` +
			`"expected":{"outputs":{"max":"NaN"}},"tolerance":{"nan_equal":true}}`,
	}
	want := []struct {
		id     string
		status Status
		reason string
	}{
		{"g", Pass, ""},
		{"line-2", Fail, "line 2: malformed case"},
		{"line-3", Fail, "line 3: malformed case"},
		{"line-4", Fail, `missing "id"`},
		{"u1", Skip, `no runner for op "no_such_op"`},
		{"u2", Skip, "no runner"},
		{"v", Fail, "input has neither statistics_pbtxt nor rows"},
		{"m", Fail, "input.rows must be a list"},
		{"gr", Skip, "is not lowered yet"},
		{"chain-unknown", Skip, "no runner"},
		{"w", Fail, "outputs.mean: got 2, want 2.5"},
		{"g", Fail, "duplicate id (first on line 1)"},
		{"bad-input", Fail, "input.rows must be a list"},
		{"bad-tol", Fail, "tolerance"},
		{"nan", Pass, ""},
	}
	got := RunFile([]byte(strings.Join(lines, "\n")))
	if len(got) != len(want) {
		for _, r := range got {
			t.Log(r.Line)
		}
		t.Fatalf("%d results, want %d", len(got), len(want))
	}
	for i, w := range want {
		r := got[i]
		if r.ID != w.id || r.Outcome.Status != w.status || !strings.Contains(r.Outcome.Reason, w.reason) {
			t.Errorf("result %d: %s; want %s status %d reason containing %q", i, r.Line, w.id, w.status, w.reason)
		}
	}
}

func TestPanickingRunnerFails(t *testing.T) {
	key := Key{"transform", "test.panics"}
	Runners[key] = func(*Case) Outcome { panic("boom") }
	defer delete(Runners, key)
	r := RunFile([]byte(`{"id":"p","family":"transform","op":"test.panics","expected":{}}`))
	if len(r) != 1 || r[0].Outcome.Status != Fail || !strings.Contains(r[0].Line, "FAIL p: runner panicked: boom") {
		t.Errorf("got %+v", r)
	}
}

func TestLogLines(t *testing.T) {
	for _, c := range []struct {
		o    Outcome
		want string
	}{
		{Passed(), "PASS a.b"},
		{Failed("x\ny  z"), "FAIL a.b: x y z"},
		{Skipped("why"), "SKIP a.b: why"},
		{Skipped(""), "SKIP a.b: (no reason given)"},
	} {
		if got := c.o.LogLine("a.b"); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

// FuzzRunFile: no input makes the harness panic, and no decoded case makes
// a runner panic (a runner panic would be reported as a failure).
func FuzzRunFile(f *testing.F) {
	for _, path := range []string{"testdata/analyzers.jsonl", defaultVectors} {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if len(line) < 4000 {
				f.Add(line)
			}
		}
	}
	f.Fuzz(func(t *testing.T, line string) {
		for _, r := range RunFile([]byte(line)) {
			if strings.Contains(r.Line, "runner panicked") {
				t.Fatalf("%s\ninput: %s", r.Line, line)
			}
		}
	})
}
