package conformance

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Status is a case's result.
type Status int

// The three results a case can have.
const (
	Pass Status = iota
	Fail
	Skip
)

// Outcome is what a runner reports for one case.
type Outcome struct {
	Status Status
	// Reason says why a case failed or was skipped (empty on Pass).
	Reason string
}

// Passed, Failed and Skipped build outcomes.
func Passed() Outcome { return Outcome{Status: Pass} }

// Failed reports a failure with a formatted reason.
func Failed(format string, args ...any) Outcome {
	return Outcome{Status: Fail, Reason: fmt.Sprintf(format, args...)}
}

// Skipped reports a skip with a formatted reason.
func Skipped(format string, args ...any) Outcome {
	return Outcome{Status: Skip, Reason: fmt.Sprintf(format, args...)}
}

// LogLine is the single line TestVectors logs for the case:
// "PASS id", "FAIL id: why" or "SKIP id: why".
func (o Outcome) LogLine(id string) string {
	switch o.Status {
	case Pass:
		return "PASS " + id
	case Fail:
		return "FAIL " + id + ": " + oneLine(o.Reason)
	}
	return "SKIP " + id + ": " + oneLine(o.Reason)
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "(no reason given)"
	}
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// Runner runs one case.
type Runner func(c *Case) Outcome

// Key selects a runner: a family and an op; Op "*" stands for every op of
// the family that has no entry of its own.
type Key struct{ Family, Op string }

// Skip reasons shared by the table below.
const (
	reasonNoFamily  = "family not implemented yet"
	reasonUnknownOp = "no runner for op %q in family %q"
)

func skipWith(reason string) Runner { return func(*Case) Outcome { return Skipped("%s", reason) } }

// needsGraph runs the transform mappers through the compiler, the
// transform graph and its executor (mappers.go).
var needsGraph Runner = runMapper

// Runners is the one table of runners, by (family, op). A chained op
// ("a+b") with no entry of its own runs with its family's "*+" runner when
// every part has an entry; any other op without an entry runs with its
// family's "*" runner, or is skipped.
var Runners = map[Key]Runner{
	// TFT analyzers, through runtime/analyze (analyzers.go).
	{"transform", "analyzers.min_max_sum_size_mean_var"}: runNumeric,
	{"transform", "analyzers.min"}:                       runNumeric,
	{"transform", "analyzers.max"}:                       runNumeric,
	{"transform", "analyzers.min_and_max"}:               runNumeric,
	{"transform", "analyzers.sum"}:                       runNumeric,
	{"transform", "analyzers.size"}:                      runNumeric,
	{"transform", "analyzers.mean"}:                      runNumeric,
	{"transform", "analyzers.var"}:                       runNumeric,
	{"transform", "analyzers.mean_and_var"}:              runNumeric,
	{"transform", "analyzers.covariance"}:                runCovariance,
	{"transform", "analyzers.CovarianceCombiner"}:        runCovariance,
	{"transform", "analyzers.pca"}:                       runPCA,
	{"transform", "analyzers.PCACombiner"}:               runPCA,
	{"transform", "analyzers.quantiles"}:                 runQuantiles,
	{"transform", "analyzers.QuantilesCombiner"}:         runQuantilesCombiner,
	{"transform", "analyzers.count_per_key"}:             runCountPerKey,
	{"transform", "analyzers.histogram"}:                 runHistogram,
	{"transform", "analyzers.vocabulary"}:                runVocabulary,
	{"transform", "vocabulary"}:                          runVocabulary,

	// TFT mappers: through the transform graph and its executor.
	{"transform", "scale_to_z_score"}:             needsGraph,
	{"transform", "scale_to_0_1"}:                 needsGraph,
	{"transform", "scale_by_min_max"}:             needsGraph,
	{"transform", "bucketize"}:                    needsGraph,
	{"transform", "apply_buckets"}:                needsGraph,
	{"transform", "compute_and_apply_vocabulary"}: needsGraph,
	{"transform", "apply_vocabulary"}:             needsGraph,
	{"transform", "hash_strings"}:                 needsGraph,
	{"transform", "ngrams"}:                       needsGraph,
	{"transform", "bag_of_words"}:                 needsGraph,
	{"transform", "tfidf"}:                        needsGraph,
	{"transform", "*+"}:                           needsGraph, // chains such as compute_and_apply_vocabulary+tfidf

	// TFDV: through runtime/validate (validation.go).
	{"validation", "infer_schema"}:                   runInferSchema,
	{"validation", "validate_statistics"}:            runValidateStatistics,
	{"validation", "validate_instance"}:              runValidateInstance,
	{"validation", "identify_anomalous_examples"}:    runIdentifyAnomalousExamples,
	{"validation", "linf_distance"}:                  runLInfinity,
	{"validation", "normalized_absolute_difference"}: runNormalizedAbsDiff,
	{"validation", "jensen_shannon_divergence"}:      runJensenShannon,
	{"validation", "validate_int_domain"}:            runIntDomain,
	{"validation", "validate_float_domain"}:          runFloatDomain,
	{"validation", "validate_presence"}:              runPresence,

	// TFMA.
	{"metrics", "AUC"}:                       runMetricOp,
	{"metrics", "confusion_matrix_metrics"}:  runConfusionMatrixMetrics,
	{"metrics", "binary_confusion_matrices"}: runBinaryConfusionMatrices,
	{"metrics", "evaluate"}:                  runEvaluate,
	{"metrics", "slice_keys"}:                runSliceKeys,
	{"metrics", "validate_metrics"}:          runValidateMetrics,
	{"metrics", "*"}:                         runMetricOp, // one metric by name: recall, f1_score, example_count, …
}

// Lookup finds the runner of a case.
func Lookup(c *Case) (Runner, bool) {
	if r, ok := Runners[Key{c.Family, c.Op}]; ok {
		return r, true
	}
	if parts := strings.Split(c.Op, "+"); len(parts) > 1 {
		known := true
		for _, p := range parts {
			if _, ok := Runners[Key{c.Family, strings.TrimSpace(p)}]; !ok {
				known = false
				break
			}
		}
		if r, ok := Runners[Key{c.Family, "*+"}]; ok && known {
			return r, true
		}
	}
	if r, ok := Runners[Key{c.Family, "*"}]; ok {
		return r, true
	}
	return nil, false
}

// Run runs a case with its runner; a missing runner is a skip and a panic
// is a failure.
func Run(c *Case) (out Outcome) {
	r, ok := Lookup(c)
	if !ok {
		return Skipped(reasonUnknownOp, c.Op, c.Family)
	}
	defer func() {
		if p := recover(); p != nil {
			stack := strings.Split(string(debug.Stack()), "\n")
			where := ""
			// The first frame below the panic machinery names the culprit.
			for i, l := range stack {
				if strings.Contains(l, "panic(") && i+3 < len(stack) {
					where = strings.TrimSpace(stack[i+3])
					break
				}
			}
			out = Failed("runner panicked: %v (at %s)", p, where)
		}
	}()
	return r(c)
}
