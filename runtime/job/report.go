package job

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tfxc/tfxc/runtime/metrics"
)

// Outcome is what the data stages of a run produced, read back from the
// run's folder once the job has ended.
type Outcome struct {
	RunDir    string
	Data      *DataSummary
	Transform *TransformTotals // nil without a transform
	// The model's stages, nil without them: the training, the metrics,
	// the blessing and what each push did.
	Training *Training
	Metrics  *metrics.Results
	Blessing *Blessing
	Pushes   []*Pushed
	// Reused names what this run took from an earlier one ("data" or
	// "model"), for the summary; the job does not know it by itself.
	Reused string
}

// ReadOutcome reads what the job wrote to the run's folder: data.json;
// transform.json when the plan has a transform; the training, metrics,
// blessing and push records when it has a model. A missing file means
// the job did not finish that stage.
func (j *Job) ReadOutcome(runDir string) (*Outcome, error) {
	o, err := j.readDataOutcome(runDir)
	if err != nil {
		return nil, err
	}
	if j.Plan.Model != nil {
		o.Training = &Training{}
		if err := readJSON(filepath.Join(runDir, "model", "training.json"), o.Training); err != nil {
			return nil, err
		}
	}
	if j.Plan.Stage("evaluate") != nil {
		if o.Metrics, err = ReadMetrics(filepath.Join(runDir, "evaluation", "metrics.json")); err != nil {
			return nil, err
		}
		o.Blessing = &Blessing{}
		if err := readJSON(filepath.Join(runDir, "evaluation", "blessing.json"), o.Blessing); err != nil {
			return nil, err
		}
		for i := range j.Plan.Pushes {
			p := &Pushed{}
			if err := readJSON(filepath.Join(runDir, "push", fmt.Sprintf("%d.json", i)), p); err != nil {
				return nil, err
			}
			o.Pushes = append(o.Pushes, p)
		}
	}
	return o, nil
}

// DataFailures lists the pipeline's rules the data of the run broke, as
// Failures does, once the data stages are done.
func (j *Job) DataFailures(runDir string) ([]string, error) {
	o, err := j.readDataOutcome(runDir)
	if err != nil {
		return nil, err
	}
	return j.Failures(o), nil
}

