package job

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/internal/atomicdir"
	"github.com/tfxc/tfxc/planner"
	"github.com/tfxc/tfxc/runtime/batch"
	"github.com/tfxc/tfxc/runtime/examplegen"
	"github.com/tfxc/tfxc/runtime/stats"
	"github.com/tfxc/tfxc/runtime/transform"
)

// BatchRows is the number of rows read into one batch.
const BatchRows = 4096

// Job is a plan made ready to run: its template decoded, its columns and
// splits resolved. A Job is read-only once made, so the shards of a stage
// may share it.
type Job struct {
	Plan     *planner.Plan
	Template *tfgraph.Template // nil without a transform block
	// Label is the label's graph template; nil without a label (or a
	// transform). Its output is written beside the transform's.
	Label *tfgraph.Template

	columns  []examplegen.Column
	features []stats.Feature
	splitter examplegen.Splitter
	analyze  int // index of the split the analyzers read
	passes   int // passes of the analyzers over the analyzed split
}

// New prepares a plan to run.
func New(p *planner.Plan) (*Job, error) {
	j := &Job{Plan: p, analyze: -1}
	for i, s := range p.Examples.Splits {
		j.splitter.Names = append(j.splitter.Names, s.Name)
		j.splitter.Weights = append(j.splitter.Weights, int(s.Weight))
		if s.Name == p.AnalyzeSplit {
			j.analyze = i
		}
	}
	if err := j.splitter.Check(); err != nil {
		return nil, fmt.Errorf("the plan's splits: %w", err)
	}
	if j.analyze < 0 {
		return nil, fmt.Errorf("the plan analyzes split %q, which it does not declare", p.AnalyzeSplit)
	}
	for _, c := range p.Columns {
		kind, err := kindOf(c.Kind)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		j.columns = append(j.columns, examplegen.Column{Name: c.Name, Kind: kind})
		j.features = append(j.features, stats.Feature{Name: c.Name, Kind: kind})
	}
	if p.Transform != nil {
		t, err := p.Transform.Template()
		if err != nil {
			return nil, err
		}
		j.Template = t
		if p.Label != nil {
			if j.Label, err = p.Label.Template(); err != nil {
				return nil, err
			}
		}
		if j.passes, err = tfgraph.Passes(t); err != nil {
			return nil, err
		}
	}
	return j, nil
}

func kindOf(s string) (batch.Kind, error) {
	switch s {
	case "int":
		return batch.Int, nil
	case "float":
		return batch.Float, nil
	case "bytes":
		return batch.Bytes, nil
	}
	return 0, fmt.Errorf("unknown kind %q", s)
}

// Columns are the columns the job reads, with their kinds.
func (j *Job) Columns() []examplegen.Column { return j.columns }

// eachSplit splits a batch and calls fn with each split's non-empty part.
func (j *Job) eachSplit(b *batch.Batch, fn func(split int, part *batch.Batch) error) error {
	splits, err := j.splitter.SplitRows(b)
	if err != nil {
		return err
	}
	for s, rows := range splits {
		if len(rows) == 0 {
			continue
		}
		part := b
		if len(rows) != b.Rows() {
			part = b.Select(rows)
		}
		if err := fn(s, part); err != nil {
			return err
		}
	}
	return nil
}

// unfeedable lists the rows of b that the transform graph, or the label
// graph, cannot take, each once with its first reason.
func (j *Job) unfeedable(b *batch.Batch) ([]transform.RowError, error) {
	bad, err := transform.Unfeedable(b, j.Template.Inputs)
	if err != nil || j.Label == nil {
		return bad, err
	}
	more, err := transform.Unfeedable(b, j.Label.Inputs)
	if err != nil {
		return nil, err
	}
	seen := map[int]bool{}
	for _, e := range bad {
		seen[e.Row] = true
	}
	for _, e := range more {
		if !seen[e.Row] {
			e.Reason = "the label: " + e.Reason
			bad = append(bad, e)
		}
	}
	return bad, nil
}

// Splits is the number of splits.
func (j *Job) Splits() int { return len(j.splitter.Names) }

// Task is one shard of the examples, as the job hands it to a worker.
type Task struct {
	Index  int // 0-based, in file order
	Count  int // the number of shards
	Shard  examplegen.Shard
	Header []string `json:",omitempty"` // a CSV file's column names
}

// Tasks splits the examples into shards of about targetBytes.
func (j *Job) Tasks(targetBytes int64) ([]Task, error) {
	var tasks []Task
	for _, pat := range j.Plan.Examples.Paths {
		paths, err := filepath.Glob(pat)
		if err != nil {
			return nil, fmt.Errorf("examples %s: %w", pat, err)
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("examples %s: no such file", pat)
		}
		for _, path := range paths {
			switch j.Plan.Examples.Format {
			case "csv":
				shards, header, err := examplegen.PlanCSV(path, targetBytes)
				if err != nil {
					return nil, err
				}
				for _, s := range shards {
					tasks = append(tasks, Task{Shard: s, Header: header})
				}
			case "tfrecord":
				shards, err := examplegen.PlanTFRecord([]string{path}, targetBytes)
				if err != nil {
					return nil, err
				}
				for _, s := range shards {
					tasks = append(tasks, Task{Shard: s})
				}
			default:
				return nil, fmt.Errorf("examples in %s files cannot be read", j.Plan.Examples.Format)
			}
		}
	}
	for i := range tasks {
		tasks[i].Index, tasks[i].Count = i, len(tasks)
	}
	return tasks, nil
}

// read reads a task's shard in batches.
func (j *Job) read(t Task, emit func(*batch.Batch) error) (examplegen.Report, error) {
	if j.Plan.Examples.Format == "tfrecord" {
		return examplegen.ReadTFRecord(t.Shard, j.columns, BatchRows, emit)
	}
	return examplegen.ReadCSV(t.Shard, t.Header, j.columns, BatchRows, emit)
}

// writeJSON writes v as indented JSON to path, through a temporary file.
func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicdir.WriteFile(path, append(data, '\n'))
}
