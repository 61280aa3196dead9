package metrics

import (
	"fmt"
	"strings"
	"unicode"
)

// family is how a metric is computed.
type family uint8

const (
	famCount       family = iota + 1 // example_count, weighted_example_count
	famCalibration                   // mean_label, mean_prediction, calibration
	famRegression                    // mean_squared_error, mean_absolute_error
	famAccuracy                      // multiclass accuracy
	famRate                          // confusion-matrix metric at one threshold
	famCurve                         // auc, auc_precision_recall
	famAt                            // X_at_Y under a constraint
)

// metricInfo describes one metric name.
type metricInfo struct {
	fam family
	// rate computes a famRate metric from one confusion matrix.
	rate func(m Matrix) float64
	// defaultThreshold of a famRate metric (TFMA ConfusionMatrixMetric
	// ._default_threshold is 0.5; MaxRecall uses 1e-12).
	defaultThreshold float64
	// curve and summation of a famCurve metric.
	curve string
}

// lookup returns what a TFMA metric name means. The names and the
// formulas are TFMA's (metrics/confusion_matrix_metrics.py, calibration.py,
// example_count.py, weighted_example_count.py, mean_regression_error.py).
func lookup(name string) (metricInfo, bool) {
	rate := func(f func(Matrix) float64) (metricInfo, bool) {
		return metricInfo{fam: famRate, rate: f, defaultThreshold: 0.5}, true
	}
	switch name {
	case "example_count", "weighted_example_count":
		return metricInfo{fam: famCount}, true
	case "mean_label", "mean_prediction", "calibration":
		return metricInfo{fam: famCalibration}, true
	case "mean_squared_error", "mean_absolute_error":
		return metricInfo{fam: famRegression}, true
	case "accuracy":
		return metricInfo{fam: famAccuracy}, true
	case "auc":
		return metricInfo{fam: famCurve, curve: "ROC"}, true
	case "auc_precision_recall":
		return metricInfo{fam: famCurve, curve: "PR"}, true
	case "sensitivity_at_specificity", "specificity_at_sensitivity", "precision_at_recall",
		"recall_at_precision", "recall_at_false_positive_rate", "threshold_at_recall":
		return metricInfo{fam: famAt}, true
	case "true_positives", "tp":
		return rate(func(m Matrix) float64 { return m.TP })
	case "true_negatives", "tn":
		return rate(func(m Matrix) float64 { return m.TN })
	case "false_positives", "fp":
		return rate(func(m Matrix) float64 { return m.FP })
	case "false_negatives", "fn":
		return rate(func(m Matrix) float64 { return m.FN })
	case "binary_accuracy":
		return rate(func(m Matrix) float64 { return ratio(m.TP+m.TN, m.TP+m.FP+m.TN+m.FN) })
	case "precision", "ppv":
		return rate(func(m Matrix) float64 { return ratio(m.TP, m.TP+m.FP) })
	case "recall", "tpr":
		return rate(func(m Matrix) float64 { return ratio(m.TP, m.TP+m.FN) })
	case "max_recall":
		// MaxRecall: recall at threshold 1e-12 (_DEFAULT_THRESHOLD_FOR_MAX_RECALL).
		return metricInfo{fam: famRate, rate: func(m Matrix) float64 { return ratio(m.TP, m.TP+m.FN) }, defaultThreshold: 1e-12}, true
	case "specificity", "tnr":
		return rate(func(m Matrix) float64 { return ratio(m.TN, m.TN+m.FP) })
	case "fall_out", "fpr":
		return rate(func(m Matrix) float64 { return ratio(m.FP, m.FP+m.TN) })
	case "miss_rate", "fnr":
		return rate(func(m Matrix) float64 { return ratio(m.FN, m.FN+m.TP) })
	case "negative_predictive_value", "npv":
		return rate(func(m Matrix) float64 { return ratio(m.TN, m.TN+m.FN) })
	case "false_discovery_rate":
		return rate(func(m Matrix) float64 { return ratio(m.FP, m.FP+m.TP) })
	case "false_omission_rate":
		return rate(func(m Matrix) float64 { return ratio(m.FN, m.FN+m.TN) })
	case "prevalence":
		return rate(func(m Matrix) float64 { return ratio(m.TP+m.FN, m.TP+m.TN+m.FP+m.FN) })
	case "predicted_positive_rate":
		return rate(func(m Matrix) float64 { return ratio(m.TP+m.FP, m.TP+m.FP+m.TN+m.FN) })
	case "threat_score":
		return rate(func(m Matrix) float64 { return ratio(m.TP, m.TP+m.FN+m.FP) })
	case "f1_score":
		return rate(func(m Matrix) float64 { return ratio(2*m.TP, 2*m.TP+m.FP+m.FN) })
	case "balanced_accuracy":
		return rate(balancedAccuracy)
	case "prevalence_threshold":
		return rate(prevalenceThreshold)
	case "matthews_correlation_coefficient":
		return rate(func(m Matrix) float64 {
			return ratio(m.TP*m.TN-m.FP*m.FN, posSqrt((m.TP+m.FP)*(m.TP+m.FN)*(m.TN+m.FP)*(m.TN+m.FN)))
		})
	case "fowlkes_mallows_index":
		return rate(fowlkesMallows)
	case "informedness":
		return rate(informedness)
	case "markedness":
		return rate(markedness)
	case "positive_likelihood_ratio":
		return rate(positiveLikelihoodRatio)
	case "negative_likelihood_ratio":
		return rate(negativeLikelihoodRatio)
	case "diagnostic_odds_ratio":
		return rate(func(m Matrix) float64 {
			if m.FN > 0 && m.FP > 0 && m.TN > 0 {
				return (m.TP / m.FN) / (m.FP / m.TN)
			}
			return nan
		})
	}
	return metricInfo{}, false
}

