package metrics

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Results are an evaluation's metrics, slice by slice.
type Results struct {
	Slices []SliceResult
}

// SliceResult is one slice's metrics, or the error that replaced them.
type SliceResult struct {
	Key SliceKey
	// ExampleCount is the number of examples in the slice.
	ExampleCount int64
	Metrics      []Value
	// Error is set when the slice has no metrics (fewer examples than the
	// minimum slice size).
	Error string
}

// Slice returns the result of a slice key.
func (r *Results) Slice(k SliceKey) (*SliceResult, bool) {
	id := k.id()
	for i := range r.Slices {
		if r.Slices[i].Key.id() == id {
			return &r.Slices[i], true
		}
	}
	return nil, false
}

// Value returns a metric of a slice.
func (s *SliceResult) Value(k MetricKey) (float64, bool) {
	for _, v := range s.Metrics {
		if v.Key == k {
			return v.Value, true
		}
	}
	return 0, false
}

// Record is one line of the results artifact: one metric of one slice, or
// a slice's error (Metric empty).
type Record struct {
	Slice SliceKey `json:"slice"`
	// SliceName is the key as TFMA prints it ("Overall", "company:Flash").
	SliceName string `json:"slice_name"`
	Metric    string `json:"metric,omitempty"`
	// Weighted tells an example-weighted metric.
	Weighted bool `json:"example_weighted,omitempty"`
	// Value is the metric; NaN and infinities are written as the strings
	// "NaN", "Infinity" and "-Infinity".
	Value Float `json:"value"`
	// ExampleCount is the slice's number of examples.
	ExampleCount int64  `json:"example_count"`
	Error        string `json:"error,omitempty"`
}

// Float is a float64 that survives JSON when it is not finite: NaN and
// the infinities travel as the strings "NaN", "Infinity" and "-Infinity".
type Float float64

// MarshalJSON writes finite values as numbers and the others as strings.
func (f Float) MarshalJSON() ([]byte, error) {
	x := float64(f)
	switch {
	case math.IsNaN(x):
		return []byte(`"NaN"`), nil
	case math.IsInf(x, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(x, -1):
		return []byte(`"-Infinity"`), nil
	}
	return strconv.AppendFloat(nil, x, 'g', -1, 64), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (f *Float) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		switch s {
		case "NaN":
			*f = Float(math.NaN())
		case "Infinity":
			*f = Float(math.Inf(1))
		case "-Infinity":
			*f = Float(math.Inf(-1))
		default:
			return fmt.Errorf("value %q is not a number", s)
		}
		return nil
	}
	var x float64
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	*f = Float(x)
	return nil
}

// Records flattens the results: slices in order, each slice's metrics in
// the order of the specs (or its one error record).
func (r *Results) Records() []Record {
	var out []Record
	for _, s := range r.Slices {
		base := Record{Slice: s.Key, SliceName: s.Key.String(), ExampleCount: s.ExampleCount}
		if base.Slice == nil {
			base.Slice = SliceKey{}
		}
		if s.Error != "" {
			rec := base
			rec.Error = s.Error
			out = append(out, rec)
			continue
		}
		for _, v := range s.Metrics {
			rec := base
			rec.Metric, rec.Weighted, rec.Value = v.Key.Name, v.Key.Weighted, Float(v.Value)
			out = append(out, rec)
		}
	}
	return out
}

// WriteJSON writes the records as JSON Lines: one object per (slice,
// metric), in the stable order of Records.
func (r *Results) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, rec := range r.Records() {
		if err := enc.Encode(rec); err != nil {
			return fmt.Errorf("metrics results: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("metrics results: %w", err)
	}
	return nil
}

// ReadJSON reads results written by WriteJSON (a baseline's, say).
func ReadJSON(rd io.Reader) (*Results, error) {
	res := &Results{}
	index := map[string]int{}
	sc := bufio.NewScanner(rd)
	sc.Buffer(nil, 1<<24)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var rec Record
		if err := json.Unmarshal([]byte(text), &rec); err != nil {
			return nil, fmt.Errorf("metrics results line %d: %w", line, err)
		}
		id := rec.Slice.id()
		i, ok := index[id]
		if !ok {
			i = len(res.Slices)
			index[id] = i
			key := rec.Slice
			if len(key) == 0 {
				key = nil
			}
			res.Slices = append(res.Slices, SliceResult{Key: key, ExampleCount: rec.ExampleCount})
		}
		s := &res.Slices[i]
		if rec.Error != "" {
			s.Error = rec.Error
			continue
		}
		if rec.Metric == "" {
			return nil, fmt.Errorf("metrics results line %d: a record without a metric or an error", line)
		}
		k := MetricKey{rec.Metric, rec.Weighted}
		if _, dup := s.Value(k); dup {
			return nil, fmt.Errorf("metrics results line %d: %s of slice %s twice", line, k, s.Key)
		}
		s.Metrics = append(s.Metrics, Value{Key: k, Value: float64(rec.Value)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("metrics results: %w", err)
	}
	slices.SortStableFunc(res.Slices, func(a, b SliceResult) int { return CompareSliceKeys(a.Key, b.Key) })
	return res, nil
}
