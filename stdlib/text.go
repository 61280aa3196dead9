package stdlib

import "github.com/tfxc/tfxc/lang"

// textFuncs are the transforms of text.
func textFuncs() []*lang.Func {
	tokens := lang.Param{Name: "x", Doc: "a list of strings, e.g. tokenize(text)", Kinds: lang.Set(lang.List), Positional: true, Required: true}
	vocabOpts := []lang.Param{
		constInt("top_k", "keep only the k most frequent tokens", false, false, lang.AtLeast(1), nil),
		constInt("oov", "hash buckets for tokens outside the vocabulary", false, false, lang.AtLeast(0), int64(0)),
	}
	return []*lang.Func{
		{
			Name: "tokenize",
			Doc:  "splits a string at a separator into a list of tokens, dropping empty ones (tf.strings.split)",
			Params: []lang.Param{
				input(lang.Set(lang.String), "a string"),
				{Name: "sep", Doc: "the separator", Kinds: lang.Set(lang.String), Const: true, Positional: true, Default: " "},
			},
			Result: func(*lang.Call) lang.Type { return lang.ListOf(lang.String) },
		},
		{
			Name:     "bag_of_words",
			Doc:      "counts of each vocabulary token in a list of tokens (TFT bag_of_words followed by a vocabulary)",
			Params:   append([]lang.Param{tokens}, vocabOpts...),
			Analyzer: AnalyzerVocabulary,
			Result:   tokenVector,
		},
		{
			// TFT tfidf: tf = count / doc length; idf = 1 + log((N + 1) /
			// (df + 1)) when smooth, else 1 + log(N / df) (mappers.py, tfidf).
			Name: "tfidf",
			Doc:  "TF-IDF weight of each vocabulary token (TFT tfidf)",
			Params: append(append([]lang.Param{tokens}, vocabOpts...),
				lang.Param{Name: "smooth", Doc: "add one to document frequencies", Kinds: lang.Set(lang.Bool), Const: true, Default: true}),
			Analyzer: AnalyzerDocFreq,
			Result:   tokenVector,
		},
	}
}

func tokenVector(c *lang.Call) lang.Type {
	x, _ := c.Arg("x")
	if x.Type.Elem != lang.String {
		c.Errorf(lang.EArgType, x.Expr, "tokens are strings", "%s of %s must be a list(string), not %s", "x", c.Node.Fun.Name, x.Type)
		return lang.TInvalid
	}
	topK, ok := constIntOf(c, "top_k")
	oov, _ := constIntOf(c, "oov")
	if !ok {
		return lang.VectorOf(lang.Float, 0)
	}
	return lang.VectorOf(lang.Float, int(topK+oov))
}
