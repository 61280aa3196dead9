package validate

import (
	"errors"
	"fmt"
	"slices"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/pb/tfmd"
	"github.com/tfxc/tfxc/schema"
)

// Options configures ValidateStatistics.
type Options struct {
	// Environment selects the schema environment to validate in ("" for
	// none, in which every feature is expected). It must be one of the
	// schema's default environments (validation_api.py).
	Environment string
	// Previous holds the statistics of the previous span, for the
	// features' drift comparators; Serving those of serving data, for
	// their skew comparators. Either may be nil.
	Previous, Serving *tfmd.DatasetFeatureStatisticsList
	// NewFeaturesAreWarnings gives SCHEMA_NEW_COLUMN anomalies the WARNING
	// severity instead of ERROR.
	NewFeaturesAreWarnings bool
}

// Result is what Validate finds.
type Result struct {
	// Anomalies are TFDV's: one AnomalyInfo per anomalous feature, keyed
	// by its serialized path, the dataset-level anomaly, and the drift and
	// skew measurements.
	Anomalies *tfmd.Anomalies
	// Fixed is the schema with the fix of every anomaly applied: bounds
	// widened, unseen strings added to domains, dropped columns
	// deprecated, new columns added. TFDV proposes one such schema per
	// anomaly; Fixed merges them.
	Fixed *tfmd.Schema
}

// ValidateStatistics validates statistics against a schema as TFDV's
// validate_statistics does and returns the anomalies.
func ValidateStatistics(stats *tfmd.DatasetFeatureStatisticsList, schema *tfmd.Schema, opts Options) (*tfmd.Anomalies, error) {
	r, err := Validate(stats, schema, opts)
	if err != nil {
		return nil, err
	}
	return r.Anomalies, nil
}

// Validate validates statistics against a schema (TFDV
// validation_api.validate_statistics, feature_statistics_validator.cc
// ValidateFeatureStatistics, schema_anomalies.cc FindChanges) and also
// returns the schema with the anomalies' fixes applied.
func Validate(stats *tfmd.DatasetFeatureStatisticsList, schema *tfmd.Schema, opts Options) (*Result, error) {
	if schema == nil {
		return nil, errors.New("validate: no schema")
	}
	ds, err := defaultDataset(stats)
	if err != nil {
		return nil, fmt.Errorf("validate: statistics: %w", err)
	}
	if opts.Environment != "" && !slices.Contains(schema.GetDefaultEnvironment(), opts.Environment) {
		return nil, fmt.Errorf("validate: Environment %s not found in the schema (its default environments are %q)", opts.Environment, schema.GetDefaultEnvironment())
	}
	res := &Result{
		Anomalies: &tfmd.Anomalies{
			BaselineSchema: &tfmd.Anomalies_Baseline{Baseline: proto.Clone(schema).(*tfmd.Schema)},
		},
		Fixed: proto.Clone(schema).(*tfmd.Schema),
	}
	if ds.GetNumExamples() == 0 {
		res.Anomalies.DataMissing = proto.Bool(true)
		return res, nil
	}
	res.Anomalies.AnomalyNameFormat = tfmd.Anomalies_SERIALIZED_PATH.Enum()
	byWeight := weightedStatisticsExist(ds)
	view, err := newDatasetView(ds, byWeight, opts.Environment)
	if err != nil {
		return nil, fmt.Errorf("validate: statistics: %w", err)
	}
	for _, ctl := range []struct {
		list *tfmd.DatasetFeatureStatisticsList
		dst  **datasetView
		what string
	}{{opts.Serving, &view.serving, "serving"}, {opts.Previous, &view.previous, "previous"}} {
		if ctl.list == nil {
			continue
		}
		cds, err := defaultDataset(ctl.list)
		if err != nil {
			return nil, fmt.Errorf("validate: %s statistics: %w", ctl.what, err)
		}
		if *ctl.dst, err = newDatasetView(cds, byWeight, opts.Environment); err != nil {
			return nil, fmt.Errorf("validate: %s statistics: %w", ctl.what, err)
		}
	}
	v := &validator{
		baseline: schema,
		fixed:    res.Fixed,
		opts:     opts,
		byPath:   map[string]*anomaly{},
		skewInfo: map[string]*tfmd.DriftSkewInfo{},
	}
	for _, fv := range view.roots() {
		v.findChanges(fv)
	}
	v.missing(view)
	v.datasetConstraints(view)
	an := res.Anomalies
	for _, a := range v.order {
		if len(a.reasons) == 0 {
			continue
		}
		if an.AnomalyInfo == nil {
			an.AnomalyInfo = map[string]*tfmd.AnomalyInfo{}
		}
		an.AnomalyInfo[serializePath(a.path)] = a.info()
	}
	if v.dataset != nil && len(v.dataset.reasons) > 0 {
		an.DatasetAnomalyInfo = v.dataset.info()
		an.DatasetAnomalyInfo.Path = nil
	}
	for _, key := range v.skewOrder {
		an.DriftSkewInfo = append(an.DriftSkewInfo, v.skewInfo[key])
	}
	return res, nil
}

