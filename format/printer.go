package format

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/tfxc/tfxc/lang"
)

// indentWidth is the indentation of a block's statements, and of the
// continuation lines of a statement relative to its first line.
const indentWidth = 4

// lineKind classifies the lines of the output.
type lineKind int

const (
	blankLine   lineKind = iota
	commentLine          // a comment on a line of its own; ends an alignment run
	codeLine             // the first line of a statement or declaration
	contLine             // a later line of a statement, where its list goes on
	innerLine            // a comment on a line of its own within a statement's list
	closeLine            // a "}"; ends an alignment run
)

// line is one line of output.
type line struct {
	kind    lineKind
	indent  int
	head    string // the aligned column of a codeLine, "" if it has none
	text    string // what follows the head, or the whole line
	comment string // a comment at the end of the line
	opens   bool   // the line opens a block
}

// printer lays out a file as lines. It prints each comment exactly once:
// next is the index of the first comment not yet printed, and comments are
// only ever printed from there, in order.
type printer struct {
	comments []*lang.Comment
	next     int
	lastLine int // the source line of the last thing printed
	lines    []line
}

// stmt is a statement or a declaration header laid out for printing: an
// aligned head, then prefix, the items of its top-level list separated by
// commas, and suffix.
type stmt struct {
	head   string
	prefix string
	items  []item
	suffix string
	pos    lang.Pos // where the statement starts in the source
	end    lang.Pos // where its text ends: comments before are inside it
}

// item is an element of a statement's top-level list.
type item struct {
	text     string
	pos, end lang.Pos
}

// breakBefore reports whether the source had a line break between items
// i-1 and i of the list.
func (s *stmt) breakBefore(i int) bool {
	return s.items[i].pos.Line > s.items[i-1].end.Line
}

// multiline reports whether s is printed on more than one line.
func (s *stmt) multiline() bool {
	for i := 1; i < len(s.items); i++ {
		if s.breakBefore(i) {
			return true
		}
	}
	return false
}

// gap returns the index i of the item after which the comment c lies, such
// that the source breaks the line after item i, or -1.
func (s *stmt) gap(c *lang.Comment) int {
	off := c.Pos().Offset
	i := sort.Search(len(s.items), func(i int) bool { return s.items[i].end.Offset > off }) - 1
	if i < 0 || i+1 >= len(s.items) || off >= s.items[i+1].pos.Offset || !s.breakBefore(i+1) {
		return -1
	}
	return i
}

// add appends a line.
func (p *printer) add(l line) { p.lines = append(p.lines, l) }

// blank appends a blank line unless the output is empty or already ends
// with a blank line or the opening of a block.
func (p *printer) blank() {
	if n := len(p.lines); n > 0 && p.lines[n-1].kind != blankLine && !p.lines[n-1].opens {
		p.add(line{kind: blankLine})
	}
}

// peek returns the next comment to print if it starts before off.
func (p *printer) peek(off int) *lang.Comment {
	if p.next < len(p.comments) && p.comments[p.next].Pos().Offset < off {
		return p.comments[p.next]
	}
	return nil
}

// pending reports whether a comment not yet printed starts in [from, to).
func (p *printer) pending(from, to int) bool {
	rest := p.comments[p.next:]
	i := sort.Search(len(rest), func(i int) bool { return rest[i].Pos().Offset >= from })
	return i < len(rest) && rest[i].Pos().Offset < to
}

// ownComments prints, each on a line of its own, the comments that start
// before off, keeping a blank line where the source had one or more.
func (p *printer) ownComments(off, indent int) {
	for c := p.peek(off); c != nil; c = p.peek(off) {
		p.gapLine(c.Pos().Line)
		p.add(line{kind: commentLine, indent: indent, text: commentText(c)})
		p.lastLine = c.End().Line
		p.next++
	}
}

// gapLine prints a blank line if the source had one between the last thing
// printed and what starts on source line n.
func (p *printer) gapLine(n int) {
	if n > p.lastLine+1 {
		p.blank()
	}
}

// trailing puts the next comment at the end of the last line if it starts
// on the line of end, at or after end and before limit.
func (p *printer) trailing(end lang.Pos, limit, indent int) {
	c := p.peek(limit)
	if c == nil || c.Pos().Offset < end.Offset || c.Pos().Line != end.Line {
		return
	}
	p.next++
	p.appendComment(c, indent)
}

