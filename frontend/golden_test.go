package frontend_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tfxc/tfxc/frontend"
	"github.com/tfxc/tfxc/lang"
)

// The golden cases: testdata/diagnostics/*.tfxl, each a minimal pipeline
// with the diagnostics it must produce written inline:
//
//	fare_xf = z_score(fare_str)   # want E0300 @19
//	# want E0110 @1:1 "no pipeline"
//	# want W0006 @bad_schema.pbtxt:3:5
//
// Files named ok_*.tfxl want nothing: they must check clean.
// "@C" is a column on the same line, "@L:C" a line and column of this file,
// "@FILE:L:C" a place in another file of the folder. An optional quoted
// regular expression must match the message. Every diagnostic must be
// wanted and every want must be met.

var wantRE = regexp.MustCompile(`#\s*want\s+([EW]\d{4})\s+@(?:([\w.\-]+):)?(\d+)(?::(\d+))?(?:\s+"((?:[^"\\]|\\.)*)")?`)

type want struct {
	code      lang.Code
	file      string
	line, col int
	msg       *regexp.Regexp
	src       string // where the want is written, for messages
}

func parseWants(t *testing.T, path string, src []byte) []want {
	t.Helper()
	var wants []want
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		for _, m := range wantRE.FindAllStringSubmatch(sc.Text(), -1) {
			w := want{code: lang.Code(m[1]), file: path, src: fmt.Sprintf("%s:%d", filepath.Base(path), n)}
			a, _ := strconv.Atoi(m[3])
			switch {
			case m[4] == "" && m[2] == "":
				w.line, w.col = n, a
			default:
				w.line = a
				w.col, _ = strconv.Atoi(m[4])
				if m[2] != "" {
					if _, err := strconv.Atoi(m[2]); err == nil { // "@L:C" matched as file "L"
						w.line, _ = strconv.Atoi(m[2])
						w.col = a
					} else {
						w.file = filepath.Join(filepath.Dir(path), m[2])
					}
				}
			}
			if m[5] != "" {
				w.msg = regexp.MustCompile(m[5])
			}
			wants = append(wants, w)
		}
	}
	return wants
}

func goldenFiles(t *testing.T) []string {
	files, err := filepath.Glob("testdata/diagnostics/*.tfxl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	return files
}

func TestGolden(t *testing.T) {
	for _, path := range goldenFiles(t) {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".tfxl"), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			wants := parseWants(t, path, src)
			clean := strings.HasPrefix(filepath.Base(path), "ok_")
			if clean != (len(wants) == 0) {
				t.Fatalf("%s: files named ok_* must check clean and want nothing; others want something", path)
			}
			_, diags := frontend.Check(path, src, frontend.Options{})
			met := make([]bool, len(wants))
		diag:
			for _, d := range diags {
				for i, w := range wants {
					if !met[i] && w.code == d.Code && w.file == d.Range.File && w.line == d.Range.Start.Line &&
						w.col == d.Range.Start.Col && (w.msg == nil || w.msg.MatchString(d.Message)) {
						met[i] = true
						if d.Hint == "" && d.Code != lang.ESyntax && d.Code != lang.EInvalidToken {
							t.Errorf("%s: %s has no hint", d.Range, d.Code)
						}
						continue diag
					}
				}
				t.Errorf("unexpected diagnostic %s (path %s)", d.Error(), d.Path)
			}
			for i, w := range wants {
				if !met[i] {
					t.Errorf("%s: want %s at %s:%d:%d, not reported", w.src, w.code, filepath.Base(w.file), w.line, w.col)
				}
			}
		})
	}
}

// TestEveryCodeHasGolden fails when a code has no golden case in which it
// is wanted, or a golden file names a code that does not exist.
func TestEveryCodeHasGolden(t *testing.T) {
	wanted := map[lang.Code]bool{}
	for _, path := range goldenFiles(t) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range parseWants(t, path, src) {
			if _, ok := lang.LookupCode(string(w.code)); !ok {
				t.Errorf("%s wants %s, which is not a code", w.src, w.code)
			}
			wanted[w.code] = true
		}
	}
	for _, info := range lang.Codes() {
		if !wanted[info.Code] {
			t.Errorf("%s (%s) has no golden case in testdata/diagnostics", info.Code, info.Name)
		}
	}
}