// anomaly gathers the reasons found for one feature (schema_anomalies.cc
// SchemaAnomaly).
type anomaly struct {
	path     []string
	reasons  []Reason
	severity tfmd.AnomalyInfo_Severity
}

// info builds the AnomalyInfo: one Reason per reason (only the first when
// all are SCHEMA_NEW_COLUMN), and descriptions unified: a single reason's
// own, or "Multiple errors" with the long descriptions joined by spaces,
// reasons without a long description left out (schema_anomalies.cc
// GetAnomalyInfo, FilterDescriptions, UnifyDescriptions).
func (a *anomaly) info() *tfmd.AnomalyInfo {
	rs := a.reasons
	allNew := true
	for _, r := range rs {
		if r.Type != tfmd.AnomalyInfo_SCHEMA_NEW_COLUMN {
			allNew = false
		}
	}
	if allNew && len(rs) > 0 {
		rs = rs[:1]
	}
	info := &tfmd.AnomalyInfo{Path: &tfmd.Path{Step: slices.Clone(a.path)}, Severity: a.severity.Enum()}
	var unified Reason
	for _, r := range rs {
		info.Reason = append(info.Reason, &tfmd.AnomalyInfo_Reason{
			Type: r.Type.Enum(), ShortDescription: proto.String(r.Short), Description: proto.String(r.Long)})
		switch {
		case unified.Long == "":
			unified = r
		case r.Long == "":
		default:
			unified = Reason{Type: tfmd.AnomalyInfo_MULTIPLE_REASONS, Short: "Multiple errors", Long: unified.Long + " " + r.Long}
		}
	}
	info.Description = proto.String(unified.Long)
	info.ShortDescription = proto.String(unified.Short)
	return info
}

// validator holds the state of one validation.
type validator struct {
	baseline *tfmd.Schema
	fixed    *tfmd.Schema
	opts     Options
	byPath   map[string]*anomaly
	order    []*anomaly
	dataset  *anomaly

	skewInfo  map[string]*tfmd.DriftSkewInfo
	skewOrder []string
}

// add records reasons for the feature at path.
func (v *validator) add(path []string, rs []Reason) {
	if len(rs) == 0 {
		return
	}
	k := pathKey(path)
	a := v.byPath[k]
	if a == nil {
		a = &anomaly{path: path}
		v.byPath[k] = a
		v.order = append(v.order, a)
	}
	a.reasons = append(a.reasons, rs...)
	for _, r := range rs {
		s := tfmd.AnomalyInfo_ERROR
		if v.opts.NewFeaturesAreWarnings && r.Type == tfmd.AnomalyInfo_SCHEMA_NEW_COLUMN {
			s = tfmd.AnomalyInfo_WARNING
		}
		if s > a.severity {
			a.severity = s
		}
	}
}

