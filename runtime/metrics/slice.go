package metrics

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/tfxc/tfxc/internal/pyfmt"
	"github.com/tfxc/tfxc/runtime/batch"
)

// SliceValue is a feature value in a slice key: an integer, a float or a
// string (TFMA's int64_value, float_value and bytes_value, decoded as text).
type SliceValue struct {
	Kind  batch.Kind
	Int   int64
	Float float64
	Str   string
}

// IntValue, FloatValue and StringValue make slice values.
func IntValue(i int64) SliceValue { return SliceValue{Kind: batch.Int, Int: i} }

// FloatValue makes a float slice value.
func FloatValue(f float64) SliceValue { return SliceValue{Kind: batch.Float, Float: f} }

// StringValue makes a string slice value.
func StringValue(s string) SliceValue { return SliceValue{Kind: batch.Bytes, Str: s} }

// String renders the value as Python's str() does, which is how TFMA
// prints slice keys (stringify_slice_key): 5, 0.5, 5.0, f.
func (v SliceValue) String() string {
	switch v.Kind {
	case batch.Int:
		return strconv.FormatInt(v.Int, 10)
	case batch.Float:
		return pyfmt.Float(v.Float)
	}
	return v.Str
}

// MarshalJSON writes a number for an integer or a float (a float always
// with a '.' or an exponent, so that it reads back as a float) and a
// string for a string.
func (v SliceValue) MarshalJSON() ([]byte, error) {
	switch v.Kind {
	case batch.Int:
		return strconv.AppendInt(nil, v.Int, 10), nil
	case batch.Float:
		if math.IsNaN(v.Float) || math.IsInf(v.Float, 0) {
			return json.Marshal(Float(v.Float))
		}
		return []byte(pyfmt.Float(v.Float)), nil
	}
	return json.Marshal(v.Str)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (v *SliceValue) UnmarshalJSON(b []byte) error {
	var x any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&x); err != nil {
		return err
	}
	switch y := x.(type) {
	case string:
		*v = StringValue(y)
	case json.Number:
		if i, err := strconv.ParseInt(string(y), 10, 64); err == nil {
			*v = IntValue(i)
			return nil
		}
		f, err := strconv.ParseFloat(string(y), 64)
		if err != nil {
			return fmt.Errorf("slice value %s: %v", y, err)
		}
		*v = FloatValue(f)
	default:
		return fmt.Errorf("slice value %s is neither a number nor a string", b)
	}
	return nil
}

// compareValues orders numbers numerically before strings.
func compareValues(a, b SliceValue) int {
	an, bn := a.Kind != batch.Bytes, b.Kind != batch.Bytes
	switch {
	case an && !bn:
		return -1
	case !an && bn:
		return 1
	case !an:
		return strings.Compare(a.Str, b.Str)
	}
	if a.Kind == batch.Int && b.Kind == batch.Int {
		return cmp.Compare(a.Int, b.Int)
	}
	if c := cmp.Compare(a.number(), b.number()); c != 0 {
		return c
	}
	return cmp.Compare(a.Kind, b.Kind)
}

func (v SliceValue) number() float64 {
	if v.Kind == batch.Int {
		return float64(v.Int)
	}
	return v.Float
}

// SliceColumn is one (column, value) pair of a slice key.
type SliceColumn struct {
	Column string
	Value  SliceValue
}

// MarshalJSON writes the pair as [column, value], as the vectors do.
func (c SliceColumn) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{c.Column, c.Value})
}

// UnmarshalJSON reads [column, value].
func (c *SliceColumn) UnmarshalJSON(b []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf("slice column %s: want [column, value]", b)
	}
	if err := json.Unmarshal(pair[0], &c.Column); err != nil {
		return fmt.Errorf("slice column %s: %v", b, err)
	}
	return c.Value.UnmarshalJSON(pair[1])
}

// SliceKey identifies a slice: (column, value) pairs sorted by column. The
// overall slice is the empty key.
type SliceKey []SliceColumn

// String renders the key as TFMA's stringify_slice_key: "Overall", or the
// columns joined by "_X_", a colon, and the values joined by "_X_"
// (age_X_gender:5_X_f).
func (k SliceKey) String() string {
	if len(k) == 0 {
		return "Overall"
	}
	cols := make([]string, len(k))
	vals := make([]string, len(k))
	for i, c := range k {
		cols[i], vals[i] = c.Column, c.Value.String()
	}
	return strings.Join(cols, "_X_") + ":" + strings.Join(vals, "_X_")
}

