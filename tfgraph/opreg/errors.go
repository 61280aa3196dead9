package opreg

import "fmt"

// Kind classifies a problem Validate finds.
type Kind int

// The kinds of problem, in the order Validate looks for them.
const (
	// DuplicateNode: two nodes have the same name.
	DuplicateNode Kind = iota + 1
	// BadNodeName: a name TensorFlow's importer refuses (IsValidNodeName in
	// graph_constructor.cc).
	BadNodeName
	// BadVersions: versions that TensorFlow 2.18 cannot consume.
	BadVersions
	// UnknownOp: the op is not in the registry.
	UnknownOp
	// DeprecatedOp: the op was removed at or before the graph's producer
	// version.
	DeprecatedOp
	// MissingAttr: an attr without a default value is not set.
	MissingAttr
	// UnknownAttr: the node sets an attr its op does not have.
	UnknownAttr
	// AttrKind: an attr holds the wrong kind of value (an int for a type...).
	AttrKind
	// AttrValue: an attr value outside allowed_values, below the minimum,
	// or an invalid or ref dtype.
	AttrValue
	// BadInput: a malformed input, or a data input after a control input.
	BadInput
	// DanglingInput: an input names a node that does not exist, or an
	// output the node does not have.
	DanglingInput
	// Arity: the number of data inputs differs from what the op takes.
	Arity
	// EdgeDType: an edge carries a dtype other than the one the input wants.
	EdgeDType
	// BadConst: a Const whose value is not a valid tensor of its dtype.
	BadConst
	// Cycle: nodes that depend on each other through data or control edges.
	Cycle
)

var kindNames = map[Kind]string{
	DuplicateNode: "duplicate node",
	BadNodeName:   "bad node name",
	BadVersions:   "bad versions",
	UnknownOp:     "unknown op",
	DeprecatedOp:  "deprecated op",
	MissingAttr:   "missing attr",
	UnknownAttr:   "unknown attr",
	AttrKind:      "attr kind",
	AttrValue:     "attr value",
	BadInput:      "bad input",
	DanglingInput: "dangling input",
	Arity:         "wrong arity",
	EdgeDType:     "dtype mismatch",
	BadConst:      "bad const",
	Cycle:         "cycle",
}

// String names the kind, e.g. "dtype mismatch".
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is one problem of a graph, located at a node. Validate joins them
// with errors.Join; errors.As finds the first, and the joined error's
// Unwrap() []error lists them all.
type Error struct {
	Node string // the node's name; empty for a problem of the whole graph
	Op   string // the node's op
	Kind Kind
	Msg  string // what is wrong, naming the attr, input or edge
}

// Error formats the problem as `node "name" (Op): kind: message`.
func (e *Error) Error() string {
	if e.Node == "" && e.Op == "" {
		return fmt.Sprintf("graph: %s: %s", e.Kind, e.Msg)
	}
	return fmt.Sprintf("node %q (%s): %s: %s", e.Node, e.Op, e.Kind, e.Msg)
}
