package stdlib

import (
	"fmt"

	"github.com/tfxc/tfxc/lang"
)

// textFuncs are the transforms of text: tokens, n-grams and their weights.
// Tokens and n-grams are lists of strings; tfidf turns a list of ids into a
// vector a model can take.
func textFuncs() []*lang.Func {
	tokens := lang.Param{Name: "x", Doc: "a list of strings, e.g. tokenize(text)", Kinds: lang.Set(lang.List), Positional: true, Required: true}
	ngramParams := []lang.Param{
		tokens,
		{Name: "range", Doc: "[lo, hi]: the n-gram sizes, 1 <= lo <= hi (TFT's ngram_range)", Kinds: lang.Set(lang.Int), List: true, Positional: true, Required: true},
		{Name: "sep", Doc: "the string between the tokens of an n-gram (TFT's separator)", Kinds: lang.Set(lang.String), Const: true, Default: " "},
	}
	return []*lang.Func{
		{
			// tf.compat.v1.string_split, as TFT's tests tokenize: the
			// StringSplit op splits at every character of the delimiter and
			// skips empty tokens (tensorflow/core/kernels/string_split_op.cc).
			Name: "tokenize",
			Doc: "splits a string into a list of tokens at every character of sep, dropping empty tokens; " +
				`sep "" splits into bytes (tf.compat.v1.string_split)`,
			Params: []lang.Param{
				input(lang.Set(lang.String), "a string"),
				{Name: "sep", Doc: "the separator characters", Kinds: lang.Set(lang.String), Const: true, Positional: true, Default: " "},
			},
			Result: tokenizeResult,
		},
		{
			// TFT mappers.ngrams: for each token position, the n-grams
			// starting there for n = lo..hi that stay inside the list
			// (SEMANTICS.md 1.8).
			Name: "ngrams",
			Doc: "the n-grams of a list of tokens: for each position in order, the n-grams of sizes lo..hi " +
				"starting there, tokens joined by sep (TFT ngrams)",
			Params: ngramParams,
			Result: ngramsResult,
		},
		{
			// TFT mappers.bag_of_words: ngrams, then tf.unique per example.
			Name:   "bag_of_words",
			Doc:    "the distinct n-grams of a list of tokens, in order of first occurrence (TFT bag_of_words)",
			Params: ngramParams,
			Result: ngramsResult,
		},
		{
			// TFT mappers.tfidf: ids wrapped mod vocab_size; tf = count /
			// length; idf = 1 + ln((N+1)/(df+1)) when smooth, else
			// 1 + ln(N/df), df and N over the training split (SEMANTICS.md
			// 1.8). TFT returns two sparse tensors (the ids of an example,
			// sorted, and their weights); tfxc gives their dense form.
			Name: "tfidf",
			Doc: "the TF-IDF weights of a list of ids as a vector: position i holds id i's weight " +
				"(term frequency times inverse document frequency over the training split), 0 where the list lacks i; " +
				"TFT tfidf's two sparse outputs, dense",
			Params: []lang.Param{
				{Name: "x", Doc: "a list of category ids, e.g. vocabulary(tokenize(text))", Kinds: lang.Set(lang.List), Positional: true, Required: true},
				constInt("vocab_size", "the number of ids; ids wrap modulo it, so -1 (outside the vocabulary) counts as vocab_size - 1 (default: the ids' category count)",
					false, false, lang.AtLeast(1), nil),
				{Name: "smooth", Doc: "add one to document frequencies and to the number of examples", Kinds: lang.Set(lang.Bool), Const: true, Default: true},
			},
			Analyzer: AnalyzerDocFreq,
			Result:   tfidfResult,
		},
	}
}

// tokenizeResult refuses a filled string: tfxc fills strings lazily, by
// selecting between the results of the numeric op that reads them, because
// TF.js cannot select between strings; tokens are strings too.
func tokenizeResult(c *lang.Call) lang.Type {
	x, _ := c.Arg("x")
	e := x.Expr
	for {
		p, ok := e.(*lang.ParenExpr)
		if !ok {
			break
		}
		e = p.X
	}
	if call, ok := e.(*lang.CallExpr); ok && call.Fun.Name == "fill" {
		c.Errorf(lang.EArgType, x.Expr, "tokenize a feature that is always present",
			"tokenize cannot read a filled string: TF.js cannot choose between strings, so the graph could not fill the tokens")
		return lang.TInvalid
	}
	return lang.ListOf(lang.String)
}

func ngramsResult(c *lang.Call) lang.Type {
	x, _ := c.Arg("x")
	if x.Type.Elem != lang.String {
		c.Errorf(lang.EArgType, x.Expr, "tokenize it first: tokenize(x)", "x of %s must be a list(string), not %s", c.Node.Fun.Name, x.Type)
		return lang.TInvalid
	}
	r, _ := c.Arg("range")
	vals, _ := r.Const.([]any)
	if len(vals) != 2 {
		c.Errorf(lang.EOptionRange, r.Expr, "give the smallest and largest size: [1, 2]", "range of %s must be [lo, hi], not %d numbers", c.Node.Fun.Name, len(vals))
		return lang.TInvalid
	}
	lo, _ := vals[0].(int64)
	hi, _ := vals[1].(int64)
	if lo < 1 || hi < lo {
		c.Errorf(lang.EOptionRange, r.Expr, fmt.Sprintf("sizes count tokens from 1 up: [%d, %d]", max(lo, 1), max(lo, hi, 1)),
			"range [%d, %d] of %s needs 1 <= lo <= hi", lo, hi, c.Node.Fun.Name)
		return lang.TInvalid
	}
	return lang.ListOf(lang.String)
}

func tfidfResult(c *lang.Call) lang.Type {
	x, _ := c.Arg("x")
	if x.Type.Elem != lang.Category {
		hint := "map the tokens to ids first: tfidf(vocabulary(tokens))"
		c.Errorf(lang.EArgType, x.Expr, hint, "x of tfidf must be a list(category), not %s", x.Type)
		return lang.TInvalid
	}
	if n, ok := constIntOf(c, "vocab_size"); ok {
		return lang.VectorOf(lang.Float, int(n))
	}
	// Without top_k the vocabulary's size, so the vector's length, is known
	// only after analysis.
	return lang.VectorOf(lang.Float, int(x.Type.Card))
}
