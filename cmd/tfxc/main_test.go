package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfxc/tfxc/diagfmt"
	"github.com/tfxc/tfxc/lang"
)

const testSchema = `default_environment: "TRAINING"
default_environment: "SERVING"
feature {
  name: "fare"
  type: FLOAT
  value_count { min: 1 max: 1 }
  presence { min_fraction: 1.0 }
}
feature {
  name: "tips"
  type: FLOAT
  value_count { min: 1 max: 1 }
  presence { min_fraction: 1.0 }
  not_in_environment: "SERVING"
}
feature {
  name: "trip_start_hour"
  type: INT
  value_count { min: 1 max: 1 }
  presence { min_fraction: 1.0 }
  int_domain { min: 0 max: 23 }
}
`

// okPipeline checks clean against testSchema and is in canonical layout.
const okPipeline = `pipeline small

schema "schema.pbtxt"

examples csv("data.csv")

transform {
    fare_xf = z_score(fare)
    hour_xf = categorical(trip_start_hour, 24)
}

label big_tipper = tips > 0.2 * fare

model logistic {
    inputs fare_xf, hour_xf
}

evaluate {
    metrics auc, example_count
    slice   all
}

push "serving/small" as saved_model when {
    auc >= 0.5
}
`

// warnPipeline has one warning: hour_xf is unused (W0001).
var warnPipeline = strings.Replace(okPipeline, "inputs fare_xf, hour_xf", "inputs fare_xf", 1)

// errPipeline has errors: a duplicate name (E0203) and an unknown feature
// (E0200) on a line with a tab and an "é" before the mistake, and a
// warning: café_xf is unused (W0001).
var errPipeline = strings.Replace(okPipeline, "    hour_xf = categorical(trip_start_hour, 24)\n",
	"    hour_xf = categorical(trip_start_hour, 24)\n"+
		"    hour_xf = categorical(trip_start_hour, 24)\n"+
		"\t# café\n"+
		"\tcafé_xf =\tz_score(faer)\n", 1)

// syntaxPipeline does not parse.
const syntaxPipeline = "pipeline broken\ntransform {\n    a = z_score(\n}\n"

// messyPipeline is okPipeline in a non-canonical layout.
const messyPipeline = `pipeline small

schema "schema.pbtxt"
examples csv("data.csv")
transform {
  fare_xf=z_score(fare)
  hour_xf = categorical(trip_start_hour,24)
}
label big_tipper = tips > 0.2*fare
model logistic {
 inputs fare_xf, hour_xf
}
evaluate {
    metrics auc, example_count
    slice all
}
push "serving/small" as saved_model when {
    auc >= 0.5
}`

// testDir writes the files to a new temporary folder, with the test
// schema, and makes it the working directory.
func testDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{"schema.pbtxt": testSchema}
	for name, text := range files {
		all[name] = text
	}
	for name, text := range all {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	return dir
}

type result struct {
	code           int
	stdout, stderr string
}

