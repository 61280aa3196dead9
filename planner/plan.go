// Package planner turns a checked pipeline into a Plan: the stages of the
// one Beam job that runs it, the transform graph template, and everything
// the job needs to know, so that the Beam binary never sees the language.
//
// A Plan is plain data. tfxc writes it as JSON (see Marshal) and tfxc-beam
// reads it back (Unmarshal); Format changes whenever that contract does,
// and the two binaries refuse to work with a plan of another format.
package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/pb/tfmd"
)

// Format is the version of the plan's encoding.
const Format = 2

// Plan is a compiled pipeline.
type Plan struct {
	Format   int
	Pipeline string
	// File is the absolute path of the .tfxl file compiled.
	File     string
	Examples Examples
	// Columns are the features read from the examples, in schema order.
	Columns []Column
	// Schema is the TFMD schema the examples are validated against,
	// encoded as a binary proto; nil when the pipeline infers it.
	Schema      []byte `json:",omitempty"`
	InferSchema bool
	// AnalyzeSplit is the split the analyzers read (train).
	AnalyzeSplit string
	// Transform is the lowered transform block; nil without one.
	Transform *Transform `json:",omitempty"`
	// Label is the lowered label, a graph apart from the transform (it
	// may read features absent at serving time); nil without a label.
	// The Transform stage writes it into the transformed examples.
	Label *Transform `json:",omitempty"`
	// Model is the model to train, Evaluate how to evaluate it and Pushes
	// where a blessed model goes; nil (empty) without them.
	Model    *Model    `json:",omitempty"`
	Evaluate *Evaluate `json:",omitempty"`
	Pushes   []Push    `json:",omitempty"`
	Stages   []Stage
}

// Examples says where the examples are and how they split.
type Examples struct {
	Format    string   // csv or tfrecord
	Paths     []string // absolute paths or glob patterns
	Delimiter string   `json:",omitempty"`
	Splits    []Split
	// MaxBadRows is how many rows may be quarantined before the run fails.
	MaxBadRows int64
	// OnAnomaly is "fail" or "warn".
	OnAnomaly string
}

// Split is a named share of the examples, in hash buckets.
type Split struct {
	Name   string
	Weight int64
}

// Column is a feature the job reads, with the kind of its values.
type Column struct {
	Name string
	Kind string // int, float or bytes
	// List reports a feature with any number of values per example.
	List bool `json:",omitempty"`
}

// Transform is a graph template made portable: the GraphDef as a binary
// proto, and the rest of tfgraph.Template as it is.
type Transform struct {
	Graph        []byte
	Inputs       []tfgraph.Input
	Outputs      []tfgraph.Output
	Analyzers    []*tfgraph.Analyzer
	Initializers []string
}

// Template decodes the graph template.
func (t *Transform) Template() (*tfgraph.Template, error) {
	g := &tfpb.GraphDef{}
	if err := proto.Unmarshal(t.Graph, g); err != nil {
		return nil, fmt.Errorf("decoding the transform graph of the plan: %w", err)
	}
	return &tfgraph.Template{Graph: g, Inputs: t.Inputs, Outputs: t.Outputs, Analyzers: t.Analyzers, Initializers: t.Initializers}, nil
}

// SchemaProto decodes the plan's schema; nil when it is inferred.
func (p *Plan) SchemaProto() (*tfmd.Schema, error) {
	if p.Schema == nil {
		return nil, nil
	}
	s := &tfmd.Schema{}
	if err := proto.Unmarshal(p.Schema, s); err != nil {
		return nil, fmt.Errorf("decoding the schema of the plan: %w", err)
	}
	return s, nil
}

// Stage is one step of the job. Stages form a DAG through Inputs.
type Stage struct {
	ID   string // unique, e.g. "statistics/train"
	Kind StageKind
	// Split is the split a per-split stage works on.
	Split  string   `json:",omitempty"`
	Inputs []string `json:",omitempty"` // IDs of the stages it reads
	// Fingerprint identifies the stage's work: it changes when the
	// stage's configuration or any input stage's fingerprint does. Reading
	// examples is fingerprinted by the paths, sizes and modification times
	// of the input files, not their contents.
	Fingerprint string
	// Artifacts are what the stage writes, relative to the run's folder,
	// and Optional what it writes only when it has something to say (the
	// records it quarantined). A pattern stands for the files it matches.
	Artifacts []string `json:",omitempty"`
	Optional  []string `json:",omitempty"`
}

// StageKind is what a stage does: one of TFX's components.
type StageKind string

// The stages of the data part of a pipeline.
const (
	ExampleGen       StageKind = "ExampleGen"
	StatisticsGen    StageKind = "StatisticsGen"
	SchemaGen        StageKind = "SchemaGen"
	ExampleValidator StageKind = "ExampleValidator"
	Analyze          StageKind = "Analyze"
	TransformStage   StageKind = "Transform"
	Trainer          StageKind = "Trainer"
	Evaluator        StageKind = "Evaluator"
	Pusher           StageKind = "Pusher"
)

// Marshal encodes a plan as indented JSON.
func Marshal(p *Plan) ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the plan: %w", err)
	}
	return append(b, '\n'), nil
}

// Unmarshal decodes a plan that Marshal wrote, refusing another format.
func Unmarshal(data []byte) (*Plan, error) {
	var head struct{ Format int }
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("decoding the plan: %w", err)
	}
	if head.Format != Format {
		return nil, fmt.Errorf("the plan has format %d, this build reads format %d: use tfxc and tfxc-beam of the same version", head.Format, Format)
	}
	p := &Plan{}
	if err := json.Unmarshal(data, p); err != nil {
		return nil, fmt.Errorf("decoding the plan: %w", err)
	}
	return p, nil
}

// Stage returns the stage with the given ID, or nil.
func (p *Plan) Stage(id string) *Stage {
	for i := range p.Stages {
		if p.Stages[i].ID == id {
			return &p.Stages[i]
		}
	}
	return nil
}

// fingerprint hashes a stage's configuration with its inputs' fingerprints.
func fingerprint(kind StageKind, config any, inputs ...string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", kind)
	b, err := json.Marshal(config)
	if err != nil {
		return "", fmt.Errorf("fingerprinting %s: %w", kind, err)
	}
	h.Write(b)
	for _, in := range inputs {
		fmt.Fprintf(h, "\x00%s", in)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
