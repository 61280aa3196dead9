package conformance

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/tfxc/tfxc/codegen/opreg"
	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/codegen/tfjs"
	"github.com/tfxc/tfxc/frontend"
	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/runtime/graph"
	"github.com/tfxc/tfxc/runtime/transform"
	"github.com/tfxc/tfxc/tfjs/harness"
)

// runMapper runs a TFT mapper case through the whole compiler: the case
// becomes a small .tfxl pipeline, which is checked, lowered to a graph,
// analyzed over the case's analysis rows, bound, and executed by the Go
// executor over its transform rows. What the language cannot express yet
// (vector and variable-length features, weights, default_value) is skipped
// with the reason.
func runMapper(c *Case) Outcome {
	p, err := mapperPipeline(c)
	if err != nil {
		if u, ok := err.(unsupportedError); ok {
			return Skipped("%s", u.reason)
		}
		return Failed("%v", err)
	}
	got, err := p.run()
	if err != nil {
		return checkError(c, err)
	}
	want, _ := c.Expected["rows"].([]any)
	for i, r := range want {
		if l, isList := r.([]any); isList {
			// A list per row (ngrams, bag_of_words): the output's value.
			want[i] = map[string]any{p.output: l}
		}
	}
	if vals, ok := c.Expected["values"].([]any); ok {
		want = nil
		for _, v := range vals {
			want = append(want, map[string]any{p.output: v})
		}
	}
	for _, run := range []struct {
		who  string
		rows []any
	}{{"Go executor", got.goRows}, {"TF.js", got.tfjsRows}} {
		if run.rows == nil && run.who == "TF.js" {
			if tfjsRequired() {
				return Failed("TF.js did not run: %v", got.tfjsErr)
			}
			continue // outside CI without Node: the Go executor alone
		}
		if len(want) != len(run.rows) {
			return Failed("%s: %d rows, want %d", run.who, len(run.rows), len(want))
		}
		for i := range want {
			if err := compareValue(fmt.Sprintf("rows[%d]", i), want[i], run.rows[i], c.Tolerance); err != nil {
				return Failed("%s: %v", run.who, err)
			}
		}
	}
	return Passed()
}

// tfjsRequired reports whether TF.js must run: in CI, where .ci/run
// installs Node's packages.
func tfjsRequired() bool { return os.Getenv("CI") == "true" }

// mapperRows are a mapper case's outputs as the Go executor and TF.js
// computed them (tfjsRows is nil when TF.js could not run, tfjsErr says why).
type mapperRows struct {
	goRows, tfjsRows []any
	tfjsErr          error
}

// mapperCase is a mapper case turned into a pipeline.
type mapperCase struct {
	src           string
	input, output string
	list          bool // values are written [v]: shape [1]
	width         int  // the length of a vector feature (shape [n], n > 1); 0 otherwise
	varlen        bool // a variable-length feature: values and lengths
	tfidf         bool // the output is tfidf's dense vector, compared as TFT's index and tf_idf
	analyze, rows []map[string]any
}

