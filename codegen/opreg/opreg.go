// Package opreg validates a GraphDef against TensorFlow's op registry
// (tensorflow/core/ops/ops.pbtxt of the TensorFlow module, v2.18.0): every
// op exists, its attrs are complete, known and of the right kind and
// values, its inputs have the right arity and dtypes, and the graph has no
// dangling input and no cycle. TF.js ignores attrs and never checks edge
// dtypes, so a graph can run there and still be refused by TensorFlow
// Serving; this check catches that before anything is written.
package opreg

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/prototext"

	tfpb "github.com/tfxc/tfxc/pb/tf"
)

// Module is the TensorFlow module whose op registry is the reference.
const Module = "github.com/tensorflow/tensorflow@v2.18.0+incompatible"

// Registry is a loaded op registry.
type Registry struct {
	ops map[string]*tfpb.OpDef
}

// Load reads a text-format OpList (ops.pbtxt).
func Load(path string) (*Registry, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the op registry: %w", err)
	}
	var list tfpb.OpList
	if err := (prototext.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(src, &list); err != nil {
		return nil, fmt.Errorf("parsing the op registry %s: %w", path, err)
	}
	r := &Registry{ops: map[string]*tfpb.OpDef{}}
	for _, op := range list.GetOp() {
		r.ops[op.GetName()] = op
	}
	return r, nil
}

// Default loads ops.pbtxt from the Go module cache, downloading the module
// there if needed (it is not a dependency of any package: only its data is
// read).
func Default() (*Registry, error) {
	out, err := exec.Command("go", "mod", "download", "-json", Module).Output()
	if err != nil {
		return nil, fmt.Errorf("finding %s in the module cache (go mod download %s): %w", Module, Module, err)
	}
	const key = `"Dir": "`
	i := strings.Index(string(out), key)
	if i < 0 {
		return nil, fmt.Errorf("go mod download %s gave no folder", Module)
	}
	dir := string(out[i+len(key):])
	dir = dir[:strings.IndexByte(dir, '"')]
	return Load(filepath.Join(dir, "tensorflow", "core", "ops", "ops.pbtxt"))
}

// Op returns the definition of an op, or nil.
func (r *Registry) Op(name string) *tfpb.OpDef { return r.ops[name] }

// Validate returns every problem of g, joined, or nil.
func (r *Registry) Validate(g *tfpb.GraphDef) error {
	v := &validator{r: r, nodes: map[string]*tfpb.NodeDef{}, outputs: map[string][]tfpb.DataType{}}
	for _, n := range g.GetNode() {
		if _, dup := v.nodes[n.GetName()]; dup {
			v.errorf(n, "is defined twice")
			continue
		}
		v.nodes[n.GetName()] = n
	}
	for _, n := range g.GetNode() {
		v.signature(n)
	}
	for _, n := range g.GetNode() {
		v.inputs(n)
	}
	v.acyclic(g)
	return errors.Join(v.errs...)
}

type validator struct {
	r       *Registry
	nodes   map[string]*tfpb.NodeDef
	outputs map[string][]tfpb.DataType // the output dtypes of each valid node
	inArgs  map[string][]tfpb.DataType
	errs    []error
}

func (v *validator) errorf(n *tfpb.NodeDef, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("node %s (%s): %s", n.GetName(), n.GetOp(), fmt.Sprintf(format, args...)))
}

// attr returns a node's attr, or the op's default.
func attr(n *tfpb.NodeDef, def *tfpb.OpDef_AttrDef) *tfpb.AttrValue {
	if a, ok := n.GetAttr()[def.GetName()]; ok {
		return a
	}
	return def.GetDefaultValue()
}

// signature checks the attrs of n and computes the dtypes of its inputs
// and outputs.
func (v *validator) signature(n *tfpb.NodeDef) {
	op := v.r.Op(n.GetOp())
	if op == nil {
		v.errorf(n, "no such op in TensorFlow's registry")
		return
	}
	defs := map[string]*tfpb.OpDef_AttrDef{}
	ok := true
	for _, d := range op.GetAttr() {
		defs[d.GetName()] = d
		a := attr(n, d)
		if a == nil {
			v.errorf(n, "attr %s is required", d.GetName())
			ok = false
			continue
		}
		if err := checkAttr(d, a); err != nil {
			v.errorf(n, "attr %s: %v", d.GetName(), err)
			ok = false
		}
	}
	for name := range n.GetAttr() {
		if _, known := defs[name]; !known && !strings.HasPrefix(name, "_") {
			v.errorf(n, "unknown attr %s", name)
			ok = false
		}
	}
	if !ok {
		return
	}
	if v.inArgs == nil {
		v.inArgs = map[string][]tfpb.DataType{}
	}
	v.inArgs[n.GetName()] = expand(n, op.GetInputArg(), defs)
	v.outputs[n.GetName()] = expand(n, op.GetOutputArg(), defs)
}

// expand lists the dtypes of a node's arguments, one per tensor.
func expand(n *tfpb.NodeDef, args []*tfpb.OpDef_ArgDef, defs map[string]*tfpb.OpDef_AttrDef) []tfpb.DataType {
	var out []tfpb.DataType
	for _, a := range args {
		switch {
		case a.GetTypeListAttr() != "":
			out = append(out, attr(n, defs[a.GetTypeListAttr()]).GetList().GetType()...)
		default:
			t := a.GetType()
			if a.GetTypeAttr() != "" {
				t = attr(n, defs[a.GetTypeAttr()]).GetType()
			}
			count := 1
			if a.GetNumberAttr() != "" {
				count = int(attr(n, defs[a.GetNumberAttr()]).GetI())
			}
			for range count {
				out = append(out, t)
			}
		}
	}
	return out
}

