package tfgraph_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tfxc/tfxc/codegen/opreg"
	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/frontend"
	"github.com/tfxc/tfxc/internal/taxitest"
	"github.com/tfxc/tfxc/runtime/graph"
	"github.com/tfxc/tfxc/runtime/transform"
)

// refNgrams is TFT's ngrams restated (mappers.py ngrams; SEMANTICS.md 1.8).
func refNgrams(tokens []string, lo, hi int, sep string) []string {
	out := []string{}
	for i := range tokens {
		for n := lo; n <= hi && i+n <= len(tokens); n++ {
			out = append(out, strings.Join(tokens[i:i+n], sep))
		}
	}
	return out
}

// refBag is TFT's bag_of_words: ngrams, then the first occurrence of each.
func refBag(tokens []string, lo, hi int, sep string) []string {
	out := []string{}
	for _, g := range refNgrams(tokens, lo, hi, sep) {
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// refSplit is tf.compat.v1.string_split: split at any byte of sep, or into
// bytes when sep is empty, without empty tokens.
func refSplit(s, sep string) []string {
	if sep == "" {
		var out []string
		for i := range len(s) {
			out = append(out, s[i:i+1])
		}
		return out
	}
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(sep, r) })
}

// run checks, lowers, fits and runs a one-transform pipeline over text,
// returning the output rows (a list of values per example, or the dense
// vector), and validates the graph against TensorFlow's op registry.
func runText(t *testing.T, call string, text []string) ([][]string, [][]float64) {
	t.Helper()
	src := fmt.Sprintf("pipeline p\nschema infer\nexamples csv(\"x.csv\")\nfeatures {\n    text: string\n}\ntransform {\n    out = %s\n}\n", call)
	prog, diags := frontend.Check("p.tfxl", []byte(src), frontend.Options{})
	if diags.HasErrors() {
		t.Fatalf("%s: %v", call, diags)
	}
	tmpl, err := tfgraph.Lower(prog)
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
	feeds := map[string]*graph.Tensor{"text": graph.Strings([]int{len(text)}, text)}
	g, err := transform.Fit(tmpl, feeds)
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
	if r, err := opreg.Default(); err == nil {
		if err := r.Validate(g); err != nil {
			t.Errorf("%s: %v", call, err)
		}
	}
	exe, err := graph.Compile(g, tmpl.Initializers...)
	if err != nil {
		t.Fatal(err)
	}
	fetches := []string{"out"}
	if l := tmpl.Outputs[0].Lengths; l != "" {
		fetches = append(fetches, l)
	}
	out, err := exe.Run(feeds, fetches...)
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
	if len(out) == 1 {
		v := out[0]
		rows := make([][]float64, v.Shape[0])
		for r := range rows {
			for j := range v.Shape[1] {
				rows[r] = append(rows[r], v.Float64At(r*v.Shape[1]+j))
			}
		}
		return nil, rows
	}
	rows := make([][]string, len(text))
	next := 0
	for r, k := range out[1].I64 {
		rows[r] = append([]string{}, out[0].Str[next:next+int(k)]...)
		next += int(k)
	}
	if next != len(out[0].Str) {
		t.Fatalf("%s: lengths add up to %d of %d values", call, next, len(out[0].Str))
	}
	return rows, nil
}

func randomText(rng *rand.Rand, n int) []string {
	words := []string{"a", "b", "ab", "c", "the cat", ",", "", "  "}
	text := make([]string, n)
	for i := range text {
		for range rng.IntN(7) {
			text[i] += words[rng.IntN(len(words))] + " "
		}
	}
	return text
}