func mapperPipeline(c *Case) (*mapperCase, error) {
	for _, p := range []string{"key", "elementwise_with_key"} {
		if v, ok := c.Params[p]; ok && v != nil {
			return nil, unsupported("parameter %s is not in the language yet", p)
		}
	}
	switch c.Op {
	case "scale_to_z_score", "scale_to_0_1", "scale_by_min_max", "bucketize", "compute_and_apply_vocabulary", "apply_buckets", "hash_strings":
	case "ngrams", "bag_of_words", "compute_and_apply_vocabulary+tfidf":
		return textPipeline(c)
	default:
		return nil, unsupported("op %s is not lowered yet", c.Op)
	}
	m := &mapperCase{input: paramString(c, "input", "x"), output: paramString(c, "output", "out")}
	typ := "float"
	specs, _ := c.Input["feature_spec"].(map[string]any)
	if spec, ok := specs[m.input].(map[string]any); ok {
		kind, _ := spec["kind"].(string)
		shape, _ := spec["shape"].([]any)
		switch {
		case kind == "varlen":
			m.list, m.varlen = true, true
		case kind != "fixed":
			return nil, unsupported("%s features are not lowered yet", kind)
		case len(shape) == 1 && fmt.Sprint(shape[0]) == "1":
			m.list = true
		case len(shape) == 1:
			n, err := toInt(shape[0])
			if err != nil || n < 2 {
				return nil, fmt.Errorf("feature_spec shape %v", shape)
			}
			m.list, m.width = true, int(n)
		case len(shape) != 0:
			return nil, unsupported("features of shape %v are not lowered yet", shape)
		}
		dt, _ := spec["dtype"].(string)
		switch {
		case strings.HasPrefix(dt, "int"):
			typ = "int"
		case dt == "string":
			typ = "string"
		}
		if m.width > 0 {
			typ = fmt.Sprintf("vector(%s, %d)", typ, m.width)
		}
		if m.varlen {
			typ = "list(" + typ + ")"
		}
	}
	elementwise := ""
	if e, ok := c.Params["elementwise"].(bool); ok && e {
		elementwise = ", elementwise: true"
	}
	var call, extra string // extra declares more features
	switch c.Op {
	case "scale_to_z_score":
		call = "z_score(" + m.input + elementwise + ")"
	case "scale_to_0_1":
		call = "scale_to_0_1(" + m.input + elementwise + ")"
	case "scale_by_min_max":
		call = fmt.Sprintf("scale_by_min_max(%s, output_min: %v, output_max: %v%s)", m.input,
			jsonOr(c.Params["output_min"], "0.0"), jsonOr(c.Params["output_max"], "1.0"), elementwise)
	case "bucketize":
		if e := c.Params["epsilon"]; e != nil {
			return nil, unsupported("bucketize's epsilon is not in the language yet")
		}
		call = fmt.Sprintf("bucketize(%s, %v)", m.input, c.Params["num_buckets"])
	case "compute_and_apply_vocabulary":
		if f, _ := c.Params["file_format"].(string); f != "" && f != "text" {
			return nil, unsupported("vocabulary file format %s", f)
		}
		opts := vocabOptions(c)
		if w, ok := c.Params["weights"].(string); ok {
			spec, _ := specs[w].(map[string]any)
			if kind, _ := spec["kind"].(string); kind != "fixed" || len(spec["shape"].([]any)) != 0 {
				return nil, unsupported("weights of feature_spec %v", spec)
			}
			opts += ", weights: " + w
			extra = fmt.Sprintf("\n    %s: float", w)
		}
		if d, ok := c.Params["default_value"]; ok && d != nil {
			opts += fmt.Sprintf(", default: %v", d)
		}
		call = "vocabulary(" + m.input + opts + ")"
	case "apply_buckets":
		b, _ := c.Params["bucket_boundaries"].([]any)
		if len(b) != 1 {
			return nil, unsupported("apply_buckets with %d rows of boundaries", len(b))
		}
		enc, _ := json.Marshal(b[0])
		call = fmt.Sprintf("apply_buckets(%s, %s)", m.input, enc)
	case "hash_strings":
		typ = "string"
		call = fmt.Sprintf("hash(%s, %v)", m.input, c.Params["hash_buckets"])
	default:
		return nil, unsupported("op %s is not lowered yet", c.Op)
	}
	m.src = fmt.Sprintf("pipeline vector\nschema infer\nexamples csv(\"unused.csv\")\nfeatures {\n    %s: %s%s\n}\ntransform {\n    %s = %s\n}\n",
		m.input, typ, extra, m.output, call)
	var err error
	if m.analyze, err = analysisRows(c); err != nil {
		return nil, err
	}
	m.rows = m.analyze
	if tr, ok := c.Input["transform_rows"]; ok {
		if m.rows, err = asRows("transform_rows", tr); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// vocabOptions writes a vocabulary's options from TFT's parameters.
func vocabOptions(c *Case) string {
	opts := ""
	for _, p := range []struct{ param, opt string }{{"top_k", "top_k"}, {"frequency_threshold", "frequency_threshold"}, {"num_oov_buckets", "oov"}} {
		if v, ok := c.Params[p.param]; ok && v != nil {
			opts += fmt.Sprintf(", %s: %v", p.opt, v)
		}
	}
	return opts
}

// textPipeline writes the pipeline of a text mapper case: the input is
// either strings, tokenized as params.tokenize says, or lists of tokens
// (input.tokens).
func textPipeline(c *Case) (*mapperCase, error) {
	m := &mapperCase{input: paramString(c, "input", "x"), output: paramString(c, "output", "out"), list: true}
	var tokens, typ string
	if rows, ok := c.Input["tokens"].([]any); ok {
		typ, tokens = "list(string)", m.input
		for _, r := range rows {
			m.analyze = append(m.analyze, map[string]any{m.input: r})
		}
	} else {
		typ = "string"
		how := paramString(c, "tokenize", "whitespace")
		var sep string
		switch {
		case strings.Contains(how, "character"):
			sep = ""
		case strings.Contains(how, "whitespace"):
			// tf.strings.split without a separator: runs of ASCII
			// whitespace separate tokens.
			sep = " \t\n\r\v\f"
		default:
			i := strings.IndexAny(how, "'\"")
			j := -1
			if i >= 0 {
				j = strings.IndexByte(how[i+1:], how[i])
			}
			if j < 0 {
				return nil, unsupported("tokenize %q", how)
			}
			sep = how[i+1 : i+1+j]
			if len(sep) > 1 {
				return nil, unsupported("tokenize at the string %q: tokenize splits at each of its characters", sep)
			}
		}
		var err error
		if m.analyze, err = analysisRows(c); err != nil {
			return nil, err
		}
		if m.input, err = featureName(c, m.analyze); err != nil {
			return nil, err
		}
		tokens = fmt.Sprintf("tokenize(%s, %s)", m.input, quote(sep))
	}
	var call string
	switch c.Op {
	case "ngrams", "bag_of_words":
		r, _ := c.Params["ngram_range"].([]any)
		if len(r) != 2 {
			return nil, fmt.Errorf("params.ngram_range %v", c.Params["ngram_range"])
		}
		sep, ok := c.Params["separator"].(string)
		if !ok {
			return nil, fmt.Errorf("params.separator %v", c.Params["separator"])
		}
		call = fmt.Sprintf("%s(%s, [%v, %v], sep: %s)", c.Op, tokens, r[0], r[1], quote(sep))
	default: // compute_and_apply_vocabulary+tfidf
		m.tfidf, m.list = true, false
		opts := ""
		if n, ok := c.Params["vocab_size"]; ok {
			if _, isNumber := n.(json.Number); isNumber {
				opts += fmt.Sprintf(", vocab_size: %v", n)
			}
		}
		if s, ok := c.Params["smooth"].(bool); ok && !s {
			opts += ", smooth: false"
		}
		call = fmt.Sprintf("tfidf(vocabulary(%s%s)%s)", tokens, vocabOptions(c), opts)
	}
	m.src = fmt.Sprintf("pipeline vector\nschema infer\nexamples csv(\"unused.csv\")\nfeatures {\n    %s: %s\n}\ntransform {\n    %s = %s\n}\n",
		m.input, typ, m.output, call)
	m.rows = m.analyze
	if tr, ok := c.Input["transform_rows"]; ok {
		var err error
		if m.rows, err = asRows("transform_rows", tr); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// quote writes a string literal of the language, whose escapes are Go's.
func quote(s string) string { return strconv.Quote(s) }

func jsonOr(v any, def string) string {
	if v == nil {
		return def
	}
	s := fmt.Sprint(v)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// run compiles and runs the pipeline in the Go executor and in TF.js,
// returning the output rows of each.
func (m *mapperCase) run() (*mapperRows, error) {
	prog, diags := frontend.Check("vector.tfxl", []byte(m.src), frontend.Options{})
	if diags.HasErrors() {
		return nil, fmt.Errorf("the case's pipeline does not check: %v\n%s", diags, m.src)
	}
	tmpl, err := tfgraph.Lower(prog)
	if err != nil {
		return nil, err
	}
	var batches []map[string]*graph.Tensor
	if len(m.analyze) > 0 {
		feeds, err := m.feeds(tmpl, m.analyze)
		if err != nil {
			return nil, err
		}
		batches = append(batches, feeds)
	}
	g, err := transform.Fit(tmpl, batches...)
	if err != nil {
		return nil, err
	}
	var out0 tfgraph.Output
	for _, o := range tmpl.Outputs {
		if o.Name == m.output {
			out0 = o
		}
	}
	fetches := []string{m.output}
	if out0.Lengths != "" {
		fetches = append(fetches, out0.Lengths)
	}
	strs := out0.DType == tfpb.DataType_DT_STRING
	if strs {
		// The TF.js harness returns numbers only: TF.js's strings are
		// compared through their fingerprints, which both compute with
		// StringToHashBucketFast (FarmHash Fingerprint64).
		g.Node = append(g.Node, fingerprintNode(m.output))
		fetches = append(fetches, m.output+fingerprintSuffix)
	}
	if err := validate(g); err != nil {
		return nil, err
	}
	exe, err := graph.Compile(g, tmpl.Initializers...)
	if err != nil {
		return nil, err
	}
	feeds, err := m.feeds(tmpl, m.rows)
	if err != nil {
		return nil, err
	}
	out, err := exe.Run(feeds, fetches...)
	if err != nil {
		return nil, err
	}
	t := out[0]
	integer := t.DType == tfpb.DataType_DT_INT64
	lengths := m.inputLengths(tmpl, feeds)
	if out0.Lengths != "" {
		lengths = out[1].I64
	}
	res := &mapperRows{}
	switch {
	case strs:
		res.goRows = m.rowsOf(t.Len(), false, func(i int) any { return t.Str[i] }, lengths)
	case m.tfidf:
		res.goRows = tfidfRows(t.Shape, t.Float64At)
	default:
		res.goRows = m.rowsOf(t.Len(), integer, func(i int) any { return t.Float64At(i) }, lengths)
	}
	h, err := harness.Find()
	if err != nil {
		res.tfjsErr = err
		return res, nil
	}
	dir, err := os.MkdirTemp("", "tfxc-vector-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	model := filepath.Join(dir, "model")
	if err := tfjs.Write(model, &tfjs.Model{Graph: g, Initializers: tmpl.Initializers, ConvertedBy: "tfxc conformance"}); err != nil {
		return nil, fmt.Errorf("writing the TF.js model: %w", err)
	}
	jsFetches := fetches
	if strs {
		jsFetches = fetches[1:] // the fingerprints, not the strings
	}
	js, err := h.Run(model, feeds, jsFetches)
	if err != nil {
		return nil, err
	}
	if out0.Lengths != "" {
		lengths = nil
		for _, v := range js[out0.Lengths].Values {
			lengths = append(lengths, int64(v))
		}
	}
	switch {
	case strs:
		got, want := js[m.output+fingerprintSuffix].Values, out[len(out)-1].I64
		if len(got) != len(want) {
			return nil, fmt.Errorf("TF.js gave %d strings, the Go executor %d", len(got), len(want))
		}
		for i := range got {
			if int64(got[i]) != want[i] {
				return nil, fmt.Errorf("TF.js's string %d differs from the Go executor's %q (fingerprints %d and %d)", i, t.Str[i], int64(got[i]), want[i])
			}
		}
		res.tfjsRows = m.rowsOf(t.Len(), false, func(i int) any { return t.Str[i] }, lengths)
	case m.tfidf:
		vals := js[m.output].Values
		res.tfjsRows = tfidfRows(js[m.output].Shape, func(i int) float64 { return vals[i] })
	default:
		vals := js[m.output].Values
		res.tfjsRows = m.rowsOf(len(vals), integer, func(i int) any { return vals[i] }, lengths)
	}
	return res, nil
}

// inputLengths returns the feeds' counts of values per example of the
// case's input, when it is a list.
func (m *mapperCase) inputLengths(tmpl *tfgraph.Template, feeds map[string]*graph.Tensor) []int64 {
	for _, in := range tmpl.Inputs {
		if in.Feature == m.input && in.Lengths != "" {
			return feeds[in.Lengths].I64
		}
	}
	return nil
}

const fingerprintSuffix = "__fingerprint"

// fingerprintNode hashes a string output into [0, 2^31-1), which TF.js's
// int32 holds.
func fingerprintNode(output string) *tfpb.NodeDef {
	return &tfpb.NodeDef{Name: output + fingerprintSuffix, Op: "StringToHashBucketFast", Input: []string{output},
		Attr: map[string]*tfpb.AttrValue{"num_buckets": {Value: &tfpb.AttrValue_I{I: 1<<31 - 1}}}}
}

// tfidfRows turns tfidf's dense [examples, ids] weights into TFT's two
// sparse outputs per row: the ids present, ascending, and their weights.
func tfidfRows(shape []int, at func(int) float64) []any {
	if len(shape) != 2 {
		return nil
	}
	rows := make([]any, shape[0])
	for r := range rows {
		index, weights := []any{}, []any{}
		for id := range shape[1] {
			if w := at(r*shape[1] + id); w != 0 {
				index, weights = append(index, int64(id)), append(weights, w)
			}
		}
		rows[r] = map[string]any{"index": index, "tf_idf": weights}
	}
	return rows
}

// rowsOf builds output rows from n values: width per row for a vector,
// lengths[r] for row r of a list.
func (m *mapperCase) rowsOf(n int, integer bool, at func(int) any, lengths []int64) []any {
	width := max(m.width, 1)
	count := n / width
	if lengths != nil {
		count = len(lengths)
	}
	rows := make([]any, count)
	next := 0
	for r := range rows {
		k := width
		if lengths != nil {
			k = int(lengths[r])
		}
		vals := []any{}
		for range k {
			if next >= n {
				break
			}
			v := at(next)
			if integer {
				v = int64(v.(float64))
			}
			vals = append(vals, v)
			next++
		}
		var v any
		if len(vals) > 0 {
			v = vals[0]
		}
		if m.list {
			v = vals
		}
		rows[r] = map[string]any{m.output: v}
	}
	return rows
}

// feeds builds the input tensors from the rows' values.
func (m *mapperCase) feeds(tmpl *tfgraph.Template, rows []map[string]any) (map[string]*graph.Tensor, error) {
	feeds := map[string]*graph.Tensor{}
	for _, in := range tmpl.Inputs {
		if in.Lengths != "" {
			values, lengths, err := listFeed(in, rows)
			if err != nil {
				return nil, err
			}
			feeds[in.Feature], feeds[in.Lengths] = values, lengths
			continue
		}
		shape, width := []int{len(rows)}, 1
		if m.width > 0 && in.Feature == m.input {
			shape, width = append(shape, m.width), m.width
		}
		t, err := graph.NewTensor(in.DType, shape)
		if err != nil {
			return nil, err
		}
		for i, r := range rows {
			v, ok := r[in.Feature]
			if !ok {
				return nil, unsupported("rows with a missing feature")
			}
			vals := []any{v}
			if l, isList := v.([]any); isList {
				vals = l
			}
			if len(vals) != width {
				return nil, fmt.Errorf("row %d has %d values, the feature_spec %d", i, len(vals), width)
			}
			for j, x := range vals {
				if err := setValue(t, i*width+j, x); err != nil {
					return nil, fmt.Errorf("row %d: %w", i, err)
				}
			}
		}
		feeds[in.Feature] = t
		if in.Present != "" {
			present := graph.Bools([]int{len(rows)}, make([]bool, len(rows)))
			for i := range present.Bool {
				present.Bool[i] = true
			}
			feeds[in.Present] = present
		}
	}
	return feeds, nil
}

// listFeed builds a list feature's values, one example's after the
// other's, and their numbers per example; an absent feature has none.
func listFeed(in tfgraph.Input, rows []map[string]any) (values, lengths *graph.Tensor, err error) {
	var flat []any
	lengths = graph.Int64s([]int{len(rows)}, make([]int64, len(rows)))
	for i, r := range rows {
		v, ok := r[in.Feature]
		if !ok {
			continue
		}
		l, isList := v.([]any)
		if !isList {
			l = []any{v}
		}
		flat = append(flat, l...)
		lengths.I64[i] = int64(len(l))
	}
	values, err = graph.NewTensor(in.DType, []int{len(flat)})
	if err != nil {
		return nil, nil, err
	}
	for i, v := range flat {
		if err := setValue(values, i, v); err != nil {
			return nil, nil, err
		}
	}
	return values, lengths, nil
}

func setValue(t *graph.Tensor, i int, v any) error {
	switch t.DType {
	case tfpb.DataType_DT_STRING:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%v is not a string", v)
		}
		t.Str[i] = s
	case tfpb.DataType_DT_INT64:
		n, err := toInt(v)
		if err != nil {
			return err
		}
		t.I64[i] = n
	default:
		f, err := toFloat(v)
		if err != nil {
			return err
		}
		t.F32[i] = float32(f)
	}
	return nil
}

var registry = sync.OnceValues(opreg.Default)

// validate checks a graph against TensorFlow's op registry. Without the
// registry (outside CI, before make test downloaded it) the check is left
// out; in CI it is required.
func validate(g *tfpb.GraphDef) error {
	r, err := registry()
	if err != nil {
		if os.Getenv("CI") == "true" {
			return err
		}
		return nil
	}
	if err := r.Validate(g); err != nil {
		return fmt.Errorf("the graph is not valid TensorFlow: %w", err)
	}
	return nil
}
