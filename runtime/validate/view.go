package validate

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/tfxc/tfxc/pb/tfmd"
)

// defaultSliceName is the name TFDV gives the dataset of all examples
// (tensorflow_data_validation/constants.py DEFAULT_SLICE_KEY).
const defaultSliceName = "All Examples"

// defaultDataset picks the dataset that inference and validation read: the
// only one, or the default slice among several (validation_api.py
// _get_default_dataset_statistics).
func defaultDataset(list *tfmd.DatasetFeatureStatisticsList) (*tfmd.DatasetFeatureStatistics, error) {
	if list == nil {
		return nil, errors.New("no statistics")
	}
	ds := list.GetDatasets()
	if len(ds) == 1 {
		return ds[0], nil
	}
	for _, d := range ds {
		if d.GetName() == defaultSliceName {
			return d, nil
		}
	}
	if len(ds) == 0 {
		return nil, errors.New("the statistics hold no dataset")
	}
	return nil, fmt.Errorf("the statistics hold %d datasets and none is the default slice %q", len(ds), defaultSliceName)
}

// datasetView indexes one dataset's features by path, as TFDV's
// DatasetStatsView does (statistics_view.cc).
type datasetView struct {
	ds       *tfmd.DatasetFeatureStatistics
	byWeight bool
	env      string // "" when no environment is given
	features []*featureView
	byPath   map[string]*featureView
	// serving and previous are the control datasets of skew and drift
	// comparisons (nil when not given).
	serving, previous *datasetView
}

// featureView is one feature's statistics inside a datasetView.
type featureView struct {
	fs       *tfmd.FeatureNameStatistics
	path     []string
	parent   *featureView
	children []*featureView
	ds       *datasetView
}

// pathKey is the map key of a path.
func pathKey(path []string) string { return strings.Join(path, "\x00") }

// hasEmptyStats reports a feature entry without statistics, which TFDV
// ignores (statistics_view.cc HasEmptyStats).
func hasEmptyStats(f *tfmd.FeatureNameStatistics) bool {
	return f.GetStats() == nil && len(f.GetCustomStats()) == 0
}