// findFeature returns the feature at path in schema s: a top-level
// feature, or one nested in struct domains (Schema::GetExistingFeature).
func findFeature(s *tfmd.Schema, path []string) *tfmd.Feature {
	feats := s.GetFeature()
	var f *tfmd.Feature
	for i, step := range path {
		f = nil
		for _, g := range feats {
			if g.GetName() == step {
				f = g
				break
			}
		}
		if f == nil {
			return nil
		}
		if i+1 < len(path) {
			feats = f.GetStructDomain().GetFeature()
		}
	}
	return f
}

// featureExists reports a feature, sparse feature or weighted feature at
// path (Schema::FeatureExists).
func featureExists(s *tfmd.Schema, path []string) bool {
	if findFeature(s, path) != nil {
		return true
	}
	if len(path) == 1 {
		for _, sf := range s.GetSparseFeature() {
			if sf.GetName() == path[0] {
				return true
			}
		}
		for _, wf := range s.GetWeightedFeature() {
			if wf.GetName() == path[0] {
				return true
			}
		}
	}
	return false
}

func findStringDomain(s *tfmd.Schema, name string) *tfmd.StringDomain {
	for _, d := range s.GetStringDomain() {
		if d.GetName() == name {
			return d
		}
	}
	return nil
}

// findChanges validates one feature and its children
// (SchemaAnomalies::FindChangesRecursively).
func (v *validator) findChanges(fv *featureView) {
	if !featureExists(v.baseline, fv.path) {
		v.createColumn(fv)
		return
	}
	f := findFeature(v.baseline, fv.path)
	if f == nil {
		// A sparse or weighted feature: their checks read custom
		// statistics tfxc does not produce.
		return
	}
	if isDeprecated(f) {
		return
	}
	// Each feature is checked against its own copy of the baseline, as
	// TFDV gives every anomaly its own schema.
	fc := proto.Clone(f).(*tfmd.Feature)
	var dom *tfmd.StringDomain
	if name := f.GetDomain(); name != "" {
		if d := findStringDomain(v.baseline, name); d != nil {
			dom = proto.Clone(d).(*tfmd.StringDomain)
		}
	}
	rs, clearDomain, info := v.updateFeature(fv, fc, dom)
	v.add(fv.path, rs)
	if info != nil {
		k := pathKey(fv.path)
		if v.skewInfo[k] == nil {
			v.skewInfo[k] = info
			v.skewOrder = append(v.skewOrder, k)
		} else {
			proto.Merge(v.skewInfo[k], info)
		}
	}
	v.applyFix(fv.path, fc, f.GetDomain(), dom, clearDomain)
	if isDeprecated(fc) {
		return
	}
	for _, c := range fv.children {
		v.findChanges(c)
	}
}

// applyFix puts a feature's fixed copy into the fixed schema, and merges
// its string domain's new values (or removes the domain when the fix
// clears it, Schema::ClearStringDomain).
func (v *validator) applyFix(path []string, fc *tfmd.Feature, domName string, dom *tfmd.StringDomain, clearDomain bool) {
	if target := findFeature(v.fixed, path); target != nil {
		proto.Reset(target)
		proto.Merge(target, fc)
	}
	if domName == "" || dom == nil {
		return
	}
	if clearDomain {
		for _, g := range v.fixed.GetFeature() {
			if g.GetDomain() == domName {
				g.DomainInfo = nil
			}
		}
		v.fixed.StringDomain = slices.DeleteFunc(v.fixed.StringDomain, func(d *tfmd.StringDomain) bool { return d.GetName() == domName })
		return
	}
	if fd := findStringDomain(v.fixed, domName); fd != nil {
		for _, s := range dom.GetValue() {
			if !slices.Contains(fd.GetValue(), s) {
				fd.Value = append(fd.Value, s)
			}
		}
	}
}

