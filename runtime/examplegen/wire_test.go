package examplegen

import (
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/runtime/batch"
)

// protoDecode is the reference the wire decoder must agree with:
// proto.Unmarshal into the generated tf.Example, then each column's
// feature.
func protoDecode(rec []byte, cols []Column) (*batch.Batch, string) {
	var ex tfpb.Example
	if err := proto.Unmarshal(rec, &ex); err != nil {
		return nil, ReasonRecord
	}
	b := &batch.Batch{}
	feats := ex.GetFeatures().GetFeature()
	for _, c := range cols {
		col := batch.NewColumn(c.Name, c.Kind)
		switch k := feats[c.Name].GetKind().(type) {
		case nil:
			col.AppendMissing()
		case *tfpb.Feature_Int64List:
			if c.Kind != batch.Int {
				return nil, ReasonKind
			}
			col.AppendInts(k.Int64List.GetValue()...)
		case *tfpb.Feature_FloatList:
			if c.Kind != batch.Float {
				return nil, ReasonKind
			}
			col.AppendFloats(k.FloatList.GetValue()...)
		case *tfpb.Feature_BytesList:
			if c.Kind != batch.Bytes {
				return nil, ReasonKind
			}
			var vs []string
			for _, v := range k.BytesList.GetValue() {
				vs = append(vs, string(v))
			}
			col.AppendStrings(vs...)
		}
		b.Columns = append(b.Columns, col)
	}
	return b, ""
}

var wireCols = []Column{{Name: "i", Kind: batch.Int}, {Name: "f", Kind: batch.Float}, {Name: "s", Kind: batch.Bytes}}

// wireDecode decodes one record with the wire decoder.
func wireDecode(rec []byte, cols []Column) (*batch.Batch, string) {
	var out *batch.Batch
	report := Report{}
	bl := newBuilder("", cols, 2, func(b *batch.Batch) error { out = b; return nil }, &report)
	d := newWireDecoder(cols)
	if reason, _, _ := d.decode(bl, rec); reason != "" {
		return nil, reason
	}
	if err := bl.endRow(0); err != nil {
		panic(err)
	}
	if err := bl.flush(); err != nil {
		panic(err)
	}
	return out, ""
}

// agree fails the test when the decoders disagree on rec.
func agree(t *testing.T, rec []byte) {
	t.Helper()
	want, wantReason := protoDecode(rec, wireCols)
	got, gotReason := wireDecode(rec, wireCols)
	if wantReason != gotReason {
		t.Fatalf("record %x: proto.Unmarshal says %q, the wire decoder %q", rec, wantReason, gotReason)
	}
	if want == nil {
		return
	}
	opt := cmp.Comparer(func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) })
	for i, c := range want.Columns {
		g := got.Columns[i]
		if diff := cmp.Diff(c.Missing, g.Missing); diff != "" {
			t.Fatalf("record %x column %s missing (-proto +wire):\n%s", rec, c.Name, diff)
		}
		if diff := cmp.Diff([]any{c.Ints, c.Floats, c.Strings}, []any{g.Ints, g.Floats, g.Strings}, opt, cmp.Transformer("nil", func(x []int64) []int64 {
			if len(x) == 0 {
				return nil
			}
			return x
		})); diff != "" && !(len(c.Ints)+len(c.Floats)+len(c.Strings) == 0 && len(g.Ints)+len(g.Floats)+len(g.Strings) == 0) {
			t.Fatalf("record %x column %s (-proto +wire):\n%s", rec, c.Name, diff)
		}
	}
}

// wireSeeds are records that exercise proto's merge rules: repeated
// messages, replaced map entries, switched oneof members, packed and
// unpacked values, unknown fields, wrong wire types, bad UTF-8.
func wireSeeds() [][]byte {
	feature := func(kind protowire.Number, list []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(nil, kind, protowire.BytesType), list)
	}
	entry := func(key string, value ...[]byte) []byte {
		e := protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), []byte(key))
		for _, v := range value {
			e = protowire.AppendBytes(protowire.AppendTag(e, 2, protowire.BytesType), v)
		}
		return e
	}
	example := func(entries ...[]byte) []byte {
		var fs []byte
		for _, e := range entries {
			fs = protowire.AppendBytes(protowire.AppendTag(fs, 1, protowire.BytesType), e)
		}
		return protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), fs)
	}
	packedInts := func(vs ...uint64) []byte {
		var p []byte
		for _, v := range vs {
			p = protowire.AppendVarint(p, v)
		}
		return protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), p)
	}
	unpackedInt := func(v uint64) []byte {
		return protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), v)
	}
	floats := func(vs ...float32) []byte {
		var p []byte
		for _, v := range vs {
			p = protowire.AppendFixed32(p, math.Float32bits(v))
		}
		return protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), p)
	}
	str := func(s string) []byte {
		return protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), []byte(s))
	}
	cat := func(bs ...[]byte) []byte {
		var out []byte
		for _, b := range bs {
			out = append(out, b...)
		}
		return out
	}
	return [][]byte{
		{},
		example(),
		example(entry("i", feature(featureInt64, packedInts(1, 2, 1<<63)))),
		example(entry("i", feature(featureInt64, cat(packedInts(1), unpackedInt(7)))), entry("f", feature(featureFloat, floats(1.5, float32(math.NaN())))), entry("s", feature(featureBytes, cat(str("a"), str(""))))),
		// A later entry replaces an earlier one; a repeated value merges.
		example(entry("i", feature(featureInt64, packedInts(1))), entry("i", feature(featureInt64, packedInts(2)), feature(featureInt64, packedInts(3)))),
		// A oneof member replaces another, then a third starts afresh.
		example(entry("i", cat(feature(featureInt64, packedInts(1)), feature(featureFloat, floats(2)), feature(featureInt64, packedInts(3))))),
		// Kind mismatch; a feature without a kind; an unread feature.
		example(entry("i", feature(featureFloat, floats(1))), entry("f"), entry("zz", feature(featureBytes, str("q")))),
		// Bad UTF-8 in a key; a malformed packed list in an unread feature.
		example(entry("\xff", feature(featureInt64, packedInts(1)))),
		example(entry("zz", feature(featureFloat, protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), []byte{1, 2, 3})))),
		// Wrong wire types are unknown fields; unknown fields are skipped.
		cat(protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 5), protowire.AppendVarint(protowire.AppendTag(nil, 9, protowire.VarintType), 5), example(entry("s", feature(featureBytes, str("x"))))),
		// Two Example.features fields merge.
		cat(example(entry("i", feature(featureInt64, packedInts(4)))), example(entry("s", feature(featureBytes, str("y"))))),
		// Truncated.
		example(entry("i", feature(featureInt64, packedInts(1, 2))))[:7],
		{0x0a, 0x80},
	}
}

func TestWireDecoderAgreesWithProto(t *testing.T) {
	for i, rec := range wireSeeds() {
		t.Run(fmt.Sprint(i), func(t *testing.T) { agree(t, rec) })
	}
}

// FuzzWireDecoder: on any bytes, the wire decoder and proto.Unmarshal
// agree on whether the record is a tf.Example, whether its kinds fit the
// columns, and on every value.
func FuzzWireDecoder(f *testing.F) {
	for _, rec := range wireSeeds() {
		f.Add(rec)
	}
	f.Fuzz(func(t *testing.T, rec []byte) { agree(t, rec) })
}
