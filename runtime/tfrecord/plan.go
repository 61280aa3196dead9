package tfrecord

import (
	"encoding/binary"
	"fmt"
	"io"
)

// A Range is a run of whole records of a file: the bytes [Start, End),
// holding Records records of which the first is the file's record number
// First (0-based).
type Range struct {
	Start, End int64
	First      int64
	Records    int64
}

// planWindow is how much Plan reads at a time. Headers of records smaller
// than the window come from one read; a longer record's data is skipped
// by reading the next header at its offset.
const planWindow = 64 << 10

// Plan splits the size bytes of r into ranges of whole records of about
// target bytes each (one range for the whole file when target <= 0). It
// walks the length headers, checking their checksums, without reading the
// data of records longer than 64 KiB, so a corrupt data checksum is found
// only when the range is read. An empty file has no ranges.
func Plan(r io.ReaderAt, size, target int64) ([]Range, error) {
	var (
		ranges []Range
		cur    = Range{}
		win    = make([]byte, planWindow)
		winOff int64 // offset of win[0]
		winLen int   // valid bytes in win
		index  int64 // record number at off
	)
	for off := int64(0); off < size; {
		if off < winOff || off+HeaderSize > winOff+int64(winLen) {
			n, err := r.ReadAt(win, off)
			if n < HeaderSize && off+int64(n) >= size {
				return nil, &CorruptError{Offset: off, Truncated: true,
					What: fmt.Sprintf("the input ends %d bytes into the header", size-off)}
			}
			if n < HeaderSize {
				return nil, fmt.Errorf("tfrecord: reading the header at offset %d: %w", off, err)
			}
			winOff, winLen = off, n
		}
		hdr := win[off-winOff : off-winOff+HeaderSize]
		length := binary.LittleEndian.Uint64(hdr[:8])
		if got, want := MaskedCRC(hdr[:8]), binary.LittleEndian.Uint32(hdr[8:]); got != want {
			return nil, &CorruptError{Offset: off, What: fmt.Sprintf("length checksum %#08x, want %#08x", got, want)}
		}
		if length > uint64(size) {
			return nil, &CorruptError{Offset: off, Truncated: true,
				What: fmt.Sprintf("a record of %d bytes of data in a file of %d bytes", length, size)}
		}
		next := off + HeaderSize + int64(length) + FooterSize
		if next > size {
			return nil, &CorruptError{Offset: off, Truncated: true,
				What: fmt.Sprintf("the input ends %d bytes into a record of %d bytes of data", size-off-HeaderSize, length)}
		}
		if cur.Records == 0 {
			cur = Range{Start: off, First: index}
		}
		cur.Records++
		cur.End = next
		index++
		if target > 0 && cur.End-cur.Start >= target {
			ranges = append(ranges, cur)
			cur = Range{}
		}
		off = next
	}
	if cur.Records > 0 {
		ranges = append(ranges, cur)
	}
	return ranges, nil
}