// required reports a feature that must be present: not deprecated, with a
// positive min_count or min_fraction, and in the environment
// (Schema::IsExistenceRequired).
func required(s *tfmd.Schema, f *tfmd.Feature, env string) bool {
	if isDeprecated(f) {
		return false
	}
	p := f.GetPresence()
	if p.GetMinCount() <= 0 && p.GetMinFraction() <= 0 {
		return false
	}
	return schema.FeatureInEnvironment(s, f, env)
}

// allowedTypes are the feature types each kind of domain fits
// (schema.cc AllowedFeatureTypes).
func allowedType(f *tfmd.Feature) bool {
	t := f.GetType()
	switch f.GetDomainInfo().(type) {
	case *tfmd.Feature_Domain, *tfmd.Feature_StringDomain, *tfmd.Feature_ImageDomain,
		*tfmd.Feature_MidDomain, *tfmd.Feature_UrlDomain:
		return t == tfmd.FeatureType_BYTES
	case *tfmd.Feature_BoolDomain:
		return t == tfmd.FeatureType_INT || t == tfmd.FeatureType_BYTES || t == tfmd.FeatureType_FLOAT
	case *tfmd.Feature_IntDomain, *tfmd.Feature_NaturalLanguageDomain, *tfmd.Feature_TimeDomain:
		return t == tfmd.FeatureType_INT || t == tfmd.FeatureType_BYTES
	case *tfmd.Feature_FloatDomain:
		return t == tfmd.FeatureType_FLOAT || t == tfmd.FeatureType_BYTES
	case *tfmd.Feature_StructDomain:
		return t == tfmd.FeatureType_STRUCT
	}
	return t == tfmd.FeatureType_INT || t == tfmd.FeatureType_FLOAT || t == tfmd.FeatureType_BYTES || t == tfmd.FeatureType_STRUCT
}

// domainName is the field name of the feature's domain, as TFDV names it
// in descriptions.
func domainName(f *tfmd.Feature) string {
	m := f.ProtoReflect()
	od := m.Descriptor().Oneofs().ByName("domain_info")
	if fd := m.WhichOneof(od); fd != nil {
		return string(fd.Name())
	}
	return ""
}

