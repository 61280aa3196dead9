// Package diagfmt renders diagnostics for people and for tools: as
// compiler-style text with the source line and carets under the mistake
// (Text, Summary), as JSON Lines (JSON) and as SARIF 2.1.0 (SARIF), which
// code-scanning services and editors read.
package diagfmt

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tfxc/tfxc/lang"
)

// TabWidth is the number of columns between tab stops when Text shows a
// source line. Tabs are expanded to spaces so that the carets line up
// whatever the terminal's tab stops are.
const TabWidth = 4

// ANSI escapes for color output.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[1;31m"
	ansiYellow = "\x1b[1;33m"
	ansiCyan   = "\x1b[1;36m"
	ansiBlue   = "\x1b[1;34m"
)

// Text writes each diagnostic in compiler style:
//
//	taxi.tfxl:12:5: error[E0203]: fare_xf is defined twice
//	   12 |     fare_xf = z_score(fill(fare, 0.0))
//	      |     ^^^^^^^
//	      = hint: rename one of them
//	      = note: taxi.tfxl:11:5: first defined here
//
// The source line comes from sources, keyed by the diagnostic's file name;
// when it is not there (no source, a line out of range, an invalid
// position) only the first line is written. The carets underline the
// range on its first line, at least one of them; a range that ends on a
// later line is underlined to the end of its first line. Tabs in the source
// line are expanded (see TabWidth) and wide characters count two columns,
// so the carets stay under the text they mean.
//
// A code whose default severity is warning is shown with its name, as in
// "warning[W0001 unused-transform]", since that is what --allow and --deny
// take. With color set, the severity and the carets are colored with ANSI
// escapes (bold red for errors, bold yellow for warnings).
//
// Text does not write the summary line; see Summary.
func Text(w io.Writer, ds lang.Diagnostics, sources map[string][]byte, color bool) error {
	bw := bufio.NewWriter(w)
	lines := map[string][]string{} // split sources, on first use
	for _, d := range ds {
		if d == nil {
			continue
		}
		writeDiag(bw, d, sources, lines, color)
	}
	return bw.Flush()
}

// Summary writes the closing line of text output, such as "2 errors,
// 1 warning" ("1 note" too when there are notes). It writes nothing when ds
// is empty.
func Summary(w io.Writer, ds lang.Diagnostics) error {
	var errs, warns, notes int
	for _, d := range ds {
		if d == nil {
			continue
		}
		switch d.Severity {
		case lang.SeverityError:
			errs++
		case lang.SeverityWarning:
			warns++
		default:
			notes++
		}
	}
	if errs+warns+notes == 0 {
		return nil
	}
	s := plural(errs, "error") + ", " + plural(warns, "warning")
	if notes > 0 {
		s += ", " + plural(notes, "note")
	}
	_, err := io.WriteString(w, s+"\n")
	return err
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// label returns "error[E0203]" or "warning[W0001 unused-transform]".
func label(d *lang.Diagnostic) string {
	info := d.Code.Info()
	tag := string(d.Code)
	if info.Severity == lang.SeverityWarning && info.Name != "" {
		tag += " " + info.Name
	}
	return d.Severity.String() + "[" + tag + "]"
}

func severityColor(s lang.Severity) string {
	switch s {
	case lang.SeverityError:
		return ansiRed
	case lang.SeverityWarning:
		return ansiYellow
	default:
		return ansiCyan
	}
}

// location formats "file:line:col", "file" or "" for a range.
func location(r lang.Range) string {
	switch {
	case r.File != "" && r.Start.IsValid():
		return r.File + ":" + r.Start.String()
	case r.File != "":
		return r.File
	case r.Start.IsValid():
		return r.Start.String()
	}
	return ""
}

func writeDiag(w *bufio.Writer, d *lang.Diagnostic, sources map[string][]byte, cache map[string][]string, color bool) {
	paint := func(c, s string) string {
		if !color {
			return s
		}
		return c + s + ansiReset
	}
	sevColor := severityColor(d.Severity)

	// The header.
	if loc := location(d.Range); loc != "" {
		w.WriteString(paint(ansiBold, loc+":") + " ")
	}
	w.WriteString(paint(sevColor, label(d)))
	w.WriteString(paint(ansiBold, ": "+oneLine(d.Message)))
	w.WriteString("\n")

	gutter := 5
	var text, carets string
	ok := false
	if line, found := sourceLine(d.Range, sources, cache); found {
		text, carets = underline(line, d.Range)
		ok = true
		if n := len(fmt.Sprint(d.Range.Start.Line)); n > gutter {
			gutter = n
		}
	}
	blank := strings.Repeat(" ", gutter)
	if ok {
		fmt.Fprintf(w, "%*d %s %s\n", gutter, d.Range.Start.Line, paint(ansiBlue, "|"), text)
		marks := strings.TrimLeft(carets, " ")
		fmt.Fprintf(w, "%s %s %s%s\n", blank, paint(ansiBlue, "|"), carets[:len(carets)-len(marks)], paint(sevColor, marks))
	}
	if d.Hint != "" {
		fmt.Fprintf(w, "%s %s hint: %s\n", blank, paint(ansiBlue, "="), oneLine(d.Hint))
	}
	for _, rel := range d.Related {
		r := rel.Range
		if r.File == "" && r.Start.IsValid() {
			r.File = d.Range.File
		}
		msg := oneLine(rel.Message)
		if loc := location(r); loc != "" {
			msg = loc + ": " + msg
		}
		fmt.Fprintf(w, "%s %s note: %s\n", blank, paint(ansiBlue, "="), msg)
	}
}

// oneLine keeps a message on its line: line breaks become spaces, so one
// diagnostic cannot pass for two.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)), " ")
}

