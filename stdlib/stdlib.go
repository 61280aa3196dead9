// Package stdlib is the catalogue of tfxc's built-ins: the transform
// functions, the evaluation metrics and the model families, each with its
// signature, options (type, default, allowed range), one-line doc and
// whether it needs a full-pass analyzer.
//
// This catalogue is the single place a built-in is added. The checker reads
// it through the lang.Catalog interface; later stages attach the runtime
// and the graph lowering to the same entries, keyed by name.
package stdlib

import (
	"slices"
	"sync"

	"github.com/tfxc/tfxc/lang"
)

// The analyzers: full passes over the training split whose results the
// transform graph bakes in as constants.
const (
	AnalyzerMeanVar    = "mean_var"   // mean and biased variance
	AnalyzerMinMax     = "min_max"    // minimum and maximum
	AnalyzerVocabulary = "vocabulary" // value counts, top-k by count
	AnalyzerQuantiles  = "quantiles"  // quantile boundaries
	AnalyzerCovariance = "covariance" // mean vector and covariance matrix
	AnalyzerDocFreq    = "doc_freq"   // vocabulary plus document frequencies
)

type catalog struct {
	funcs   map[string]*lang.Func
	metrics map[string]*lang.Metric
	models  map[string]*lang.ModelFamily
}

// Catalog returns the standard library. It is built once and never changes.
var Catalog = sync.OnceValue(func() lang.Catalog {
	c := &catalog{funcs: map[string]*lang.Func{}, metrics: map[string]*lang.Metric{}, models: map[string]*lang.ModelFamily{}}
	for _, group := range [][]*lang.Func{numericFuncs(), categoricalFuncs(), textFuncs()} {
		for _, f := range group {
			c.funcs[f.Name] = f
		}
	}
	for _, m := range metrics() {
		c.metrics[m.Name] = m
	}
	for _, m := range models() {
		c.models[m.Name] = m
	}
	return c
})

func (c *catalog) Func(name string) *lang.Func         { return c.funcs[name] }
func (c *catalog) Metric(name string) *lang.Metric     { return c.metrics[name] }
func (c *catalog) Model(name string) *lang.ModelFamily { return c.models[name] }
func (c *catalog) FuncNames() []string                 { return sortedKeys(c.funcs) }
func (c *catalog) MetricNames() []string               { return sortedKeys(c.metrics) }
func (c *catalog) ModelNames() []string                { return sortedKeys(c.models) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Parameter helpers.

// input is the data argument most functions take first.
func input(kinds lang.KindSet, doc string) lang.Param {
	return lang.Param{Name: "x", Doc: doc, Kinds: kinds, Positional: true, Required: true}
}

// constInt is an integer constant parameter with bounds.
func constInt(name, doc string, positional, required bool, bounds *lang.Bounds, def any) lang.Param {
	return lang.Param{Name: name, Doc: doc, Kinds: lang.Set(lang.Int), Const: true, Positional: positional,
		Required: required, Bounds: bounds, Default: def}
}

// constFloat is a float constant parameter (ints are accepted).
func constFloat(name, doc string, positional, required bool, bounds *lang.Bounds, def any) lang.Param {
	return lang.Param{Name: name, Doc: doc, Kinds: lang.Set(lang.Float), Const: true, Positional: positional,
		Required: required, Bounds: bounds, Default: def}
}

// constFloatOf returns a float constant argument, if given.
func constFloatOf(c *lang.Call, name string) (float64, bool) {
	a, ok := c.Arg(name)
	if !ok {
		return 0, false
	}
	switch v := a.Const.(type) {
	case float64:
		return v, true
	case int64:
		return float64(v), true
	}
	return 0, false
}

// constIntOf returns an int constant argument, if given.
func constIntOf(c *lang.Call, name string) (int64, bool) {
	a, ok := c.Arg(name)
	if !ok {
		return 0, false
	}
	v, ok := a.Const.(int64)
	return v, ok
}

// floatResult is the Result of functions that always give a float.
func floatResult(*lang.Call) lang.Type { return lang.TFloat }
