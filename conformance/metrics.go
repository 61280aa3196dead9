package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tfxc/tfxc/runtime/batch"
	"github.com/tfxc/tfxc/runtime/metrics"
)

// The runners of TFMA cases (family "metrics"), through runtime/metrics.
// Examples come as rows of label, prediction and example_weight (and, for
// "evaluate", the slicing features); results are compared key by key. The
// examples are added in batches of three and the batch accumulators
// merged, as Beam bundles would be.

// metricsBatchSize is how many rows go into one shard before merging.
const metricsBatchSize = 3

// runMetricOp runs a case whose op names one metric (recall, f1_score,
// Precision, …): expected.value for the metric computed over the rows.
func runMetricOp(c *Case) Outcome {
	name, err := metrics.CanonicalName(c.Op)
	if err != nil {
		return Skipped(reasonUnknownOp, c.Op, c.Family)
	}
	return validationRunner(func(c *Case) (map[string]any, error) {
		spec, err := metricSpec(c, name)
		if err != nil {
			return nil, err
		}
		vals, err := evaluateRows(c, []metrics.Spec{spec})
		if err != nil {
			return nil, err
		}
		return map[string]any{"value": vals[spec.Key()], "value_type": "float"}, nil
	})(c)
}

// runConfusionMatrixMetrics computes params.metrics at once
// (expected.values, by name).
var runConfusionMatrixMetrics = validationRunner(func(c *Case) (map[string]any, error) {
	names, ok, err := paramStrings(c, "metrics")
	if err != nil || !ok {
		return nil, errors.New("params.metrics must list metric names")
	}
	var specs []metrics.Spec
	for _, n := range names {
		canon, err := metrics.CanonicalName(n)
		if err != nil {
			return nil, err
		}
		s, err := metricSpec(c, canon)
		if err != nil {
			return nil, err
		}
		specs = append(specs, s)
	}
	vals, err := evaluateRows(c, specs)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for i, s := range specs {
		out[names[i]] = vals[s.Key()]
	}
	return map[string]any{"values": out}, nil
})

// metricSpec builds a metric's Spec from the case's params: threshold(s),
// num_thresholds, curve, summation_method, use_histogram, example_weighted
// and the constraint of a X_at_Y metric.
func metricSpec(c *Case, name string) (metrics.Spec, error) {
	s := metrics.Spec{Name: name}
	var err error
	if s.Weighted, err = paramBool(c, "example_weighted", false); err != nil {
		return s, err
	}
	if s.UseHistogram, err = paramBool(c, "use_histogram", false); err != nil {
		return s, err
	}
	family := metricFamily(name)
	if t, ok, err := paramFloat(c, "threshold"); err != nil {
		return s, err
	} else if ok && family == "rate" {
		s.Thresholds = []float64{t}
	}
	if ts, ok, err := paramFloats(c, "thresholds"); err != nil {
		return s, err
	} else if ok && family != "other" {
		s.Thresholds = ts
	}
	if n, ok, err := paramInt(c, "num_thresholds"); err != nil {
		return s, err
	} else if ok && (family == "curve" || family == "at") {
		if err := checkSize("num_thresholds", n, 0); err != nil {
			return s, err
		}
		s.NumThresholds = int(n)
	}
	if family == "curve" {
		s.Curve = strings.ToUpper(paramString(c, "curve", ""))
		s.Summation = strings.ToLower(paramString(c, "summation_method", ""))
	}
	if family == "at" {
		found := false
		for _, k := range []string{"specificity", "sensitivity", "recall", "precision", "false_positive_rate", "value"} {
			if v, ok, err := paramFloat(c, k); err != nil {
				return s, err
			} else if ok {
				s.At, found = v, true
				break
			}
		}
		if !found {
			return s, fmt.Errorf("metric %s needs its constraint value in params", name)
		}
	}
	return s, nil
}

// metricFamily classifies a metric for reading its params.
func metricFamily(name string) string {
	switch name {
	case "auc", "auc_precision_recall":
		return "curve"
	case "sensitivity_at_specificity", "specificity_at_sensitivity", "precision_at_recall",
		"recall_at_precision", "recall_at_false_positive_rate", "threshold_at_recall":
		return "at"
	case "example_count", "weighted_example_count", "mean_label", "mean_prediction", "calibration",
		"mean_squared_error", "mean_absolute_error", "accuracy":
		return "other"
	}
	return "rate"
}

