package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFmtStdout(t *testing.T) {
	testDir(t, map[string]string{"messy.tfxl": messyPipeline, "ok.tfxl": okPipeline})
	r := runTFXC("fmt", "messy.tfxl")
	if r.code != 0 || r.stdout != okPipeline || r.stderr != "" {
		t.Errorf("got\n%s\nwant stdout\n%s", r, okPipeline)
	}
	if readFile(t, "messy.tfxl") != messyPipeline {
		t.Errorf("fmt without -w changed the file")
	}
	// Several files: one after the other.
	if r := runTFXC("fmt", "messy.tfxl", "ok.tfxl"); r.code != 0 || r.stdout != okPipeline+okPipeline {
		t.Errorf("two files:\n%s", r)
	}
}

func TestFmtList(t *testing.T) {
	testDir(t, map[string]string{"messy.tfxl": messyPipeline, "ok.tfxl": okPipeline})
	r := runTFXC("fmt", "-l", "ok.tfxl", "messy.tfxl")
	if r.code != 0 || r.stdout != "messy.tfxl\n" || r.stderr != "" {
		t.Errorf("%s", r)
	}
	if readFile(t, "messy.tfxl") != messyPipeline {
		t.Errorf("fmt -l changed the file")
	}
}

func TestFmtWrite(t *testing.T) {
	dir := testDir(t, map[string]string{"messy.tfxl": messyPipeline, "ok.tfxl": okPipeline})
	if err := os.Chmod("messy.tfxl", 0o640); err != nil {
		t.Fatal(err)
	}
	// An old time, so a rewrite would show.
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes("ok.tfxl", old, old); err != nil {
		t.Fatal(err)
	}
	okBefore, _ := os.Stat("ok.tfxl")

	r := runTFXC("fmt", "-w", "-l", "messy.tfxl", "ok.tfxl")
	if r.code != 0 || r.stdout != "messy.tfxl\n" || r.stderr != "" {
		t.Errorf("%s", r)
	}
	if got := readFile(t, "messy.tfxl"); got != okPipeline {
		t.Errorf("rewritten file:\n%s", got)
	}
	fi, err := os.Stat("messy.tfxl")
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", fi.Mode().Perm())
	}
	okAfter, _ := os.Stat("ok.tfxl")
	if !okAfter.ModTime().Equal(okBefore.ModTime()) || !os.SameFile(okBefore, okAfter) {
		t.Errorf("a file already formatted was rewritten")
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	// -w alone prints nothing.
	if err := os.WriteFile("messy.tfxl", []byte(messyPipeline), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runTFXC("fmt", "-w", "messy.tfxl"); r.code != 0 || r.stdout != "" || r.stderr != "" || readFile(t, "messy.tfxl") != okPipeline {
		t.Errorf("-w:\n%s", r)
	}
}

func TestFmtWriteThroughSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	testDir(t, map[string]string{"messy.tfxl": messyPipeline})
	if err := os.Symlink("messy.tfxl", "link.tfxl"); err != nil {
		t.Fatal(err)
	}
	if r := runTFXC("fmt", "-w", "link.tfxl"); r.code != 0 {
		t.Fatalf("%s", r)
	}
	fi, err := os.Lstat("link.tfxl")
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if readFile(t, "messy.tfxl") != okPipeline {
		t.Errorf("the target was not formatted")
	}
}

func TestFmtSyntaxErrors(t *testing.T) {
	testDir(t, map[string]string{"syntax.tfxl": syntaxPipeline, "messy.tfxl": messyPipeline})
	for _, flags := range [][]string{nil, {"-w"}, {"-l"}, {"-d"}} {
		args := append(append([]string{"fmt"}, flags...), "syntax.tfxl", "messy.tfxl")
		r := runTFXC(args...)
		if r.code != 1 {
			t.Errorf("%v: exit %d, want 1", flags, r.code)
		}
		if !strings.Contains(r.stderr, "syntax.tfxl:") || !strings.Contains(r.stderr, "error[E0100]") ||
			!strings.Contains(r.stderr, " | ") || !strings.Contains(r.stderr, " error") {
			t.Errorf("%v: no diagnostics on stderr:\n%s", flags, r)
		}
		if strings.Contains(r.stdout, "syntax.tfxl") || strings.Contains(r.stdout, "pipeline broken") {
			t.Errorf("%v: the broken file on stdout:\n%s", flags, r)
		}
		if readFile(t, "syntax.tfxl") != syntaxPipeline {
			t.Fatalf("%v: the file with syntax errors was changed", flags)
		}
	}
	// The other file was still formatted.
	if readFile(t, "messy.tfxl") != okPipeline {
		t.Errorf("the good file was not formatted")
	}
}

func TestFmtUnreadable(t *testing.T) {
	testDir(t, nil)
	r := runTFXC("fmt", "missing.tfxl")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "tfxc: read missing.tfxl: ") || r.stdout != "" {
		t.Errorf("%s", r)
	}
}

