package validate

import (
	"fmt"
	"math"
	"slices"

	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/pb/tfmd"
)

// Reason is one thing found wrong with a feature: TFDV's Description, which
// becomes an AnomalyInfo.Reason.
type Reason struct {
	Type tfmd.AnomalyInfo_Type
	// Short is the short description ("Column dropped"), Long the full one.
	Short, Long string
}

func reason(t tfmd.AnomalyInfo_Type, short, long string) Reason {
	return Reason{Type: t, Short: short, Long: long}
}

// Short descriptions shared by several rules (feature_util.cc,
// int_domain_util.cc, float_domain_util.cc).
const (
	shortDropped       = "Column dropped"
	shortMissingValues = "Missing values"
	shortSuperfluous   = "Superfluous values"
	shortNestedness    = "Mismatched value nest level"
	shortOutOfRange    = "Out-of-range values"
	shortInvalidValues = "Invalid values"
	shortNonBoolean    = "Non-boolean values"
)

// lifecycleDeprecated reports the lifecycle stages TFDV treats as
// deprecated (feature_util.cc LifecycleStageIsDeprecated).
func lifecycleDeprecated(s tfmd.LifecycleStage) bool {
	switch s {
	case tfmd.LifecycleStage_PLANNED, tfmd.LifecycleStage_ALPHA, tfmd.LifecycleStage_DEPRECATED,
		tfmd.LifecycleStage_DEBUG_ONLY, tfmd.LifecycleStage_DISABLED:
		return true
	}
	return false
}

// isDeprecated reports a feature that validation skips: the legacy
// deprecated flag or a deprecated lifecycle stage (FeatureIsDeprecated).
func isDeprecated(f *tfmd.Feature) bool {
	// TFDV still honours the legacy flag.
	if f.GetDeprecated() {
		return true
	}
	return f.LifecycleStage != nil && lifecycleDeprecated(f.GetLifecycleStage())
}

func deprecate(f *tfmd.Feature) { f.LifecycleStage = tfmd.LifecycleStage_DEPRECATED.Enum() }

// ---- Presence and valency (feature_util.cc) ----

// updatePresence checks num_present against min_count and the fraction
// present against min_fraction, lowering them to what was seen
// (feature_util.cc UpdatePresence).
func updatePresence(fv *featureView, p *tfmd.FeaturePresence) []Reason {
	var out []Reason
	numPresent := fv.numPresent()
	if p.MinCount != nil && numPresent < float64(p.GetMinCount()) {
		orig := p.GetMinCount()
		p.MinCount = proto.Int64(int64(numPresent))
		out = append(out, reason(tfmd.AnomalyInfo_FEATURE_TYPE_LOW_NUMBER_PRESENT, shortDropped,
			fmt.Sprintf("The feature was present in fewer examples than expected: minimum count = %d, actual = %d", orig, p.GetMinCount())))
	}
	if frac, ok := fv.fractionPresent(); ok && p.MinFraction != nil {
		if frac < p.GetMinFraction() {
			// TFDV prints the old bound through a float.
			orig := float64(float32(p.GetMinFraction()))
			p.MinFraction = proto.Float64(frac)
			out = append(out, reason(tfmd.AnomalyInfo_FEATURE_TYPE_LOW_FRACTION_PRESENT, shortDropped,
				fmt.Sprintf("The feature was present in fewer examples than expected: minimum fraction = %f, actual = %f", orig, frac)))
		}
		if p.GetMinFraction() == 1.0 && fv.numMissing() != 0 {
			// A fraction so close to 1 that rounding hides it.
			p.MinFraction = proto.Float64(0.9999)
			out = append(out, reason(tfmd.AnomalyInfo_FEATURE_TYPE_LOW_FRACTION_PRESENT, shortDropped,
				"The feature was expected everywhere, but was missing in "+sixDigits(fv.numMissing())+" examples."))
		}
	}
	return out
}

