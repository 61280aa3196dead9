package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/tfxc/tfxc/lang"
	"github.com/tfxc/tfxc/mlmd"
	"github.com/tfxc/tfxc/parser"
)

// storeName is the name of the metadata store in the runs folder.
const storeName = "metadata.sqlite"

// runsFlags are the flags of tfxc runs and tfxc show.
type runsFlags struct {
	out    string
	format string
}

// runsFlagSet returns the flags of tfxc runs or tfxc show, whose --out
// defaults to the folder that outDefault describes.
func runsFlagSet(outDefault string) func(fs *pflag.FlagSet) any {
	return func(fs *pflag.FlagSet) any {
		f := &runsFlags{}
		fs.StringVar(&f.out, "out", "", "the runs folder `DIR`, which holds "+storeName+" (default: "+outDefault+")")
		fs.StringVar(&f.format, "format", "text", "output `FORMAT`: text or json")
		return f
	}
}

var runsCommand = &command{
	name:    "runs",
	summary: "list the recorded runs of a pipeline",
	usage: `Usage: tfxc runs [flags] FILE

Runs lists the runs of the pipeline file that tfxc run recorded, newest
first: each run's ID, its stamp (the name of its folder), its state,
whether its model was blessed, its headline metrics (those of the overall
slice), the version it pushed, and a note saying why it was or was not
blessed or pushed, or why it failed. Give the ID or the stamp to tfxc show
to see what the run did.

The runs are recorded in OUT/` + storeName + `, where OUT is --out or
"runs" beside the pipeline file, as for tfxc run.

--format json prints the runs as a JSON array.

Exit status: 0 when the runs are listed, also when there are none; 1 when
the file or the store cannot be read; 2 on a usage error.
`,
	flags: runsFlagSet("runs/ beside the pipeline file"),
	run:   runRuns,
}

var showCommand = &command{
	name:    "show",
	summary: "show what a run did: its stages, artifacts and lineage",
	usage: `Usage: tfxc show [flags] RUN

Show prints what a run did: its outcome (state, start, duration, whether
its model was blessed, what it pushed and why, its headline metrics), then
each stage's execution with its state and duration and the artifacts it
read and wrote (type, path relative to the run's folder, and the first 12
hex digits of the content hash), then the lineage: for each input that a
stage of another run produced, which run and stage that was.

RUN is the run's folder, OUT/PIPELINE/STAMP, and the store is
OUT/` + storeName + `. With --out OUT, RUN may also be the run's ID or its
stamp, as tfxc runs lists them.

--format json prints {"run": ..., "executions": [...]}.

Exit status: 0 when the run is shown; 1 when there is no such run or the
store cannot be read; 2 on a usage error.
`,
	flags: runsFlagSet("two folders above RUN"),
	run:   runShow,
}

func runRuns(c *cli, cmd *command, fs *pflag.FlagSet, opts any) int {
	f := opts.(*runsFlags)
	if !slices.Contains([]string{"text", "json"}, f.format) {
		return c.usageError(cmd, "--format %s: want text or json", f.format)
	}
	if fs.NArg() != 1 {
		return c.usageError(cmd, "runs takes one pipeline file, got %d", fs.NArg())
	}
	file := fs.Arg(0)
	pipeline, err := pipelineName(file)
	if err != nil {
		c.errorf("%v", err)
		return exitError
	}
	out := f.out
	if out == "" {
		out = filepath.Join(filepath.Dir(file), "runs")
	}
	store, err := openStore(out)
	if err != nil {
		c.errorf("%s", storeError(err))
		return exitError
	}
	var runs []mlmd.Run
	if store != nil {
		defer store.Close()
		if runs, err = store.Runs(pipeline); err != nil {
			c.errorf("%s", storeError(err))
			return exitError
		}
	}
	if f.format == "json" {
		if runs == nil {
			runs = []mlmd.Run{}
		}
		return c.writeJSON(runs)
	}
	switch {
	case store == nil:
		fmt.Fprintf(c.stdout, "no runs recorded under %s yet\n", out)
		return exitOK
	case len(runs) == 0:
		fmt.Fprintf(c.stdout, "no runs of %s recorded under %s yet\n", pipeline, out)
		return exitOK
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTAMP\tSTATE\tBLESSED\tMETRICS\tPUSHED\tNOTE")
	for _, r := range runs {
		pushed := "-"
		if r.Pushed != "" {
			pushed = filepath.Base(r.Pushed)
		}
		note := oneLine(r.Note)
		if note == "" {
			note = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, filepath.Base(r.Dir), r.State, yesNo(r.Blessed),
			metricsText(r.Metrics), pushed, note)
	}
	if err := tw.Flush(); err != nil {
		c.errorf("%v", err)
		return exitError
	}
	return exitOK
}

// pipelineName returns the name that the pipeline file declares, which
// names its runs. Only the file's syntax is read: its runs can be listed
// even when it no longer checks.
func pipelineName(file string) (string, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read %s: %s", file, readError(err))
	}
	f, _ := parser.ParseFile(file, src)
	for _, d := range f.Decls {
		if p, ok := d.(*lang.PipelineDecl); ok && p.Name != nil && p.Name.Name != "" {
			return p.Name.Name, nil
		}
	}
	return "", fmt.Errorf("%s: no pipeline declaration (pipeline NAME) names the pipeline", file)
}