// updateFeatureSelf checks the schema's own feature for contradictions
// and repairs them (Schema::UpdateFeatureSelf). Reasons with only a short
// description are as TFDV writes them.
func updateFeatureSelf(f *tfmd.Feature, dom *tfmd.StringDomain) []Reason {
	var out []Reason
	if isDeprecated(f) {
		return nil
	}
	if f.Name == nil {
		deprecate(f)
		return []Reason{reason(tfmd.AnomalyInfo_FEATURE_MISSING_NAME, "unspecified name (maybe meant to be the empty string): find name rather than deprecating.", "")}
	}
	if f.Type == nil {
		switch f.GetDomainInfo().(type) {
		case *tfmd.Feature_Domain, *tfmd.Feature_StringDomain:
			out = append(out, reason(tfmd.AnomalyInfo_FEATURE_MISSING_TYPE, "unspecified type: inferring the type to be BYTES, given the domain specified.", ""))
			f.Type = tfmd.FeatureType_BYTES.Enum()
		default:
			deprecate(f)
			return append(out, reason(tfmd.AnomalyInfo_FEATURE_MISSING_TYPE, "unspecified type: determine the type and set it, rather than deprecating.", ""))
		}
	}
	invalid := func(short, long string) {
		out = append(out, reason(tfmd.AnomalyInfo_INVALID_SCHEMA_SPECIFICATION, short, long))
	}
	if p := f.GetPresence(); p != nil {
		if p.GetMinFraction() < 0 {
			p.MinFraction = nil
			invalid("min_fraction should not be negative: clear is equal to zero", "")
		}
		if p.GetMinFraction() > 1 {
			p.MinFraction = proto.Float64(1)
			invalid("min_fraction should not greater than 1", "")
		}
	}
	if vc := f.GetValueCount(); vc != nil {
		if vc.GetMin() < 0 {
			vc.Min = nil
			invalid("ValueCount.min should not be negative", "")
		}
		if vc.Max != nil && vc.GetMax() < vc.GetMin() {
			invalid("ValueCount.max should not be less than min", "")
			vc.Max = proto.Int64(vc.GetMin())
		}
	}
	for i, vc := range f.GetValueCounts().GetValueCount() {
		if vc.GetMin() < 0 {
			vc.Min = nil
			invalid("ValueCounts.min should not be negative", fmt.Sprintf("ValueCounts.min at level %d should not be negative.", i))
		}
		if vc.Max != nil && vc.GetMax() < vc.GetMin() {
			vc.Max = proto.Int64(vc.GetMin())
			invalid("ValueCounts.max should not be less than min", fmt.Sprintf("ValueCounts.max at level %d should not be less than min.", i))
		}
	}
	for _, d := range f.GetShape().GetDim() {
		if d.GetSize() <= 0 {
			f.ShapeType = nil
			invalid("Shape.dim.size must be a positive integer", "")
			break
		}
	}
	if !allowedType(f) {
		out = append(out, reason(tfmd.AnomalyInfo_DOMAIN_INVALID_FOR_TYPE, "The domain does not match the type",
			`The domain "`+domainName(f)+`" does not match the type: `+f.GetType().String()))
		f.DomainInfo = nil
	}
	noConstraints := func(what string) {
		if f.DistributionConstraints != nil {
			f.DistributionConstraints = nil
			invalid("distribution constraints not supported for "+what+".", "")
		}
	}
	switch d := f.GetDomainInfo().(type) {
	case *tfmd.Feature_Domain:
		if dom == nil {
			f.DomainInfo = nil
			// TFDV prints the name after clearing it.
			out = append(out, reason(tfmd.AnomalyInfo_INVALID_DOMAIN_SPECIFICATION, "missing domain: ", ""))
		}
	case *tfmd.Feature_BoolDomain:
		noConstraints("bool domains")
		bd := d.BoolDomain
		if bd.TrueValue != nil && bd.FalseValue != nil && bd.GetTrueValue() == bd.GetFalseValue() {
			bd.FalseValue = nil
			out = append(out, reason(tfmd.AnomalyInfo_INVALID_DOMAIN_SPECIFICATION, "Malformed BoolDomain",
				"True and false value equal for BoolDomain:"+bd.GetTrueValue()+". The suggested change is to clear the false_value, but a domain expert should review this change."))
		}
	case *tfmd.Feature_IntDomain:
		noConstraints("int domains")
	case *tfmd.Feature_FloatDomain:
		noConstraints("float domains")
	case *tfmd.Feature_StringDomain:
		var seen, repeats []string
		var kept []string
		for _, s := range d.StringDomain.GetValue() {
			if slices.Contains(seen, s) {
				repeats = append(repeats, s)
				continue
			}
			seen = append(seen, s)
			kept = append(kept, s)
		}
		if len(repeats) > 0 {
			d.StringDomain.Value = kept
			out = append(out, reason(tfmd.AnomalyInfo_INVALID_DOMAIN_SPECIFICATION, "Malformed StringDomain",
				"Repeated values in StringDomain:"+joinStrings(repeats, ", ")))
		}
	case *tfmd.Feature_StructDomain:
		noConstraints("struct domains")
	case *tfmd.Feature_NaturalLanguageDomain, *tfmd.Feature_ImageDomain, *tfmd.Feature_MidDomain,
		*tfmd.Feature_UrlDomain, *tfmd.Feature_TimeDomain:
		noConstraints("semantic domains")
	case nil:
		if f.DistributionConstraints != nil {
			f.DistributionConstraints = nil
			invalid("distribution constraints require domain or string domain.", "")
		}
	}
	return out
}

