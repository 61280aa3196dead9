package job

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/tfxc/tfxc/codegen/savedmodel"
	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/codegen/tfjs"
	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/runtime/batch"
	"github.com/tfxc/tfxc/runtime/examplegen"
	"github.com/tfxc/tfxc/runtime/train"
)

// Training is what the Trainer did, written to the run's folder as
// model/training.json.
type Training struct {
	Family   string
	Inputs   []tfgraph.ModelInput // with the widths trained on
	Examples int                  // in the training split
	Steps    int
	// Read is the number of examples read, with repeats; Epochs the
	// passes over the split that makes.
	Read    int64
	Epochs  float64
	Seconds float64
	// ExamplesPerSecond is the training speed, reading excluded.
	ExamplesPerSecond float64
	Loss              []train.LossPoint
}

// Train trains the plan's model on the transformed examples of the
// analyzed split, on this worker alone, and writes the serving model:
// the bound transform graph (the transform's final state) followed by the
// model, as a SavedModel and a TF.js graph model under runDir/model, with
// the loss curve in runDir/model/training.json. It returns the serving
// graph, encoded, which the Evaluator applies.
func (j *Job) Train(state []byte, runDir, version string) ([]byte, *Training, error) {
	m := j.Plan.Model
	if m == nil {
		return nil, nil, fmt.Errorf("the plan has no model")
	}
	bound, err := decodeState(state)
	if err != nil {
		return nil, nil, err
	}
	if len(bound.Analyzers) > 0 {
		return nil, nil, fmt.Errorf("the transform still has %d analyzers to run", len(bound.Analyzers))
	}
	data, inputs, err := j.TrainingData(runDir)
	if err != nil {
		return nil, nil, err
	}
	cfg := j.TrainConfig()
	var last time.Time
	cfg.Progress = func(p train.LossPoint) {
		if time.Since(last) >= 2*time.Second {
			last = time.Now()
			slog.Info("training", "model", m.Family, "step", p.Step, "epoch", fmt.Sprintf("%.2f", p.Epoch), "loss", fmt.Sprintf("%.5f", p.Loss))
		}
	}
	start := time.Now()
	res, err := train.Train(data, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("training the %s model: %w", m.Family, err)
	}
	secs := time.Since(start).Seconds()
	serving, err := tfgraph.Serving(j.Template, bound.Graph, res.Model)
	if err != nil {
		return nil, nil, err
	}
	dir := filepath.Join(runDir, "model")
	if err := savedmodel.Write(filepath.Join(dir, "saved_model"), savedmodel.ForServing(j.Template, serving, res.Model.Classes())); err != nil {
		return nil, nil, fmt.Errorf("writing the serving SavedModel: %w", err)
	}
	if err := tfjs.Write(filepath.Join(dir, "tfjs"), &tfjs.Model{Graph: serving, Initializers: j.Template.Initializers, ConvertedBy: "tfxc " + version}); err != nil {
		return nil, nil, fmt.Errorf("writing the serving TF.js model: %w", err)
	}
	tr := &Training{
		Family: m.Family, Inputs: inputs, Examples: data.Rows(), Steps: res.Steps, Read: res.Examples,
		Epochs: float64(res.Examples) / float64(data.Rows()), Seconds: secs, Loss: res.Loss,
	}
	if secs > 0 {
		tr.ExamplesPerSecond = float64(res.Examples) / secs
	}
	if err := writeJSON(filepath.Join(dir, "training.json"), tr); err != nil {
		return nil, nil, err
	}
	encoded, err := deterministic.Marshal(serving)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding the serving graph: %w", err)
	}
	return encoded, tr, nil
}