// paramFloats decodes a number or a list of numbers.
func paramFloats(c *Case, key string) ([]float64, bool, error) {
	v, ok := c.Params[key]
	if !ok || v == nil {
		return nil, false, nil
	}
	var out []float64
	for _, x := range flatten(v) {
		f, err := toFloat(x)
		if err != nil {
			return nil, true, fmt.Errorf("params.%s: %v", key, err)
		}
		out = append(out, f)
	}
	return out, true, nil
}

// metricRows decodes the rows' labels, predictions and weights (missing
// ones are 0, 0 and 1) under the given keys.
func metricRows(c *Case, labelKey, predKey, weightKey string) ([]map[string]any, metrics.Batch, error) {
	rows, err := asRows("rows", c.Input["rows"])
	if err != nil {
		return nil, metrics.Batch{}, err
	}
	var b metrics.Batch
	for i, r := range rows {
		vals := [3]float64{0, 0, 1}
		for j, k := range []string{labelKey, predKey, weightKey} {
			v, ok := r[k]
			if !ok || k == "" {
				continue
			}
			leaves := flatten(v)
			if len(leaves) != 1 {
				return nil, b, fmt.Errorf("input.rows[%d].%s must hold one number", i, k)
			}
			if vals[j], err = toFloat(leaves[0]); err != nil {
				return nil, b, fmt.Errorf("input.rows[%d].%s: %v", i, k, err)
			}
		}
		b.Labels = append(b.Labels, vals[0])
		b.Predictions = append(b.Predictions, vals[1])
		b.Weights = append(b.Weights, vals[2])
	}
	return rows, b, nil
}

// evaluate runs an Evaluator over b in shards of metricsBatchSize rows,
// merging the shards' encoded states in reverse order, and returns its
// results.
func evaluate(cfg metrics.Config, b metrics.Batch) (*metrics.Results, error) {
	total, err := metrics.New(cfg)
	if err != nil {
		return nil, err
	}
	n, err := b.Len()
	if err != nil {
		return nil, err
	}
	bounds := chunks(n, metricsBatchSize)
	slices.Reverse(bounds)
	for _, ch := range bounds {
		lo, hi := ch[0], ch[1]
		part := metrics.Batch{Labels: b.Labels[lo:hi], Predictions: b.Predictions[lo:hi], Weights: b.Weights[lo:hi]}
		if b.Features != nil {
			rows := make([]int, 0, hi-lo)
			for r := lo; r < hi; r++ {
				rows = append(rows, r)
			}
			part.Features = b.Features.Select(rows)
		}
		shard, err := metrics.New(cfg)
		if err != nil {
			return nil, err
		}
		if err := shard.Add(part); err != nil {
			return nil, err
		}
		data, err := shard.MarshalBinary()
		if err != nil {
			return nil, err
		}
		decoded, err := metrics.New(cfg)
		if err != nil {
			return nil, err
		}
		if err := decoded.UnmarshalBinary(data); err != nil {
			return nil, err
		}
		if err := total.Merge(decoded); err != nil {
			return nil, err
		}
	}
	return total.Results()
}

// evaluateRows computes specs over the rows (overall slice) and returns
// the values by key.
func evaluateRows(c *Case, specs []metrics.Spec) (map[metrics.MetricKey]any, error) {
	_, b, err := metricRows(c, "label", "prediction", "example_weight")
	if err != nil {
		return nil, err
	}
	res, err := evaluate(metrics.Config{Metrics: specs}, b)
	if err != nil {
		return nil, err
	}
	out := map[metrics.MetricKey]any{}
	if len(res.Slices) == 0 {
		// No rows: the overall slice is empty, as an accumulator with
		// nothing added.
		acc, err := metrics.NewAccumulator(specs)
		if err != nil {
			return nil, err
		}
		vals, err := acc.Values()
		if err != nil {
			return nil, err
		}
		res.Slices = []metrics.SliceResult{{Metrics: vals}}
	}
	for _, v := range res.Slices[0].Metrics {
		out[v.Key] = v.Value
	}
	return out, nil
}

