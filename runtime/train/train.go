// Package train trains the model families of the language on transformed
// examples: linear regression, logistic regression and feed-forward
// networks, by mini-batch gradient descent with Adam. Training is
// deterministic: the same data, configuration and seed give the same
// weights, bit for bit.
//
// The trained model is a tfgraph.Model, which tfgraph.Serving appends to
// the transform graph; the weights are trained in float64 and served in
// float32.
package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tfxc/tfxc/codegen/tfgraph"
)

// Adam's constants, as Keras defaults them (keras.optimizers.Adam:
// beta_1 0.9, beta_2 0.999, epsilon 1e-7).
const (
	beta1   = 0.9
	beta2   = 0.999
	epsilon = 1e-7
)

// Config is what to train.
type Config struct {
	// Hidden are the units of the hidden layers; none for a linear or
	// logistic model.
	Hidden []int
	// Activation of the hidden layers: relu, tanh or sigmoid.
	Activation string
	// Binary selects a sigmoid head trained on log loss (labels 0 and 1);
	// Classes > 1 a softmax head of that many classes trained on
	// cross-entropy (labels the class ids 0 … Classes−1); otherwise the
	// head is linear, trained on squared error.
	Binary  bool
	Classes int
	// Steps of mini-batch descent, or, when Epochs > 0, as many steps as
	// Epochs passes over the data take.
	Steps, Epochs int
	Batch         int
	LearningRate  float64
	// L2 adds L2·Σw² over the kernels (not the biases) to the loss.
	L2   float64
	Seed int64
	// Progress, when set, is called with each point of the loss curve as
	// it is recorded.
	Progress func(LossPoint)
}

// LossPoint is a point of the loss curve: the mean training loss (without
// the L2 term) of the steps since the previous point.
type LossPoint struct {
	Step  int
	Epoch float64 // examples seen over examples in the data
	Loss  float64
}

// Result is a trained model and how the training went.
type Result struct {
	Model *tfgraph.Model
	Loss  []LossPoint
	Steps int
	// Examples is the number of examples the training read, with repeats.
	Examples int64
}

// curvePoints is about how many points the loss curve has.
const curvePoints = 100

// Train trains a model on data.
func Train(d *Data, cfg Config) (*Result, error) {
	if d.Rows() == 0 {
		return nil, errors.New("training: no examples")
	}
	if cfg.Batch <= 0 || cfg.LearningRate <= 0 || (cfg.Steps <= 0 && cfg.Epochs <= 0) {
		return nil, fmt.Errorf("training: batch %d, learning rate %v, steps %d, epochs %d: each must be positive", cfg.Batch, cfg.LearningRate, cfg.Steps, cfg.Epochs)
	}
	act, err := activation(cfg.Activation, len(cfg.Hidden) > 0)
	if err != nil {
		return nil, err
	}
	h, err := newHead(cfg)
	if err != nil {
		return nil, err
	}
	for i, y := range d.Labels {
		if err := h.check(y); err != nil {
			return nil, fmt.Errorf("training: example %d: %w", i+1, err)
		}
	}
	steps := cfg.Steps
	if cfg.Epochs > 0 {
		steps = cfg.Epochs * ((d.Rows() + cfg.Batch - 1) / cfg.Batch)
	}
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x7466786374726169)) // "tfxctrai"
	n := newNet(d.Width(), cfg.Hidden, h.outputs(), rng)
	order := make([]int, d.Rows())
	for i := range order {
		order[i] = i
	}
	shuffle := func() { rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] }) }
	shuffle()
	next := 0
	n.prepare(cfg.Batch)
	res := &Result{Steps: steps}
	every := max(1, steps/curvePoints)
	var window float64
	var windowSteps int
	rows := make([]int, 0, cfg.Batch)
	for step := 1; step <= steps; step++ {
		rows = rows[:0]
		if cfg.Epochs > 0 {
			// Epochs: each batch within one pass, the last one short.
			for len(rows) < cfg.Batch && next < len(order) {
				rows = append(rows, order[next])
				next++
			}
			if next == len(order) {
				shuffle()
				next = 0
			}
		} else {
			for len(rows) < cfg.Batch {
				if next == len(order) {
					shuffle()
					next = 0
				}
				rows = append(rows, order[next])
				next++
			}
		}
		loss := n.step(d, rows, act, h)
		n.update(cfg.LearningRate, cfg.L2)
		res.Examples += int64(len(rows))
		window += loss
		windowSteps++
		if step%every == 0 || step == steps {
			p := LossPoint{Step: step, Epoch: float64(res.Examples) / float64(d.Rows()), Loss: window / float64(windowSteps)}
			if math.IsNaN(p.Loss) || math.IsInf(p.Loss, 0) {
				return nil, fmt.Errorf("training diverged at step %d (loss %v): lower the learning rate", step, p.Loss)
			}
			res.Loss = append(res.Loss, p)
			if cfg.Progress != nil {
				cfg.Progress(p)
			}
			window, windowSteps = 0, 0
		}
	}
	res.Model = n.export(d.inputs, cfg.Activation, h)
	return res, nil
}