func runTFXC(args ...string) result {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

func TestCheckExitStatus(t *testing.T) {
	testDir(t, map[string]string{
		"ok.tfxl":     okPipeline,
		"warn.tfxl":   warnPipeline,
		"err.tfxl":    errPipeline,
		"syntax.tfxl": syntaxPipeline,
	})
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr []string // substrings of stderr
	}{
		{"clean", []string{"check", "ok.tfxl"}, 0, nil},
		{"warnings only", []string{"check", "warn.tfxl"}, 0,
			[]string{"warn.tfxl:9:5: warning[W0001 unused-transform]: ", "0 errors, 1 warning\n"}},
		{"errors", []string{"check", "err.tfxl"}, 1,
			[]string{"err.tfxl:10:5: error[E0203]: ", "err.tfxl:12:20: error[E0200]: ", "2 errors, 1 warning\n"}},
		{"syntax errors", []string{"check", "syntax.tfxl"}, 1, []string{"syntax.tfxl:", "error[E0100]"}},
		{"clean and errors", []string{"check", "ok.tfxl", "err.tfxl"}, 1, []string{"err.tfxl:10:5"}},
		{"unreadable file", []string{"check", "missing.tfxl", "ok.tfxl"}, 1,
			[]string{"tfxc: read missing.tfxl: "}},
		{"a folder", []string{"check", "."}, 1, []string{"tfxc: read .: "}},
		{"deny makes an error", []string{"check", "--deny", "unused-transform", "warn.tfxl"}, 1,
			[]string{"error[W0001 unused-transform]", "1 error, 0 warnings"}},
		{"deny by code", []string{"check", "--deny=W0001", "warn.tfxl"}, 1, []string{"error[W0001 unused-transform]"}},
		{"deny another warning", []string{"check", "--deny", "shadowed-name", "warn.tfxl"}, 0, []string{"warning[W0001"}},
		{"allow drops it", []string{"check", "--allow", "unused-transform", "warn.tfxl"}, 0, nil},
		{"allow a list", []string{"check", "--allow", "shadowed-name,W0001", "warn.tfxl"}, 0, nil},
		{"allow does not hide errors", []string{"check", "--allow", "unused-transform", "err.tfxl"}, 1, []string{"error[E0203]"}},
		{"flags after files", []string{"check", "warn.tfxl", "--deny", "unused-transform"}, 1, []string{"error[W0001"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runTFXC(c.args...)
			if r.code != c.code {
				t.Errorf("exit %d, want %d\n%s", r.code, c.code, r)
			}
			if r.stdout != "" {
				t.Errorf("text output on stdout:\n%s", r)
			}
			if c.stderr == nil && r.stderr != "" {
				t.Errorf("want no output:\n%s", r)
			}
			for _, s := range c.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r)
				}
			}
		})
	}
}