// runBinaryConfusionMatrices computes the matrices at params.thresholds (or
// num_thresholds), from the histogram when use_histogram says so.
var runBinaryConfusionMatrices = validationRunner(func(c *Case) (map[string]any, error) {
	thresholds, hasT, err := paramFloats(c, "thresholds")
	if err != nil {
		return nil, err
	}
	n, hasN, err := paramInt(c, "num_thresholds")
	if err != nil {
		return nil, err
	}
	if hasT && hasN {
		return nil, errors.New("only one of thresholds or num_thresholds can be set")
	}
	if !hasT {
		if !hasN {
			n = metrics.DefaultNumThresholds
		}
		if err := checkSize("num_thresholds", n, 2); err != nil {
			return nil, err
		}
		thresholds = metrics.InterpolatedThresholds(int(n))
	}
	// binary_confusion_matrices: use_histogram defaults to true for
	// num_thresholds or a single negative threshold.
	histogram, err := paramBool(c, "use_histogram", !hasT || (len(thresholds) == 1 && thresholds[0] < 0))
	if err != nil {
		return nil, err
	}
	weighted, err := paramBool(c, "example_weighted", false)
	if err != nil {
		return nil, err
	}
	// An AUC spec makes the accumulator keep what the matrices need.
	spec := metrics.Spec{Name: "auc", Weighted: weighted}
	if hasT {
		spec.Thresholds, spec.UseHistogram = thresholds, histogram
	} else {
		spec.NumThresholds = int(n)
	}
	_, b, err := metricRows(c, "label", "prediction", "example_weight")
	if err != nil {
		return nil, err
	}
	acc, err := metrics.NewAccumulator([]metrics.Spec{spec})
	if err != nil {
		return nil, err
	}
	for i := range b.Labels {
		if err := acc.Add(metrics.Example{Label: b.Labels[i], Prediction: b.Predictions[i], Weight: b.Weights[i]}); err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
	}
	m, err := acc.Matrices(thresholds, histogram, weighted)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"thresholds": floatsAny(m.Thresholds), "tp": floatsAny(m.TP), "fp": floatsAny(m.FP),
		"tn": floatsAny(m.TN), "fn": floatsAny(m.FN),
	}, nil
})

func floatsAny(xs []float64) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// runEvaluate runs a whole model-agnostic evaluation: params label_key,
// prediction_key, example_weight_key, slicing_specs and metrics_specs as
// in TFMA's EvalConfig; expected.slices lists every slice with its
// metrics, expected.absent_slices slices that must not exist.
var runEvaluate = validationRunner(func(c *Case) (map[string]any, error) {
	cfg, err := evalConfig(c)
	if err != nil {
		return nil, err
	}
	weightKey := paramString(c, "example_weight_key", "")
	_, b, err := metricRows(c, paramString(c, "label_key", "label"), paramString(c, "prediction_key", "prediction"), weightKey)
	if err != nil {
		return nil, err
	}
	if b.Features, err = rowsBatch(c, "rows", nil); err != nil {
		return nil, err
	}
	res, err := evaluate(cfg, b)
	if err != nil {
		return nil, err
	}
	got := map[string]metrics.SliceResult{}
	for _, s := range res.Slices {
		got[keyString(s.Key)] = s
	}
	return map[string]any{
		"slices": func(exp any) error {
			l, ok := exp.([]any)
			if !ok {
				return errors.New("expected a list of slices")
			}
			if len(l) != len(res.Slices) {
				var names []string
				for _, s := range res.Slices {
					names = append(names, s.Key.String())
				}
				return fmt.Errorf("got %d slices %v, want %d", len(res.Slices), names, len(l))
			}
			for i, e := range l {
				m, ok := e.(map[string]any)
				if !ok {
					return fmt.Errorf("slices[%d] must be an object", i)
				}
				k, err := keyFromJSON(m["slice_key"])
				if err != nil {
					return fmt.Errorf("slices[%d]: %v", i, err)
				}
				s, ok := got[k]
				if !ok {
					return fmt.Errorf("slices[%d]: slice %s not computed", i, k)
				}
				if s.Error != "" {
					return fmt.Errorf("slice %s: %s", k, s.Error)
				}
				vals := map[string]any{}
				for _, v := range s.Metrics {
					vals[v.Key.Name] = v.Value
				}
				if err := compareValue("slice "+s.Key.String(), m["metrics"], vals, c.Tolerance); err != nil {
					return err
				}
			}
			return nil
		},
		"absent_slices": func(exp any) error {
			l, ok := exp.([]any)
			if !ok {
				return errors.New("expected a list of slice keys")
			}
			for i, e := range l {
				k, err := keyFromJSON(e)
				if err != nil {
					return fmt.Errorf("[%d]: %v", i, err)
				}
				if _, ok := got[k]; ok {
					return fmt.Errorf("slice %s exists", k)
				}
			}
			return nil
		},
	}, nil
})

