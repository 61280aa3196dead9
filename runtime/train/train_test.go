package train

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/runtime/batch"
)

// synthetic builds a batch of n examples: x a float in [-1, 1], c a
// category in [0, 4), and label y = f(x, c).
func synthetic(n int, seed uint64, f func(x float64, c int64) float64) *batch.Batch {
	rng := rand.New(rand.NewPCG(seed, 1))
	xs := batch.NewColumn("x", batch.Float)
	cs := batch.NewColumn("c", batch.Int)
	ys := batch.NewColumn("y", batch.Float)
	for range n {
		x := 2*rng.Float64() - 1
		c := rng.Int64N(4)
		xs.AppendFloats(float32(x))
		cs.AppendInts(c)
		ys.AppendFloats(float32(f(float64(float32(x)), c)))
	}
	return &batch.Batch{Columns: []*batch.Column{xs, cs, ys}}
}

var inputs = []tfgraph.ModelInput{{Output: "x", Kind: tfgraph.Numeric, Width: 1}, {Output: "c", Kind: tfgraph.OneHot, Width: 4}}

func data(t testing.TB, b *batch.Batch) *Data {
	t.Helper()
	d, err := NewData(inputs)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Append(b, "y"); err != nil {
		t.Fatal(err)
	}
	return d
}

// predict computes the exported float32 model the way the serving graph
// does.
func predict(m *tfgraph.Model, x float64, c int64) float64 {
	in := []float32{float32(x), 0, 0, 0, 0}
	in[1+c] = 1
	for _, l := range m.Layers {
		out := make([]float32, l.Out)
		for j := range out {
			s := l.B[j]
			for i, v := range in {
				s += v * l.W[i*l.Out+j]
			}
			switch l.Activation {
			case "relu":
				s = max(s, 0)
			case "sigmoid":
				s = float32(sigmoid(float64(s)))
			case "tanh":
				s = float32(math.Tanh(float64(s)))
			}
			out[j] = s
		}
		in = out
	}
	return float64(in[0])
}

