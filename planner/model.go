package planner

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/lang"
	"github.com/tfxc/tfxc/stdlib"
)

// Model is the model block made plain: what the Trainer trains.
type Model struct {
	Family string // linear, logistic or dnn
	// Label is the label's column in the transformed examples, and
	// LabelKind "binary", "regression" or "multiclass", with Classes
	// classes.
	Label     string
	LabelKind string
	Classes   int `json:",omitempty"`
	// Inputs are the transform outputs the model reads, in order. A
	// category whose count is known only after analysis has Width 0: the
	// Trainer takes it from the training split.
	Inputs []tfgraph.ModelInput
	// Hidden are the units of the hidden layers (dnn only) and Activation
	// their activation.
	Hidden     []int  `json:",omitempty"`
	Activation string `json:",omitempty"`
	// Steps of mini-batch descent, or Epochs over the training split when
	// given instead.
	Steps, Epochs, Batch int
	LearningRate, L2     float64
	Seed                 int64
}

// Evaluate is the evaluate block: the metrics and the slicing specs, each
// a list of raw feature names (empty for the overall slice).
type Evaluate struct {
	Metrics []string
	Slices  [][]string
}

// Push is a push block: where a blessed model goes, in which formats, and
// the criteria that bless it.
type Push struct {
	Dest     string // absolute
	Formats  []string
	Criteria []Criterion
}

// Criterion is a push criterion: Metric on the slices of Slice (the
// overall slice when empty) compared by Op with Bound.
type Criterion struct {
	Text   string // as written, for reports
	Metric string
	Slice  []string `json:",omitempty"`
	Op     string   // >=, >, <= or <
	Bound  *Bound
}

// Bound is a criterion's bound: a number, a metric of the baseline on the
// same slice, or arithmetic on bounds.
type Bound struct {
	// Exactly one of Number, Baseline and Op is set.
	Number   *float64 `json:",omitempty"`
	Baseline string   `json:",omitempty"` // a metric of the baseline
	Op       string   `json:",omitempty"` // +, -, *, / (X Op Y) or "neg" (−X)
	X, Y     *Bound   `json:",omitempty"`
}

// Eval computes the bound; baseline returns the baseline's value of a
// metric on the slice at hand.
func (b *Bound) Eval(baseline func(metric string) float64) float64 {
	switch {
	case b.Number != nil:
		return *b.Number
	case b.Baseline != "":
		return baseline(b.Baseline)
	case b.Op == "neg":
		return -b.X.Eval(baseline)
	}
	x, y := b.X.Eval(baseline), b.Y.Eval(baseline)
	switch b.Op {
	case "+":
		return x + y
	case "-":
		return x - y
	case "*":
		return x * y
	}
	return x / y
}

// UsesBaseline reports whether the bound refers to the baseline.
func (b *Bound) UsesBaseline() bool {
	if b == nil {
		return false
	}
	return b.Baseline != "" || b.X.UsesBaseline() || b.Y.UsesBaseline()
}

// compileModel fills p.Model, p.Evaluate and p.Pushes from the program.
func (p *Plan) compileModel(prog *lang.Program, dir string) error {
	m := prog.Model
	if m == nil {
		return nil
	}
	if p.Transform == nil || prog.Label == nil {
		return fmt.Errorf("model %s: training needs a transform block and a label", m.Family)
	}
	pm := &Model{Family: m.Family, Label: prog.Label.Name}
	switch prog.Label.Kind {
	case lang.BinaryLabel:
		pm.LabelKind = "binary"
	case lang.RegressionLabel:
		pm.LabelKind = "regression"
	case lang.MulticlassLabel:
		pm.LabelKind, pm.Classes = "multiclass", int(prog.Label.Type.Card)
		if pm.Classes < 2 {
			return fmt.Errorf("model %s: the label %s is %s; a multiclass label needs a known number of classes, two or more", m.Family, prog.Label.Name, prog.Label.Type)
		}
	default:
		return fmt.Errorf("model %s: the label %s is %s, which no model learns", m.Family, prog.Label.Name, prog.Label.Type)
	}
	types := map[string]lang.Type{}
	for _, t := range prog.Transforms {
		types[t.Name] = t.Type
	}
	for _, name := range m.Inputs {
		in, err := modelInput(name, types)
		if err != nil {
			return fmt.Errorf("model %s: %w", m.Family, err)
		}
		pm.Inputs = append(pm.Inputs, in)
	}
	fam := stdlib.Catalog().Model(m.Family)
	if fam == nil {
		return fmt.Errorf("model %s: no such model family", m.Family)
	}
	train := settingDefaults(fam, "train")
	if named, ok := m.Settings["train"].(map[string]any); ok {
		for k, v := range named {
			train[k] = v
		}
		if _, epochs := named["epochs"]; epochs {
			delete(train, "steps")
		}
	}
	pm.Steps = intOf(train["steps"])
	pm.Epochs = intOf(train["epochs"])
	pm.Batch = intOf(train["batch"])
	pm.LearningRate = floatOf(train["learning_rate"])
	pm.Seed = int64(intOf(train["seed"]))
	if l2, ok := m.Settings["l2"].([]any); ok && len(l2) > 0 {
		pm.L2 = floatOf(l2[0])
	}
	if hidden, ok := m.Settings["hidden"].([]any); ok {
		for _, u := range hidden {
			pm.Hidden = append(pm.Hidden, intOf(u))
		}
	}
	if m.Family == "dnn" {
		pm.Activation = "relu"
		if a, ok := m.Settings["activation"].([]any); ok && len(a) > 0 {
			pm.Activation = fmt.Sprint(a[0])
		}
	}
	p.Model = pm

	if ev := prog.Evaluate; ev != nil {
		p.Evaluate = &Evaluate{Metrics: ev.Metrics, Slices: ev.Slices}
	}
	for _, push := range prog.Pushes {
		dest := push.Dest
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(dir, dest)
		}
		pp := Push{Dest: dest, Formats: push.Formats}
		for _, c := range push.Criteria {
			b, err := boundOf(c.Bound)
			if err != nil {
				return fmt.Errorf("push %s: %w", push.Dest, err)
			}
			pp.Criteria = append(pp.Criteria, Criterion{Text: lang.ExprString(c.Node), Metric: c.Metric, Slice: c.Slice, Op: c.Op, Bound: b})
		}
		p.Pushes = append(p.Pushes, pp)
	}
	return nil
}

