// Package beamexec is the tfxc side of tfxc run: it finds the tfxc-beam
// binary, checks that it belongs with this tfxc, and runs it.
//
// tfxc never links Apache Beam (its package initialisation alone costs
// 70-100 ms), so the job runs in a separate binary, tfxc-beam, installed
// beside tfxc by the same command. This package must not import Beam.
package beamexec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/tfxc/tfxc/internal/version"
	"github.com/tfxc/tfxc/planner"
)

// InstallCommand is the command that installs tfxc and tfxc-beam together
// from a checkout of the repository.
const InstallCommand = "go install ./cmd/..."

// HandshakeTimeout bounds how long tfxc-beam may take to answer
// --handshake. It only prints a line, but a cold start of a large binary
// from a slow disk can take seconds.
const HandshakeTimeout = 30 * time.Second

// KillDelay is how long Exec waits, after forwarding an interrupt, for
// tfxc-beam to cancel its job and exit before it kills it.
const KillDelay = 15 * time.Second

// Find returns the path of the tfxc-beam binary: the one beside the
// running executable if there is one, else the first on PATH. Its error
// names the install command.
func Find() (string, error) {
	self, err := os.Executable()
	if err != nil {
		self = ""
	} else if p, err := filepath.EvalSymlinks(self); err == nil {
		self = p
	}
	return find(self)
}

func find(self string) (string, error) {
	name := version.Program
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if self != "" {
		beside := filepath.Join(filepath.Dir(self), name)
		if isExecutable(beside) {
			return beside, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	where := "on PATH"
	if self != "" {
		where = fmt.Sprintf("beside %s or on PATH", self)
	}
	return "", fmt.Errorf("%s, which runs the pipeline's Beam job, was not found %s; install tfxc and %s together with %q in a checkout of tfxc",
		version.Program, where, version.Program, InstallCommand)
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	return runtime.GOOS == "windows" || fi.Mode().Perm()&0o111 != 0
}

// Handshake runs "tfxc-beam --handshake" and checks its reply: the binary
// at path must have the version of this build (version.String) and read
// the plan format this build writes (planner.Format). A mismatched pair
// refuses to run, with an error that says how to reinstall them.
func Handshake(path string) error {
	return handshake(path, version.Handshake{Version: version.String(), PlanFormat: planner.Format})
}

func handshake(path string, want version.Handshake) error {
	ctx, cancel := context.WithTimeout(context.Background(), HandshakeTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, "--"+version.HandshakeFlag)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		return fmt.Errorf("%s --%s did not answer within %v", path, version.HandshakeFlag, HandshakeTimeout)
	}
	if err != nil {
		return fmt.Errorf("%s --%s: %v%s", path, version.HandshakeFlag, err, firstLine(": ", stderr.String()))
	}
	line, _, _ := strings.Cut(stdout.String(), "\n")
	got, err := version.ParseHandshake(line)
	if err != nil {
		return fmt.Errorf("%s is not a %s binary that tfxc can use: %v", path, version.Program, err)
	}
	if got.Version != want.Version || got.PlanFormat != want.PlanFormat {
		return fmt.Errorf("%s is version %s (plan format %d), but tfxc is version %s (plan format %d): they must come from the same build; reinstall both with %q",
			path, got.Version, got.PlanFormat, want.Version, want.PlanFormat, InstallCommand)
	}
	return nil
}

// firstLine returns prefix and the first non-empty line of s, or "".
func firstLine(prefix, s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return prefix + l
		}
	}
	return ""
}

// Exec runs the binary at path with args, its output going to stdout and
// stderr, and returns its exit status. When ctx is done (tfxc's Ctrl-C or
// SIGTERM), Exec forwards an interrupt so that tfxc-beam cancels its job
// and exits, and kills it if it has not exited after KillDelay. A child
// killed by a signal has the shell's status, 128 plus the signal number.
// The error is non-nil only when the binary could not be started or had
// to be killed.
func Exec(ctx context.Context, path string, args []string, stdout, stderr io.Writer) (int, error) {
	return execute(ctx, path, args, stdout, stderr, KillDelay)
}

func execute(ctx context.Context, path string, args []string, stdout, stderr io.Writer, killDelay time.Duration) (int, error) {
	cmd := exec.Command(path, args...)
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	// Do not wait for grandchildren that keep the output pipes open
	// after tfxc-beam has exited.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return -1, fmt.Errorf("starting %s: %w", path, err)
	}
	exited := make(chan struct{})
	killed := make(chan bool, 1)
	go func() {
		select {
		case <-exited:
			killed <- false
			return
		case <-ctx.Done():
		}
		// The child usually gets a terminal's Ctrl-C too, being in
		// the same process group; a second interrupt must be harmless
		// to it (signal.NotifyContext makes it so).
		if err := interrupt(cmd.Process); err != nil {
			if !errors.Is(err, os.ErrProcessDone) {
				cmd.Process.Kill()
			}
			<-exited
			killed <- false
			return
		}
		t := time.NewTimer(killDelay)
		defer t.Stop()
		select {
		case <-exited:
			killed <- false
		case <-t.C:
			cmd.Process.Kill()
			killed <- true
		}
	}()
	err := cmd.Wait()
	close(exited)
	if <-killed {
		return -1, fmt.Errorf("%s did not exit within %v of the interrupt and was killed", filepath.Base(path), killDelay)
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return -1, fmt.Errorf("running %s: %w", path, err)
	}
	return status(cmd.ProcessState), nil
}

// interrupt asks the process to stop as Ctrl-C would; Windows has no
// interrupt to send, so there it kills.
func interrupt(p *os.Process) error {
	if runtime.GOOS == "windows" {
		return p.Kill()
	}
	return p.Signal(os.Interrupt)
}

// status returns the exit status of a finished process, 128+N when signal
// N killed it.
func status(ps *os.ProcessState) int {
	if code := ps.ExitCode(); code >= 0 {
		return code
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return -1
}
