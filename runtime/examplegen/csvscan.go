package examplegen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// maxRecordBytes bounds one CSV record. A quote that is never closed makes
// the rest of a file one record; past this size reading fails instead of
// holding the file in memory.
const maxRecordBytes = 64 << 20

// recordReader splits CSV text into records. A newline ends a record
// unless it is inside a quoted field, which follows RFC 4180's grammar: a
// quote opens a quoted field only at the start of a field, and inside one
// a doubled quote is a quote and a single quote closes it. A stray quote
// inside an unquoted field (a bad row) therefore does not swallow the
// lines after it; only a quoted field that is never closed runs to the end
// of the input.
type recordReader struct {
	r    *bufio.Reader
	acc  []byte // a record that spans lines or buffers
	off  int64  // offset of the next record
	line int64  // 1-based line of the next record
}

func newRecordReader(r io.Reader, off, line int64, bufSize int) *recordReader {
	return &recordReader{r: bufio.NewReaderSize(r, bufSize), off: off, line: line}
}

// scanState is where a record's scan stands.
type scanState uint8

const (
	atFieldStart scanState = iota
	inUnquoted             // in a field that did not start with a quote
	inQuoted               // in a quoted field
	afterQuote             // after a quote inside a quoted field
)

// advance returns the state after b, which holds no newline except
// inside quoted fields.
func advance(st scanState, b []byte) scanState {
	for i := 0; i < len(b); i++ {
		switch st {
		case atFieldStart:
			switch b[i] {
			case '"':
				st = inQuoted
			case ',':
			default:
				st = inUnquoted
			}
		case inUnquoted:
			j := bytes.IndexByte(b[i:], ',')
			if j < 0 {
				return inUnquoted
			}
			i += j
			st = atFieldStart
		case inQuoted:
			j := bytes.IndexByte(b[i:], '"')
			if j < 0 {
				return inQuoted
			}
			i += j
			st = afterQuote
		case afterQuote:
			switch b[i] {
			case '"':
				st = inQuoted // a doubled quote
			case ',':
				st = atFieldStart
			default:
				st = inUnquoted // text after a closing quote: a bad field
			}
		}
	}
	return st
}

// next returns the next record with its line ending, the offset and line
// where it starts. The record stays valid until the next call. It returns
// io.EOF after the last record.
func (s *recordReader) next() (rec []byte, off, line int64, err error) {
	off, line = s.off, s.line
	st := atFieldStart
	s.acc = s.acc[:0]
	first := true
	for {
		chunk, err := s.r.ReadSlice('\n')
		body := chunk
		if err == nil {
			body = chunk[:len(chunk)-1] // without the newline
		}
		if st != inQuoted && st != afterQuote && bytes.IndexByte(body, '"') < 0 {
			// No quote: only whether the last byte ends a field matters.
			if n := len(body); n > 0 {
				st = inUnquoted
				if body[n-1] == ',' {
					st = atFieldStart
				}
			}
		} else {
			st = advance(st, body)
		}
		ends := err == nil && st != inQuoted
		if first && ends {
			rec = chunk // the common case: one line in the buffer
			break
		}
		first = false
		s.acc = append(s.acc, chunk...)
		if len(s.acc) > maxRecordBytes {
			return nil, off, line, fmt.Errorf("line %d: a record longer than %d MiB (is a quote not closed?)", line, maxRecordBytes>>20)
		}
		if err == nil && st == inQuoted {
			continue // a newline inside a quoted field
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			if len(s.acc) == 0 {
				return nil, off, line, io.EOF
			}
			err = nil
		}
		if err != nil {
			return nil, off, line, err
		}
		rec = s.acc
		break
	}
	s.off += int64(len(rec))
	s.line += int64(bytes.Count(rec, newline))
	return rec, off, line, nil
}

var (
	quote   = []byte{'"'}
	newline = []byte{'\n'}
)

// errBareQuote and errQuote are encoding/csv's ErrBareQuote and ErrQuote.
var (
	errBareQuote = errors.New(`bare " in non-quoted field`)
	errQuote     = errors.New(`extraneous or missing " in quoted field`)
)

// fieldError is a quoting error in a record's field (1-based).
type fieldError struct {
	field int
	err   error
}

// fieldParser splits records into fields. Its buffers are reused: the
// fields it returns are valid until the next parse.
type fieldParser struct {
	norm   []byte   // the record with "\r\n" made "\n"
	buf    []byte   // unquoted field contents
	fields [][]byte // the fields of the last record
}

// trimEOL drops a record's line ending: a final "\n", then a "\r" before
// it or before the end of the input (encoding/csv readLine does both).
func trimEOL(rec []byte) []byte {
	if n := len(rec); n > 0 && rec[n-1] == '\n' {
		rec = rec[:n-1]
	}
	if n := len(rec); n > 0 && rec[n-1] == '\r' {
		rec = rec[:n-1]
	}
	return rec
}

// parse splits one record into fields as encoding/csv does (comma ',',
// no comments, LazyQuotes false, TrimLeadingSpace false). A blank record
// (an empty line) has no fields and blank is true; encoding/csv skips
// such lines.
func (p *fieldParser) parse(rec []byte) (fields [][]byte, blank bool, ferr *fieldError) {
	s := trimEOL(rec)
	if len(s) == 0 {
		return nil, true, nil
	}
	if bytes.Contains(s, []byte("\r\n")) {
		// Inner line ends of a quoted field: encoding/csv normalizes "\r\n"
		// to "\n" on every line it reads.
		p.norm = append(p.norm[:0], s...)
		p.norm = bytes.ReplaceAll(p.norm, []byte("\r\n"), newline)
		s = p.norm
	}
	p.fields = p.fields[:0]
	p.buf = p.buf[:0]
	if bytes.IndexByte(s, '"') < 0 {
		// No quote, so no quoted field and no newline (it would have
		// ended the record): cut at commas.
		start := 0
		for i, c := range s {
			if c == ',' {
				p.fields = append(p.fields, s[start:i:i])
				start = i + 1
			}
		}
		p.fields = append(p.fields, s[start:len(s):len(s)])
		return p.fields, false, nil
	}
	pos := 0
	for {
		n := len(p.fields) + 1
		if pos < len(s) && s[pos] == '"' {
			start := len(p.buf)
			i := pos + 1
			for {
				j := bytes.IndexByte(s[i:], '"')
				if j < 0 {
					return p.fields, false, &fieldError{n, errQuote} // never closed
				}
				p.buf = append(p.buf, s[i:i+j]...)
				i += j + 1
				if i < len(s) && s[i] == '"' {
					p.buf = append(p.buf, '"')
					i++
					continue
				}
				if i == len(s) {
					p.fields = append(p.fields, p.buf[start:len(p.buf):len(p.buf)])
					return p.fields, false, nil
				}
				if s[i] != ',' {
					return p.fields, false, &fieldError{n, errQuote}
				}
				p.fields = append(p.fields, p.buf[start:len(p.buf):len(p.buf)])
				pos = i + 1
				break
			}
			continue
		}
		j := bytes.IndexByte(s[pos:], ',')
		end := len(s)
		if j >= 0 {
			end = pos + j
		}
		field := s[pos:end:end]
		// A newline outside quotes can only follow a quoting error, as the
		// record would have ended there; encoding/csv reports the quote.
		if bytes.IndexByte(field, '"') >= 0 || bytes.IndexByte(field, '\n') >= 0 {
			return p.fields, false, &fieldError{n, errBareQuote}
		}
		p.fields = append(p.fields, field)
		if j < 0 {
			return p.fields, false, nil
		}
		pos = end + 1
	}
}
