package main

import (
	"os"
	"slices"

	"github.com/spf13/pflag"

	"github.com/tfxc/tfxc/diagfmt"
	"github.com/tfxc/tfxc/frontend"
	"github.com/tfxc/tfxc/lang"
	"github.com/tfxc/tfxc/planner"
)

// planFlags are the flags of tfxc plan.
type planFlags struct {
	format string
	schema string
}

var planCommand = &command{
	name:    "plan",
	summary: "show the job a pipeline file compiles to",
	usage: `Usage: tfxc plan [flags] FILE

Plan checks the pipeline file and prints the job that "tfxc run" would run:
the stages with what each reads and writes and its fingerprint (which
changes when the stage's configuration or an input does), and the
analyzers of the one full pass over the training split.

--format text (the default) is for reading; --format dot prints the stage
graph in Graphviz's DOT language (tfxc plan --format dot F | dot -Tsvg);
--format json prints the plan exactly as tfxc run hands it to tfxc-beam.

Exit status: 0 when the file checks and compiles, 1 when it does not
(its diagnostics go to standard error), 2 on a usage error.
`,
	flags: func(fs *pflag.FlagSet) any {
		f := &planFlags{}
		fs.StringVar(&f.format, "format", "text", "output `FORMAT`: text, dot or json")
		fs.StringVar(&f.schema, "schema", "", "use this TFMD text-format schema `FILE` instead of the one the file names")
		return f
	},
	run: runPlan,
}

func runPlan(c *cli, cmd *command, fs *pflag.FlagSet, opts any) int {
	f := opts.(*planFlags)
	if !slices.Contains([]string{"text", "dot", "json"}, f.format) {
		return c.usageError(cmd, "--format %s: want text, dot or json", f.format)
	}
	if fs.NArg() != 1 {
		return c.usageError(cmd, "plan takes one pipeline file, got %d", fs.NArg())
	}
	p, status := c.compile(fs.Arg(0), f.schema)
	if p == nil {
		return status
	}
	var err error
	switch f.format {
	case "text":
		err = p.WriteText(c.stdout)
	case "dot":
		err = p.WriteDOT(c.stdout)
	case "json":
		var data []byte
		if data, err = planner.Marshal(p); err == nil {
			_, err = c.stdout.Write(data)
		}
	}
	if err != nil {
		c.errorf("%v", err)
		return exitError
	}
	return exitOK
}

// compile checks a pipeline file, printing its diagnostics as text on
// standard error, and plans it. It returns a nil plan and the exit status
// when the file cannot be read, does not check or cannot be planned.
func (c *cli) compile(path, schemaPath string) (*planner.Plan, int) {
	sources := map[string][]byte{}
	var schema *lang.Schema
	if schemaPath != "" {
		s, diags, src, err := loadSchemaFlag(schemaPath)
		if err != nil {
			c.errorf("read schema %s: %s", schemaPath, readError(err))
			return nil, exitError
		}
		sources[schemaPath] = src
		if len(diags) > 0 {
			diagfmt.Text(c.stderr, diags, sources, false)
		}
		if s == nil || diags.HasErrors() {
			return nil, exitError
		}
		schema = s
	}
	src, err := os.ReadFile(path)
	if err != nil {
		c.errorf("read %s: %s", path, readError(err))
		return nil, exitError
	}
	sources[path] = src
	prog, diags := frontend.Check(path, src, frontend.Options{Schema: schema})
	if len(diags) > 0 {
		addSources(sources, map[string]bool{}, diags)
		if err := diagfmt.Text(c.stderr, diags, sources, false); err != nil {
			c.errorf("%v", err)
		}
	}
	if diags.HasErrors() {
		diagfmt.Summary(c.stderr, diags)
		return nil, exitError
	}
	p, err := planner.Compile(prog, path)
	if err != nil {
		c.errorf("%s: %v", path, err)
		return nil, exitError
	}
	return p, exitOK
}
