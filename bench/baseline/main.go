// Command baseline does the data stages of a tfxc plan without Beam: one
// goroutine reads the examples once for the statistics and analyzers and
// once more for the transform, with the same runtime code the job's DoFns
// call. bench/run.sh times it beside "tfxc run" over the same file, so the
// ratio is the price of the job: Beam, shards and their accumulators.
//
// Usage:
//
//	baseline --plan PLAN.json --out DIR
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/tfxc/tfxc/planner"
	"github.com/tfxc/tfxc/runtime/job"
)

func main() {
	planPath := flag.String("plan", "", "the plan `FILE` (tfxc plan --format json)")
	out := flag.String("out", "", "the artifact `DIR`")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to `FILE`")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "baseline: %v\n", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*planPath, *out); err != nil {
		fmt.Fprintf(os.Stderr, "baseline: %v\n", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(planPath, out string) error {
	if planPath == "" || out == "" {
		return fmt.Errorf("--plan and --out are required")
	}
	data, err := os.ReadFile(planPath)
	if err != nil {
		return err
	}
	p, err := planner.Unmarshal(data)
	if err != nil {
		return err
	}
	j, err := job.New(p)
	if err != nil {
		return err
	}
	tasks, err := j.Tasks(1 << 62) // the whole file in one pass
	if err != nil {
		return err
	}
	var parts []*job.ShardSummary
	for _, t := range tasks {
		s, err := j.AnalyzeShard(t, out)
		if err != nil {
			return err
		}
		parts = append(parts, s)
	}
	_, graph, err := j.Finish(parts, out, "baseline")
	if err != nil {
		return err
	}
	if graph == nil {
		return nil
	}
	tr, err := j.NewTransformer(graph)
	if err != nil {
		return err
	}
	var sums []*job.TransformSummary
	for _, t := range tasks {
		s, err := tr.TransformShard(t, out)
		if err != nil {
			return err
		}
		sums = append(sums, s)
	}
	return j.FinishTransform(sums, out)
}
