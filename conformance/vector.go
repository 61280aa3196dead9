// Package conformance runs the upstream test vectors
// (shared/conformance/public.jsonl, format in SEMANTICS.md section 0)
// through tfxc's runtime and compares the results with the expected values.
// Each case is dispatched by (family, op) to a runner registered in the
// table in registry.go; TestVectors drives the whole file.
package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Case is one test vector: one line of the vectors file.
type Case struct {
	// Line is the 1-based line number in the vectors file.
	Line   int
	ID     string
	Family string
	Op     string
	// Params, Input and Expected are the decoded JSON objects. Numbers are
	// json.Number, so that int64 values survive; special floats are the
	// strings "NaN", "Infinity" and "-Infinity".
	Params    map[string]any
	Input     map[string]any
	Expected  map[string]any
	Tolerance Tolerance
	Notes     string
}

// Tolerance is how numbers are compared (SEMANTICS section 0).
type Tolerance struct {
	// Exact requires equality (ints and strings always compare exactly).
	Exact bool
	// Abs and Rel: pass if |got−exp| <= Abs + Rel·|exp| (HasAbsRel set).
	Abs, Rel  float64
	HasAbsRel bool
	// NaNEqual: exact, with NaN equal to NaN (NaN always equals NaN here,
	// as numpy's assertion helpers treat it).
	NaNEqual bool
}

// String describes the tolerance for failure messages.
func (t Tolerance) String() string {
	switch {
	case t.HasAbsRel:
		return fmt.Sprintf("abs %g + rel %g", t.Abs, t.Rel)
	case t.NaNEqual:
		return "exact, NaN equal"
	}
	return "exact"
}

// DecodeCase decodes one line of the vectors file.
func DecodeCase(line []byte, lineNo int) (*Case, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON object")
	}
	if raw == nil {
		return nil, errors.New("not a JSON object")
	}
	c := &Case{Line: lineNo}
	var err error
	str := func(key string, required bool) string {
		v, ok := raw[key]
		if !ok || v == nil {
			if required && err == nil {
				err = fmt.Errorf("missing %q", key)
			}
			return ""
		}
		s, isStr := v.(string)
		if (!isStr || s == "") && err == nil {
			err = fmt.Errorf("%q must be a non-empty string", key)
		}
		return s
	}
	obj := func(key string) map[string]any {
		v, ok := raw[key]
		if !ok || v == nil {
			return map[string]any{}
		}
		m, isObj := v.(map[string]any)
		if !isObj && err == nil {
			err = fmt.Errorf("%q must be an object", key)
		}
		return m
	}
	c.ID = str("id", true)
	c.Family = str("family", true)
	c.Op = str("op", true)
	c.Params = obj("params")
	c.Input = obj("input")
	c.Expected = obj("expected")
	tol := obj("tolerance")
	if n, ok := raw["notes"].(string); ok {
		c.Notes = n
	}
	if err != nil {
		return c, err
	}
	if _, ok := raw["expected"]; !ok {
		return c, errors.New(`missing "expected"`)
	}
	c.Tolerance, err = decodeTolerance(tol)
	return c, err
}

func decodeTolerance(m map[string]any) (Tolerance, error) {
	var t Tolerance
	if len(m) == 0 {
		t.Exact = true
		return t, nil
	}
	if b, ok := m["exact"].(bool); ok && b {
		t.Exact = true
	}
	if b, ok := m["nan_equal"].(bool); ok && b {
		t.NaNEqual = true
	}
	for _, k := range []string{"abs", "rel"} {
		v, ok := m[k]
		if !ok {
			continue
		}
		f, err := toFloat(v)
		if err != nil || f < 0 || math.IsNaN(f) {
			return t, fmt.Errorf("tolerance %q must be a non-negative number", k)
		}
		if k == "abs" {
			t.Abs = f
		} else {
			t.Rel = f
		}
		t.HasAbsRel = true
	}
	if !t.Exact && !t.NaNEqual && !t.HasAbsRel {
		return t, errors.New("tolerance has none of exact, abs/rel, nan_equal")
	}
	return t, nil
}

// toFloat converts a decoded JSON number, or one of the special-float
// strings, to a float64.
func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case json.Number:
		return strconv.ParseFloat(string(x), 64)
	case float64:
		return x, nil
	case int64:
		return float64(x), nil
	case int:
		return float64(x), nil
	case string:
		if f, ok := specialFloat(x); ok {
			return f, nil
		}
		return 0, fmt.Errorf("not a number: %q", x)
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("not a number: %v", v)
}

// specialFloat decodes the JSON strings that stand for non-finite floats.
func specialFloat(s string) (float64, bool) {
	switch s {
	case "NaN", "nan":
		return math.NaN(), true
	case "Infinity", "inf", "+Infinity":
		return math.Inf(1), true
	case "-Infinity", "-inf":
		return math.Inf(-1), true
	}
	return 0, false
}

// toInt converts a decoded JSON number that must be integral.
func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i, nil
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<63 {
			return 0, fmt.Errorf("not an integer: %s", x)
		}
		return int64(f), nil
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case float64:
		if x != math.Trunc(x) {
			return 0, fmt.Errorf("not an integer: %v", x)
		}
		return int64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("not an integer: %v", v)
}
