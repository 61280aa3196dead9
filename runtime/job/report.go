package job

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Outcome is what the data stages of a run produced, read back from the
// run's folder once the job has ended.
type Outcome struct {
	RunDir    string
	Data      *DataSummary
	Transform *TransformTotals // nil without a transform
}

// ReadOutcome reads data.json and, when the plan has a transform,
// transform.json from the run's folder. A missing file means the job did
// not finish that stage.
func (j *Job) ReadOutcome(runDir string) (*Outcome, error) {
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
	fmt.Fprintf(&b, "artifacts  %s\n", o.RunDir)
	for _, a := range d.Artifacts {
		fmt.Fprintf(&b, "           %s\n", a)
	}
	if o.Transform != nil {
		for _, s := range j.Plan.Examples.Splits {
			fmt.Fprintf(&b, "           transformed/%s/\n", s.Name)
		}
	}
	fmt.Fprintf(&b, "wall time  %s\n", wall.Round(time.Millisecond))
	_, err := io.WriteString(w, b.String())
	return err
}
