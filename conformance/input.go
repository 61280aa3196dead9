package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/tfxc/tfxc/runtime/analyze"
)

// feature is one decoded input feature of an analyzer case: its values, row
// by row, in a common representation.
type feature struct {
	Name  string
	Kind  string // fixed, varlen, sparse, ragged
	DType analyze.DType
	// Shape is the element shape (a fixed feature's shape, a sparse
	// feature's dense shape); nil for varlen and ragged features.
	Shape []int
	Rows  []featureRow
}

// featureRow holds one row's values: F for floats, I for integers, S for
// strings, and Pos the flat element position of each value (row-major in
// Shape; for fixed features Pos is nil and positions are 0..n−1).
type featureRow struct {
	F   []float64
	I   []int64
	S   []string
	Pos []int
}

func (r featureRow) len() int { return max(len(r.F), len(r.I), len(r.S)) }

// position returns the flat position of value i.
func (r featureRow) position(i int) int {
	if r.Pos == nil {
		return i
	}
	return r.Pos[i]
}

// floats returns a numeric row's values as float64.
func (r featureRow) floats() []float64 {
	if r.F != nil {
		return r.F
	}
	out := make([]float64, len(r.I))
	for i, x := range r.I {
		out[i] = float64(x)
	}
	return out
}

// analysisRows returns the rows an analyzer sees: `analyze_rows` when the
// case separates analysis from transformation, else `rows`, else `columns`
// turned into rows, else `values` (one row per value).
func analysisRows(c *Case) ([]map[string]any, error) {
	for _, key := range []string{"analyze_rows", "rows"} {
		if v, ok := c.Input[key]; ok {
			return asRows(key, v)
		}
	}
	if v, ok := c.Input["columns"]; ok {
		cols, ok := v.(map[string]any)
		if !ok {
			return nil, errors.New("input.columns must be an object")
		}
		n := -1
		for name, col := range cols {
			l, ok := col.([]any)
			if !ok {
				return nil, fmt.Errorf("input.columns.%s must be a list", name)
			}
			if n >= 0 && len(l) != n {
				return nil, errors.New("input.columns have different lengths")
			}
			n = len(l)
		}
		rows := make([]map[string]any, max(n, 0))
		for i := range rows {
			rows[i] = map[string]any{}
			for name, col := range cols {
				rows[i][name] = col.([]any)[i]
			}
		}
		return rows, nil
	}
	if v, ok := c.Input["values"]; ok {
		l, ok := v.([]any)
		if !ok {
			return nil, errors.New("input.values must be a list")
		}
		name := paramString(c, "input", "x")
		rows := make([]map[string]any, len(l))
		for i, x := range l {
			rows[i] = map[string]any{name: x}
		}
		return rows, nil
	}
	return nil, errors.New("input has none of analyze_rows, rows, columns, values")
}

func asRows(key string, v any) ([]map[string]any, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("input.%s must be a list", key)
	}
	rows := make([]map[string]any, len(l))
	for i, r := range l {
		m, ok := r.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("input.%s[%d] must be an object", key, i)
		}
		rows[i] = m
	}
	return rows, nil
}

// featureName picks the analyzed feature: params.input, else the only
// feature of the spec or of the rows.
func featureName(c *Case, rows []map[string]any) (string, error) {
	if s := paramString(c, "input", ""); s != "" {
		return s, nil
	}
	if spec, ok := c.Input["feature_spec"].(map[string]any); ok && len(spec) == 1 {
		for k := range spec {
			return k, nil
		}
	}
	names := map[string]bool{}
	if cols, ok := c.Input["columns"].(map[string]any); ok {
		for k := range cols {
			names[k] = true
		}
	}
	for _, r := range rows {
		for k := range r {
			names[k] = true
		}
	}
	if len(names) == 1 {
		for k := range names {
			return k, nil
		}
	}
	return "", errors.New("cannot tell which feature is analyzed (no params.input)")
}

