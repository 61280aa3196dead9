package tfmd

import (
	"testing"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

func TestNamesAndNumbers(t *testing.T) {
	tests := []struct {
		got, want int32
		name      string
	}{
		{int32(AnomalyInfo_CUSTOM_VALIDATION), 86, "AnomalyInfo.CUSTOM_VALIDATION"},
		{int32(AnomalyInfo_BOOL_TYPE_INVALID_CONFIG), 88, "AnomalyInfo.BOOL_TYPE_INVALID_CONFIG"},
		{int32(FeatureType_FLOAT), 3, "FeatureType.FLOAT"},
		{int32(LifecycleStage_VALIDATION_DERIVED), 9, "LifecycleStage.VALIDATION_DERIVED"},
		{int32(FeatureNameStatistics_BYTES), 3, "FeatureNameStatistics.BYTES"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	if got := (&Schema{}).ProtoReflect().Descriptor().FullName(); got != "tensorflow.metadata.v0.Schema" {
		t.Errorf("Schema full name = %s", got)
	}
}

func TestStatisticsRoundTrip(t *testing.T) {
	stats := &DatasetFeatureStatisticsList{Datasets: []*DatasetFeatureStatistics{{
		Name:        "train",
		NumExamples: 3,
		Features: []*FeatureNameStatistics{{
			FieldId: &FeatureNameStatistics_Path{Path: &Path{Step: []string{"fare"}}},
			Type:    FeatureNameStatistics_FLOAT,
			Stats: &FeatureNameStatistics_NumStats{NumStats: &NumericStatistics{
				CommonStats: &CommonStatistics{NumNonMissing: 3, MinNumValues: 1, MaxNumValues: 1, AvgNumValues: 1},
				Mean:        2,
				Histograms:  []*Histogram{{Type: Histogram_QUANTILES, Buckets: []*Histogram_Bucket{{LowValue: 1, HighValue: 3, SampleCount: 3}}}},
			}},
		}},
	}}}
	for _, m := range []struct {
		marshal   func(proto.Message) ([]byte, error)
		unmarshal func([]byte, proto.Message) error
	}{{proto.Marshal, proto.Unmarshal}, {prototext.Marshal, prototext.Unmarshal}} {
		b, err := m.marshal(stats)
		if err != nil {
			t.Fatal(err)
		}
		var got DatasetFeatureStatisticsList
		if err := m.unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(stats, &got) {
			t.Errorf("round trip changed the statistics: %v", &got)
		}
	}
}