// evalConfig reads slicing_specs, metrics_specs and min_slice_size.
func evalConfig(c *Case) (metrics.Config, error) {
	var cfg metrics.Config
	if v, ok := c.Params["slicing_specs"]; ok && v != nil {
		l, ok := v.([]any)
		if !ok {
			return cfg, errors.New("params.slicing_specs must be a list")
		}
		for i, x := range l {
			m, ok := x.(map[string]any)
			if !ok {
				return cfg, fmt.Errorf("params.slicing_specs[%d] must be an object", i)
			}
			s, err := sliceSpec(m["feature_keys"], m["feature_values"])
			if err != nil {
				return cfg, fmt.Errorf("params.slicing_specs[%d]: %v", i, err)
			}
			cfg.Slices = append(cfg.Slices, s)
		}
	}
	if n, ok, err := paramInt(c, "min_slice_size"); err != nil {
		return cfg, err
	} else if ok {
		cfg.MinSliceSize = int(n)
	}
	defaultWeighted := paramString(c, "example_weight_key", "") != ""
	l, ok := c.Params["metrics_specs"].([]any)
	if !ok {
		return cfg, errors.New("params.metrics_specs must be a list")
	}
	for i, x := range l {
		m, ok := x.(map[string]any)
		if !ok {
			return cfg, fmt.Errorf("params.metrics_specs[%d] must be an object", i)
		}
		// metric_specs._example_weight_options.
		weightings := []bool{defaultWeighted}
		if ew, ok := m["example_weights"].(map[string]any); ok {
			weightings = nil
			if w, _ := ew["weighted"].(bool); w {
				weightings = append(weightings, true)
			}
			if u, _ := ew["unweighted"].(bool); u {
				weightings = append(weightings, false)
			}
		}
		names, ok := m["metrics"].([]any)
		if !ok {
			return cfg, fmt.Errorf("params.metrics_specs[%d].metrics must be a list", i)
		}
		for j, n := range names {
			sub := &Case{Params: map[string]any{}}
			var name string
			switch y := n.(type) {
			case string:
				name = y
			case map[string]any:
				name, _ = y["class_name"].(string)
				if conf, ok := y["config"].(map[string]any); ok {
					sub.Params = conf
				}
			}
			canon, err := metrics.CanonicalName(name)
			if err != nil {
				return cfg, fmt.Errorf("params.metrics_specs[%d].metrics[%d]: %v", i, j, err)
			}
			for _, w := range weightings {
				s, err := metricSpec(sub, canon)
				if err != nil {
					return cfg, fmt.Errorf("params.metrics_specs[%d].metrics[%d]: %v", i, j, err)
				}
				s.Weighted = w
				cfg.Metrics = append(cfg.Metrics, s)
			}
		}
	}
	return cfg, nil
}

