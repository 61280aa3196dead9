package job

import (
	"fmt"
	"path/filepath"
	"sort"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/codegen/savedmodel"
	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/codegen/tfjs"
	"github.com/tfxc/tfxc/internal/atomicdir"
	"github.com/tfxc/tfxc/pb/tfmd"
	"github.com/tfxc/tfxc/runtime/stats"
	"github.com/tfxc/tfxc/runtime/transform"
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
// the schema, the anomalies, and the transform graph with the analyzers'
// results bound in. It returns the summary and the bound graph (nil
// without a transform).
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

	// The analyzers, merged in shard order, bound into the graph.
	var graph []byte
	if j.Template != nil {
		acc, err := transform.NewAnalyzers(j.Template)
		if err != nil {
			return nil, nil, err
		}
		for i, p := range parts {
			part := acc
			if i > 0 {
				if part, err = transform.NewAnalyzers(j.Template); err != nil {
					return nil, nil, err
				}
			}
			if err := part.UnmarshalBinary(p.Analyzers); err != nil {
				return nil, nil, fmt.Errorf("analyzers of shard %d: %w", p.Index, err)
			}
			if i > 0 {
				if err := acc.Merge(part); err != nil {
					return nil, nil, err
				}
			}
		}
		results, err := acc.Results()
		if err != nil {
			return nil, nil, err
		}
		g, err := tfgraph.Bind(j.Template, results)
		if err != nil {
			return nil, nil, fmt.Errorf("binding the analyzers' results: %w", err)
		}
		dir := filepath.Join(runDir, "transform_graph")
		if err := savedmodel.Write(filepath.Join(dir, "saved_model"), savedmodel.FromTemplate(j.Template, g)); err != nil {
			return nil, nil, fmt.Errorf("writing the transform SavedModel: %w", err)
		}
		if err := tfjs.Write(filepath.Join(dir, "tfjs"), &tfjs.Model{Graph: g, Initializers: j.Template.Initializers, ConvertedBy: "tfxc " + version}); err != nil {
			return nil, nil, fmt.Errorf("writing the transform TF.js model: %w", err)
		}
		sum.Artifacts = append(sum.Artifacts, "transform_graph/saved_model/saved_model.pb", "transform_graph/tfjs/model.json")
		if graph, err = deterministic.Marshal(g); err != nil {
			return nil, nil, err
		}
	}
	if err := writeJSON(filepath.Join(runDir, "data.json"), sum); err != nil {
		return nil, nil, err
	}
	return sum, graph, nil
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
