// Package opreg checks a GraphDef against TensorFlow's op registry, the
// text-format OpList tensorflow/core/ops/ops.pbtxt of the Go module
// github.com/tensorflow/tensorflow@v2.18.0+incompatible (read from the Go
// module cache; the module is never a dependency of this one).
//
// TF.js ignores attributes it does not use and never checks edge dtypes, so a
// graph can run in TF.js and still be refused by TensorFlow. Validate applies
// the checks TensorFlow 2.18 applies when it imports a GraphDef
// (tensorflow/core/common_runtime/graph_constructor.cc, ValidateNodeDef in
// tensorflow/core/framework/node_def_util.cc, ValidateAttrValue in
// tensorflow/core/framework/op_def_util.cc), plus a few stricter ones that
// catch mistakes TensorFlow only logs (unknown attrs) or finds later, when
// a kernel is built (a Const whose value does not match its dtype).
package opreg

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"google.golang.org/protobuf/encoding/prototext"

	tfpb "github.com/tfxc/tfxc/pb/tf"
)

// The TensorFlow module whose op registry is the reference.
const (
	// Module is the module path of TensorFlow.
	Module = "github.com/tensorflow/tensorflow"
	// Version is the module version that holds TensorFlow 2.18.0.
	Version = "v2.18.0+incompatible"
	// OpsFile is the op registry's path inside the module.
	OpsFile = "tensorflow/core/ops/ops.pbtxt"
	// GraphDefVersion is TF_GRAPH_DEF_VERSION of TensorFlow 2.18
	// (tensorflow/core/public/version.h: 1994). A GraphDef whose
	// versions.min_consumer is above it is refused, and an op deprecated at a
	// GraphDef version at or below versions.producer is refused
	// (CheckOpDeprecation in op_def_util.cc).
	GraphDefVersion = 1994
)

// DownloadCommand is the command that puts the op registry into the module
// cache; error messages name it.
const DownloadCommand = "go mod download " + Module + "@" + Version

// PathEnv names an environment variable that, when set, gives the path of
// ops.pbtxt and bypasses the module cache.
const PathEnv = "TFXC_OPS_PBTXT"

// Registry is TensorFlow's op registry, loaded. It is safe for concurrent use.
type Registry struct {
	path string
	ops  map[string]*tfpb.OpDef
}

// Load reads a text-format OpList (ops.pbtxt).
func Load(path string) (*Registry, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("opreg: reading the op registry: %w", err)
	}
	var list tfpb.OpList
	if err := prototext.Unmarshal(src, &list); err != nil {
		return nil, fmt.Errorf("opreg: parsing the op registry %s: %w", path, err)
	}
	if len(list.GetOp()) == 0 {
		return nil, fmt.Errorf("opreg: %s holds no ops", path)
	}
	r := &Registry{path: path, ops: make(map[string]*tfpb.OpDef, len(list.GetOp()))}
	for _, op := range list.GetOp() {
		r.ops[op.GetName()] = op
	}
	return r, nil
}

var defaultRegistry = sync.OnceValues(loadDefault)

// Default returns the registry of TensorFlow 2.18, from $TFXC_OPS_PBTXT when
// that is set, else from the Go module cache (`go env GOMODCACHE`). When the
// module is not in the cache it runs `go mod download -json` for it, outside
// any module so that no go.mod or go.sum changes. The registry is loaded once
// per process. When it cannot be found the error says which command to run.
func Default() (*Registry, error) { return defaultRegistry() }

func loadDefault() (*Registry, error) {
	if p := os.Getenv(PathEnv); p != "" {
		return Load(p)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return nil, fmt.Errorf("opreg: the go command is not on PATH, so TensorFlow's op registry cannot be found in the module cache; install Go and run: %s (or set %s to an ops.pbtxt)", DownloadCommand, PathEnv)
	}
	out, err := exec.Command(goBin, "env", "GOMODCACHE").Output()
	if err != nil {
		return nil, fmt.Errorf("opreg: go env GOMODCACHE: %w", err)
	}
	if cache := strings.TrimSpace(string(out)); cache != "" {
		// The module path is all lower case, so its escaped form in the
		// cache (cmd/go/internal/module.EscapePath) is the path itself.
		p := filepath.Join(cache, filepath.FromSlash(Module+"@"+Version), filepath.FromSlash(OpsFile))
		if _, err := os.Stat(p); err == nil {
			return Load(p)
		}
	}
	dir, err := download(goBin)
	if err != nil {
		return nil, fmt.Errorf("opreg: TensorFlow's op registry is not in the Go module cache and downloading it failed (%v); run: %s", err, DownloadCommand)
	}
	return Load(filepath.Join(dir, filepath.FromSlash(OpsFile)))
}

// download runs `go mod download -json` in a temporary folder, outside any
// module, and returns the module's folder in the cache.
func download(goBin string) (string, error) {
	tmp, err := os.MkdirTemp("", "tfxc-opreg-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command(goBin, "mod", "download", "-json", Module+"@"+Version)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GO111MODULE=on")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil && runErr == nil {
		return "", fmt.Errorf("reading the output of go mod download: %w", err)
	}
	switch {
	case info.Error != "":
		return "", errors.New(info.Error)
	case runErr != nil:
		return "", fmt.Errorf("%w: %s", runErr, strings.TrimSpace(stderr.String()))
	case info.Dir == "":
		return "", errors.New("go mod download gave no folder")
	}
	return info.Dir, nil
}

