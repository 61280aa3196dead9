// Package bincodec is the binary form in which the job's accumulators
// (statistics, metrics) travel between workers: unsigned and signed
// varints, float64 as 8 bytes little-endian, strings as a length and their
// bytes, booleans as one byte. Encoding appends to a byte slice; a Reader
// decodes, recording the first error and returning zero values after it,
// so that a decoder checks once, at the end.
package bincodec

import (
	"encoding/binary"
	"fmt"
	"math"
)

// AppendUvarint appends x as an unsigned varint.
func AppendUvarint(b []byte, x uint64) []byte { return binary.AppendUvarint(b, x) }

// AppendVarint appends x as a signed (zig-zag) varint.
func AppendVarint(b []byte, x int64) []byte { return binary.AppendVarint(b, x) }

// AppendFloat appends x's 8 bytes, little-endian.
func AppendFloat(b []byte, x float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
}

// AppendString appends s's length and bytes.
func AppendString(b []byte, s string) []byte {
	return append(AppendUvarint(b, uint64(len(s))), s...)
}

// AppendBool appends v as the byte 1 or 0.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// maxCount bounds a decoded length or int.
const maxCount = 1 << 31

// Reader decodes what the Append functions wrote. Each method names what
// it reads, for the error.
type Reader struct {
	buf []byte
	off int
	err error
}

// NewReader returns a Reader of data.
func NewReader(data []byte) *Reader { return &Reader{buf: data} }

// Fail records an error at the current offset, unless one is recorded
// already; every later read returns a zero value.
func (r *Reader) Fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("at offset %d: %s", r.off, fmt.Sprintf(format, args...))
	}
}

// Err is the first error recorded.
func (r *Reader) Err() error { return r.err }

// Len is the number of bytes left to read.
func (r *Reader) Len() int { return len(r.buf) }

// Done returns the first error, or an error when bytes are left over.
func (r *Reader) Done() error {
	if r.err == nil && len(r.buf) != 0 {
		r.Fail("%d trailing bytes", len(r.buf))
	}
	return r.err
}

func (r *Reader) skip(n int) {
	r.buf, r.off = r.buf[n:], r.off+n
}

// Uvarint reads an unsigned varint.
func (r *Reader) Uvarint(what string) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.buf)
	if n <= 0 {
		r.Fail("bad or truncated %s", what)
		return 0
	}
	r.skip(n)
	return v
}

// Varint reads a signed varint.
func (r *Reader) Varint(what string) int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.buf)
	if n <= 0 {
		r.Fail("bad or truncated %s", what)
		return 0
	}
	r.skip(n)
	return v
}

// Int reads a non-negative int no larger than 2^31.
func (r *Reader) Int(what string) int {
	v := r.Uvarint(what)
	if v > maxCount {
		r.Fail("%s %d is out of range", what, v)
		return 0
	}
	return int(v)
}

// Count reads a length of elements that take at least minSize bytes each
// (no bound from the data when minSize is 0): a length the remaining
// bytes cannot hold is an error, so that a corrupt length never makes the
// decoder allocate more than the input could fill.
func (r *Reader) Count(what string, minSize int) int {
	v := r.Uvarint(what)
	if minSize > 0 && v > uint64(len(r.buf)/minSize) {
		r.Fail("%s %d exceeds the remaining %d bytes", what, v, len(r.buf))
		return 0
	}
	if v > maxCount {
		r.Fail("%s %d is out of range", what, v)
		return 0
	}
	return int(v)
}

// Float reads a float64.
func (r *Reader) Float(what string) float64 {
	if r.err != nil {
		return 0
	}
	if len(r.buf) < 8 {
		r.Fail("truncated %s", what)
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.buf))
	r.skip(8)
	return v
}

// String reads a string.
func (r *Reader) String(what string) string {
	n := r.Count(what+" length", 1)
	if r.err != nil {
		return ""
	}
	s := string(r.buf[:n])
	r.skip(n)
	return s
}

// Bool reads a boolean: the byte 0 or 1.
func (r *Reader) Bool(what string) bool {
	if r.err != nil {
		return false
	}
	if len(r.buf) < 1 || r.buf[0] > 1 {
		r.Fail("invalid %s", what)
		return false
	}
	v := r.buf[0] == 1
	r.skip(1)
	return v
}