// updateValueCount checks value_count (or value_counts for nested
// values) against the least and greatest number of values per example
// (feature_util.cc UpdateValueCount, UpdateValueCounts).
func updateValueCount(fv *featureView, f *tfmd.Feature) []Reason {
	mm := fv.minMaxNumValues()
	if vc := f.GetValueCount(); vc != nil {
		if len(mm) > 1 {
			f.ShapeType = nil
			initValueCount(fv, f)
			return []Reason{reason(tfmd.AnomalyInfo_VALUE_NESTEDNESS_MISMATCH, shortNestedness,
				"This feature has a value_count, but the nestedness level of the feature > 1. For features with nestedness levels greater than 1, value_counts, not value_count, should be specified.")}
		}
		return checkValueCount(mm[0], vc, "")
	}
	vcs := f.GetValueCounts()
	if vcs == nil {
		return nil
	}
	if len(vcs.GetValueCount()) != len(mm) {
		f.ShapeType = nil
		initValueCount(fv, f)
		return []Reason{reason(tfmd.AnomalyInfo_VALUE_NESTEDNESS_MISMATCH, shortNestedness,
			"The values have a different nest level than expected. Value counts will not be checked.")}
	}
	var out []Reason
	for i, vc := range vcs.GetValueCount() {
		out = append(out, checkValueCount(mm[i], vc, fmt.Sprintf(" at nestedness level %d", i))...)
	}
	return out
}

func checkValueCount(mm minMax, vc *tfmd.ValueCount, level string) []Reason {
	var out []Reason
	if vc.Min != nil && mm.min < vc.GetMin() {
		out = append(out, reason(tfmd.AnomalyInfo_FEATURE_TYPE_LOW_NUMBER_VALUES, shortMissingValues,
			"Some examples have fewer values than expected"+level+"."))
		if mm.min == 0 {
			vc.Min = nil
		} else {
			vc.Min = proto.Int64(mm.min)
		}
	}
	if vc.Max != nil && mm.max > vc.GetMax() {
		out = append(out, reason(tfmd.AnomalyInfo_FEATURE_TYPE_HIGH_NUMBER_VALUES, shortSuperfluous,
			"Some examples have more values than expected"+level+"."))
		vc.Max = proto.Int64(mm.max)
	}
	return out
}

// updateShape checks a fixed shape: every example must hold the feature
// (at every nesting level) with the same number of values, matching the
// shape's size (feature_util.cc UpdateFeatureShape).
func updateShape(fv *featureView, f *tfmd.Feature, legacyFeatureSpec bool) []Reason {
	want := int64(1)
	for _, d := range f.GetShape().GetDim() {
		want *= d.GetSize()
	}
	got := int64(1)
	for _, m := range fv.minMaxNumValues() {
		if m.min == m.max && m.min != 0 {
			got *= m.min
		} else {
			got = -1
			break
		}
	}
	missing := false
	if !legacyFeatureSpec {
		for _, n := range fv.numMissingNested() {
			if n != 0 {
				missing = true
			}
		}
	}
	if got <= 0 || missing {
		f.ShapeType = nil
		return []Reason{reason(tfmd.AnomalyInfo_INVALID_FEATURE_SHAPE, "Feature shape dropped",
			"The feature has a shape, but it's not always present (if the feature is nested, then it should always be present at each nested level) or its value lengths vary.")}
	}
	if got != want {
		f.ShapeType = nil
		return []Reason{reason(tfmd.AnomalyInfo_INVALID_FEATURE_SHAPE, "Feature shape dropped",
			fmt.Sprintf("The feature has fixed value length %d but it's not compatible with the specified shape.", got))}
	}
	return nil
}

// updateUnique checks unique_constraints against the number of distinct
// strings (feature_util.cc UpdateUniqueConstraints).
func updateUnique(fv *featureView, f *tfmd.Feature) []Reason {
	ss := fv.fs.GetStringStats()
	if ss == nil {
		f.UniqueConstraints = nil
		return []Reason{reason(tfmd.AnomalyInfo_FEATURE_TYPE_NO_UNIQUE, "No unique values",
			"UniqueConstraints specified for the feature, but unique values were not counted (i.e., feature is not string or categorical).")}
	}
	u := f.GetUniqueConstraints()
	n := int64(ss.GetUnique())
	var out []Reason
	if n < u.GetMin() {
		out = append(out, reason(tfmd.AnomalyInfo_FEATURE_TYPE_LOW_UNIQUE, "Low number of unique values",
			fmt.Sprintf("Expected at least %d unique values but found only %d.", u.GetMin(), n)))
		u.Min = proto.Int64(n)
	}
	if n > u.GetMax() {
		out = append(out, reason(tfmd.AnomalyInfo_FEATURE_TYPE_HIGH_UNIQUE, "High number of unique values",
			fmt.Sprintf("Expected no more than %d unique values but found %d.", u.GetMax(), n)))
		u.Max = proto.Int64(n)
	}
	return out
}

// ---- Domains ----

