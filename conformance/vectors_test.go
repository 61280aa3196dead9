package conformance

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// defaultVectors is the shared vectors file, relative to this package's
// directory.
var defaultVectors = filepath.Join("..", "..", "shared", "conformance", "public.jsonl")

// TestVectors runs every test vector (env TFXC_VECTORS, or the shared
// public.jsonl) and logs one line per case, "PASS id", "FAIL id: why" or
// "SKIP id: why", then a summary line. It fails when any case fails.
func TestVectors(t *testing.T) {
	path, explicit := os.LookupEnv("TFXC_VECTORS")
	if !explicit || path == "" {
		path, explicit = defaultVectors, false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		switch {
		case explicit:
			t.Fatalf("TFXC_VECTORS: %v", err)
		case os.Getenv("CI") == "true":
			t.Fatalf("vectors file: %v (CI needs shared/ beside the repository)", err)
		default:
			t.Skipf("vectors file not found: %v", err)
		}
	}
	results := RunFile(data)
	var passed, failed, skipped int
	for _, r := range results {
		t.Log(r.Line)
		switch r.Outcome.Status {
		case Pass:
			passed++
		case Fail:
			failed++
		default:
			skipped++
		}
	}
	t.Logf("vectors: %d passed, %d failed, %d skipped", passed, failed, skipped)
	if failed > 0 {
		t.Fail()
	}
}

// Result is one case's outcome and its log line.
type Result struct {
	ID      string
	Outcome Outcome
	Line    string
}

// RunFile runs every non-blank line of a vectors file. A line that cannot be
// decoded, or repeats an id, is a failure named after its line number.
func RunFile(data []byte) []Result {
	var out []Result
	seen := map[string]int{}
	for i, line := range bytes.Split(data, []byte("\n")) {
		lineNo := i + 1
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		c, err := DecodeCase(line, lineNo)
		id := fmt.Sprintf("line-%d", lineNo)
		if c != nil && c.ID != "" {
			id = c.ID
		}
		var o Outcome
		switch {
		case err != nil:
			o = Failed("line %d: malformed case: %v", lineNo, err)
		case seen[c.ID] != 0:
			o = Failed("line %d: duplicate id (first on line %d)", lineNo, seen[c.ID])
		default:
			seen[c.ID] = lineNo
			o = Run(c)
		}
		out = append(out, Result{ID: id, Outcome: o, Line: o.LogLine(id)})
	}
	return out
}
