package beamrun

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/tfxc/tfxc/internal/prismtest"
)

// logPath is where the tests' Beam and Prism logs go.
var logPath string

func TestMain(m *testing.M) {
	flag.Parse()
	beam.Init()
	f, err := os.CreateTemp("", "beamrun-test-*.log")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	logPath = f.Name()
	if os.Getenv("BEAMRUN_CHILD") != "noisy" {
		RouteLogs(f, slog.LevelInfo)
	}
	code := m.Run()
	f.Close()
	if code == 0 {
		os.Remove(logPath)
	} else {
		fmt.Fprintf(os.Stderr, "Beam and Prism logs: %s\n", logPath)
	}
	os.Exit(code)
}

// setFlag sets a Beam flag for the test.
func setFlag(t testing.TB, name, value string) {
	t.Helper()
	old := flag.Lookup(name).Value.String()
	if err := flag.Set(name, value); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { flag.Set(name, old) })
}

// writeText writes a deterministic text of n lines with a long line, empty
// lines and no final newline, and returns its path and content.
func writeText(t testing.TB, dir string, n int) (string, []byte) {
	return writeTextLong(t, dir, n, true)
}

// writeTextLong is writeText, with the long line or without it.
func writeTextLong(t testing.TB, dir string, n int, long bool) (string, []byte) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"taxi", "fare", "tip", "Chicago", "trip_miles", "payment", "cash", "é", "0.25"}
	var b bytes.Buffer
	for i := range n {
		switch {
		case long && i == n/3:
			b.WriteString(strings.Repeat("long ", 20000)) // 100 kB: spans shards and bufio's buffer
		case i%97 == 0:
			// empty line
		default:
			for j := range r.IntN(12) {
				if j > 0 {
					b.WriteString(" \t"[r.IntN(2):][:1])
				}
				b.WriteString(words[r.IntN(len(words))])
			}
		}
		if i < n-1 {
			b.WriteByte('\n')
		}
	}
	path := filepath.Join(dir, "input.txt")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, b.Bytes()
}

// expect computes what the pipeline must write, in one plain pass: the
// concatenated shard outputs, and the counts (without the shard count).
func expect(data []byte) (string, counts) {
	var out strings.Builder
	var c counts
	lines := bytes.Split(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] == '\n' {
		lines = lines[:len(lines)-1]
	}
	for _, l := range lines {
		w, entry := countLine(l)
		out.WriteString(entry)
		c.Lines++
		c.Words += int64(w)
		c.Bytes += int64(len(l))
	}
	return out.String(), c
}

func TestReadShardBoundaries(t *testing.T) {
	short, shortData := writeTextLong(t, t.TempDir(), 300, false)
	long, longData := writeText(t, t.TempDir(), 500)
	for _, c := range []struct {
		path string
		data []byte
		n    int64
	}{
		{short, shortData, 1}, {short, shortData, 7}, {short, shortData, 64},
		{long, longData, 1000}, {long, longData, 1 << 16}, {long, longData, 1 << 20},
	} {
		path, data, n := c.path, c.data, c.n
		want, _ := expect(data)
		var got strings.Builder
		for _, s := range shards(path, int64(len(data)), n) {
			if err := readShard(s, func(b []byte) { _, e := countLine(b); got.WriteString(e) }); err != nil {
				t.Fatal(err)
			}
		}
		if got.String() != want {
			t.Errorf("shards of %d bytes: the lines read differ from one pass over the file", n)
		}
	}
}