// TrainingData reads the transformed examples of the analyzed split as the
// model's first layer takes them, and returns them with the model's
// inputs, their widths resolved. The examples stream into the training
// data batch by batch; a category input whose count is known only after
// analysis costs one more pass over its column first.
func (j *Job) TrainingData(runDir string) (*train.Data, []tfgraph.ModelInput, error) {
	m := j.Plan.Model
	if m == nil {
		return nil, nil, fmt.Errorf("the plan has no model")
	}
	inputs, err := j.resolveWidths(runDir)
	if err != nil {
		return nil, nil, err
	}
	data, err := train.NewData(inputs)
	if err != nil {
		return nil, nil, err
	}
	err = j.readTransformed(runDir, append(modelInputNames(m.Inputs), m.Label), func(b *batch.Batch) error {
		return data.Append(b, m.Label)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("reading the transformed %s split: %w", j.Plan.AnalyzeSplit, err)
	}
	return data, inputs, nil
}

// TrainConfig is the plan's model as the trainer takes it.
func (j *Job) TrainConfig() train.Config {
	m := j.Plan.Model
	return train.Config{
		Hidden: m.Hidden, Activation: m.Activation, Binary: m.LabelKind == "binary", Classes: m.Classes,
		Steps: m.Steps, Epochs: m.Epochs, Batch: m.Batch, LearningRate: m.LearningRate, L2: m.L2, Seed: m.Seed,
	}
}

// readTransformed reads the named columns of every transformed example of
// the analyzed split, in shard order, and hands them to emit batch by
// batch.
func (j *Job) readTransformed(runDir string, names []string, emit func(*batch.Batch) error) error {
	split := j.Plan.AnalyzeSplit
	kinds := map[string]batch.Kind{}
	for _, o := range append(append([]tfgraph.Output(nil), j.Template.Outputs...), j.Label.Outputs...) {
		switch o.DType {
		case tfpb.DataType_DT_FLOAT, tfpb.DataType_DT_DOUBLE:
			kinds[o.Name] = batch.Float
		case tfpb.DataType_DT_INT64, tfpb.DataType_DT_INT32, tfpb.DataType_DT_BOOL:
			kinds[o.Name] = batch.Int
		default:
			kinds[o.Name] = batch.Bytes
		}
	}
	var cols []examplegen.Column
	for _, name := range names {
		kind, ok := kinds[name]
		if !ok {
			return fmt.Errorf("the model reads %s, which the transform does not write", name)
		}
		cols = append(cols, examplegen.Column{Name: name, Kind: kind})
	}
	paths, err := filepath.Glob(filepath.Join(runDir, "transformed", split, "part-*.tfrecord"))
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return fmt.Errorf("no transformed examples of the %s split in %s", split, filepath.Join(runDir, "transformed", split))
	}
	shards, err := examplegen.PlanTFRecord(paths, 1<<62)
	if err != nil {
		return err
	}
	for _, s := range shards {
		rep, err := examplegen.ReadTFRecord(s, cols, BatchRows, emit)
		if err != nil {
			return err
		}
		if n := rep.Bad.Total(); n > 0 {
			return fmt.Errorf("%s: %d transformed examples cannot be read", s.Path, n)
		}
	}
	return nil
}

// resolveWidths gives each category input whose count the plan could not
// know (a vocabulary without top_k) the width its training values need:
// the largest id seen plus one. Serving one-hot encodes a larger id as
// zeros, which is what an id never trained on deserves.
func (j *Job) resolveWidths(runDir string) ([]tfgraph.ModelInput, error) {
	out := append([]tfgraph.ModelInput(nil), j.Plan.Model.Inputs...)
	var open []string
	for _, in := range out {
		if in.Width > 0 {
			continue
		}
		if in.Kind != tfgraph.OneHot {
			return nil, fmt.Errorf("model input %s has no width", in.Output)
		}
		open = append(open, in.Output)
	}
	if len(open) == 0 {
		return out, nil
	}
	maxID := map[string]int64{}
	err := j.readTransformed(runDir, open, func(b *batch.Batch) error {
		for _, name := range open {
			m, ok := maxID[name]
			if !ok {
				m = -1
			}
			for _, id := range b.Column(name).Ints {
				m = max(m, id)
			}
			maxID[name] = m
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, in := range out {
		if in.Width == 0 {
			out[i].Width = int(max(maxID[in.Output]+1, 1))
		}
	}
	return out, nil
}

func modelInputNames(ins []tfgraph.ModelInput) []string {
	var names []string
	for _, in := range ins {
		names = append(names, in.Output)
	}
	return names
}