func TestCheckTextOutput(t *testing.T) {
	testDir(t, map[string]string{"err.tfxl": errPipeline})
	r := runTFXC("check", "err.tfxl")
	want := `err.tfxl:10:5: error[E0203]: hour_xf is defined twice
   10 |     hour_xf = categorical(trip_start_hour, 24)
      |     ^^^^^^^
      = hint: rename one of them
      = note: err.tfxl:9:5: first defined here
err.tfxl:12:2: warning[W0001 unused-transform]: transform output café_xf is never used
   12 |     café_xf =   z_score(faer)
      |     ^^^^^^^
      = hint: use it as a model input, or delete it
err.tfxl:12:20: error[E0200]: unknown feature faer
   12 |     café_xf =   z_score(faer)
      |                         ^^^^
`
	if !strings.HasPrefix(r.stderr, want) {
		t.Errorf("got\n%s\nwant it to start with\n%s", r.stderr, want)
	}
	if !strings.HasSuffix(r.stderr, "\n2 errors, 1 warning\n") {
		t.Errorf("no summary line:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "\x1b[") {
		t.Errorf("color without --color")
	}
	if r := runTFXC("check", "--color", "err.tfxl"); !strings.Contains(r.stderr, "\x1b[1;31merror[E0203]\x1b[0m") {
		t.Errorf("--color: no red error label:\n%q", r.stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	testDir(t, map[string]string{"ok.tfxl": okPipeline})
	cases := []struct {
		name string
		args []string
		msg  string
	}{
		{"no arguments", nil, ""},
		{"unknown command", []string{"compile", "ok.tfxl"}, `unknown command "compile"`},
		{"unknown flag before command", []string{"--verbose", "check"}, "unknown flag"},
		{"unknown flag", []string{"check", "--verbose", "ok.tfxl"}, "unknown flag: --verbose"},
		{"unknown shorthand", []string{"check", "-x", "ok.tfxl"}, "unknown shorthand flag"},
		{"flag without value", []string{"check", "ok.tfxl", "--format"}, "flag needs an argument"},
		{"no files", []string{"check"}, "no files"},
		{"no files with flags", []string{"check", "--format", "json"}, "no files"},
		{"bad format", []string{"check", "--format", "xml", "ok.tfxl"}, "--format xml"},
		{"unknown allow", []string{"check", "--allow", "unused-transfrom", "ok.tfxl"}, "--allow unused-transfrom"},
		{"unknown deny", []string{"check", "--deny", "W9999", "ok.tfxl"}, "--deny W9999"},
		{"allow an error", []string{"check", "--allow", "duplicate-name", "ok.tfxl"}, "only warnings"},
		{"deny an error", []string{"check", "--deny", "E0203", "ok.tfxl"}, "only warnings"},
		{"allow and deny", []string{"check", "--allow", "W0001", "--deny", "unused-transform", "ok.tfxl"}, "both allowed and denied"},
		{"fmt without files", []string{"fmt", "-w"}, "no files"},
		{"fmt unknown flag", []string{"fmt", "-x", "ok.tfxl"}, "unknown shorthand flag"},
		{"help of unknown command", []string{"help", "compile"}, `unknown command "compile"`},
		{"help of two commands", []string{"help", "check", "fmt"}, "at most one"},
		{"codes with an argument", []string{"codes", "E0100"}, "no arguments"},
		{"version with an argument", []string{"version", "x"}, "no arguments"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runTFXC(c.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2\n%s", r.code, r)
			}
			if r.stdout != "" {
				t.Errorf("output on stdout:\n%s", r)
			}
			if !strings.Contains(r.stderr, "Usage") {
				t.Errorf("no usage on stderr:\n%s", r)
			}
			if c.msg != "" && (!strings.HasPrefix(r.stderr, "tfxc: ") || !strings.Contains(r.stderr, c.msg)) {
				t.Errorf("stderr does not start with \"tfxc: \" or lacks %q:\n%s", c.msg, r)
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		r := runTFXC(args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Commands:") || r.stderr != "" {
			t.Errorf("%v:\n%s", args, r)
		}
		for _, cmd := range commands {
			if !strings.Contains(r.stdout, cmd.name) {
				t.Errorf("%v does not mention %s", args, cmd.name)
			}
		}
	}
	for _, cmd := range commands {
		for _, args := range [][]string{{"help", cmd.name}, {cmd.name, "--help"}, {cmd.name, "-h"}} {
			r := runTFXC(args...)
			if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: tfxc "+cmd.name) || r.stderr != "" {
				t.Errorf("%v:\n%s", args, r)
			}
		}
	}
	r := runTFXC("help", "check")
	for _, s := range []string{"--format FORMAT", "--schema FILE", "--allow NAME", "--deny NAME", "--color",
		"standard error", "standard output", "Exit status"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("help check lacks %q:\n%s", s, r.stdout)
		}
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := runTFXC(args...)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "tfxc ") || r.stderr != "" {
			t.Errorf("%v:\n%s", args, r)
		}
	}
}

func TestCodes(t *testing.T) {
	r := runTFXC("codes")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("%s", r)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	codes := lang.Codes()
	if len(lines) != len(codes) {
		t.Fatalf("%d lines for %d codes", len(lines), len(codes))
	}
	for i, info := range codes {
		f := strings.Fields(lines[i])
		if len(f) < 4 || f[0] != string(info.Code) || f[1] != info.Name || f[2] != info.Severity.String() ||
			strings.Join(f[3:], " ") != info.Summary {
			t.Errorf("line %d: %q, want %s %s %s %s", i+1, lines[i], info.Code, info.Name, info.Severity, info.Summary)
		}
	}
}

func TestCheckJSON(t *testing.T) {
	testDir(t, map[string]string{"err.tfxl": errPipeline, "warn.tfxl": warnPipeline, "ok.tfxl": okPipeline})
	r := runTFXC("check", "--format", "json", "ok.tfxl", "err.tfxl", "warn.tfxl")
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if r.stderr != "" {
		t.Errorf("stderr: %s", r.stderr)
	}
	var got []diagfmt.JSONDiagnostic
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var d diagfmt.JSONDiagnostic
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, d)
	}
	var codes []string
	for _, d := range got {
		codes = append(codes, d.File+":"+d.Code+":"+d.Severity)
	}
	want := []string{"err.tfxl:E0203:error", "err.tfxl:W0001:warning", "err.tfxl:E0200:error", "warn.tfxl:W0001:warning"}
	if strings.Join(codes, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", codes, want)
	}
	if d := got[0]; d.StartLine != 10 || d.StartCol != 5 || d.EndCol != 12 || d.Name != "duplicate-name" || len(d.Related) != 1 {
		t.Errorf("first diagnostic %+v", d)
	}

	// A clean file: no output at all.
	if r := runTFXC("check", "--format=json", "ok.tfxl"); r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Errorf("clean:\n%s", r)
	}
	// --deny: the warning is an error in JSON too.
	r = runTFXC("check", "--format=json", "--deny", "unused-transform", "warn.tfxl")
	if r.code != 1 || !strings.Contains(r.stdout, `"code":"W0001","name":"unused-transform","severity":"error"`) {
		t.Errorf("deny:\n%s", r)
	}
}

