package validate

import (
	"math"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/pb/tfmd"
)

// A FLOAT feature "f" with 10 examples, 3 missing, values 1..2 per example
// between -1 and 4.5, one NaN.
const floatStats = `num_examples: 10 features { name: "f" type: FLOAT num_stats {
	common_stats { num_non_missing: 7 num_missing: 3 min_num_values: 1 max_num_values: 2 tot_num_values: 9 }
	min: -1 max: 4.5 histograms { num_nan: 1 type: STANDARD } } }`

func TestValidateRules(t *testing.T) {
	tests := []struct {
		name, schema, stats string
		env                 string
		// want maps features to their reason types; every other feature
		// must have no anomaly.
		want map[string][]string
		// desc and short are a feature's expected descriptions, when
		// given; short is "Multiple errors" by default for several reasons.
		desc, short map[string]string
	}{{
		name:   "presence: count and fraction are inclusive bounds",
		schema: `feature { name: "f" type: FLOAT presence { min_count: 7 min_fraction: 0.7 } }`,
		stats:  floatStats,
	}, {
		name:   "presence: too few examples",
		schema: `feature { name: "f" type: FLOAT presence { min_count: 8 min_fraction: 0.75 } }`,
		stats:  floatStats,
		want:   map[string][]string{"f": {"FEATURE_TYPE_LOW_NUMBER_PRESENT", "FEATURE_TYPE_LOW_FRACTION_PRESENT"}},
		desc: map[string]string{"f": "The feature was present in fewer examples than expected: minimum count = 8, actual = 7 " +
			"The feature was present in fewer examples than expected: minimum fraction = 0.750000, actual = 0.700000"},
	}, {
		name:   "presence: expected everywhere, the fraction lowered",
		schema: `feature { name: "f" type: FLOAT presence { min_fraction: 1 } }`,
		stats:  floatStats,
		want:   map[string][]string{"f": {"FEATURE_TYPE_LOW_FRACTION_PRESENT"}},
		desc:   map[string]string{"f": "The feature was present in fewer examples than expected: minimum fraction = 1.000000, actual = 0.700000"},
	}, {
		// A missing example that the fraction cannot show (here the
		// counts disagree, as rounding of weights can make them).
		name:   "presence: expected everywhere, missing somewhere",
		schema: `feature { name: "f" type: FLOAT presence { min_fraction: 1 } }`,
		stats: `num_examples: 10 features { name: "f" type: FLOAT num_stats {
			common_stats { num_non_missing: 10 num_missing: 1 min_num_values: 1 max_num_values: 1 } } }`,
		want: map[string][]string{"f": {"FEATURE_TYPE_LOW_FRACTION_PRESENT"}},
		desc: map[string]string{"f": "The feature was expected everywhere, but was missing in 1 examples."},
	}, {
		name:   "value count: fewer and more values than allowed",
		schema: `feature { name: "f" type: FLOAT value_count { min: 2 max: 1 } }`,
		stats:  floatStats,
		// max < min is first repaired to max = min = 2: only "fewer". The
		// repair has no long description, so the unified one is the
		// other reason's.
		want:  map[string][]string{"f": {"INVALID_SCHEMA_SPECIFICATION", "FEATURE_TYPE_LOW_NUMBER_VALUES"}},
		desc:  map[string]string{"f": "Some examples have fewer values than expected."},
		short: map[string]string{"f": "Missing values"},
	}, {
		name:   "value count: more values",
		schema: `feature { name: "f" type: FLOAT value_count { min: 1 max: 1 } }`,
		stats:  floatStats,
		want:   map[string][]string{"f": {"FEATURE_TYPE_HIGH_NUMBER_VALUES"}},
		desc:   map[string]string{"f": "Some examples have more values than expected."},
	}, {
		name:   "shape: missing examples drop it",
		schema: `feature { name: "f" type: FLOAT shape { dim { size: 1 } } }`,
		stats:  floatStats,
		want:   map[string][]string{"f": {"INVALID_FEATURE_SHAPE"}},
	}, {
		name:   "type: no numeric widening",
		schema: `feature { name: "f" type: INT }`,
		stats:  floatStats,
		want:   map[string][]string{"f": {"UNEXPECTED_DATA_TYPE"}},
		desc:   map[string]string{"f": "Expected data of type: INT but got FLOAT"},
	}, {
		name:   "float domain: bounds, NaN",
		schema: `feature { name: "f" type: FLOAT float_domain { min: 0 max: 4 disallow_nan: true } }`,
		stats:  floatStats,
		want:   map[string][]string{"f": {"FLOAT_TYPE_HAS_NAN", "FLOAT_TYPE_SMALL_FLOAT", "FLOAT_TYPE_BIG_FLOAT"}},
		desc: map[string]string{"f": "Float feature has NaN values. Unexpectedly low values: -1<0(upto six significant digits) " +
			"Unexpectedly high value: 4.5>4(upto six significant digits)"},
	}, {
		name:   "float domain: NaN allowed by default, inclusive bounds",
		schema: `feature { name: "f" type: FLOAT float_domain { min: -1 max: 4.5 } }`,
		stats:  floatStats,
	}, {
		name:   "float domain: infinity when disallowed",
		schema: `feature { name: "f" type: FLOAT float_domain { disallow_inf: true } }`,
		stats: `num_examples: 1 features { name: "f" type: FLOAT num_stats {
			common_stats { num_non_missing: 1 min_num_values: 1 max_num_values: 1 } min: 0 max: inf } }`,
		want: map[string][]string{"f": {"FLOAT_TYPE_HAS_INF"}},
	}, {
		name:   "int domain: values outside",
		schema: `feature { name: "i" type: INT int_domain { min: 0 max: 10 } }`,
		stats: `num_examples: 2 features { name: "i" type: INT num_stats {
			common_stats { num_non_missing: 2 min_num_values: 1 max_num_values: 1 } min: -3 max: 11 } }`,
		want: map[string][]string{"i": {"INT_TYPE_SMALL_INT", "INT_TYPE_BIG_INT"}},
		desc: map[string]string{"i": "Unexpectedly small value: -3. Unexpectedly large value: 11."},
	}, {
		name:   "int domain on strings: a string that is no int",
		schema: `feature { name: "s" type: BYTES int_domain { } }`,
		stats: `num_examples: 2 features { name: "s" type: STRING string_stats {
			common_stats { num_non_missing: 2 min_num_values: 1 max_num_values: 1 }
			rank_histogram { buckets { label: "7" sample_count: 1 } buckets { label: "x7" sample_count: 1 } } } }`,
		want: map[string][]string{"s": {"INT_TYPE_NOT_INT_STRING"}},
		desc: map[string]string{"s": `String values that were not ints were found, such as "x7".`},
	}, {
		name: "string domain: share of values outside within min_domain_mass",
		schema: `feature { name: "s" type: BYTES string_domain { value: "a" } distribution_constraints { min_domain_mass: 0.5 } }
			feature { name: "t" type: BYTES string_domain { value: "a" } }`,
		stats: `num_examples: 400
			features { name: "s" type: STRING string_stats { common_stats { num_non_missing: 400 min_num_values: 1 max_num_values: 1 tot_num_values: 400 }
				rank_histogram { buckets { label: "a" sample_count: 399 } buckets { label: "b" sample_count: 1 } } } }
			features { name: "t" type: STRING string_stats { common_stats { num_non_missing: 400 min_num_values: 1 max_num_values: 1 tot_num_values: 400 }
				rank_histogram { buckets { label: "a" sample_count: 396 } buckets { label: "b\n" sample_count: 4 } } } }`,
		want: map[string][]string{"t": {"ENUM_TYPE_UNEXPECTED_STRING_VALUES"}},
		desc: map[string]string{"t": `Examples contain values missing from the schema: b\n (~1%). `},
	}, {
		name: "environments: a required feature missing in its environment only",
		schema: `default_environment: "TRAINING" default_environment: "SERVING"
			feature { name: "label" type: INT presence { min_count: 1 } not_in_environment: "SERVING" }
			feature { name: "old" type: INT presence { min_count: 1 } lifecycle_stage: DEPRECATED }
			feature { name: "opt" type: INT }`,
		stats: `num_examples: 1`,
		env:   "SERVING",
	}, {
		name: "environments: missing in training",
		schema: `default_environment: "TRAINING" default_environment: "SERVING"
			feature { name: "label" type: INT presence { min_count: 1 } not_in_environment: "SERVING" }`,
		stats: `num_examples: 1`,
		env:   "TRAINING",
		want:  map[string][]string{"label": {"SCHEMA_MISSING_COLUMN"}},
	}, {
		name:   "present but not in the environment",
		schema: `default_environment: "SERVING" feature { name: "label" type: INT not_in_environment: "SERVING" }`,
		stats: `num_examples: 1 features { name: "label" type: INT num_stats {
			common_stats { num_non_missing: 1 min_num_values: 1 max_num_values: 1 } } }`,
		env:  "SERVING",
		want: map[string][]string{"label": {"SCHEMA_NEW_COLUMN"}},
		desc: map[string]string{"label": "New column label found in data but not in the environment SERVING in the schema."},
	}, {
		name:   "required but never present",
		schema: `feature { name: "f" type: FLOAT presence { min_count: 1 } }`,
		stats:  `num_examples: 3 features { name: "f" type: FLOAT num_stats { common_stats { num_missing: 3 } } }`,
		want:   map[string][]string{"f": {"FEATURE_TYPE_NOT_PRESENT"}},
	}, {
		name:   "new column",
		schema: `feature { name: "f" type: FLOAT }`,
		stats: floatStats[:len(floatStats)] + ` features { name: "g" type: INT num_stats {
			common_stats { num_non_missing: 10 min_num_values: 1 max_num_values: 1 } min: 3 max: 4 } }`,
		want: map[string][]string{"g": {"SCHEMA_NEW_COLUMN"}},
		desc: map[string]string{"g": "New column (column in data but not in schema)"},
	}, {
		name:   "unique constraints",
		schema: `feature { name: "s" type: BYTES unique_constraints { min: 3 max: 5 } } feature { name: "f" type: FLOAT unique_constraints { min: 1 } }`,
		stats:  floatStats + ` features { name: "s" type: STRING string_stats { common_stats { num_non_missing: 10 min_num_values: 1 max_num_values: 1 } unique: 2 } }`,
		want:   map[string][]string{"s": {"FEATURE_TYPE_LOW_UNIQUE"}, "f": {"FEATURE_TYPE_NO_UNIQUE"}},
	}, {
		name:   "a domain that does not fit the type",
		schema: `feature { name: "f" type: FLOAT int_domain { min: 0 } }`,
		stats:  floatStats,
		want:   map[string][]string{"f": {"DOMAIN_INVALID_FOR_TYPE"}},
		desc:   map[string]string{"f": `The domain "int_domain" does not match the type: FLOAT`},
	}, {
		name:   "bool domain on ints beyond 1",
		schema: `feature { name: "b" type: INT bool_domain { } }`,
		stats: `num_examples: 2 features { name: "b" type: INT num_stats {
			common_stats { num_non_missing: 2 min_num_values: 1 max_num_values: 1 } min: 0 max: 2 } }`,
		want: map[string][]string{"b": {"BOOL_TYPE_BIG_INT"}},
		desc: map[string]string{"b": "Integers (such as 2) not in {0, 1}: converting to an integer."},
	}, {
		name:   "dataset size",
		schema: `feature { name: "f" type: FLOAT } dataset_constraints { min_examples_count: 11 }`,
		stats:  floatStats,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			an, err := ValidateStatistics(parseStats(t, tc.stats), parseSchema(t, tc.schema), Options{Environment: tc.env})
			if err != nil {
				t.Fatal(err)
			}
			for name := range an.GetAnomalyInfo() {
				if _, ok := tc.want[name]; !ok {
					t.Errorf("unexpected anomaly for %s: %v", name, an.GetAnomalyInfo()[name].GetDescription())
				}
			}
			for name, types := range tc.want {
				if got := reasonTypes(an, name); !slices.Equal(got, types) {
					t.Errorf("%s: reasons %v, want %v", name, got, types)
				}
				info := an.GetAnomalyInfo()[name]
				if info.GetSeverity() != tfmd.AnomalyInfo_ERROR {
					t.Errorf("%s: severity %v", name, info.GetSeverity())
				}
				wantShort, given := tc.short[name]
				if !given && len(types) > 1 {
					wantShort, given = "Multiple errors", true
				}
				if given && info.GetShortDescription() != wantShort {
					t.Errorf("%s: short description %q, want %q", name, info.GetShortDescription(), wantShort)
				}
			}
			for name, d := range tc.desc {
				if got := an.GetAnomalyInfo()[name].GetDescription(); got != d {
					t.Errorf("%s: description\n%q, want\n%q", name, got, d)
				}
			}
		})
	}
}

