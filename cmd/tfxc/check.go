package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tfxc/tfxc/diagfmt"
	"github.com/tfxc/tfxc/frontend"
	"github.com/tfxc/tfxc/lang"
)

// checkFlags are the flags of tfxc check.
type checkFlags struct {
	format string
	schema string
	allow  []string
	deny   []string
	color  bool
}

var checkCommand = &command{
	name:    "check",
	summary: "type-check pipeline files and report every problem",
	usage: `Usage: tfxc check [flags] FILE...

Check parses each pipeline file and type-checks it against its schema (the
one the file names, or --schema) and the standard library. It reports every
problem at once, each with its place, a stable code and a hint.

Output: with --format text (the default), diagnostics go to standard error,
as a compiler's do, each with its source line, followed by a line that
counts errors and warnings. With --format json (JSON Lines, one object per
diagnostic) or --format sarif (SARIF 2.1.0, one run for all the files),
diagnostics go to standard output, so they can be redirected to a file;
problems that are not diagnostics, such as a file that cannot be read,
still go to standard error.

Warnings have kebab-case names (run "tfxc codes"): --allow NAME drops a
warning, --deny NAME makes it an error. Both take names or codes, may be
repeated and take comma-separated lists.

Exit status: 0 when no diagnostic is an error (warnings are allowed); 1 when
one is, or a file or the --schema file cannot be read; 2 on a usage error
(an unknown flag, no files, a bad --format, an unknown --allow or --deny
name).
`,
	flags: func(fs *pflag.FlagSet) any {
		f := &checkFlags{}
		fs.StringVar(&f.format, "format", "text", "output `FORMAT`: text, json or sarif")
		fs.StringVar(&f.schema, "schema", "", "check against this TFMD text-format schema `FILE` instead of the one each file names")
		fs.StringSliceVar(&f.allow, "allow", nil, "drop the warning with this `NAME` or code")
		fs.StringSliceVar(&f.deny, "deny", nil, "report the warning with this `NAME` or code as an error")
		fs.BoolVar(&f.color, "color", false, "color text output with ANSI escapes")
		return f
	},
	run: runCheck,
}

// checkOptions configure checkFile.
type checkOptions struct {
	// schema, when set, is used instead of the schema each file names.
	schema *lang.Schema
	// policy silences or promotes warnings.
	policy lang.Policy
}

// checkFile reads and checks one file through the frontend, which every
// caller of the compiler shares.
func checkFile(path string, opts checkOptions) (lang.Diagnostics, []byte, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	_, diags := frontend.Check(path, src, frontend.Options{Schema: opts.schema, Policy: opts.policy})
	return diags, src, nil
}

// loadSchemaFlag loads the --schema file. Its diagnostics (a schema it
// cannot parse, fields it ignores) are placed in the schema file; the error
// is for a file that cannot be read.
func loadSchemaFlag(path string) (*lang.Schema, lang.Diagnostics, []byte, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, nil, err
	}
	s, diags := frontend.LoadSchema(path)
	return s, diags, src, nil
}

// parsePolicy builds the policy of --allow and --deny. Each name must be a
// warning's name or code.
func parsePolicy(allow, deny []string) (lang.Policy, error) {
	p := lang.Policy{Allow: map[string]bool{}, Deny: map[string]bool{}}
	add := func(flag string, names []string, set map[string]bool) error {
		for _, name := range names {
			name = strings.TrimSpace(name)
			info, ok := lang.LookupCode(name)
			if !ok {
				return fmt.Errorf("--%s %s: no diagnostic has this name or code (run \"tfxc codes\")", flag, name)
			}
			if info.Severity != lang.SeverityWarning {
				return fmt.Errorf("--%s %s: %s is an error, and only warnings can be allowed or denied", flag, name, info.Code)
			}
			set[string(info.Code)] = true
		}
		return nil
	}
	if err := add("allow", allow, p.Allow); err != nil {
		return lang.Policy{}, err
	}
	if err := add("deny", deny, p.Deny); err != nil {
		return lang.Policy{}, err
	}
	for code := range p.Allow {
		if p.Deny[code] {
			info := lang.Code(code).Info()
			return lang.Policy{}, fmt.Errorf("%s (%s) is both allowed and denied", info.Name, code)
		}
	}
	return p, nil
}

func runCheck(c *cli, cmd *command, fs *pflag.FlagSet, opts any) int {
	f := opts.(*checkFlags)
	if !slices.Contains([]string{"text", "json", "sarif"}, f.format) {
		return c.usageError(cmd, "--format %s: want text, json or sarif", f.format)
	}
	policy, err := parsePolicy(f.allow, f.deny)
	if err != nil {
		return c.usageError(cmd, "%v", err)
	}
	if fs.NArg() == 0 {
		return c.usageError(cmd, "no files to check")
	}

	status := exitOK
	var all lang.Diagnostics
	sources := map[string][]byte{}
	tried := map[string]bool{} // files addSources tried to read
	report := func(ds lang.Diagnostics) {
		if ds.HasErrors() {
			status = exitError
		}
		all = append(all, ds...)
		var err error
		switch f.format {
		case "text":
			addSources(sources, tried, ds)
			err = diagfmt.Text(c.stderr, ds, sources, f.color)
		case "json":
			err = diagfmt.JSON(c.stdout, ds)
		}
		if err != nil {
			c.errorf("%v", err)
			status = exitError
		}
	}

	copts := checkOptions{policy: policy}
	schemaOK := true
	if f.schema != "" {
		s, diags, src, err := loadSchemaFlag(f.schema)
		if err != nil {
			c.errorf("read schema %s: %s", f.schema, readError(err))
			return exitError
		}
		sources[f.schema] = src
		report(policy.Apply(diags))
		if s == nil {
			// The schema is unusable; checking against it would only
			// report every feature as unknown.
			schemaOK = false
			status = exitError
		}
		copts.schema = s
	}
	if schemaOK {
		for _, path := range fs.Args() {
			ds, src, err := checkFile(path, copts)
			if err != nil {
				c.errorf("read %s: %s", path, readError(err))
				status = exitError
				continue
			}
			sources[path] = src
			report(ds)
		}
	}

	var err2 error
	switch f.format {
	case "text":
		err2 = diagfmt.Summary(c.stderr, all)
	case "sarif":
		err2 = diagfmt.SARIF(c.stdout, all, toolVersion())
	}
	if err2 != nil {
		c.errorf("%v", err2)
		status = exitError
	}
	return status
}

// maxShownSource is the size of the largest file whose lines text output
// shows when a diagnostic points into it, such as a schema file that a
// pipeline names.
const maxShownSource = 16 << 20

// addSources reads the files that diagnostics point into and sources does
// not hold yet, so that text output can show their lines. It tries each
// file once; one that cannot be read is shown without its lines.
func addSources(sources map[string][]byte, tried map[string]bool, ds lang.Diagnostics) {
	for _, d := range ds {
		file := d.Range.File
		if _, ok := sources[file]; ok || file == "" || tried[file] {
			continue
		}
		tried[file] = true
		fi, err := os.Stat(file)
		if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxShownSource {
			continue
		}
		if src, err := os.ReadFile(file); err == nil {
			sources[file] = src
		}
	}
}
