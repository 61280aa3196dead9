package analyze

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/tfxc/tfxc/internal/pyfmt"
)

func vocabOf(t *testing.T, dt DType, format string, toks []string, opts VocabOptions) *VocabResult {
	t.Helper()
	v, err := NewVocabulary(dt, format, false)
	if err != nil {
		t.Fatal(err)
	}
	v.AddStrings(toks)
	r, err := v.Result(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestVocabularyOrdering(t *testing.T) {
	// Ties are broken by descending token bytes (SEMANTICS 1.5).
	r := vocabOf(t, String, "text", []string{"world", "goodbye", "good", "bbbbb", " ", "hello", "hello"}, VocabOptions{})
	want := []string{"hello", "world", "goodbye", "good", "bbbbb", " "}
	if got := r.Tokens(); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	r = vocabOf(t, String, "text", []string{"I", "like", "goodbye"}, VocabOptions{})
	if got := r.Tokens(); !reflect.DeepEqual(got, []string{"like", "goodbye", "I"}) {
		t.Errorf("case: got %q", got)
	}
	// Integers are ordered as decimal strings.
	v, _ := NewVocabulary(Int64, "text", false)
	v.AddInts([]int64{3, 2, 111, -10, 14, 10})
	r, _ = v.Result(VocabOptions{})
	if got := r.Tokens(); !reflect.DeepEqual(got, []string{"3", "2", "14", "111", "10", "-10"}) {
		t.Errorf("ints: got %q", got)
	}
}

func TestVocabularyFilters(t *testing.T) {
	toks := []string{"hello", "world", "hello", "hello", "goodbye", "world", "aaaaa", " ", "", "\n", "hi \n ho \n", "\r"}
	r := vocabOf(t, String, "text", toks, VocabOptions{})
	if got := r.Tokens(); !reflect.DeepEqual(got, []string{"hello", "world", "goodbye", "aaaaa", " "}) {
		t.Errorf("text: got %q", got)
	}
	r = vocabOf(t, String, "tfrecord_gzip", toks, VocabOptions{})
	if got := r.Tokens(); len(got) != 9 || got[0] != "hello" || got[2] != "hi \n ho \n" {
		t.Errorf("tfrecord: got %q", got)
	}
	// top_k with a tie at the cut: world > goodbye.
	r = vocabOf(t, String, "text", []string{"hello", "hello", "world", "hello", "goodbye", "world", "hello", "goodbye", "foo"}, VocabOptions{TopK: 2})
	if got := r.Tokens(); !reflect.DeepEqual(got, []string{"hello", "world"}) {
		t.Errorf("top_k: got %q", got)
	}
	// frequency_threshold is inclusive and applies before top_k.
	r = vocabOf(t, String, "text", []string{"a", "a", "b", "b", "c", "d", "d", "d"}, VocabOptions{FrequencyThreshold: 2, TopK: 5})
	if got := r.Tokens(); !reflect.DeepEqual(got, []string{"d", "b", "a"}) {
		t.Errorf("threshold: got %q", got)
	}
	// A threshold that removes everything leaves the dummy entry.
	r = vocabOf(t, String, "text", []string{"a"}, VocabOptions{FrequencyThreshold: 5})
	if got := r.Tokens(); !reflect.DeepEqual(got, []string{EmptyStringVocabDummy}) || r.FilteredSize != 1 {
		t.Errorf("empty: got %q size %d", got, r.FilteredSize)
	}
	vi, _ := NewVocabulary(Int64, "text", false)
	r, _ = vi.Result(VocabOptions{TopK: 3})
	if got := r.Lines(true); !reflect.DeepEqual(got, []string{"1 -1"}) {
		t.Errorf("empty int: got %q", got)
	}
	if _, err := vi.Result(VocabOptions{TopK: -1}); err == nil {
		t.Error("negative top_k accepted")
	}
}

func TestVocabularyReservedAndShuffle(t *testing.T) {
	r := vocabOf(t, String, "text", []string{"hello", "world", "world", "42", "42", "42", "a"},
		VocabOptions{ReservedTokens: []string{"a", "b", "c"}})
	if got := r.Lines(true); !reflect.DeepEqual(got, []string{"-1 a", "-1 b", "-1 c", "3 42", "2 world", "1 hello"}) {
		t.Errorf("reserved: got %q", got)
	}
	if r.FilteredSize != 7 {
		t.Errorf("reported size %d, want 7 (TFT counts the duplicate)", r.FilteredSize)
	}
	// Fingerprint order: ascending SHA-1 ('1' 356a…, '3' 77de…, '2' da4b…).
	v, _ := NewVocabulary(Int64, "text", false)
	v.AddInts([]int64{1, 2, 2, 3})
	r, _ = v.Result(VocabOptions{FingerprintShuffle: true})
	if got := r.Lines(true); !reflect.DeepEqual(got, []string{"1 1", "1 3", "2 2"}) {
		t.Errorf("shuffle: got %q", got)
	}
	r = vocabOf(t, String, "text", []string{"world", "hello", "hello"}, VocabOptions{FingerprintShuffle: true})
	if got := r.Tokens(); !reflect.DeepEqual(got, []string{"world", "hello"}) {
		t.Errorf("shuffle strings: got %q", got)
	}
}

func TestVocabularyWeighted(t *testing.T) {
	v, _ := NewVocabulary(String, "text", true)
	for _, p := range []struct {
		tok string
		w   float32
	}{{"hello", 1.4}, {"hello", 0.5}, {"hello", 1.12}, {"goodbye", 0.123}, {"aaaaa", 0.3}, {"aaaaa", 1.123}, {"goodbye", 0.1}, {"goodbye", 0.00001}} {
		v.AddStringWeighted(p.tok, float64(p.w))
	}
	r, _ := v.Result(VocabOptions{TopK: 2})
	if len(r.Entries) != 2 || r.Entries[0].Token != "hello" || r.Entries[1].Token != "aaaaa" ||
		math.Abs(r.Entries[0].Count-3.02) > 1e-6 || math.Abs(r.Entries[1].Count-1.423) > 1e-6 {
		t.Errorf("weighted: %+v", r.Entries)
	}
	if l := r.Lines(true)[0]; l != "3.0199999809265137 hello" {
		t.Errorf("weighted line %q", l)
	}
}

func TestVocabularyMergeOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	toks := make([]string, 20000)
	for i := range toks {
		toks[i] = fmt.Sprintf("t%d", int(math.Abs(rng.NormFloat64()*40)))
	}
	want := vocabOf(t, String, "text", toks, VocabOptions{TopK: 25})
	for trial := 0; trial < 4; trial++ {
		parts := splitRandomly(rng, len(toks), 2+rng.IntN(10))
		accs := make([]*Vocabulary, len(parts))
		for p, idx := range parts {
			accs[p], _ = NewVocabulary(String, "text", false)
			for _, i := range idx {
				accs[p].AddString(toks[i])
			}
		}
		for _, order := range mergeOrders(rng, len(accs)) {
			m, _ := NewVocabulary(String, "text", false)
			for _, k := range order {
				if err := m.Merge(accs[k]); err != nil {
					t.Fatal(err)
				}
			}
			got, _ := m.Result(VocabOptions{TopK: 25})
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("merge order changed the vocabulary:\n%v\n%v", got.Entries, want.Entries)
			}
		}
	}
}