func TestValidateDatasetConstraints(t *testing.T) {
	an, err := ValidateStatistics(parseStats(t, floatStats),
		parseSchema(t, `feature { name: "f" type: FLOAT } dataset_constraints { min_examples_count: 11 }`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	info := an.GetDatasetAnomalyInfo()
	if info == nil || info.GetReason()[0].GetType() != tfmd.AnomalyInfo_DATASET_LOW_NUM_EXAMPLES ||
		info.GetDescription() != "The dataset has 10 examples, which is fewer than expected." {
		t.Errorf("dataset anomaly = %v", info)
	}
}

func TestValidateFixedSchema(t *testing.T) {
	schema := parseSchema(t, `
		feature { name: "f" type: FLOAT presence { min_count: 1 } float_domain { min: 0 max: 4 } }
		feature { name: "s" type: BYTES domain: "colors" }
		feature { name: "gone" type: INT presence { min_count: 1 } }
		string_domain { name: "colors" value: "red" }`)
	stats := parseStats(t, floatStats+`
		features { name: "s" type: STRING string_stats { common_stats { num_non_missing: 10 min_num_values: 1 max_num_values: 1 tot_num_values: 10 }
			rank_histogram { buckets { label: "red" sample_count: 8 } buckets { label: "blue" sample_count: 2 } } } }
		features { name: "n" type: INT num_stats { common_stats { num_non_missing: 10 min_num_values: 1 max_num_values: 1 } min: 0 max: 1 } }`)
	res, err := Validate(stats, schema, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Anomalies.GetAnomalyInfo()["s"].GetDescription(); got != "Examples contain values missing from the schema: blue (~20%). " {
		t.Errorf("s: %q", got)
	}
	wantProto(t, res.Fixed, `
		feature { name: "f" type: FLOAT presence { min_count: 1 } float_domain { min: -1 max: 4.5 } }
		feature { name: "s" type: BYTES domain: "colors" }
		feature { name: "gone" type: INT presence { min_count: 1 } lifecycle_stage: DEPRECATED }
		feature { name: "n" type: INT presence { min_fraction: 1 min_count: 1 } shape { dim { size: 1 } } bool_domain {} }
		string_domain { name: "colors" value: "red" value: "blue" }`)
	// The baseline is the schema as given.
	wantProto(t, res.Anomalies.GetBaseline(), `
		feature { name: "f" type: FLOAT presence { min_count: 1 } float_domain { min: 0 max: 4 } }
		feature { name: "s" type: BYTES domain: "colors" }
		feature { name: "gone" type: INT presence { min_count: 1 } }
		string_domain { name: "colors" value: "red" }`)
}

func TestValidateDataMissingAndErrors(t *testing.T) {
	schema := parseSchema(t, `default_environment: "TRAINING" feature { name: "f" type: FLOAT presence { min_count: 1 } }`)
	an, err := ValidateStatistics(parseStats(t, `num_examples: 0`), schema, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !an.GetDataMissing() || len(an.GetAnomalyInfo()) != 0 {
		t.Errorf("no examples: data_missing %v, %d anomalies", an.GetDataMissing(), len(an.GetAnomalyInfo()))
	}
	if _, err := ValidateStatistics(parseStats(t, floatStats), schema, Options{Environment: "SERVING"}); err == nil ||
		!strings.Contains(err.Error(), "Environment SERVING not found in the schema") {
		t.Errorf("unknown environment: err = %v", err)
	}
	if _, err := ValidateStatistics(parseStats(t, floatStats), nil, Options{}); err == nil {
		t.Error("nil schema: no error")
	}
}

func TestSkewAndDrift(t *testing.T) {
	hist := func(a, b, c float64) string {
		return `num_examples: 10 features { name: "bar" type: STRING string_stats {
			common_stats { num_non_missing: 10 min_num_values: 1 max_num_values: 1 }
			rank_histogram { buckets { label: "a" sample_count: ` + ftoa(a) + ` } buckets { label: "b" sample_count: ` + ftoa(b) + ` }
				buckets { label: "c" sample_count: ` + ftoa(c) + ` } } } }`
	}
	schema := parseSchema(t, `feature { name: "bar" type: BYTES
		drift_comparator { infinity_norm { threshold: 0.25 } }
		skew_comparator { normalized_abs_difference { threshold: 0.05 } jensen_shannon_divergence { threshold: 0.5 } } }`)
	opts := Options{Previous: parseStats(t, hist(5, 2, 3)), Serving: parseStats(t, hist(1, 2, 7))}
	an, err := ValidateStatistics(parseStats(t, hist(1, 2, 7)), schema, opts)
	if err != nil {
		t.Fatal(err)
	}
	// Drift: |0.1 − 0.5| = 0.4 at "a" > 0.25. Skew: identical data.
	if got := reasonTypes(an, "bar"); !slices.Equal(got, []string{"COMPARATOR_L_INFTY_HIGH"}) {
		t.Fatalf("reasons %v", got)
	}
	want := "The Linfty distance between current and previous is 0.4 (up to six significant digits), above the threshold 0.25. The feature value with maximum difference is: a"
	if got := an.GetAnomalyInfo()["bar"].GetDescription(); got != want {
		t.Errorf("description %q", got)
	}
	if len(an.GetDriftSkewInfo()) != 1 {
		t.Fatalf("drift_skew_info: %v", an.GetDriftSkewInfo())
	}
	dsi := an.GetDriftSkewInfo()[0]
	if len(dsi.GetDriftMeasurements()) != 1 || math.Abs(dsi.GetDriftMeasurements()[0].GetValue()-0.4) > 1e-12 {
		t.Errorf("drift measurements %v", dsi.GetDriftMeasurements())
	}
	if len(dsi.GetSkewMeasurements()) != 2 || dsi.GetSkewMeasurements()[0].GetValue() != 0 || dsi.GetSkewMeasurements()[1].GetValue() != 0 {
		t.Errorf("skew measurements %v", dsi.GetSkewMeasurements())
	}
	// Serving statistics without the feature: control data missing.
	opts.Serving = parseStats(t, `num_examples: 3`)
	an, err = ValidateStatistics(parseStats(t, hist(5, 2, 3)), schema, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := reasonTypes(an, "bar"); !slices.Equal(got, []string{"COMPARATOR_CONTROL_DATA_MISSING"}) {
		t.Errorf("missing control: reasons %v", got)
	}
}

func ftoa(x float64) string { return sixDigits(x) }

func TestDistances(t *testing.T) {
	tests := []struct {
		name     string
		a, b     map[string]float64
		linf     float64
		linfKey  string
		nad      float64
		jsd      float64
		jsdError bool
	}{
		{"empty", nil, nil, 0, "", 0, 0, true},
		{"same", map[string]float64{"x": 1, "y": 3}, map[string]float64{"x": 2, "y": 6}, 0, "y", 3.0 / 12, 0, false},
		// Ties report the last key in byte order.
		{"tie", map[string]float64{"a": 1}, map[string]float64{"b": 1}, 1, "b", 0.5, 1, false},
		{"missing in both", map[string]float64{"b": 0.9, "c": 0.1}, map[string]float64{"a": 0.3, "b": 0.7}, 0.3, "a", 0.15, 0.20904, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, k := LInfinityDistance(tc.a, tc.b)
			if math.Abs(d-tc.linf) > 1e-12 || k != tc.linfKey {
				t.Errorf("L-inf = %v at %q, want %v at %q", d, k, tc.linf, tc.linfKey)
			}
			if d, _ := NormalizedAbsoluteDifference(tc.a, tc.b); math.Abs(d-tc.nad) > 1e-12 {
				t.Errorf("normalized absolute difference = %v, want %v", d, tc.nad)
			}
			j, err := JensenShannonDivergence(tc.a, tc.b)
			if (err != nil) != tc.jsdError || math.Abs(j-tc.jsd) > 1e-4 {
				t.Errorf("JSD = %v, %v; want %v (error %v)", j, err, tc.jsd, tc.jsdError)
			}
		})
	}
}

func TestHistogramJSD(t *testing.T) {
	schema := parseSchema(t, `feature { name: "x" type: FLOAT drift_comparator { jensen_shannon_divergence { threshold: 0.1 } } }`)
	stats := func(buckets string) *tfmd.DatasetFeatureStatisticsList {
		return parseStats(t, `num_examples: 4 features { name: "x" type: FLOAT num_stats {
			common_stats { num_non_missing: 4 min_num_values: 1 max_num_values: 1 } histograms { type: STANDARD `+buckets+` } } }`)
	}
	// [0,2) vs [0,1)+[1,2) halves: the same uniform mass, divergence 0.
	an, err := ValidateStatistics(stats(`buckets { low_value: 0 high_value: 2 sample_count: 4 }`), schema,
		Options{Previous: stats(`buckets { low_value: 0 high_value: 1 sample_count: 2 } buckets { low_value: 1 high_value: 2 sample_count: 2 }`)})
	if err != nil {
		t.Fatal(err)
	}
	if m := an.GetDriftSkewInfo()[0].GetDriftMeasurements()[0]; m.GetValue() > 1e-12 || len(an.GetAnomalyInfo()) != 0 {
		t.Errorf("aligned equal mass: JSD %v, anomalies %v", m.GetValue(), an.GetAnomalyInfo())
	}
	// Disjoint support: divergence 1.
	an, err = ValidateStatistics(stats(`buckets { low_value: 0 high_value: 1 sample_count: 4 }`), schema,
		Options{Previous: stats(`buckets { low_value: 1 high_value: 2 sample_count: 4 }`)})
	if err != nil {
		t.Fatal(err)
	}
	if got := reasonTypes(an, "x"); !slices.Equal(got, []string{"COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH"}) {
		t.Errorf("disjoint: reasons %v", got)
	}
}

func TestFeatureLevelRules(t *testing.T) {
	fs := parseStats(t, floatStats).Datasets[0].Features[0]
	p := &tfmd.FeaturePresence{MinCount: proto.Int64(2), MinFraction: proto.Float64(0.75)}
	rs := UpdatePresence(fs, 10, p)
	if len(rs) != 1 || rs[0].Type != tfmd.AnomalyInfo_FEATURE_TYPE_LOW_FRACTION_PRESENT || p.GetMinFraction() != 0.7 || p.GetMinCount() != 2 {
		t.Errorf("presence: %v, fixed to %v", rs, p)
	}
	d := &tfmd.IntDomain{}
	if rs, clear := UpdateIntDomain(fs, d); len(rs) != 0 || clear {
		t.Errorf("int domain on a float feature: %v %v", rs, clear)
	}
	sd := &tfmd.StringDomain{Value: []string{"a"}}
	str := parseStats(t, `num_examples: 1 features { name: "s" type: STRING string_stats {
		common_stats { num_non_missing: 1 min_num_values: 1 max_num_values: 1 }
		rank_histogram { buckets { label: "b" sample_count: 1 } } } }`).Datasets[0].Features[0]
	rs, _ = UpdateStringDomain(str, 0, sd)
	if len(rs) != 1 || rs[0].Long != "Examples contain values missing from the schema: b (?). " || len(sd.Value) != 2 {
		t.Errorf("string domain without a value count: %v, domain %v", rs, sd.Value)
	}
}
