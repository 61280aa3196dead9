package stdlib

import (
	"fmt"

	"github.com/tfxc/tfxc/lang"
)

// categoricalFuncs are the transforms that produce category ids.
func categoricalFuncs() []*lang.Func {
	return []*lang.Func{
		{
			// TFT compute_and_apply_vocabulary: ids by descending count, ties
			// broken by descending bytes; empty strings are dropped; values
			// outside the vocabulary map to vocab_size + hash bucket when
			// num_oov_buckets > 0, else to -1 (analyzers.py, vocabulary;
			// mappers.py, apply_vocabulary). See SEMANTICS.md.
			Name: "vocabulary",
			Doc:  "maps each value to its id in the training split's vocabulary, most frequent first (TFT compute_and_apply_vocabulary)",
			Params: []lang.Param{
				input(lang.Set(lang.String, lang.Int, lang.List), "a string or int, or a list of them"),
				constInt("top_k", "keep only the k most frequent values", false, false, lang.AtLeast(1), nil),
				constInt("frequency_threshold", "drop values seen fewer times than this", false, false, lang.AtLeast(0), int64(0)),
				constInt("oov", "hash buckets for values outside the vocabulary (num_oov_buckets)", false, false, lang.AtLeast(0), int64(0)),
				{Name: "approximate", Doc: "count in bounded memory, for very high cardinality: keep the 16·top_k (at least 65,536; without top_k 2^20) most frequent tokens, pruning rarer ones as lossy counting does; counts of frequent tokens become lower bounds", Kinds: lang.Set(lang.Bool), Const: true, Default: false},
				{Name: "weights", Doc: "a number per example to count it by instead of 1 (TFT's weights)", Kinds: lang.Numeric},
				constInt("default", "the id of a value outside the vocabulary when oov is 0 (TFT's default_value)", false, false, nil, int64(-1)),
			},
			Analyzer: AnalyzerVocabulary,
			Result:   vocabularyResult,
		},
		{
			// TFT bucketize: boundaries from quantiles of the training split;
			// the lowering follows apply_buckets (value on a boundary goes up,
			// NaN to the last bucket). See SEMANTICS.md.
			Name: "bucketize",
			Doc:  "the quantile bucket of x, boundaries computed over the training split (TFT bucketize)",
			Params: []lang.Param{
				input(lang.Numeric, "an int or float"),
				constInt("num_buckets", "the number of buckets", true, true, lang.AtLeast(1), nil),
			},
			Analyzer: AnalyzerQuantiles,
			Result: func(c *lang.Call) lang.Type {
				n, _ := constIntOf(c, "num_buckets")
				return lang.CategoryOf(n)
			},
		},
		{
			Name: "apply_buckets",
			Doc:  "the bucket of x among fixed boundaries: len(boundaries) + 1 buckets (TFT apply_buckets)",
			Params: []lang.Param{
				input(lang.Numeric, "an int or float"),
				{Name: "boundaries", Doc: "strictly increasing numbers", Kinds: lang.Set(lang.Int, lang.Float), List: true, Positional: true, Required: true},
			},
			Result: applyBucketsResult,
		},
		{
			// TFT hash_strings: StringToHashBucketFast, FarmHash Fingerprint64
			// modulo the bucket count (mappers.py, hash_strings).
			Name: "hash",
			Doc:  "the hash bucket of a string: FarmHash Fingerprint64 modulo buckets (TFT hash_strings)",
			Params: []lang.Param{
				input(lang.Set(lang.String), "a string"),
				constInt("buckets", "the number of hash buckets", true, true, lang.AtLeast(1), nil),
			},
			Result: func(c *lang.Call) lang.Type {
				n, _ := constIntOf(c, "buckets")
				return lang.CategoryOf(n)
			},
		},
		{
			Name: "categorical",
			Doc:  "an int that already is a category id in [0, buckets); values outside map to 0",
			Params: []lang.Param{
				input(lang.Set(lang.Int), "an int"),
				constInt("buckets", "the number of ids", true, true, lang.AtLeast(1), nil),
			},
			Result: categoricalResult,
		},
	}
}

