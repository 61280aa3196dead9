package diagfmt

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tfxc/tfxc/lang"
)

func decodeSARIF(t *testing.T, ds lang.Diagnostics) (*SARIFLog, map[string]any) {
	t.Helper()
	var b bytes.Buffer
	if err := SARIF(&b, ds, "1.2.3"); err != nil {
		t.Fatal(err)
	}
	var log SARIFLog
	dec := json.NewDecoder(bytes.NewReader(b.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&log); err != nil {
		t.Fatalf("decode: %v\n%s", err, b.String())
	}
	var raw map[string]any
	if err := json.Unmarshal(b.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	return &log, raw
}

func TestSARIFStructure(t *testing.T) {
	ds := sampleDiagnostics()
	log, raw := decodeSARIF(t, ds)
	if raw["$schema"] != "https://json.schemastore.org/sarif-2.1.0.json" || raw["version"] != "2.1.0" {
		t.Errorf("$schema %v, version %v", raw["$schema"], raw["version"])
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(log.Runs))
	}
	run := log.Runs[0]
	d := run.Tool.Driver
	if d.Name != "tfxc" || d.Version != "1.2.3" || d.InformationURI != "https://github.com/tfxc/tfxc" {
		t.Errorf("driver %+v", d)
	}
	if run.ColumnKind != "unicodeCodePoints" {
		t.Errorf("columnKind %q", run.ColumnKind)
	}
	if len(run.Results) != len(ds) {
		t.Fatalf("%d results, want %d", len(run.Results), len(ds))
	}
	for i, r := range run.Results {
		if r.RuleID == "" || r.Level == "" || r.Message.Text == "" {
			t.Errorf("result %d lacks a required field: %+v", i, r)
		}
		if r.RuleIndex == nil || *r.RuleIndex < 0 || *r.RuleIndex >= len(d.Rules) {
			t.Fatalf("result %d: ruleIndex %v out of range", i, r.RuleIndex)
		}
		if rule := d.Rules[*r.RuleIndex]; rule.ID != r.RuleID {
			t.Errorf("result %d: ruleIndex %d is rule %s, ruleId is %s", i, *r.RuleIndex, rule.ID, r.RuleID)
		}
		if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation == nil || r.Locations[0].PhysicalLocation.Region == nil {
			t.Fatalf("result %d: locations %+v", i, r.Locations)
		}
		reg := r.Locations[0].PhysicalLocation.Region
		if reg.StartLine < 1 || reg.StartColumn < 1 || reg.EndLine < reg.StartLine ||
			(reg.EndLine == reg.StartLine && reg.EndColumn < reg.StartColumn) {
			t.Errorf("result %d: bad region %+v", i, reg)
		}
	}

	r0 := run.Results[0]
	if r0.RuleID != "E0203" || r0.Level != "error" {
		t.Errorf("result 0: %s %s", r0.RuleID, r0.Level)
	}
	if want := "fare_xf is defined twice — hint: rename one of them"; r0.Message.Text != want {
		t.Errorf("message %q, want %q", r0.Message.Text, want)
	}
	loc := r0.Locations[0]
	if a := loc.PhysicalLocation.ArtifactLocation; a.URI != "dir/taxi.tfxl" || a.URIBaseID != "%SRCROOT%" {
		t.Errorf("artifact %+v", a)
	}
	if reg := *loc.PhysicalLocation.Region; reg != (SARIFRegion{StartLine: 12, StartColumn: 5, EndLine: 12, EndColumn: 12}) {
		t.Errorf("region %+v", reg)
	}
	if len(loc.LogicalLocations) != 1 || loc.LogicalLocations[0].FullyQualifiedName != "transform.fare_xf" {
		t.Errorf("logical locations %+v", loc.LogicalLocations)
	}
	if len(r0.RelatedLocations) != 1 {
		t.Fatalf("related %+v", r0.RelatedLocations)
	}
	rel := r0.RelatedLocations[0]
	if rel.Message == nil || rel.Message.Text != "first defined here" || rel.PhysicalLocation == nil ||
		*rel.PhysicalLocation.Region != (SARIFRegion{StartLine: 11, StartColumn: 5, EndLine: 11, EndColumn: 12}) {
		t.Errorf("related location %+v", rel)
	}

	if r1 := run.Results[1]; r1.Level != "warning" || r1.Message.Text != ds[1].Message {
		t.Errorf("result 1: %+v", r1)
	}
	// An invalid position is line 1, column 1.
	if reg := *run.Results[2].Locations[0].PhysicalLocation.Region; reg != (SARIFRegion{1, 1, 1, 1}) {
		t.Errorf("invalid position region %+v", reg)
	}
}

func TestSARIFRules(t *testing.T) {
	log, _ := decodeSARIF(t, nil)
	rules := log.Runs[0].Tool.Driver.Rules
	codes := lang.Codes()
	if len(rules) != len(codes) {
		t.Errorf("%d rules for %d codes", len(rules), len(codes))
	}
	seen := map[string]int{}
	for _, r := range rules {
		seen[r.ID]++
	}
	for _, info := range codes {
		if seen[string(info.Code)] != 1 {
			t.Errorf("code %s is a rule %d times, want once", info.Code, seen[string(info.Code)])
		}
	}
	for i, info := range codes {
		if i >= len(rules) {
			break
		}
		r := rules[i]
		if r.ID != string(info.Code) || r.Name != info.Name || r.ShortDescription == nil ||
			r.ShortDescription.Text != info.Summary || r.DefaultConfiguration == nil ||
			r.DefaultConfiguration.Level != SARIFLevel(info.Severity) {
			t.Errorf("rule %d: %+v for %+v", i, r, info)
		}
		want := "https://github.com/tfxc/tfxc/blob/main/docs/diagnostics.md#" + strings.ToLower(string(info.Code))
		if r.HelpURI != want {
			t.Errorf("rule %s: helpUri %q, want %q", r.ID, r.HelpURI, want)
		}
	}
	if lvl := rules[0].DefaultConfiguration.Level; lvl != "error" {
		t.Errorf("first rule level %q", lvl)
	}
	if info, _ := lang.LookupCode("unused-transform"); SARIFLevel(info.Severity) != "warning" {
		t.Errorf("unused-transform level %q", SARIFLevel(info.Severity))
	}
	// No results is an empty array, not null: the run found nothing.
	if log.Runs[0].Results == nil {
		t.Errorf("results is null")
	}
}

func TestSARIFDeniedWarning(t *testing.T) {
	d := &lang.Diagnostic{Code: lang.WUnusedTransform, Severity: lang.SeverityError, Range: rng("a.tfxl", 1, 1, 1, 2), Message: "m"}
	log, _ := decodeSARIF(t, lang.Diagnostics{d})
	r := log.Runs[0].Results[0]
	if r.Level != "error" {
		t.Errorf("a denied warning is level %q, want error", r.Level)
	}
	if rule := log.Runs[0].Tool.Driver.Rules[*r.RuleIndex]; rule.DefaultConfiguration.Level != "warning" {
		t.Errorf("its rule's default level is %q", rule.DefaultConfiguration.Level)
	}
}

func TestSARIFUnknownCodeAndNoFile(t *testing.T) {
	d := &lang.Diagnostic{Code: "E9999", Severity: lang.SeverityError, Message: "m", Path: "model"}
	log, _ := decodeSARIF(t, lang.Diagnostics{d})
	r := log.Runs[0].Results[0]
	if r.RuleIndex != nil {
		t.Errorf("unknown code has ruleIndex %d", *r.RuleIndex)
	}
	if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation != nil || r.Locations[0].LogicalLocations[0].FullyQualifiedName != "model" {
		t.Errorf("locations %+v", r.Locations)
	}
}

func TestSARIFArtifactURIs(t *testing.T) {
	abs := "/home/me/my pipelines/taxi.tfxl"
	wantAbs := "file:///home/me/my%20pipelines/taxi.tfxl"
	if runtime.GOOS == "windows" {
		abs, wantAbs = `C:\me\taxi.tfxl`, "file:///C:/me/taxi.tfxl"
	}
	cases := []struct {
		file, uri, base string
	}{
		{"taxi.tfxl", "taxi.tfxl", "%SRCROOT%"},
		{"./examples/taxi/taxi.tfxl", "examples/taxi/taxi.tfxl", "%SRCROOT%"},
		{filepath.Join("examples", "taxi", "taxi.tfxl"), "examples/taxi/taxi.tfxl", "%SRCROOT%"},
		{"my dir/a#b.tfxl", "my%20dir/a%23b.tfxl", "%SRCROOT%"},
		{"a:b.tfxl", "./a:b.tfxl", "%SRCROOT%"},
		{abs, wantAbs, ""},
	}
	for _, c := range cases {
		a := artifact(c.file)
		if a.URI != c.uri || a.URIBaseID != c.base {
			t.Errorf("artifact(%q) = %+v, want {%s %s}", c.file, a, c.uri, c.base)
		}
	}
}

// TestHelpURIAnchors checks that every rule's helpUri points at an anchor
// of docs/diagnostics.md, the generated page the repository holds.
func TestHelpURIAnchors(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "diagnostics.md"))
	if err != nil {
		t.Fatalf("no docs/diagnostics.md: %v", err)
	}
	for _, r := range SARIFRules() {
		_, anchor, _ := strings.Cut(r.HelpURI, "#")
		if !bytes.Contains(doc, []byte(`id="`+anchor+`"`)) && !bytes.Contains(doc, []byte("\n## "+r.ID+" ")) {
			t.Errorf("docs/diagnostics.md has no anchor %q for %s", anchor, r.ID)
		}
	}
}
