package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/tfxc/tfxc/internal/beamexec"
	"github.com/tfxc/tfxc/planner"
)

// runFlags are the flags of tfxc run. The runner flags are spelled as
// Beam spells them and handed to tfxc-beam as they are.
type runFlags struct {
	out        string
	schema     string
	shardBytes int64
	deadline   time.Duration
	noCache    bool
	beam       map[string]*string
}

// beamFlags are Beam's own flags that tfxc run accepts and passes on.
var beamFlags = []struct{ name, usage string }{
	{"runner", "Beam `RUNNER`: prism (in-process, the default), universal (any portable job server: Flink, Spark, a standalone Prism), dataflow"},
	{"endpoint", "the job server's `HOST:PORT` (universal runner)"},
	{"environment_type", "where workers run: LOOPBACK (in this process), PROCESS, DOCKER or EXTERNAL"},
	{"environment_config", "the environment's `CONFIG` (a boot command, a Docker image, an address)"},
	{"worker_binary", "the worker `BINARY` a cluster stages: a static linux/amd64 build of tfxc-beam"},
	{"project", "Dataflow: the Google Cloud `PROJECT`"},
	{"region", "Dataflow: the `REGION`"},
	{"staging_location", "Dataflow: a gs:// `PATH` for staged files"},
	{"temp_location", "Dataflow: a gs:// `PATH` for temporary files"},
	{"job_name", "the job's `NAME` on the runner"},
}

var runCommand = &command{
	name:    "run",
	summary: "check a pipeline file, compile it to one Beam job and run it",
	usage: `Usage: tfxc run [flags] FILE [-- BEAM-FLAGS...]

Run checks the pipeline file, compiles it to a plan (see tfxc plan) and runs
it as one Apache Beam job through tfxc-beam, which must be installed beside
tfxc or on PATH (go install ./cmd/...). The job reads and splits the
examples, computes each split's statistics, infers or reads the schema,
validates the examples against it, runs the transform's analyzers in one
pass over the training split and applies the bound transform graph to
every split. With a model, it then trains it on the transformed training
split, evaluates the serving model on the eval split for every slice,
checks the push criteria (those on baseline.METRIC against the latest
blessed run of the pipeline, skipped while there is none) and pushes the
model if and only if it is blessed.

Each run writes its artifacts into a folder of its own,
OUT/PIPELINE/YYYYMMDD-HHMMSS, where OUT is --out or "runs" beside the
pipeline file: plan.json, statistics/, schema/, anomalies/, quarantine/,
transform_graph/ (SavedModel and TF.js model), transformed/, model/,
evaluation/ and push/. Every file is written under a temporary name and
renamed when complete. The run is recorded in OUT/metadata.sqlite: see
tfxc runs and tfxc show.

When an earlier run of the pipeline did the same work (the same plan of
the stages, examples files of the same paths, sizes and modification
times) and its artifacts are intact, the run reuses them instead of
recomputing: the data stages as a block, then the trained model. The
evaluation, the blessing and the push always run. --no-cache recomputes
everything.

The job runs on Beam's Prism runner inside tfxc-beam by default. The same
job runs on any portable job server with --runner universal --endpoint
HOST:PORT (and --environment_type), or on Dataflow with --runner dataflow
and its flags; flags after "--" go to tfxc-beam and Beam unchanged.

Exit status: 0 when the run succeeds; 1 when the file does not check, the
job fails, or the run breaks the pipeline's own rules (quarantined records
beyond max_bad_rows, anomalies when on_anomaly is fail), in which case
everything computed is still written and the model is not blessed; 2 on a
usage error. A model that misses a push criterion is not pushed, and the
run still exits 0: the summary and evaluation/blessing.json say why.
`,
	flags: func(fs *pflag.FlagSet) any {
		f := &runFlags{beam: map[string]*string{}}
		fs.StringVar(&f.out, "out", "", "write runs under `DIR` (default: runs/ beside the pipeline file)")
		fs.StringVar(&f.schema, "schema", "", "use this TFMD text-format schema `FILE` instead of the one the file names")
		fs.Int64Var(&f.shardBytes, "shard_bytes", 0, "split the examples into shards of about `N` bytes (0: four shards per core, 1-64 MiB each)")
		fs.DurationVar(&f.deadline, "deadline", 6*time.Hour, "fail the job when it runs longer than `D`")
		fs.BoolVar(&f.noCache, "no-cache", false, "recompute every stage, even when an earlier run did the same work")
		for _, b := range beamFlags {
			f.beam[b.name] = fs.String(b.name, "", b.usage)
		}
		return f
	},
	run: runRun,
}