func vocabularyResult(c *lang.Call) lang.Type {
	x, _ := c.Arg("x")
	if x.Type.Kind == lang.List {
		if x.Type.Elem != lang.String && x.Type.Elem != lang.Int {
			c.Errorf(lang.EArgType, x.Expr, "a vocabulary is of strings or ints", "vocabulary of a %s", x.Type)
			return lang.TInvalid
		}
		// Each value of the list gets its id (TFT applies a vocabulary to
		// every value of a variable-length feature).
		elem := vocabularyResult(c.WithArgType("x", lang.Type{Kind: x.Type.Elem}))
		if elem.Kind == lang.Invalid {
			return elem
		}
		return lang.Type{Kind: lang.List, Elem: lang.Category, Card: elem.Card}
	}
	topK, hasTopK := constIntOf(c, "top_k")
	oov, _ := constIntOf(c, "oov")
	if d, ok := c.Arg("default"); ok && oov > 0 {
		// TFT uses default_value only without OOV buckets.
		c.Errorf(lang.EOptionConflict, d.Expr, "give oov or default, not both", "default applies only when oov is 0")
		return lang.TInvalid
	}
	if !hasTopK {
		if f := x.Feature; f != nil && x.Type.Kind == lang.String && f.StringDomain == nil {
			c.Errorf(lang.WUnboundedVocab, c.Node.Fun,
				fmt.Sprintf("bound it: vocabulary(…, top_k: 10000), or give %s a string domain in the schema", f.Name),
				"vocabulary of %s has no top_k and the schema gives no domain: its size grows with the data", f.Name)
		}
		if f := x.Feature; f != nil && f.StringDomain != nil {
			return lang.CategoryOf(int64(len(f.StringDomain)) + oov)
		}
		return lang.CategoryOf(0)
	}
	return lang.CategoryOf(topK + oov)
}

func applyBucketsResult(c *lang.Call) lang.Type {
	b, _ := c.Arg("boundaries")
	vals := b.Const.([]any)
	if len(vals) == 0 {
		c.Errorf(lang.EOptionRange, b.Expr, "give at least one boundary", "apply_buckets needs boundaries")
		return lang.TInvalid
	}
	prev := 0.0
	for i, v := range vals {
		f := toFloat(v)
		if i > 0 && f <= prev {
			c.Errorf(lang.EBoundaries, b.Expr, "sort them and remove duplicates",
				"bucket boundaries must increase strictly: %g follows %g", f, prev)
			return lang.TInvalid
		}
		prev = f
	}
	return lang.CategoryOf(int64(len(vals)) + 1)
}

func toFloat(v any) float64 {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case float64:
		return v
	}
	return 0
}

// categoricalResult checks the bucket count against the schema's int
// domain: values up to max need max+1 ids.
func categoricalResult(c *lang.Call) lang.Type {
	n, _ := constIntOf(c, "buckets")
	x, _ := c.Arg("x")
	if f := x.Feature; f != nil && f.IntDomain != nil && f.IntDomain.Max != nil {
		need := *f.IntDomain.Max + 1
		b, _ := c.Arg("buckets")
		switch {
		case *f.IntDomain.Max < 0 || (f.IntDomain.Min != nil && *f.IntDomain.Min < 0):
			c.Errorf(lang.ECardinality, b.Expr, "shift it first, or use vocabulary",
				"%s takes negative values (domain %s), which are not category ids", f.Name, f.IntDomain)
			return lang.TInvalid
		case n < need:
			c.Errorf(lang.ECardinality, b.Expr, fmt.Sprintf("use at least %d buckets", need),
				"%d buckets cannot hold %s, whose schema domain reaches %d", n, f.Name, *f.IntDomain.Max)
			return lang.TInvalid
		case n > 2*need && n-need > 8:
			c.Errorf(lang.WOversized, b.Expr, fmt.Sprintf("%d buckets are enough", need),
				"%d buckets for %s, whose schema domain %s needs %d: the rest are never used", n, f.Name, f.IntDomain, need)
		}
	}
	return lang.CategoryOf(n)
}
