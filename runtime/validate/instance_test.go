package validate

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/tfxc/tfxc/pb/tfmd"
	"github.com/tfxc/tfxc/runtime/batch"
)

// trips is a batch of four examples: company is missing on row 2 and
// unknown on row 3, fare holds an empty list on row 1 and a NaN on row 3.
func trips() *batch.Batch {
	company := batch.NewColumn("company", batch.Bytes)
	company.AppendStrings("Acme")
	company.AppendStrings("Acme")
	company.AppendMissing()
	company.AppendStrings("Zed")
	fare := batch.NewColumn("fare", batch.Float)
	fare.AppendFloats(3.5)
	fare.AppendFloats()
	fare.AppendFloats(1, 2)
	fare.AppendFloats(float32(math.NaN()))
	return &batch.Batch{Columns: []*batch.Column{company, fare}}
}

const tripsSchema = `
	feature { name: "company" type: BYTES domain: "company" presence { min_count: 1 min_fraction: 1 } value_count { min: 1 max: 1 } }
	feature { name: "fare" type: FLOAT value_count { min: 1 max: 1 } float_domain { min: 0 disallow_nan: true } }
	string_domain { name: "company" value: "Acme" }`

func TestBatchStatistics(t *testing.T) {
	ds, err := BatchStatistics(trips(), nil)
	if err != nil {
		t.Fatal(err)
	}
	wantProto(t, ds, `num_examples: 4
		features { path { step: "company" } type: STRING string_stats {
			common_stats { num_non_missing: 3 num_missing: 1 min_num_values: 1 max_num_values: 1 avg_num_values: 1 tot_num_values: 3 }
			unique: 2 avg_length: 3.6666667
			rank_histogram { buckets { label: "Acme" sample_count: 2 } buckets { low_rank: 1 high_rank: 1 label: "Zed" sample_count: 1 } } } }
		features { path { step: "fare" } type: FLOAT num_stats {
			common_stats { num_non_missing: 4 min_num_values: 0 max_num_values: 2 avg_num_values: 1 tot_num_values: 4 }
			mean: 2.1666666666666665 min: 1 max: 3.5
			histograms { num_nan: 1 buckets { low_value: 1 high_value: 3.5 sample_count: 3 } } } }`)
	ds, err = BatchStatistics(trips(), []int{2})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.GetFeatures()) != 1 || ds.GetFeatures()[0].GetPath().GetStep()[0] != "fare" {
		t.Errorf("row 2 alone: features %v (company is missing there)", ds.GetFeatures())
	}
	if _, err := BatchStatistics(trips(), []int{4}); err == nil {
		t.Error("row out of range: no error")
	}
}

func TestValidateInstance(t *testing.T) {
	schema := parseSchema(t, tripsSchema)
	// Over all rows: the unknown company, company missing somewhere (a
	// dataset-level type, filtered out), fare's value counts and NaN.
	an, err := ValidateInstance(trips(), nil, schema, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := reasonTypes(an, "company"); !slices.Equal(got, []string{"ENUM_TYPE_UNEXPECTED_STRING_VALUES"}) {
		t.Errorf("company: %v", got)
	}
	info := an.GetAnomalyInfo()["company"]
	if info.GetShortDescription() != "Unexpected string values" || info.GetDescription() != "Examples contain values missing from the schema: Zed (~33%). " {
		t.Errorf("company descriptions rebuilt from the kept reason: %q / %q", info.GetShortDescription(), info.GetDescription())
	}
	if got := reasonTypes(an, "fare"); !slices.Equal(got, []string{"FEATURE_TYPE_LOW_NUMBER_VALUES", "FEATURE_TYPE_HIGH_NUMBER_VALUES", "FLOAT_TYPE_HAS_NAN"}) {
		t.Errorf("fare: %v", got)
	}
	// Row 2 alone lacks company: a missing column, which is kept.
	an, err = ValidateInstance(trips(), []int{2}, schema, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := reasonTypes(an, "company"); !slices.Equal(got, []string{"SCHEMA_MISSING_COLUMN"}) {
		t.Errorf("row 2: company %v", got)
	}
	// Row 0 is clean.
	if an, err = ValidateInstance(trips(), []int{0}, schema, ""); err != nil || len(an.GetAnomalyInfo()) != 0 {
		t.Errorf("row 0: %v, %v", Describe(an), err)
	}
}

func TestIdentifyAnomalousExamples(t *testing.T) {
	got, err := IdentifyAnomalousExamples(trips(), parseSchema(t, tripsSchema), "")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range got {
		lines = append(lines, e.Key+"@"+string(rune('0'+e.Row)))
	}
	want := []string{
		"fare_FEATURE_TYPE_LOW_NUMBER_VALUES@1",
		"fare_FEATURE_TYPE_HIGH_NUMBER_VALUES@2", "company_SCHEMA_MISSING_COLUMN@2",
		"company_ENUM_TYPE_UNEXPECTED_STRING_VALUES@3", "fare_FLOAT_TYPE_HAS_NAN@3",
	}
	// Keys are sorted within a row.
	want[1], want[2] = want[2], want[1]
	if strings.Join(lines, " ") != strings.Join(want, " ") {
		t.Errorf("got %q\nwant %q", lines, want)
	}
}

func TestDescribe(t *testing.T) {
	if Describe(nil) != nil {
		t.Error("Describe(nil) has lines")
	}
	an := &tfmd.Anomalies{DataMissing: newBool(true)}
	if got := Describe(an); len(got) != 1 || got[0] != "the dataset has no examples" {
		t.Errorf("data missing: %q", got)
	}
	an, err := ValidateStatistics(parseStats(t, floatStats), parseSchema(t, `feature { name: "f" type: FLOAT float_domain { max: 4 }
		drift_comparator { infinity_norm { threshold: 0.1 } } }`), Options{Previous: parseStats(t, floatStats)})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"f: Out-of-range values: Unexpectedly high value: 4.5>4(upto six significant digits)",
		"f: drift L_INFTY 0 (threshold 0.1)",
	}
	if got := Describe(an); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Describe =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func newBool(b bool) *bool { return &b }