// Path is the file the registry was read from.
func (r *Registry) Path() string { return r.path }

// Len is the number of ops in the registry.
func (r *Registry) Len() int { return len(r.ops) }

// Op returns the definition of the named op, or nil when there is none.
func (r *Registry) Op(name string) *tfpb.OpDef { return r.ops[name] }

// Ops returns the names of all ops, sorted.
func (r *Registry) Ops() []string {
	names := make([]string, 0, len(r.ops))
	for n := range r.ops {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// InputTypes returns the dtype of each data input of n, as its op wants it
// after substituting n's attrs (and the op's defaults): TensorFlow's
// InputTypesForNode. Ref inputs carry the _REF dtype.
func (r *Registry) InputTypes(n *tfpb.NodeDef) ([]tfpb.DataType, error) {
	return r.nodeTypes(n, true)
}

// OutputTypes returns the dtype of each output of n: TensorFlow's
// OutputTypesForNode.
func (r *Registry) OutputTypes(n *tfpb.NodeDef) ([]tfpb.DataType, error) {
	return r.nodeTypes(n, false)
}

func (r *Registry) nodeTypes(n *tfpb.NodeDef, inputs bool) ([]tfpb.DataType, error) {
	op := r.Op(n.GetOp())
	if op == nil {
		return nil, fmt.Errorf("opreg: node %q: no op %q in TensorFlow's registry", n.GetName(), n.GetOp())
	}
	attrs := map[string]*tfpb.AttrValue{}
	for _, d := range op.GetAttr() {
		v, ok := n.GetAttr()[d.GetName()]
		if !ok {
			v = d.GetDefaultValue()
		}
		if v == nil {
			return nil, fmt.Errorf("opreg: node %q (%s): missing attr %q", n.GetName(), n.GetOp(), d.GetName())
		}
		if msg := checkAttr(v, d); msg != "" {
			return nil, fmt.Errorf("opreg: node %q (%s): attr %q: %s", n.GetName(), n.GetOp(), d.GetName(), msg)
		}
		attrs[d.GetName()] = v
	}
	args := op.GetOutputArg()
	if inputs {
		args = op.GetInputArg()
	}
	types, countKnown := expandArgs(args, attrs)
	if !countKnown {
		return nil, fmt.Errorf("opreg: node %q (%s): cannot count its arguments", n.GetName(), n.GetOp())
	}
	for _, t := range types {
		if t == tfpb.DataType_DT_INVALID {
			return nil, fmt.Errorf("opreg: node %q (%s): cannot type its arguments", n.GetName(), n.GetOp())
		}
	}
	return types, nil
}

// expandArgs lists one dtype per tensor of args, substituting attrs
// (AddArgToSig in node_def_util.cc). A dtype that cannot be determined,
// because an attr is missing or invalid, is DT_INVALID; countKnown is false
// when the number of tensors cannot be determined.
func expandArgs(args []*tfpb.OpDef_ArgDef, attrs map[string]*tfpb.AttrValue) (types []tfpb.DataType, countKnown bool) {
	countKnown = true
	for _, a := range args {
		var ts []tfpb.DataType
		switch {
		case a.GetNumberAttr() != "":
			nv, ok := attrs[a.GetNumberAttr()]
			if !ok || nv.GetI() < 0 || nv.GetI() > 1<<31-1 {
				countKnown = false
				continue
			}
			t := a.GetType()
			if a.GetTypeAttr() != "" {
				t = attrType(attrs, a.GetTypeAttr())
			}
			for range nv.GetI() {
				ts = append(ts, t)
			}
		case a.GetTypeAttr() != "":
			ts = append(ts, attrType(attrs, a.GetTypeAttr()))
		case a.GetTypeListAttr() != "":
			lv, ok := attrs[a.GetTypeListAttr()]
			if !ok {
				countKnown = false
				continue
			}
			ts = append(ts, lv.GetList().GetType()...)
		default:
			ts = append(ts, a.GetType())
		}
		if a.GetIsRef() {
			for i, t := range ts {
				if t != tfpb.DataType_DT_INVALID {
					ts[i] = refType(t)
				}
			}
		}
		types = append(types, ts...)
	}
	return types, countKnown
}

func attrType(attrs map[string]*tfpb.AttrValue, name string) tfpb.DataType {
	if v, ok := attrs[name]; ok {
		return v.GetType()
	}
	return tfpb.DataType_DT_INVALID
}

// Ref dtypes are the base dtype plus 100 (types.proto; MakeRefType and
// BaseType in tensorflow/core/framework/types.h).
const refOffset = 100

func refType(t tfpb.DataType) tfpb.DataType {
	if t > refOffset {
		return t
	}
	return t + refOffset
}

func baseType(t tfpb.DataType) tfpb.DataType {
	if t > refOffset {
		return t - refOffset
	}
	return t
}

func isRef(t tfpb.DataType) bool { return t > refOffset }

// typesCompatible is TensorFlow's TypesCompatible (types.h): an input that
// wants dtype expected accepts expected itself or a ref of it.
func typesCompatible(expected, actual tfpb.DataType) bool {
	return expected == actual || expected == baseType(actual)
}

// validDataType reports whether t is a value of the DataType enum.
func validDataType(t tfpb.DataType) bool {
	return t.Descriptor().Values().ByNumber(t.Number()) != nil
}