func TestCheckSARIF(t *testing.T) {
	testDir(t, map[string]string{"err.tfxl": errPipeline, "warn.tfxl": warnPipeline, "ok.tfxl": okPipeline})
	r := runTFXC("check", "--format", "sarif", "err.tfxl", "missing.tfxl", "warn.tfxl", "ok.tfxl")
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if !strings.Contains(r.stderr, "tfxc: read missing.tfxl: ") {
		t.Errorf("stderr: %s", r.stderr)
	}
	var log diagfmt.SARIFLog
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != len(lang.Codes()) {
		t.Errorf("%d rules", len(run.Tool.Driver.Rules))
	}
	if len(run.Results) != 4 {
		t.Fatalf("%d results, want 4", len(run.Results))
	}
	for _, res := range run.Results {
		if res.RuleIndex == nil || run.Tool.Driver.Rules[*res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s: bad ruleIndex", res.RuleID)
		}
		if uri := res.Locations[0].PhysicalLocation.ArtifactLocation.URI; uri != "err.tfxl" && uri != "warn.tfxl" {
			t.Errorf("uri %q", uri)
		}
	}

	// A clean run is a valid log with no results.
	r = runTFXC("check", "--format", "sarif", "ok.tfxl")
	log = diagfmt.SARIFLog{}
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil || r.code != 0 || len(log.Runs) != 1 || len(log.Runs[0].Results) != 0 {
		t.Errorf("clean: %v\n%s", err, r)
	}
	// --allow removes the result.
	r = runTFXC("check", "--format", "sarif", "--allow", "unused-transform", "warn.tfxl")
	log = diagfmt.SARIFLog{}
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil || r.code != 0 || len(log.Runs[0].Results) != 0 {
		t.Errorf("allow: %v\n%s", err, r)
	}
}

