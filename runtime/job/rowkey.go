package job

import (
	"encoding/binary"
	"math"

	"github.com/dgryski/go-farm"

	"github.com/tfxc/tfxc/runtime/batch"
)

// RowKeys returns, for each row of b, the FarmHash Fingerprint64 of the
// row's canonical encoding: for every column in order, a missing flag, the
// number of values and the values themselves (ints and float bits as
// little-endian 8 and 4 bytes, strings with their length). The split of an
// example is drawn from this key, so it depends on the example's values
// alone: not on the file's layout, its sharding, or whether it came from
// CSV or TFRecord. (TFX's ExampleGen likewise hashes the example, by
// default its serialized tf.Example, into buckets.)
func RowKeys(b *batch.Batch) []uint64 {
	keys := make([]uint64, b.Rows())
	var buf []byte
	for r := range keys {
		buf = buf[:0]
		for _, c := range b.Columns {
			if c.Missing[r] {
				buf = append(buf, 0)
				continue
			}
			lo, hi := c.Values(r)
			buf = append(buf, 1)
			buf = binary.AppendUvarint(buf, uint64(hi-lo))
			switch c.Kind {
			case batch.Int:
				for _, v := range c.Ints[lo:hi] {
					buf = binary.LittleEndian.AppendUint64(buf, uint64(v))
				}
			case batch.Float:
				for _, v := range c.Floats[lo:hi] {
					buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
				}
			default:
				for _, v := range c.Strings[lo:hi] {
					buf = binary.AppendUvarint(buf, uint64(len(v)))
					buf = append(buf, v...)
				}
			}
		}
		keys[r] = farm.Fingerprint64(buf)
	}
	return keys
}

// SplitOf assigns a key to a split by weights: bucket key mod the sum of
// the weights, the first weights[0] buckets to split 0, and so on.
func SplitOf(key uint64, weights []int64) int {
	var total int64
	for _, w := range weights {
		total += w
	}
	bucket := int64(key % uint64(total))
	for i, w := range weights {
		if bucket < w {
			return i
		}
		bucket -= w
	}
	return len(weights) - 1
}

// SplitRows groups the rows of b by split.
func SplitRows(b *batch.Batch, weights []int64) [][]int {
	rows := make([][]int, len(weights))
	for r, k := range RowKeys(b) {
		s := SplitOf(k, weights)
		rows[s] = append(rows[s], r)
	}
	return rows
}
