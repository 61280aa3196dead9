package validate

import (
	"testing"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/pb/tfmd"
)

// parseSchema parses a text-format schema or fails the test.
func parseSchema(t *testing.T, text string) *tfmd.Schema {
	t.Helper()
	s := &tfmd.Schema{}
	if err := prototext.Unmarshal([]byte(text), s); err != nil {
		t.Fatalf("schema: %v", err)
	}
	return s
}

// parseStats parses one text-format DatasetFeatureStatistics into a list.
func parseStats(t *testing.T, text string) *tfmd.DatasetFeatureStatisticsList {
	t.Helper()
	ds := &tfmd.DatasetFeatureStatistics{}
	if err := prototext.Unmarshal([]byte(text), ds); err != nil {
		t.Fatalf("statistics: %v", err)
	}
	return &tfmd.DatasetFeatureStatisticsList{Datasets: []*tfmd.DatasetFeatureStatistics{ds}}
}

// reasonTypes returns the reason types of a feature's anomaly (nil when
// the feature has none).
func reasonTypes(an *tfmd.Anomalies, feature string) []string {
	info := an.GetAnomalyInfo()[feature]
	if info == nil {
		return nil
	}
	var out []string
	for _, r := range info.GetReason() {
		out = append(out, r.GetType().String())
	}
	return out
}

// wantProto fails the test unless got equals the text-format want.
func wantProto(t *testing.T, got proto.Message, want string) {
	t.Helper()
	w := got.ProtoReflect().New().Interface()
	if err := prototext.Unmarshal([]byte(want), w); err != nil {
		t.Fatalf("bad expected proto: %v", err)
	}
	if !proto.Equal(got, w) {
		g, _ := prototext.MarshalOptions{Multiline: true}.Marshal(got)
		t.Errorf("got\n%s\nwant\n%s", g, want)
	}
}