// loadFeature decodes feature `name` from the rows, using its feature_spec
// entry when there is one and inferring fixed/varlen and the dtype
// otherwise.
func loadFeature(c *Case, rows []map[string]any, name string) (*feature, error) {
	f := &feature{Name: name}
	var spec map[string]any
	if specs, ok := c.Input["feature_spec"].(map[string]any); ok {
		spec, _ = specs[name].(map[string]any)
	}
	if spec == nil {
		return inferFeature(f, rows)
	}
	f.Kind, _ = spec["kind"].(string)
	dt, _ := spec["dtype"].(string)
	var err error
	if f.DType, err = analyze.ParseDType(dt); err != nil {
		return nil, fmt.Errorf("feature %s: %v", name, err)
	}
	switch f.Kind {
	case "fixed":
		if f.Shape, err = intList(spec["shape"]); err != nil {
			return nil, fmt.Errorf("feature %s: shape: %v", name, err)
		}
		if err := checkShape(f.Shape); err != nil {
			return nil, fmt.Errorf("feature %s: %v", name, err)
		}
		for i, r := range rows {
			v, ok := r[name]
			if !ok {
				v, ok = spec["default_value"]
				if !ok {
					return nil, fmt.Errorf("row %d: fixed feature %s is missing", i, name)
				}
			}
			row, err := decodeValues(flatten(v), f.DType)
			if err != nil {
				return nil, fmt.Errorf("row %d: %s: %v", i, name, err)
			}
			if want := product(f.Shape); row.len() != want {
				return nil, fmt.Errorf("row %d: %s has %d values, shape %v wants %d", i, name, row.len(), f.Shape, want)
			}
			f.Rows = append(f.Rows, row)
		}
	case "varlen", "ragged":
		key := name
		if vk, ok := spec["value_key"].(string); ok && vk != "" {
			key = vk
		}
		for i, r := range rows {
			row, err := decodeValues(flatten(r[key]), f.DType)
			if err != nil {
				return nil, fmt.Errorf("row %d: %s: %v", i, name, err)
			}
			f.Rows = append(f.Rows, row)
		}
	case "sparse":
		if err := loadSparse(f, spec, rows); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("feature %s: unknown kind %q", name, f.Kind)
	}
	return f, nil
}

func loadSparse(f *feature, spec map[string]any, rows []map[string]any) error {
	var indexKeys []string
	switch k := spec["index_key"].(type) {
	case string:
		indexKeys = []string{k}
	case []any:
		for _, x := range k {
			s, ok := x.(string)
			if !ok {
				return fmt.Errorf("feature %s: index_key must hold strings", f.Name)
			}
			indexKeys = append(indexKeys, s)
		}
	}
	if ks, ok := spec["index_keys"].([]any); ok && indexKeys == nil {
		for _, x := range ks {
			s, _ := x.(string)
			indexKeys = append(indexKeys, s)
		}
	}
	valueKey, _ := spec["value_key"].(string)
	if len(indexKeys) == 0 || valueKey == "" {
		return fmt.Errorf("feature %s: sparse spec needs index_key and value_key", f.Name)
	}
	size := spec["size"]
	if size == nil {
		size = spec["shape"]
	}
	var err error
	if f.Shape, err = intList(size); err != nil {
		return fmt.Errorf("feature %s: size: %v", f.Name, err)
	}
	if err := checkShape(f.Shape); err != nil {
		return fmt.Errorf("feature %s: %v", f.Name, err)
	}
	if len(f.Shape) != len(indexKeys) {
		return fmt.Errorf("feature %s: %d index keys for a %d-d size", f.Name, len(indexKeys), len(f.Shape))
	}
	for i, r := range rows {
		row, err := decodeValues(flatten(r[valueKey]), f.DType)
		if err != nil {
			return fmt.Errorf("row %d: %s: %v", i, f.Name, err)
		}
		n := row.len()
		row.Pos = make([]int, n)
		for d, key := range indexKeys {
			idx, err := intList(r[key])
			if err != nil || len(idx) != n {
				return fmt.Errorf("row %d: %s: index %s must hold %d integers", i, f.Name, key, n)
			}
			for j, x := range idx {
				if x < 0 || x >= f.Shape[d] {
					return fmt.Errorf("row %d: %s: index %d out of range [0, %d)", i, f.Name, x, f.Shape[d])
				}
				row.Pos[j] = row.Pos[j]*f.Shape[d] + x
			}
		}
		f.Rows = append(f.Rows, row)
	}
	return nil
}

