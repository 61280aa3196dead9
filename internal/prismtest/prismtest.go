// Package prismtest starts a standalone Prism job server for tests that
// run a Beam job through the universal runner, as a Flink or Spark job
// server would be used.
package prismtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Binary returns the standalone Prism binary: $TFXC_PRISM, or
// bin/prism in the repository (make prism builds it).
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("TFXC_PRISM"); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
	p := filepath.Join(dir, "bin", "prism")
	if _, err := os.Stat(p); err != nil {
		msg := fmt.Sprintf("no Prism job server binary at %s (run make prism, or set TFXC_PRISM)", p)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// Start starts a standalone Prism job server for the test and
// returns its job endpoint; the server stops when the test ends. Outside
// CI a test without the binary is skipped; in CI (CI=true) it fails.
func Start(t testing.TB) string {
	t.Helper()
	bin := Binary(t)
	jobPort, webPort := freePort(t), freePort(t)
	log, err := os.Create(filepath.Join(t.TempDir(), "prism.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin,
		fmt.Sprintf("--job_port=%d", jobPort),
		fmt.Sprintf("--web_port=%d", webPort),
		"--idle_shutdown_timeout=5m", // outlives the test, never a crashed one by long
		"--log_level=warn")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		log.Close()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("Prism job server log:\n%s", b)
		}
	})
	endpoint := fmt.Sprintf("localhost:%d", jobPort)
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", endpoint, time.Second)
		if err == nil {
			c.Close()
			return endpoint
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Prism job server did not listen on %s within 30s: %v", endpoint, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
