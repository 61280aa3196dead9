package validate

import "github.com/tfxc/tfxc/pb/tfmd"

// The functions below run one of validation's rules on one feature's
// statistics alone, as TFDV's unit-level functions do; they change the
// constraint they are given into its suggested fix, as TFDV does.

// soloView wraps one feature's statistics in a dataset of numExamples
// examples.
func soloView(f *tfmd.FeatureNameStatistics, numExamples uint64) *featureView {
	ds := &datasetView{ds: &tfmd.DatasetFeatureStatistics{NumExamples: numExamples, Features: []*tfmd.FeatureNameStatistics{f}}}
	fv := &featureView{fs: f, ds: ds, path: []string{f.GetName()}}
	if p := f.GetPath(); p != nil {
		fv.path = p.GetStep()
	}
	return fv
}

// UpdateIntDomain checks a feature's values against an int domain: values
// below min or above max (INT_TYPE_SMALL_INT, INT_TYPE_BIG_INT, the bounds
// widened to the values), strings that are not integers
// (INT_TYPE_NOT_INT_STRING). clear reports that the domain must be
// dropped (int_domain_util.cc UpdateIntDomain).
func UpdateIntDomain(f *tfmd.FeatureNameStatistics, d *tfmd.IntDomain) (reasons []Reason, clear bool) {
	return updateIntDomain(soloView(f, 0), d)
}

// UpdateFloatDomain checks a feature's values against a float domain,
// comparing float32 values: FLOAT_TYPE_SMALL_FLOAT, FLOAT_TYPE_BIG_FLOAT,
// FLOAT_TYPE_HAS_NAN and FLOAT_TYPE_HAS_INF when the domain forbids them,
// FLOAT_TYPE_STRING_NOT_FLOAT (float_domain_util.cc UpdateFloatDomain).
func UpdateFloatDomain(f *tfmd.FeatureNameStatistics, d *tfmd.FloatDomain) (reasons []Reason, clear bool) {
	return updateFloatDomain(soloView(f, 0), d)
}

// UpdateStringDomain checks a feature's rank histogram against a string
// domain, allowing a share maxOffDomain of values outside it, and appends
// the values it lacks (string_domain_util.cc UpdateStringDomain).
func UpdateStringDomain(f *tfmd.FeatureNameStatistics, maxOffDomain float64, d *tfmd.StringDomain) (reasons []Reason, clear bool) {
	return updateStringDomain(soloView(f, 0), maxOffDomain, d)
}

// UpdatePresence checks a feature present in num_non_missing of
// numExamples examples against min_count and min_fraction (inclusive
// bounds), lowering them to what was seen (feature_util.cc UpdatePresence).
func UpdatePresence(f *tfmd.FeatureNameStatistics, numExamples uint64, p *tfmd.FeaturePresence) []Reason {
	return updatePresence(soloView(f, numExamples), p)
}

// UpdateValueCount checks the number of values per example against a
// value_count or value_counts (feature_util.cc UpdateValueCount).
func UpdateValueCount(f *tfmd.FeatureNameStatistics, feature *tfmd.Feature) []Reason {
	return updateValueCount(soloView(f, 0), feature)
}
