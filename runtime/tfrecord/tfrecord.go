// Package tfrecord reads and writes TFRecord files, TensorFlow's framing of
// binary records.
//
// Each record is laid out as
//
//	uint64 length (little-endian)
//	uint32 masked CRC32C of the 8 length bytes
//	length bytes of data
//	uint32 masked CRC32C of the data
//
// where the CRC uses the Castagnoli polynomial and is masked as
// ((crc >> 15) | (crc << 17)) + 0xa282ead8 (TensorFlow
// core/lib/io/record_writer.cc and core/lib/hash/crc32c.h). A file is a
// plain sequence of records with no index or sync markers, so a file can be
// split into byte ranges only at record boundaries, which Plan finds by
// walking the length headers.
package tfrecord

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// HeaderSize is the size of a record's header: its length and the length's
// checksum.
const HeaderSize = 12

// FooterSize is the size of the data checksum that follows a record's data.
const FooterSize = 4

// castagnoli is the CRC32C table; it is never written after initialisation.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// MaskedCRC returns the masked CRC32C of data, as stored in a TFRecord
// file. Masking keeps a CRC of data that itself holds CRCs from being
// trivially predictable (TensorFlow core/lib/hash/crc32c.h, Mask).
func MaskedCRC(data []byte) uint32 {
	crc := crc32.Checksum(data, castagnoli)
	return ((crc >> 15) | (crc << 17)) + 0xa282ead8
}

// A Writer writes records to an underlying writer. It does no buffering
// of its own: give it a bufio.Writer when writing to a file.
type Writer struct {
	w   io.Writer
	off int64
	hdr [HeaderSize]byte
	ftr [FooterSize]byte
}

// NewWriter returns a Writer that appends records to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write writes data as one record.
func (w *Writer) Write(data []byte) error {
	binary.LittleEndian.PutUint64(w.hdr[:8], uint64(len(data)))
	binary.LittleEndian.PutUint32(w.hdr[8:], MaskedCRC(w.hdr[:8]))
	binary.LittleEndian.PutUint32(w.ftr[:], MaskedCRC(data))
	for _, b := range [][]byte{w.hdr[:], data, w.ftr[:]} {
		n, err := w.w.Write(b)
		w.off += int64(n)
		if err != nil {
			return fmt.Errorf("tfrecord: writing the record at offset %d: %w", w.off-int64(n), err)
		}
	}
	return nil
}

// Offset is the number of bytes written so far, the offset of the next
// record.
func (w *Writer) Offset() int64 { return w.off }

// A CorruptError reports a record that cannot be read: a checksum that
// does not match, or a file that ends inside a record.
type CorruptError struct {
	Offset int64  // the byte offset of the record's header
	What   string // what is wrong
	// Truncated reports that the input ended inside the record; such an
	// error wraps io.ErrUnexpectedEOF.
	Truncated bool
	// Data reports that only the data checksum failed: the framing is
	// intact and the records after this one can be read.
	Data bool
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("tfrecord: corrupt record at offset %d: %s", e.Offset, e.What)
}

// Unwrap returns io.ErrUnexpectedEOF for a truncated record.
func (e *CorruptError) Unwrap() error {
	if e.Truncated {
		return io.ErrUnexpectedEOF
	}
	return nil
}

// maxPrealloc bounds the buffer allocated from a record's length before
// its data was seen, so that a corrupt or hostile length whose checksum
// happens to match cannot allocate more than the input holds.
const maxPrealloc = 16 << 20

// A Reader reads records from an underlying reader, checking both
// checksums of each.
type Reader struct {
	r     io.Reader
	off   int64 // offset of the next header
	end   int64 // no record starts at or after end; -1 for no limit
	last  int64 // offset of the record Next returned last
	buf   []byte
	hdr   [HeaderSize]byte
	fatal error
}

// NewReader returns a Reader of every record in r. The offsets it reports
// count from r's current position.
func NewReader(r io.Reader) *Reader { return &Reader{r: r, end: -1} }

// NewRangeReader returns a Reader of the records whose headers start in
// [start, end) of r. start must be the offset of a record (0, or an offset
// Plan returned); the last record may run past end.
func NewRangeReader(r io.ReaderAt, start, end int64) *Reader {
	return &Reader{r: io.NewSectionReader(r, start, 1<<62), off: start, end: end}
}

// Next returns the next record's data, which stays valid only until the
// next call. At the end of the input (or range) it returns io.EOF. A
// record whose data checksum does not match gives a *CorruptError, and
// Next may be called again to go on with the following record, since the
// framing is intact; a bad length checksum or a truncated record gives a
// *CorruptError that every later call returns too.
func (r *Reader) Next() ([]byte, error) {
	if r.fatal != nil {
		return nil, r.fatal
	}
	if r.end >= 0 && r.off >= r.end {
		return nil, io.EOF
	}
	start := r.off
	r.last = start
	n, err := io.ReadFull(r.r, r.hdr[:])
	switch {
	case err == io.EOF:
		return nil, io.EOF
	case err == io.ErrUnexpectedEOF:
		return nil, r.fail(&CorruptError{Offset: start, What: fmt.Sprintf("the input ends %d bytes into the header", n), Truncated: true})
	case err != nil:
		return nil, r.fail(fmt.Errorf("tfrecord: reading the record at offset %d: %w", start, err))
	}
	length := binary.LittleEndian.Uint64(r.hdr[:8])
	if got, want := MaskedCRC(r.hdr[:8]), binary.LittleEndian.Uint32(r.hdr[8:]); got != want {
		return nil, r.fail(&CorruptError{Offset: start, What: fmt.Sprintf("length checksum %#08x, want %#08x", got, want)})
	}
	if length > 1<<62 {
		return nil, r.fail(&CorruptError{Offset: start, What: fmt.Sprintf("impossible length %d", length)})
	}
	total := int64(length) + FooterSize
	if total <= maxPrealloc {
		if int64(cap(r.buf)) < total {
			r.buf = make([]byte, total)
		}
		r.buf = r.buf[:total]
		n, err := io.ReadFull(r.r, r.buf)
		if err != nil {
			return nil, r.truncated(start, int64(n), length, err)
		}
	} else {
		// Grow with the data actually read rather than trusting length.
		r.buf = r.buf[:0]
		for int64(len(r.buf)) < total {
			chunk := min(total-int64(len(r.buf)), maxPrealloc)
			old := len(r.buf)
			r.buf = append(r.buf, make([]byte, chunk)...)
			n, err := io.ReadFull(r.r, r.buf[old:])
			if err != nil {
				return nil, r.truncated(start, int64(old+n), length, err)
			}
		}
	}
	r.off = start + HeaderSize + total
	data := r.buf[:length]
	if got, want := MaskedCRC(data), binary.LittleEndian.Uint32(r.buf[length:]); got != want {
		return nil, &CorruptError{Offset: start, Data: true, What: fmt.Sprintf("data checksum %#08x, want %#08x (%d bytes of data)", got, want, length)}
	}
	return data, nil
}

func (r *Reader) truncated(start, got int64, length uint64, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return r.fail(&CorruptError{Offset: start, Truncated: true,
			What: fmt.Sprintf("the input ends %d bytes into a record of %d bytes of data", got, length)})
	}
	return r.fail(fmt.Errorf("tfrecord: reading the record at offset %d: %w", start, err))
}

func (r *Reader) fail(err error) error {
	r.fatal = err
	return err
}

// Offset returns the byte offset of the record Next returned last (or
// failed on).
func (r *Reader) Offset() int64 { return r.last }