// updateFeature checks one feature's statistics against its (copied)
// schema entry f and the copy dom of the string domain f names, fixing
// both (Schema::UpdateFeatureInternal). clearDomain reports that the
// named string domain must go; info holds the drift and skew measurements.
func (v *validator) updateFeature(fv *featureView, f *tfmd.Feature, dom *tfmd.StringDomain) (out []Reason, clearDomain bool, info *tfmd.DriftSkewInfo) {
	out = updateFeatureSelf(f, dom)
	if isDeprecated(f) {
		return out, false, nil
	}
	env := fv.ds.env
	if fv.numPresent() == 0 {
		if required(v.baseline, f, env) {
			out = append(out, reason(tfmd.AnomalyInfo_FEATURE_TYPE_NOT_PRESENT, shortDropped, "The feature was not present in any examples."))
			deprecate(f)
		}
		return out, false, nil
	}
	if !schema.FeatureInEnvironment(v.baseline, f, env) {
		f.NotInEnvironment = slices.DeleteFunc(f.NotInEnvironment, func(s string) bool { return s == env })
		if !schema.FeatureInEnvironment(v.baseline, f, env) {
			f.InEnvironment = append(f.InEnvironment, env)
		}
		out = append(out, reason(tfmd.AnomalyInfo_SCHEMA_NEW_COLUMN, "Column missing in environment",
			"New column "+serializePath(fv.path)+" found in data but not in the environment "+env+" in the schema."))
	}
	if f.GetValueCount() != nil || f.GetValueCounts() != nil {
		out = append(out, updateValueCount(fv, f)...)
	}
	if f.GetShape() != nil {
		out = append(out, updateShape(fv, f, false)...)
	}
	if f.GetPresence() != nil {
		out = append(out, updatePresence(fv, f.GetPresence())...)
	}
	if fv.featureType() != f.GetType() {
		deprecate(f)
		out = append(out, reason(tfmd.AnomalyInfo_UNEXPECTED_DATA_TYPE, "Unexpected data type",
			"Expected data of type: "+f.GetType().String()+" but got "+fv.fs.GetType().String()))
	}
	if fv.fs.GetType() == tfmd.FeatureNameStatistics_BYTES {
		switch f.GetDomainInfo().(type) {
		case nil, *tfmd.Feature_NaturalLanguageDomain, *tfmd.Feature_ImageDomain, *tfmd.Feature_UrlDomain:
		default:
			text, _ := prototext.MarshalOptions{}.Marshal(f)
			f.DomainInfo = nil
			out = append(out, reason(tfmd.AnomalyInfo_DOMAIN_INVALID_FOR_TYPE, "Invalid domain type",
				"Data is marked as BYTES with incompatible domain_info: "+string(text)))
		}
	}
	summary := func(rs []Reason, clear bool) {
		out = append(out, rs...)
		if clear {
			f.DomainInfo = nil
		}
	}
	switch d := f.GetDomainInfo().(type) {
	case *tfmd.Feature_Domain:
		rs, clear := updateStringDomain(fv, maxOffDomain(f), dom)
		out = append(out, rs...)
		clearDomain = clear
		if clear {
			f.DomainInfo = nil
		}
	case *tfmd.Feature_BoolDomain:
		out = append(out, updateBoolDomain(fv, f)...)
	case *tfmd.Feature_IntDomain:
		summary(updateIntDomain(fv, d.IntDomain))
	case *tfmd.Feature_FloatDomain:
		summary(updateFloatDomain(fv, d.FloatDomain))
	case *tfmd.Feature_StringDomain:
		summary(updateStringDomain(fv, maxOffDomain(f), d.StringDomain))
	}
	if f.GetUniqueConstraints() != nil {
		out = append(out, updateUnique(fv, f)...)
	}
	for _, kind := range []comparatorKind{drift, skew} {
		c := f.GetDriftComparator()
		if kind == skew {
			c = f.GetSkewComparator()
		}
		if c == nil {
			continue
		}
		cmp := updateComparator(fv, kind, c)
		out = append(out, cmp.reasons...)
		if len(cmp.measurements) > 0 {
			if info == nil {
				info = &tfmd.DriftSkewInfo{Path: &tfmd.Path{Step: slices.Clone(fv.path)}}
			}
			if kind == drift {
				info.DriftMeasurements = append(info.DriftMeasurements, cmp.measurements...)
			} else {
				info.SkewMeasurements = append(info.SkewMeasurements, cmp.measurements...)
			}
		}
	}
	return out, clearDomain, info
}