// modelInput says how the model reads a transform output of type t.
func modelInput(name string, types map[string]lang.Type) (tfgraph.ModelInput, error) {
	t, ok := types[name]
	if !ok {
		return tfgraph.ModelInput{}, fmt.Errorf("input %s is neither a transform output nor a feature of the schema", name)
	}
	in := tfgraph.ModelInput{Output: name}
	switch {
	case t.Optional:
		return in, fmt.Errorf("input %s is %s: fill it first", name, t)
	case t.Kind == lang.Category:
		in.Kind, in.Width = tfgraph.OneHot, int(t.Card)
	case t.Kind == lang.Int || t.Kind == lang.Float || t.Kind == lang.Bool:
		in.Kind, in.Width = tfgraph.Numeric, 1
	case t.Kind == lang.Vector && (t.Elem == lang.Int || t.Elem == lang.Float) && t.Len > 0:
		in.Kind, in.Width = tfgraph.Vector, t.Len
	default:
		return in, fmt.Errorf("input %s is %s; a model reads numbers, categories and numeric vectors of a known length", name, t)
	}
	return in, nil
}

// settingDefaults returns the defaults of a setting's parameters.
func settingDefaults(fam *lang.ModelFamily, setting string) map[string]any {
	out := map[string]any{}
	for _, s := range fam.Settings {
		if s.Name != setting {
			continue
		}
		for _, p := range s.Params {
			if p.Default != nil {
				out[p.Name] = p.Default
			}
		}
	}
	return out
}

func intOf(v any) int {
	switch v := v.(type) {
	case int64:
		return int(v)
	case int:
		return v
	case float64:
		return int(v)
	}
	return 0
}

func floatOf(v any) float64 {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case int:
		return float64(v)
	case float64:
		return v
	}
	return 0
}

// boundOf converts a checked bound expression.
func boundOf(x lang.Expr) (*Bound, error) {
	switch x := x.(type) {
	case *lang.BasicLit:
		if x.Kind != lang.IntLit && x.Kind != lang.FloatLit {
			return nil, fmt.Errorf("bound %s is not a number", x.Raw)
		}
		f := floatOf(x.Value)
		return &Bound{Number: &f}, nil
	case *lang.ParenExpr:
		return boundOf(x.X)
	case *lang.UnaryExpr:
		inner, err := boundOf(x.X)
		if err != nil {
			return nil, err
		}
		return &Bound{Op: "neg", X: inner}, nil
	case *lang.SelectorExpr:
		return &Bound{Baseline: x.Sel.Name}, nil
	case *lang.BinaryExpr:
		if !strings.Contains("+-*/", x.Op) || len(x.Op) != 1 {
			break
		}
		l, err := boundOf(x.X)
		if err != nil {
			return nil, err
		}
		r, err := boundOf(x.Y)
		if err != nil {
			return nil, err
		}
		return &Bound{Op: x.Op, X: l, Y: r}, nil
	}
	return nil, fmt.Errorf("bound %s is not a number, a baseline metric or arithmetic on them", lang.ExprString(x))
}