// percentString renders count/total as TFDV's string domain check does:
// "~N%" (floored), "<1%", or "?" without a total
// (string_domain_util.cc PercentageAsString).
func percentString(count, total float64) string {
	if total == 0 || math.IsNaN(total) {
		return "?"
	}
	p := 100 * count / total
	if p < 1 {
		return "<1%"
	}
	return fmt.Sprintf("~%d%%", int64(math.Floor(p)))
}

// updateStringDomain checks the rank histogram's labels against a string
// domain and appends the unseen ones to it (string_domain_util.cc
// UpdateStringDomain). maxOffDomain is 1 − min_domain_mass, or 0. clear
// reports that the domain must be dropped.
func updateStringDomain(fv *featureView, maxOffDomain float64, d *tfmd.StringDomain) (out []Reason, clear bool) {
	if fv.hasInvalidUTF8() {
		return []Reason{reason(tfmd.AnomalyInfo_ENUM_TYPE_INVALID_UTF8, "Invalid UTF8 strings",
			"Found strings that were not valid UTF8 strings.")}, true
	}
	counts, labels := fv.stringCounts()
	var missing []string
	missingCount := 0.0
	for _, l := range labels {
		if !slices.Contains(d.GetValue(), l) {
			missing = append(missing, l)
			missingCount += counts[l]
		}
	}
	total := fv.totalValueCount()
	if missingCount/total > maxOffDomain || (maxOffDomain == 0 && len(missing) > 0) {
		msg := "Examples contain values missing from the schema: "
		for i, l := range missing {
			if i > 0 {
				msg += ", "
			}
			// TFDV passes the count through an int64.
			msg += utf8SafeCEscape(l) + " (" + percentString(float64(int64(counts[l])), total) + ")"
		}
		out = append(out, reason(tfmd.AnomalyInfo_ENUM_TYPE_UNEXPECTED_STRING_VALUES, "Unexpected string values", msg+". "))
		d.Value = append(d.Value, missing...)
	}
	return out, false
}

// maxOffDomain is the share of values allowed outside a string domain
// (feature_util.cc GetMaxOffDomain).
func maxOffDomain(f *tfmd.Feature) float64 {
	dc := f.GetDistributionConstraints()
	if dc != nil && dc.MinDomainMass != nil {
		return 1 - dc.GetMinDomainMass()
	}
	return 0
}

// intInterval reads the range of integer values: num_stats min/max of an
// INT feature, or the parsed labels of a string feature; notInt names a
// label that is not an int64; ok is false when there is nothing to read
// (int_domain_util.cc GetIntInterval).
func intInterval(fv *featureView) (lo, hi int64, notInt string, ok bool) {
	labels := fv.stringValues()
	switch fv.fs.GetType() {
	case tfmd.FeatureNameStatistics_INT:
		if len(labels) == 0 {
			ns := fv.fs.GetNumStats()
			if ns.GetMin() < math.MinInt64 {
				return 0, 0, fmt.Sprintf("%f", ns.GetMin()), true
			}
			if ns.GetMax() > math.MaxInt64 {
				return 0, 0, fmt.Sprintf("%f", ns.GetMax()), true
			}
			return int64(ns.GetMin()), int64(ns.GetMax()), "", true
		}
	case tfmd.FeatureNameStatistics_BYTES, tfmd.FeatureNameStatistics_STRING:
	default:
		return 0, 0, "", false
	}
	for i, l := range labels {
		v, good := simpleAtoi(l)
		if !good {
			return 0, 0, l, true
		}
		if i == 0 || v < lo {
			lo = v
		}
		if i == 0 || v > hi {
			hi = v
		}
	}
	return lo, hi, "", len(labels) > 0
}