// appendComment puts c at the end of the last line or, if that line has a
// comment already, on a line of its own.
func (p *printer) appendComment(c *lang.Comment, indent int) {
	last := &p.lines[len(p.lines)-1]
	if last.comment == "" && (last.kind == codeLine || last.kind == contLine || last.kind == closeLine) {
		last.comment = commentText(c)
		return
	}
	p.add(line{kind: innerLine, indent: indent, text: commentText(c)})
}

// stmt prints s at the given indentation, with the comments inside it, and
// the comment that ends its last line before limit.
func (p *printer) stmt(s *stmt, indent, limit int) {
	p.gapLine(s.pos.Line)
	gaps := p.innerComments(s, indent)
	text := s.prefix
	p.add(line{kind: codeLine, indent: indent, head: s.head})
	for i, it := range s.items {
		if i > 0 && s.breakBefore(i) {
			p.lines[len(p.lines)-1].text = text + ","
			for _, c := range gaps[i-1] {
				if c.Pos().Line == s.items[i-1].end.Line {
					p.appendComment(c, indent+indentWidth)
				} else {
					p.add(line{kind: innerLine, indent: indent + indentWidth, text: commentText(c)})
				}
			}
			p.add(line{kind: contLine, indent: indent + indentWidth})
			text = ""
		} else if i > 0 {
			text += ", "
		}
		text += it.text
	}
	last := &p.lines[len(p.lines)-1]
	last.text = text + s.suffix
	last.opens = strings.HasSuffix(s.suffix, "{")
	p.trailing(s.end, limit, indent)
	p.lastLine = s.end.Line
}

// innerComments takes the comments that start before s.end. If every one
// lies in a line break of the list, it returns them by the index of the
// item they follow; otherwise it prints them all before the statement.
func (p *printer) innerComments(s *stmt, indent int) map[int][]*lang.Comment {
	start := p.next
	for p.peek(s.end.Offset) != nil {
		p.next++
	}
	inner := p.comments[start:p.next]
	gaps := map[int][]*lang.Comment{}
	for _, c := range inner {
		i := s.gap(c)
		if i < 0 {
			for _, c := range inner {
				p.add(line{kind: commentLine, indent: indent, text: commentText(c)})
			}
			return nil
		}
		gaps[i] = append(gaps[i], c)
	}
	return gaps
}

// commentText returns the text of c without trailing white space.
func commentText(c *lang.Comment) string {
	return strings.TrimRight(c.Text, " \t\r\f\v")
}

// bytes renders the lines, aligning the heads of each run of statements.
func (p *printer) bytes() []byte {
	lines := p.lines
	for len(lines) > 0 && lines[len(lines)-1].kind == blankLine {
		lines = lines[:len(lines)-1]
	}
	var b strings.Builder
	for i := 0; i < len(lines); {
		j := runEnd(lines, i)
		width := headWidth(lines[i:j])
		for _, l := range lines[i:j] {
			writeLine(&b, l, width)
		}
		i = j
	}
	return []byte(b.String())
}

// runEnd returns the end of the alignment run that starts at lines[i]: the
// lines up to the next blank line, comment line or "}".
func runEnd(lines []line, i int) int {
	j := i + 1
	for inRun(lines[i]) && j < len(lines) && inRun(lines[j]) {
		j++
	}
	return j
}

// inRun reports whether l can be part of an alignment run.
func inRun(l line) bool {
	return l.kind == codeLine || l.kind == contLine || l.kind == innerLine
}

// headWidth returns the width of the widest head followed by text.
func headWidth(lines []line) int {
	width := 0
	for _, l := range lines {
		if l.head != "" && l.text != "" {
			width = max(width, utf8.RuneCountInString(l.head))
		}
	}
	return width
}

// writeLine writes l with its head padded to width.
func writeLine(b *strings.Builder, l line, width int) {
	var s strings.Builder
	if l.kind != blankLine {
		s.WriteString(strings.Repeat(" ", l.indent))
	}
	s.WriteString(l.head)
	if l.head != "" && l.text != "" {
		s.WriteString(strings.Repeat(" ", width-utf8.RuneCountInString(l.head)+1))
	}
	s.WriteString(l.text)
	if l.comment != "" {
		s.WriteString("  ")
		s.WriteString(l.comment)
	}
	b.WriteString(strings.TrimRight(s.String(), " "))
	b.WriteByte('\n')
}