// sliceSpec decodes feature_keys (a list) and feature_values (an object,
// or a list of [column, value] pairs) into a SliceSpec; values are kept as
// the strings the SlicingSpec proto holds.
func sliceSpec(keys, values any) (metrics.SliceSpec, error) {
	var s metrics.SliceSpec
	for _, k := range flatten(keys) {
		name, ok := k.(string)
		if !ok {
			return s, fmt.Errorf("feature_keys must hold strings, got %v", k)
		}
		s.FeatureKeys = append(s.FeatureKeys, name)
	}
	add := func(col string, v any) error {
		if s.FeatureValues == nil {
			s.FeatureValues = map[string]string{}
		}
		switch x := v.(type) {
		case string:
			s.FeatureValues[col] = x
		case json.Number:
			s.FeatureValues[col] = string(x)
		default:
			return fmt.Errorf("feature_values[%s] must be a string or a number", col)
		}
		return nil
	}
	switch fv := values.(type) {
	case nil:
	case map[string]any:
		for _, col := range sortedKeys(fv) {
			if err := add(col, fv[col]); err != nil {
				return s, err
			}
		}
	case []any:
		for _, p := range fv {
			pair, ok := p.([]any)
			if !ok || len(pair) != 2 {
				return s, errors.New("feature_values must hold [column, value] pairs")
			}
			col, ok := pair[0].(string)
			if !ok {
				return s, errors.New("a feature_values column must be a string")
			}
			if err := add(col, pair[1]); err != nil {
				return s, err
			}
		}
	default:
		return s, errors.New("feature_values must be an object or a list of pairs")
	}
	return s, nil
}

