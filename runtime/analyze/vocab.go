package analyze

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/tfxc/tfxc/internal/pyfmt"
)

// EmptyStringVocabDummy and EmptyIntVocabDummy are the single entries (with
// count 1) written for an empty vocabulary so that the lookup table is never
// empty (TFT analyzers.get_empy_vocabulary_dummy_value; SEMANTICS 1.5).
const (
	EmptyStringVocabDummy = "49d0cd50-04bb-48c0-bc6f-5b575dce351a"
	EmptyIntVocabDummy    = "-1"
)

// Vocabulary counts tokens exactly, the accumulate and merge phases of
// tft.vocabulary (TFT beam/analyzer_impls.py _VocabularyAccumulateImpl and
// _VocabularyMergeImpl; SEMANTICS 1.5). Every element of every row counts
// once (a token repeated in a row counts each time); with weights the
// per-token sum of weights replaces the count. Integer inputs are counted
// under their decimal string, the form TFT orders and writes them in. For
// string inputs and the text file format, the empty string and tokens
// containing '\n' or '\r' are dropped before counting, because a text
// vocabulary file cannot hold them.
//
// Memory is proportional to the number of distinct tokens, or to Capacity
// when it is set.
type Vocabulary struct {
	// DType is the input dtype: String or an integer type.
	DType DType
	// FileFormat is "text" (the default when empty) or "tfrecord_gzip".
	FileFormat string
	// Weighted records that weights were given (the counts are then sums of
	// weights, and are written as floats).
	Weighted bool
	// Counts maps each token to its count or summed weight.
	Counts map[string]float64
	// Capacity, when positive, bounds memory for very high cardinality:
	// once more than twice Capacity tokens are counted, only the Capacity
	// most frequent are kept (ties by the larger token, as the vocabulary
	// orders them), and a token seen again starts from zero. The counts of
	// frequent tokens are then lower bounds, exact for every token more
	// frequent than any token ever dropped: the frequent-items pruning of
	// lossy counting (Manku and Motwani, VLDB 2002), a vocabulary's
	// "approximate" option.
	Capacity int
}

// prune keeps the Capacity most frequent tokens once there are more than
// twice as many.
func (v *Vocabulary) prune() {
	if v.Capacity <= 0 || len(v.Counts) <= 2*v.Capacity {
		return
	}
	type entry struct {
		tok string
		n   float64
	}
	all := make([]entry, 0, len(v.Counts))
	for t, n := range v.Counts {
		all = append(all, entry{t, n})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		return all[i].tok > all[j].tok
	})
	for _, e := range all[v.Capacity:] {
		delete(v.Counts, e.tok)
	}
}

// NewVocabulary returns an empty vocabulary accumulator.
func NewVocabulary(dtype DType, fileFormat string, weighted bool) (*Vocabulary, error) {
	if dtype != String && !dtype.IsInteger() {
		return nil, fmt.Errorf("expected tf.string or integer but got %v", dtype)
	}
	switch fileFormat {
	case "":
		fileFormat = "text"
	case "text", "tfrecord_gzip":
	default:
		return nil, fmt.Errorf("%q is not an accepted file_format. It should be one of: text, tfrecord_gzip", fileFormat)
	}
	return &Vocabulary{DType: dtype, FileFormat: fileFormat, Weighted: weighted, Counts: map[string]float64{}}, nil
}

// dropsToken reports whether a string token is filtered before counting
// (TFT get_vocab_newline_characters_regex: `^$|\C*[\n\r]\C*`, applied to
// string inputs written as text).
func (v *Vocabulary) dropsToken(tok string) bool {
	return v.DType == String && v.FileFormat == "text" && (tok == "" || strings.ContainsAny(tok, "\n\r"))
}

// AddString counts a string token once.
func (v *Vocabulary) AddString(tok string) { v.AddStringWeighted(tok, 1) }

// AddStringWeighted adds weight w to a string token.
func (v *Vocabulary) AddStringWeighted(tok string, w float64) {
	if v.dropsToken(tok) {
		return
	}
	v.Counts[tok] += w
	v.prune()
}

// AddStrings counts a batch of string tokens.
func (v *Vocabulary) AddStrings(toks []string) {
	for _, t := range toks {
		v.AddString(t)
	}
}

// AddInt counts an integer token once (as its decimal string).
func (v *Vocabulary) AddInt(x int64) { v.AddIntWeighted(x, 1) }

