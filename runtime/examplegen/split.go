package examplegen

import (
	"fmt"

	"github.com/dgryski/go-farm"

	"github.com/tfxc/tfxc/runtime/batch"
)

// Splitter assigns examples to named splits by deterministic hash
// buckets, as TFX's ExampleGen does with hash_buckets (TFX
// base_example_gen_executor.py, _PartitionFn): a record's hash modulo the
// sum of the weights picks a bucket, and the buckets go to the splits in
// order, Weights[0] buckets to the first split and so on. TFX hashes with
// SHA-256; tfxc uses FarmHash Fingerprint64, so the assignment is stable
// across runs, machines and shardings but not TFX's own.
type Splitter struct {
	Names   []string
	Weights []int
}

// Check reports a splitter without splits, with names and weights of
// different lengths, with a duplicate or empty name, or with a weight
// below 1.
func (s Splitter) Check() error {
	if len(s.Names) == 0 {
		return fmt.Errorf("a split needs at least one name")
	}
	if len(s.Names) != len(s.Weights) {
		return fmt.Errorf("%d split names but %d weights", len(s.Names), len(s.Weights))
	}
	seen := map[string]bool{}
	for i, n := range s.Names {
		if n == "" || seen[n] {
			return fmt.Errorf("split %d has an empty or repeated name %q", i, n)
		}
		seen[n] = true
		if s.Weights[i] < 1 {
			return fmt.Errorf("split %s has weight %d; weights are at least 1", n, s.Weights[i])
		}
	}
	return nil
}

// Split returns the index of the split record goes to: the bucket
// farm.Fingerprint64(record) mod the sum of the weights, mapped to splits
// by cumulative weight. It assumes Check passed, and returns 0 when no
// weight is positive.
func (s Splitter) Split(record []byte) int {
	var total uint64
	for _, w := range s.Weights {
		if w > 0 {
			total += uint64(w)
		}
	}
	if total == 0 {
		return 0
	}
	bucket := farm.Fingerprint64(record) % total
	for i, w := range s.Weights {
		if w <= 0 {
			continue
		}
		if bucket < uint64(w) {
			return i
		}
		bucket -= uint64(w)
	}
	return len(s.Weights) - 1
}

// SplitRows lists, per split, the rows of b that go to it. A row is
// hashed as its deterministic tf.Example serialization (what ToExamples
// writes), the record TFX's ExampleGen hashes (_GeneratePartitionKey:
// record.SerializeToString(deterministic=True)). So a row's split depends
// on its values alone: not on how its CSV text is quoted or line-ended,
// on the file's unused columns or column order, on the sharding, or on
// whether it was read from CSV or TFRecord. It does depend on which
// columns are read.
func (s Splitter) SplitRows(b *batch.Batch) ([][]int, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	if err := b.Check(); err != nil {
		return nil, err
	}
	rows := make([][]int, len(s.Names))
	e := newEncoder(b)
	for r := range b.Rows() {
		i := s.Split(e.encode(b, r))
		rows[i] = append(rows[i], r)
	}
	return rows, nil
}

// SplitBatch splits b into one batch per split (some possibly empty), in
// the order of Names, each keeping b's File and the rows' Lines.
func (s Splitter) SplitBatch(b *batch.Batch) ([]*batch.Batch, error) {
	rows, err := s.SplitRows(b)
	if err != nil {
		return nil, err
	}
	out := make([]*batch.Batch, len(rows))
	for i, rs := range rows {
		out[i] = b.Select(rs)
	}
	return out, nil
}