// sourceLine returns the text of the line where r starts, without its line
// ending, and whether it is known.
func sourceLine(r lang.Range, sources map[string][]byte, cache map[string][]string) (string, bool) {
	if !r.Start.IsValid() || r.Start.Col < 1 {
		return "", false
	}
	src, ok := sources[r.File]
	if !ok {
		return "", false
	}
	lines, ok := cache[r.File]
	if !ok {
		lines = strings.Split(string(src), "\n")
		cache[r.File] = lines
	}
	if r.Start.Line > len(lines) {
		return "", false
	}
	line := strings.TrimSuffix(lines[r.Start.Line-1], "\r")
	if !utf8.ValidString(line) {
		return "", false
	}
	return line, true
}

// underline returns the line as it is shown (tabs expanded, control
// characters replaced) and the caret line for r on it. Columns of r count
// code points, 1-based; a start past the end of the line is placed just
// after its last character (where the parser reports a missing token).
func underline(line string, r lang.Range) (text, carets string) {
	runes := []rune(line)
	start := min(r.Start.Col-1, len(runes))
	end := start + 1
	switch {
	case r.End.Line == r.Start.Line && r.End.Col > r.Start.Col:
		end = r.End.Col - 1
	case r.End.Line > r.Start.Line:
		end = len(runes)
	}
	// At least one caret; none past the end of the line unless the range
	// starts there.
	end = min(max(end, start+1), max(len(runes), start+1))

	// A very long line is shown as a window around the start, marked "…"
	// where it is cut.
	prefix, suffix := "", ""
	if len(runes) > maxShown {
		lo := max(0, min(start-maxShown/3, len(runes)-maxShown))
		hi := lo + maxShown
		if lo > 0 {
			prefix = "…"
		}
		if hi < len(runes) {
			suffix = "…"
		}
		runes = runes[lo:hi]
		start, end = start-lo, min(end-lo, hi-lo+1)
	}

	var b strings.Builder
	cols := make([]int, len(runes)+1) // display column where each rune starts
	col := 0
	for i, c := range runes {
		cols[i] = col
		switch {
		case c == '\t':
			n := TabWidth - col%TabWidth
			b.WriteString(strings.Repeat(" ", n))
			col += n
		case c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0):
			b.WriteRune(utf8.RuneError)
			col++
		default:
			b.WriteRune(c)
			col += runeWidth(c)
		}
	}
	cols[len(runes)] = col
	startCol, endCol := cols[start], col+1 // past the end: one caret after the line
	if end <= len(runes) {
		endCol = cols[end]
	}
	n := max(endCol-startCol, 1)
	pad := strings.Repeat(" ", len([]rune(prefix)))
	return prefix + strings.TrimRight(b.String(), " ") + suffix, pad + strings.Repeat(" ", startCol) + strings.Repeat("^", n)
}

// maxShown is the most characters of a source line that are shown.
const maxShown = 160

