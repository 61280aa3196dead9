// Package examplegen is the pipeline's ExampleGen: it plans byte-range
// shards of CSV and TFRecord files, reads a shard into column batches
// (runtime/batch) under the schema's kinds, splits examples into hash
// buckets, turns batches back into tf.Example records, and writes output
// shards and quarantine files so that a retried task never leaves a
// half-written file behind.
//
// Reading never stops at a bad row and never drops one silently: a record
// that cannot be read (wrong number of cells, a number that does not
// parse, invalid UTF-8, a broken quote, an undecodable tf.Example) is left
// out of the batches, counted under one of a small fixed set of reasons,
// and returned as a BadRow naming its file and line, for a
// QuarantineWriter to keep.
//
// # CSV
//
// A CSV file's first record is its header. Records follow RFC 4180 as
// encoding/csv reads them with FieldsPerRecord = -1: fields are separated
// by commas, a field may be quoted with '"' and then hold commas, newlines
// and doubled quotes; "\r\n" reads as "\n"; empty lines are skipped. Record
// boundaries are found by one scan that tracks whether it is inside a
// quoted field: a quote opens one only at the start of a field, a doubled
// quote inside one is a quote, and a newline ends a record unless it is
// inside one. For valid CSV that is quote parity, and exactly where
// encoding/csv ends records; a stray quote inside an unquoted field makes
// its own record a bad row instead of joining the lines after it. PlanCSV
// and ReadCSV use the same scan, so a shard boundary never falls inside a
// quoted field and every record is read once, the same way, in every
// sharding. The scan looks at every byte only on lines that hold a quote;
// other lines cost a search for the newline and one for a quote.
//
// Cells take the schema's kinds: INT with strconv.ParseInt (base 10),
// FLOAT with strconv.ParseFloat(…, 32), BYTES as the cell's text, which
// must be valid UTF-8. An empty cell, quoted or not, is a missing value,
// as in TFX's CSV decoding (tfx_bsl csv_decoder: an empty string is a
// null); a present value is a list of one.
package examplegen
