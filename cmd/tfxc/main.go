// Command tfxc is the compiler of .tfxl ML pipeline files.
//
// Usage:
//
//	tfxc check [--format text|json|sarif] [--schema FILE] [--allow NAME]... [--deny NAME]... [--color] FILE...
//	tfxc plan [--format text|dot|json] [--schema FILE] FILE
//	tfxc run [--out DIR] [--schema FILE] [Beam runner flags] FILE [-- BEAM-FLAGS...]
//	tfxc runs [--out DIR] [--format text|json] FILE
//	tfxc show [--out DIR] [--format text|json] RUN
//	tfxc fmt [-w] [-l] [-d] FILE...
//	tfxc codes
//	tfxc version
//	tfxc help [COMMAND]
//
// The exit status is 0 when there is no error (warnings are allowed), 1 when
// a diagnostic is an error or a file cannot be read or written, and 2 on a
// usage error. Run "tfxc help COMMAND" for the details of a command.
//
// tfxc never links Apache Beam: it answers in milliseconds, as an editor's
// save hook needs. "tfxc run" hands the compiled plan to tfxc-beam, the
// Beam side, installed beside it.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/tfxc/tfxc/internal/version"
	"github.com/tfxc/tfxc/lang"
)

// Exit statuses.
const (
	exitOK    = 0 // no error diagnostics
	exitError = 1 // error diagnostics, or a file that cannot be read or written
	exitUsage = 2 // a command line that tfxc does not understand
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is a subcommand of tfxc.
type command struct {
	name    string
	summary string
	usage   string // the synopsis and description, without the flags
	flags   func(*pflag.FlagSet) any
	run     func(c *cli, cmd *command, fs *pflag.FlagSet, opts any) int
}

var commands []*command

func init() {
	commands = []*command{checkCommand, planCommand, runCommand, runsCommand, showCommand, fmtCommand, codesCommand, versionCommand, helpCommand}
}

func lookupCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// cli holds the output streams of one run.
type cli struct {
	stdout, stderr io.Writer
}

// run runs tfxc with the arguments after the program name and returns the
// exit status.
func run(args []string, stdout, stderr io.Writer) int {
	c := &cli{stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		c.usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		c.usage(stdout)
		return exitOK
	case "-v", "-version", "--version":
		args = []string{"version"}
	}
	cmd := lookupCommand(args[0])
	if cmd == nil {
		if strings.HasPrefix(args[0], "-") {
			return c.usageError(nil, "unknown flag %s before the command", args[0])
		}
		return c.usageError(nil, "unknown command %q", args[0])
	}
	fs := newFlagSet(cmd)
	var opts any
	if cmd.flags != nil {
		opts = cmd.flags(fs)
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			c.commandUsage(stdout, cmd)
			return exitOK
		}
		return c.usageError(cmd, "%v", err)
	}
	return cmd.run(c, cmd, fs, opts)
}

func newFlagSet(cmd *command) *pflag.FlagSet {
	fs := pflag.NewFlagSet("tfxc "+cmd.name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard) // run reports errors and usage itself
	fs.Usage = func() {}
	fs.SortFlags = false
	return fs
}

// usageError reports a usage error with the synopsis and flags of cmd, or
// the usage of tfxc when cmd is nil, and returns exitUsage.
func (c *cli) usageError(cmd *command, format string, args ...any) int {
	fmt.Fprintf(c.stderr, "tfxc: %s\n\n", fmt.Sprintf(format, args...))
	if cmd == nil {
		c.usage(c.stderr)
		return exitUsage
	}
	synopsis, _, _ := strings.Cut(cmd.usage, "\n")
	fmt.Fprintln(c.stderr, synopsis)
	c.flagUsage(c.stderr, cmd)
	fmt.Fprintf(c.stderr, "\nRun \"tfxc help %s\" for more.\n", cmd.name)
	return exitUsage
}

