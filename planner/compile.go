package planner

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/lang"
	"github.com/tfxc/tfxc/schema"
)

// deterministic encodes protos the same way every time, so that plans and
// fingerprints are stable.
var deterministic = proto.MarshalOptions{Deterministic: true}

// Compile plans a checked program. file is the path of the .tfxl file the
// program came from: the examples and the schema are found relative to it.
func Compile(prog *lang.Program, file string) (*Plan, error) {
	if prog.Examples == nil {
		return nil, fmt.Errorf("the pipeline has no examples to run on")
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, fmt.Errorf("locating %s: %w", file, err)
	}
	dir := filepath.Dir(abs)
	p := &Plan{Format: Format, Pipeline: prog.Name, File: abs, InferSchema: prog.InferSchema}

	ex := prog.Examples
	path := ex.Path
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	p.Examples = Examples{Format: ex.Format, Paths: []string{path}, MaxBadRows: ex.MaxBadRows, OnAnomaly: ex.OnAnomaly}
	if d, ok := ex.Options["delimiter"].(string); ok {
		p.Examples.Delimiter = d
	}
	for _, s := range ex.Splits {
		p.Examples.Splits = append(p.Examples.Splits, Split{Name: s.Name, Weight: s.Weight})
	}
	p.AnalyzeSplit = p.Examples.Splits[0].Name
	for _, s := range p.Examples.Splits {
		if s.Name == "train" {
			p.AnalyzeSplit = "train"
		}
	}

	if prog.Schema == nil {
		return nil, fmt.Errorf("the pipeline has no schema")
	}
	for _, f := range prog.Schema.Features {
		col, err := columnOf(f)
		if err != nil {
			return nil, err
		}
		p.Columns = append(p.Columns, col)
	}
	if !prog.InferSchema {
		if prog.Schema.File == "" {
			return nil, fmt.Errorf("the pipeline names no schema file")
		}
		s, _, err := schema.Load(prog.Schema.File)
		if err != nil {
			return nil, err
		}
		if p.Schema, err = deterministic.Marshal(s.Proto); err != nil {
			return nil, fmt.Errorf("encoding the schema: %w", err)
		}
	}

	lowered := withRawInputs(prog)
	if len(lowered.Transforms) > 0 {
		t, err := tfgraph.Lower(lowered)
		if err != nil {
			return nil, fmt.Errorf("lowering the transform: %w", err)
		}
		g, err := deterministic.Marshal(t.Graph)
		if err != nil {
			return nil, fmt.Errorf("encoding the transform graph: %w", err)
		}
		p.Transform = &Transform{Graph: g, Inputs: t.Inputs, Outputs: t.Outputs, Analyzers: t.Analyzers, Initializers: t.Initializers}
		lt, err := tfgraph.LowerLabel(prog)
		if err != nil {
			return nil, fmt.Errorf("lowering the label: %w", err)
		}
		if lt != nil {
			lg, err := deterministic.Marshal(lt.Graph)
			if err != nil {
				return nil, fmt.Errorf("encoding the label graph: %w", err)
			}
			p.Label = &Transform{Graph: lg, Inputs: lt.Inputs, Outputs: lt.Outputs}
		}
	}
	if err := p.compileModel(lowered, dir); err != nil {
		return nil, err
	}
	if err := p.addStages(); err != nil {
		return nil, err
	}
	return p, nil
}

// RawInputSuffix names the transform output that passes a raw feature the
// model reads through the transform graph: the serving graph feeds the
// model transform outputs only.
const RawInputSuffix = "__raw"

// withRawInputs returns the program with a pass-through transform,
// FEATURE__raw = FEATURE, for each raw feature the model reads, and the
// model reading those instead; the program itself is unchanged.
func withRawInputs(prog *lang.Program) *lang.Program {
	m := prog.Model
	if m == nil || prog.Schema == nil {
		return prog
	}
	names := map[string]bool{}
	for _, t := range prog.Transforms {
		names[t.Name] = true
	}
	out := *prog
	model := *m
	model.Inputs = nil
	out.Model = &model
	out.Transforms = append([]*lang.Transform(nil), prog.Transforms...)
	for _, in := range m.Inputs {
		f := prog.Schema.Feature(in)
		if names[in] || f == nil {
			model.Inputs = append(model.Inputs, in)
			continue
		}
		name := in + RawInputSuffix
		out.Transforms = append(out.Transforms, &lang.Transform{Name: name, Expr: &lang.Ident{Name: in}, Type: f.Type, Features: []string{in}})
		model.Inputs = append(model.Inputs, name)
	}
	return &out
}

// columnOf is the column that holds a schema feature's values.
func columnOf(f *lang.SchemaFeature) (Column, error) {
	col := Column{Name: f.Name}
	k := f.Type.Kind
	if k == lang.List || k == lang.Vector {
		col.List = true
		k = f.Type.Elem
	}
	switch k {
	case lang.Int:
		col.Kind = "int"
	case lang.Float:
		col.Kind = "float"
	case lang.String:
		col.Kind = "bytes"
	default:
		return col, fmt.Errorf("feature %s: examples cannot hold %s values", f.Name, f.Type)
	}
	return col, nil
}

