package examplegen

import (
	"bytes"
	"compress/gzip"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/runtime/batch"
	"github.com/tfxc/tfxc/runtime/tfrecord"
)

var exampleColumns = []Column{{Name: "i", Kind: batch.Int}, {Name: "f", Kind: batch.Float}, {Name: "s", Kind: batch.Bytes}}

// sampleBatch has missing values, empty lists and lists of several values.
func sampleBatch() *batch.Batch {
	b := &batch.Batch{}
	i := batch.NewColumn("i", batch.Int)
	f := batch.NewColumn("f", batch.Float)
	s := batch.NewColumn("s", batch.Bytes)
	i.AppendInts(1)
	f.AppendFloats(2.5)
	s.AppendStrings("a")
	i.AppendMissing()
	f.AppendFloats()
	s.AppendStrings("b", "", "\xff")
	i.AppendInts(-1, math.MaxInt64)
	f.AppendMissing()
	s.AppendMissing()
	i.AppendInts()
	f.AppendFloats(float32(math.NaN()), float32(math.Inf(-1)))
	s.AppendStrings()
	b.Columns = []*batch.Column{i, f, s}
	return b
}

func toExamples(t testing.TB, b *batch.Batch) [][]byte {
	t.Helper()
	var recs [][]byte
	if err := ToExamples(b, func(rec []byte) error { recs = append(recs, bytes.Clone(rec)); return nil }); err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestExamplesRoundTrip(t *testing.T) {
	b := sampleBatch()
	recs := toExamples(t, b)
	if len(recs) != 4 {
		t.Fatalf("%d examples", len(recs))
	}
	back, err := FromExamples(recs, exampleColumns)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rowsOfNoLines(back), rowsOfNoLines(b); !slices.Equal(got, want) {
		t.Fatalf("round trip\n%v\nwant\n%v", got, want)
	}
	// Missing is an absent feature, an empty list a present one.
	ex := &tfpb.Example{}
	if err := proto.Unmarshal(recs[1], ex); err != nil {
		t.Fatal(err)
	}
	feats := ex.GetFeatures().GetFeature()
	if _, ok := feats["i"]; ok {
		t.Errorf("a missing value is a feature: %v", feats["i"])
	}
	if fl := feats["f"].GetFloatList(); fl == nil || len(fl.Value) != 0 {
		t.Errorf("an empty list is %v", feats["f"])
	}
	// The bytes are the deterministic serialization of that Example, and
	// the same on every call.
	want, err := proto.MarshalOptions{Deterministic: true}.Marshal(ex)
	if err != nil || !bytes.Equal(want, recs[1]) {
		t.Errorf("serialization is not deterministic proto")
	}
	if again := toExamples(t, b); !slices.EqualFunc(again, recs, bytes.Equal) {
		t.Errorf("serialization differs between calls")
	}
	// The wrong kind and garbage are errors.
	if _, err := FromExamples(recs, []Column{{Name: "i", Kind: batch.Float}}); err == nil {
		t.Errorf("an int64_list read as float")
	}
	if _, err := FromExamples([][]byte{{0xff, 0xff}}, exampleColumns); err == nil {
		t.Errorf("garbage decodes")
	}
}

func rowsOfNoLines(b *batch.Batch) []string {
	var out []string
	c := *b
	c.Lines = make([]int64, b.Rows())
	for _, r := range rowsOf(&c) {
		out = append(out, r.Values)
	}
	return out
}

// writeShard writes records through a ShardWriter and returns its path.
func writeShard(t testing.TB, dir string, recs [][]byte) string {
	t.Helper()
	w, err := NewShardWriter(dir, ShardName(0, 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.Path()
}

func readAllTFRecord(t testing.TB, path string, target int64, cols []Column) ([]row, Report) {
	t.Helper()
	shards, err := PlanTFRecord([]string{path}, target)
	if err != nil {
		t.Fatal(err)
	}
	var rows []row
	total := Report{Bad: Counts{}}
	for _, s := range shards {
		rep, err := ReadTFRecord(s, cols, 2, func(b *batch.Batch) error {
			if err := b.Check(); err != nil {
				t.Fatal(err)
			}
			rows = append(rows, rowsOf(b)...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		total.Rows += rep.Rows
		total.Bad.Merge(rep.Bad)
		total.BadRows = append(total.BadRows, rep.BadRows...)
	}
	return rows, total
}

func TestReadTFRecord(t *testing.T) {
	recs := toExamples(t, sampleBatch())
	wrong := &tfpb.Example{Features: &tfpb.Features{Feature: map[string]*tfpb.Feature{
		"s": {Kind: &tfpb.Feature_Int64List{Int64List: &tfpb.Int64List{Value: []int64{1}}}},
	}}}
	wrongRec, _ := proto.Marshal(wrong)
	kindless := &tfpb.Example{Features: &tfpb.Features{Feature: map[string]*tfpb.Feature{"i": {}}}}
	kindlessRec, _ := proto.Marshal(kindless)
	all := append(slices.Clone(recs), wrongRec, []byte{0xff, 0xff, 0xff}, kindlessRec)
	path := writeShard(t, t.TempDir(), all)
	want, wantRep := readAllTFRecord(t, path, 0, exampleColumns)
	if len(want) != 5 || want[4] != (row{6, "∅|∅|∅|"}) || want[3].Line != 3 {
		t.Fatalf("rows %v", want)
	}
	type bad struct {
		line           int64
		reason, column string
	}
	var got []bad
	for _, b := range wantRep.BadRows {
		got = append(got, bad{b.Line, b.Reason, b.Column})
	}
	if !slices.Equal(got, []bad{{4, ReasonKind, "s"}, {5, ReasonRecord, ""}}) {
		t.Fatalf("bad rows %v", wantRep.BadRows)
	}
	// Every sharding reads the same.
	size := fileSize(t, path)
	for target := int64(1); target <= size; target += 7 {
		rows, rep := readAllTFRecord(t, path, target, exampleColumns)
		if !slices.Equal(rows, want) || !slices.Equal(rep.BadRows, wantRep.BadRows) {
			t.Fatalf("target %d reads %v, %v", target, rows, rep.BadRows)
		}
	}
	// A flipped bit in a record's data is a bad row at its offset.
	data, _ := os.ReadFile(path)
	second := int64(tfrecord.HeaderSize + len(recs[0]) + tfrecord.FooterSize)
	data[second+tfrecord.HeaderSize+1] ^= 4
	bad2 := filepath.Join(t.TempDir(), "flipped.tfrecord")
	if err := os.WriteFile(bad2, data, 0o644); err != nil {
		t.Fatal(err)
	}
	rows, rep := readAllTFRecord(t, bad2, 0, exampleColumns)
	if len(rows) != 4 || rep.BadRows[0].Line != 1 || rep.BadRows[0].Offset != second || rep.BadRows[0].Reason != ReasonRecord ||
		!strings.Contains(rep.BadRows[0].Detail, "checksum") {
		t.Fatalf("flipped bit: %v rows, %+v", len(rows), rep.BadRows)
	}
	// A flipped bit in a header fails planning, with the offset.
	data[second+tfrecord.HeaderSize+1] ^= 4
	data[second+3] ^= 1
	if err := os.WriteFile(bad2, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var ce *tfrecord.CorruptError
	if _, err := PlanTFRecord([]string{bad2}, 0); !errors.As(err, &ce) || ce.Offset != second {
		t.Fatalf("a corrupt header plans: %v", err)
	}
}

func fileSize(t testing.TB, path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// TestCSVToTFRecord reads a CSV, writes its rows as tf.Examples and reads
// them back: the same values.
func TestCSVToTFRecord(t *testing.T) {
	path := writeFile(t, "d.csv", "s,i,f,x\n\"a,b\",1,1.5,x\n,,,\nc,-3,1e-3,y\n")
	cols := []Column{{Name: "i", Kind: batch.Int}, {Name: "f", Kind: batch.Float}, {Name: "s", Kind: batch.Bytes}}
	shards, header, err := PlanCSV(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	var recs [][]byte
	var want []string
	if _, err := ReadCSV(shards[0], header, cols, 10, func(b *batch.Batch) error {
		want = append(want, rowsOfNoLines(b)...)
		recs = append(recs, toExamples(t, b)...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	out := writeShard(t, t.TempDir(), recs)
	rows, rep := readAllTFRecord(t, out, 0, cols)
	var got []string
	for _, r := range rows {
		got = append(got, r.Values)
	}
	if !slices.Equal(got, want) || len(want) != 3 || rep.Bad.Total() != 0 {
		t.Fatalf("%v, want %v", got, want)
	}
}

func BenchmarkToExamples(b *testing.B) {
	batches := taxiBatches(b)
	rows := 0
	for _, bt := range batches {
		rows += bt.Rows()
	}
	b.ResetTimer()
	for b.Loop() {
		for _, bt := range batches {
			if err := ToExamples(bt, func([]byte) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestEncoderIsDeterministicProto compares the hand-written encoding with
// proto's deterministic Marshal of the same Example, on random batches.
func TestEncoderIsDeterministicProto(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	names := []string{"b", "a", "zz", "", "é", "a2", "long_feature_name_" + strings.Repeat("x", 200)}
	for trial := range 300 {
		b := &batch.Batch{}
		ncols := rng.IntN(len(names) + 1)
		for _, k := range rng.Perm(len(names))[:ncols] {
			c := batch.NewColumn(names[k], batch.Kind(1+rng.IntN(3)))
			b.Columns = append(b.Columns, c)
		}
		rows := 1 + rng.IntN(5)
		for _, c := range b.Columns {
			for range rows {
				n := rng.IntN(4)
				if n == 3 {
					n = 200 // long lists need two-byte lengths
				}
				switch {
				case rng.IntN(4) == 0:
					c.AppendMissing()
				case c.Kind == batch.Int:
					var vs []int64
					for range n {
						vs = append(vs, int64(rng.Uint64())>>rng.IntN(64))
					}
					c.AppendInts(vs...)
				case c.Kind == batch.Float:
					var vs []float32
					for range n {
						vs = append(vs, float32(rng.NormFloat64()))
					}
					c.AppendFloats(vs...)
				default:
					var vs []string
					for range n {
						vs = append(vs, strings.Repeat("v", rng.IntN(300)))
					}
					c.AppendStrings(vs...)
				}
			}
		}
		if len(b.Columns) == 0 {
			b.Lines = make([]int64, rows)
		}
		got := toExamples(t, b)
		for r := range b.Rows() {
			ex := &tfpb.Example{Features: &tfpb.Features{Feature: map[string]*tfpb.Feature{}}}
			for _, c := range b.Columns {
				if c.Missing[r] {
					continue
				}
				lo, hi := c.Values(r)
				f := &tfpb.Feature{}
				switch c.Kind {
				case batch.Int:
					f.Kind = &tfpb.Feature_Int64List{Int64List: &tfpb.Int64List{Value: c.Ints[lo:hi]}}
				case batch.Float:
					f.Kind = &tfpb.Feature_FloatList{FloatList: &tfpb.FloatList{Value: c.Floats[lo:hi]}}
				default:
					var vs [][]byte
					for _, s := range c.Strings[lo:hi] {
						vs = append(vs, []byte(s))
					}
					f.Kind = &tfpb.Feature_BytesList{BytesList: &tfpb.BytesList{Value: vs}}
				}
				ex.Features.Feature[c.Name] = f
			}
			want, err := proto.MarshalOptions{Deterministic: true}.Marshal(ex)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got[r], want) {
				t.Fatalf("trial %d row %d:\n got % x\nwant % x", trial, r, got[r], want)
			}
		}
	}
}

// TestReadGzipTFRecord: a GZIP-compressed TFRecord file (as TFX's
// ExampleGen writes them) is one shard and reads as the plain file does,
// bad rows included; a truncated one fails the shard, naming the file.
func TestReadGzipTFRecord(t *testing.T) {
	recs := append(toExamples(t, sampleBatch()), []byte{0xff, 0xff, 0xff})
	plain := writeShard(t, t.TempDir(), recs)
	want, wantRep := readAllTFRecord(t, plain, 0, exampleColumns)

	data, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write(data)
	zw.Close()
	gz := filepath.Join(t.TempDir(), "data.tfrecord.gz")
	if err := os.WriteFile(gz, zipped.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	shards, err := PlanTFRecord([]string{gz}, 1)
	if err != nil || len(shards) != 1 || !shards[0].Gzip {
		t.Fatalf("shards %+v, %v; want one gzip shard", shards, err)
	}
	got, rep := readAllTFRecord(t, gz, 1, exampleColumns)
	if !slices.Equal(got, want) || rep.Rows != wantRep.Rows || len(rep.BadRows) != 1 || rep.BadRows[0].Reason != ReasonRecord {
		t.Errorf("gzip read %v (%+v), the plain file %v (%+v)", got, rep, want, wantRep)
	}

	cut := filepath.Join(t.TempDir(), "cut.tfrecord.gz")
	if err := os.WriteFile(cut, zipped.Bytes()[:zipped.Len()-12], 0o644); err != nil {
		t.Fatal(err)
	}
	shards, err = PlanTFRecord([]string{cut}, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ReadTFRecord(shards[0], exampleColumns, 2, func(*batch.Batch) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "cut.tfrecord.gz") {
		t.Errorf("a truncated gzip file read with %v", err)
	}
}
