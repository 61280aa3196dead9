package tfgraph

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	tfpb "github.com/tfxc/tfxc/pb/tf"
)

// Results are the analyzers' results: by analyzer ID, the values of its
// named results, built with the functions below.
type Results map[string]map[string]any

// MeanVar gives a z_score's results from the mean and the biased variance.
// Where the variance is 0 the standard deviation is taken as 1, so the
// graph computes x - mean, as TFT's scale_to_z_score does (SEMANTICS.md 1.3).
func MeanVar(mean, variance float64) map[string]any {
	std := math.Sqrt(variance)
	if variance == 0 || math.IsNaN(std) {
		std = 1
	}
	return map[string]any{"mean": float32(mean), "std": float32(std)}
}

// MinMax gives scale_to_0_1's and scale_by_min_max's results. When min is
// not below max (one distinct value, or no data: +Inf and -Inf) the graph
// takes the sigmoid branch (SEMANTICS.md 1.4).
func MinMax(min, max float64) map[string]any {
	return map[string]any{"min": float32(min), "max": float32(max), "degenerate": !(min < max)}
}

// MeanVarEach gives an elementwise z_score's results, position by position.
func MeanVarEach(mean, variance []float64) map[string]any {
	m, s := make([]float32, len(mean)), make([]float32, len(mean))
	for i := range mean {
		r := MeanVar(mean[i], variance[i])
		m[i], s[i] = r["mean"].(float32), r["std"].(float32)
	}
	return map[string]any{"mean": m, "std": s}
}

// MinMaxEach gives an elementwise scaler's results, position by position.
func MinMaxEach(min, max []float64) map[string]any {
	lo, hi, deg := make([]float32, len(min)), make([]float32, len(min)), make([]bool, len(min))
	for i := range min {
		r := MinMax(min[i], max[i])
		lo[i], hi[i], deg[i] = r["min"].(float32), r["max"].(float32), r["degenerate"].(bool)
	}
	return map[string]any{"min": lo, "max": hi, "degenerate": deg}
}

// PCA gives pca's results: the mean of the inputs and the D×K matrix of
// principal components, one per column.
func PCA(mean []float64, matrix [][]float64) map[string]any {
	m := make([]float32, len(mean))
	for i, v := range mean {
		m[i] = float32(v)
	}
	w := make([][]float32, len(matrix))
	for i, row := range matrix {
		w[i] = make([]float32, len(row))
		for j, v := range row {
			w[i][j] = float32(v)
		}
	}
	return map[string]any{"mean": m, "matrix": w}
}

// Quantiles gives bucketize's results: the bucket boundaries.
func Quantiles(boundaries []float64) map[string]any {
	b := make([]float32, len(boundaries))
	for i, v := range boundaries {
		b[i] = float32(v)
	}
	return map[string]any{"boundaries": b}
}

// Vocabulary gives a vocabulary's results from its tokens in id order.
func Vocabulary(tokens []string) map[string]any {
	ids := make([]int64, len(tokens))
	for i := range ids {
		ids[i] = int64(i)
	}
	return map[string]any{"keys": tokens, "ids": ids, "size": int64(len(tokens))}
}

// TFIDF gives tfidf's results: the inverse document frequency of each id.
func TFIDF(idf []float64) map[string]any {
	v := make([]float32, len(idf))
	for i, x := range idf {
		v[i] = float32(x)
	}
	return map[string]any{"idf": v}
}

// Bind returns the template's graph with every analyzer result placeholder
// replaced by a constant holding its result: the frozen graph.
func Bind(t *Template, results Results) (*tfpb.GraphDef, error) {
	for _, a := range t.Analyzers {
		if _, ok := results[a.ID]; !ok {
			return nil, fmt.Errorf("no results for analyzer %s", a.ID)
		}
	}
	p, err := Partial(t, results)
	if err != nil {
		return nil, err
	}
	return p.Graph, nil
}

// Partial binds the results of the analyzers that results holds and
// returns the template of what remains: the graph with those results as
// constants and the other analyzers. An analyzer that reads another's
// results (tfidf reads the ids of a vocabulary) runs on the graph the
// other's results are bound in: see FirstPass.
func Partial(t *Template, results Results) (*Template, error) {
	consts := map[string]*tfpb.TensorProto{}
	var rest []*Analyzer
	for _, a := range t.Analyzers {
		r, ok := results[a.ID]
		if !ok {
			rest = append(rest, a)
			continue
		}
		for name, ph := range a.Results {
			v, ok := r[name]
			if !ok {
				return nil, fmt.Errorf("analyzer %s has no result %s", a.ID, name)
			}
			if name == "keys" && a.InputDT == tfpb.DataType_DT_INT64 {
				ints, err := parseInts(v)
				if err != nil {
					return nil, fmt.Errorf("analyzer %s: %w", a.ID, err)
				}
				v = ints
			}
			p, err := tensorOf(v)
			if err != nil {
				return nil, fmt.Errorf("analyzer %s result %s: %w", a.ID, name, err)
			}
			consts[ph] = p
		}
	}
	g := proto.Clone(t.Graph).(*tfpb.GraphDef)
	for i, n := range g.Node {
		p, ok := consts[n.GetName()]
		if !ok {
			continue
		}
		if want := n.GetAttr()["dtype"].GetType(); p.Dtype != want {
			return nil, fmt.Errorf("result %s is %s, the graph wants %s", n.GetName(), p.Dtype, want)
		}
		g.Node[i] = &tfpb.NodeDef{Name: n.GetName(), Op: "Const", Attr: constAttrs(p)}
		delete(consts, n.GetName())
	}
	if len(consts) > 0 {
		return nil, fmt.Errorf("%d results have no placeholder in the graph", len(consts))
	}
	p := *t
	p.Graph, p.Analyzers = g, rest
	return &p, nil
}