// readDataOutcome reads the outcome of the data stages.
func (j *Job) readDataOutcome(runDir string) (*Outcome, error) {
	o := &Outcome{RunDir: runDir, Data: &DataSummary{}}
	if err := readJSON(filepath.Join(runDir, "data.json"), o.Data); err != nil {
		return nil, err
	}
	if j.Template != nil {
		o.Transform = &TransformTotals{}
		if err := readJSON(filepath.Join(runDir, "transform.json"), o.Transform); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("the job did not write %s: %w", filepath.Base(path), err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	return nil
}

// quarantined counts the records quarantined by reason, while reading
// and by the transform.
func (o *Outcome) quarantined() map[string]int64 {
	out := map[string]int64{}
	for r, n := range o.Data.Bad {
		out[r] += n
	}
	if o.Transform != nil {
		for r, n := range o.Transform.Bad {
			out[r] += n
		}
	}
	return out
}

// Failures lists why the run fails by the pipeline's own rules: more bad
// records than examples.max_bad_rows allows (0 by default), and anomalies
// when on_anomaly is "fail" (the default). Empty when the run passes.
func (j *Job) Failures(o *Outcome) []string {
	var out []string
	var bad int64
	for _, n := range o.quarantined() {
		bad += n
	}
	if max := j.Plan.Examples.MaxBadRows; bad > max {
		out = append(out, fmt.Sprintf("%d records were quarantined, more than max_bad_rows %d allows (see %s)", bad, max, filepath.Join(o.RunDir, "quarantine")))
	}
	if j.Plan.Examples.OnAnomaly == "fail" {
		n := 0
		for _, a := range o.Data.Anomalies {
			n += len(a)
		}
		if n > 0 {
			out = append(out, fmt.Sprintf("the examples have %d anomalies and on_anomaly is fail (see %s)", n, filepath.Join(o.RunDir, "anomalies")))
		}
	}
	return out
}

// WriteSummary prints the end-of-run summary: rows per split, quarantined
// records, anomalies, artifacts and the wall time.
func (j *Job) WriteSummary(w io.Writer, o *Outcome, wall time.Duration) error {
	var b strings.Builder
	d := o.Data
	var total int64
	var parts []string
	for _, s := range j.Plan.Examples.Splits {
		total += d.Rows[s.Name]
		parts = append(parts, fmt.Sprintf("%s %d", s.Name, d.Rows[s.Name]))
	}
	fmt.Fprintf(&b, "examples   %d rows in %d shards: %s\n", total, d.Shards, strings.Join(parts, ", "))
	quarantined := o.quarantined()
	if len(quarantined) == 0 {
		b.WriteString("quarantine none\n")
	} else {
		var reasons []string
		for r, n := range quarantined {
			reasons = append(reasons, fmt.Sprintf("%s %d", r, n))
		}
		sort.Strings(reasons)
		fmt.Fprintf(&b, "quarantine %s  (%s)\n", strings.Join(reasons, ", "), filepath.Join(o.RunDir, "quarantine"))
	}
	for _, s := range j.Plan.Examples.Splits {
		as := d.Anomalies[s.Name]
		if len(as) == 0 {
			fmt.Fprintf(&b, "anomalies  %s: none\n", s.Name)
			continue
		}
		fmt.Fprintf(&b, "anomalies  %s: %d\n", s.Name, len(as))
		for _, a := range as {
			fmt.Fprintf(&b, "           %s\n", a)
		}
	}
	if o.Transform != nil {
		parts = parts[:0]
		for _, s := range j.Plan.Examples.Splits {
			parts = append(parts, fmt.Sprintf("%s %d", s.Name, o.Transform.Rows[s.Name]))
		}
		fmt.Fprintf(&b, "transform  %s examples written\n", strings.Join(parts, ", "))
	}
	switch o.Reused {
	case "data":
		b.WriteString("reused     the data stages of an earlier run that did the same work\n")
	case "model":
		b.WriteString("reused     the data stages and the model of an earlier run that did the same work\n")
	}
	if t := o.Training; t != nil {
		first, last := t.Loss[0], t.Loss[len(t.Loss)-1]
		fmt.Fprintf(&b, "training   %s on %d examples: %d steps, %.1f epochs, loss %.4f → %.4f, %.0f examples/s\n",
			t.Family, t.Examples, t.Steps, t.Epochs, first.Loss, last.Loss, t.ExamplesPerSecond)
	}
	if o.Metrics != nil {
		writeMetrics(&b, o.Metrics, o.RunDir)
	}
	if bl := o.Blessing; bl != nil {
		if bl.Blessed {
			b.WriteString("blessing   BLESSED\n")
		} else {
			b.WriteString("blessing   NOT BLESSED\n")
		}
		for _, r := range bl.Reasons {
			fmt.Fprintf(&b, "           %s\n", r)
		}
		for _, n := range bl.Notes {
			fmt.Fprintf(&b, "           note: %s\n", n)
		}
		if bl.Baseline != "" {
			fmt.Fprintf(&b, "           baseline: %s\n", bl.Baseline)
		}
	}
	for _, p := range o.Pushes {
		switch {
		case p.Pushed:
			fmt.Fprintf(&b, "push       %s\n", p.Version)
		case p.Version != "":
			fmt.Fprintf(&b, "push       nothing new: %s already serves this very model\n", p.Version)
		default:
			fmt.Fprintf(&b, "push       nothing pushed to %s: %s\n", p.Dest, p.Reason)
		}
	}
	fmt.Fprintf(&b, "artifacts  %s\n", o.RunDir)
	for _, a := range d.Artifacts {
		fmt.Fprintf(&b, "           %s\n", a)
	}
	if o.Transform != nil {
		for _, s := range j.Plan.Examples.Splits {
			fmt.Fprintf(&b, "           transformed/%s/\n", s.Name)
		}
	}
	if o.Training != nil {
		b.WriteString("           model/ (saved_model, tfjs, training.json)\n")
	}
	if o.Metrics != nil {
		b.WriteString("           evaluation/ (metrics.json, blessing.json)\n")
	}
	fmt.Fprintf(&b, "wall time  %s\n", wall.Round(time.Millisecond))
	_, err := io.WriteString(w, b.String())
	return err
}

// maxSliceRows is how many slices of each slicing spec the summary's
// metrics table shows: the largest, by example count.
const maxSliceRows = 8

// writeMetrics prints the metrics as a table, a slice per row, grouped by
// slicing spec in the order the slices first appear.
func writeMetrics(b *strings.Builder, res *metrics.Results, runDir string) {
	var names []string
	var specs []string
	groups := map[string][]metrics.SliceResult{}
	for _, s := range res.Slices {
		for _, m := range s.Metrics {
			if !slices.Contains(names, m.Key.String()) {
				names = append(names, m.Key.String())
			}
		}
		var cols []string
		for _, c := range s.Key {
			cols = append(cols, c.Column)
		}
		spec := strings.Join(cols, ", ")
		if _, ok := groups[spec]; !ok {
			specs = append(specs, spec)
		}
		groups[spec] = append(groups[spec], s)
	}
	b.WriteString("evaluation\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "           slice\t%s\t\n", strings.Join(names, "\t"))
	for _, spec := range specs {
		group := groups[spec]
		sort.SliceStable(group, func(a, b int) bool { return group[a].ExampleCount > group[b].ExampleCount })
		for i, s := range group {
			if i == maxSliceRows {
				fmt.Fprintf(tw, "           … %d more slices of %s\t%s\n", len(group)-i, spec, strings.Repeat("\t", len(names)))
				break
			}
			cells := make([]string, len(names))
			for k := range cells {
				cells[k] = "-"
			}
			for _, m := range s.Metrics {
				k := slices.Index(names, m.Key.String())
				cells[k] = strconv.FormatFloat(m.Value, 'g', 4, 64)
			}
			if s.Error != "" {
				cells[0] = s.Error
			}
			fmt.Fprintf(tw, "           %s\t%s\t\n", s.Key, strings.Join(cells, "\t"))
		}
	}
	tw.Flush()
	fmt.Fprintf(b, "           (every slice: %s)\n", filepath.Join(runDir, "evaluation", "metrics.json"))
}