func TestLinearRecoversCoefficients(t *testing.T) {
	offsets := []float64{0.5, -1, 2, 0}
	d := data(t, synthetic(2000, 1, func(x float64, c int64) float64 { return 3*x + offsets[c] }))
	res, err := Train(d, Config{Epochs: 60, Batch: 32, LearningRate: 0.05, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []float64{-0.5, 0.25} {
		for c := range int64(4) {
			want := 3*x + offsets[c]
			if got := predict(res.Model, x, c); math.Abs(got-want) > 0.02 {
				t.Errorf("f(%v, %d) = %v, want %v", x, c, got, want)
			}
		}
	}
	if first, last := res.Loss[0].Loss, res.Loss[len(res.Loss)-1].Loss; !(last < first/100) {
		t.Errorf("loss went from %v to %v", first, last)
	}
	if res.Steps != 60*63 || res.Examples != 60*2000 {
		t.Errorf("%d steps over %d examples, want %d over %d", res.Steps, res.Examples, 60*63, 60*2000)
	}
}

func TestDNNLearnsXOR(t *testing.T) {
	// The label is x > 0 XOR c is odd: no linear model can learn it.
	f := func(x float64, c int64) float64 {
		if (x > 0) != (c%2 == 1) {
			return 1
		}
		return 0
	}
	d := data(t, synthetic(2000, 2, f))
	for _, activation := range []string{"relu", "tanh", "sigmoid"} {
		res, err := Train(d, Config{Hidden: []int{16, 8}, Activation: activation, Binary: true, Steps: 3000, Batch: 32, LearningRate: 0.01, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if wrong := misclassified(res.Model, f); wrong > 25 {
			t.Errorf("%s: %d of 500 wrong", activation, wrong)
		}
	}
	// A logistic model cannot: about half wrong.
	res, err := Train(d, Config{Binary: true, Steps: 2000, Batch: 32, LearningRate: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	if res.Model.Layers[0].Activation != "sigmoid" || len(res.Model.Layers) != 1 {
		t.Errorf("logistic model %+v", res.Model.Layers)
	}
	if wrong := misclassified(res.Model, f); wrong < 150 {
		t.Errorf("a logistic model learnt XOR: %d of 500 wrong", wrong)
	}
}

// misclassified counts the misclassified of 500 fresh examples.
func misclassified(m *tfgraph.Model, f func(float64, int64) float64) int {
	wrong := 0
	test := synthetic(500, 3, f)
	for r := range 500 {
		x, c, y := float64(test.Columns[0].Floats[r]), test.Columns[1].Ints[r], float64(test.Columns[2].Floats[r])
		if p := predict(m, x, c); (p > 0.5) != (y == 1) {
			wrong++
		}
	}
	return wrong
}

// TestSoftmax learns three classes, the third of them unlearnable from a
// linear score of x alone: c decides.
func TestSoftmax(t *testing.T) {
	f := func(x float64, c int64) float64 {
		switch {
		case c == 3:
			return 2
		case x > 0:
			return 1
		}
		return 0
	}
	d := data(t, synthetic(2000, 10, f))
	res, err := Train(d, Config{Hidden: []int{16}, Activation: "relu", Classes: 3, Steps: 3000, Batch: 32, LearningRate: 0.01, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	last := res.Model.Layers[len(res.Model.Layers)-1]
	if last.Out != 3 || last.Activation != "softmax" {
		t.Fatalf("the head is %d×%d %s", last.In, last.Out, last.Activation)
	}
	if _, err := Train(data(t, synthetic(10, 1, func(float64, int64) float64 { return 3 })), Config{Classes: 3, Steps: 1, Batch: 1, LearningRate: 0.1}); err == nil {
		t.Error("label 3 of 3 classes was taken")
	}
	if l := res.Loss; l[len(l)-1].Loss > 0.1 {
		t.Errorf("cross-entropy ends at %v", l[len(l)-1].Loss)
	}
}

func TestDeterministic(t *testing.T) {
	d := data(t, synthetic(500, 4, func(x float64, c int64) float64 { return float64(c % 2) }))
	cfg := Config{Hidden: []int{8}, Activation: "relu", Binary: true, Steps: 100, Batch: 10, LearningRate: 0.01, Seed: 42}
	a, err := Train(d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Train(d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Model.Layers[0].W, b.Model.Layers[0].W) || !slices.Equal(a.Model.Layers[1].W, b.Model.Layers[1].W) {
		t.Error("the same seed gave different weights")
	}
	cfg.Seed = 43
	c, err := Train(d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(a.Model.Layers[0].W, c.Model.Layers[0].W) {
		t.Error("another seed gave the same weights")
	}
}

// TestGradients compares the backward pass with central differences.
func TestGradients(t *testing.T) {
	d := data(t, synthetic(20, 5, func(x float64, c int64) float64 { return float64(c % 2) }))
	for _, tc := range []struct {
		act     string
		binary  bool
		l2      float64
		classes int
	}{{"tanh", true, 0, 0}, {"sigmoid", false, 0.1, 0}, {"tanh", false, 0, 0}, {"sigmoid", false, 0.01, 2}, {"tanh", false, 0, 4}} {
		rng := rand.New(rand.NewPCG(9, 9))
		h := head{classes: 1}
		if tc.binary {
			h = head{kind: "sigmoid", classes: 1}
		}
		if tc.classes > 0 {
			h = head{kind: "softmax", classes: tc.classes}
		}
		n := newNet(d.Width(), []int{5, 3}, h.outputs(), rng)
		a, _ := activation(tc.act, true)
		rows := []int{0, 3, 5, 7, 11}
		n.prepare(len(rows))
		lossAt := func() float64 {
			l := n.step(d, rows, a, h)
			for _, ws := range n.work {
				ws.clear(n)
			}
			var pen float64
			for _, l := range n.layers {
				for _, w := range l.w {
					pen += tc.l2 * w * w
				}
			}
			return l + pen
		}
		n.step(d, rows, a, h)
		// The gradient the update applies: the step's, plus the L2 term.
		var grads [][]float64
		for li, l := range n.layers {
			gw := slices.Clone(n.work[0].gw[li])
			for i, w := range l.w {
				gw[i] += 2 * tc.l2 * w
			}
			grads = append(grads, gw, slices.Clone(n.work[0].gb[li]))
		}
		for _, ws := range n.work {
			ws.clear(n)
		}
		const eps = 1e-6
		k := 0
		for _, l := range n.layers {
			for pi, params := range [][]float64{l.w, l.b} {
				for i := range params {
					keep := params[i]
					params[i] = keep + eps
					up := lossAt()
					params[i] = keep - eps
					down := lossAt()
					params[i] = keep
					num := (up - down) / (2 * eps)
					if got := grads[k+pi][i]; math.Abs(got-num) > 1e-6*max(1, math.Abs(num)) {
						t.Errorf("%s: gradient %d[%d] = %v, numerically %v", tc.act, k+pi, i, got, num)
					}
				}
			}
			k += 2
		}
	}
}

func TestBadInput(t *testing.T) {
	b := synthetic(3, 6, func(x float64, c int64) float64 { return 2 })
	d := data(t, b)
	if _, err := Train(d, Config{Binary: true, Steps: 1, Batch: 1, LearningRate: 0.1}); err == nil {
		t.Error("a binary model trained on label 2")
	}
	if _, err := Train(&Data{}, Config{Steps: 1, Batch: 1, LearningRate: 0.1}); err == nil {
		t.Error("trained on no examples")
	}
	d2, _ := NewData(inputs)
	b.Columns[0].Missing[1] = true
	if err := d2.Append(b, "y"); err == nil {
		t.Error("a missing input was taken")
	}
	if err := d2.Append(b, "nope"); err == nil {
		t.Error("a missing label column was taken")
	}
	if _, err := Train(d, Config{Steps: 10, Batch: 1, LearningRate: 1e300}); err == nil {
		t.Error("a diverging training succeeded")
	}
}

// BenchmarkEpoch is one epoch of the example's network shape over
// synthetic data; the taxi benchmark in runtime/job measures the real one.
func BenchmarkEpoch(b *testing.B) {
	d := data(b, synthetic(10000, 8, func(x float64, c int64) float64 { return float64(c % 2) }))
	b.ResetTimer()
	for range b.N {
		if _, err := Train(d, Config{Hidden: []int{100, 70, 48, 34}, Activation: "relu", Binary: true, Epochs: 1, Batch: 40, LearningRate: 0.001}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.Rows())*float64(b.N)/b.Elapsed().Seconds(), "examples/s")
}