// AddIntWeighted adds weight w to an integer token.
func (v *Vocabulary) AddIntWeighted(x int64, w float64) {
	v.Counts[strconv.FormatInt(x, 10)] += w
	v.prune()
}

// AddInts counts a batch of integer tokens.
func (v *Vocabulary) AddInts(xs []int64) {
	for _, x := range xs {
		v.AddInt(x)
	}
}

// Merge adds another accumulator's counts.
func (v *Vocabulary) Merge(o *Vocabulary) error {
	if o.DType != v.DType || o.FileFormat != v.FileFormat || o.Weighted != v.Weighted {
		return fmt.Errorf("analyze: merging incompatible vocabularies")
	}
	for t, c := range o.Counts {
		v.Counts[t] += c
	}
	v.prune()
	return nil
}

// VocabOptions are tft.vocabulary's filtering and ordering options.
type VocabOptions struct {
	// TopK keeps the TopK largest (count, token) entries; 0 keeps all.
	TopK int
	// FrequencyThreshold keeps entries whose count is >= the threshold; it
	// applies when > 0 (for plain counts a threshold <= 1 changes nothing).
	FrequencyThreshold float64
	// ReservedTokens are prepended, in order, with count −1; data tokens
	// equal to one of them are removed.
	ReservedTokens []string
	// FingerprintShuffle orders entries by ascending SHA-1 of the token
	// instead of by count.
	FingerprintShuffle bool
}

// VocabEntry is one line of a vocabulary file.
type VocabEntry struct {
	Token string
	// Count is the token's frequency (or summed weight); −1 for a reserved
	// token.
	Count float64
}

// VocabResult is a finished vocabulary.
type VocabResult struct {
	// Entries are the vocabulary's lines in file order: a token's line number
	// is its id.
	Entries []VocabEntry
	// Weighted is set when counts are sums of weights.
	Weighted bool
	// UnfilteredSize and FilteredSize are the sizes TFT reports
	// (VocabularyCount, at least 1, plus the number of reserved tokens;
	// get_vocabulary_size_by_name reports FilteredSize). Like TFT they are
	// computed before data tokens equal to a reserved token are removed, so a
	// duplicate makes them one larger than len(Entries).
	UnfilteredSize, FilteredSize int64
}

// Tokens returns the tokens in file order.
func (r *VocabResult) Tokens() []string {
	out := make([]string, len(r.Entries))
	for i, e := range r.Entries {
		out[i] = e.Token
	}
	return out
}

// Lines returns the vocabulary file's lines: the token, or with
// storeFrequency "<count> <token>" (TFT _count_and_token_to_bytes).
func (r *VocabResult) Lines(storeFrequency bool) []string {
	out := make([]string, len(r.Entries))
	for i, e := range r.Entries {
		if !storeFrequency {
			out[i] = e.Token
			continue
		}
		var c string
		if r.Weighted && e.Count != -1 {
			c = pyfmt.Float(e.Count)
		} else {
			c = strconv.FormatInt(int64(e.Count), 10)
		}
		out[i] = c + " " + e.Token
	}
	return out
}

// vocabLess orders entries as TFT does: by the tuple (count, token bytes)
// descending, i.e. higher count first and ties by descending byte-wise
// token order (_OrderElementsFn sort(reverse=True), beam Top.Of; SEMANTICS
// 1.5).
func vocabLess(a, b VocabEntry) bool {
	if a.Count != b.Count {
		return a.Count > b.Count
	}
	return a.Token > b.Token
}

