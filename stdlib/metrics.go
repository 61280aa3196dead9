package stdlib

import (
	"math"

	"github.com/tfxc/tfxc/lang"
)

// metrics are the evaluation metrics, named as TFMA names them
// (tensorflow_model_analysis/metrics). Their semantics are stated in
// SEMANTICS.md; the ranges here are those the values can take, which the
// checker uses to reject criteria no model can meet.
func metrics() []*lang.Metric {
	inf := math.Inf(1)
	binary := lang.BinaryLabel
	regression := lang.RegressionLabel
	return []*lang.Metric{
		{Name: "auc", Doc: "area under the ROC curve, 10,000 thresholds (TFMA AUC)", Labels: binary, Min: 0, Max: 1},
		{Name: "auc_pr", Doc: "area under the precision-recall curve (TFMA AUCPrecisionRecall)", Labels: binary, Min: 0, Max: 1},
		{Name: "binary_accuracy", Doc: "share of examples whose prediction > 0.5 matches the label (TFMA BinaryAccuracy)", Labels: binary, Min: 0, Max: 1},
		{Name: "precision", Doc: "true positives over predicted positives at threshold 0.5 (TFMA Precision)", Labels: binary, Min: 0, Max: 1},
		{Name: "recall", Doc: "true positives over actual positives at threshold 0.5 (TFMA Recall)", Labels: binary, Min: 0, Max: 1},
		{Name: "f1", Doc: "harmonic mean of precision and recall at threshold 0.5 (TFMA F1Score)", Labels: binary, Min: 0, Max: 1},
		{Name: "calibration", Doc: "sum of predictions over sum of labels (TFMA Calibration)", Labels: binary | regression, Min: 0, Max: inf},
		{Name: "mean_label", Doc: "mean of the labels (TFMA MeanLabel)", Labels: binary | regression, Min: -inf, Max: inf},
		{Name: "mean_prediction", Doc: "mean of the predictions (TFMA MeanPrediction)", Labels: binary | regression, Min: -inf, Max: inf},
		{Name: "example_count", Doc: "number of examples in the slice (TFMA ExampleCount)", Labels: binary | regression | lang.MulticlassLabel, Min: 0, Max: inf},
		{Name: "mse", Doc: "mean squared error (TFMA MeanSquaredError)", Labels: regression, Min: 0, Max: inf},
		{Name: "mae", Doc: "mean absolute error (TFMA MeanAbsoluteError)", Labels: regression, Min: 0, Max: inf},
		{Name: "accuracy", Doc: "share of examples whose most likely class is the label (TFMA Accuracy)", Labels: lang.MulticlassLabel, Min: 0, Max: 1},
	}
}
