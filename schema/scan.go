package schema

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// maxDepth bounds how deeply messages may nest, so that hostile input
// cannot exhaust the stack.
const maxDepth = 1000

// scanner walks protobuf text format against message descriptors. It finds
// the fields the descriptors do not define, reports each as an Issue and
// blanks its text with spaces (newlines kept), so that prototext can then
// read the rest with every position unchanged. It also remembers where the
// fields that the Schema helpers point at start.
type scanner struct {
	file  string
	src   []byte
	out   []byte // copy of src with unknown fields blanked; nil while none is
	off   int
	lines []int // offsets at which lines start

	issues []Issue
	// marks maps the path of each message-valued field occurrence, and of
	// each "name" and "domain" field, to the offset of its first byte.
	marks map[string]int

	topKnown   int // known fields at the top level
	topUnknown int // unknown fields at the top level
	firstTop   int // offset of the first unknown top-level field
	topNames   []string
}

func newScanner(file string, src []byte) *scanner {
	s := &scanner{file: file, src: src, marks: make(map[string]int), firstTop: -1}
	s.lines = append(s.lines, 0)
	for i, c := range src {
		if c == '\n' {
			s.lines = append(s.lines, i+1)
		}
	}
	return s
}

// text returns the input with unknown fields blanked.
func (s *scanner) text() []byte {
	if s.out == nil {
		return s.src
	}
	return s.out
}

// pos converts a byte offset into a Position.
func (s *scanner) pos(off int) Position {
	line := sort.Search(len(s.lines), func(i int) bool { return s.lines[i] > off })
	return Position{File: s.file, Line: line, Col: off - s.lines[line-1] + 1}
}

// posRune converts a line and a column counted in runes (as prototext
// reports them) into a Position whose column counts bytes.
func (s *scanner) posRune(line, col int) Position {
	if line < 1 || line > len(s.lines) {
		return Position{File: s.file}
	}
	b := s.text()
	off := s.lines[line-1]
	for n := 1; n < col && off < len(b) && b[off] != '\n'; n++ {
		_, size := utf8.DecodeRune(b[off:])
		off += size
	}
	return s.pos(off)
}

func (s *scanner) errAt(off int, format string, args ...any) *Error {
	return errorf(s.pos(off), format, args...)
}

// blank replaces src[from:to] with spaces, keeping newlines.
func (s *scanner) blank(from, to int) {
	if s.out == nil {
		s.out = append([]byte(nil), s.src...)
	}
	for i := from; i < to; i++ {
		if s.out[i] != '\n' {
			s.out[i] = ' '
		}
	}
}

func (s *scanner) eof() bool { return s.off >= len(s.src) }

// skipSpace skips the whitespace and '#' comments that text format allows
// between tokens (the same set prototext accepts).
func (s *scanner) skipSpace() {
	for s.off < len(s.src) {
		switch s.src[s.off] {
		case ' ', '\t', '\n', '\r':
			s.off++
		case '#':
			for s.off < len(s.src) && s.src[s.off] != '\n' {
				s.off++
			}
		default:
			return
		}
	}
}

