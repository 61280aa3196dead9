package examplegen

import (
	"fmt"
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/tfxc/tfxc/runtime/batch"
)

// Column is a feature the pipeline reads: its name in the CSV header or
// the tf.Example, and its kind from the schema.
type Column struct {
	Name string
	Kind batch.Kind
	// Optional lets a CSV file's header lack the column, which then reads
	// as missing in every row of that file. A column that is not optional
	// and absent from a header fails the whole file.
	Optional bool
}

// The reasons a record is not read. Every bad row has one of them.
const (
	// ReasonFieldCount: a CSV record with more or fewer cells than its
	// header.
	ReasonFieldCount = "field_count"
	// ReasonQuote: a CSV record whose quotes do not follow RFC 4180 (a
	// quote inside an unquoted cell, text after a closing quote, a quote
	// never closed).
	ReasonQuote = "bad_quote"
	// ReasonInt: an INT cell that strconv.ParseInt rejects.
	ReasonInt = "bad_int"
	// ReasonFloat: a FLOAT cell that strconv.ParseFloat rejects, including
	// values beyond float32's range.
	ReasonFloat = "bad_float"
	// ReasonUTF8: a BYTES cell of a CSV record that is not valid UTF-8.
	ReasonUTF8 = "invalid_utf8"
	// ReasonRecord: a TFRecord record whose data fails its checksum or
	// is not a tf.Example.
	ReasonRecord = "bad_record"
	// ReasonKind: a tf.Example feature of another kind than the schema's
	// (tfx_bsl example_coder: "Feature had wrong type").
	ReasonKind = "wrong_kind"
)

// Reasons lists the reasons readers give, in a fixed order.
func Reasons() []string {
	return []string{ReasonFieldCount, ReasonQuote, ReasonInt, ReasonFloat, ReasonUTF8, ReasonRecord, ReasonKind}
}

// BadRow is a record that was not read, with where it is and why.
type BadRow struct {
	File string `json:"file"`
	// Line is the 1-based line where a CSV record starts, or the 0-based
	// number of a TFRecord record in its file.
	Line int64 `json:"line"`
	// Offset is the byte offset of a TFRecord record; 0 for CSV.
	Offset int64  `json:"offset,omitempty"`
	Reason string `json:"reason"`
	Column string `json:"column,omitempty"` // the feature at fault, if one is
	Detail string `json:"detail,omitempty"`
	// Raw is the record's text without its line end, cut to MaxRaw bytes;
	// empty for TFRecord records.
	Raw string `json:"raw,omitempty"`
}

// MaxRaw is the most bytes of a record that a BadRow keeps.
const MaxRaw = 1024

// rawText returns rec without its line end, cut to MaxRaw bytes at a
// character boundary.
func rawText(rec []byte) string {
	rec = trimEOL(rec)
	if len(rec) <= MaxRaw {
		return string(rec)
	}
	cut := MaxRaw
	for cut > MaxRaw-utf8.UTFMax && !utf8.RuneStart(rec[cut]) {
		cut--
	}
	return string(rec[:cut]) + "…"
}

// Counts counts bad rows by reason. Counts from shards merge by addition,
// in any order.
type Counts map[string]int64

// Add counts one more row for reason.
func (c Counts) Add(reason string) { c[reason]++ }

// Merge adds o's counts to c.
func (c Counts) Merge(o Counts) {
	for k, n := range o {
		c[k] += n
	}
}

// Total is the number of rows counted.
func (c Counts) Total() int64 {
	var n int64
	for _, v := range c {
		n += v
	}
	return n
}

// String lists the counts by reason, sorted.
func (c Counts) String() string {
	s := ""
	for _, k := range slices.Sorted(maps.Keys(c)) {
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("%s: %d", k, c[k])
	}
	return "{" + s + "}"
}

// Report is what reading a shard found besides the rows it emitted.
type Report struct {
	Rows    int64    // rows emitted in batches
	Blank   int64    // empty CSV lines, skipped as encoding/csv does
	Bad     Counts   // bad rows by reason
	BadRows []BadRow // every bad row, in file order
}

func (r *Report) bad(b BadRow) {
	if r.Bad == nil {
		r.Bad = Counts{}
	}
	r.Bad.Add(b.Reason)
	r.BadRows = append(r.BadRows, b)
}
