package train

import (
	"math"
	"math/rand/v2"
	"sync"

	"github.com/tfxc/tfxc/codegen/tfgraph"
)

// layer is a dense layer in training: x·W + B, W in×out row-major, with
// Adam's moments.
type layer struct {
	in, out int
	w, b    []float64
	mw, vw  []float64
	mb, vb  []float64
}

// net is a stack of dense layers; the first reads the sparse entries of
// Data, the last gives one value per example. A step's examples are split
// between a fixed number of workers, each with its own activations and
// gradients, summed in worker order: the result does not depend on how
// many cores run them.
type net struct {
	layers []*layer
	work   []*workspace
	t      int // Adam's step count
}

// workers is how many parts a mini-batch is split into.
const workers = 2

// newNet initialises the layers as Keras's Dense does by default: kernels
// Glorot-uniform (uniform in ±√(6/(fan_in+fan_out))), biases zero.
func newNet(width int, hidden []int, outputs int, rng *rand.Rand) *net {
	n := &net{}
	in := width
	for _, out := range append(append([]int(nil), hidden...), outputs) {
		l := &layer{in: in, out: out,
			w: make([]float64, in*out), b: make([]float64, out),
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

// workspace is one worker's activations and gradients, per layer,
// batch-major.
type workspace struct {
	a  [][]float64 // a[l]: the output of layer l (after its activation)
	da [][]float64 // gradient of the loss in a[l]'s pre-activation
	gw [][]float64 // gradient in each layer's kernel
	gb [][]float64 // and bias
	// touched lists the first layer's kernel rows with a gradient, and
	// mark flags them: the first layer's gradient is sparse.
	touched []int32
	mark    []bool
}

// prepare allocates the workers' workspaces for batches of up to batch
// examples.
func (n *net) prepare(batch int) {
	n.work = nil
	for range workers {
		ws := &workspace{mark: make([]bool, n.layers[0].in)}
		part := (batch + workers - 1) / workers
		for _, l := range n.layers {
			ws.a = append(ws.a, make([]float64, part*l.out))
			ws.da = append(ws.da, make([]float64, part*l.out))
			ws.gw = append(ws.gw, make([]float64, l.in*l.out))
			ws.gb = append(ws.gb, make([]float64, l.out))
		}
		n.work = append(n.work, ws)
	}
}

// step computes the gradients of the mean loss over the examples rows
// (without the L2 term) into n.work[0], and returns that loss.
func (n *net) step(d *Data, rows []int, act act, h head) float64 {
	bs := len(rows)
	losses := make([]float64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		part := rows[w*bs/workers : (w+1)*bs/workers]
		if len(part) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			losses[w] = n.work[w].pass(n, d, part, act, h, 1/float64(bs))
		}()
	}
	wg.Wait()
	// Sum the workers' gradients into the first, in worker order.
	total := n.work[0]
	for _, ws := range n.work[1:] {
		for li, l := range n.layers {
			if li == 0 {
				for _, row := range ws.touched {
					total.touch(row)
					dst := total.gw[0][int(row)*l.out : (int(row)+1)*l.out]
					for j, v := range ws.gw[0][int(row)*l.out : (int(row)+1)*l.out] {
						dst[j] += v
					}
				}
			} else {
				for i, v := range ws.gw[li] {
					total.gw[li][i] += v
				}
			}
			for i, v := range ws.gb[li] {
				total.gb[li][i] += v
			}
		}
	}
	var loss float64
	for _, l := range losses {
		loss += l
	}
	return loss / float64(bs)
}

// touch notes that row of the first layer's kernel has a gradient.
func (ws *workspace) touch(row int32) {
	if !ws.mark[row] {
		ws.mark[row] = true
		ws.touched = append(ws.touched, row)
	}
}

// clear zeroes the gradients for the next step.
func (ws *workspace) clear(n *net) {
	out := n.layers[0].out
	for _, row := range ws.touched {
		clear(ws.gw[0][int(row)*out : (int(row)+1)*out])
		ws.mark[row] = false
	}
	ws.touched = ws.touched[:0]
	for li := range n.layers {
		if li > 0 {
			clear(ws.gw[li])
		}
		clear(ws.gb[li])
	}
}

// pass runs the forward and backward passes over the examples rows,
// adding their gradients, each scaled by scale, to the workspace's; it
// returns the sum of their losses.
func (ws *workspace) pass(n *net, d *Data, rows []int, act act, h head, scale float64) float64 {
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
		loss += h.loss(z, d.Labels[rows[r]], scale, ws.da[last][r*k:(r+1)*k])
	}
	// Backward.
	for li := last; li >= 0; li-- {
		l := n.layers[li]
		gwl, gbl := ws.gw[li], ws.gb[li]
		dz := ws.da[li][:bs*l.out]
		for r := 0; r < bs; r++ {
			g := dz[r*l.out : (r+1)*l.out]
			for j, v := range g {
				gbl[j] += v
			}
			if li == 0 {
				idx, val := d.row(rows[r])
				for k, col := range idx {
					if col < 0 {
						continue
					}
					ws.touch(col)
					x := float64(val[k])
					gw := gwl[int(col)*l.out : (int(col)+1)*l.out]
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
				gw := gwl[i*l.out : (i+1)*l.out]
				var s float64
				for j, v := range g {
					gw[j] += x * v
					s += w[j] * v
				}
				dprev[i] = s * act.df(x)
			}
		}
	}
	return loss
}

// update applies one step of Adam (Kingma & Ba, as Keras implements it:
// the bias corrections folded into the step size) with the gradients in
// n.work[0] plus the L2 term, 2·l2·w on the kernels, then clears the
// gradients. The large kernels are split between the workers.
func (n *net) update(lr, l2 float64) {
	n.t++
	t := float64(n.t)
	alpha := lr * math.Sqrt(1-math.Pow(beta2, t)) / (1 - math.Pow(beta1, t))
	g := n.work[0]
	for li, l := range n.layers {
		if len(l.w) < 1<<14 {
			adamStep(l.w, g.gw[li], l.mw, l.vw, alpha, l2)
		} else {
			var wg sync.WaitGroup
			for w := range workers {
				lo, hi := w*len(l.w)/workers, (w+1)*len(l.w)/workers
				wg.Add(1)
				go func() {
					defer wg.Done()
					adamStep(l.w[lo:hi], g.gw[li][lo:hi], l.mw[lo:hi], l.vw[lo:hi], alpha, l2)
				}()
			}
			wg.Wait()
		}
		adamStep(l.b, g.gb[li], l.mb, l.vb, alpha, 0)
	}
	for _, ws := range n.work {
		ws.clear(n)
	}
}

// adamStep updates the weights w with gradients g, plus 2·l2·w.
func adamStep(w, g, m, v []float64, alpha, l2 float64) {
	for i, gi := range g {
		gi += 2 * l2 * w[i]
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
