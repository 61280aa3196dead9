package planner

import (
	"fmt"
	"io"
	"strings"

	"github.com/tfxc/tfxc/codegen/tfgraph"
)

// WriteText prints the plan for a reader: the source, the splits, the
// stages in order with what they read and write, and the analyzers of the
// one full pass.
func (p *Plan) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "pipeline %s  (%s)\n", p.Pipeline, p.File)
	fmt.Fprintf(&b, "examples %s %s\n", p.Examples.Format, strings.Join(p.Examples.Paths, ", "))
	var splits []string
	for _, s := range p.Examples.Splits {
		splits = append(splits, fmt.Sprintf("%s %d", s.Name, s.Weight))
	}
	fmt.Fprintf(&b, "  split %s; %d columns; max bad rows %d; on anomaly %s\n", strings.Join(splits, ", "), len(p.Columns), p.Examples.MaxBadRows, p.Examples.OnAnomaly)
	if p.InferSchema {
		b.WriteString("schema inferred from the statistics of " + p.AnalyzeSplit + "\n")
	} else {
		b.WriteString("schema given\n")
	}
	b.WriteString("\nstages\n")
	for _, s := range p.Stages {
		fmt.Fprintf(&b, "  %-20s %-16s %s", s.ID, s.Kind, s.Fingerprint)
		if len(s.Inputs) > 0 {
			fmt.Fprintf(&b, "  ← %s", strings.Join(s.Inputs, ", "))
		}
		b.WriteString("\n")
		for _, a := range s.Artifacts {
			fmt.Fprintf(&b, "  %20s → %s\n", "", a)
		}
		for _, a := range s.Optional {
			fmt.Fprintf(&b, "  %20s → %s (when any)\n", "", a)
		}
	}
	if t := p.Transform; t != nil {
		passes := "one full pass"
		if tmpl, err := t.Template(); err == nil {
			if n, err := tfgraph.Passes(tmpl); err == nil && n > 1 {
				passes = fmt.Sprintf("%d full passes", n)
			}
		}
		fmt.Fprintf(&b, "\n%s over %s: %d analyzers\n", passes, p.AnalyzeSplit, len(t.Analyzers))
		for _, a := range t.Analyzers {
			fmt.Fprintf(&b, "  %-28s %s\n", a.ID, a.Kind)
		}
		var outs []string
		for _, o := range t.Outputs {
			outs = append(outs, o.Name)
		}
		fmt.Fprintf(&b, "transform graph: %d bytes, %d inputs, outputs %s\n", len(t.Graph), len(t.Inputs), strings.Join(outs, ", "))
	}
	if m := p.Model; m != nil {
		writeModel(&b, m)
	}
	if ev := p.Evaluate; ev != nil {
		var slices []string
		for _, s := range ev.Slices {
			if len(s) == 0 {
				slices = append(slices, "all")
			} else {
				slices = append(slices, strings.Join(s, " × "))
			}
		}
		fmt.Fprintf(&b, "evaluate %s on the %s split; slices %s\n", strings.Join(ev.Metrics, ", "), p.evalSplit(), strings.Join(slices, "; "))
	}
	for _, push := range p.Pushes {
		fmt.Fprintf(&b, "push %s as %s when blessed:\n", push.Dest, strings.Join(push.Formats, ", "))
		for _, c := range push.Criteria {
			fmt.Fprintf(&b, "  %s\n", c.Text)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeModel describes the model and its training.
func writeModel(b *strings.Builder, m *Model) {
	width, later := 0, 0
	for _, in := range m.Inputs {
		width += in.Width
		if in.Width == 0 {
			later++
		}
	}
	head := map[string]string{"binary": "a sigmoid head (log loss)", "regression": "a linear head (squared error)",
		"multiclass": fmt.Sprintf("a softmax head of %d classes (cross-entropy)", m.Classes)}[m.LabelKind]
	fmt.Fprintf(b, "\nmodel %s of %s: %d inputs, %d columns", m.Family, m.Label, len(m.Inputs), width)
	if later > 0 {
		fmt.Fprintf(b, " and %d categories counted after analysis", later)
	}
	if len(m.Hidden) > 0 {
		var units []string
		for _, u := range m.Hidden {
			units = append(units, fmt.Sprint(u))
		}
		fmt.Fprintf(b, "; hidden %s (%s)", strings.Join(units, ", "), m.Activation)
	}
	fmt.Fprintf(b, "; %s\n", head)
	how := fmt.Sprintf("%d steps", m.Steps)
	if m.Epochs > 0 {
		how = fmt.Sprintf("%d epochs", m.Epochs)
	}
	fmt.Fprintf(b, "  train %s of batch %d, Adam at %g, l2 %g, seed %d\n", how, m.Batch, m.LearningRate, m.L2, m.Seed)
}

// WriteDOT prints the stage DAG in Graphviz's DOT language.
func (p *Plan) WriteDOT(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %q {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n", p.Pipeline)
	for _, s := range p.Stages {
		fmt.Fprintf(&b, "  %q [label=%q];\n", s.ID, s.ID+"\n"+string(s.Kind))
	}
	for _, s := range p.Stages {
		for _, in := range s.Inputs {
			fmt.Fprintf(&b, "  %q -> %q;\n", in, s.ID)
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}
