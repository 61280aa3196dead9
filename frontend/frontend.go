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
	// SchemaPath, when set, is the schema to check against instead of the
	// one the file names.
	SchemaPath string
	// Policy silences or promotes warnings.
	Policy lang.Policy
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
	cfg := &lang.Config{Catalog: stdlib.Catalog(), LoadSchema: lang.LoadSchemaFile}
	if opts.SchemaPath != "" {
		s, sdiags := lang.LoadSchemaFile(opts.SchemaPath)
		for _, d := range sdiags {
			if d.Range.File == "" {
				d.Range.File = opts.SchemaPath
				d.Range.Start, d.Range.End = lang.Pos{Line: 1, Col: 1}, lang.Pos{Line: 1, Col: 1}
			}
		}
		diags = append(diags, sdiags...)
		if s == nil {
			diags.Sort()
			return nil, opts.Policy.Apply(diags)
		}
		cfg.Schema = s
	}
	prog, cdiags := lang.Check(f, cfg)
	diags = append(diags, cdiags...)
	diags.Sort()
	return prog, opts.Policy.Apply(diags)
}
