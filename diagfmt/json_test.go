package diagfmt

import (
	"bufio"
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/tfxc/tfxc/lang"
)

func sampleDiagnostics() lang.Diagnostics {
	return lang.Diagnostics{
		{
			Code:     lang.EDuplicateName,
			Severity: lang.SeverityError,
			Range:    rng("dir/taxi.tfxl", 12, 5, 12, 12),
			Path:     "transform.fare_xf",
			Message:  "fare_xf is defined twice",
			Hint:     "rename one of them",
			Related:  []lang.Related{{Range: rng("dir/taxi.tfxl", 11, 5, 11, 12), Message: "first defined here"}},
		},
		{
			Code:     lang.WUnusedTransform,
			Severity: lang.SeverityWarning,
			Range:    rng("dir/taxi.tfxl", 13, 5, 13, 10),
			Path:     "transform.hour",
			Message:  `hour is never used <&> "quoted" é`,
		},
		{
			Code:     lang.ESchemaRead,
			Severity: lang.SeverityError,
			Range:    lang.Range{File: "schema.pbtxt"},
			Message:  "schema.pbtxt: no such file",
		},
	}
}

func TestJSONRoundTrip(t *testing.T) {
	ds := sampleDiagnostics()
	var b bytes.Buffer
	if err := JSON(&b, ds); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&b)
	var got []JSONDiagnostic
	for sc.Scan() {
		var j JSONDiagnostic
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&j); err != nil {
			t.Fatalf("line %d: %v: %s", len(got)+1, err, sc.Text())
		}
		got = append(got, j)
	}
	want := []JSONDiagnostic{
		{
			Code: "E0203", Name: "duplicate-name", Severity: "error", File: "dir/taxi.tfxl",
			StartLine: 12, StartCol: 5, EndLine: 12, EndCol: 12, Path: "transform.fare_xf",
			Message: "fare_xf is defined twice", Hint: "rename one of them",
			Related: []JSONRelated{{File: "dir/taxi.tfxl", Line: 11, Col: 5, Message: "first defined here"}},
		},
		{
			Code: "W0001", Name: "unused-transform", Severity: "warning", File: "dir/taxi.tfxl",
			StartLine: 13, StartCol: 5, EndLine: 13, EndCol: 10, Path: "transform.hour",
			Message: `hour is never used <&> "quoted" é`, Related: []JSONRelated{},
		},
		{
			Code: "E0400", Name: "schema-unreadable", Severity: "error", File: "schema.pbtxt",
			Message: "schema.pbtxt: no such file", Related: []JSONRelated{},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestJSONKeysAndOrder(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, sampleDiagnostics()[1:2]); err != nil {
		t.Fatal(err)
	}
	want := `{"code":"W0001","name":"unused-transform","severity":"warning","file":"dir/taxi.tfxl",` +
		`"start_line":13,"start_col":5,"end_line":13,"end_col":10,"path":"transform.hour",` +
		`"message":"hour is never used <&> \"quoted\" é","hint":"","related":[]}` + "\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestJSONEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, nil); err != nil {
		t.Fatal(err)
	}
	if b.Len() != 0 {
		t.Errorf("no diagnostics wrote %q", b.String())
	}
}