func TestPyFloatRepr(t *testing.T) {
	for x, want := range map[float64]string{
		2.5: "2.5", 3: "3.0", 0.1: "0.1", 1e-5: "1e-05", 1.5e16: "1.5e+16", 0.0001: "0.0001",
		-2: "-2.0", 1e22: "1e+22", 123456789012345.0: "123456789012345.0",
	} {
		if got := pyfmt.Float(x); got != want {
			t.Errorf("pyfmt.Float(%v) = %q, want %q", x, got, want)
		}
	}
}

func TestDocFreq(t *testing.T) {
	// Rows of vocabulary ids (the tfidf example of SEMANTICS 1.8, vocab size 6
	// with one row using the OOV default −1 → 5).
	d, _ := NewDocFreq(6)
	d.AddDocument([]int64{0, 0, 2})
	d.AddDocument([]int64{0, 4, 0, 2})
	e, _ := NewDocFreq(6)
	e.AddDocument([]int64{3, -1, 1, 1, 1})
	e.AddDocument(nil)
	if err := d.Merge(e); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.DF, []int64{2, 1, 2, 1, 1, 1}) || d.N != 4 {
		t.Errorf("df %v n %d", d.DF, d.N)
	}
	assertClose(t, "idf", IDF(2, 3, true), 1+math.Log(4.0/3), 0, 1e-15)
	assertClose(t, "idf raw", IDF(1, 3, false), 1+math.Log(3), 0, 1e-15)
}

// TestApproximateVocabulary: with a capacity, memory stays bounded while a
// long tail of rare tokens streams by, and the frequent tokens keep their
// exact order and counts.
func TestApproximateVocabulary(t *testing.T) {
	exact, _ := NewVocabulary(String, "text", false)
	approx, _ := NewVocabulary(String, "text", false)
	approx.Capacity = 100
	for i := range 200000 {
		var tok string
		if i%2 == 0 {
			tok = fmt.Sprintf("frequent-%d", i%20) // 10 tokens, 10,000 each
		} else {
			tok = fmt.Sprintf("rare-%d", i) // each seen once
		}
		exact.AddString(tok)
		approx.AddString(tok)
		if len(approx.Counts) > 2*approx.Capacity {
			t.Fatalf("%d tokens held, capacity %d", len(approx.Counts), approx.Capacity)
		}
	}
	want, err := exact.Result(VocabOptions{TopK: 10})
	if err != nil {
		t.Fatal(err)
	}
	got, err := approx.Result(VocabOptions{TopK: 10})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(want.Entries) != fmt.Sprint(got.Entries) {
		t.Errorf("top 10 differ:\nexact  %v\napprox %v", want.Entries, got.Entries)
	}
	if len(exact.Counts) < 100000 {
		t.Fatalf("the exact vocabulary holds only %d tokens", len(exact.Counts))
	}
}
