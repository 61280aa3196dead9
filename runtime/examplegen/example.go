package examplegen

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/tfxc/tfxc/runtime/batch"
	"github.com/tfxc/tfxc/runtime/tfrecord"
)

// encoder turns rows into serialized tf.Examples. It writes the protobuf
// wire format directly, byte for byte what proto.MarshalOptions{
// Deterministic: true} writes for the same Example (map entries sorted by
// key, packed numbers, empty lists kept as present features; the tests
// compare the two), at a small fraction of the cost.
type encoder struct {
	order []int // the columns sorted by name, the order of map keys
	buf   []byte
	sizes []int // per column of the row: the size of its Feature, -1 when missing
}

func newEncoder(b *batch.Batch) *encoder {
	e := &encoder{order: make([]int, len(b.Columns)), sizes: make([]int, len(b.Columns))}
	for i := range e.order {
		e.order[i] = i
	}
	slices.SortStableFunc(e.order, func(x, y int) int { return strings.Compare(b.Columns[x].Name, b.Columns[y].Name) })
	return e
}

// listSize is the size of the value list of column c in row r: the
// contents of an Int64List, FloatList or BytesList message.
func listSize(c *batch.Column, lo, hi int) int {
	switch c.Kind {
	case batch.Int:
		if lo == hi {
			return 0
		}
		n := 0
		for _, v := range c.Ints[lo:hi] {
			n += protowire.SizeVarint(uint64(v))
		}
		return 1 + protowire.SizeBytes(n)
	case batch.Float:
		if lo == hi {
			return 0
		}
		return 1 + protowire.SizeBytes(4*(hi-lo))
	default:
		n := 0
		for _, v := range c.Strings[lo:hi] {
			n += 1 + protowire.SizeBytes(len(v))
		}
		return n
	}
}

// Field numbers of tf.Example's messages (tensorflow/core/example).
const (
	fieldFeatures  = 1 // Example.features, Features.feature (the map)
	fieldMapKey    = 1
	fieldMapValue  = 2
	fieldBytesList = 1 // Feature.kind
	fieldFloatList = 2
	fieldInt64List = 3
	fieldValue     = 1 // the lists' value
)

// encode returns row r of b as a serialized tf.Example, valid until the
// next call. A missing value is an absent feature; a present empty list a
// feature with an empty list of its kind.
func (e *encoder) encode(b *batch.Batch, r int) []byte {
	features := 0 // size of the Features message
	for _, i := range e.order {
		c := b.Columns[i]
		if c.Missing[r] {
			e.sizes[i] = -1
			continue
		}
		lo, hi := c.Values(r)
		feat := 1 + protowire.SizeBytes(listSize(c, lo, hi))
		e.sizes[i] = feat
		entry := 1 + protowire.SizeBytes(len(c.Name)) + 1 + protowire.SizeBytes(feat)
		features += 1 + protowire.SizeBytes(entry)
	}
	// Features is present even when it holds no feature.
	buf := protowire.AppendTag(e.buf[:0], fieldFeatures, protowire.BytesType)
	buf = protowire.AppendVarint(buf, uint64(features))
	for _, i := range e.order {
		feat := e.sizes[i]
		if feat < 0 {
			continue
		}
		c := b.Columns[i]
		lo, hi := c.Values(r)
		entry := 1 + protowire.SizeBytes(len(c.Name)) + 1 + protowire.SizeBytes(feat)
		buf = protowire.AppendTag(buf, fieldFeatures, protowire.BytesType)
		buf = protowire.AppendVarint(buf, uint64(entry))
		buf = protowire.AppendTag(buf, fieldMapKey, protowire.BytesType)
		buf = protowire.AppendString(buf, c.Name)
		buf = protowire.AppendTag(buf, fieldMapValue, protowire.BytesType)
		buf = protowire.AppendVarint(buf, uint64(feat))
		list := listSize(c, lo, hi)
		switch c.Kind {
		case batch.Int:
			buf = protowire.AppendTag(buf, fieldInt64List, protowire.BytesType)
			buf = protowire.AppendVarint(buf, uint64(list))
			if lo < hi {
				buf = protowire.AppendTag(buf, fieldValue, protowire.BytesType)
				n := 0
				for _, v := range c.Ints[lo:hi] {
					n += protowire.SizeVarint(uint64(v))
				}
				buf = protowire.AppendVarint(buf, uint64(n))
				for _, v := range c.Ints[lo:hi] {
					buf = protowire.AppendVarint(buf, uint64(v))
				}
			}
		case batch.Float:
			buf = protowire.AppendTag(buf, fieldFloatList, protowire.BytesType)
			buf = protowire.AppendVarint(buf, uint64(list))
			if lo < hi {
				buf = protowire.AppendTag(buf, fieldValue, protowire.BytesType)
				buf = protowire.AppendVarint(buf, uint64(4*(hi-lo)))
				for _, v := range c.Floats[lo:hi] {
					buf = protowire.AppendFixed32(buf, math.Float32bits(v))
				}
			}
		default:
			buf = protowire.AppendTag(buf, fieldBytesList, protowire.BytesType)
			buf = protowire.AppendVarint(buf, uint64(list))
			for _, v := range c.Strings[lo:hi] {
				buf = protowire.AppendTag(buf, fieldValue, protowire.BytesType)
				buf = protowire.AppendString(buf, v)
			}
		}
	}
	e.buf = buf
	return buf
}