// newDatasetView indexes ds. Features are named either all by name (a
// struct's children then by "parent.child") or all by path
// (DatasetStatsViewImpl's two initializers).
func newDatasetView(ds *tfmd.DatasetFeatureStatistics, byWeight bool, env string) (*datasetView, error) {
	v := &datasetView{ds: ds, byWeight: byWeight, env: env, byPath: map[string]*featureView{}}
	byName, byPathID := 0, 0
	for _, f := range ds.GetFeatures() {
		switch f.GetFieldId().(type) {
		case *tfmd.FeatureNameStatistics_Path:
			byPathID++
		default:
			byName++
		}
	}
	if byName > 0 && byPathID > 0 {
		return nil, fmt.Errorf("dataset %q names some features by name and others by path", ds.GetName())
	}
	if byPathID > 0 {
		for _, f := range ds.GetFeatures() {
			if hasEmptyStats(f) {
				continue
			}
			steps := f.GetPath().GetStep()
			if len(steps) == 0 {
				return nil, fmt.Errorf("dataset %q has a feature with an empty path", ds.GetName())
			}
			fv := &featureView{fs: f, path: steps, ds: v}
			if v.byPath[pathKey(steps)] != nil {
				return nil, fmt.Errorf("dataset %q has feature %s twice", ds.GetName(), serializePath(steps))
			}
			v.byPath[pathKey(steps)] = fv
			v.features = append(v.features, fv)
		}
		for _, fv := range v.features {
			if len(fv.path) > 1 {
				if p := v.byPath[pathKey(fv.path[:len(fv.path)-1])]; p != nil {
					fv.parent = p
					p.children = append(p.children, fv)
				}
			}
		}
		return v, nil
	}
	// By name: sorted names; a STRUCT feature is the parent of the names it
	// is a strict prefix of.
	type named struct {
		name string
		fv   *featureView
	}
	var all []named
	seen := map[string]bool{}
	for _, f := range ds.GetFeatures() {
		if hasEmptyStats(f) {
			continue
		}
		if seen[f.GetName()] {
			return nil, fmt.Errorf("dataset %q has feature %q twice", ds.GetName(), f.GetName())
		}
		seen[f.GetName()] = true
		fv := &featureView{fs: f, ds: v}
		v.features = append(v.features, fv)
		all = append(all, named{f.GetName(), fv})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	var ancestors []named
	for _, n := range all {
		for len(ancestors) > 0 {
			a := ancestors[len(ancestors)-1].name
			if len(a) < len(n.name) && strings.HasPrefix(n.name, a) {
				break
			}
			ancestors = ancestors[:len(ancestors)-1]
		}
		if len(ancestors) > 0 {
			p := ancestors[len(ancestors)-1]
			n.fv.parent = p.fv
			n.fv.path = append(append([]string(nil), p.fv.path...), n.name[min(len(p.name)+1, len(n.name)):])
			p.fv.children = append(p.fv.children, n.fv)
		} else {
			n.fv.path = []string{n.name}
		}
		v.byPath[pathKey(n.fv.path)] = n.fv
		if n.fv.fs.GetType() == tfmd.FeatureNameStatistics_STRUCT {
			ancestors = append(ancestors, n)
		}
	}
	return v, nil
}

// roots returns the features without a parent, in the dataset's order.
func (v *datasetView) roots() []*featureView {
	var out []*featureView
	for _, f := range v.features {
		if f.parent == nil {
			out = append(out, f)
		}
	}
	return out
}

// get returns the feature at path, or nil.
func (v *datasetView) get(path []string) *featureView {
	if v == nil {
		return nil
	}
	return v.byPath[pathKey(path)]
}

// numExamples is the (weighted) number of examples.
func (v *datasetView) numExamples() float64 {
	if v.byWeight {
		return v.ds.GetWeightedNumExamples()
	}
	return float64(v.ds.GetNumExamples())
}

// weightedStatisticsExist reports whether every feature carries weighted
// statistics, in which case TFDV validates by weight
// (DatasetStatsView::WeightedStatisticsExist).
func weightedStatisticsExist(ds *tfmd.DatasetFeatureStatistics) bool {
	if ds.GetWeightedNumExamples() == 0 {
		return false
	}
	for _, f := range ds.GetFeatures() {
		if hasEmptyStats(f) {
			continue
		}
		c := commonStats(f)
		if c.GetWeightedCommonStats() == nil || len(c.GetPresenceAndValencyStats()) != len(c.GetWeightedPresenceAndValencyStats()) {
			return false
		}
	}
	return true
}

// commonStats returns the common statistics of whichever kind of
// statistics f holds (an empty message when it holds none).
func commonStats(f *tfmd.FeatureNameStatistics) *tfmd.CommonStatistics {
	var c *tfmd.CommonStatistics
	switch s := f.GetStats().(type) {
	case *tfmd.FeatureNameStatistics_NumStats:
		c = s.NumStats.GetCommonStats()
	case *tfmd.FeatureNameStatistics_StringStats:
		c = s.StringStats.GetCommonStats()
	case *tfmd.FeatureNameStatistics_BytesStats:
		c = s.BytesStats.GetCommonStats()
	case *tfmd.FeatureNameStatistics_StructStats:
		c = s.StructStats.GetCommonStats()
	}
	if c == nil {
		c = &tfmd.CommonStatistics{}
	}
	return c
}

func (f *featureView) common() *tfmd.CommonStatistics { return commonStats(f.fs) }

func (f *featureView) numExamples() float64 { return f.ds.numExamples() }

// numPresent is the (weighted) number of examples holding the feature.
func (f *featureView) numPresent() float64 {
	if f.ds.byWeight {
		return f.common().GetWeightedCommonStats().GetNumNonMissing()
	}
	return float64(f.common().GetNumNonMissing())
}

// numMissing is the (weighted) number of examples without the feature.
func (f *featureView) numMissing() float64 {
	if f.ds.byWeight {
		return f.common().GetWeightedCommonStats().GetNumMissing()
	}
	return float64(f.common().GetNumMissing())
}

// numMissingNested returns the number of missing values at each nesting
// level (FeatureStatsView::GetNumMissingNested).
func (f *featureView) numMissingNested() []float64 {
	var out []float64
	c := f.common()
	if f.ds.byWeight {
		for _, p := range c.GetWeightedPresenceAndValencyStats() {
			out = append(out, p.GetNumMissing())
		}
	} else {
		for _, p := range c.GetPresenceAndValencyStats() {
			out = append(out, float64(p.GetNumMissing()))
		}
	}
	if len(out) == 0 {
		out = append(out, f.numMissing())
	}
	return out
}

// fractionPresent is numPresent/numExamples, exactly 1 when nothing is
// missing; ok is false without examples (GetFractionPresent).
func (f *featureView) fractionPresent() (float64, bool) {
	n := f.numExamples()
	if n <= 0 {
		return 0, false
	}
	if f.numMissing() == 0 {
		return 1, true
	}
	return f.numPresent() / n, true
}

// minMax is the least and greatest number of values per example at one
// nesting level.
type minMax struct{ min, max int64 }

// minMaxNumValues returns minMax per nesting level (GetMinMaxNumValues:
// negative minima read as 0).
func (f *featureView) minMaxNumValues() []minMax {
	c := f.common()
	var out []minMax
	for _, p := range c.GetPresenceAndValencyStats() {
		out = append(out, minMax{clampInt(p.GetMinNumValues()), clampInt(p.GetMaxNumValues())})
	}
	if len(out) == 0 {
		out = append(out, minMax{clampInt(c.GetMinNumValues()), clampInt(c.GetMaxNumValues())})
	}
	return out
}

// clampInt converts an unsigned count to int64, saturating.
func clampInt(u uint64) int64 {
	if u > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(u)
}

// hasNestedValues reports values nested more than one level deep.
func (f *featureView) hasNestedValues() bool {
	return len(f.common().GetPresenceAndValencyStats()) > 1
}

// stringCounts returns the rank histogram as label → count, and its labels
// in ascending byte order (GetStringValuesWithCounts reads a std::map; the
// first bucket of a repeated label wins).
func (f *featureView) stringCounts() (map[string]float64, []string) {
	ss := f.fs.GetStringStats()
	h := ss.GetRankHistogram()
	if f.ds.byWeight {
		h = ss.GetWeightedStringStats().GetRankHistogram()
	}
	counts := map[string]float64{}
	var labels []string
	for _, b := range h.GetBuckets() {
		if _, dup := counts[b.GetLabel()]; dup {
			continue
		}
		counts[b.GetLabel()] = b.GetSampleCount()
		labels = append(labels, b.GetLabel())
	}
	sort.Strings(labels)
	return counts, labels
}

// stringValues returns the rank histogram's labels in ascending order.
func (f *featureView) stringValues() []string {
	_, labels := f.stringCounts()
	return labels
}

// totalValueCount is the (weighted) number of values over all examples;
// without tot_num_values it is num_non_missing·avg_num_values
// (GetTotalValueCountInExamples).
func (f *featureView) totalValueCount() float64 {
	c := f.common()
	if f.ds.byWeight {
		return c.GetWeightedCommonStats().GetTotNumValues()
	}
	if c.GetTotNumValues() == 0 {
		return float64(c.GetNumNonMissing()) * float64(c.GetAvgNumValues())
	}
	return float64(c.GetTotNumValues())
}

// hasInvalidUTF8 reports strings that were not valid UTF-8.
func (f *featureView) hasInvalidUTF8() bool {
	return f.fs.GetStringStats().GetInvalidUtf8Count() > 0
}

// schemaType maps the statistics type to the schema type
// (FeatureStatsView::GetFeatureType): STRING and BYTES are BYTES.
func schemaType(t tfmd.FeatureNameStatistics_Type) tfmd.FeatureType {
	switch t {
	case tfmd.FeatureNameStatistics_BYTES, tfmd.FeatureNameStatistics_STRING:
		return tfmd.FeatureType_BYTES
	case tfmd.FeatureNameStatistics_INT:
		return tfmd.FeatureType_INT
	case tfmd.FeatureNameStatistics_FLOAT:
		return tfmd.FeatureType_FLOAT
	case tfmd.FeatureNameStatistics_STRUCT:
		return tfmd.FeatureType_STRUCT
	}
	return tfmd.FeatureType_TYPE_UNKNOWN
}

func (f *featureView) featureType() tfmd.FeatureType { return schemaType(f.fs.GetType()) }

// control returns the same feature in the serving (skew) or previous
// (drift) statistics, and whether that control dataset exists at all.
func (f *featureView) control(kind comparatorKind) (*featureView, bool) {
	var d *datasetView
	if kind == skew {
		d = f.ds.serving
	} else {
		d = f.ds.previous
	}
	if d == nil {
		return nil, false
	}
	return d.get(f.path), true
}