// openStore opens the store of the runs folder out, or returns nil when
// there is none: a command that reads the store does not create one.
func openStore(out string) (*mlmd.Store, error) {
	path := filepath.Join(out, storeName)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read %s: %s", path, readError(err))
	}
	return mlmd.Open(path)
}

// storeError describes an error of the store for a user, who need not know
// the package's name.
func storeError(err error) string {
	return strings.TrimPrefix(err.Error(), "mlmd: ")
}

// showOutput is what tfxc show --format json prints.
type showOutput struct {
	Run        *mlmd.Run        `json:"run"`
	Executions []mlmd.Execution `json:"executions"`
}

func runShow(c *cli, cmd *command, fs *pflag.FlagSet, opts any) int {
	f := opts.(*runsFlags)
	if !slices.Contains([]string{"text", "json"}, f.format) {
		return c.usageError(cmd, "--format %s: want text or json", f.format)
	}
	if fs.NArg() != 1 {
		return c.usageError(cmd, "show takes one run, got %d", fs.NArg())
	}
	ref := fs.Arg(0)
	out := f.out
	if out == "" {
		// RUN is a folder, OUT/PIPELINE/STAMP.
		info, err := os.Stat(ref)
		if err != nil || !info.IsDir() {
			c.errorf("no run folder %s (to find a run by its ID or stamp, give the runs folder with --out)", ref)
			return exitError
		}
		abs, err := filepath.Abs(ref)
		if err != nil {
			c.errorf("%v", err)
			return exitError
		}
		out = filepath.Dir(filepath.Dir(abs))
	}
	store, err := openStore(out)
	if err != nil {
		c.errorf("%s", storeError(err))
		return exitError
	}
	if store == nil {
		c.errorf("no run %q: no runs recorded under %s", ref, out)
		return exitError
	}
	defer store.Close()
	r, err := store.FindRun(ref)
	if errors.Is(err, mlmd.ErrNotFound) {
		c.errorf("no run %q recorded under %s", ref, out)
		return exitError
	}
	if err != nil {
		c.errorf("%s", storeError(err))
		return exitError
	}
	execs, err := store.Executions(r.ID)
	if err != nil {
		c.errorf("%s", storeError(err))
		return exitError
	}
	if f.format == "json" {
		if execs == nil {
			execs = []mlmd.Execution{}
		}
		return c.writeJSON(showOutput{Run: r, Executions: execs})
	}
	lineage, err := lineageOf(store, r, execs)
	if err != nil {
		c.errorf("%s", storeError(err))
		return exitError
	}
	if err := writeRun(c.stdout, r, execs, lineage); err != nil {
		c.errorf("%v", err)
		return exitError
	}
	return exitOK
}

// origin is an input of a run that a stage of another run produced.
type origin struct {
	artifact mlmd.Artifact
	run      *mlmd.Run // the run that produced it
	stage    string    // the stage that produced it
}

// lineageOf finds the inputs of a run's executions that another run's
// executions produced, each once, in the order of the executions.
func lineageOf(store *mlmd.Store, r *mlmd.Run, execs []mlmd.Execution) ([]origin, error) {
	var lineage []origin
	seen := map[int64]bool{}
	runs := map[int64]*mlmd.Run{r.ID: r}
	for _, e := range execs {
		for _, a := range e.Inputs {
			if seen[a.ID] {
				continue
			}
			seen[a.ID] = true
			p, err := store.Producer(a.ID)
			if err != nil {
				return nil, err
			}
			if p == nil || p.Run == r.ID {
				continue
			}
			from := runs[p.Run]
			if from == nil {
				if from, err = store.FindRun(fmt.Sprint(p.Run)); err != nil {
					return nil, err
				}
				runs[p.Run] = from
			}
			lineage = append(lineage, origin{artifact: a, run: from, stage: p.Stage})
		}
	}
	return lineage, nil
}

