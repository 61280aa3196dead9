package job

import (
	"fmt"
	"path/filepath"

	"github.com/tfxc/tfxc/runtime/batch"
	"github.com/tfxc/tfxc/runtime/examplegen"
	"github.com/tfxc/tfxc/runtime/graph"
	"github.com/tfxc/tfxc/runtime/transform"
)

// Transformer applies a bound transform graph to shards. Compile it once
// per worker and share it between the shards the worker processes.
type Transformer struct {
	job     *Job
	exe     *graph.Executable
	fetches []string          // the outputs, then the lengths of list outputs
	label   *graph.Executable // the label graph; nil without a label
}

// NewTransformer compiles the bound graph: the transform's state once
// every analysis pass has run (what Finish, or the last FinishPass,
// returned).
func (j *Job) NewTransformer(state []byte) (*Transformer, error) {
	if j.Template == nil {
		return nil, fmt.Errorf("the plan has no transform")
	}
	bound, err := decodeState(state)
	if err != nil {
		return nil, err
	}
	if len(bound.Analyzers) > 0 {
		return nil, fmt.Errorf("the transform still has %d analyzers to run", len(bound.Analyzers))
	}
	exe, err := graph.Compile(bound.Graph, j.Template.Initializers...)
	if err != nil {
		return nil, fmt.Errorf("compiling the bound transform graph: %w", err)
	}
	t := &Transformer{job: j, exe: exe}
	if j.Label != nil {
		if t.label, err = graph.Compile(j.Label.Graph); err != nil {
			return nil, fmt.Errorf("compiling the label graph: %w", err)
		}
	}
	for _, o := range j.Template.Outputs {
		t.fetches = append(t.fetches, o.Name)
	}
	for _, o := range j.Template.Outputs {
		if o.Lengths != "" {
			t.fetches = append(t.fetches, o.Lengths)
		}
	}
	return t, nil
}

// TransformSummary counts what TransformShard wrote.
type TransformSummary struct {
	Index int
	Rows  []int64 // examples written, per split
	// Bad counts the rows that could not be transformed, by reason; they
	// are in the shard's quarantine file.
	Bad map[string]int64
}

// TransformShard reads one shard again, applies the graph to every row,
// and writes each split's transformed examples as a TFRecord file of
// tf.Example under runDir/transformed/SPLIT/. Rows the graph cannot take
// go to the shard's quarantine file.
func (t *Transformer) TransformShard(task Task, runDir string) (*TransformSummary, error) {
	j := t.job
	sum := &TransformSummary{Index: task.Index, Rows: make([]int64, j.Splits()), Bad: map[string]int64{}}
	writers := make([]*examplegen.ShardWriter, j.Splits())
	abort := func() {
		for _, w := range writers {
			if w != nil {
				w.Abort()
			}
		}
	}
	for s, split := range j.Plan.Examples.Splits {
		dir := filepath.Join(runDir, "transformed", split.Name)
		w, err := examplegen.NewShardWriter(dir, examplegen.ShardName(task.Index, task.Count))
		if err != nil {
			abort()
			return nil, err
		}
		writers[s] = w
	}
	var quarantined []examplegen.BadRow
	_, err := j.read(task, func(b *batch.Batch) error {
		return j.eachSplit(b, func(s int, part *batch.Batch) error {
			bad, err := j.unfeedable(part)
			if err != nil {
				return err
			}
			for _, e := range bad {
				quarantined = append(quarantined, examplegen.BadRow{
					File: part.File, Line: lineOf(part, e.Row), Reason: "untransformable",
					Column: e.Column, Detail: e.Reason,
				})
				sum.Bad["untransformable"]++
			}
			if len(bad) > 0 {
				part = part.Select(keptRows(part.Rows(), bad))
			}
			if part.Rows() == 0 {
				return nil
			}
			out, err := t.apply(part)
			if err != nil {
				return err
			}
			if err := examplegen.ToExamples(out, writers[s].Write); err != nil {
				return err
			}
			sum.Rows[s] += int64(part.Rows())
			return nil
		})
	})
	if err != nil {
		abort()
		return nil, fmt.Errorf("transforming shard %d of %s: %w", task.Index, task.Shard.Path, err)
	}
	for _, w := range writers {
		if err := w.Close(); err != nil {
			abort()
			return nil, err
		}
	}
	if err := writeQuarantine(quarantinePath(runDir, "transform", task.Index), quarantined); err != nil {
		return nil, err
	}
	return sum, nil
}

// apply runs the graph over a batch of feedable rows.
func (t *Transformer) apply(b *batch.Batch) (*batch.Batch, error) {
	feeds, err := transform.BatchFeeds(b, t.job.Template.Inputs)
	if err != nil {
		return nil, err
	}
	vals, err := t.exe.Run(feeds, t.fetches...)
	if err != nil {
		return nil, err
	}
	out, err := OutputBatch(t.job.Template.Outputs, vals, b.Rows())
	if err != nil || t.label == nil {
		return out, err
	}
	// The label, from its own graph, becomes one more feature.
	lt := t.job.Label
	if feeds, err = transform.BatchFeeds(b, lt.Inputs); err != nil {
		return nil, err
	}
	if vals, err = t.label.Run(feeds, lt.Outputs[0].Name); err != nil {
		return nil, fmt.Errorf("computing the label: %w", err)
	}
	label, err := OutputBatch(lt.Outputs, vals, b.Rows())
	if err != nil {
		return nil, err
	}
	out.Columns = append(out.Columns, label.Columns...)
	return out, nil
}

// lineOf is the source line of row r, 0 when unknown.
func lineOf(b *batch.Batch, r int) int64 {
	if b.Lines == nil {
		return 0
	}
	return b.Lines[r]
}

// TransformTotals is what the transform wrote over every shard, written
// to the run's folder as transform.json.
type TransformTotals struct {
	Shards int
	Rows   map[string]int64 // transformed examples, per split
	Bad    map[string]int64 // rows quarantined by the transform, by reason
}

// FinishTransform adds up the shards' transform summaries and writes them
// to runDir/transform.json.
func (j *Job) FinishTransform(parts []*TransformSummary, runDir string) error {
	tot := &TransformTotals{Shards: len(parts), Rows: map[string]int64{}, Bad: map[string]int64{}}
	for _, p := range parts {
		for s, n := range p.Rows {
			tot.Rows[j.Plan.Examples.Splits[s].Name] += n
		}
		for reason, n := range p.Bad {
			tot.Bad[reason] += n
		}
	}
	return writeJSON(filepath.Join(runDir, "transform.json"), tot)
}