// resultsAndNodes returns the placeholders of t's analyzer results, and
// t's nodes by name.
func resultsAndNodes(t *Template) (map[string]bool, map[string]*tfpb.NodeDef) {
	results := map[string]bool{}
	for _, a := range t.Analyzers {
		for _, ph := range a.Results {
			results[ph] = true
		}
	}
	nodes := map[string]*tfpb.NodeDef{}
	for _, n := range t.Graph.GetNode() {
		nodes[n.GetName()] = n
	}
	return results, nodes
}

// BoundInitializers returns the template's initializers that read no
// analyzer result: the tables the analyzers' inputs can look up in. Before
// any pass that is none; after Partial, those of the bound analyzers.
func BoundInitializers(t *Template) []string {
	results, nodes := resultsAndNodes(t)
	var out []string
	for _, init := range t.Initializers {
		if !readsAny(nodes, nil, results, init) {
			out = append(out, init)
		}
	}
	return out
}

// FirstPass returns the template with only the analyzers that one pass
// over the data can run: those whose inputs need no other analyzer's
// results. It is t itself when every analyzer can; otherwise, once the
// first pass's results are known, Partial gives the template of the next.
func FirstPass(t *Template) *Template {
	results, nodes := resultsAndNodes(t)
	// A lookup reads its table, and so whatever fills the table: the
	// vocabulary's keys reach the ids through the initializer only.
	fills := map[string][]string{}
	for _, init := range t.Initializers {
		if n := nodes[init]; n != nil && len(n.GetInput()) > 0 {
			table := nodeName(n.GetInput()[0])
			fills[table] = append(fills[table], init)
		}
	}
	var ready []*Analyzer
	for _, a := range t.Analyzers {
		if !readsAny(nodes, fills, results, a.Input, a.FilledWhere, a.Fill, a.Weights, a.Lengths, a.VocabSize) {
			ready = append(ready, a)
		}
	}
	if len(ready) == len(t.Analyzers) {
		return t
	}
	p := *t
	p.Analyzers = ready
	return &p
}

// readsAny reports whether any of the tensors depends on one of the nodes
// named in placeholders; a node also depends on the nodes extra lists for
// it (a table on its initializers).
func readsAny(nodes map[string]*tfpb.NodeDef, extra map[string][]string, placeholders map[string]bool, tensors ...string) bool {
	seen := map[string]bool{}
	stack := []string{}
	for _, t := range tensors {
		if t != "" {
			stack = append(stack, t)
		}
	}
	for len(stack) > 0 {
		name := nodeName(stack[len(stack)-1])
		stack = stack[:len(stack)-1]
		if seen[name] {
			continue
		}
		seen[name] = true
		if placeholders[name] {
			return true
		}
		if n := nodes[name]; n != nil {
			stack = append(stack, n.GetInput()...)
		}
		stack = append(stack, extra[name]...)
	}
	return false
}

// nodeName is the node of an input: "^a" and "a:1" name node a.
func nodeName(input string) string {
	input = strings.TrimPrefix(input, "^")
	if i := strings.LastIndexByte(input, ':'); i >= 0 {
		return input[:i]
	}
	return input
}

// parseInts converts a vocabulary of an int feature, whose tokens are the
// decimal forms of the values (TFT vocabularies are of strings), to keys.
func parseInts(v any) ([]int64, error) {
	tokens, ok := v.([]string)
	if !ok {
		return nil, fmt.Errorf("vocabulary keys are %T, not strings", v)
	}
	out := make([]int64, len(tokens))
	for i, s := range tokens {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("vocabulary token %q of an int feature: %w", s, err)
		}
		out[i] = n
	}
	return out, nil
}

// Passes is the number of passes over the data t's analyzers need: 1,
// plus one per level of analyzers that read other analyzers' results.
func Passes(t *Template) (int, error) {
	n := 0
	for len(t.Analyzers) > 0 {
		first := FirstPass(t)
		if len(first.Analyzers) == 0 {
			return 0, fmt.Errorf("the transform's analyzers read each other's results")
		}
		ran := map[*Analyzer]bool{}
		for _, a := range first.Analyzers {
			ran[a] = true
		}
		rest := *t
		rest.Analyzers = nil
		for _, a := range t.Analyzers {
			if !ran[a] {
				rest.Analyzers = append(rest.Analyzers, a)
			}
		}
		t = &rest
		n++
	}
	return max(n, 1), nil
}
