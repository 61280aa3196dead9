package mlmd

import (
	"bytes"
	"encoding/json"
	"math"
	"time"
)

// State is the state of a run or of an execution.
type State string

// The states of a run or of an execution.
const (
	Running  State = "running"  // started and not finished yet
	Complete State = "complete" // finished and succeeded
	Failed   State = "failed"   // finished and failed
	Cached   State = "cached"   // not run: its outputs were reused from an earlier run
	Skipped  State = "skipped"  // not run: not needed, or an input failed
)

// valid reports whether s is one of the known states.
func (s State) valid() bool {
	switch s {
	case Running, Complete, Failed, Cached, Skipped:
		return true
	}
	return false
}

// Artifact is a file or folder that an execution read or wrote.
type Artifact struct {
	ID int64 `json:"id"`
	// Type is the kind of artifact, as TFX names them: "Examples",
	// "ExampleStatistics", "Schema", "ExampleAnomalies", "TransformGraph",
	// "TransformedExamples", "Model", "ModelEvaluation", "ModelBlessing",
	// "PushedModel".
	Type string `json:"type"`
	// URI is the absolute path of the file or folder.
	URI string `json:"uri"`
	// Hash is "sha256:<hex>" of the contents, as HashPath computes it.
	Hash       string            `json:"hash"`
	Properties map[string]string `json:"properties,omitempty"`
}

// The kinds of Event.
const (
	Input  = "input"
	Output = "output"
)

// Event ties an artifact to an execution that read it (Kind Input) or
// wrote it (Kind Output).
type Event struct {
	Kind     string   `json:"kind"` // Input or Output
	Artifact Artifact `json:"artifact"`
}

// Execution is the execution of one stage of a run.
type Execution struct {
	ID          int64             `json:"id"`
	Run         int64             `json:"run"`
	Stage       string            `json:"stage"` // the plan's stage ID, e.g. "statistics/train", "train", "push"
	Kind        string            `json:"kind"`  // the TFX component it stands for, e.g. "StatisticsGen", "Trainer", "Pusher"
	State       State             `json:"state"`
	Fingerprint string            `json:"fingerprint"` // the plan's fingerprint of the stage
	Start       time.Time         `json:"start,omitzero"`
	End         time.Time         `json:"end,omitzero"`
	Inputs      []Artifact        `json:"inputs,omitempty"`
	Outputs     []Artifact        `json:"outputs,omitempty"`
	Properties  map[string]string `json:"properties,omitempty"`
}

// Run is one run of a pipeline.
type Run struct {
	ID       int64     `json:"id"`
	Pipeline string    `json:"pipeline"`
	Dir      string    `json:"dir"` // the run's artifact folder (absolute)
	State    State     `json:"state"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end,omitzero"` // zero while running
	Blessed  bool      `json:"blessed"`
	// Pushed is the folder of the version pushed, "" if nothing was pushed.
	Pushed string `json:"pushed,omitempty"`
	// Metrics are the headline metrics: those of the overall slice, by name
	// (e.g. "auc").
	Metrics map[string]float64 `json:"metrics,omitempty"`
	// Note says why the run was or was not blessed or pushed, or why it
	// failed.
	Note string `json:"note,omitempty"`
}

// MarshalJSON encodes the run by its fields' tags, except that a metric JSON
// cannot hold (NaN or an infinity) is encoded as null.
func (r Run) MarshalJSON() ([]byte, error) {
	type plain Run // without the method
	var metrics map[string]*float64
	if len(r.Metrics) > 0 {
		metrics = make(map[string]*float64, len(r.Metrics))
		for name, v := range r.Metrics {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				metrics[name] = &v
			} else {
				metrics[name] = nil
			}
		}
	}
	// An Encoder, to leave the escaping of HTML to the caller's encoder.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(struct {
		plain
		Metrics map[string]*float64 `json:"metrics,omitempty"`
	}{plain(r), metrics})
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}