// keyString renders a slice key canonically for comparison with expected
// keys: [[column, value], …] with integral numbers without a fraction.
func keyString(k metrics.SliceKey) string {
	parts := make([]string, len(k))
	for i, c := range k {
		var v string
		switch c.Value.Kind {
		case batch.Bytes:
			v = fmt.Sprintf("%q", c.Value.Str)
		case batch.Int:
			v = fmt.Sprint(c.Value.Int)
		default:
			v = numberString(c.Value.Float)
		}
		parts[i] = fmt.Sprintf("[%q,%s]", c.Column, v)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func numberString(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return fmt.Sprint(int64(f))
	}
	return fmt.Sprint(f)
}

// keyFromJSON renders an expected slice key as keyString does.
func keyFromJSON(v any) (string, error) {
	l, ok := v.([]any)
	if !ok {
		return "", fmt.Errorf("slice key %v must be a list", v)
	}
	parts := make([]string, len(l))
	for i, p := range l {
		pair, ok := p.([]any)
		if !ok || len(pair) != 2 {
			return "", fmt.Errorf("slice key %v must hold [column, value] pairs", v)
		}
		col, ok := pair[0].(string)
		if !ok {
			return "", fmt.Errorf("slice key %v: column must be a string", v)
		}
		var val string
		switch x := pair[1].(type) {
		case string:
			val = fmt.Sprintf("%q", x)
		case json.Number:
			f, err := toFloat(x)
			if err != nil {
				return "", err
			}
			val = numberString(f)
		default:
			return "", fmt.Errorf("slice key %v: value must be a string or a number", v)
		}
		parts[i] = fmt.Sprintf("[%q,%s]", col, val)
	}
	return "[" + strings.Join(parts, ",") + "]", nil
}

// runSliceKeys computes the slice keys of one example (input.features)
// under one spec (params.feature_keys, params.feature_values).
var runSliceKeys = validationRunner(func(c *Case) (map[string]any, error) {
	spec, err := sliceSpec(c.Params["feature_keys"], c.Params["feature_values"])
	if err != nil {
		return nil, err
	}
	feats, ok := c.Input["features"].(map[string]any)
	if !ok {
		return nil, errors.New("input.features must be an object")
	}
	one := &Case{Input: map[string]any{"rows": []any{feats}}}
	b, err := rowsBatch(one, "rows", nil)
	if err != nil {
		return nil, err
	}
	keys, err := metrics.SliceKeys([]metrics.SliceSpec{spec}, b, 0)
	if err != nil {
		return nil, err
	}
	got := make([]string, len(keys))
	for i, k := range keys {
		got[i] = keyString(k)
	}
	slices.Sort(got)
	return map[string]any{"slice_keys": func(exp any) error {
		l, ok := exp.([]any)
		if !ok {
			return errors.New("expected a list of slice keys")
		}
		want := make([]string, len(l))
		for i, e := range l {
			if want[i], err = keyFromJSON(e); err != nil {
				return err
			}
		}
		if c.Expected["order"] != "ordered" {
			slices.Sort(want)
		}
		if !slices.Equal(got, want) {
			return fmt.Errorf("got %v, want %v", got, want)
		}
		return nil
	}}, nil
})

// runValidateMetrics checks params.threshold (or params.thresholds)
// against input.metrics, where "m@baseline" and "m@diff" are the
// baseline's value of m and the candidate's difference from it.
var runValidateMetrics = validationRunner(func(c *Case) (map[string]any, error) {
	var raw []any
	if t, ok := c.Params["threshold"]; ok {
		raw = append(raw, t)
	}
	if ts, ok := c.Params["thresholds"].([]any); ok {
		raw = append(raw, ts...)
	}
	if len(raw) == 0 {
		return nil, errors.New("params has no threshold")
	}
	var thresholds []metrics.Threshold
	for i, r := range raw {
		t, err := threshold(r)
		if err != nil {
			return nil, fmt.Errorf("threshold %d: %v", i, err)
		}
		thresholds = append(thresholds, t)
	}
	in, ok := c.Input["metrics"].(map[string]any)
	if !ok {
		return nil, errors.New("input.metrics must be an object")
	}
	cmp := metrics.Comparison{Candidate: map[metrics.MetricKey]float64{}, Baseline: map[metrics.MetricKey]float64{}, Diff: map[metrics.MetricKey]float64{}}
	for _, k := range sortedKeys(in) {
		v, err := toFloat(in[k])
		if err != nil {
			return nil, fmt.Errorf("input.metrics.%s: %v", k, err)
		}
		name, suffix, _ := strings.Cut(k, "@")
		key := metrics.MetricKey{Name: name}
		switch suffix {
		case "":
			cmp.Candidate[key] = v
		case "baseline":
			cmp.Baseline[key] = v
			cmp.HasBaseline = true
		case "diff":
			cmp.Diff[key] = v
			cmp.HasBaseline = true
		default:
			return nil, fmt.Errorf("input.metrics.%s: unknown suffix @%s", k, suffix)
		}
	}
	v := metrics.ValidateSlice(nil, cmp, thresholds)
	var failures []any
	for _, f := range v.Failures() {
		failures = append(failures, f.Threshold.Metric.Name)
	}
	return map[string]any{"validation_ok": v.OK, "failures": failures}, nil
})

// threshold decodes {metric, value_threshold{lower_bound, upper_bound},
// change_threshold{direction, absolute, relative}}.
func threshold(r any) (metrics.Threshold, error) {
	var t metrics.Threshold
	m, ok := r.(map[string]any)
	if !ok {
		return t, errors.New("must be an object")
	}
	t.Metric.Name, _ = m["metric"].(string)
	if t.Metric.Name == "" {
		return t, errors.New("has no metric")
	}
	bound := func(obj map[string]any, key string) (*float64, error) {
		v, ok := obj[key]
		if !ok || v == nil {
			return nil, nil
		}
		if inner, isObj := v.(map[string]any); isObj { // {"value": x}, as the proto's DoubleValue
			v = inner["value"]
		}
		f, err := toFloat(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", key, err)
		}
		return &f, nil
	}
	var err error
	if vt, ok := m["value_threshold"].(map[string]any); ok {
		t.Value = &metrics.ValueThreshold{}
		if t.Value.Lower, err = bound(vt, "lower_bound"); err != nil {
			return t, err
		}
		if t.Value.Upper, err = bound(vt, "upper_bound"); err != nil {
			return t, err
		}
	}
	if ct, ok := m["change_threshold"].(map[string]any); ok {
		t.Change = &metrics.ChangeThreshold{}
		switch d, _ := ct["direction"].(string); d {
		case "HIGHER_IS_BETTER":
			t.Change.Direction = metrics.HigherIsBetter
		case "LOWER_IS_BETTER":
			t.Change.Direction = metrics.LowerIsBetter
		default:
			return t, fmt.Errorf("change_threshold direction %q", d)
		}
		if t.Change.Absolute, err = bound(ct, "absolute"); err != nil {
			return t, err
		}
		if t.Change.Relative, err = bound(ct, "relative"); err != nil {
			return t, err
		}
	}
	return t, nil
}
