package graph

import (
	"fmt"
	"strconv"
	"strings"

	tfpb "github.com/tfxc/tfxc/pb/tf"
)

// Executable is a compiled graph, ready to run batches. Constants and
// lookup tables are built once, by Compile; Run is safe to call from one
// goroutine at a time per Executable (tables are read-only after Compile,
// so concurrent Runs are safe too).
type Executable struct {
	nodes []*node
	index map[string]int
}

type node struct {
	def     *tfpb.NodeDef
	kernel  kernel
	inputs  []ref
	control []int
	static  []*Tensor // outputs computed once at Compile: Const, HashTableV2
}

// ref names an output of a node.
type ref struct{ node, output int }

// kernel computes a node's outputs from its inputs.
type kernel func(n *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error)

// Compile checks that every op of g is supported and that its inputs
// resolve, orders the nodes, builds the constants and tables, and runs the
// named initializer nodes (such as LookupTableImportV2) once.
func Compile(g *tfpb.GraphDef, initializers ...string) (*Executable, error) {
	e := &Executable{index: map[string]int{}}
	for _, def := range g.GetNode() {
		if _, dup := e.index[def.GetName()]; dup {
			return nil, fmt.Errorf("node %q is defined twice", def.GetName())
		}
		k, ok := kernels[def.GetOp()]
		if !ok {
			return nil, fmt.Errorf("node %q: op %s is not supported by the executor", def.GetName(), def.GetOp())
		}
		e.index[def.GetName()] = len(e.nodes)
		e.nodes = append(e.nodes, &node{def: def, kernel: k})
	}
	for _, n := range e.nodes {
		for _, in := range n.def.GetInput() {
			if name, ok := strings.CutPrefix(in, "^"); ok {
				i, found := e.index[name]
				if !found {
					return nil, fmt.Errorf("node %q: control input %q does not exist", n.def.GetName(), name)
				}
				n.control = append(n.control, i)
				continue
			}
			r, err := e.resolve(in)
			if err != nil {
				return nil, fmt.Errorf("node %q: %w", n.def.GetName(), err)
			}
			n.inputs = append(n.inputs, r)
		}
	}
	if err := e.checkAcyclic(); err != nil {
		return nil, err
	}
	for _, n := range e.nodes {
		switch n.def.GetOp() {
		case "Const", "HashTableV2":
			out, err := n.kernel(n.def, nil)
			if err != nil {
				return nil, fmt.Errorf("node %q (%s): %w", n.def.GetName(), n.def.GetOp(), err)
			}
			n.static = out
		}
	}
	if len(initializers) > 0 {
		if _, err := e.Run(nil, initializers...); err != nil {
			return nil, fmt.Errorf("initializing tables: %w", err)
		}
	}
	return e, nil
}

// resolve parses "name" or "name:k".
func (e *Executable) resolve(in string) (ref, error) {
	name, out := in, 0
	if i := strings.LastIndexByte(in, ':'); i >= 0 {
		k, err := strconv.Atoi(in[i+1:])
		if err != nil {
			return ref{}, fmt.Errorf("bad input %q", in)
		}
		name, out = in[:i], k
	}
	idx, ok := e.index[name]
	if !ok {
		return ref{}, fmt.Errorf("input %q does not exist", in)
	}
	return ref{idx, out}, nil
}

func (e *Executable) checkAcyclic() error {
	state := make([]uint8, len(e.nodes)) // 0 new, 1 on stack, 2 done
	var visit func(i int) error
	visit = func(i int) error {
		switch state[i] {
		case 1:
			return fmt.Errorf("the graph has a cycle through node %q", e.nodes[i].def.GetName())
		case 2:
			return nil
		}
		state[i] = 1
		n := e.nodes[i]
		for _, r := range n.inputs {
			if err := visit(r.node); err != nil {
				return err
			}
		}
		for _, c := range n.control {
			if err := visit(c); err != nil {
				return err
			}
		}
		state[i] = 2
		return nil
	}
	for i := range e.nodes {
		if err := visit(i); err != nil {
			return err
		}
	}
	return nil
}

// Run feeds tensors to placeholders by name and returns the fetched
// outputs ("name" or "name:k"), computing only the nodes they need.
func (e *Executable) Run(feeds map[string]*Tensor, fetches ...string) ([]*Tensor, error) {
	values := make(map[int][]*Tensor)
	var eval func(i int) ([]*Tensor, error)
	eval = func(i int) ([]*Tensor, error) {
		if v, ok := values[i]; ok {
			return v, nil
		}
		n := e.nodes[i]
		if n.static != nil {
			return n.static, nil
		}
		for _, c := range n.control {
			if _, err := eval(c); err != nil {
				return nil, err
			}
		}
		var out []*Tensor
		if n.def.GetOp() == "Placeholder" {
			t, ok := feeds[n.def.GetName()]
			if !ok {
				return nil, fmt.Errorf("placeholder %q is not fed", n.def.GetName())
			}
			if want := n.def.GetAttr()["dtype"].GetType(); t.DType != want {
				return nil, fmt.Errorf("placeholder %q: fed %s, wants %s", n.def.GetName(), t.DType, want)
			}
			out = []*Tensor{t}
		} else {
			in := make([]*Tensor, len(n.inputs))
			for j, r := range n.inputs {
				v, err := eval(r.node)
				if err != nil {
					return nil, err
				}
				if r.output >= len(v) {
					return nil, fmt.Errorf("node %q has no output %d", e.nodes[r.node].def.GetName(), r.output)
				}
				in[j] = v[r.output]
			}
			var err error
			out, err = n.kernel(n.def, in)
			if err != nil {
				return nil, fmt.Errorf("node %q (%s): %w", n.def.GetName(), n.def.GetOp(), err)
			}
		}
		values[i] = out
		return out, nil
	}
	result := make([]*Tensor, 0, len(fetches))
	for _, f := range fetches {
		r, err := e.resolve(f)
		if err != nil {
			return nil, err
		}
		v, err := eval(r.node)
		if err != nil {
			return nil, err
		}
		if r.output < len(v) {
			result = append(result, v[r.output])
		} else {
			result = append(result, nil) // an op with no outputs, run for its effect
		}
	}
	return result, nil
}
