package validate

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// sixDigits formats x as absl::SixDigits and absl::StrCat(double) do,
// which TFDV uses in descriptions: printf's %.6g ("0.2", "3", "1e+06",
// "inf", "nan").
func sixDigits(x float64) string {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	return fmt.Sprintf("%.6g", x)
}

// utf8SafeCEscape escapes a string as absl::Utf8SafeCEscape does: C
// escapes for control characters, quotes and backslash; bytes >= 0x80 are
// kept.
func utf8SafeCEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '"':
			b.WriteString(`\"`)
		case '\'':
			b.WriteString(`\'`)
		case '\\':
			b.WriteString(`\\`)
		default:
			if c < 0x20 || c == 0x7f {
				fmt.Fprintf(&b, `\%03o`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

// standardStep matches a path step that needs no quoting (path.cc
// kStandardStep).
var standardStep = regexp.MustCompile(`^(?:\([^()]*\)|[^().']+)$`)

// serializePath joins a path's steps with "." as TFDV's Path::Serialize
// does, quoting a step that holds '.', '(', ')' or '\” (or is empty) in
// single quotes with inner quotes doubled. Anomalies are keyed by it.
func serializePath(path []string) string {
	parts := make([]string, len(path))
	for i, s := range path {
		if standardStep.MatchString(s) {
			parts[i] = s
		} else {
			parts[i] = "'" + strings.ReplaceAll(s, "'", "''") + "'"
		}
	}
	return strings.Join(parts, ".")
}

// trimASCIISpace trims the whitespace absl's SimpleAtoi/SimpleAtof allow
// around a number.
func trimASCIISpace(s string) string { return strings.Trim(s, " \t\n\v\f\r") }

// simpleAtoi parses a base-10 int64 as absl::SimpleAtoi does: surrounding
// whitespace and a leading sign allowed, nothing else.
func simpleAtoi(s string) (int64, bool) {
	s = trimASCIISpace(s)
	if strings.HasPrefix(s, "+") && !strings.HasPrefix(s, "+-") {
		s = s[1:]
	}
	if s == "" || strings.ContainsAny(s, "_+") {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// simpleAtof parses a float32 as absl::SimpleAtof does: surrounding
// whitespace, a leading sign, "inf", "infinity" and "nan" allowed; an
// out-of-range value saturates.
func simpleAtof(s string) (float32, bool) {
	s = trimASCIISpace(s)
	if strings.HasPrefix(s, "+") && !strings.HasPrefix(s, "+-") {
		s = s[1:]
	}
	if s == "" || strings.Contains(s, "_") {
		return 0, false
	}
	l := strings.ToLower(strings.TrimPrefix(s, "-"))
	if strings.HasPrefix(l, "0x") {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 32)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	return float32(v), true
}