// updateIntDomain checks observed values against an int domain's bounds
// and widens them (int_domain_util.cc UpdateIntDomain).
func updateIntDomain(fv *featureView, d *tfmd.IntDomain) (out []Reason, clear bool) {
	lo, hi, notInt, ok := intInterval(fv)
	if !ok {
		return nil, false
	}
	if notInt != "" {
		switch fv.featureType() {
		case tfmd.FeatureType_BYTES:
			return []Reason{reason(tfmd.AnomalyInfo_INT_TYPE_NOT_INT_STRING, shortInvalidValues,
				`String values that were not ints were found, such as "`+notInt+`".`)}, true
		case tfmd.FeatureType_INT:
			if d.Max != nil || d.Min != nil {
				return []Reason{reason(tfmd.AnomalyInfo_DOMAIN_INVALID_FOR_TYPE, shortInvalidValues,
					`Integer had values that were not valid Int64, such as "`+notInt+`".`)}, true
			}
			return nil, false
		}
		return []Reason{reason(tfmd.AnomalyInfo_DOMAIN_INVALID_FOR_TYPE, shortInvalidValues,
			fmt.Sprintf("IntDomain incompatible with feature type %d", fv.featureType()))}, true
	}
	if d.Min != nil && d.GetMin() > lo {
		out = append(out, reason(tfmd.AnomalyInfo_INT_TYPE_SMALL_INT, shortOutOfRange,
			fmt.Sprintf("Unexpectedly small value: %d.", lo)))
		d.Min = proto.Int64(lo)
	}
	if d.Max != nil && d.GetMax() < hi {
		out = append(out, reason(tfmd.AnomalyInfo_INT_TYPE_BIG_INT, shortOutOfRange,
			fmt.Sprintf("Unexpectedly large value: %d.", hi)))
		d.Max = proto.Int64(hi)
	}
	return out, false
}

// floatInterval reads the range of float values as float32: num_stats
// min/max of a FLOAT feature, or the parsed labels of a string feature
// (float_domain_util.cc GetFloatInterval).
func floatInterval(fv *featureView) (lo, hi float32, notFloat string, ok bool) {
	switch fv.fs.GetType() {
	case tfmd.FeatureNameStatistics_FLOAT:
		ns := fv.fs.GetNumStats()
		return float32(ns.GetMin()), float32(ns.GetMax()), "", true
	case tfmd.FeatureNameStatistics_BYTES, tfmd.FeatureNameStatistics_STRING:
	default:
		return 0, 0, "", false
	}
	labels := fv.stringValues()
	for i, l := range labels {
		v, good := simpleAtof(l)
		if !good {
			return 0, 0, l, true
		}
		if i == 0 || lo > v {
			lo = v
		}
		if i == 0 || hi < v {
			hi = v
		}
	}
	return lo, hi, "", len(labels) > 0
}

// updateFloatDomain checks NaN and infinities when the domain forbids
// them, and the bounds, widening them (float_domain_util.cc
// UpdateFloatDomain).
func updateFloatDomain(fv *featureView, d *tfmd.FloatDomain) (out []Reason, clear bool) {
	if d.GetDisallowNan() {
		hasNaN := false
		switch fv.fs.GetType() {
		case tfmd.FeatureNameStatistics_FLOAT:
			for _, h := range fv.fs.GetNumStats().GetHistograms() {
				if h.GetNumNan() > 0 {
					hasNaN = true
				}
			}
		case tfmd.FeatureNameStatistics_STRING:
			for _, l := range fv.stringValues() {
				if v, ok := simpleAtof(l); ok && math.IsNaN(float64(v)) {
					hasNaN = true
				}
			}
		}
		if hasNaN {
			out = append(out, reason(tfmd.AnomalyInfo_FLOAT_TYPE_HAS_NAN, shortInvalidValues, "Float feature has NaN values."))
			d.DisallowNan = proto.Bool(false)
		}
	}
	lo, hi, notFloat, ok := floatInterval(fv)
	if !ok {
		return out, false
	}
	if notFloat != "" {
		return append(out, reason(tfmd.AnomalyInfo_FLOAT_TYPE_STRING_NOT_FLOAT, shortInvalidValues,
			`String values that were not floats were found, such as "`+notFloat+`".`)), true
	}
	if d.Min != nil && lo < d.GetMin() {
		out = append(out, reason(tfmd.AnomalyInfo_FLOAT_TYPE_SMALL_FLOAT, shortOutOfRange,
			"Unexpectedly low values: "+sixDigits(float64(lo))+"<"+sixDigits(float64(d.GetMin()))+"(upto six significant digits)"))
		d.Min = proto.Float32(lo)
	}
	if d.Max != nil && hi > d.GetMax() {
		out = append(out, reason(tfmd.AnomalyInfo_FLOAT_TYPE_BIG_FLOAT, shortOutOfRange,
			"Unexpectedly high value: "+sixDigits(float64(hi))+">"+sixDigits(float64(d.GetMax()))+"(upto six significant digits)"))
		d.Max = proto.Float32(hi)
	}
	if d.GetDisallowInf() && (math.IsInf(float64(lo), 0) || math.IsInf(float64(hi), 0)) {
		out = append(out, reason(tfmd.AnomalyInfo_FLOAT_TYPE_HAS_INF, shortInvalidValues, "Float feature has Inf values."))
		d.DisallowInf = proto.Bool(false)
	}
	return out, false
}

