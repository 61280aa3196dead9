// Package metrics is the Evaluator's arithmetic: TensorFlow Model
// Analysis's metrics, slicing and thresholds, as SEMANTICS.md §3 states
// them.
//
// An Evaluator takes batches of (label, prediction, example weight) with
// the slicing features, routes every example to the slices its features
// produce (SliceSpec: the overall slice, one slice per value of a column,
// feature crosses, value filters; keys printed as TFMA prints them), and
// accumulates each slice in an Accumulator. Accumulators and Evaluators
// merge and encode (MarshalBinary), so that shards can cross Beam
// boundaries; every weighted sum is exact (Sum) and the counts are
// integers, so the results do not depend on how examples were sharded or
// in which order the pieces merged.
//
// Results computes every configured metric (Spec, TFMA's names) of every
// slice: confusion-matrix metrics at a threshold, counted exactly with a
// strict prediction > threshold; AUC and the X_at_Y metrics from the
// 10,000-bucket calibration histogram rebinned at TFMA's interpolated
// thresholds; calibration, mean label and prediction, example counts,
// regression errors and multiclass accuracy. A zero denominator gives NaN.
// Results are written as JSON Lines, one record per slice and metric.
//
// Validate checks value thresholds (inclusive bounds) and change
// thresholds against a baseline's results, per TFMA's metrics_validator.
package metrics