// ToExamples serializes each row of b as a tf.Example, in row order, and
// hands it to emit; emit must not keep the slice after it returns. The
// serialization is deterministic (features sorted by name), so equal rows
// give equal bytes. A missing value is an absent feature.
func ToExamples(b *batch.Batch, emit func([]byte) error) error {
	if err := b.Check(); err != nil {
		return err
	}
	e := newEncoder(b)
	for r := range b.Rows() {
		if err := emit(e.encode(b, r)); err != nil {
			return err
		}
	}
	return nil
}

// FromExamples decodes serialized tf.Examples into a batch of the given
// columns, the inverse of ToExamples. Features not among the columns are
// ignored. It fails on the first record that does not decode or holds a
// feature of the wrong kind.
func FromExamples(records [][]byte, columns []Column) (*batch.Batch, error) {
	var out *batch.Batch
	report := Report{}
	bl := newBuilder("", columns, len(records)+1, func(b *batch.Batch) error { out = b; return nil }, &report)
	d := newWireDecoder(columns)
	for i, rec := range records {
		if reason, col, detail := d.decode(bl, rec); reason != "" {
			return nil, fmt.Errorf("record %d: %s %s", i, col, detail)
		}
		if err := bl.endRow(int64(i)); err != nil {
			return nil, err
		}
	}
	if err := bl.flush(); err != nil {
		return nil, err
	}
	if out == nil {
		out = bl.batch()
	}
	return out, nil
}

// ReadTFRecord reads the tf.Examples of a TFRecord shard (planned by
// PlanTFRecord) into batches of up to batchRows rows holding the given
// columns, and hands each to emit. A feature absent from an example (or
// present without a kind) is a missing value. A record whose data fails
// its checksum, that is not a tf.Example, or that holds a feature of
// another kind than its column's is a bad row, located by its record
// number and offset. A corrupt record header or a truncated file fails
// the shard, since the records after it cannot be found.
func ReadTFRecord(shard Shard, columns []Column, batchRows int, emit func(*batch.Batch) error) (Report, error) {
	report := Report{Bad: Counts{}}
	if err := checkColumns(shard.Path, columns); err != nil {
		return report, err
	}
	f, err := os.Open(shard.Path)
	if err != nil {
		return report, err
	}
	defer f.Close()
	var r *tfrecord.Reader
	if shard.Gzip {
		zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
		if err != nil {
			return report, fmt.Errorf("%s: %w", shard.Path, err)
		}
		defer zr.Close()
		r = tfrecord.NewReader(zr)
	} else {
		r = tfrecord.NewRangeReader(f, shard.Start, shard.End)
	}
	bl := newBuilder(shard.Path, columns, batchRows, emit, &report)
	d := newWireDecoder(columns)
	for index := shard.Line; ; index++ {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		bad := func(reason, column, detail string) {
			report.bad(BadRow{File: shard.Path, Line: index, Offset: r.Offset(), Reason: reason, Column: column, Detail: detail})
		}
		var ce *tfrecord.CorruptError
		if errors.As(err, &ce) && ce.Data {
			bad(ReasonRecord, "", ce.What)
			continue
		}
		if err != nil {
			return report, fmt.Errorf("%s: %w", shard.Path, err)
		}
		if reason, col, detail := d.decode(bl, rec); reason != "" {
			bl.undo()
			bad(reason, col, detail)
			continue
		}
		if err := bl.endRow(index); err != nil {
			return report, err
		}
	}
	return report, bl.flush()
}
