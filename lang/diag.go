package lang

import (
	"cmp"
	"fmt"
	"slices"
)

// Severity says how serious a diagnostic is.
type Severity int

// The severities, least serious first.
const (
	SeverityNote Severity = iota
	SeverityWarning
	SeverityError
)

// String returns "note", "warning" or "error".
func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	default:
		return "note"
	}
}

// Diagnostic is one finding of the parser or the checker.
type Diagnostic struct {
	Code     Code     // stable code, e.g. "E0203"
	Severity Severity // the code's default, or as promoted or demoted by the user
	Range    Range    // where it is
	Path     string   // where it is in the pipeline, e.g. "transform.fare_xf"
	Message  string   // what is wrong
	Hint     string   // how to fix it, may be empty
	Related  []Related
}

// Related points at another place that explains a diagnostic, such as the
// first definition of a duplicated name.
type Related struct {
	Range   Range
	Message string
}

// Name returns the kebab-case name of the diagnostic's code.
func (d *Diagnostic) Name() string { return d.Code.Info().Name }

// Error formats d as "file:line:col: severity[code]: message".
func (d *Diagnostic) Error() string {
	return fmt.Sprintf("%s: %s[%s]: %s", d.Range, d.Severity, d.Code, d.Message)
}

// Diagnostics is a list of diagnostics.
type Diagnostics []*Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Sort orders ds by file, then position, then code, keeping the order of
// diagnostics that compare equal.
func (ds Diagnostics) Sort() {
	slices.SortStableFunc(ds, func(a, b *Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Range.File, b.Range.File),
			cmp.Compare(a.Range.Start.Offset, b.Range.Start.Offset),
			cmp.Compare(a.Code, b.Code),
		)
	})
}

// Policy changes the severity of warnings by name or code: a user silences
// ("allow") or promotes ("deny") them. The zero Policy changes nothing.
type Policy struct {
	Allow map[string]bool // warning names or codes to drop
	Deny  map[string]bool // warning names or codes to report as errors
}

// Apply returns ds with the policy applied. Errors are never dropped or
// demoted.
func (p Policy) Apply(ds Diagnostics) Diagnostics {
	out := ds[:0:0]
	for _, d := range ds {
		if d.Severity == SeverityWarning {
			info := d.Code.Info()
			if p.Allow[info.Name] || p.Allow[string(d.Code)] {
				continue
			}
			if p.Deny[info.Name] || p.Deny[string(d.Code)] {
				c := *d
				c.Severity = SeverityError
				d = &c
			}
		}
		out = append(out, d)
	}
	return out
}