// inferFeature decodes a feature without a spec: strings if every value is
// a string (special floats aside), integers if every number is integral,
// floats otherwise; fixed-shape if every row has the same nesting and size.
func inferFeature(f *feature, rows []map[string]any) (*feature, error) {
	f.DType = analyze.Int64
	sawString, sawFloat := false, false
	var shape []int
	fixed := true
	for i, r := range rows {
		v := r[f.Name]
		s := shapeOf(v)
		if i == 0 {
			shape = s
		} else if !slices.Equal(s, shape) {
			fixed = false
		}
		for _, x := range flatten(v) {
			switch y := x.(type) {
			case string:
				if _, ok := specialFloat(y); ok {
					sawFloat = true
				} else {
					sawString = true
				}
			case json.Number:
				if _, err := strconv.ParseInt(string(y), 10, 64); err != nil {
					sawFloat = true
				}
			}
		}
	}
	switch {
	case sawString:
		f.DType = analyze.String
	case sawFloat:
		f.DType = analyze.Float64
	}
	f.Kind = "varlen"
	if fixed {
		f.Kind, f.Shape = "fixed", shape
	}
	for i, r := range rows {
		row, err := decodeValues(flatten(r[f.Name]), f.DType)
		if err != nil {
			return nil, fmt.Errorf("row %d: %s: %v", i, f.Name, err)
		}
		f.Rows = append(f.Rows, row)
	}
	return f, nil
}

// shapeOf returns the nested-list shape of a JSON value (nil for a scalar);
// a ragged nesting gives a shape with −1.
func shapeOf(v any) []int {
	l, ok := v.([]any)
	if !ok {
		return nil
	}
	if len(l) == 0 {
		return []int{0}
	}
	inner := shapeOf(l[0])
	for _, x := range l[1:] {
		if !slices.Equal(shapeOf(x), inner) {
			return []int{-1}
		}
	}
	return append([]int{len(l)}, inner...)
}

func product(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// maxElements bounds shapes and sizes read from a case, so that a corrupt
// case fails instead of exhausting memory.
const maxElements = 1 << 22

// checkShape rejects negative dimensions and shapes over maxElements.
func checkShape(shape []int) error {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return fmt.Errorf("negative dimension in shape %v", shape)
		}
		if d > 0 && n > maxElements/d {
			return fmt.Errorf("shape %v has more than %d elements", shape, maxElements)
		}
		n *= d
	}
	return nil
}

// checkSize rejects a count read from a case that is out of [lo, maxElements].
func checkSize(what string, n int64, lo int64) error {
	if n < lo || n > maxElements {
		return fmt.Errorf("%s must be in [%d, %d], got %d", what, lo, maxElements, n)
	}
	return nil
}