// Bool tokens TFDV recognises in strings (bool_domain_util.cc).
var (
	boolTrueTokens  = []string{"TRUE", "true", "SET", "set", "1", ""}
	boolFalseTokens = []string{"FALSE", "false", "CLEAR", "clear", "0"}
)

// updateBoolDomain checks values against a bool domain; integers or floats
// outside {0, 1} turn it into an int or float domain (bool_domain_util.cc
// UpdateBoolDomain).
func updateBoolDomain(fv *featureView, f *tfmd.Feature) []Reason {
	ns := fv.fs.GetNumStats()
	switch fv.fs.GetType() {
	case tfmd.FeatureNameStatistics_INT:
		toInt := func(x float64, t tfmd.AnomalyInfo_Type) []Reason {
			f.DomainInfo = &tfmd.Feature_IntDomain{IntDomain: &tfmd.IntDomain{Max: proto.Int64(int64(ns.GetMax())), Min: proto.Int64(int64(ns.GetMin()))}}
			return []Reason{reason(t, shortNonBoolean, "Integers (such as "+sixDigits(x)+") not in {0, 1}: converting to an integer.")}
		}
		if ns.GetMin() < 0 {
			return toInt(ns.GetMin(), tfmd.AnomalyInfo_BOOL_TYPE_SMALL_INT)
		}
		if ns.GetMax() > 1 {
			return toInt(ns.GetMax(), tfmd.AnomalyInfo_BOOL_TYPE_BIG_INT)
		}
	case tfmd.FeatureNameStatistics_FLOAT:
		toFloat := func(msg string) []Reason {
			f.DomainInfo = &tfmd.Feature_FloatDomain{FloatDomain: &tfmd.FloatDomain{Max: proto.Float32(float32(ns.GetMax())), Min: proto.Float32(float32(ns.GetMin()))}}
			return []Reason{reason(tfmd.AnomalyInfo_BOOL_TYPE_UNEXPECTED_FLOAT, shortNonBoolean, msg)}
		}
		if ns.GetMin() != 0 && ns.GetMin() != 1 {
			return toFloat("Floats (such as " + sixDigits(ns.GetMin()) + ") not in {0, 1}: converting to float_domain.")
		}
		if ns.GetMax() != 0 && ns.GetMax() != 1 {
			return toFloat("Floats (such as " + sixDigits(ns.GetMax()) + ") not in {0, 1}: converting to float_domain.")
		}
		for _, h := range ns.GetHistograms() {
			if h.GetNumNan() > 0 {
				return toFloat("Floats (such as NaN) not in {0, 1}: converting to float_domain.")
			}
			for _, b := range h.GetBuckets() {
				switch {
				case b.GetSampleCount() <= 0:
				case b.GetHighValue() < 0:
					return toFloat("Float values < 0 not in {0, 1}: converting to float_domain.")
				case b.GetLowValue() > 1:
					return toFloat("Float values > 1 not in {0, 1}: converting to float_domain.")
				case h.GetType() == tfmd.Histogram_QUANTILES && b.GetHighValue() < 1 && b.GetLowValue() > 0:
					return toFloat("Float values falling between 0 and 1: converting to float_domain.")
				}
			}
		}
	case tfmd.FeatureNameStatistics_STRING:
		bd := f.GetBoolDomain()
		var valid []string
		if bd.TrueValue != nil {
			valid = append(valid, bd.GetTrueValue())
		}
		if bd.FalseValue != nil {
			valid = append(valid, bd.GetFalseValue())
		}
		slices.Sort(valid)
		valid = slices.Compact(valid)
		for _, s := range fv.stringValues() {
			if !slices.Contains(valid, s) {
				desc := "{}"
				if len(valid) > 0 {
					desc = `{"` + joinStrings(valid, `", "`) + `"}`
				}
				f.DomainInfo = nil
				return []Reason{reason(tfmd.AnomalyInfo_BOOL_TYPE_UNEXPECTED_STRING, shortNonBoolean,
					`Saw unexpected value "`+s+`" instead of `+desc+".")}
			}
		}
	}
	return nil
}

func joinStrings(ss []string, sep string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += sep
		}
		out += s
	}
	return out
}