// writeRun prints a run, its executions and its lineage as text.
func writeRun(w io.Writer, r *mlmd.Run, execs []mlmd.Execution, lineage []origin) error {
	fmt.Fprintf(w, "run %d of %s\n", r.ID, r.Pipeline)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	pushed := r.Pushed
	if pushed == "" {
		pushed = "-"
	}
	note := oneLine(r.Note)
	if note == "" {
		note = "-"
	}
	fmt.Fprintf(tw, "  dir\t%s\n", r.Dir)
	fmt.Fprintf(tw, "  state\t%s\n", r.State)
	fmt.Fprintf(tw, "  start\t%s\n", r.Start.Format(time.RFC3339))
	fmt.Fprintf(tw, "  duration\t%s\n", duration(r.State, r.Start, r.End))
	fmt.Fprintf(tw, "  blessed\t%s\n", yesNo(r.Blessed))
	fmt.Fprintf(tw, "  pushed\t%s\n", pushed)
	fmt.Fprintf(tw, "  note\t%s\n", note)
	fmt.Fprintf(tw, "  metrics\t%s\n", metricsText(r.Metrics))
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(w, "\nexecutions")
	if len(execs) == 0 {
		fmt.Fprintln(w, "  none recorded")
	}
	for _, e := range execs {
		fmt.Fprintf(w, "  %s  %s  %s  %s\n", e.Stage, e.Kind, e.State, duration(e.State, e.Start, e.End))
		tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		for _, list := range []struct {
			kind      string
			artifacts []mlmd.Artifact
		}{{"in", e.Inputs}, {"out", e.Outputs}} {
			for _, a := range list.artifacts {
				fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\n", list.kind, a.Type, relURI(r.Dir, a.URI), shortHash(a.Hash))
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	fmt.Fprintln(w, "\nlineage")
	if len(lineage) == 0 {
		fmt.Fprintln(w, "  no input came from another run")
	}
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, o := range lineage {
		fmt.Fprintf(tw, "  %s\t%s\tfrom run %d (%s) stage %s\n", o.artifact.Type, relURI(r.Dir, o.artifact.URI),
			o.run.ID, filepath.Base(o.run.Dir), o.stage)
	}
	return tw.Flush()
}

// writeJSON prints v as indented JSON.
func (c *cli) writeJSON(v any) int {
	enc := json.NewEncoder(c.stdout)
	enc.SetEscapeHTML(false) // notes compare with >=
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		c.errorf("%v", err)
		return exitError
	}
	return exitOK
}

// metricsText formats metrics as name=value, sorted by name, or "-". A
// value is printed to 4 significant digits, except that a whole number
// (example_count) is printed whole.
func metricsText(metrics map[string]float64) string {
	if len(metrics) == 0 {
		return "-"
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(metrics)) {
		v := metrics[name]
		if v == math.Trunc(v) && math.Abs(v) < 1e15 {
			parts = append(parts, fmt.Sprintf("%s=%.0f", name, v))
		} else {
			parts = append(parts, fmt.Sprintf("%s=%.4g", name, v))
		}
	}
	return strings.Join(parts, " ")
}

// duration formats how long something took, to a precision that suits
// its length; "running" while it runs and "-" when a time is unknown.
func duration(state mlmd.State, start, end time.Time) string {
	switch {
	case end.IsZero() && state == mlmd.Running:
		return "running"
	case start.IsZero() || end.IsZero():
		return "-"
	}
	d := end.Sub(start)
	switch {
	case d >= time.Minute:
		d = d.Round(time.Second)
	case d >= time.Second:
		d = d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		d = d.Round(time.Millisecond)
	}
	return d.String()
}

// relURI returns an artifact's path relative to the run's folder when it
// is inside it, and as it is otherwise.
func relURI(dir, uri string) string {
	if !filepath.IsAbs(uri) {
		return uri
	}
	if rel, err := filepath.Rel(dir, uri); err == nil && filepath.IsLocal(rel) {
		return filepath.ToSlash(rel)
	}
	return uri
}

// shortHash returns the first 12 hex digits of a "sha256:<hex>" hash, or
// "-" when there is none.
func shortHash(hash string) string {
	_, hex, found := strings.Cut(hash, ":")
	if !found {
		hex = hash
	}
	if hex == "" {
		return "-"
	}
	return hex[:min(12, len(hex))]
}

// oneLine keeps a note on one line of a table.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