// Names lists every metric name Spec accepts (TFMA's), in a stable order.
func Names() []string {
	return []string{
		"example_count", "weighted_example_count",
		"mean_label", "mean_prediction", "calibration",
		"mean_squared_error", "mean_absolute_error", "accuracy",
		"auc", "auc_precision_recall",
		"sensitivity_at_specificity", "specificity_at_sensitivity", "precision_at_recall",
		"recall_at_precision", "recall_at_false_positive_rate", "threshold_at_recall",
		"true_positives", "tp", "true_negatives", "tn", "false_positives", "fp", "false_negatives", "fn",
		"binary_accuracy", "precision", "ppv", "recall", "tpr", "max_recall", "specificity", "tnr",
		"fall_out", "fpr", "miss_rate", "fnr", "negative_predictive_value", "npv",
		"false_discovery_rate", "false_omission_rate", "prevalence", "predicted_positive_rate",
		"threat_score", "f1_score", "balanced_accuracy", "prevalence_threshold",
		"matthews_correlation_coefficient", "fowlkes_mallows_index", "informedness", "markedness",
		"positive_likelihood_ratio", "negative_likelihood_ratio", "diagnostic_odds_ratio",
	}
}

// CanonicalName returns the TFMA metric name for a name written in the
// tfxc language (auc_pr, f1, mse, mae), a TFMA class name (BinaryAccuracy,
// AUCPrecisionRecall, F1Score) or a TFMA name, and an error for anything
// else.
func CanonicalName(name string) (string, error) {
	switch name {
	case "auc_pr":
		return "auc_precision_recall", nil
	case "f1":
		return "f1_score", nil
	case "mse":
		return "mean_squared_error", nil
	case "mae":
		return "mean_absolute_error", nil
	}
	n := name
	if strings.IndexFunc(name, unicode.IsUpper) >= 0 {
		n = snakeCase(name)
	}
	if _, ok := lookup(n); !ok {
		return "", fmt.Errorf("unknown metric %q", name)
	}
	return n, nil
}

// snakeCase turns a class name into TFMA's metric name: an underscore
// before an upper-case letter that follows a lower-case letter or a digit,
// or that starts a word after an acronym (AUCPrecision → auc_precision).
func snakeCase(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
