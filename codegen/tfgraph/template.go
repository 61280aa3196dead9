// Package tfgraph lowers the transform block of a checked pipeline to a
// TensorFlow graph, and binds the analyzers' results into it.
//
// Lowering gives a Template: a GraphDef in which every value an analyzer
// computes over the training split (a mean, a vocabulary, quantile
// boundaries) is a named Placeholder, plus the list of analyzers with the
// tensor each one reads. Bind replaces those placeholders with constants,
// giving a frozen, hermetic graph: one placeholder per raw feature (and one
// presence flag per optional feature), no variables, no functions. That
// graph is what the Beam job executes, what TensorFlow Serving loads and
// what TF.js runs.
package tfgraph

import (
	"math"

	tfpb "github.com/tfxc/tfxc/pb/tf"
)

// Template is a lowered transform before its analyzers have run.
type Template struct {
	Graph     *tfpb.GraphDef
	Inputs    []Input     // raw features, in the order first used
	Outputs   []Output    // transform outputs, in definition order
	Analyzers []*Analyzer // in the order they must run
	// Initializers are the nodes that fill lookup tables, to run once
	// before the graph is used (TF.js modelInitializer, SavedModel main op).
	Initializers []string
}

// Input is a raw feature the graph reads.
type Input struct {
	Feature string
	DType   tfpb.DataType
	// Present names the bool placeholder that says, per example, whether
	// the feature has a value; empty for a feature that always has one.
	// Where it is false the value placeholder may hold anything.
	Present string
	// Lengths names the int64 placeholder of a list feature's number of
	// values per example; the value placeholder then holds every example's
	// values, one after the other. Empty for other features.
	Lengths string
}

// Output is a transform output.
type Output struct {
	Name  string
	DType tfpb.DataType
	Shape []int64 // -1 for the batch dimension
	// Lengths names the tensor of a list output's number of values per
	// example (the output holds them one after the other); empty otherwise.
	Lengths string
}

// Analyzer is a full pass the graph needs: Kind reads the values of tensor
// Input over the training split and yields the results named in Results,
// each bound to the placeholder of that name.
type Analyzer struct {
	ID      string // unique, e.g. "fare_xf/z_score"
	Kind    string // stdlib.Analyzer*
	Input   string // the tensor to analyze
	InputDT tfpb.DataType
	Options map[string]any // e.g. top_k, frequency_threshold, num_buckets
	Results map[string]string
	// FilledWhere and Fill, when set, name the presence flags of Input and
	// the scalar constant that stands where they are false: the analyzer
	// reads the filled values (strings are filled lazily, see val).
	FilledWhere, Fill string
	// Weights, when set, names a float tensor of per-example weights that
	// the analyzer counts by (a weighted vocabulary).
	Weights string
	// Lengths, when set, names the int64 tensor of the number of Input's
	// values per example: Input is a list, which the analyzer reads
	// example by example (tfidf's document frequencies).
	Lengths string
	// VocabSize, when set, names the int64 scalar tensor of the number of
	// ids Input's values range over (tfidf's vocabulary size).
	VocabSize string
}

// IntOption returns the integer option name, whether the lowering stored it
// as an int or int64 or it came back from JSON as a float64 without a
// fraction. It reports false when the option is absent or not an integer.
func (a *Analyzer) IntOption(name string) (int64, bool) {
	switch v := a.Options[name].(type) {
	case int:
		return int64(v), true
	case int64:
		return v, true
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int64(v), true
		}
	}
	return 0, false
}