// flatten returns the leaves of a nested JSON list in row-major order (a
// scalar is one leaf, null none).
func flatten(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		var out []any
		for _, e := range x {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []any{v}
}

// decodeValues converts JSON leaves to a row of the given dtype.
func decodeValues(leaves []any, dt analyze.DType) (featureRow, error) {
	var r featureRow
	switch {
	case dt == analyze.String:
		r.S = make([]string, len(leaves))
		for i, v := range leaves {
			s, ok := v.(string)
			if !ok {
				return r, fmt.Errorf("value %v is not a string", v)
			}
			r.S[i] = s
		}
	case dt.IsInteger():
		r.I = make([]int64, len(leaves))
		for i, v := range leaves {
			x, err := toInt(v)
			if err != nil {
				return r, err
			}
			r.I[i] = dt.WrapInt(x)
		}
	case dt.IsFloat():
		r.F = make([]float64, len(leaves))
		for i, v := range leaves {
			x, err := toFloat(v)
			if err != nil {
				return r, err
			}
			r.F[i] = dt.RoundFloat(x)
		}
	default:
		return r, fmt.Errorf("unsupported dtype %v", dt)
	}
	return r, nil
}

// castFeature converts a numeric feature to another dtype as tf.cast does:
// integers wrap, floats round to the target precision, floats to integers
// truncate toward zero.
func castFeature(f *feature, to analyze.DType) error {
	if f.DType == to {
		return nil
	}
	if !f.DType.IsNumeric() || !to.IsNumeric() {
		return fmt.Errorf("cannot cast %v to %v", f.DType, to)
	}
	for i, r := range f.Rows {
		var n featureRow
		n.Pos = r.Pos
		vals := r.floats()
		if to.IsInteger() {
			n.I = make([]int64, len(vals))
			for j := range vals {
				if r.I != nil {
					n.I[j] = to.WrapInt(r.I[j])
				} else if math.IsNaN(vals[j]) || math.IsInf(vals[j], 0) {
					n.I[j] = to.MinInt()
				} else {
					n.I[j] = to.WrapInt(int64(vals[j]))
				}
			}
		} else {
			n.F = make([]float64, len(vals))
			for j, x := range vals {
				n.F[j] = to.RoundFloat(x)
			}
		}
		f.Rows[i] = n
	}
	f.DType = to
	return nil
}

// intList decodes an int or a list of ints.
func intList(v any) ([]int, error) {
	if v == nil {
		return nil, errors.New("missing")
	}
	var out []int
	for _, x := range flatten(v) {
		i, err := toInt(x)
		if err != nil {
			return nil, err
		}
		out = append(out, int(i))
	}
	if out == nil {
		out = []int{}
	}
	return out, nil
}

// Parameter helpers. Missing or null parameters give the default.

func paramString(c *Case, key, def string) string {
	if s, ok := c.Params[key].(string); ok {
		return s
	}
	return def
}

func paramBool(c *Case, key string, def bool) (bool, error) {
	switch v := c.Params[key].(type) {
	case nil:
		return def, nil
	case bool:
		return v, nil
	}
	return def, fmt.Errorf("params.%s must be a boolean", key)
}

// paramInt accepts a number or a numeric string (TFT calls int() on top_k).
func paramInt(c *Case, key string) (int64, bool, error) {
	v, ok := c.Params[key]
	if !ok || v == nil {
		return 0, false, nil
	}
	if s, isStr := v.(string); isStr {
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, true, fmt.Errorf("invalid literal for int() with base 10: %q", s)
		}
		return i, true, nil
	}
	if n, isNum := v.(json.Number); isNum {
		// int() truncates a float.
		if f, err := strconv.ParseFloat(string(n), 64); err == nil {
			return int64(f), true, nil
		}
	}
	i, err := toInt(v)
	return i, true, err
}

// paramFloat accepts a number or a numeric string (TFT calls float()).
func paramFloat(c *Case, key string) (float64, bool, error) {
	v, ok := c.Params[key]
	if !ok || v == nil {
		return 0, false, nil
	}
	if s, isStr := v.(string); isStr {
		if f, ok := specialFloat(s); ok {
			return f, true, nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, true, fmt.Errorf("could not convert string to float: %q", s)
		}
		return f, true, nil
	}
	f, err := toFloat(v)
	return f, true, err
}

