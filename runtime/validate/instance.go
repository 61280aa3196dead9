package validate

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/tfxc/tfxc/pb/tfmd"
	"github.com/tfxc/tfxc/runtime/batch"
)

// BatchStatistics computes, over the given rows of b (every row when rows
// is nil), the statistics that validation reads, as TFDV's basic and top-k
// generators define them (basic_stats_generator.py,
// top_k_uniques_stats_generator.py): per feature its common statistics,
// min, max, mean and NaN count of numbers, and the unique count and full
// rank histogram of strings. A feature missing from every selected row
// gets no entry, as a feature absent from a whole Arrow record batch has
// none in TFDV. It is meant for small sets of examples (validate_instance);
// whole datasets go through runtime/stats.
func BatchStatistics(b *batch.Batch, rows []int) (*tfmd.DatasetFeatureStatistics, error) {
	if err := b.Check(); err != nil {
		return nil, fmt.Errorf("batch statistics: %w", err)
	}
	if rows == nil {
		rows = make([]int, b.Rows())
		for i := range rows {
			rows[i] = i
		}
	}
	for _, r := range rows {
		if r < 0 || r >= b.Rows() {
			return nil, fmt.Errorf("batch statistics: row %d out of range [0, %d)", r, b.Rows())
		}
	}
	ds := &tfmd.DatasetFeatureStatistics{NumExamples: uint64(len(rows))}
	for _, c := range b.Columns {
		if fs := columnStatistics(c, rows); fs != nil {
			ds.Features = append(ds.Features, fs)
		}
	}
	return ds, nil
}

// columnStatistics returns one column's statistics over rows, or nil when
// every row misses it.
func columnStatistics(c *batch.Column, rows []int) *tfmd.FeatureNameStatistics {
	common := &tfmd.CommonStatistics{}
	first := true
	for _, r := range rows {
		if c.Missing[r] {
			continue
		}
		n := uint64(c.Len(r))
		common.NumNonMissing++
		common.TotNumValues += n
		if first || n < common.MinNumValues {
			common.MinNumValues = n
		}
		if first || n > common.MaxNumValues {
			common.MaxNumValues = n
		}
		first = false
	}
	if common.NumNonMissing == 0 {
		return nil
	}
	common.NumMissing = uint64(len(rows)) - common.NumNonMissing
	common.AvgNumValues = float32(float64(common.TotNumValues) / float64(common.NumNonMissing))
	fs := &tfmd.FeatureNameStatistics{FieldId: &tfmd.FeatureNameStatistics_Path{Path: &tfmd.Path{Step: []string{c.Name}}}}
	switch c.Kind {
	case batch.Int, batch.Float:
		fs.Type = tfmd.FeatureNameStatistics_INT
		if c.Kind == batch.Float {
			fs.Type = tfmd.FeatureNameStatistics_FLOAT
		}
		fs.Stats = &tfmd.FeatureNameStatistics_NumStats{NumStats: numericStatistics(c, rows, common)}
	case batch.Bytes:
		fs.Type = tfmd.FeatureNameStatistics_STRING
		fs.Stats = &tfmd.FeatureNameStatistics_StringStats{StringStats: stringStatistics(c, rows, common)}
	}
	return fs
}