// createColumn reports a feature the schema does not know and adds it,
// inferred from its statistics, to the fixed schema
// (Schema::UpdateFeature's SCHEMA_NEW_COLUMN, UpdateRecursively).
func (v *validator) createColumn(fv *featureView) {
	v.add(fv.path, []Reason{reason(tfmd.AnomalyInfo_SCHEMA_NEW_COLUMN, "New column", "New column (column in data but not in schema)")})
	inf := &inferrer{schema: v.fixed, opts: InferOptions{MaxStringDomainSize: validationEnumThreshold}}
	inf.createColumnAt(fv)
	for _, c := range fv.children {
		v.addNested(fv.path, c, inf)
	}
}

// addNested reports the new children of a new struct feature under the
// anomaly of their new ancestor.
func (v *validator) addNested(root []string, fv *featureView, inf *inferrer) {
	v.add(root, []Reason{reason(tfmd.AnomalyInfo_SCHEMA_NEW_COLUMN, "New column", "New column (column in data but not in schema)")})
	inf.createColumnAt(fv)
	for _, c := range fv.children {
		v.addNested(root, c, inf)
	}
}

// validationEnumThreshold is the largest string domain inferred for a new
// column during validation (feature_statistics_validator.cc
// kDefaultEnumThreshold).
const validationEnumThreshold = 400

// missing reports the required features without statistics
// (Schema::GetMissingPaths, SchemaAnomaly::ObserveMissing).
func (v *validator) missing(view *datasetView) {
	var walk func(prefix []string, feats []*tfmd.Feature)
	walk = func(prefix []string, feats []*tfmd.Feature) {
		for _, f := range feats {
			path := append(slices.Clone(prefix), f.GetName())
			if required(v.baseline, f, view.env) && view.get(path) == nil {
				v.add(path, []Reason{reason(tfmd.AnomalyInfo_SCHEMA_MISSING_COLUMN, shortDropped, "Column is completely missing")})
				if g := findFeature(v.fixed, path); g != nil {
					deprecate(g)
				}
			}
			if !isDeprecated(f) {
				walk(path, f.GetStructDomain().GetFeature())
			}
		}
	}
	walk(nil, v.baseline.GetFeature())
}

// datasetConstraints checks the number of examples against the schema's
// dataset constraints (dataset_constraints_util.cc
// UpdateExamplesCount).
func (v *validator) datasetConstraints(view *datasetView) {
	dc := v.baseline.GetDatasetConstraints()
	if dc == nil {
		return
	}
	n := view.numExamples()
	var rs []Reason
	fixed := v.fixed.GetDatasetConstraints()
	if dc.MinExamplesCount != nil && n < float64(dc.GetMinExamplesCount()) {
		fixed.MinExamplesCount = proto.Int64(int64(n))
		rs = append(rs, reason(tfmd.AnomalyInfo_DATASET_LOW_NUM_EXAMPLES, "Low num examples in dataset.",
			"The dataset has "+sixDigits(n)+" examples, which is fewer than expected."))
	}
	if dc.MaxExamplesCount != nil && n > float64(dc.GetMaxExamplesCount()) {
		fixed.MaxExamplesCount = proto.Int64(int64(n))
		rs = append(rs, reason(tfmd.AnomalyInfo_DATASET_HIGH_NUM_EXAMPLES, "High num examples in dataset.",
			"The dataset has "+sixDigits(n)+" examples, which is more than expected."))
	}
	if len(rs) > 0 {
		v.dataset = &anomaly{reasons: rs, severity: tfmd.AnomalyInfo_ERROR}
	}
}