func runRun(c *cli, cmd *command, fs *pflag.FlagSet, opts any) int {
	f := opts.(*runFlags)
	args := fs.Args()
	var extra []string
	if at := fs.ArgsLenAtDash(); at >= 0 {
		args, extra = args[:at], args[at:]
	}
	if len(args) != 1 {
		return c.usageError(cmd, "run takes one pipeline file, got %d", len(args))
	}
	if f.shardBytes != 0 && f.shardBytes < 1<<10 {
		return c.usageError(cmd, "--shard_bytes %d: want 0 (automatic) or at least 1024", f.shardBytes)
	}
	file := args[0]

	// Find the Beam side first: a missing or mismatched tfxc-beam should
	// not cost a compile.
	bin, err := beamexec.Find()
	if err != nil {
		c.errorf("%v", err)
		return exitError
	}
	if err := beamexec.Handshake(bin); err != nil {
		c.errorf("%v", err)
		return exitError
	}

	p, status := c.compile(file, f.schema)
	if p == nil {
		return status
	}
	start := time.Now()
	out := f.out
	if out == "" {
		out = filepath.Join(filepath.Dir(file), "runs")
	}
	runDir, err := newRunDir(out, p.Pipeline, start)
	if err != nil {
		c.errorf("%v", err)
		return exitError
	}
	data, err := planner.Marshal(p)
	if err != nil {
		c.errorf("%v", err)
		return exitError
	}
	planPath := filepath.Join(runDir, "plan.json")
	if err := os.WriteFile(planPath, data, 0o644); err != nil {
		c.errorf("%v", err)
		return exitError
	}
	rec, baseline, err := beginRun(out, p, runDir, start)
	if err != nil {
		c.errorf("recording the run: %v", err)
		return exitError
	}
	if rec.engine, err = engineID(bin); err != nil {
		c.errorf("%v", err)
		rec.finish(true, err, "", time.Now())
		return exitError
	}
	fmt.Fprintf(c.stderr, "tfxc: running %s → %s\n", file, runDir)
	var reused *reuse
	if !f.noCache {
		if reused, err = findReuse(rec.store, p, rec.engine); err == nil && reused != nil {
			err = reused.copyInto(runDir)
		}
		if err != nil {
			c.errorf("reusing an earlier run: %v", err)
			rec.finish(true, err, "", time.Now())
			return exitError
		}
	}
	if reused != nil {
		rec.reused = reused.stages
		what := "the data stages"
		if reused.what == "model" {
			what += " and the trained model"
		}
		fmt.Fprintf(c.stderr, "tfxc: reusing %s of %s, which did the same work (--no-cache recomputes them)\n", what, reused.from)
	}
	if baseline != "" {
		fmt.Fprintf(c.stderr, "tfxc: the baseline is the latest blessed model's evaluation, %s\n", baseline)
	}

	beamArgs := []string{
		"--plan=" + planPath,
		"--out=" + runDir,
		fmt.Sprintf("--shard_bytes=%d", f.shardBytes),
		"--deadline=" + f.deadline.String(),
		"--version=" + toolVersion(),
	}
	if baseline != "" {
		beamArgs = append(beamArgs, "--baseline="+baseline)
	}
	if reused != nil {
		beamArgs = append(beamArgs, "--reuse="+reused.what)
	}
	for _, b := range beamFlags {
		if v := *f.beam[b.name]; v != "" {
			beamArgs = append(beamArgs, "--"+b.name+"="+v)
		}
	}
	beamArgs = append(beamArgs, extra...)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code, err := beamexec.Exec(ctx, bin, beamArgs, c.stdout, c.stderr)
	var jobErr error
	switch {
	case err != nil:
		jobErr = err
	case code != 0:
		jobErr = fmt.Errorf("tfxc-beam exited with status %d", code)
	}
	if rerr := rec.finish(jobErr != nil, jobErr, baseline, time.Now()); rerr != nil {
		c.errorf("recording the run in %s: %v", filepath.Join(out, storeName), rerr)
		code = 1
	}
	if err != nil {
		c.errorf("%v", err)
		return exitError
	}
	if code != 0 {
		return exitError
	}
	return exitOK
}

// newRunDir creates the folder of a new run: OUT/PIPELINE/STAMP, where
// STAMP is the UTC start time, with a suffix when two runs start in the
// same second.
func newRunDir(out, pipeline string, now time.Time) (string, error) {
	abs, err := filepath.Abs(filepath.Join(out, pipeline))
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return "", fmt.Errorf("creating the runs folder: %w", err)
	}
	stamp := now.UTC().Format("20060102-150405")
	for i := 1; ; i++ {
		dir := filepath.Join(abs, stamp)
		if i > 1 {
			dir = fmt.Sprintf("%s-%d", dir, i)
		}
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			return dir, nil
		}
		if !os.IsExist(err) || i > 1000 {
			return "", fmt.Errorf("creating the run's folder: %w", err)
		}
	}
}