// runWordCount runs the test pipeline over input into a new folder and
// checks its outputs against one plain pass over the data.
func runWordCount(t *testing.T, input string, data []byte, shardBytes int64, opts Options) (string, *Result) {
	t.Helper()
	out := t.TempDir()
	p, err := wordCount(input, shardBytes, out, 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), p, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	nShards := int64(len(shards(input, int64(len(data)), shardBytes)))
	wantLines, wantCounts := expect(data)
	wantCounts.Shards = nShards

	result, err := os.ReadFile(filepath.Join(out, "result.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(result) != wantCounts.String() {
		t.Errorf("result.txt:\n%s\nwant:\n%s", result, wantCounts)
	}
	var lines strings.Builder
	for i := range nShards {
		b, err := os.ReadFile(filepath.Join(out, fmt.Sprintf("shard-%05d.txt", i)))
		if err != nil {
			t.Fatal(err)
		}
		lines.Write(b)
	}
	if lines.String() != wantLines {
		t.Error("the shards' outputs differ from one pass over the input")
	}
	if tmp, _ := filepath.Glob(filepath.Join(out, ".*tmp-*")); len(tmp) > 0 {
		t.Errorf("temporary files left behind: %v", tmp)
	}
	want := map[string]int64{"shards": nShards, "lines": wantCounts.Lines, "words": wantCounts.Words}
	if !reflect.DeepEqual(res.Counters, want) {
		t.Errorf("counters %v, want %v", res.Counters, want)
	}
	if res.JobID == "" || res.Endpoint == "" {
		t.Errorf("result without a job id or endpoint: %+v", res)
	}
	return out, res
}

// TestInProcessAndJobServer runs the pipeline on the in-process Prism and
// on a standalone Prism job server through the universal runner, and
// checks that both write the same files and count the same.
func TestInProcessAndJobServer(t *testing.T) {
	input, data := writeText(t, t.TempDir(), 20000)
	const shardBytes = 64 << 10
	inProc, res1 := runWordCount(t, input, data, shardBytes, Options{Timeout: 2 * time.Minute})
	if res1.Runner != "prism" {
		t.Errorf("runner %q, want prism", res1.Runner)
	}
	t.Logf("in-process Prism: %v", res1.Elapsed)

	endpoint := prismtest.Start(t)
	setFlag(t, "runner", "universal")
	setFlag(t, "endpoint", endpoint)
	setFlag(t, "environment_type", "LOOPBACK")
	server, res2 := runWordCount(t, input, data, shardBytes, Options{Timeout: 2 * time.Minute})
	if res2.Runner != "universal" || res2.Endpoint != endpoint {
		t.Errorf("runner %q at %q, want universal at %s", res2.Runner, res2.Endpoint, endpoint)
	}
	t.Logf("standalone Prism job server, LOOPBACK: %v", res2.Elapsed)

	if !reflect.DeepEqual(res1.Counters, res2.Counters) {
		t.Errorf("counters differ: in-process %v, job server %v", res1.Counters, res2.Counters)
	}
	a, b := readDir(t, inProc), readDir(t, server)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("the two runs wrote different files: %v and %v", slices.Sorted(maps.Keys(a)), slices.Sorted(maps.Keys(b)))
	}
}

// readDir returns the files of a folder by name.
func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = string(b)
	}
	return m
}

