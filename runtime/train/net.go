package train

import (
	"math"
	"math/rand/v2"

	"github.com/tfxc/tfxc/codegen/tfgraph"
)

// layer is a dense layer in training: x·W + B, W in×out row-major, with
// its gradients and Adam's moments.
type layer struct {
	in, out int
	w, b    []float64
	gw, gb  []float64
	mw, vw  []float64
	mb, vb  []float64
}

// net is a stack of dense layers; the first reads the sparse entries of
// Data, the last gives one value per example.
type net struct {
	layers []*layer
}

// newNet initialises the layers as Keras's Dense does by default: kernels
// Glorot-uniform (uniform in ±√(6/(fan_in+fan_out))), biases zero.
func newNet(width int, hidden []int, outputs int, rng *rand.Rand) *net {
	n := &net{}
	in := width
	for _, out := range append(append([]int(nil), hidden...), outputs) {
		l := &layer{in: in, out: out,
			w: make([]float64, in*out), b: make([]float64, out),
			gw: make([]float64, in*out), gb: make([]float64, out),
			mw: make([]float64, in*out), vw: make([]float64, in*out),
			mb: make([]float64, out), vb: make([]float64, out)}
		limit := math.Sqrt(6 / float64(in+out))
		for i := range l.w {
			l.w[i] = (2*rng.Float64() - 1) * limit
		}
		n.layers = append(n.layers, l)
		in = out
	}
	return n
}

// workspace holds a step's activations and their gradients, per layer,
// batch-major.
type workspace struct {
	a  [][]float64 // a[l]: the output of layer l (after its activation)
	da [][]float64 // gradient of the loss in a[l]'s pre-activation
}

func (n *net) workspace(batch int) *workspace {
	ws := &workspace{}
	for _, l := range n.layers {
		ws.a = append(ws.a, make([]float64, batch*l.out))
		ws.da = append(ws.da, make([]float64, batch*l.out))
	}
	return ws
}

// step computes the gradients of the mean loss over the examples rows
// into the layers, and returns that loss.
func (n *net) step(d *Data, rows []int, ws *workspace, act act, h head, l2 float64) float64 {
	bs := len(rows)
	last := len(n.layers) - 1
	// Forward.
	for li, l := range n.layers {
		a := ws.a[li][:bs*l.out]
		for r := 0; r < bs; r++ {
			z := a[r*l.out : (r+1)*l.out]
			copy(z, l.b)
			if li == 0 {
				idx, val := d.row(rows[r])
				for k, col := range idx {
					if col < 0 {
						continue
					}
					x := float64(val[k])
					w := l.w[int(col)*l.out : (int(col)+1)*l.out]
					for j := range z {
						z[j] += x * w[j]
					}
				}
			} else {
				prev := ws.a[li-1][r*l.in : (r+1)*l.in]
				for i, x := range prev {
					if x == 0 {
						continue
					}
					w := l.w[i*l.out : (i+1)*l.out]
					for j := range z {
						z[j] += x * w[j]
					}
				}
			}
			if li < last {
				for j := range z {
					z[j] = act.f(z[j])
				}
			}
		}
	}
	// The loss and its gradient in the head's logits (or outputs).
	var loss float64
	k := n.layers[last].out
	for r := range bs {
		z := ws.a[last][r*k : (r+1)*k]
		loss += h.loss(z, d.Labels[rows[r]], 1/float64(bs), ws.da[last][r*k:(r+1)*k])
	}
	// Backward.
	for li := last; li >= 0; li-- {
		l := n.layers[li]
		clear(l.gw)
		clear(l.gb)
		dz := ws.da[li][:bs*l.out]
		for r := 0; r < bs; r++ {
			g := dz[r*l.out : (r+1)*l.out]
			for j, v := range g {
				l.gb[j] += v
			}
			if li == 0 {
				idx, val := d.row(rows[r])
				for k, col := range idx {
					if col < 0 {
						continue
					}
					x := float64(val[k])
					gw := l.gw[int(col)*l.out : (int(col)+1)*l.out]
					for j, v := range g {
						gw[j] += x * v
					}
				}
				continue
			}
			prev := ws.a[li-1][r*l.in : (r+1)*l.in]
			dprev := ws.da[li-1][r*l.in : (r+1)*l.in]
			for i, x := range prev {
				w := l.w[i*l.out : (i+1)*l.out]
				gw := l.gw[i*l.out : (i+1)*l.out]
				var s float64
				for j, v := range g {
					gw[j] += x * v
					s += w[j] * v
				}
				dprev[i] = s * act.df(x)
			}
		}
		if l2 > 0 {
			for i, w := range l.w {
				l.gw[i] += 2 * l2 * w
			}
		}
	}
	return loss / float64(bs)
}

// adam is the optimiser's state (Kingma & Ba, as Keras implements it:
// the bias corrections folded into the step size).
type adam struct {
	t int
}

func newAdam(*net) *adam { return &adam{} }

func (o *adam) update(n *net, lr float64) {
	o.t++
	t := float64(o.t)
	alpha := lr * math.Sqrt(1-math.Pow(beta2, t)) / (1 - math.Pow(beta1, t))
	for _, l := range n.layers {
		adamStep(l.w, l.gw, l.mw, l.vw, alpha)
		adamStep(l.b, l.gb, l.mb, l.vb, alpha)
	}
}

func adamStep(w, g, m, v []float64, alpha float64) {
	for i, gi := range g {
		m[i] = beta1*m[i] + (1-beta1)*gi
		v[i] = beta2*v[i] + (1-beta2)*gi*gi
		w[i] -= alpha * m[i] / (math.Sqrt(v[i]) + epsilon)
	}
}

// export converts the network to the serving graph's float32 model.
func (n *net) export(inputs []tfgraph.ModelInput, hidden string, h head) *tfgraph.Model {
	m := &tfgraph.Model{Inputs: append([]tfgraph.ModelInput(nil), inputs...)}
	for i, l := range n.layers {
		a := hidden
		if i == len(n.layers)-1 {
			a = h.kind
		}
		m.Layers = append(m.Layers, tfgraph.Layer{In: l.in, Out: l.out, W: toFloat32(l.w), B: toFloat32(l.b), Activation: a})
	}
	return m
}

func toFloat32(xs []float64) []float32 {
	out := make([]float32, len(xs))
	for i, x := range xs {
		out[i] = float32(x)
	}
	return out
}
