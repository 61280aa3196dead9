// Package frontend runs the front half of the compiler on one file: parse,
// then check against the schema and the standard library. The CLI, the
// editor integration and the tests all compile through it, so they agree.
package frontend

import (
	"fmt"
	"os"

	"github.com/tfxc/tfxc/lang"
	"github.com/tfxc/tfxc/parser"
	"github.com/tfxc/tfxc/stdlib"
)

// Options configure Check.
type Options struct {
	// Schema, when set, is checked against instead of the schema the file
	// names (tfxc check --schema); load it with LoadSchema.
	Schema *lang.Schema
	// Policy silences or promotes warnings.
	Policy lang.Policy
}

// LoadSchema reads a schema given on its own (not named by a pipeline),
// placing every diagnostic in the schema file.
func LoadSchema(path string) (*lang.Schema, lang.Diagnostics) {
	s, diags := lang.LoadSchemaFile(path)
	for _, d := range diags {
		d.Path = "schema"
		if d.Range.File == "" {
			d.Range.File = path
		}
		if !d.Range.Start.IsValid() {
			d.Range.Start, d.Range.End = lang.Pos{Line: 1, Col: 1}, lang.Pos{Line: 1, Col: 1}
		}
	}
	diags.Sort()
	return s, diags
}

// CheckFile reads and checks the file at path.
func CheckFile(path string, opts Options) (*lang.Program, []byte, lang.Diagnostics, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	prog, diags := Check(path, src, opts)
	return prog, src, diags, nil
}

// Check parses and checks one file's source. Checking is skipped when the
// file has syntax errors, so one mistake does not cascade into many. The
// Program is complete only when no diagnostic is an error.
func Check(filename string, src []byte, opts Options) (*lang.Program, lang.Diagnostics) {
	f, diags := parser.ParseFile(filename, src)
	if diags.HasErrors() {
		diags.Sort()
		return nil, opts.Policy.Apply(diags)
	}
	cfg := &lang.Config{Catalog: stdlib.Catalog(), Schema: opts.Schema, LoadSchema: lang.LoadSchemaFile}
	prog, cdiags := lang.Check(f, cfg)
	diags = append(diags, cdiags...)
	diags.Sort()
	return prog, opts.Policy.Apply(diags)
}
