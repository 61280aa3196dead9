package validate

import (
	"sort"

	"github.com/tfxc/tfxc/pb/tfmd"
)

// Describe renders anomalies as readable lines, one per anomalous feature
// sorted by name, then the dataset anomaly and the drift and skew
// measurements: "company: Unexpected string values: Examples contain
// values missing from the schema: Acme (~1%)." A nil or empty result has
// no lines.
func Describe(an *tfmd.Anomalies) []string {
	if an == nil {
		return nil
	}
	var out []string
	if an.GetDataMissing() {
		out = append(out, "the dataset has no examples")
	}
	keys := make([]string, 0, len(an.GetAnomalyInfo()))
	for k := range an.GetAnomalyInfo() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	line := func(who string, info *tfmd.AnomalyInfo) string {
		s := who + ": " + info.GetShortDescription()
		if d := trimSpace(info.GetDescription()); d != "" && d != info.GetShortDescription() {
			s += ": " + d
		}
		if info.GetSeverity() == tfmd.AnomalyInfo_WARNING {
			s += " (warning)"
		}
		return s
	}
	for _, k := range keys {
		out = append(out, line(k, an.GetAnomalyInfo()[k]))
	}
	if info := an.GetDatasetAnomalyInfo(); info != nil {
		out = append(out, line("dataset", info))
	}
	for _, d := range an.GetDriftSkewInfo() {
		who := serializePath(d.GetPath().GetStep())
		for _, m := range d.GetDriftMeasurements() {
			out = append(out, who+": drift "+measurement(m))
		}
		for _, m := range d.GetSkewMeasurements() {
			out = append(out, who+": skew "+measurement(m))
		}
	}
	return out
}

func measurement(m *tfmd.DriftSkewInfo_Measurement) string {
	s := m.GetType().String() + " " + sixDigits(m.GetValue()) + " (threshold " + sixDigits(m.GetThreshold())
	if m.GetValue() > m.GetThreshold() {
		return s + ", exceeded)"
	}
	return s + ")"
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\n') {
		s = s[:len(s)-1]
	}
	return s
}
