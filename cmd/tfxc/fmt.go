package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/tfxc/tfxc/diagfmt"
	"github.com/tfxc/tfxc/format"
	"github.com/tfxc/tfxc/lang"
)

// fmtFlags are the flags of tfxc fmt.
type fmtFlags struct {
	write, list, diff bool
}

var fmtCommand = &command{
	name:    "fmt",
	summary: "print pipeline files in the canonical layout",
	usage: `Usage: tfxc fmt [flags] FILE...

Fmt prints each file in the canonical layout to standard output. With -w it
rewrites the files whose layout differs instead, with -l it lists them, with
-d it prints the changes as a unified diff; the three may be combined.

-w replaces a file atomically (a new file in the same folder, renamed over
the old one) and keeps its permissions; a file already in canonical layout
is not touched.

A file with syntax errors is not formatted: its diagnostics go to standard
error and the file is left as it is.

Exit status: 0 when every file was formatted; 1 when a file has syntax
errors or cannot be read or written; 2 on a usage error.
`,
	flags: func(fs *pflag.FlagSet) any {
		f := &fmtFlags{}
		fs.BoolVarP(&f.write, "write", "w", false, "write the result to the file instead of standard output")
		fs.BoolVarP(&f.list, "list", "l", false, "list the files whose layout differs from the canonical one")
		fs.BoolVarP(&f.diff, "diff", "d", false, "print the changes as a unified diff")
		return f
	},
	run: runFmt,
}

func runFmt(c *cli, cmd *command, fs *pflag.FlagSet, opts any) int {
	f := opts.(*fmtFlags)
	if fs.NArg() == 0 {
		return c.usageError(cmd, "no files to format")
	}
	status := exitOK
	var all lang.Diagnostics
	for _, path := range fs.Args() {
		src, err := os.ReadFile(path)
		if err != nil {
			c.errorf("read %s: %s", path, readError(err))
			status = exitError
			continue
		}
		out, diags, err := format.Format(path, src)
		if err != nil {
			status = exitError
			if errors.Is(err, format.ErrSyntax) || diags.HasErrors() {
				var errs lang.Diagnostics
				for _, d := range diags {
					if d.Severity == lang.SeverityError {
						errs = append(errs, d)
					}
				}
				all = append(all, errs...)
				if err := diagfmt.Text(c.stderr, errs, map[string][]byte{path: src}, false); err != nil {
					c.errorf("%v", err)
				}
				continue
			}
			c.errorf("fmt %s: %v", path, err)
			continue
		}
		changed := !bytes.Equal(src, out)
		if f.list && changed {
			if _, err := c.stdout.Write([]byte(path + "\n")); err != nil {
				c.errorf("%v", err)
				return exitError
			}
		}
		if f.write && changed {
			if err := writeFileAtomic(path, out); err != nil {
				c.errorf("write %s: %s", path, readError(err))
				status = exitError
				continue
			}
		}
		if f.diff && changed {
			if _, err := c.stdout.Write(unifiedDiff(path+".orig", path, src, out)); err != nil {
				c.errorf("%v", err)
				return exitError
			}
		}
		if !f.write && !f.list && !f.diff {
			if _, err := c.stdout.Write(out); err != nil {
				c.errorf("%v", err)
				return exitError
			}
		}
	}
	if err := diagfmt.Summary(c.stderr, all); err != nil {
		c.errorf("%v", err)
	}
	return status
}

// writeFileAtomic replaces the file at path with data: it writes a
// temporary file in the same folder, gives it the permissions of the old
// file and renames it over it, so a reader sees the old file or the new
// one, never a part. A symbolic link is followed, so the link stays a link.
func writeFileAtomic(path string, data []byte) (err error) {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tfxc-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(fi.Mode().Perm()); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
