package tfrecord

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"testing"
)

// records returns n records of random lengths (including empty ones) and
// their TFRecord encoding.
func records(t testing.TB, seed uint64, n, maxLen int) ([][]byte, []byte) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	var buf bytes.Buffer
	w := NewWriter(&buf)
	var recs [][]byte
	for i := range n {
		rec := make([]byte, rng.IntN(maxLen+1))
		for j := range rec {
			rec[j] = byte(rng.Uint32())
		}
		if i%7 == 3 {
			rec = rec[:0]
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	if w.Offset() != int64(buf.Len()) {
		t.Fatalf("Offset %d, wrote %d bytes", w.Offset(), buf.Len())
	}
	return recs, buf.Bytes()
}

func readAll(t testing.TB, r *Reader) ([][]byte, []int64) {
	t.Helper()
	var out [][]byte
	var offs []int64
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out, offs
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, bytes.Clone(rec))
		offs = append(offs, r.Offset())
	}
}

func TestCRC(t *testing.T) {
	// The CRC-32C check value (RFC 3720, B.4; the "123456789" check of the
	// CRC catalogue).
	if got := crc32.Checksum([]byte("123456789"), castagnoli); got != 0xe3069283 {
		t.Fatalf("crc32c(123456789) = %#x, want 0xe3069283", got)
	}
	crc := uint32(0xe3069283)
	if got, want := MaskedCRC([]byte("123456789")), ((crc>>15)|(crc<<17))+0xa282ead8; got != want {
		t.Fatalf("masked = %#x, want %#x", got, want)
	}
	// An empty record is 8 zero bytes of length, their masked CRC, and the
	// masked CRC of nothing: 0 masks to 0xa282ead8.
	var buf bytes.Buffer
	if err := NewWriter(&buf).Write(nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if len(b) != 16 || binary.LittleEndian.Uint32(b[12:]) != 0xa282ead8 {
		t.Fatalf("empty record encodes as % x", b)
	}
}

func TestRoundTrip(t *testing.T) {
	recs, data := records(t, 1, 500, 300)
	got, offs := readAll(t, NewReader(bytes.NewReader(data)))
	if len(got) != len(recs) {
		t.Fatalf("read %d records, wrote %d", len(got), len(recs))
	}
	var off int64
	for i := range recs {
		if !bytes.Equal(got[i], recs[i]) {
			t.Fatalf("record %d differs", i)
		}
		if offs[i] != off {
			t.Fatalf("record %d at offset %d, want %d", i, offs[i], off)
		}
		off += HeaderSize + int64(len(recs[i])) + FooterSize
	}
}

func TestLargeRecord(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), (maxPrealloc+100)/16)
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, rec := range [][]byte{[]byte("a"), big, []byte("b")} {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := readAll(t, NewReader(bytes.NewReader(buf.Bytes())))
	if len(got) != 3 || !bytes.Equal(got[1], big) || string(got[2]) != "b" {
		t.Fatalf("large record did not round-trip")
	}
	ranges, err := Plan(bytes.NewReader(buf.Bytes()), int64(buf.Len()), 1)
	if err != nil || len(ranges) != 3 || ranges[2].Start != int64(HeaderSize+1+FooterSize+HeaderSize+len(big)+FooterSize) {
		t.Fatalf("Plan over a large record: %+v, %v", ranges, err)
	}
	// Truncated inside the large record.
	_, err = readAllErr(NewReader(bytes.NewReader(buf.Bytes()[:maxPrealloc+50])))
	var ce *CorruptError
	if !errors.As(err, &ce) || !ce.Truncated || ce.Offset != HeaderSize+1+FooterSize {
		t.Fatalf("truncated large record: %v", err)
	}
}

func readAllErr(r *Reader) (int, error) {
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// TestFlippedBit flips every bit of a small file in turn: each flip is
// caught, with the offset of the record it hit.
func TestFlippedBit(t *testing.T) {
	recs, data := records(t, 2, 6, 20)
	var starts []int64
	var off int64
	for _, r := range recs {
		starts = append(starts, off)
		off += HeaderSize + int64(len(r)) + FooterSize
	}
	recordAt := func(pos int64) (int, int64) {
		for i := len(starts) - 1; i >= 0; i-- {
			if pos >= starts[i] {
				return i, starts[i]
			}
		}
		return -1, -1
	}
	for bit := range len(data) * 8 {
		bad := bytes.Clone(data)
		bad[bit/8] ^= 1 << (bit % 8)
		rec, start := recordAt(int64(bit / 8))
		inHeader := int64(bit/8)-start < HeaderSize
		r := NewReader(bytes.NewReader(bad))
		var err error
		n := 0
		for {
			_, err = r.Next()
			if err != nil {
				break
			}
			n++
		}
		var ce *CorruptError
		if !errors.As(err, &ce) {
			t.Fatalf("bit %d (record %d): got %v, want a CorruptError", bit, rec, err)
		}
		if ce.Offset != start || n != rec {
			t.Fatalf("bit %d: error %v after %d records, want record %d at offset %d", bit, err, n, rec, start)
		}
		if inHeader {
			// The length is no longer trusted: the reader stops.
			if _, err2 := r.Next(); err2 != err {
				t.Fatalf("bit %d: a bad header is not sticky: %v", bit, err2)
			}
			continue
		}
		// A bad data checksum leaves the framing intact: the rest reads.
		rest, err := readAllErr(r)
		if err != nil || rest != len(recs)-rec-1 {
			t.Fatalf("bit %d: after a data checksum error read %d more records, %v", bit, rest, err)
		}
	}
}

// TestTruncated cuts a file at every length: the reader reads the whole
// records and reports the cut one with its offset.
func TestTruncated(t *testing.T) {
	recs, data := records(t, 3, 5, 30)
	for cut := range len(data) {
		n, err := readAllErr(NewReader(bytes.NewReader(data[:cut])))
		var off int64
		whole := 0
		for _, r := range recs {
			end := off + HeaderSize + int64(len(r)) + FooterSize
			if end > int64(cut) {
				break
			}
			off = end
			whole++
		}
		if off == int64(cut) {
			if err != nil || n != whole {
				t.Fatalf("cut %d at a boundary: %d records, %v", cut, n, err)
			}
			continue
		}
		var ce *CorruptError
		if !errors.As(err, &ce) || !ce.Truncated || ce.Offset != off || n != whole || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut %d: %d records, %v; want %d then a truncation at %d", cut, n, err, whole, off)
		}
		if _, perr := Plan(bytes.NewReader(data[:cut]), int64(cut), 0); !errors.As(perr, &ce) || ce.Offset != off {
			t.Fatalf("cut %d: Plan says %v, want a truncation at %d", cut, perr, off)
		}
	}
}

