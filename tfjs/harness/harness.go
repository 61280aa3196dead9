// Package harness runs TF.js graph models in Node, through tfjs/run.js and
// the TF.js packages pinned in tfjs/package-lock.json, so tests can compare
// TF.js with tfxc's Go executor. It needs node on PATH and `npm ci --prefix
// tfjs` (make test does it).
package harness

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/runtime/graph"
)

// Harness is a located node binary and run.js.
type Harness struct {
	node, script string
}

// Find locates node and the harness, searching for tfjs/run.js from the
// working directory upwards. The error says what is missing and how to
// install it.
func Find() (*Harness, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node is not on PATH: %w", err)
	}
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	for {
		script := filepath.Join(dir, "tfjs", "run.js")
		if _, err := os.Stat(script); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "tfjs", "node_modules", "@tensorflow", "tfjs-converter")); err != nil {
				return nil, fmt.Errorf("the TF.js packages are not installed: run npm ci --prefix %s", filepath.Join(dir, "tfjs"))
			}
			return &Harness{node: node, script: script}, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, errors.New("tfjs/run.js not found above the working directory")
		}
		dir = parent
	}
}

// Tensor is an output as TF.js computed it: int64 outputs come back as
// int32 and float64 as float32, which is how TF.js computes them.
type Tensor struct {
	DType  string    `json:"dtype"`
	Shape  []int     `json:"shape"`
	Values []float64 `json:"-"`
	Raw    []any     `json:"values"`
}

// Run runs the TF.js model in dir on the feeds and returns the named
// outputs. NaN and infinities arrive as such.
func (h *Harness) Run(dir string, feeds map[string]*graph.Tensor, outputs []string) (map[string]*Tensor, error) {
	type tensorJSON struct {
		DType  string `json:"dtype"`
		Shape  []int  `json:"shape"`
		Values []any  `json:"values"`
	}
	in := map[string]tensorJSON{}
	for name, f := range feeds {
		tj := tensorJSON{Shape: f.Shape, Values: make([]any, 0, f.Len())}
		switch f.DType {
		case tfpb.DataType_DT_FLOAT, tfpb.DataType_DT_DOUBLE:
			tj.DType = "float32"
			for i := range f.Len() {
				v := f.Float64At(i)
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("feed %s: non-finite values cannot travel as JSON yet", name)
				}
				tj.Values = append(tj.Values, v)
			}
		case tfpb.DataType_DT_INT64, tfpb.DataType_DT_INT32:
			tj.DType = "int32"
			for i := range f.Len() {
				v := f.Float64At(i)
				if v < math.MinInt32 || v > math.MaxInt32 {
					return nil, fmt.Errorf("feed %s holds %v, beyond the int32 in which TF.js computes int64", name, v)
				}
				tj.Values = append(tj.Values, int64(v))
			}
		case tfpb.DataType_DT_BOOL:
			tj.DType = "bool"
			for _, v := range f.Bool {
				tj.Values = append(tj.Values, v)
			}
		case tfpb.DataType_DT_STRING:
			tj.DType = "string"
			for _, v := range f.Str {
				tj.Values = append(tj.Values, v)
			}
		default:
			return nil, fmt.Errorf("feed %s of type %s", name, f.DType)
		}
		in[name] = tj
	}
	js, err := json.Marshal(map[string]any{"inputs": in, "outputs": outputs})
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp("", "tfxc-feeds-*.json")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(js); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	cmd := exec.Command(h.node, h.script, dir, tmp.Name())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("TF.js: %w: %s", err, lastLines(stderr.String(), 6))
	}
	var res map[string]*Tensor
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("TF.js output: %w", err)
	}
	for name, t := range res {
		for _, v := range t.Raw {
			switch v := v.(type) {
			case float64:
				t.Values = append(t.Values, v)
			case bool:
				t.Values = append(t.Values, map[bool]float64{false: 0, true: 1}[v])
			case string:
				switch v {
				case "NaN":
					t.Values = append(t.Values, math.NaN())
				case "Infinity":
					t.Values = append(t.Values, math.Inf(1))
				case "-Infinity":
					t.Values = append(t.Values, math.Inf(-1))
				default:
					return nil, fmt.Errorf("output %s: string values are not compared yet", name)
				}
			}
		}
	}
	return res, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