func TestCheckSchemaFlag(t *testing.T) {
	noSchema := strings.Replace(okPipeline, `schema "schema.pbtxt"`, `schema "elsewhere.pbtxt"`, 1)
	testDir(t, map[string]string{
		"ok.tfxl":        okPipeline,
		"elsewhere.tfxl": noSchema,
		"other.pbtxt":    testSchema + "feature {\n  name: \"extra\"\n  type: INT\n  unknown_field: 3\n}\n",
		"broken.pbtxt":   "feature {\n  name: \n",
		"hourless.pbtxt": strings.Replace(testSchema, `"trip_start_hour"`, `"start_hour"`, 1),
	})

	// The file names a schema that does not exist.
	r := runTFXC("check", "elsewhere.tfxl")
	if r.code != 1 || !strings.Contains(r.stderr, "error[E0400]") {
		t.Errorf("without --schema:\n%s", r)
	}
	// --schema replaces it.
	if r := runTFXC("check", "--schema", "schema.pbtxt", "elsewhere.tfxl", "ok.tfxl"); r.code != 0 || r.stderr != "" {
		t.Errorf("with --schema:\n%s", r)
	}
	// --schema is used even when the file names a good schema.
	r = runTFXC("check", "--schema", "hourless.pbtxt", "ok.tfxl")
	if r.code != 1 || !strings.Contains(r.stderr, "trip_start_hour") {
		t.Errorf("--schema hourless.pbtxt:\n%s", r)
	}
	// The schema's own warnings are reported once, in the schema file,
	// and can be allowed.
	r = runTFXC("check", "--schema", "other.pbtxt", "ok.tfxl", "elsewhere.tfxl")
	if r.code != 0 || strings.Count(r.stderr, "warning[W0006 unknown-schema-field]") != 1 ||
		!strings.Contains(r.stderr, "other.pbtxt:26:3: ") || !strings.Contains(r.stderr, "   26 |   unknown_field: 3\n") {
		t.Errorf("--schema other.pbtxt:\n%s", r)
	}
	if r := runTFXC("check", "--schema", "other.pbtxt", "--allow", "unknown-schema-field", "ok.tfxl"); r.code != 0 || r.stderr != "" {
		t.Errorf("--allow unknown-schema-field:\n%s", r)
	}
	// A schema that does not parse: its errors, exit 1.
	r = runTFXC("check", "--schema", "broken.pbtxt", "ok.tfxl")
	if r.code != 1 || !strings.Contains(r.stderr, "broken.pbtxt:") || !strings.Contains(r.stderr, "error[E0401]") {
		t.Errorf("--schema broken.pbtxt:\n%s", r)
	}
	r = runTFXC("check", "--format", "json", "--schema", "broken.pbtxt", "ok.tfxl")
	if r.code != 1 || !strings.Contains(r.stdout, `"file":"broken.pbtxt"`) {
		t.Errorf("--format json --schema broken.pbtxt:\n%s", r)
	}
	// A schema that does not exist: a clear message, exit 1.
	r = runTFXC("check", "--schema", "missing.pbtxt", "ok.tfxl")
	if r.code != 1 || !strings.Contains(r.stderr, "tfxc: read schema missing.pbtxt: ") || r.stdout != "" {
		t.Errorf("--schema missing.pbtxt:\n%s", r)
	}
}

// TestCheckShowsSchemaLines checks that text output shows the lines of the
// schema file a pipeline names when a diagnostic points into it.
func TestCheckShowsSchemaLines(t *testing.T) {
	testDir(t, map[string]string{
		"ok.tfxl":      okPipeline,
		"schema.pbtxt": testSchema + "feature {\n  name: \"extra\"\n  type: INT\n  unknown_field: 3\n}\n",
	})
	r := runTFXC("check", "ok.tfxl")
	if r.code != 0 || !strings.Contains(r.stderr, "schema.pbtxt:26:3: warning[W0006 unknown-schema-field]") ||
		!strings.Contains(r.stderr, "   26 |   unknown_field: 3\n      |   ^") {
		t.Errorf("%s", r)
	}
}

func TestPlan(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := run([]string{"plan", "../../examples/taxi/taxi.tfxl"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("plan exited %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "transform/eval") || !strings.Contains(stdout.String(), "9 analyzers") {
		t.Errorf("plan output:\n%s", stdout.String())
	}
	stdout.Reset()
	if code := run([]string{"plan", "--format", "dot", "../../examples/taxi/taxi.tfxl"}, &stdout, &stderr); code != exitOK || !strings.HasPrefix(stdout.String(), "digraph") {
		t.Errorf("plan --format dot exited %d:\n%s", code, stdout.String())
	}
	if code := run([]string{"plan", "--format", "yaml", "x.tfxl"}, &stdout, &stderr); code != exitUsage {
		t.Errorf("plan --format yaml exited %d, want %d", code, exitUsage)
	}
	bad := filepath.Join(t.TempDir(), "bad.tfxl")
	if err := os.WriteFile(bad, []byte("pipeline p\nexamples csv(\"x.csv\")\ntransform {\n  y = z_score(nosuch)\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if code := run([]string{"plan", bad}, &stdout, &stderr); code != exitError || !strings.Contains(stderr.String(), "E0110") {
		t.Errorf("plan of a broken file exited %d:\n%s", code, stderr.String())
	}
}