// paramStrings decodes a list of strings.
func paramStrings(c *Case, key string) ([]string, bool, error) {
	v, ok := c.Params[key]
	if !ok || v == nil {
		return nil, false, nil
	}
	l, isList := v.([]any)
	if !isList {
		return nil, true, fmt.Errorf("params.%s must be a list of strings", key)
	}
	out := make([]string, len(l))
	for i, x := range l {
		s, ok := x.(string)
		if !ok {
			return nil, true, fmt.Errorf("params.%s must be a list of strings", key)
		}
		out[i] = s
	}
	return out, true, nil
}

// tensorValue turns an analyzer tensor into nested lists (a scalar for shape
// []), with float64 or int64 leaves.
func tensorValue(t *analyze.Tensor) any {
	leaf := func(i int) any {
		switch {
		case t.DType.IsFloat():
			return t.F[i]
		case t.DType.IsInteger():
			return t.I[i]
		}
		return t.S[i]
	}
	var build func(dim, offset int) any
	build = func(dim, offset int) any {
		if dim == len(t.Shape) {
			return leaf(offset)
		}
		stride := product(t.Shape[dim+1:])
		out := make([]any, t.Shape[dim])
		for i := range out {
			out[i] = build(dim+1, offset+i*stride)
		}
		return out
	}
	return build(0, 0)
}

// matrixValue turns a matrix into nested lists.
func matrixValue(m [][]float64, dt analyze.DType) any {
	out := make([]any, len(m))
	for i, r := range m {
		row := make([]any, len(r))
		for j, x := range r {
			row[j] = dt.RoundFloat(x)
		}
		out[i] = row
	}
	return out
}

// chunks splits n rows into consecutive batches of at most size rows, so
// that runners exercise Merge as Beam bundles would.
func chunks(n, size int) [][2]int {
	var out [][2]int
	for lo := 0; lo < n; lo += size {
		out = append(out, [2]int{lo, min(lo+size, n)})
	}
	return out
}

// concatFeatures loads several features of the same dtype and concatenates
// their values row by row (a varlen result).
func concatFeatures(c *Case, rows []map[string]any, names []string) (*feature, error) {
	var out *feature
	for _, name := range names {
		f, err := loadFeature(c, rows, name)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = &feature{Name: name, Kind: "varlen", DType: f.DType, Rows: make([]featureRow, len(f.Rows))}
		}
		if f.DType != out.DType {
			return nil, fmt.Errorf("cannot concatenate %v feature %s with %v", f.DType, name, out.DType)
		}
		for i, r := range f.Rows {
			o := &out.Rows[i]
			o.F = append(o.F, r.F...)
			o.I = append(o.I, r.I...)
			o.S = append(o.S, r.S...)
		}
	}
	return out, nil
}

// tokenizeFeature splits each string value into tokens, as the cases'
// params.tokenize describes: whitespace splitting (tf.strings.split with
// no separator: runs of whitespace separate, no empty tokens), splitting
// on one separator ("split on ' '": empty tokens kept), or characters.
func tokenizeFeature(f *feature, how string) error {
	if f.DType != analyze.String {
		return fmt.Errorf("cannot tokenize a %v feature", f.DType)
	}
	var split func(string) []string
	switch {
	case strings.Contains(how, "character"):
		split = func(s string) []string {
			var out []string
			for _, r := range s {
				out = append(out, string(r))
			}
			return out
		}
	case strings.Contains(how, "whitespace"):
		split = strings.Fields
	default:
		sep := " "
		if i := strings.IndexAny(how, "'\""); i >= 0 {
			if j := strings.IndexByte(how[i+1:], how[i]); j >= 0 {
				sep = how[i+1 : i+1+j]
			}
		}
		split = func(s string) []string { return strings.Split(s, sep) }
	}
	f.Kind, f.Shape = "varlen", nil
	for i, r := range f.Rows {
		var toks []string
		for _, s := range r.S {
			toks = append(toks, split(s)...)
		}
		f.Rows[i] = featureRow{S: toks}
	}
	return nil
}