// describe names the byte at off for error messages.
func (s *scanner) describe(off int) string {
	if off >= len(s.src) {
		return "end of file"
	}
	r, _ := utf8.DecodeRune(s.src[off:])
	return strconv.QuoteRune(r)
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isIdent(c byte) bool { return isIdentStart(c) || '0' <= c && c <= '9' }

// isWord reports whether c may appear in a scalar literal (a number, an
// identifier such as an enum value, inf or true).
func isWord(c byte) bool { return isIdent(c) || c == '-' || c == '+' || c == '.' }

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// message scans the fields of one message until closeCh (or the end of the
// input when closeCh is 0). md is nil inside an unknown field: then the text
// is only checked for structure.
func (s *scanner) message(md protoreflect.MessageDescriptor, path string, closeCh byte, open, depth int) error {
	if depth > maxDepth {
		return s.errAt(open, "messages nest more than %d deep", maxDepth)
	}
	var counts map[protoreflect.FieldNumber]int
	for {
		s.skipSpace()
		if s.eof() {
			if closeCh != 0 {
				return s.errAt(open, "%q is never closed: end of file before its %q", s.src[open], closeCh)
			}
			return nil
		}
		c := s.src[s.off]
		if closeCh != 0 && c == closeCh {
			s.off++
			return nil
		}
		if c == '}' || c == '>' {
			return s.errAt(s.off, "unexpected %q", c)
		}
		if counts == nil && md != nil {
			counts = make(map[protoreflect.FieldNumber]int)
		}
		if err := s.field(md, path, counts, depth); err != nil {
			return err
		}
	}
}

// field scans one field: its name, an optional ':', its value and an
// optional ';' or ','.
func (s *scanner) field(md protoreflect.MessageDescriptor, path string, counts map[protoreflect.FieldNumber]int, depth int) error {
	start := s.off
	var (
		name  string // as written, "[x.y]" for extensions and Any types
		fd    protoreflect.FieldDescriptor
		anyMD protoreflect.MessageDescriptor // the type inside an Any
	)
	c := s.src[s.off]
	if depth == 0 && (c == '{' || c == '[') && start == s.firstNonSpace() && s.looksJSON() {
		return s.errAt(start, "found %q where a field name should be: this looks like JSON, but a schema must be in protobuf text format", c)
	}
	switch {
	case c == '[':
		n, err := s.typeName()
		if err != nil {
			return err
		}
		name = "[" + n + "]"
		if md == nil {
			break
		}
		if md.FullName() == "google.protobuf.Any" && strings.Contains(n, "/") {
			if mt, err := protoregistry.GlobalTypes.FindMessageByURL(n); err == nil {
				anyMD = mt.Descriptor()
			}
		} else if xt, err := protoregistry.GlobalTypes.FindExtensionByName(protoreflect.FullName(n)); err == nil {
			if xd := xt.TypeDescriptor(); xd.ContainingMessage().FullName() == md.FullName() {
				fd = xd
			}
		}
	case isIdentStart(c):
		for s.off < len(s.src) && isIdent(s.src[s.off]) {
			s.off++
		}
		name = string(s.src[start:s.off])
		if md != nil {
			fd = md.Fields().ByTextName(name)
		}
	case '0' <= c && c <= '9':
		// A field given by number, as some tools print unknown fields.
		for s.off < len(s.src) && isWord(s.src[s.off]) {
			s.off++
		}
		name = string(s.src[start:s.off])
	default:
		return s.errAt(start, "expected a field name, found %s", s.describe(start))
	}
	s.skipSpace()
	if !s.eof() && s.src[s.off] == ':' {
		s.off++
		s.skipSpace()
	}
	if s.eof() {
		return s.errAt(start, "field %s has no value: end of file", name)
	}
	fpath := join(path, name)
	var err error
	switch {
	case md == nil:
		err = s.value(nil, "", depth)
	case anyMD != nil:
		err = s.messages(anyMD, fd, name, fpath, nil, start, depth)
	case fd != nil:
		if depth == 0 {
			s.topKnown++
		}
		if fd.Message() != nil {
			err = s.messages(fd.Message(), fd, name, fpath, counts, start, depth)
		} else {
			if name == "name" || name == "domain" {
				s.marks[fpath] = start
			}
			err = s.value(fd, fpath, depth)
		}
	default:
		err = s.value(nil, "", depth)
	}
	if err != nil {
		return err
	}
	s.skipSpace()
	if !s.eof() && (s.src[s.off] == ';' || s.src[s.off] == ',') {
		s.off++
	}
	if md != nil && fd == nil && anyMD == nil {
		s.unknown(md, path, name, start)
	}
	return nil
}

// unknown reports the field at start (ending at s.off) and blanks it.
func (s *scanner) unknown(md protoreflect.MessageDescriptor, path, name string, start int) {
	s.blank(start, s.off)
	what := "field"
	switch {
	case strings.Contains(name, "/"):
		what = "Any type"
	case strings.HasPrefix(name, "["):
		what = "extension"
	}
	p := s.pos(start)
	s.issues = append(s.issues, Issue{
		File: p.File, Line: p.Line, Col: p.Col,
		Path: join(path, name),
		Msg:  fmt.Sprintf("unknown %s %s in %s: ignored, as tfxc's copy of the TFMD protos does not define it", what, name, md.FullName()),
	})
	if path == "" {
		s.topUnknown++
		if s.firstTop < 0 {
			s.firstTop = start
		}
		if len(s.topNames) < 4 {
			s.topNames = append(s.topNames, name)
		}
	}
}

// firstNonSpace returns the offset of the first token of the input.
func (s *scanner) firstNonSpace() int {
	save := s.off
	s.off = 0
	s.skipSpace()
	off := s.off
	s.off = save
	return off
}

// looksJSON reports whether the input at s.off, a '{' or '[' where a field
// name should be, starts a JSON object or array rather than "[ext.name]".
func (s *scanner) looksJSON() bool {
	if s.src[s.off] == '{' {
		return true
	}
	save := s.off
	s.off++
	s.skipSpace()
	json := s.eof() || strings.IndexByte(`{["]`, s.src[s.off]) >= 0
	s.off = save
	return json
}

// typeName scans "[name]" (an extension or an Any type URL) and returns the
// name with the whitespace and comments inside the brackets removed.
func (s *scanner) typeName() (string, error) {
	open := s.off
	s.off++
	var b strings.Builder
	for {
		s.skipSpace()
		if s.eof() {
			return "", s.errAt(open, "'[' is never closed: end of file before its ']'")
		}
		c := s.src[s.off]
		if c == ']' {
			s.off++
			if b.Len() == 0 {
				return "", s.errAt(open, "empty field name []")
			}
			return b.String(), nil
		}
		if !isIdent(c) && !strings.ContainsRune("./-~!$&'()*+,;=%", rune(c)) {
			return "", s.errAt(s.off, "unexpected %s in field name [...]", s.describe(s.off))
		}
		b.WriteByte(c)
		s.off++
	}
}

// messages scans the value of a message-valued field: "{...}", "<...>" or a
// list "[{...}, ...]". It records where each message starts: the field name
// at start, or the opening of each element of a list.
func (s *scanner) messages(md protoreflect.MessageDescriptor, fd protoreflect.FieldDescriptor, name, fpath string, counts map[protoreflect.FieldNumber]int, start, depth int) error {
	repeated := fd != nil && (fd.IsList() || fd.IsMap())
	one := func() error {
		c := s.src[s.off]
		if c != '{' && c != '<' {
			return s.errAt(s.off, "field %s holds a %s message: expected '{' or '<', found %s", name, md.Name(), s.describe(s.off))
		}
		p := fpath
		if repeated {
			p = fpath + "[" + strconv.Itoa(counts[fd.Number()]) + "]"
			counts[fd.Number()]++
		}
		if _, dup := s.marks[p]; !dup {
			s.marks[p] = start
		}
		open := s.off
		s.off++
		closeCh := byte('}')
		if c == '<' {
			closeCh = '>'
		}
		return s.message(md, p, closeCh, open, depth+1)
	}
	if s.src[s.off] != '[' {
		return one()
	}
	return s.list(func() error {
		start = s.off
		return one()
	})
}

// list scans "[a, b, ...]", calling elem for each element.
func (s *scanner) list(elem func() error) error {
	open := s.off
	s.off++
	for first := true; ; first = false {
		s.skipSpace()
		if s.eof() {
			return s.errAt(open, "'[' is never closed: end of file before its ']'")
		}
		if s.src[s.off] == ']' {
			s.off++
			return nil
		}
		if !first {
			if s.src[s.off] != ',' {
				return s.errAt(s.off, "expected ',' or ']' in list, found %s", s.describe(s.off))
			}
			s.off++
			s.skipSpace()
			if s.eof() {
				return s.errAt(open, "'[' is never closed: end of file before its ']'")
			}
		}
		if err := elem(); err != nil {
			return err
		}
	}
}

// value scans a value. With fd nil (an unknown field) any value is skipped:
// a message, a list or a scalar. With a scalar fd, enum values are checked
// by name so that the error can list the allowed ones.
func (s *scanner) value(fd protoreflect.FieldDescriptor, name string, depth int) error {
	switch c := s.src[s.off]; {
	case fd == nil && (c == '{' || c == '<'):
		open := s.off
		s.off++
		closeCh := byte('}')
		if c == '<' {
			closeCh = '>'
		}
		return s.message(nil, "", closeCh, open, depth+1)
	case c == '[':
		if depth > maxDepth {
			return s.errAt(s.off, "values nest more than %d deep", maxDepth)
		}
		return s.list(func() error { return s.value(fd, name, depth+1) })
	}
	return s.scalar(fd, name)
}

// scalar scans a string (adjacent literals concatenate), a number or an
// identifier.
func (s *scanner) scalar(fd protoreflect.FieldDescriptor, name string) error {
	c := s.src[s.off]
	if c == '"' || c == '\'' {
		for {
			if err := s.str(); err != nil {
				return err
			}
			save := s.off
			s.skipSpace()
			if s.eof() || (s.src[s.off] != '"' && s.src[s.off] != '\'') {
				s.off = save
				return nil
			}
		}
	}
	start := s.off
	if c == '-' {
		s.off++
		s.skipSpace()
	}
	word := s.off
	for s.off < len(s.src) && isWord(s.src[s.off]) {
		s.off++
	}
	if s.off == word {
		return s.errAt(s.off, "expected a value, found %s", s.describe(s.off))
	}
	if fd != nil && fd.Kind() == protoreflect.EnumKind {
		return s.enum(fd.Enum(), name, start)
	}
	return nil
}

// enum checks the enum value in src[start:s.off]: a name must be one of
// the enum's, and a number must be one of them too when the enum is closed
// (as proto2 enums are), since prototext would otherwise keep it silently.
func (s *scanner) enum(ed protoreflect.EnumDescriptor, name string, start int) error {
	v := string(s.src[start:s.off])
	if isIdentStart(v[0]) {
		if ed.Values().ByName(protoreflect.Name(v)) != nil {
			return nil
		}
	} else if n, err := strconv.ParseInt(strings.Join(strings.Fields(v), ""), 0, 32); err == nil {
		if !ed.IsClosed() || ed.Values().ByNumber(protoreflect.EnumNumber(n)) != nil {
			return nil
		}
	} else {
		return nil // not a valid number: prototext reports it
	}
	names := make([]string, ed.Values().Len())
	for i := range names {
		names[i] = string(ed.Values().Get(i).Name())
	}
	return s.errAt(start, "invalid value %s for %s: want one of %s (%s)", v, name, strings.Join(names, ", "), ed.FullName())
}

// str scans one quoted string literal with backslash escapes.
func (s *scanner) str() error {
	open := s.off
	q := s.src[s.off]
	s.off++
	for s.off < len(s.src) {
		switch s.src[s.off] {
		case q:
			s.off++
			return nil
		case '\n':
			return s.errAt(open, "string is not closed before the end of the line")
		case '\\':
			s.off++
			if s.off < len(s.src) && s.src[s.off] == '\n' {
				return s.errAt(open, "string is not closed before the end of the line")
			}
		}
		s.off++
	}
	return s.errAt(open, "string is not closed before the end of the file")
}