// TestRanges reads a file in the ranges Plan returns for every target
// size, and in ranges ending at arbitrary bytes: every record is read
// exactly once.
func TestRanges(t *testing.T) {
	recs, data := records(t, 4, 40, 50)
	size := int64(len(data))
	for target := int64(-1); target <= size+1; target++ {
		ranges, err := Plan(bytes.NewReader(data), size, target)
		if err != nil {
			t.Fatal(err)
		}
		var got [][]byte
		var prevEnd, first int64
		for _, rg := range ranges {
			if rg.Start != prevEnd || rg.First != first {
				t.Fatalf("target %d: range %+v does not follow %d/%d", target, rg, prevEnd, first)
			}
			part, _ := readAll(t, NewRangeReader(bytes.NewReader(data), rg.Start, rg.End))
			if int64(len(part)) != rg.Records {
				t.Fatalf("target %d: range %+v read %d records", target, rg, len(part))
			}
			got = append(got, part...)
			prevEnd, first = rg.End, first+rg.Records
		}
		if prevEnd != size || len(got) != len(recs) {
			t.Fatalf("target %d: ranges end at %d and read %d records, want %d and %d", target, prevEnd, len(got), size, len(recs))
		}
		for i := range recs {
			if !bytes.Equal(got[i], recs[i]) {
				t.Fatalf("target %d: record %d differs", target, i)
			}
		}
		if target > 0 {
			for _, rg := range ranges[:max(len(ranges)-1, 0)] {
				if rg.End-rg.Start < target {
					t.Fatalf("target %d: range %+v is short", target, rg)
				}
			}
		}
	}
	// Ranges cut at any byte, with starts moved to the next record, still
	// read every record once: the ones whose header starts in the range.
	starts := []int64{}
	var off int64
	for _, r := range recs {
		starts = append(starts, off)
		off += HeaderSize + int64(len(r)) + FooterSize
	}
	for cut := int64(0); cut <= size; cut++ {
		n1, _ := readAll(t, NewRangeReader(bytes.NewReader(data), 0, cut))
		next := size
		for _, s := range starts {
			if s >= cut {
				next = s
				break
			}
		}
		n2, _ := readAll(t, NewRangeReader(bytes.NewReader(data), next, size))
		if len(n1)+len(n2) != len(recs) {
			t.Fatalf("cut %d: %d + %d records, want %d", cut, len(n1), len(n2), len(recs))
		}
	}
}

func TestPlanEmpty(t *testing.T) {
	ranges, err := Plan(bytes.NewReader(nil), 0, 10)
	if err != nil || len(ranges) != 0 {
		t.Fatalf("empty file: %v, %v", ranges, err)
	}
	if _, err := readAllErr(NewReader(bytes.NewReader(nil))); err != nil {
		t.Fatal(err)
	}
}

func TestPlanBadLength(t *testing.T) {
	_, data := records(t, 5, 3, 10)
	bad := bytes.Clone(data)
	// Corrupt the second record's length.
	first := HeaderSize + int(binary.LittleEndian.Uint64(data[:8])) + FooterSize
	bad[first+2] ^= 0x10
	_, err := Plan(bytes.NewReader(bad), int64(len(bad)), 0)
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Offset != int64(first) || ce.Truncated {
		t.Fatalf("Plan: %v, want a length checksum error at %d", err, first)
	}
	want := fmt.Sprintf("offset %d", first)
	if !bytes.Contains([]byte(err.Error()), []byte(want)) {
		t.Fatalf("error %q does not say %q", err, want)
	}
}

func BenchmarkRead(b *testing.B) {
	_, data := records(b, 6, 10000, 400)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := readAllErr(NewReader(bytes.NewReader(data))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlan(b *testing.B) {
	_, data := records(b, 6, 10000, 400)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Plan(bytes.NewReader(data), int64(len(data)), 1<<20); err != nil {
			b.Fatal(err)
		}
	}
}
