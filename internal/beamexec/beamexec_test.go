package beamexec

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tfxc/tfxc/internal/version"
	"github.com/tfxc/tfxc/planner"
)

// script writes an executable shell script named name into dir.
func script(t *testing.T, dir, name, body string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake tfxc-beam is a shell script")
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFindBesideExecutable(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	want := script(t, dir, "tfxc-beam", "exit 0\n")
	script(t, other, "tfxc-beam", "exit 0\n")
	t.Setenv("PATH", other)
	got, err := find(filepath.Join(dir, "tfxc"))
	if err != nil || got != want {
		t.Fatalf("find = %q, %v; want %q (beside tfxc, before PATH)", got, err, want)
	}
}

func TestFindOnPath(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	// Beside tfxc but not executable: not a candidate.
	if err := os.WriteFile(filepath.Join(dir, "tfxc-beam"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := script(t, other, "tfxc-beam", "exit 0\n")
	t.Setenv("PATH", other)
	got, err := find(filepath.Join(dir, "tfxc"))
	if err != nil || got != want {
		t.Fatalf("find = %q, %v; want %q from PATH", got, err, want)
	}
}

func TestFindMissing(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PATH", t.TempDir())
	_, err := find(filepath.Join(dir, "tfxc"))
	if err == nil {
		t.Fatal("find succeeded without any tfxc-beam")
	}
	for _, want := range []string{"tfxc-beam", "go install ./cmd/...", dir} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestHandshake(t *testing.T) {
	want := version.Handshake{Version: "v1.2.0", PlanFormat: 3}
	for _, c := range []struct {
		name, body string
		err        []string // substrings of the error; none for success
	}{
		{"match", "echo 'tfxc-beam v1.2.0 plan/3'\n", nil},
		{"match with more output", "echo 'tfxc-beam v1.2.0 plan/3'; echo more\n", nil},
		{"older binary", "echo 'tfxc-beam v1.1.0 plan/3'\n", []string{"version v1.1.0", "tfxc is version v1.2.0", InstallCommand}},
		{"other plan format", "echo 'tfxc-beam v1.2.0 plan/2'\n", []string{"plan format 2", "plan format 3", InstallCommand}},
		{"not tfxc-beam", "echo 'hello'\n", []string{"is not a tfxc-beam binary", "hello"}},
		{"flag unknown", "echo 'flag provided but not defined: -handshake' >&2; exit 2\n", []string{"exit status 2", "flag provided but not defined"}},
		{"wrong flag", `[ "$1" = --handshake ] || exit 9; echo 'tfxc-beam v1.2.0 plan/3'` + "\n", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := script(t, t.TempDir(), "tfxc-beam", c.body)
			err := handshake(p, want)
			if c.err == nil {
				if err != nil {
					t.Fatalf("handshake: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("handshake succeeded, want an error")
			}
			for _, s := range c.err {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

// TestHandshakeThisBuild checks that Handshake expects this build's
// version and plan format.
func TestHandshakeThisBuild(t *testing.T) {
	line := version.Handshake{Version: version.String(), PlanFormat: planner.Format}.String()
	p := script(t, t.TempDir(), "tfxc-beam", fmt.Sprintf("echo '%s'\n", line))
	if err := Handshake(p); err != nil {
		t.Fatalf("Handshake: %v", err)
	}
	p = script(t, t.TempDir(), "tfxc-beam", fmt.Sprintf("echo 'tfxc-beam other plan/%d'\n", planner.Format))
	if err := Handshake(p); err == nil {
		t.Fatal("Handshake accepted another version")
	}
}

func TestExecStatusAndOutput(t *testing.T) {
	p := script(t, t.TempDir(), "tfxc-beam", `echo "out $1 $2"; echo "err" >&2; exit 3`+"\n")
	var stdout, stderr bytes.Buffer
	code, err := Exec(context.Background(), p, []string{"--plan=a b", "x"}, &stdout, &stderr)
	if err != nil || code != 3 {
		t.Fatalf("Exec = %d, %v; want 3, nil", code, err)
	}
	if got := stdout.String(); got != "out --plan=a b x\n" {
		t.Errorf("stdout %q", got)
	}
	if got := stderr.String(); got != "err\n" {
		t.Errorf("stderr %q", got)
	}
}

func TestExecMissing(t *testing.T) {
	_, err := Exec(context.Background(), filepath.Join(t.TempDir(), "tfxc-beam"), nil, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "starting") {
		t.Fatalf("Exec of a missing binary: %v", err)
	}
}

// cancelOnceExists returns a context cancelled as soon as the file at path
// exists: when the child has started.
func cancelOnceExists(t *testing.T, path string) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() {
		for ctx.Err() == nil {
			if _, err := os.Stat(path); err == nil {
				cancel()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return ctx
}

// TestExecInterrupt cancels the context while the child runs: the child
// gets an interrupt, cancels "its job" and exits with its own status.
func TestExecInterrupt(t *testing.T) {
	dir := t.TempDir()
	started := filepath.Join(dir, "started")
	p := script(t, dir, "tfxc-beam", fmt.Sprintf(`
trap 'kill $pid 2>/dev/null; echo cancelled; exit 130' INT
sleep 30 & pid=$!
touch %s
wait $pid
echo finished
`, started))
	ctx := cancelOnceExists(t, started)
	var stdout bytes.Buffer
	t0 := time.Now()
	code, err := Exec(ctx, p, nil, &stdout, nil)
	if err != nil || code != 130 {
		t.Fatalf("Exec = %d, %v; want 130, nil", code, err)
	}
	if got := stdout.String(); got != "cancelled\n" {
		t.Errorf("stdout %q, want the child's own reaction to the interrupt", got)
	}
	if d := time.Since(t0); d > 10*time.Second {
		t.Errorf("Exec took %v after the interrupt", d)
	}
}

// TestExecKill: a child that ignores the interrupt is killed after the
// delay, and Exec says so.
func TestExecKill(t *testing.T) {
	dir := t.TempDir()
	started := filepath.Join(dir, "started")
	p := script(t, dir, "tfxc-beam", fmt.Sprintf(`
trap '' INT
touch %s
exec sleep 30
`, started))
	ctx := cancelOnceExists(t, started)
	t0 := time.Now()
	code, err := execute(ctx, p, nil, nil, nil, 200*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("execute = %d, %v; want an error saying it was killed", code, err)
	}
	if d := time.Since(t0); d > 10*time.Second {
		t.Errorf("execute took %v", d)
	}
}

func TestStatusOfSignalledChild(t *testing.T) {
	p := script(t, t.TempDir(), "tfxc-beam", "kill -TERM $$\n")
	code, err := Exec(context.Background(), p, nil, nil, nil)
	if err != nil || code != 128+15 {
		t.Fatalf("Exec = %d, %v; want 143 (killed by SIGTERM)", code, err)
	}
}