// inputFiles describes the examples' files for fingerprinting: name, size
// and modification time of each file a pattern matches.
func inputFiles(patterns []string) ([]string, error) {
	var out []string
	for _, pat := range patterns {
		matches, err := filepath.Glob(pat)
		if err != nil {
			return nil, fmt.Errorf("examples %s: %w", pat, err)
		}
		sort.Strings(matches)
		if len(matches) == 0 {
			out = append(out, pat+" (no file)")
		}
		for _, m := range matches {
			fi, err := os.Stat(m)
			if err != nil {
				return nil, fmt.Errorf("examples: %w", err)
			}
			out = append(out, fmt.Sprintf("%s %d %d", m, fi.Size(), fi.ModTime().UnixNano()))
		}
	}
	return out, nil
}

// addStages lays out the stage DAG of the data part of the pipeline.
func (p *Plan) addStages() error {
	files, err := inputFiles(p.Examples.Paths)
	if err != nil {
		return err
	}
	add := func(id string, kind StageKind, split string, config any, artifacts []string, inputs ...string) error {
		var fps []string
		for _, in := range inputs {
			fps = append(fps, p.Stage(in).Fingerprint)
		}
		fp, err := fingerprint(kind, config, fps...)
		if err != nil {
			return err
		}
		p.Stages = append(p.Stages, Stage{ID: id, Kind: kind, Split: split, Inputs: inputs, Fingerprint: fp, Artifacts: artifacts})
		return nil
	}
	if err := add("examples", ExampleGen, "", []any{files, p.Examples, p.Columns}, []string{"data.json"}); err != nil {
		return err
	}
	p.Stages[len(p.Stages)-1].Optional = []string{"quarantine/examples-*.jsonl"}
	var statsIDs []string
	for _, s := range p.Examples.Splits {
		id := "statistics/" + s.Name
		statsIDs = append(statsIDs, id)
		if err := add(id, StatisticsGen, s.Name, s.Name, []string{"statistics/" + s.Name + ".pb", "statistics/" + s.Name + ".pbtxt"}, "examples"); err != nil {
			return err
		}
	}
	schemaInputs := []string{}
	if p.InferSchema {
		schemaInputs = []string{"statistics/" + p.AnalyzeSplit}
	}
	if err := add("schema", SchemaGen, "", []any{p.InferSchema, p.Schema}, []string{"schema/schema.pbtxt"}, schemaInputs...); err != nil {
		return err
	}
	for i, s := range p.Examples.Splits {
		if err := add("validate/"+s.Name, ExampleValidator, s.Name, []string{s.Name, p.Examples.OnAnomaly}, []string{"anomalies/" + s.Name + ".pbtxt"}, statsIDs[i], "schema"); err != nil {
			return err
		}
	}
	if p.Transform == nil {
		return nil
	}
	if err := add("analyze", Analyze, p.AnalyzeSplit, []any{p.AnalyzeSplit, p.Transform}, []string{"transform_graph/saved_model/saved_model.pb", "transform_graph/tfjs/model.json", "transform_graph/state.json"}, "examples"); err != nil {
		return err
	}
	for _, s := range p.Examples.Splits {
		if err := add("transform/"+s.Name, TransformStage, s.Name, []any{s.Name, p.Label}, []string{"transformed/" + s.Name + "/part-*.tfrecord", "transform.json"}, "examples", "analyze"); err != nil {
			return err
		}
		p.Stages[len(p.Stages)-1].Optional = []string{"quarantine/transform-*.jsonl"}
	}
	if p.Model == nil {
		return nil
	}
	if err := add("train", Trainer, p.AnalyzeSplit, p.Model, []string{"model/saved_model/saved_model.pb", "model/tfjs/model.json", "model/training.json"}, "transform/"+p.AnalyzeSplit, "analyze"); err != nil {
		return err
	}
	if p.Evaluate == nil && len(p.Pushes) == 0 {
		return nil
	}
	eval := p.evalSplit()
	if err := add("evaluate", Evaluator, eval, []any{eval, p.Evaluate, p.Pushes}, []string{"evaluation/metrics.json", "evaluation/blessing.json"}, "examples", "train"); err != nil {
		return err
	}
	for i, push := range p.Pushes {
		if err := add(fmt.Sprintf("push/%d", i), Pusher, "", push, []string{fmt.Sprintf("push/%d.json", i)}, "train", "evaluate"); err != nil {
			return err
		}
	}
	return nil
}

// evalSplit is the split the Evaluator reads: eval when declared, else
// the last split that is not the analyzed one.
func (p *Plan) evalSplit() string {
	name := p.AnalyzeSplit
	for _, s := range p.Examples.Splits {
		if s.Name == "eval" {
			return "eval"
		}
		if s.Name != p.AnalyzeSplit {
			name = s.Name
		}
	}
	return name
}