// checkAttr checks an attr value against its definition: kind, allowed
// values and minimum.
func checkAttr(d *tfpb.OpDef_AttrDef, a *tfpb.AttrValue) error {
	kind := d.GetType()
	var got string
	switch x := a.GetValue().(type) {
	case *tfpb.AttrValue_Type:
		got = "type"
		if allowed := d.GetAllowedValues().GetList().GetType(); len(allowed) > 0 && !containsType(allowed, x.Type) {
			return fmt.Errorf("%s is not allowed (allowed: %v)", x.Type, allowed)
		}
	case *tfpb.AttrValue_I:
		got = "int"
		if d.GetHasMinimum() && x.I < d.GetMinimum() {
			return fmt.Errorf("%d is below the minimum %d", x.I, d.GetMinimum())
		}
	case *tfpb.AttrValue_F:
		got = "float"
	case *tfpb.AttrValue_B:
		got = "bool"
	case *tfpb.AttrValue_S:
		got = "string"
		if allowed := d.GetAllowedValues().GetList().GetS(); len(allowed) > 0 {
			found := false
			for _, s := range allowed {
				found = found || string(s) == string(x.S)
			}
			if !found {
				return fmt.Errorf("%q is not allowed", x.S)
			}
		}
	case *tfpb.AttrValue_Shape:
		got = "shape"
	case *tfpb.AttrValue_Tensor:
		got = "tensor"
	case *tfpb.AttrValue_Func:
		got = "func"
	case *tfpb.AttrValue_List:
		got = listKind(x.List)
		if strings.HasPrefix(kind, "list(") && got == "list(?)" {
			got = kind // an empty list fits any list kind
		}
		if d.GetHasMinimum() && int64(listLen(x.List)) < d.GetMinimum() {
			return fmt.Errorf("list of %d is shorter than the minimum %d", listLen(x.List), d.GetMinimum())
		}
	default:
		return errors.New("has no value")
	}
	if got != kind {
		return fmt.Errorf("is a %s, the op wants a %s", got, kind)
	}
	return nil
}

func containsType(ts []tfpb.DataType, t tfpb.DataType) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

func listKind(l *tfpb.AttrValue_ListValue) string {
	switch {
	case len(l.GetType()) > 0:
		return "list(type)"
	case len(l.GetI()) > 0:
		return "list(int)"
	case len(l.GetF()) > 0:
		return "list(float)"
	case len(l.GetS()) > 0:
		return "list(string)"
	case len(l.GetShape()) > 0:
		return "list(shape)"
	case len(l.GetB()) > 0:
		return "list(bool)"
	case len(l.GetTensor()) > 0:
		return "list(tensor)"
	}
	return "list(?)"
}

func listLen(l *tfpb.AttrValue_ListValue) int {
	return len(l.GetType()) + len(l.GetI()) + len(l.GetF()) + len(l.GetS()) + len(l.GetShape()) + len(l.GetB()) + len(l.GetTensor())
}

// inputs checks arity, edge dtypes and the order of control inputs.
func (v *validator) inputs(n *tfpb.NodeDef) {
	want, ok := v.inArgs[n.GetName()]
	var data []string
	control := false
	for _, in := range n.GetInput() {
		if name, isControl := strings.CutPrefix(in, "^"); isControl {
			control = true
			if v.nodes[name] == nil {
				v.errorf(n, "control input %s does not exist", name)
			}
			continue
		}
		if control {
			v.errorf(n, "data input %s follows a control input", in)
		}
		data = append(data, in)
	}
	if !ok {
		return // the op or its attrs are wrong: already reported
	}
	if len(data) != len(want) {
		v.errorf(n, "has %d inputs, the op takes %d", len(data), len(want))
		return
	}
	for i, in := range data {
		name, idx := in, 0
		if j := strings.LastIndexByte(in, ':'); j >= 0 {
			k, err := strconv.Atoi(in[j+1:])
			if err != nil {
				v.errorf(n, "input %s is malformed", in)
				continue
			}
			name, idx = in[:j], k
		}
		if v.nodes[name] == nil {
			v.errorf(n, "input %s does not exist", in)
			continue
		}
		outs, known := v.outputs[name]
		if !known {
			continue
		}
		if idx >= len(outs) {
			v.errorf(n, "input %s: %s has %d outputs", in, name, len(outs))
			continue
		}
		if outs[idx] != want[i] {
			v.errorf(n, "input %d (%s) is %s, the op wants %s", i, in, outs[idx], want[i])
		}
	}
}

// acyclic reports a cycle through data or control edges.
func (v *validator) acyclic(g *tfpb.GraphDef) {
	state := map[string]int{}
	var visit func(name string) bool
	visit = func(name string) bool {
		switch state[name] {
		case 1:
			return false
		case 2:
			return true
		}
		state[name] = 1
		n := v.nodes[name]
		for _, in := range n.GetInput() {
			in = strings.TrimPrefix(in, "^")
			if j := strings.LastIndexByte(in, ':'); j >= 0 {
				in = in[:j]
			}
			if v.nodes[in] != nil && !visit(in) {
				if state[name] != 3 {
					v.errorf(n, "is on a cycle")
				}
				state[name] = 3
				return false
			}
		}
		state[name] = 2
		return true
	}
	for _, n := range g.GetNode() {
		if state[n.GetName()] == 0 {
			visit(n.GetName())
		}
	}
}
