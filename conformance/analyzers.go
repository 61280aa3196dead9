package conformance

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tfxc/tfxc/runtime/analyze"
)

// The runners of TFT analyzer cases: decode the analysis rows, feed them to
// runtime/analyze accumulators in small batches (each batch its own
// accumulator, merged as Beam would), and compare the results with
// `expected`.

// unsupportedError marks a case that uses a feature the runtime does not
// implement: the case is skipped, not failed.
type unsupportedError struct{ reason string }

// Error returns the reason the case is skipped.
func (e unsupportedError) Error() string { return e.reason }

func unsupported(format string, args ...any) error {
	return unsupportedError{fmt.Sprintf(format, args...)}
}

// batchRows is how many rows each accumulator receives before it is merged.
const batchRows = 2

// analyzer adapts a function computing an analyzer's results to a Runner.
func analyzer(compute func(c *Case) (map[string]any, error)) Runner {
	return func(c *Case) Outcome {
		got, err := compute(c)
		if err != nil {
			var u unsupportedError
			if errors.As(err, &u) {
				return Skipped("%s", u.reason)
			}
			return checkError(c, err)
		}
		if e, ok := c.Expected["error"]; ok && e != nil && e != false {
			return Failed("expected an error (%v), got none", e)
		}
		return compareExpected(c, got)
	}
}

// compareExpected checks every key of `expected` against the computed
// values.
func compareExpected(c *Case, got map[string]any) Outcome {
	if len(c.Expected) == 0 {
		return Failed("the case expects nothing")
	}
	for _, k := range sortedKeys(c.Expected) {
		gv, ok := got[k]
		if !ok {
			return Failed("%s: not computed by this runner", k)
		}
		if err := compareValue(k, c.Expected[k], gv, c.Tolerance); err != nil {
			return Failed("%v", err)
		}
	}
	return Passed()
}

// expectedOutputNames lists the keys of expected.outputs.
func expectedOutputNames(c *Case) []string {
	m, _ := c.Expected["outputs"].(map[string]any)
	return sortedKeys(m)
}

// singleOutput names a single-output analyzer's result: after the one key
// the case expects (upstream tests name outputs freely, e.g. "y"), or
// defaultName.
func singleOutput(c *Case, defaultName string, v any) map[string]any {
	out := map[string]any{defaultName: v}
	if names := expectedOutputNames(c); len(names) == 1 {
		out[names[0]] = v
	}
	return out
}

