// Command tfxc-beam runs a compiled tfxc plan as one Apache Beam job. It is
// the Beam side of "tfxc run", which compiles a pipeline file, writes the
// plan into the run's folder and starts tfxc-beam with it; it is also the
// worker binary that portable runners stage (--worker_binary), so it
// carries the job and nothing of the compiler.
//
// Usage (as tfxc run calls it):
//
//	tfxc-beam --plan RUN/plan.json --out RUN [--baseline METRICS] [--reuse data|model] [--shard_bytes N] [--deadline D] [Beam flags]
//	tfxc-beam --handshake
//
// Beam's own flags (--runner, --endpoint, --environment_type, ...) are
// read by Beam; without --runner the job runs on Prism inside this process.
// The exit status is 0 when the job ran and the run keeps the pipeline's
// rules, 1 otherwise (everything computed is still written), 2 on a usage
// error.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/tfxc/tfxc/codegen/beamjob"
	"github.com/tfxc/tfxc/internal/beamrun"
	"github.com/tfxc/tfxc/internal/version"
	"github.com/tfxc/tfxc/planner"
	"github.com/tfxc/tfxc/runtime/job"
)

var (
	handshake  = flag.Bool(version.HandshakeFlag, false, "print the handshake line (version and plan format) and exit")
	planPath   = flag.String("plan", "", "the compiled plan `FILE` (plan.json, written by tfxc run)")
	outDir     = flag.String("out", "", "the run's artifact `DIR`")
	shardBytes = flag.Int64("shard_bytes", 0, "split the examples into shards of about `N` bytes (0: four shards per core, 1-64 MiB each)")
	deadline   = flag.Duration("deadline", 6*time.Hour, "cancel the job when it runs longer than `D`")
	compiledBy = flag.String("version", "", "the version of tfxc that compiled the plan (recorded in artifacts)")
	reuse      = flag.String("reuse", "", "the stages an earlier run did for this one, their artifacts already in --out: data (the data stages) or model (and the Trainer)")
	baseline   = flag.String("baseline", "", "the metrics `FILE` (evaluation/metrics.json) of the latest blessed model, for the criteria that read baseline.*")
)

func main() {
	flag.Parse()
	if *handshake {
		fmt.Println(version.Handshake{Version: version.String(), PlanFormat: planner.Format})
		return
	}
	// On a worker, Init runs the worker and never returns.
	beam.Init()
	os.Exit(run())
}

func run() int {
	if *planPath == "" || *outDir == "" {
		fmt.Fprintln(os.Stderr, "tfxc-beam: --plan and --out are required (tfxc run passes them)")
		return 2
	}
	start := time.Now()
	data, err := os.ReadFile(*planPath)
	if err != nil {
		return fail(err)
	}
	p, err := planner.Unmarshal(data)
	if err != nil {
		return fail(err)
	}
	j, err := job.New(p)
	if err != nil {
		return fail(err)
	}
	size := *shardBytes
	if size <= 0 {
		if size, err = autoShardBytes(p.Examples.Paths); err != nil {
			return fail(err)
		}
	}
	tasks, err := j.Tasks(size)
	if err != nil {
		return fail(err)
	}

	logPath := filepath.Join(*outDir, "beam.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return fail(err)
	}
	defer logf.Close()
	beamrun.RouteLogs(logf, slog.LevelInfo)

	pipeline := beam.NewPipeline()
	cfg := beamjob.Config{Plan: data, RunDir: *outDir, Version: *compiledBy, Baseline: *baseline, Now: start.UnixNano(), Reuse: *reuse}
	if err := beamjob.Build(pipeline.Root(), cfg, tasks); err != nil {
		return fail(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	progress := beamrun.NewReporter(os.Stderr, 10*time.Second, progressLine(len(tasks), p.Transform != nil, p.Stage("evaluate") != nil))
	res, err := beamrun.Run(ctx, pipeline, beamrun.Options{Timeout: *deadline, Progress: progress.Report})
	if res != nil {
		progress.Done(beamrun.Snapshot{Elapsed: res.Elapsed, State: "DONE", Counters: res.Counters})
	}
	if err != nil {
		return fail(fmt.Errorf("%w (the job's log: %s)", err, logPath))
	}

	o, err := j.ReadOutcome(*outDir)
	if err != nil {
		return fail(fmt.Errorf("%w (the job's log: %s)", err, logPath))
	}
	o.Reused = *reuse
	if err := j.WriteSummary(os.Stdout, o, time.Since(start)); err != nil {
		return fail(err)
	}
	if failures := j.Failures(o); len(failures) > 0 {
		for _, f := range failures {
			fmt.Fprintf(os.Stderr, "tfxc-beam: the run fails: %s\n", f)
		}
		return 1
	}
	return 0
}

// autoShardBytes picks a shard size that gives every core about four
// shards, within 1 to 64 MiB: enough shards to keep the cores busy and to
// balance them, few enough that each is a tight loop.
func autoShardBytes(patterns []string) (int64, error) {
	var total int64
	for _, pat := range patterns {
		paths, err := filepath.Glob(pat)
		if err != nil {
			return 0, err
		}
		for _, path := range paths {
			fi, err := os.Stat(path)
			if err != nil {
				return 0, err
			}
			total += fi.Size()
		}
	}
	size := total / int64(4*runtime.GOMAXPROCS(0))
	return min(max(size, 1<<20), 64<<20), nil
}

func fail(err error) int {
	fmt.Fprintf(os.Stderr, "tfxc-beam: %v\n", err)
	return 1
}

// progressLine renders the job's counters as a progress line.
func progressLine(shards int, transform, evaluate bool) func(beamrun.Snapshot) string {
	return func(s beamrun.Snapshot) string {
		c := s.Counters
		line := fmt.Sprintf("%5s  read %d/%d shards, %d rows", s.Elapsed.Round(time.Second), c[beamjob.CounterShardsAnalyzed], shards, c[beamjob.CounterRowsRead])
		if n := c[beamjob.CounterRowsQuarantined]; n > 0 {
			line += fmt.Sprintf(" (%d quarantined)", n)
		}
		if transform {
			line += fmt.Sprintf(" · transformed %d/%d shards, %d rows", c[beamjob.CounterShardsTransformed], shards, c[beamjob.CounterRowsTransformed])
		}
		if evaluate {
			if c[beamjob.CounterShardsTransformed] == int64(shards) && c[beamjob.CounterShardsEvaluated] == 0 && s.State == "RUNNING" {
				line += " · training"
			}
			line += fmt.Sprintf(" · evaluated %d/%d shards, %d rows", c[beamjob.CounterShardsEvaluated], shards, c[beamjob.CounterRowsEvaluated])
		}
		if s.State != "" && s.State != "RUNNING" {
			line += " · " + s.State
		}
		return line
	}
}
