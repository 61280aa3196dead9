package schema

import (
	"fmt"
	"strconv"
)

// Error is a problem that stops a schema from loading. Line and Col are
// 1-based (Col counts bytes, as go/token does); both are 0 when the problem
// has no place in the file, such as a file that cannot be read.
type Error struct {
	File      string
	Line, Col int
	Msg       string
	// Err is the underlying error, if any (for example from package os);
	// errors.Is and errors.As see it through Unwrap.
	Err error
}

// Error formats the error as "file:line:col: msg".
func (e *Error) Error() string {
	return where(e.File, e.Line, e.Col) + e.Msg
}

// Unwrap returns the underlying error, or nil.
func (e *Error) Unwrap() error { return e.Err }

// Issue is a warning about a schema that loaded: for example a field that
// tfxc's copy of the TFMD protos does not define, and which was ignored.
type Issue struct {
	File      string
	Line, Col int
	// Path is the dotted field path of the offending field, such as
	// "feature[3].natural_language_domain"; empty for the whole file.
	Path string
	Msg  string
}

// String formats the issue as "file:line:col: warning: path: msg".
func (i Issue) String() string {
	s := where(i.File, i.Line, i.Col) + "warning: "
	if i.Path != "" {
		s += i.Path + ": "
	}
	return s + i.Msg
}

// Position is a place in a schema file. Line and Col are 1-based, Col in
// bytes; a zero Position means "unknown".
type Position struct {
	File      string
	Line, Col int
}

// IsValid reports whether the position names a line.
func (p Position) IsValid() bool { return p.Line > 0 }

// String formats the position as "file:line:col".
func (p Position) String() string {
	s := where(p.File, p.Line, p.Col)
	if len(s) >= 2 {
		s = s[:len(s)-2] // drop the ": " that where appends
	}
	return s
}

// where formats the "file:line:col: " prefix of messages, leaving out the
// parts that are unknown.
func where(file string, line, col int) string {
	s := file
	if line > 0 {
		if s != "" {
			s += ":"
		}
		s += strconv.Itoa(line)
		if col > 0 {
			s += ":" + strconv.Itoa(col)
		}
	}
	if s == "" {
		return ""
	}
	return s + ": "
}

// errorf builds an *Error at a position.
func errorf(p Position, format string, args ...any) *Error {
	return &Error{File: p.File, Line: p.Line, Col: p.Col, Msg: fmt.Sprintf(format, args...)}
}