// loadAnalyzed decodes the rows and the analyzed feature, applying
// params.cast.
func loadAnalyzed(c *Case) (*feature, error) {
	rows, err := analysisRows(c)
	if err != nil {
		return nil, err
	}
	var f *feature
	if names, isList, _ := paramStrings(c, "input"); isList && len(names) > 0 {
		// Several features concatenated (tf.concat of their values).
		if f, err = concatFeatures(c, rows, names); err != nil {
			return nil, err
		}
	} else {
		name, err := featureName(c, rows)
		if err != nil {
			return nil, err
		}
		if f, err = loadFeature(c, rows, name); err != nil {
			return nil, err
		}
	}
	if tok := paramString(c, "tokenize", ""); tok != "" {
		if err := tokenizeFeature(f, tok); err != nil {
			return nil, err
		}
	}
	if cast := paramString(c, "cast", ""); cast != "" {
		dt, err := analyze.ParseDType(cast)
		if err != nil {
			return nil, err
		}
		if err := castFeature(f, dt); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// loadWeights decodes the weights feature named by params.weights (nil when
// there is none), one weight per analyzed value: a row with a single weight
// applies it to every value of the row.
func loadWeights(c *Case, f *feature) ([][]float64, error) {
	name := paramString(c, "weights", "")
	if name == "" {
		return nil, nil
	}
	rows, err := analysisRows(c)
	if err != nil {
		return nil, err
	}
	wf, err := loadFeature(c, rows, name)
	if err != nil {
		return nil, err
	}
	if !wf.DType.IsNumeric() {
		return nil, fmt.Errorf("weights %s must be numeric", name)
	}
	out := make([][]float64, len(f.Rows))
	for i, r := range f.Rows {
		w := wf.Rows[i].floats()
		n := r.len()
		switch {
		case len(w) == n:
			out[i] = w
		case len(w) == 1:
			out[i] = make([]float64, n)
			for j := range out[i] {
				out[i][j] = w[0]
			}
		default:
			return nil, fmt.Errorf("row %d: %d weights for %d values", i, len(w), n)
		}
	}
	return out, nil
}

// reduceInstanceDims reads reduce_instance_dims (default true), or its
// mapper spelling elementwise.
func reduceInstanceDims(c *Case) (bool, error) {
	if _, ok := c.Params["elementwise"]; ok {
		e, err := paramBool(c, "elementwise", false)
		return !e, err
	}
	return paramBool(c, "reduce_instance_dims", true)
}

var numericOutputs = []string{"min", "max", "sum", "size", "mean", "var"}

// runNumeric: tft.min/max/sum/size/mean/var (op
// analyzers.min_max_sum_size_mean_var and the single analyzers).
var runNumeric = analyzer(func(c *Case) (map[string]any, error) {
	f, err := loadAnalyzed(c)
	if err != nil {
		return nil, err
	}
	if !f.DType.IsNumeric() {
		return nil, fmt.Errorf("Tensor type %v is not supported", f.DType)
	}
	reduce, err := reduceInstanceDims(c)
	if err != nil {
		return nil, err
	}
	if !reduce && f.Shape == nil {
		return nil, fmt.Errorf("elementwise reduction of a %s feature is not supported (its shape is not fixed)", f.Kind)
	}
	var meanType analyze.DType
	if s := paramString(c, "output_dtype", ""); s != "" {
		if meanType, err = analyze.ParseDType(s); err != nil {
			return nil, err
		}
	}
	newAcc := func() (*analyze.Numeric, error) {
		a, err := analyze.NewNumeric(f.DType, f.Shape, !reduce, f.Kind == "sparse")
		if a != nil {
			a.MeanType = meanType
		}
		return a, err
	}
	total, err := newAcc()
	if err != nil {
		return nil, err
	}
	for _, b := range chunks(len(f.Rows), batchRows) {
		acc, _ := newAcc()
		for _, r := range f.Rows[b[0]:b[1]] {
			for j := 0; j < r.len(); j++ {
				if f.DType.IsInteger() {
					err = acc.AddInt(r.position(j), r.I[j])
				} else {
					err = acc.AddFloat(r.position(j), r.F[j])
				}
				if err != nil {
					return nil, err
				}
			}
		}
		if err := total.Merge(acc); err != nil {
			return nil, err
		}
	}
	res := total.Result()
	tensors := map[string]*analyze.Tensor{
		"min": res.Min, "max": res.Max, "sum": res.Sum, "size": res.Size, "mean": res.Mean, "var": res.Var,
	}
	outputs := map[string]any{}
	dtypes := map[string]any{}
	for _, k := range numericOutputs {
		outputs[k] = tensorValue(tensors[k])
		dtypes[k] = tensors[k].DType.String()
	}
	got := map[string]any{"outputs": outputs, "output_dtypes": dtypes}
	if t, single := tensors[strings.TrimPrefix(c.Op, "analyzers.")]; single {
		got["output_dtype"] = t.DType.String()
		if names := expectedOutputNames(c); len(names) == 1 {
			if _, known := tensors[names[0]]; !known {
				outputs[names[0]] = tensorValue(t)
			}
		}
	}
	return got, nil
})

// vectorRows returns a fixed-length numeric feature's rows as vectors.
func vectorRows(f *feature) ([][]float64, int, error) {
	if !f.DType.IsNumeric() {
		return nil, 0, fmt.Errorf("expected a numeric feature, got %v", f.DType)
	}
	dim := -1
	if f.Kind == "fixed" {
		if len(f.Shape) > 1 {
			return nil, 0, fmt.Errorf("expected a rank-2 input (rows of vectors), got element shape %v", f.Shape)
		}
		dim = product(f.Shape)
	}
	out := make([][]float64, len(f.Rows))
	for i, r := range f.Rows {
		if r.Pos != nil {
			return nil, 0, errors.New("expected a dense input")
		}
		v := r.floats()
		if dim < 0 {
			dim = len(v)
		}
		if len(v) != dim {
			return nil, 0, fmt.Errorf("row %d has %d values, want %d", i, len(v), dim)
		}
		out[i] = v
	}
	return out, max(dim, 0), nil
}

// covarianceOf accumulates the analyzed rows batch by batch.
func covarianceOf(c *Case) (*analyze.Covariance, analyze.DType, error) {
	f, err := loadAnalyzed(c)
	if err != nil {
		return nil, 0, err
	}
	rows, dim, err := vectorRows(f)
	if err != nil {
		return nil, 0, err
	}
	if dim > 4096 {
		return nil, 0, fmt.Errorf("covariance of %d-dimensional vectors is too large for a test case", dim)
	}
	dt := analyze.Float32
	for _, key := range []string{"dtype", "numpy_dtype"} {
		if s := paramString(c, key, ""); s != "" {
			if dt, err = analyze.ParseDType(s); err != nil {
				return nil, 0, err
			}
			if !dt.IsFloat() {
				return nil, 0, fmt.Errorf("covariance dtype must be a float, got %v", dt)
			}
		}
	}
	total, err := analyze.NewCovariance(dim)
	if err != nil {
		return nil, 0, err
	}
	for _, b := range chunks(len(rows), batchRows) {
		acc, _ := analyze.NewCovariance(dim)
		for _, r := range rows[b[0]:b[1]] {
			if err := acc.AddRow(r); err != nil {
				return nil, 0, err
			}
		}
		if err := total.Merge(acc); err != nil {
			return nil, 0, err
		}
	}
	return total, dt, nil
}

// runCovariance: tft.covariance.
var runCovariance = analyzer(func(c *Case) (map[string]any, error) {
	cov, dt, err := covarianceOf(c)
	if err != nil {
		return nil, err
	}
	return map[string]any{"outputs": singleOutput(c, "covariance", matrixValue(cov.Result(), dt))}, nil
})

// runPCA: tft.pca.
var runPCA = analyzer(func(c *Case) (map[string]any, error) {
	cov, dt, err := covarianceOf(c)
	if err != nil {
		return nil, err
	}
	outDim, _, err := paramInt(c, "output_dim")
	if err != nil {
		return nil, err
	}
	if err := checkSize("output_dim", outDim, 0); err != nil {
		return nil, err
	}
	return map[string]any{"outputs": singleOutput(c, "pca", matrixValue(cov.PCA(int(outDim)), dt))}, nil
})

// sketchRows feeds a numeric feature's rows to quantile sketches, one per
// batch of rows, and merges them. With elementwise, each element position
// is its own stream.
func sketchRows(f *feature, weights [][]float64, eps float64, streams int, elementwise bool) (*analyze.QuantileSketch, error) {
	total, err := analyze.NewQuantileSketch(eps, streams)
	if err != nil {
		return nil, err
	}
	for _, b := range chunks(len(f.Rows), batchRows) {
		acc, _ := analyze.NewQuantileSketch(eps, streams)
		for i := b[0]; i < b[1]; i++ {
			r := f.Rows[i]
			vals := r.floats()
			if elementwise && len(vals) != streams {
				return nil, fmt.Errorf("row %d has %d values, want %d", i, len(vals), streams)
			}
			for j, v := range vals {
				stream := 0
				if elementwise {
					stream = r.position(j)
				}
				w := 1.0
				if weights != nil {
					w = weights[i][j]
				}
				acc.AddWeighted(stream, v, w)
			}
		}
		if err := total.Merge(acc); err != nil {
			return nil, err
		}
	}
	return total, nil
}

// runQuantiles: tft.quantiles (bucket boundaries, SEMANTICS 1.6).
var runQuantiles = analyzer(func(c *Case) (map[string]any, error) {
	f, err := loadAnalyzed(c)
	if err != nil {
		return nil, err
	}
	if !f.DType.IsNumeric() {
		return nil, fmt.Errorf("quantiles need a numeric input, got %v", f.DType)
	}
	nb, ok, err := paramInt(c, "num_buckets")
	if err != nil || !ok {
		return nil, fmt.Errorf("params.num_buckets: an int is required")
	}
	if err := checkSize("num_buckets", nb, 0); err != nil {
		return nil, err
	}
	eps, ok, err := paramFloat(c, "epsilon")
	if err != nil {
		return nil, err
	}
	if !ok {
		eps = analyze.DefaultBucketizeEpsilon(int(nb))
	}
	reduce, err := reduceInstanceDims(c)
	if err != nil {
		return nil, err
	}
	weights, err := loadWeights(c, f)
	if err != nil {
		return nil, err
	}
	streams := 1
	if !reduce {
		if f.Kind != "fixed" {
			return nil, errors.New("elementwise quantiles require a dense input")
		}
		streams = product(f.Shape)
	}
	if err := checkSize("boundaries", int64(streams)*nb, 0); err != nil {
		return nil, err
	}
	sk, err := sketchRows(f, weights, eps, streams, !reduce)
	if err != nil {
		return nil, err
	}
	bounds, err := sk.Boundaries(int(nb), false, analyze.Float32)
	if err != nil {
		return nil, err
	}
	// Output shape: [1, num_buckets−1] pooled, feature shape + [num_buckets−1]
	// elementwise (TFT analyzers.quantiles).
	flat := make([]float64, 0, streams*int(nb))
	for _, b := range bounds {
		flat = append(flat, b...)
	}
	shape := []int{1, int(nb) - 1}
	if !reduce {
		shape = append(append([]int(nil), f.Shape...), int(nb)-1)
	}
	t := &analyze.Tensor{DType: analyze.Float32, Shape: shape, F: flat}
	return map[string]any{
		"outputs":      singleOutput(c, "boundaries", tensorValue(t)),
		"output_dtype": "float32",
	}, nil
})

// runQuantilesCombiner: TFT's QuantilesCombiner used directly.
var runQuantilesCombiner = analyzer(func(c *Case) (map[string]any, error) {
	q, ok, err := paramInt(c, "num_quantiles")
	if err != nil || !ok {
		return nil, fmt.Errorf("params.num_quantiles: an int is required")
	}
	if err := checkSize("num_quantiles", q, 0); err != nil {
		return nil, err
	}
	eps, ok, err := paramFloat(c, "epsilon")
	if err != nil || !ok {
		return nil, fmt.Errorf("params.epsilon: a number is required")
	}
	dt := analyze.Float32
	if s := paramString(c, "bucket_dtype", paramString(c, "bucket_numpy_dtype", "")); s != "" {
		if dt, err = analyze.ParseDType(s); err != nil {
			return nil, err
		}
	}
	includeMinMax, err := paramBool(c, "include_max_and_min", false)
	if err != nil {
		return nil, err
	}
	var featureShape []int
	if v, ok := c.Params["feature_shape"]; ok && v != nil {
		if featureShape, err = intList(v); err != nil {
			return nil, fmt.Errorf("params.feature_shape: %v", err)
		}
		if err := checkShape(featureShape); err != nil {
			return nil, fmt.Errorf("params.feature_shape: %v", err)
		}
	}
	rows, err := analysisRows(c)
	if err != nil {
		return nil, err
	}
	name, err := featureName(c, rows)
	if err != nil {
		return nil, err
	}
	f, err := loadFeature(c, rows, name)
	if err != nil {
		return nil, err
	}
	if !f.DType.IsNumeric() {
		return nil, fmt.Errorf("quantiles need numeric values, got %v", f.DType)
	}
	weights, err := loadWeights(c, f)
	if err != nil {
		return nil, err
	}
	streams := product(featureShape)
	if err := checkSize("boundaries", int64(streams)*q, 0); err != nil {
		return nil, err
	}
	sk, err := sketchRows(f, weights, eps, streams, streams > 1)
	if err != nil {
		return nil, err
	}
	bounds, err := sk.Boundaries(int(q), includeMinMax, dt)
	if err != nil {
		return nil, err
	}
	var flat []float64
	for _, b := range bounds {
		flat = append(flat, b...)
	}
	shape := append(append([]int(nil), featureShape...), len(bounds[0]))
	t := &analyze.Tensor{DType: dt, Shape: shape, F: flat}
	return map[string]any{"outputs": singleOutput(c, "boundaries", tensorValue(t))}, nil
})

// runVocabulary: tft.vocabulary (SEMANTICS 1.5).
var runVocabulary = analyzer(func(c *Case) (map[string]any, error) {
	if v, ok := c.Params["labels"]; ok && v != nil {
		return nil, unsupported("vocabulary ordered by mutual information with labels is not implemented")
	}
	for _, k := range []string{"key_fn", "coverage_top_k", "coverage_frequency_threshold"} {
		if v, ok := c.Params[k]; ok && v != nil {
			return nil, unsupported("coverage vocabularies (%s) are not implemented", k)
		}
	}
	topK, hasTopK, err := paramInt(c, "top_k")
	if err != nil {
		return nil, err
	}
	if hasTopK && topK <= 0 {
		return nil, fmt.Errorf("top_k must be positive, but got: %d", topK)
	}
	threshold, _, err := paramFloat(c, "frequency_threshold")
	if err != nil {
		return nil, err
	}
	if threshold < 0 {
		return nil, fmt.Errorf("frequency_threshold must be non-negative, but got: %v", threshold)
	}
	shuffle, err := paramBool(c, "fingerprint_shuffle", false)
	if err != nil {
		return nil, err
	}
	reserved, _, err := paramStrings(c, "reserved_tokens")
	if err != nil {
		return nil, err
	}
	format := paramString(c, "file_format", "text")
	f, err := loadAnalyzed(c)
	if err != nil {
		return nil, err
	}
	weights, err := loadWeights(c, f)
	if err != nil {
		return nil, err
	}
	newAcc := func() (*analyze.Vocabulary, error) { return analyze.NewVocabulary(f.DType, format, weights != nil) }
	total, err := newAcc()
	if err != nil {
		return nil, err
	}
	for _, b := range chunks(len(f.Rows), batchRows) {
		acc, _ := newAcc()
		for i := b[0]; i < b[1]; i++ {
			r := f.Rows[i]
			for j := 0; j < r.len(); j++ {
				w := 1.0
				if weights != nil {
					w = weights[i][j]
				}
				if f.DType == analyze.String {
					acc.AddStringWeighted(r.S[j], w)
				} else {
					acc.AddIntWeighted(r.I[j], w)
				}
			}
		}
		if err := total.Merge(acc); err != nil {
			return nil, err
		}
	}
	res, err := total.Result(analyze.VocabOptions{
		TopK:               int(topK),
		FrequencyThreshold: threshold,
		ReservedTokens:     reserved,
		FingerprintShuffle: shuffle,
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"vocab_file":          vocabFile{Entries: res.Entries, Lines: res.Lines(true)},
		"vocab_size":          int64(len(res.Entries)),
		"reported_vocab_size": res.FilteredSize,
		// The same vocabulary without reserved tokens (upstream's "sanity"
		// vocabulary next to the reserved one).
		"reported_vocab_size_without_reserved_tokens_vocab": res.FilteredSize - int64(len(reserved)),
		"unfiltered_vocab_size":                             res.UnfilteredSize,
	}, nil
})

// keyCounts counts a feature's values as tft.count_per_key does; integer
// keys are turned back into numbers.
func keyCounts(f *feature) (keys, counts []any) {
	acc := analyze.NewCountPerKey()
	for _, r := range f.Rows {
		for j := 0; j < r.len(); j++ {
			switch {
			case f.DType == analyze.String:
				acc.Add(r.S[j])
			case f.DType.IsInteger():
				acc.AddInt(r.I[j])
			default:
				// tf.strings.as_string of a float: six decimals.
				acc.Add(strconv.FormatFloat(r.F[j], 'f', 6, 64))
			}
		}
	}
	ks, cs := acc.Result()
	for i, k := range ks {
		var key any = k
		switch {
		case f.DType.IsInteger():
			key, _ = strconv.ParseInt(k, 10, 64)
		case f.DType.IsFloat():
			key, _ = strconv.ParseFloat(k, 64)
		}
		keys = append(keys, key)
		counts = append(counts, cs[i])
	}
	if keys == nil {
		keys, counts = []any{}, []any{}
	}
	return keys, counts
}

// runCountPerKey: tft.count_per_key.
var runCountPerKey = analyzer(func(c *Case) (map[string]any, error) {
	f, err := loadAnalyzed(c)
	if err != nil {
		return nil, err
	}
	keys, counts := keyCounts(f)
	return map[string]any{"outputs": map[string]any{"elements": keys, "keys": keys, "counts": counts}}, nil
})

// runHistogram: tft.histogram.
var runHistogram = analyzer(func(c *Case) (map[string]any, error) {
	f, err := loadAnalyzed(c)
	if err != nil {
		return nil, err
	}
	categorical, err := paramBool(c, "categorical", false)
	if err != nil {
		return nil, err
	}
	if categorical {
		keys, counts := keyCounts(f)
		return map[string]any{"outputs": map[string]any{
			"hist": counts, "counts": counts, "boundaries": keys, "elements": keys,
		}}, nil
	}
	if !f.DType.IsNumeric() {
		return nil, fmt.Errorf("a numeric histogram needs numeric values, got %v", f.DType)
	}
	var bounds []float64
	switch v := c.Params["boundaries"].(type) {
	case nil:
		bounds = analyze.HistogramDefaultBoundaries()
	case []any:
		for _, x := range flatten(v) {
			b, err := toFloat(x)
			if err != nil {
				return nil, err
			}
			bounds = append(bounds, b)
		}
	default:
		n, err := toInt(v)
		if err != nil {
			return nil, fmt.Errorf("params.boundaries: %v", err)
		}
		if err := checkSize("boundaries", n, 0); err != nil {
			return nil, err
		}
		mm := analyze.NewMinMax()
		for _, r := range f.Rows {
			mm.AddBatch(r.floats())
		}
		lo, hi := mm.Result()
		bounds = analyze.HistogramLinspace(lo, hi, int(n))
	}
	h, err := analyze.NewHistogram(bounds)
	if err != nil {
		return nil, err
	}
	for _, r := range f.Rows {
		for _, x := range r.floats() {
			h.Add(x)
		}
	}
	counts := make([]any, len(h.Counts))
	for i, n := range h.Counts {
		counts[i] = n
	}
	shifted := make([]any, len(h.Shifted))
	for i, b := range h.Shifted {
		if round, _ := paramBool(c, "round_boundaries", false); round {
			b = math.Round(b)
		}
		shifted[i] = b
	}
	return map[string]any{"outputs": map[string]any{
		"hist": counts, "counts": counts, "boundaries": []any{shifted},
	}}, nil
})