// head is the last layer's activation and loss.
type head struct {
	kind    string // "sigmoid", "softmax" or "" (linear)
	classes int
}

func newHead(cfg Config) (head, error) {
	switch {
	case cfg.Binary && cfg.Classes > 1:
		return head{}, errors.New("training: a model is binary or has classes, not both")
	case cfg.Binary:
		return head{kind: "sigmoid", classes: 1}, nil
	case cfg.Classes == 1:
		return head{}, errors.New("training: a softmax head needs two classes or more")
	case cfg.Classes > 1:
		return head{kind: "softmax", classes: cfg.Classes}, nil
	}
	return head{classes: 1}, nil
}

// outputs is the width of the last layer.
func (h head) outputs() int { return h.classes }

// check reports a label the head cannot learn.
func (h head) check(y float64) error {
	switch h.kind {
	case "sigmoid":
		if y != 0 && y != 1 {
			return fmt.Errorf("label %v; a binary label is 0 or 1", y)
		}
	case "softmax":
		if y != math.Trunc(y) || y < 0 || y >= float64(h.classes) {
			return fmt.Errorf("label %v; the labels are the class ids 0 to %d", y, h.classes-1)
		}
	default:
		if math.IsNaN(y) || math.IsInf(y, 0) {
			return fmt.Errorf("label %v", y)
		}
	}
	return nil
}

// loss returns an example's loss given the last layer's pre-activations
// z and its label, and writes the gradient of the loss in z, scaled by
// scale, into dz.
func (h head) loss(z []float64, y float64, scale float64, dz []float64) float64 {
	switch h.kind {
	case "sigmoid":
		// Log loss from the logit, stably: max(z,0) − z·y + log(1+e^−|z|).
		dz[0] = (sigmoid(z[0]) - y) * scale
		return max(z[0], 0) - z[0]*y + math.Log1p(math.Exp(-math.Abs(z[0])))
	case "softmax":
		// Cross-entropy of the softmax, with the largest logit
		// subtracted first.
		m := z[0]
		for _, v := range z[1:] {
			m = max(m, v)
		}
		var sum float64
		for _, v := range z {
			sum += math.Exp(v - m)
		}
		k := int(y)
		for j, v := range z {
			p := math.Exp(v-m) / sum
			if j == k {
				p--
			}
			dz[j] = p * scale
		}
		return math.Log(sum) - (z[k] - m)
	}
	d := z[0] - y
	dz[0] = 2 * d * scale
	return d * d
}

// activation returns the hidden layers' activation and its derivative
// expressed in the activation's output.
func activation(name string, hidden bool) (act, error) {
	switch name {
	case "relu":
		return act{name, func(x float64) float64 { return max(x, 0) }, func(y float64) float64 {
			if y > 0 {
				return 1
			}
			return 0
		}}, nil
	case "tanh":
		return act{name, math.Tanh, func(y float64) float64 { return 1 - y*y }}, nil
	case "sigmoid":
		return act{name, sigmoid, func(y float64) float64 { return y * (1 - y) }}, nil
	case "":
		if !hidden {
			return act{}, nil
		}
	}
	return act{}, fmt.Errorf("training: unknown activation %q (relu, tanh or sigmoid)", name)
}

type act struct {
	name string
	f    func(float64) float64
	// df is the derivative at x given y = f(x).
	df func(y float64) float64
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