// Result filters, orders and finishes the vocabulary (TFT
// _ApplyThresholdsAndTopK and _VocabularyOrderAndWriteImpl; SEMANTICS 1.5):
// the frequency threshold first, then top_k, then ordering (by count, or by
// fingerprint), reserved tokens, and the dummy entry of an empty vocabulary.
// It does not modify the accumulator.
func (v *Vocabulary) Result(opts VocabOptions) (*VocabResult, error) {
	if opts.TopK < 0 {
		return nil, fmt.Errorf("top_k must be positive, but got: %d", opts.TopK)
	}
	if opts.FrequencyThreshold < 0 || math.IsNaN(opts.FrequencyThreshold) {
		return nil, fmt.Errorf("frequency_threshold must be non-negative, but got: %v", opts.FrequencyThreshold)
	}
	entries := make([]VocabEntry, 0, len(v.Counts))
	for t, c := range v.Counts {
		if opts.FrequencyThreshold > 0 && !(c >= opts.FrequencyThreshold) {
			continue
		}
		entries = append(entries, VocabEntry{Token: t, Count: c})
	}
	sort.Slice(entries, func(i, j int) bool { return vocabLess(entries[i], entries[j]) })
	dummy := EmptyStringVocabDummy
	if v.DType != String {
		dummy = EmptyIntVocabDummy
	}
	if opts.TopK > 0 {
		if len(entries) > opts.TopK {
			entries = entries[:opts.TopK]
		}
		// The top_k branch adds the dummy right after Top.Of, before the
		// reserved tokens are applied.
		if len(entries) == 0 {
			entries = append(entries, VocabEntry{Token: dummy, Count: 1})
		}
	}
	res := &VocabResult{Weighted: v.Weighted}
	nReserved := int64(len(opts.ReservedTokens))
	res.UnfilteredSize = max(int64(len(v.Counts)), 1) + nReserved
	res.FilteredSize = max(int64(len(entries)), 1) + nReserved
	if opts.ReservedTokens != nil {
		reserved := make(map[string]bool, len(opts.ReservedTokens))
		for _, t := range opts.ReservedTokens {
			reserved[t] = true
		}
		kept := entries[:0:0]
		for _, e := range entries {
			if !reserved[e.Token] {
				kept = append(kept, e)
			}
		}
		entries = kept
	}
	if opts.FingerprintShuffle {
		sort.SliceStable(entries, func(i, j int) bool {
			a, b := sha1.Sum([]byte(entries[i].Token)), sha1.Sum([]byte(entries[j].Token))
			return bytes.Compare(a[:], b[:]) < 0
		})
	}
	if opts.ReservedTokens != nil {
		head := make([]VocabEntry, 0, len(opts.ReservedTokens)+len(entries))
		for _, t := range opts.ReservedTokens {
			head = append(head, VocabEntry{Token: t, Count: -1})
		}
		entries = append(head, entries...)
	}
	if len(entries) == 0 {
		entries = append(entries, VocabEntry{Token: dummy, Count: 1})
	}
	res.Entries = entries
	return res, nil
}

// DocFreq is the analysis tft.tfidf needs (TFT mappers.tfidf,
// _count_docs_with_term; SEMANTICS 1.8): for each term id of an integerized
// (vocabulary-mapped) feature, the number of rows (documents) that contain
// it, and the number of rows N, empty rows included. Ids are first wrapped
// into [0, vocabSize) (tf_utils.to_vocab_range: x mod vocab_size, so the OOV
// default −1 counts as vocabSize−1). Memory is O(vocabSize).
type DocFreq struct {
	// DF[i] is the number of documents containing term i.
	DF []int64
	// N is the number of documents.
	N int64

	seen []int64 // scratch: last document that counted each term
}

// NewDocFreq returns an empty accumulator for a vocabulary of vocabSize ids
// (OOV buckets included).
func NewDocFreq(vocabSize int) (*DocFreq, error) {
	if vocabSize <= 0 {
		return nil, fmt.Errorf("analyze: vocab_size must be positive, got %d", vocabSize)
	}
	return &DocFreq{DF: make([]int64, vocabSize)}, nil
}

// AddDocument adds one row's term ids.
func (d *DocFreq) AddDocument(ids []int64) {
	if d.seen == nil {
		d.seen = make([]int64, len(d.DF))
	}
	d.N++
	for _, id := range ids {
		t := wrapID(id, len(d.DF))
		if d.seen[t] != d.N {
			d.seen[t] = d.N
			d.DF[t]++
		}
	}
}

func wrapID(id int64, n int) int {
	m := id % int64(n)
	if m < 0 {
		m += int64(n)
	}
	return int(m)
}

// Merge adds another accumulator of the same vocabulary size.
func (d *DocFreq) Merge(o *DocFreq) error {
	if len(o.DF) != len(d.DF) {
		return fmt.Errorf("analyze: merging document frequencies of %d and %d terms", len(o.DF), len(d.DF))
	}
	for i, c := range o.DF {
		d.DF[i] += c
	}
	d.N += o.N
	d.seen = nil // document numbers no longer identify rows of this shard
	return nil
}

// IDF is tfidf's inverse document frequency (TFT
// tf_utils.document_frequency_to_idf; SEMANTICS 1.8): smooth
// 1 + ln((N+1)/(df+1)), otherwise 1 + ln(N/df).
func IDF(df, n int64, smooth bool) float64 {
	if smooth {
		return 1 + math.Log(float64(n+1)/float64(df+1))
	}
	return 1 + math.Log(float64(n)/float64(df))
}