// TestProgress watches a slow job: snapshots arrive while it runs, their
// counters never go down, and they end at most at the final counts.
func TestProgress(t *testing.T) {
	input, data := writeText(t, t.TempDir(), 2000)
	p, err := wordCount(input, 16<<10, t.TempDir(), 150*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var snaps []Snapshot
	res, err := Run(context.Background(), p, Options{
		Timeout:      2 * time.Minute,
		PollInterval: 50 * time.Millisecond,
		Progress: func(s Snapshot) {
			mu.Lock()
			snaps = append(snaps, s)
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(snaps) < 2 {
		t.Fatalf("%d snapshots of a job of %v polled every 50ms", len(snaps), res.Elapsed)
	}
	var running bool
	for i, s := range snaps {
		running = running || s.State == "RUNNING"
		for name, v := range s.Counters {
			if v > res.Counters[name] {
				t.Errorf("snapshot %d: %s=%d beyond the final %d", i, name, v, res.Counters[name])
			}
			if i > 0 && v < snaps[i-1].Counters[name] {
				t.Errorf("snapshot %d: %s went down from %d to %d", i, name, snaps[i-1].Counters[name], v)
			}
		}
		if i > 0 && s.Elapsed < snaps[i-1].Elapsed {
			t.Errorf("snapshot %d: elapsed went back", i)
		}
	}
	if !running {
		t.Errorf("no snapshot saw the job RUNNING: %+v", snaps)
	}
	if last := snaps[len(snaps)-1].Counters["lines"]; last == 0 {
		t.Errorf("the last snapshot counted no lines: %+v", snaps[len(snaps)-1])
	}
	_ = data
}

// TestTimeout: a job that outlives its deadline is cancelled, and Run
// returns promptly with an error that says so.
func TestTimeout(t *testing.T) {
	input, _ := writeText(t, t.TempDir(), 100)
	p, err := wordCount(input, 1<<20, t.TempDir(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	_, err = Run(context.Background(), p, Options{Timeout: 2 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "did not finish within 2s") {
		t.Fatalf("Run: %v; want a deadline error", err)
	}
	if d := time.Since(t0); d > 20*time.Second {
		t.Errorf("Run returned %v after a 2s deadline", d)
	}
}

// TestCallerCancels: cancelling the caller's context (Ctrl-C) cancels the
// job and says so.
func TestCallerCancels(t *testing.T) {
	input, _ := writeText(t, t.TempDir(), 100)
	p, err := wordCount(input, 1<<20, t.TempDir(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = Run(ctx, p, Options{Timeout: time.Hour})
	if err == nil || !strings.Contains(err.Error(), "was cancelled") {
		t.Fatalf("Run: %v; want a cancellation error", err)
	}
}

func TestRunnerFlags(t *testing.T) {
	p, _ := beam.NewPipelineWithRoot()
	for _, c := range []struct {
		flags map[string]string
		err   string
	}{
		{map[string]string{"runner": "direct"}, "deprecated"},
		{map[string]string{"runner": "nosuch"}, "unknown runner"},
		{map[string]string{"runner": "universal"}, "needs --endpoint"},
		{map[string]string{"runner": "flink"}, "needs --endpoint"},
	} {
		t.Run(fmt.Sprint(c.flags), func(t *testing.T) {
			for k, v := range c.flags {
				setFlag(t, k, v)
			}
			_, err := Run(context.Background(), p, Options{Timeout: time.Minute})
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("Run: %v; want an error containing %q", err, c.err)
			}
		})
	}
	if _, err := Run(context.Background(), p, Options{Timeout: -time.Second}); err == nil {
		t.Error("Run accepted a negative timeout")
	}
}

func TestRunnerKind(t *testing.T) {
	for name, want := range map[string]string{
		"": "prism", "prism": "prism", "PrismRunner": "prism",
		"universal": "universal", "portable": "universal", "flink": "universal", "SparkRunner": "universal",
		"dataflow": "dataflow", "DataflowRunner": "dataflow",
	} {
		if got, err := runnerKind(name); err != nil || got != want {
			t.Errorf("runnerKind(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
}

// TestQuietTerminal runs a job in a child process and checks that nothing
// reaches its stderr once RouteLogs has sent Beam's and Prism's logs to a
// file, while without it Prism does write there.
func TestQuietTerminal(t *testing.T) {
	if os.Getenv("BEAMRUN_CHILD") != "" {
		t.Skip("already a child")
	}
	for _, mode := range []string{"quiet", "noisy"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestChildJob$", "-test.v")
		cmd.Env = append(os.Environ(), "BEAMRUN_CHILD="+mode)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s child: %v\n%s%s", mode, err, stdout.String(), stderr.String())
		}
		if !strings.Contains(stdout.String(), "--- PASS: TestChildJob") {
			t.Fatalf("%s child did not run the job:\n%s", mode, stdout.String())
		}
		switch {
		case mode == "quiet" && stderr.Len() > 0:
			t.Errorf("with RouteLogs, the child wrote to stderr:\n%s", stderr.String())
		case mode == "noisy" && stderr.Len() == 0:
			t.Errorf("without RouteLogs, the child wrote nothing to stderr: is the test still testing anything?")
		}
	}
}

// TestChildJob is the job of TestQuietTerminal's child processes.
func TestChildJob(t *testing.T) {
	if os.Getenv("BEAMRUN_CHILD") == "" {
		t.Skip("only in TestQuietTerminal's child processes")
	}
	input, data := writeText(t, t.TempDir(), 1000)
	runWordCount(t, input, data, 4<<10, Options{Timeout: time.Minute})
}
