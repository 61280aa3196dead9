package validate

import (
	"fmt"
	"slices"
	"strconv"

	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/pb/tfmd"
)

// InferOptions configures InferSchema. The zero value gives TFDV's
// defaults.
type InferOptions struct {
	// MaxStringDomainSize is the largest number of distinct values for
	// which a string feature gets a string domain: 0 means TFDV's default
	// of 100, a negative value no string domain at all.
	MaxStringDomainSize int
	// NoShape turns off fixed-shape inference (TFDV's
	// infer_feature_shape=False): features then get a value_count.
	NoShape bool
}

// defaultMaxStringDomainSize is infer_schema's default
// max_string_domain_size (validation_api.py).
const defaultMaxStringDomainSize = 100

// InferSchema infers a schema from statistics as TFDV's infer_schema does
// (validation_api.py infer_schema, schema.cc Schema::Updater::CreateColumn,
// feature_util.cc InitPresenceAndShape): from the default slice, one
// feature per feature with statistics, in the statistics' order, with its
// type, presence, shape or value count, and a bool, int or string domain
// when the values suggest one.
func InferSchema(stats *tfmd.DatasetFeatureStatisticsList, opts InferOptions) (*tfmd.Schema, error) {
	ds, err := defaultDataset(stats)
	if err != nil {
		return nil, fmt.Errorf("infer schema: %w", err)
	}
	if opts.MaxStringDomainSize == 0 {
		opts.MaxStringDomainSize = defaultMaxStringDomainSize
	}
	// Composite features (sparse, weighted) carry no common statistics and
	// are dropped first (validation_api.py
	// _remove_features_missing_common_stats).
	kept := &tfmd.DatasetFeatureStatistics{Name: ds.Name, NumExamples: ds.NumExamples, WeightedNumExamples: ds.WeightedNumExamples}
	for _, f := range ds.GetFeatures() {
		if f.GetStats() != nil {
			kept.Features = append(kept.Features, f)
		}
	}
	view, err := newDatasetView(kept, weightedStatisticsExist(kept), "")
	if err != nil {
		return nil, fmt.Errorf("infer schema: %w", err)
	}
	schema := &tfmd.Schema{}
	inf := &inferrer{schema: schema, opts: opts}
	var walk func(fv *featureView)
	walk = func(fv *featureView) {
		inf.createColumnAt(fv)
		for _, c := range fv.children {
			walk(c)
		}
	}
	for _, fv := range view.roots() {
		walk(fv)
	}
	return schema, nil
}

// inferrer adds inferred features to a schema.
type inferrer struct {
	schema *tfmd.Schema
	opts   InferOptions
}

// createColumnAt adds the feature of fv to the schema, under its parent
// struct feature when it is nested (Schema::Updater::CreateColumn).
func (in *inferrer) createColumnAt(fv *featureView) {
	path := fv.path
	f := &tfmd.Feature{Name: proto.String(path[len(path)-1])}
	if len(path) == 1 {
		in.schema.Feature = append(in.schema.Feature, f)
	} else {
		parent := findFeature(in.schema, path[:len(path)-1])
		if parent == nil {
			return
		}
		sd := parent.GetStructDomain()
		if sd == nil {
			sd = &tfmd.StructDomain{}
			parent.DomainInfo = &tfmd.Feature_StructDomain{StructDomain: sd}
		}
		sd.Feature = append(sd.Feature, f)
	}
	f.Type = fv.featureType().Enum()
	initPresenceAndShape(fv, !in.opts.NoShape, f)
	switch {
	case fv.hasInvalidUTF8() || fv.fs.GetType() == tfmd.FeatureNameStatistics_BYTES:
		// Not to be interpreted further.
	case isBoolCandidate(fv):
		f.DomainInfo = &tfmd.Feature_BoolDomain{BoolDomain: boolDomainFromStats(fv)}
	case isIntCandidate(fv):
		f.DomainInfo = &tfmd.Feature_IntDomain{IntDomain: &tfmd.IntDomain{}}
	case isStringDomainCandidate(fv, in.opts.MaxStringDomainSize):
		d := in.newStringDomain(serializePath(path))
		updateStringDomain(fv, 0, d)
		f.DomainInfo = &tfmd.Feature_Domain{Domain: d.GetName()}
	}
}

// newStringDomain appends a top-level string domain named name, or name2,
// name3… if the name is taken (Schema::GetNewStringDomain).
func (in *inferrer) newStringDomain(name string) *tfmd.StringDomain {
	taken := map[string]bool{}
	for _, d := range in.schema.GetStringDomain() {
		taken[d.GetName()] = true
	}
	n := name
	for i := 2; taken[n]; i++ {
		n = name + strconv.Itoa(i)
	}
	d := &tfmd.StringDomain{Name: proto.String(n)}
	in.schema.StringDomain = append(in.schema.StringDomain, d)
	return d
}