// numericStatistics: min, max and mean over the values that are not NaN,
// zeros, and the NaN count in a one-bucket STANDARD histogram.
func numericStatistics(c *batch.Column, rows []int, common *tfmd.CommonStatistics) *tfmd.NumericStatistics {
	ns := &tfmd.NumericStatistics{CommonStats: common}
	var nan, n uint64
	sum := 0.0
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range rows {
		a, z := c.Values(r)
		for i := a; i < z; i++ {
			x := 0.0
			if c.Kind == batch.Int {
				x = float64(c.Ints[i])
			} else {
				x = float64(c.Floats[i])
			}
			if math.IsNaN(x) {
				nan++
				continue
			}
			if x == 0 {
				ns.NumZeros++
			}
			n++
			sum += x
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	if n > 0 {
		ns.Min, ns.Max, ns.Mean = lo, hi, sum/float64(n)
	}
	h := &tfmd.Histogram{NumNan: nan, Type: tfmd.Histogram_STANDARD}
	if n > 0 {
		h.Buckets = []*tfmd.Histogram_Bucket{{LowValue: lo, HighValue: hi, SampleCount: float64(n)}}
	}
	ns.Histograms = []*tfmd.Histogram{h}
	return ns
}

// stringStatistics: the number of distinct values, the average length and
// the rank histogram of every value by descending count (ties by
// descending value, as TFDV's top-k orders them).
func stringStatistics(c *batch.Column, rows []int, common *tfmd.CommonStatistics) *tfmd.StringStatistics {
	counts := map[string]float64{}
	total, length := 0, 0
	for _, r := range rows {
		a, z := c.Values(r)
		for _, s := range c.Strings[a:z] {
			counts[s]++
			total++
			length += len(s)
		}
	}
	labels := make([]string, 0, len(counts))
	for s := range counts {
		labels = append(labels, s)
	}
	sort.Slice(labels, func(i, j int) bool {
		if counts[labels[i]] != counts[labels[j]] {
			return counts[labels[i]] > counts[labels[j]]
		}
		return labels[i] > labels[j]
	})
	ss := &tfmd.StringStatistics{CommonStats: common, Unique: uint64(len(counts)), RankHistogram: &tfmd.RankHistogram{}}
	if total > 0 {
		ss.AvgLength = float32(float64(length) / float64(total))
	}
	for i, s := range labels {
		ss.RankHistogram.Buckets = append(ss.RankHistogram.Buckets, &tfmd.RankHistogram_Bucket{
			LowRank: uint64(i), HighRank: uint64(i), Label: s, SampleCount: counts[s]})
	}
	return ss
}

// globalOnly are the anomaly types that do not apply to single examples
// (validation_api.py _GLOBAL_ONLY_ANOMALY_TYPES).
var globalOnly = []tfmd.AnomalyInfo_Type{
	tfmd.AnomalyInfo_FEATURE_TYPE_LOW_FRACTION_PRESENT,
	tfmd.AnomalyInfo_FEATURE_TYPE_LOW_NUMBER_PRESENT,
	tfmd.AnomalyInfo_FEATURE_TYPE_NOT_PRESENT,
	tfmd.AnomalyInfo_SCHEMA_TRAINING_SERVING_SKEW,
	tfmd.AnomalyInfo_COMPARATOR_CONTROL_DATA_MISSING,
	tfmd.AnomalyInfo_COMPARATOR_TREATMENT_DATA_MISSING,
	tfmd.AnomalyInfo_COMPARATOR_L_INFTY_HIGH,
	tfmd.AnomalyInfo_COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH,
	tfmd.AnomalyInfo_COMPARATOR_LOW_NUM_EXAMPLES,
	tfmd.AnomalyInfo_COMPARATOR_HIGH_NUM_EXAMPLES,
	tfmd.AnomalyInfo_NO_DATA_IN_SPAN,
	tfmd.AnomalyInfo_DATASET_LOW_NUM_EXAMPLES,
	tfmd.AnomalyInfo_DATASET_HIGH_NUM_EXAMPLES,
}

// ValidateInstance validates the given rows of b (every row when rows is
// nil) against the schema, as TFDV's validate_instance does: statistics of
// those examples alone are validated, then the anomaly types that only
// make sense for a dataset are removed, and a feature's descriptions are
// rebuilt from the reasons kept (anomalies_util.remove_anomaly_types).
func ValidateInstance(b *batch.Batch, rows []int, schema *tfmd.Schema, env string) (*tfmd.Anomalies, error) {
	ds, err := BatchStatistics(b, rows)
	if err != nil {
		return nil, fmt.Errorf("validate instance: %w", err)
	}
	an, err := ValidateStatistics(&tfmd.DatasetFeatureStatisticsList{Datasets: []*tfmd.DatasetFeatureStatistics{ds}}, schema, Options{Environment: env})
	if err != nil {
		return nil, fmt.Errorf("validate instance: %w", err)
	}
	for key, info := range an.GetAnomalyInfo() {
		var kept []*tfmd.AnomalyInfo_Reason
		for _, r := range info.GetReason() {
			if !slices.Contains(globalOnly, r.GetType()) {
				kept = append(kept, r)
			}
		}
		info.DiffRegions = nil
		if len(kept) == 0 {
			delete(an.AnomalyInfo, key)
			continue
		}
		info.Reason = kept
		allNew := true
		for _, r := range kept {
			if r.GetType() != tfmd.AnomalyInfo_SCHEMA_NEW_COLUMN {
				allNew = false
			}
		}
		if len(kept) == 1 || allNew {
			info.Description, info.ShortDescription = kept[0].Description, kept[0].ShortDescription
			continue
		}
		long := ""
		for i, r := range kept {
			if i > 0 {
				long += " "
			}
			long += r.GetDescription()
		}
		info.Description = &long
		short := "Multiple errors"
		info.ShortDescription = &short
	}
	return an, nil
}

// AnomalousExample is one example found anomalous, under one reason.
type AnomalousExample struct {
	// Key is "<feature>_<anomaly type>", as TFDV's
	// identify_anomalous_examples slices them.
	Key string
	// Row is the example's row in the batch.
	Row int
}

// IdentifyAnomalousExamples validates every row of b on its own
// (ValidateInstance) and returns one entry per reason of each anomalous
// row, rows in order and keys sorted within a row (validation_api.py
// IdentifyAnomalousExamples, anomalies_util.get_anomalies_slicer).
func IdentifyAnomalousExamples(b *batch.Batch, schema *tfmd.Schema, env string) ([]AnomalousExample, error) {
	var out []AnomalousExample
	for r := 0; r < b.Rows(); r++ {
		an, err := ValidateInstance(b, []int{r}, schema, env)
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", r, err)
		}
		var keys []string
		for feature, info := range an.GetAnomalyInfo() {
			for _, reason := range info.GetReason() {
				keys = append(keys, feature+"_"+reason.GetType().String())
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, AnomalousExample{Key: k, Row: r})
		}
	}
	return out, nil
}
