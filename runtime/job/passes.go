package job

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/codegen/savedmodel"
	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/codegen/tfjs"
	"github.com/tfxc/tfxc/internal/atomicdir"
	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/planner"
	"github.com/tfxc/tfxc/runtime/batch"
	"github.com/tfxc/tfxc/runtime/transform"
)

// A transform whose analyzer reads another's results (tfidf counts
// documents by a vocabulary's ids) needs one pass over the analyzed split
// per level of such dependence. Between passes the job carries the
// template's state: the graph with the results known so far bound in, and
// the analyzers still to run. When none is left, the state is the frozen
// graph.

// Passes is the number of passes over the analyzed split: 0 without a
// transform, else 1 plus one per level of analyzers reading analyzers.
func (j *Job) Passes() int { return j.passes }

func encodeState(t *tfgraph.Template) ([]byte, error) {
	g, err := deterministic.Marshal(t.Graph)
	if err != nil {
		return nil, fmt.Errorf("encoding the transform graph: %w", err)
	}
	return json.Marshal(&planner.Transform{Graph: g, Inputs: t.Inputs, Outputs: t.Outputs, Analyzers: t.Analyzers, Initializers: t.Initializers})
}

func decodeState(data []byte) (*tfgraph.Template, error) {
	var pt planner.Transform
	if err := json.Unmarshal(data, &pt); err != nil {
		return nil, fmt.Errorf("decoding the transform's state: %w", err)
	}
	return pt.Template()
}

// mergeAnalyzers decodes the shards' accumulators of t's analyzers and
// merges them in the order given, which must be the shards' order.
func mergeAnalyzers(t *tfgraph.Template, parts [][]byte) (tfgraph.Results, error) {
	var acc *transform.Analyzers
	for i, data := range parts {
		part, err := transform.NewAnalyzers(t)
		if err != nil {
			return nil, err
		}
		if err := part.UnmarshalBinary(data); err != nil {
			return nil, fmt.Errorf("analyzers of shard %d: %w", i, err)
		}
		if acc == nil {
			acc = part
		} else if err := acc.Merge(part); err != nil {
			return nil, err
		}
	}
	if acc == nil {
		var err error
		if acc, err = transform.NewAnalyzers(t); err != nil {
			return nil, err
		}
	}
	return acc.Results()
}

// advance binds a pass's results into the template t whose first pass
// they are. When no analyzer is left it writes the frozen graph under
// runDir, as a SavedModel and a TF.js model. It returns the new state.
func (j *Job) advance(t *tfgraph.Template, results tfgraph.Results, runDir, version string) ([]byte, error) {
	next, err := tfgraph.Partial(t, results)
	if err != nil {
		return nil, fmt.Errorf("binding the analyzers' results: %w", err)
	}
	if len(next.Analyzers) == 0 {
		dir := filepath.Join(runDir, "transform_graph")
		if err := savedmodel.Write(filepath.Join(dir, "saved_model"), savedmodel.FromTemplate(j.Template, next.Graph)); err != nil {
			return nil, fmt.Errorf("writing the transform SavedModel: %w", err)
		}
		if err := tfjs.Write(filepath.Join(dir, "tfjs"), &tfjs.Model{Graph: next.Graph, Initializers: j.Template.Initializers, ConvertedBy: "tfxc " + version}); err != nil {
			return nil, fmt.Errorf("writing the transform TF.js model: %w", err)
		}
		state, err := encodeState(next)
		if err != nil {
			return nil, err
		}
		// The frozen state, so that a later run that reuses this one's
		// data stages can go on from it (see ReadState).
		if err := atomicdir.WriteFile(filepath.Join(dir, StateFile), state); err != nil {
			return nil, err
		}
		return state, nil
	}
	return encodeState(next)
}

// StateFile is where the frozen transform's state is written, under the
// transform_graph folder of the run.
const StateFile = "state.json"

// ReadState reads the frozen transform's state a run wrote.
func ReadState(runDir string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(runDir, "transform_graph", StateFile))
	if err != nil {
		return nil, fmt.Errorf("reading the transform's state: %w", err)
	}
	if _, err := decodeState(data); err != nil {
		return nil, err
	}
	return data, nil
}

// ReadServingGraph reads the serving graph of a run's model, encoded as
// Train returns it.
func ReadServingGraph(runDir string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(runDir, "model", "saved_model", "saved_model.pb"))
	if err != nil {
		return nil, fmt.Errorf("reading the serving model: %w", err)
	}
	sm := &tfpb.SavedModel{}
	if err := proto.Unmarshal(data, sm); err != nil || len(sm.GetMetaGraphs()) == 0 {
		return nil, fmt.Errorf("reading the serving model: not a SavedModel (%v)", err)
	}
	return deterministic.Marshal(sm.GetMetaGraphs()[0].GetGraphDef())
}

// PassSummary is a shard's accumulators of one later analysis pass.
type PassSummary struct {
	Index     int
	Analyzers []byte
}

// AnalyzePass reads a shard again for a later pass: the analyzers that
// the state's template can now run, over the analyzed split.
func (j *Job) AnalyzePass(task Task, state []byte) (*PassSummary, error) {
	t, err := decodeState(state)
	if err != nil {
		return nil, err
	}
	an, err := transform.NewAnalyzers(tfgraph.FirstPass(t))
	if err != nil {
		return nil, err
	}
	_, err = j.read(task, func(b *batch.Batch) error {
		return j.eachSplit(b, func(s int, part *batch.Batch) error {
			if s != j.analyze {
				return nil
			}
			return analyzeBatch(an, j, part)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("shard %d of %s: %w", task.Index, task.Shard.Path, err)
	}
	data, err := an.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return &PassSummary{Index: task.Index, Analyzers: data}, nil
}

// FinishPass merges a later pass's shard accumulators in shard order,
// binds their results and returns the next state.
func (j *Job) FinishPass(state []byte, parts []*PassSummary, runDir, version string) ([]byte, error) {
	t, err := decodeState(state)
	if err != nil {
		return nil, err
	}
	ordered := make([][]byte, len(parts))
	for _, p := range parts {
		if p.Index < 0 || p.Index >= len(parts) || ordered[p.Index] != nil {
			return nil, fmt.Errorf("pass summaries: unexpected shard %d of %d", p.Index, len(parts))
		}
		ordered[p.Index] = p.Analyzers
	}
	first := tfgraph.FirstPass(t)
	results, err := mergeAnalyzers(first, ordered)
	if err != nil {
		return nil, err
	}
	return j.advance(t, results, runDir, version)
}
