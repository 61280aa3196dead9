package conformance

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/tfxc/tfxc/runtime/analyze"
)

// Computed values are plain Go values: float64 (a float result), int64 (an
// integer result), string, bool, []any (a list or tensor row), map[string]any
// and vocabFile. compareValue checks one against its expected JSON value.

// vocabFile is a computed vocabulary, compared with an expected `vocab_file`
// (a list of tokens, or of [token, count] pairs when store_frequency, or of
// the file's "<count> <token>" lines).
type vocabFile struct {
	Entries []analyze.VocabEntry
	// Lines are the file's lines with frequencies ("<count> <token>").
	Lines []string
}

// vocabFrequencyTolerance is how closely stored frequencies must match: the
// upstream check (TFT test_case.AssertVocabularyContents) is
// numpy.testing.assert_almost_equal(decimal=6), i.e. |got−exp| < 1.5e-6,
// since weighted frequencies are float32 sums.
const vocabFrequencyTolerance = 1.5e-6

func compareValue(path string, exp, got any, tol Tolerance) error {
	if vf, ok := got.(vocabFile); ok {
		return compareVocab(path, exp, vf, tol)
	}
	switch e := exp.(type) {
	case nil:
		if got != nil {
			return fmt.Errorf("%s: got %s, want null", path, show(got))
		}
		return nil
	case bool:
		if g, ok := got.(bool); !ok || g != e {
			return fmt.Errorf("%s: got %s, want %v", path, show(got), e)
		}
		return nil
	case json.Number:
		return compareNumber(path, e, got, tol)
	case string:
		if _, special := specialFloat(e); special {
			if _, isStr := got.(string); !isStr {
				return compareNumber(path, e, got, tol)
			}
		}
		g, ok := got.(string)
		if !ok {
			return fmt.Errorf("%s: got %s, want %q", path, show(got), e)
		}
		if g != e && !sameDType(g, e) {
			return fmt.Errorf("%s: got %q, want %q", path, g, e)
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Errorf("%s: got %s, want a list of %d", path, show(got), len(e))
		}
		if len(g) != len(e) {
			return fmt.Errorf("%s: got %d values %s, want %d %s", path, len(g), show(g), len(e), show(e))
		}
		for i := range e {
			if err := compareValue(fmt.Sprintf("%s[%d]", path, i), e[i], g[i], tol); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: got %s, want an object", path, show(got))
		}
		for _, k := range sortedKeys(e) {
			gv, ok := g[k]
			if !ok {
				return fmt.Errorf("%s.%s: not computed", path, k)
			}
			if err := compareValue(path+"."+k, e[k], gv, tol); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("%s: cannot compare expected value of type %T", path, exp)
}

// sameDType accepts two spellings of one dtype ("float32", "tf.float32").
func sameDType(a, b string) bool {
	da, errA := analyze.ParseDType(a)
	db, errB := analyze.ParseDType(b)
	return errA == nil && errB == nil && da == db
}

func compareNumber(path string, exp any, got any, tol Tolerance) error {
	want, err := toFloat(exp)
	if err != nil {
		return fmt.Errorf("%s: bad expected number: %v", path, err)
	}
	switch g := got.(type) {
	case int64:
		// An integer result equal to an integer expectation passes in every
		// mode; otherwise an exact tolerance fails it, while abs/rel applies
		// to integers too, as numpy's allclose in the upstream tests does
		// (e.g. an integer max of a missing position is dtype.min+1 where the
		// tests write dtype.min).
		if n, ok := exp.(json.Number); ok {
			if wi, err := toInt(n); err == nil && !strings.ContainsAny(string(n), ".eE") {
				if g == wi {
					return nil
				}
				if !tol.HasAbsRel {
					return fmt.Errorf("%s: got %d, want %d", path, g, wi)
				}
			}
		}
		return compareFloat(path, want, float64(g), tol)
	case float64:
		return compareFloat(path, want, g, tol)
	}
	return fmt.Errorf("%s: got %s, want %v", path, show(got), exp)
}

func compareFloat(path string, want, got float64, tol Tolerance) error {
	switch {
	case math.IsNaN(want) || math.IsNaN(got):
		if math.IsNaN(want) && math.IsNaN(got) {
			return nil
		}
	case math.IsInf(want, 0) || math.IsInf(got, 0):
		if want == got {
			return nil
		}
	case tol.HasAbsRel:
		if math.Abs(got-want) <= tol.Abs+tol.Rel*math.Abs(want) {
			return nil
		}
	default:
		// Exact: equal, or equal once the expected decimal is read as the
		// float32 the result was computed in.
		if got == want || float64(float32(want)) == got {
			return nil
		}
	}
	return fmt.Errorf("%s: got %v, want %v (%s)", path, got, want, tol)
}

func compareVocab(path string, exp any, vf vocabFile, tol Tolerance) error {
	got := vf.Entries
	e, ok := exp.([]any)
	if !ok {
		return fmt.Errorf("%s: expected a list of vocabulary lines", path)
	}
	if len(e) != len(got) {
		return fmt.Errorf("%s: got %d entries %s, want %d %s", path, len(got), showVocab(vf), len(e), show(e))
	}
	for i, line := range e {
		p := fmt.Sprintf("%s[%d]", path, i)
		switch l := line.(type) {
		case string:
			if got[i].Token != l && (i >= len(vf.Lines) || vf.Lines[i] != l) {
				return fmt.Errorf("%s: got %q, want %q (file %s)", p, got[i].Token, l, showVocab(vf))
			}
		case []any:
			if len(l) != 2 {
				return fmt.Errorf("%s: expected [token, count]", p)
			}
			tok, _ := l[0].(string)
			if got[i].Token != tok {
				return fmt.Errorf("%s: got %q, want %q (file %s)", p, got[i].Token, tok, showVocab(vf))
			}
			want, err := toFloat(l[1])
			if err != nil {
				return fmt.Errorf("%s: bad expected count: %v", p, err)
			}
			ok := got[i].Count == want
			if tol.HasAbsRel {
				ok = ok || math.Abs(got[i].Count-want) <= tol.Abs+tol.Rel*math.Abs(want)
			}
			ok = ok || math.Abs(got[i].Count-want) < vocabFrequencyTolerance
			if !ok {
				return fmt.Errorf("%s: %q has count %v, want %v", p, tok, got[i].Count, want)
			}
		default:
			return fmt.Errorf("%s: expected a token or [token, count]", p)
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// show renders a value compactly for failure messages.
func show(v any) string {
	if vf, ok := v.(vocabFile); ok {
		return showVocab(vf)
	}
	b, err := json.Marshal(sanitize(v))
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	s := string(b)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func sanitize(v any) any {
	switch x := v.(type) {
	case float64:
		switch {
		case math.IsNaN(x):
			return "NaN"
		case math.IsInf(x, 1):
			return "Infinity"
		case math.IsInf(x, -1):
			return "-Infinity"
		}
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = sanitize(x[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = sanitize(e)
		}
		return out
	}
	return v
}

func showVocab(v vocabFile) string {
	parts := make([]string, len(v.Entries))
	for i, e := range v.Entries {
		parts[i] = fmt.Sprintf("%q:%v", e.Token, e.Count)
	}
	s := "[" + strings.Join(parts, " ") + "]"
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// checkError compares a runner's error with an expected failure
// (`expected.error`, optionally `expected.message_regex`).
func checkError(c *Case, err error) Outcome {
	want, wantsErr := c.Expected["error"]
	if !wantsErr || want == nil || want == false {
		return Failed("%v", err)
	}
	if re, ok := c.Expected["message_regex"].(string); ok && re != "" {
		if rx, cerr := regexp.Compile(re); cerr == nil && !rx.MatchString(err.Error()) {
			return Failed("error %q does not match %q", err.Error(), re)
		}
	}
	return Passed()
}