// runeWidth returns the number of terminal columns c takes: 0 for
// combining marks and format characters, 2 for East Asian wide and
// full-width characters and emoji, 1 for the rest.
func runeWidth(c rune) int {
	switch {
	case unicode.In(c, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	case isWide(c):
		return 2
	}
	return 1
}

// wide are the ranges of East Asian Wide and Fullwidth characters and of
// the emoji presented wide (Unicode's EastAsianWidth.txt, simplified).
var wide = [][2]rune{
	{0x1100, 0x115f},   // Hangul Jamo initials
	{0x231a, 0x231b},   // watch, hourglass
	{0x2329, 0x232a},   // angle brackets
	{0x23e9, 0x23ec},   // media controls
	{0x23f0, 0x23f0},   // alarm clock
	{0x23f3, 0x23f3},   // hourglass
	{0x25fd, 0x25fe},   // small squares
	{0x2614, 0x2615},   // umbrella, hot beverage
	{0x2648, 0x2653},   // zodiac
	{0x267f, 0x267f},   // wheelchair
	{0x2693, 0x2693},   // anchor
	{0x26a1, 0x26a1},   // high voltage
	{0x26aa, 0x26ab},   // circles
	{0x26bd, 0x26be},   // balls
	{0x26c4, 0x26c5},   // snowman, sun
	{0x26ce, 0x26ce},   // ophiuchus
	{0x26d4, 0x26d4},   // no entry
	{0x26ea, 0x26ea},   // church
	{0x26f2, 0x26f3},   // fountain, golf
	{0x26f5, 0x26f5},   // sailboat
	{0x26fa, 0x26fa},   // tent
	{0x26fd, 0x26fd},   // fuel pump
	{0x2705, 0x2705},   // check mark
	{0x270a, 0x270b},   // fists
	{0x2728, 0x2728},   // sparkles
	{0x274c, 0x274c},   // cross mark
	{0x274e, 0x274e},   // cross mark
	{0x2753, 0x2755},   // question marks
	{0x2757, 0x2757},   // exclamation mark
	{0x2795, 0x2797},   // plus, minus, division
	{0x27b0, 0x27b0},   // curly loop
	{0x27bf, 0x27bf},   // double curly loop
	{0x2b1b, 0x2b1c},   // large squares
	{0x2b50, 0x2b50},   // star
	{0x2b55, 0x2b55},   // circle
	{0x2e80, 0x303e},   // CJK radicals, punctuation
	{0x3041, 0x33ff},   // kana, CJK compatibility
	{0x3400, 0x4dbf},   // CJK extension A
	{0x4e00, 0x9fff},   // CJK unified ideographs
	{0xa000, 0xa4cf},   // Yi
	{0xa960, 0xa97f},   // Hangul Jamo extended A
	{0xac00, 0xd7a3},   // Hangul syllables
	{0xf900, 0xfaff},   // CJK compatibility ideographs
	{0xfe10, 0xfe19},   // vertical forms
	{0xfe30, 0xfe6f},   // CJK compatibility forms, small forms
	{0xff00, 0xff60},   // full-width forms
	{0xffe0, 0xffe6},   // full-width signs
	{0x16fe0, 0x16fe4}, // ideographic symbols
	{0x17000, 0x18cff}, // Tangut
	{0x1b000, 0x1b2ff}, // kana supplement, Nushu
	{0x1f004, 0x1f004}, // mahjong tile
	{0x1f0cf, 0x1f0cf}, // joker
	{0x1f18e, 0x1f18e}, // AB button
	{0x1f191, 0x1f19a}, // squared words
	{0x1f200, 0x1f2ff}, // enclosed ideographic supplement
	{0x1f300, 0x1f64f}, // pictographs, emoticons
	{0x1f680, 0x1f6ff}, // transport and map symbols
	{0x1f7e0, 0x1f7eb}, // colored circles and squares
	{0x1f90c, 0x1f9ff}, // supplemental symbols and pictographs
	{0x1fa70, 0x1faff}, // symbols and pictographs extended A
	{0x20000, 0x3fffd}, // CJK extensions, planes 2 and 3
}

func isWide(c rune) bool {
	if c < wide[0][0] {
		return false
	}
	lo, hi := 0, len(wide)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case c < wide[m][0]:
			hi = m
		case c > wide[m][1]:
			lo = m + 1
		default:
			return true
		}
	}
	return false
}
