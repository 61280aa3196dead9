package diagfmt

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/tfxc/tfxc/lang"
)

// JSONDiagnostic is one line of JSON output. Its fields are written in this
// order, every one of them every time: an empty hint is "", no related
// locations is [], and an invalid position has line and column 0.
type JSONDiagnostic struct {
	Code      string        `json:"code"`     // e.g. "E0203"
	Name      string        `json:"name"`     // kebab-case, e.g. "duplicate-name"
	Severity  string        `json:"severity"` // "error", "warning" or "note"
	File      string        `json:"file"`
	StartLine int           `json:"start_line"` // 1-based
	StartCol  int           `json:"start_col"`  // 1-based, in Unicode code points
	EndLine   int           `json:"end_line"`
	EndCol    int           `json:"end_col"` // exclusive
	Path      string        `json:"path"`    // where in the pipeline, e.g. "transform.fare_xf"
	Message   string        `json:"message"`
	Hint      string        `json:"hint"`
	Related   []JSONRelated `json:"related"`
}

// JSONRelated is another place that explains a JSONDiagnostic.
type JSONRelated struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Message string `json:"message"`
}

// NewJSONDiagnostic converts d to its JSON form.
func NewJSONDiagnostic(d *lang.Diagnostic) JSONDiagnostic {
	start, end := d.Range.Start, d.Range.End
	if !start.IsValid() {
		start = lang.Pos{}
	}
	if !end.IsValid() {
		end = start
	}
	j := JSONDiagnostic{
		Code:      string(d.Code),
		Name:      d.Code.Info().Name,
		Severity:  d.Severity.String(),
		File:      d.Range.File,
		StartLine: start.Line,
		StartCol:  start.Col,
		EndLine:   end.Line,
		EndCol:    end.Col,
		Path:      d.Path,
		Message:   d.Message,
		Hint:      d.Hint,
		Related:   []JSONRelated{},
	}
	for _, r := range d.Related {
		p := r.Range.Start
		if !p.IsValid() {
			p = lang.Pos{}
		}
		file := r.Range.File
		if file == "" && p.IsValid() {
			file = d.Range.File
		}
		j.Related = append(j.Related, JSONRelated{File: file, Line: p.Line, Col: p.Col, Message: r.Message})
	}
	return j
}

// JSON writes ds as JSON Lines: one JSONDiagnostic object per line, in the
// order of ds.
func JSON(w io.Writer, ds lang.Diagnostics) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, d := range ds {
		if d == nil {
			continue
		}
		if err := enc.Encode(NewJSONDiagnostic(d)); err != nil {
			return err
		}
	}
	return bw.Flush()
}
