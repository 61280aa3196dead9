package job

import (
	"fmt"
	"path/filepath"
	"sort"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/internal/atomicdir"
	"github.com/tfxc/tfxc/pb/tfmd"
	"github.com/tfxc/tfxc/runtime/stats"
	"github.com/tfxc/tfxc/runtime/validate"
)

// DataSummary is what the data stages found, written to the run's folder
// as data.json and printed at the end of a run.
type DataSummary struct {
	Shards int
	Rows   map[string]int64 // per split
	// Bad counts the records quarantined while reading, by reason.
	Bad       map[string]int64
	BadTotal  int64
	Anomalies map[string][]string // per split, one line per anomaly
	Artifacts []string            // relative to the run's folder
}

// Finish merges the shards' summaries in shard order and writes the
// artifacts of the data stages under runDir: the statistics of each split,
// the schema, the anomalies, and, when one pass of analyzers is all the
// transform needs, the transform graph with their results bound in. It
// returns the summary and the transform's state (nil without a
// transform), which FinishPass advances when more passes are needed and
// NewTransformer takes once none is left.
func (j *Job) Finish(parts []*ShardSummary, runDir string, version string) (*DataSummary, []byte, error) {
	sort.Slice(parts, func(a, b int) bool { return parts[a].Index < parts[b].Index })
	for i, p := range parts {
		if p.Index != i {
			return nil, nil, fmt.Errorf("shard summaries: got shard %d where shard %d belongs", p.Index, i)
		}
	}
	sum := &DataSummary{Shards: len(parts), Rows: map[string]int64{}, Bad: map[string]int64{}, Anomalies: map[string][]string{}}
	splits := j.Plan.Examples.Splits

	// Statistics, merged per split in shard order.
	list := &tfmd.DatasetFeatureStatisticsList{}
	for s, split := range splits {
		acc := stats.New(j.features, stats.Options{})
		for _, p := range parts {
			part := stats.New(j.features, stats.Options{})
			if err := part.UnmarshalBinary(p.Stats[s]); err != nil {
				return nil, nil, fmt.Errorf("statistics of shard %d: %w", p.Index, err)
			}
			if err := acc.Merge(part); err != nil {
				return nil, nil, err
			}
			sum.Rows[split.Name] += p.Rows[s]
		}
		ds, err := acc.Result(split.Name)
		if err != nil {
			return nil, nil, fmt.Errorf("statistics of %s: %w", split.Name, err)
		}
		list.Datasets = append(list.Datasets, ds)
		one := &tfmd.DatasetFeatureStatisticsList{Datasets: []*tfmd.DatasetFeatureStatistics{ds}}
		if err := writeProto(runDir, "statistics/"+split.Name, one, sum); err != nil {
			return nil, nil, err
		}
	}
	for _, p := range parts {
		for reason, n := range p.Bad {
			sum.Bad[reason] += n
			sum.BadTotal += n
		}
	}

	// The schema: given, or inferred from the analyzed split.
	schema, err := j.Plan.SchemaProto()
	if err != nil {
		return nil, nil, err
	}
	if j.Plan.InferSchema {
		train := &tfmd.DatasetFeatureStatisticsList{Datasets: []*tfmd.DatasetFeatureStatistics{list.Datasets[j.analyze]}}
		if schema, err = validate.InferSchema(train, validate.InferOptions{}); err != nil {
			return nil, nil, fmt.Errorf("inferring the schema: %w", err)
		}
	}
	if err := writeProto(runDir, "schema/schema", schema, sum); err != nil {
		return nil, nil, err
	}

	// Anomalies of each split against the schema.
	for s, split := range splits {
		one := &tfmd.DatasetFeatureStatisticsList{Datasets: []*tfmd.DatasetFeatureStatistics{list.Datasets[s]}}
		an, err := validate.ValidateStatistics(one, schema, validate.Options{})
		if err != nil {
			return nil, nil, fmt.Errorf("validating %s: %w", split.Name, err)
		}
		if err := writeProto(runDir, "anomalies/"+split.Name, an, sum); err != nil {
			return nil, nil, err
		}
		sum.Anomalies[split.Name] = validate.Describe(an)
	}

	// The first pass's analyzers, merged in shard order, bound into the
	// graph: the transform's state, the frozen graph when no later pass
	// is needed.
	var state []byte
	if j.Template != nil {
		first := tfgraph.FirstPass(j.Template)
		var encoded [][]byte
		for _, p := range parts {
			encoded = append(encoded, p.Analyzers)
		}
		results, err := mergeAnalyzers(first, encoded)
		if err != nil {
			return nil, nil, err
		}
		if state, err = j.advance(j.Template, results, runDir, version); err != nil {
			return nil, nil, err
		}
		sum.Artifacts = append(sum.Artifacts, "transform_graph/saved_model/saved_model.pb", "transform_graph/tfjs/model.json")
	}
	if err := writeJSON(filepath.Join(runDir, "data.json"), sum); err != nil {
		return nil, nil, err
	}
	return sum, state, nil
}

var deterministic = proto.MarshalOptions{Deterministic: true}

// writeProto writes m under runDir as name.pb (binary) and name.pbtxt
// (text), and lists them as artifacts of sum.
func writeProto(runDir, name string, m proto.Message, sum *DataSummary) error {
	bin, err := deterministic.Marshal(m)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", name, err)
	}
	text, err := prototext.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(m)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", name, err)
	}
	if err := atomicdir.WriteFile(filepath.Join(runDir, name+".pb"), bin); err != nil {
		return err
	}
	if err := atomicdir.WriteFile(filepath.Join(runDir, name+".pbtxt"), text); err != nil {
		return err
	}
	sum.Artifacts = append(sum.Artifacts, name+".pb", name+".pbtxt")
	return nil
}
