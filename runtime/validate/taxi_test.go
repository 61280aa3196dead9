package validate

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/tfxc/tfxc/internal/taxitest"
	"github.com/tfxc/tfxc/pb/tfmd"
	"github.com/tfxc/tfxc/schema"
)

// TestTaxiSchema validates hand-built statistics of 100 taxi trips against
// the real TFX taxi schema: every feature present once per trip and inside
// its domain, except two companies the domain lacks and pickup_latitude,
// missing on 2 trips though the schema wants it everywhere.
func TestTaxiSchema(t *testing.T) {
	s, _, err := schema.Load(taxitest.Shared(t, "data/taxi/schema.pbtxt"))
	if err != nil {
		t.Fatal(err)
	}
	const n = 100
	ds := &tfmd.DatasetFeatureStatistics{Name: "train", NumExamples: n}
	for _, f := range s.Proto.GetFeature() {
		present := uint64(n)
		if f.GetName() == "pickup_latitude" {
			present = n - 2
		}
		fs := &tfmd.FeatureNameStatistics{FieldId: &tfmd.FeatureNameStatistics_Path{Path: &tfmd.Path{Step: []string{f.GetName()}}}}
		common := &tfmd.CommonStatistics{NumNonMissing: present, NumMissing: n - present,
			MinNumValues: 1, MaxNumValues: 1, AvgNumValues: 1, TotNumValues: present}
		switch f.GetType() {
		case tfmd.FeatureType_BYTES:
			fs.Type = tfmd.FeatureNameStatistics_STRING
			hist := &tfmd.RankHistogram{}
			add := func(label string, count float64) {
				hist.Buckets = append(hist.Buckets, &tfmd.RankHistogram_Bucket{Label: label, SampleCount: count})
			}
			dom := s.StringDomain(f).GetValue()
			if f.GetName() == "company" {
				// 96 trips of known companies, 3 of "Acme Cab", 1 of "Zed
				// Taxi".
				add(dom[0], 50)
				add(dom[1], 46)
				add("Acme Cab", 3)
				add("Zed Taxi", 1)
			} else {
				add(dom[0], n)
			}
			fs.Stats = &tfmd.FeatureNameStatistics_StringStats{StringStats: &tfmd.StringStatistics{
				CommonStats: common, Unique: uint64(len(hist.Buckets)), RankHistogram: hist}}
		case tfmd.FeatureType_INT:
			fs.Type = tfmd.FeatureNameStatistics_INT
			fs.Stats = &tfmd.FeatureNameStatistics_NumStats{NumStats: &tfmd.NumericStatistics{CommonStats: common, Min: 1, Max: 24}}
		case tfmd.FeatureType_FLOAT:
			fs.Type = tfmd.FeatureNameStatistics_FLOAT
			fs.Stats = &tfmd.FeatureNameStatistics_NumStats{NumStats: &tfmd.NumericStatistics{CommonStats: common, Min: -87.9, Max: 41.9}}
		}
		ds.Features = append(ds.Features, fs)
	}
	list := &tfmd.DatasetFeatureStatisticsList{Datasets: []*tfmd.DatasetFeatureStatistics{ds}}
	res, err := Validate(list, s.Proto, Options{})
	if err != nil {
		t.Fatal(err)
	}
	an := res.Anomalies
	if got := slices.Sorted(maps.Keys(an.GetAnomalyInfo())); !slices.Equal(got, []string{"company", "pickup_latitude"}) {
		t.Fatalf("anomalous features %v, want company and pickup_latitude", got)
	}
	company := an.GetAnomalyInfo()["company"]
	if got := reasonTypes(an, "company"); !slices.Equal(got, []string{"ENUM_TYPE_UNEXPECTED_STRING_VALUES"}) {
		t.Errorf("company: reasons %v", got)
	}
	if want := "Examples contain values missing from the schema: Acme Cab (~3%), Zed Taxi (~1%). "; company.GetDescription() != want {
		t.Errorf("company: %q, want %q", company.GetDescription(), want)
	}
	if company.GetShortDescription() != "Unexpected string values" || company.GetSeverity() != tfmd.AnomalyInfo_ERROR {
		t.Errorf("company: %q, %v", company.GetShortDescription(), company.GetSeverity())
	}
	lat := an.GetAnomalyInfo()["pickup_latitude"]
	if got := reasonTypes(an, "pickup_latitude"); !slices.Equal(got, []string{"FEATURE_TYPE_LOW_FRACTION_PRESENT"}) {
		t.Errorf("pickup_latitude: reasons %v", got)
	}
	if want := "The feature was present in fewer examples than expected: minimum fraction = 1.000000, actual = 0.980000"; lat.GetDescription() != want {
		t.Errorf("pickup_latitude: %q, want %q", lat.GetDescription(), want)
	}
	// The fixed schema accepts what was seen.
	fixed := res.Fixed
	if got := findFeature(fixed, []string{"pickup_latitude"}).GetPresence().GetMinFraction(); got != 0.98 {
		t.Errorf("fixed pickup_latitude min_fraction %v", got)
	}
	dom := findStringDomain(fixed, "company").GetValue()
	if !slices.Contains(dom, "Acme Cab") || !slices.Contains(dom, "Zed Taxi") || len(dom) != len(s.StringDomain(s.Feature("company")).GetValue())+2 {
		t.Errorf("fixed company domain lacks the new companies (%d values)", len(dom))
	}
	again, err := ValidateStatistics(list, fixed, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.GetAnomalyInfo()) != 0 {
		t.Errorf("the fixed schema still has anomalies: %v", Describe(again))
	}
	lines := Describe(an)
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "company: Unexpected string values: Examples contain values missing from the schema: Acme Cab (~3%)") ||
		!strings.HasPrefix(lines[1], "pickup_latitude: Column dropped: The feature was present in fewer examples") {
		t.Errorf("Describe = %q", lines)
	}
}