// initPresenceAndShape sets presence, and a fixed shape or a value count
// (feature_util.cc InitPresenceAndShape, InitFixedShape, InitValueCount).
func initPresenceAndShape(fv *featureView, inferShape bool, f *tfmd.Feature) {
	numPresent := fv.numPresent()
	p := &tfmd.FeaturePresence{MinCount: proto.Int64(0)}
	f.PresenceConstraints = &tfmd.Feature_Presence{Presence: p}
	if numPresent >= 1 {
		p.MinCount = proto.Int64(1)
	}
	if numPresent <= 0 {
		return
	}
	if fv.numMissing() == 0 {
		p.MinFraction = proto.Float64(1)
	}
	if inferShape {
		initFixedShape(fv, f)
	}
	if f.GetShape() == nil {
		initValueCount(fv, f)
	}
}

// initFixedShape sets a shape when no nesting level has missing values and
// each level always has the same positive number of values.
func initFixedShape(fv *featureView, f *tfmd.Feature) {
	if fv.featureType() == tfmd.FeatureType_STRUCT {
		return
	}
	mm := fv.minMaxNumValues()
	missing := fv.numMissingNested()
	if len(mm) != len(missing) {
		return
	}
	shape := &tfmd.FixedShape{}
	for i := range missing {
		if missing[i] != 0 || mm[i].min != mm[i].max || mm[i].min <= 0 {
			return
		}
		shape.Dim = append(shape.Dim, &tfmd.FixedShape_Dim{Size: proto.Int64(mm[i].min)})
	}
	f.ShapeType = &tfmd.Feature_Shape{Shape: shape}
}

// initValueCount sets value_count (value_counts when nested): min = max =
// n when every example has n values, else only min = 1; nothing when
// some example has no values.
func initValueCount(fv *featureView, f *tfmd.Feature) {
	mm := fv.minMaxNumValues()
	count := func(m minMax) *tfmd.ValueCount {
		vc := &tfmd.ValueCount{}
		if m.min > 0 {
			if m.min == m.max {
				vc.Min, vc.Max = proto.Int64(m.min), proto.Int64(m.max)
			} else {
				vc.Min = proto.Int64(1)
			}
		}
		return vc
	}
	if fv.hasNestedValues() {
		l := &tfmd.ValueCountList{}
		for _, m := range mm {
			l.ValueCount = append(l.ValueCount, count(m))
		}
		f.ShapeType = &tfmd.Feature_ValueCounts{ValueCounts: l}
	} else if len(mm) == 1 && mm[0].min > 0 {
		f.ShapeType = &tfmd.Feature_ValueCount{ValueCount: count(mm[0])}
	}
}

// isBoolCandidate: an INT feature within [0, 1] reaching 1, or a STRING
// feature with one or two labels, at most one true token and one false
// token (bool_domain_util.cc IsBoolDomainCandidate).
func isBoolCandidate(fv *featureView) bool {
	switch fv.fs.GetType() {
	case tfmd.FeatureNameStatistics_INT:
		ns := fv.fs.GetNumStats()
		return ns.GetMin() >= 0 && ns.GetMax() == 1
	case tfmd.FeatureNameStatistics_STRING:
	default:
		return false
	}
	labels := fv.stringValues()
	if len(labels) == 0 || len(labels) > 2 {
		return false
	}
	trueSeen, falseSeen := false, false
	for _, l := range labels {
		switch {
		case !trueSeen && slices.Contains(boolTrueTokens, l):
			trueSeen = true
		case !falseSeen && slices.Contains(boolFalseTokens, l):
			falseSeen = true
		default:
			return false
		}
	}
	return true
}

// boolDomainFromStats names the true and false tokens seen
// (BoolDomainFromStats).
func boolDomainFromStats(fv *featureView) *tfmd.BoolDomain {
	d := &tfmd.BoolDomain{}
	if fv.fs.GetType() != tfmd.FeatureNameStatistics_STRING {
		return d
	}
	labels := fv.stringValues()
	for _, l := range labels {
		if slices.Contains(boolTrueTokens, l) {
			d.TrueValue = proto.String(l)
			break
		}
	}
	for _, l := range labels {
		if slices.Contains(boolFalseTokens, l) {
			d.FalseValue = proto.String(l)
			break
		}
	}
	return d
}

// isIntCandidate: a STRING feature whose labels all parse as int64
// (int_domain_util.cc IsIntDomainCandidate).
func isIntCandidate(fv *featureView) bool {
	if fv.fs.GetType() != tfmd.FeatureNameStatistics_STRING || fv.hasInvalidUTF8() {
		return false
	}
	_, _, notInt, ok := intInterval(fv)
	return ok && notInt == ""
}

// isStringDomainCandidate: between 1 and max distinct rank-histogram
// labels (string_domain_util.cc IsStringDomainCandidate).
func isStringDomainCandidate(fv *featureView, max int) bool {
	if fv.hasInvalidUTF8() {
		return false
	}
	n := len(fv.stringValues())
	return n > 0 && n <= max
}