// MarshalJSON writes [] for the overall slice (never null).
func (k SliceKey) MarshalJSON() ([]byte, error) {
	if k == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]SliceColumn(k))
}

// id is an unambiguous encoding of the key, for maps.
func (k SliceKey) id() string {
	var b []byte
	for _, c := range k {
		b = appendKeyColumn(b, c)
	}
	return string(b)
}

// CompareSliceKeys orders slice keys: the overall slice first, then column
// by column (names, then values, numbers before strings), a key before
// its extensions.
func CompareSliceKeys(a, b SliceKey) int {
	for i := range min(len(a), len(b)) {
		if c := strings.Compare(a[i].Column, b[i].Column); c != 0 {
			return c
		}
		if c := compareValues(a[i].Value, b[i].Value); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

// SliceSpec is a TFMA SlicingSpec: one slice per combination of the values
// of the FeatureKeys columns (a feature cross when there are several),
// restricted to the examples whose FeatureValues columns hold the given
// values. The empty spec is the overall slice.
type SliceSpec struct {
	FeatureKeys []string
	// FeatureValues are written as strings, as in the SlicingSpec proto;
	// a string that reads as an integer (no '.') or a float (with '.')
	// stands for that number (slicer_lib._to_type).
	FeatureValues map[string]string
}

// IsOverall reports whether the spec is the overall slice.
func (s SliceSpec) IsOverall() bool { return len(s.FeatureKeys) == 0 && len(s.FeatureValues) == 0 }

// slicer is a checked SliceSpec (slicer_lib.SingleSliceSpec).
type slicer struct {
	columns []string      // sorted, distinct
	matches []SliceColumn // sorted by column
}

func (s SliceSpec) compile() (*slicer, error) {
	sl := &slicer{}
	for _, c := range s.FeatureKeys {
		if !slices.Contains(sl.columns, c) {
			sl.columns = append(sl.columns, c)
		}
	}
	slices.Sort(sl.columns)
	for c, v := range s.FeatureValues {
		if slices.Contains(sl.columns, c) {
			// SingleSliceSpec.__init__ raises the same.
			return nil, fmt.Errorf("column %q is both in feature_keys and in feature_values", c)
		}
		sl.matches = append(sl.matches, SliceColumn{c, toType(v)})
	}
	slices.SortFunc(sl.matches, func(a, b SliceColumn) int { return strings.Compare(a.Column, b.Column) })
	return sl, nil
}

// toType is slicer_lib._to_type: a string with a '.' that parses as a
// float is that float; one without that parses as an integer is that
// integer; anything else stays a string.
func toType(v string) SliceValue {
	t := strings.TrimSpace(v)
	if strings.Contains(t, ".") {
		if f, err := strconv.ParseFloat(t, 64); err == nil && !strings.ContainsAny(t, "xXpP") {
			return FloatValue(f)
		}
		return StringValue(v)
	}
	if i, err := strconv.ParseInt(strings.TrimPrefix(t, "+"), 10, 64); err == nil {
		return IntValue(i)
	}
	return StringValue(v)
}

// rowValues returns the distinct values of a column in row r, sorted (the
// slice accessor's numpy.unique), and whether the row has the feature.
func rowValues(col *batch.Column, r int) ([]SliceValue, bool, error) {
	return rowValuesInto(nil, col, r)
}

// errNonUTF8 is the error of slicer_lib.generate_slices for a bytes value
// that is not UTF-8.
func errNonUTF8(s, column string) error {
	return fmt.Errorf("found non-UTF8 feature value %q in column %q", s, column)
}

func errKind(col *batch.Column) error {
	return fmt.Errorf("column %q has unknown kind %v", col.Name, col.Kind)
}

// matchesValue is the membership test of generate_slices: the spec value
// equals a feature value (numbers compare numerically), or a number's
// string form equals a string feature value.
func matchesValue(want SliceValue, have []SliceValue) bool {
	for _, h := range have {
		switch {
		case want.Kind == batch.Bytes || h.Kind == batch.Bytes:
			if want.Kind == h.Kind && want.Str == h.Str {
				return true
			}
			if want.Kind != batch.Bytes && h.Kind == batch.Bytes && want.String() == h.Str {
				return true
			}
		case want.Kind == batch.Int && h.Kind == batch.Int:
			if want.Int == h.Int {
				return true
			}
		default:
			if want.number() == h.number() {
				return true
			}
		}
	}
	return false
}

// keys appends the slice keys of row r (slicer_lib.generate_slices): none
// when a column is absent or a value does not match; else the Cartesian
// product of the columns' values, each key with the value matches, sorted
// by column. A matched column's key holds the spec's value.
func (sl *slicer) keys(dst []SliceKey, b *batch.Batch, r int) ([]SliceKey, error) {
	for _, m := range sl.matches {
		vals, ok, err := rowValues(column(b, m.Column), r)
		if err != nil {
			return dst, err
		}
		if !ok || !matchesValue(m.Value, vals) {
			return dst, nil
		}
	}
	parts := make([][]SliceValue, len(sl.columns))
	for i, c := range sl.columns {
		vals, ok, err := rowValues(column(b, c), r)
		if err != nil {
			return dst, err
		}
		if !ok || len(vals) == 0 {
			return dst, nil
		}
		parts[i] = vals
	}
	idx := make([]int, len(parts))
	for {
		key := make(SliceKey, 0, len(parts)+len(sl.matches))
		key = append(key, sl.matches...)
		for i, c := range sl.columns {
			key = append(key, SliceColumn{c, parts[i][idx[i]]})
		}
		slices.SortFunc(key, func(a, b SliceColumn) int { return strings.Compare(a.Column, b.Column) })
		dst = append(dst, key)
		// Next combination, last column fastest.
		i := len(idx) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(parts[i]) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return dst, nil
		}
	}
}

func column(b *batch.Batch, name string) *batch.Column {
	if b == nil {
		return nil
	}
	return b.Column(name)
}

// Applies reports whether a slice key is one the spec produces
// (SingleSliceSpec.is_slice_applicable): every pair is either one of the
// spec's value matches or a column of its feature keys, and all of them
// are used.
func (s SliceSpec) Applies(key SliceKey) bool {
	sl, err := s.compile()
	if err != nil {
		return false
	}
	cols := slices.Clone(sl.columns)
	matches := slices.Clone(sl.matches)
	for _, kc := range key {
		v := kc.Value
		if v.Kind == batch.Bytes {
			v = toType(v.Str)
		}
		if i := slices.IndexFunc(matches, func(m SliceColumn) bool {
			return m.Column == kc.Column && sameValue(m.Value, v)
		}); i >= 0 {
			matches = slices.Delete(matches, i, i+1)
			continue
		}
		if i := slices.Index(cols, kc.Column); i >= 0 {
			cols = slices.Delete(cols, i, i+1)
			continue
		}
		return false
	}
	return len(cols) == 0 && len(matches) == 0
}

// sameValue is Python equality of two slice values.
func sameValue(a, b SliceValue) bool {
	if a.Kind == batch.Bytes || b.Kind == batch.Bytes {
		return a.Kind == b.Kind && a.Str == b.Str
	}
	if a.Kind == batch.Int && b.Kind == batch.Int {
		return a.Int == b.Int
	}
	return a.number() == b.number()
}

// SliceKeys returns the distinct slice keys that row r of b belongs to
// under specs, in CompareSliceKeys order. b may be nil when every spec is
// the overall slice.
func SliceKeys(specs []SliceSpec, b *batch.Batch, r int) ([]SliceKey, error) {
	var keys []SliceKey
	for i, s := range specs {
		sl, err := s.compile()
		if err != nil {
			return nil, fmt.Errorf("slicing spec %d: %w", i, err)
		}
		if keys, err = sl.keys(keys, b, r); err != nil {
			return nil, fmt.Errorf("slicing spec %d: %w", i, err)
		}
	}
	return sortKeys(keys), nil
}

// sortKeys sorts keys and drops duplicates (an example counts once per
// slice: _FanoutSlicesDoFn takes the set of its slice keys).
func sortKeys(keys []SliceKey) []SliceKey {
	slices.SortFunc(keys, CompareSliceKeys)
	return slices.CompactFunc(keys, func(a, b SliceKey) bool { return a.id() == b.id() })
}