// TestNgramsAndBagOfWordsAsTFT compares the lowered ngrams and bag_of_words
// with TFT's definitions on random text, for several ranges and separators.
func TestNgramsAndBagOfWordsAsTFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	text := randomText(rng, 60)
	for _, tc := range []struct {
		split, sep string
		lo, hi     int
	}{{" ", " ", 1, 1}, {" ", "_", 1, 2}, {" ,", "", 2, 4}, {"", "", 1, 5}, {" ", "--", 3, 3}, {"a ", " ", 2, 6}} {
		for _, fn := range []string{"ngrams", "bag_of_words"} {
			call := fmt.Sprintf("%s(tokenize(text, %q), [%d, %d], sep: %q)", fn, tc.split, tc.lo, tc.hi, tc.sep)
			got, _ := runText(t, call, text)
			for i, s := range text {
				want := refNgrams(refSplit(s, tc.split), tc.lo, tc.hi, tc.sep)
				if fn == "bag_of_words" {
					want = refBag(refSplit(s, tc.split), tc.lo, tc.hi, tc.sep)
				}
				if !slices.Equal(got[i], want) {
					t.Errorf("%s on %q: got %q, want %q", call, s, got[i], want)
					break
				}
			}
		}
	}
}

// TestTfidfAsTFT compares the lowered tfidf of a vocabulary's ids with
// TFT's definition: ids wrapped mod vocab_size, tf = count / length,
// idf over the analyzed examples (SEMANTICS.md 1.8).
func TestTfidfAsTFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	text := randomText(rng, 80)
	for _, tc := range []struct {
		opts, tfidfOpts string
		smooth          bool
		width           int // the vector's length when the checker knows it
	}{{"", "", true, 0}, {", top_k: 3", "", true, 3}, {", top_k: 4, oov: 2", ", smooth: false", false, 6},
		{", top_k: 2", ", vocab_size: 5", true, 5}, {", top_k: 50", "", true, 50}} {
		call := fmt.Sprintf("tfidf(vocabulary(tokenize(text)%s)%s)", tc.opts, tc.tfidfOpts)
		// The ids, from the same vocabulary.
		idsCall := fmt.Sprintf("vocabulary(tokenize(text)%s)", tc.opts)
		_, got := runText(t, call, text)
		ids := idsOf(t, idsCall, text)
		size := len(got[0])
		if tc.width > 0 && size != tc.width {
			t.Errorf("%s: vectors of %d, want %d", call, size, tc.width)
		}
		// Ids wrap modulo the number of ids, which a vocabulary with fewer
		// tokens than top_k does not reach: then no id wraps.
		df := make([]float64, size)
		for _, row := range ids {
			seen := map[int64]bool{}
			for _, id := range row {
				w := ((id % int64(size)) + int64(size)) % int64(size)
				if !seen[w] {
					seen[w] = true
					df[w]++
				}
			}
		}
		n := float64(len(text))
		for r, row := range ids {
			want := make([]float64, size)
			for _, id := range row {
				w := ((id % int64(size)) + int64(size)) % int64(size)
				idf := 1 + math.Log((n+1)/(df[w]+1))
				if !tc.smooth {
					idf = 1 + math.Log(n/df[w])
				}
				want[w] += idf / float64(len(row))
			}
			for j := range want {
				if math.Abs(got[r][j]-want[j]) > 1e-5 {
					t.Errorf("%s on %q: got %v, want %v", call, text[r], got[r], want)
					break
				}
			}
		}
	}
}

// idsOf runs a vocabulary of tokens and returns each example's ids.
func idsOf(t *testing.T, call string, text []string) [][]int64 {
	t.Helper()
	src := fmt.Sprintf("pipeline p\nschema infer\nexamples csv(\"x.csv\")\nfeatures {\n    text: string\n}\ntransform {\n    out = %s\n}\n", call)
	tmpl := taxitest.Lower(t, src)
	feeds := map[string]*graph.Tensor{"text": graph.Strings([]int{len(text)}, text)}
	g, err := transform.Fit(tmpl, feeds)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := graph.Compile(g, tmpl.Initializers...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exe.Run(feeds, "out", tmpl.Outputs[0].Lengths)
	if err != nil {
		t.Fatal(err)
	}
	rows := make([][]int64, len(text))
	next := 0
	for r, k := range out[1].I64 {
		rows[r] = out[0].I64[next : next+int(k)]
		next += int(k)
	}
	return rows
}