// errorf reports a problem that is not a diagnostic, such as a file that
// cannot be read.
func (c *cli) errorf(format string, args ...any) {
	fmt.Fprintf(c.stderr, "tfxc: %s\n", fmt.Sprintf(format, args...))
}

func (c *cli) usage(w io.Writer) {
	fmt.Fprint(w, `tfxc compiles .tfxl ML pipeline files.

Usage:

  tfxc <command> [flags] [arguments]

Commands:

`)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, cmd := range commands {
		fmt.Fprintf(tw, "\t%s\t%s\n", cmd.name, cmd.summary)
	}
	tw.Flush()
	fmt.Fprint(w, `
Exit status: 0 when there is no error (warnings are allowed), 1 when there
are errors or a file cannot be read, 2 on a usage error.

Run "tfxc help <command>" for the flags of a command.
`)
}

func (c *cli) commandUsage(w io.Writer, cmd *command) {
	fmt.Fprint(w, cmd.usage)
	c.flagUsage(w, cmd)
}

// flagUsage lists the flags of cmd, if it has any.
func (c *cli) flagUsage(w io.Writer, cmd *command) {
	fs := newFlagSet(cmd)
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	if !fs.HasFlags() {
		return
	}
	fmt.Fprint(w, "\nFlags:\n")
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fs.VisitAll(func(f *pflag.Flag) {
		name := "    --" + f.Name
		if f.Shorthand != "" {
			name = "-" + f.Shorthand + ", --" + f.Name
		}
		varname, usage := pflag.UnquoteUsage(f)
		if f.Value.Type() != "bool" && varname != "" {
			name += " " + strings.ToUpper(varname)
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" {
			usage += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintf(tw, "  %s\t%s\n", name, usage)
	})
	tw.Flush()
}

// readError describes a failure to read or write a file without repeating
// its name: "no such file or directory".
func readError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

var helpCommand = &command{
	name:    "help",
	summary: "show the help of tfxc or of a command",
	usage: `Usage: tfxc help [COMMAND]

Help shows how to use tfxc, or a command of it.
`,
	run: func(c *cli, cmd *command, fs *pflag.FlagSet, _ any) int {
		switch fs.NArg() {
		case 0:
			c.usage(c.stdout)
			return exitOK
		case 1:
			cmd := lookupCommand(fs.Arg(0))
			if cmd == nil {
				return c.usageError(nil, "unknown command %q", fs.Arg(0))
			}
			c.commandUsage(c.stdout, cmd)
			return exitOK
		}
		return c.usageError(cmd, "help takes at most one command")
	},
}

var versionCommand = &command{
	name:    "version",
	summary: "print the version of tfxc",
	usage: `Usage: tfxc version

Version prints the version of tfxc and of the Go toolchain that built it.
`,
	run: func(c *cli, cmd *command, fs *pflag.FlagSet, _ any) int {
		if fs.NArg() > 0 {
			return c.usageError(cmd, "version takes no arguments")
		}
		fmt.Fprintf(c.stdout, "tfxc %s %s %s/%s\n", toolVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return exitOK
	},
}

// toolVersion returns the version of tfxc, which tfxc-beam shares (the
// handshake between the two compares them).
func toolVersion() string { return version.String() }

var codesCommand = &command{
	name:    "codes",
	summary: "list every diagnostic code",
	usage: `Usage: tfxc codes

Codes lists every diagnostic code that tfxc reports, one a line: the code, its
kebab-case name (what --allow and --deny take), its default severity and what
it means. Codes are stable: a code is never reused for another meaning.
`,
	run: func(c *cli, cmd *command, fs *pflag.FlagSet, _ any) int {
		if fs.NArg() > 0 {
			return c.usageError(cmd, "codes takes no arguments")
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 8, 2, ' ', 0)
		for _, info := range lang.Codes() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", info.Code, info.Name, info.Severity, info.Summary)
		}
		if err := tw.Flush(); err != nil {
			c.errorf("%v", err)
			return exitError
		}
		return exitOK
	},
}
