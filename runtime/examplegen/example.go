package examplegen

import (
	"errors"
	"fmt"
	"io"
	"os"

	"google.golang.org/protobuf/proto"

	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/runtime/batch"
	"github.com/tfxc/tfxc/runtime/tfrecord"
)

// encoder turns rows into serialized tf.Examples, reusing its messages.
type encoder struct {
	ex    tfpb.Example
	feats []*tfpb.Feature // one per column, reused
	buf   []byte
	opts  proto.MarshalOptions
}

func newEncoder(b *batch.Batch) *encoder {
	e := &encoder{opts: proto.MarshalOptions{Deterministic: true}}
	e.ex.Features = &tfpb.Features{Feature: make(map[string]*tfpb.Feature, len(b.Columns))}
	for _, c := range b.Columns {
		f := &tfpb.Feature{}
		switch c.Kind {
		case batch.Int:
			f.Kind = &tfpb.Feature_Int64List{Int64List: &tfpb.Int64List{}}
		case batch.Float:
			f.Kind = &tfpb.Feature_FloatList{FloatList: &tfpb.FloatList{}}
		default:
			f.Kind = &tfpb.Feature_BytesList{BytesList: &tfpb.BytesList{}}
		}
		e.feats = append(e.feats, f)
	}
	return e
}

// encode returns row r of b as a serialized tf.Example, valid until the
// next call. A missing value is an absent feature; a present empty list a
// feature with an empty list of its kind.
func (e *encoder) encode(b *batch.Batch, r int) ([]byte, error) {
	m := e.ex.Features.Feature
	clear(m)
	for i, c := range b.Columns {
		if c.Missing[r] {
			continue
		}
		lo, hi := c.Values(r)
		f := e.feats[i]
		switch k := f.Kind.(type) {
		case *tfpb.Feature_Int64List:
			k.Int64List.Value = c.Ints[lo:hi]
		case *tfpb.Feature_FloatList:
			k.FloatList.Value = c.Floats[lo:hi]
		case *tfpb.Feature_BytesList:
			vs := k.BytesList.Value[:0]
			for _, s := range c.Strings[lo:hi] {
				vs = append(vs, []byte(s))
			}
			k.BytesList.Value = vs
		}
		m[c.Name] = f
	}
	var err error
	e.buf, err = e.opts.MarshalAppend(e.buf[:0], &e.ex)
	if err != nil {
		return nil, fmt.Errorf("serializing row %d as a tf.Example: %w", r, err)
	}
	return e.buf, nil
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
		rec, err := e.encode(b, r)
		if err != nil {
			return err
		}
		if err := emit(rec); err != nil {
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
	d := decoder{}
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

// decoder turns serialized tf.Examples into rows.
type decoder struct {
	ex tfpb.Example
}

// decode appends rec as a row of the builder's batch. When the record is
// bad it returns why, leaving the row partly appended for the caller to
// take back.
func (d *decoder) decode(bl *builder, rec []byte) (reason, column, detail string) {
	b := bl.batch()
	if err := proto.Unmarshal(rec, &d.ex); err != nil {
		return ReasonRecord, "", fmt.Sprintf("not a tf.Example: %v", err)
	}
	feats := d.ex.GetFeatures().GetFeature()
	for i, c := range bl.cols {
		col := b.Columns[i]
		f := feats[c.Name]
		switch k := f.GetKind().(type) {
		case nil:
			// Absent, or present without a kind: tfx_bsl example_coder
			// treats a feature with no kind as missing (null).
			col.AppendMissing()
		case *tfpb.Feature_Int64List:
			if c.Kind != batch.Int {
				return ReasonKind, c.Name, fmt.Sprintf("an int64_list where the schema says %s", c.Kind)
			}
			col.AppendInts(k.Int64List.GetValue()...)
		case *tfpb.Feature_FloatList:
			if c.Kind != batch.Float {
				return ReasonKind, c.Name, fmt.Sprintf("a float_list where the schema says %s", c.Kind)
			}
			col.AppendFloats(k.FloatList.GetValue()...)
		case *tfpb.Feature_BytesList:
			if c.Kind != batch.Bytes {
				return ReasonKind, c.Name, fmt.Sprintf("a bytes_list where the schema says %s", c.Kind)
			}
			for _, v := range k.BytesList.GetValue() {
				col.Strings = append(col.Strings, bl.str(v))
			}
			col.AppendStrings() // ends the row after the values above
		}
	}
	return "", "", ""
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
	r := tfrecord.NewRangeReader(f, shard.Start, shard.End)
	bl := newBuilder(shard.Path, columns, batchRows, emit, &report)
	d := decoder{}
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