func TestFmtDiff(t *testing.T) {
	testDir(t, map[string]string{"messy.tfxl": messyPipeline, "ok.tfxl": okPipeline})
	r := runTFXC("fmt", "-d", "ok.tfxl", "messy.tfxl")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("%s", r)
	}
	if !strings.HasPrefix(r.stdout, "--- messy.tfxl.orig\n+++ messy.tfxl\n@@ -1,") {
		t.Errorf("diff header:\n%s", r.stdout)
	}
	got, err := applyDiff(messyPipeline, r.stdout)
	if err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if got != okPipeline {
		t.Errorf("the diff does not make the formatted file:\n%s", got)
	}
	if !strings.Contains(r.stdout, "\\ No newline at end of file\n") {
		t.Errorf("the missing final newline is not marked:\n%s", r.stdout)
	}
	if readFile(t, "messy.tfxl") != messyPipeline {
		t.Errorf("-d changed the file")
	}
}

func TestUnifiedDiffHunks(t *testing.T) {
	var a, b strings.Builder
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&a, "line %d\n", i)
		switch i {
		case 2:
			b.WriteString("line two\n")
		case 18:
			fmt.Fprintf(&b, "line %d\nnew\n", i)
		default:
			fmt.Fprintf(&b, "line %d\n", i)
		}
	}
	got := string(unifiedDiff("a", "b", []byte(a.String()), []byte(b.String())))
	want := `--- a
+++ b
@@ -1,5 +1,5 @@
 line 1
-line 2
+line two
 line 3
 line 4
 line 5
@@ -16,5 +16,6 @@
 line 16
 line 17
 line 18
+new
 line 19
 line 20
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if d := unifiedDiff("a", "b", []byte("x\n"), []byte("x\n")); d != nil {
		t.Errorf("equal texts: %q", d)
	}
	if got := string(unifiedDiff("a", "b", nil, []byte("x\n"))); got != "--- a\n+++ b\n@@ -0,0 +1,1 @@\n+x\n" {
		t.Errorf("from empty: %q", got)
	}
	if got := string(unifiedDiff("a", "b", []byte("x\n"), nil)); got != "--- a\n+++ b\n@@ -1,1 +0,0 @@\n-x\n" {
		t.Errorf("to empty: %q", got)
	}
}

// TestUnifiedDiffRandom applies diffs of random texts, small and large
// enough to skip the longest-common-subsequence search.
func TestUnifiedDiffRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	randText := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(strconv.Itoa(rng.IntN(5)))
			if rng.IntN(20) > 0 {
				b.WriteString("\n")
			}
		}
		return b.String()
	}
	for i := range 500 {
		n := rng.IntN(30)
		if i%100 == 0 {
			n = 2500 // above maxLCSCells
		}
		a, b := randText(n), randText(n+rng.IntN(5))
		d := unifiedDiff("a", "b", []byte(a), []byte(b))
		if a == b {
			if d != nil {
				t.Fatalf("equal texts have a diff")
			}
			continue
		}
		got, err := applyDiff(a, string(d))
		if err != nil || got != b {
			t.Fatalf("diff of %q and %q does not apply (%v):\n%s\ngot %q", a, b, err, d, got)
		}
	}
}

// applyDiff applies a unified diff made by unifiedDiff to a.
func applyDiff(a, diff string) (string, error) {
	lines := splitLines([]byte(a))
	dl := splitLines([]byte(diff))
	if len(dl) < 2 || !bytes.HasPrefix(dl[0], []byte("--- ")) || !bytes.HasPrefix(dl[1], []byte("+++ ")) {
		return "", fmt.Errorf("no header")
	}
	var out []byte
	next := 0        // index of the next line of a not yet copied
	lastOut := false // whether the last line of the diff was one of the result
	for _, l := range dl[2:] {
		s := string(l)
		switch {
		case strings.HasPrefix(s, "@@ "):
			var sa, na, sb, nb int
			if _, err := fmt.Sscanf(s, "@@ -%d,%d +%d,%d @@", &sa, &na, &sb, &nb); err != nil {
				return "", fmt.Errorf("hunk header %q: %v", s, err)
			}
			start := sa - 1
			if na == 0 {
				start = sa
			}
			if start < next || start > len(lines) {
				return "", fmt.Errorf("hunk at %d out of order", sa)
			}
			for ; next < start; next++ {
				out = append(out, lines[next]...)
			}
			lastOut = false
		case s == "\\ No newline at end of file\n":
			if lastOut {
				out = out[:len(out)-1]
			}
		case strings.HasPrefix(s, " ") || strings.HasPrefix(s, "-"):
			if next >= len(lines) {
				return "", fmt.Errorf("past the end")
			}
			want, body := lines[next], l[1:]
			if !bytes.HasSuffix(want, []byte("\n")) {
				body = bytes.TrimSuffix(body, []byte("\n"))
			}
			if !bytes.Equal(body, want) {
				return "", fmt.Errorf("line %d is %q, the diff says %q", next+1, want, body)
			}
			lastOut = s[0] == ' '
			if lastOut {
				out = append(out, l[1:]...)
			}
			next++
		case strings.HasPrefix(s, "+"):
			out = append(out, l[1:]...)
			lastOut = true
		default:
			return "", fmt.Errorf("bad line %q", s)
		}
	}
	for ; next < len(lines); next++ {
		out = append(out, lines[next]...)
	}
	return string(out), nil
}

func TestWriteFileAtomicKeepsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.tfxl")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if got := readFile(t, path); got != "new" {
		t.Errorf("content %q", got)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	if err := writeFileAtomic(filepath.Join(dir, "missing", "a.tfxl"), []byte("x")); err == nil {
		t.Errorf("writing into a missing folder succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}
