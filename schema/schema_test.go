package schema

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfxc/tfxc/pb/tfmd"
)

// taxiSchema is the TFDV schema of the Chicago taxi sample, kept in the
// shared data folder beside the repository.
const taxiSchema = "../../shared/data/taxi/schema.pbtxt"

// needTaxi skips the test when the shared taxi data is absent, except in CI
// where it must be there.
func needTaxi(tb testing.TB) {
	tb.Helper()
	if _, err := os.Stat(taxiSchema); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("taxi schema missing in CI: %v", err)
		}
		tb.Skipf("taxi schema not available: %v", err)
	}
}

func TestLoadTaxi(t *testing.T) {
	needTaxi(t)
	s, issues, err := Load(taxiSchema)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(issues) != 0 {
		t.Errorf("issues = %v, want none", issues)
	}
	if got := len(s.Proto.GetFeature()); got != 18 {
		t.Errorf("features = %d, want 18", got)
	}
	full := 0
	for _, f := range s.Proto.GetFeature() {
		if f.GetPresence().GetMinFraction() == 1.0 {
			full++
		}
		if s.Feature(f.GetName()) != f {
			t.Errorf("Feature(%q) does not return the feature", f.GetName())
		}
		if p := s.Pos(f); !p.IsValid() || p.File != taxiSchema {
			t.Errorf("Pos(%q) = %v, want a position in %s", f.GetName(), p, taxiSchema)
		}
		if !s.InEnvironment(f, "") {
			t.Errorf("feature %q not in the empty environment", f.GetName())
		}
	}
	if full != 11 {
		t.Errorf("features with presence.min_fraction 1.0 = %d, want 11", full)
	}
	for _, tc := range []struct {
		feature string
		values  int
	}{{"company", 52}, {"payment_type", 7}} {
		f := s.Feature(tc.feature)
		if f.GetDomain() != tc.feature {
			t.Errorf("%s: domain = %q, want a reference to %q", tc.feature, f.GetDomain(), tc.feature)
		}
		d := s.StringDomain(f)
		if d.GetName() != tc.feature {
			t.Fatalf("StringDomain(%s) = %v, want the top-level domain %q", tc.feature, d, tc.feature)
		}
		if len(d.GetValue()) == 0 {
			t.Errorf("StringDomain(%s) has no values", tc.feature)
		}
	}
	if got, want := s.Pos(s.Feature("company")), (Position{taxiSchema, 2, 3}); got != want {
		t.Errorf("Pos(company) = %v, want %v", got, want)
	}
	if got, want := s.Pos(s.Feature("tips")), (Position{taxiSchema, 126, 3}); got != want {
		t.Errorf("Pos(tips) = %v, want %v", got, want)
	}
	if d := s.StringDomain(s.Feature("fare")); d != nil {
		t.Errorf("StringDomain(fare) = %v, want nil", d)
	}
	if f := s.Feature("no_such_feature"); f != nil {
		t.Errorf("Feature(no_such_feature) = %v, want nil", f)
	}
}

func TestUnknownFields(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		want     []Issue
		features []string // names of the features that must still load
	}{
		{
			name:     "top level",
			src:      "generate_legacy_feature_spec: false\nfeature { name: \"a\" type: INT }\n",
			want:     []Issue{{Line: 1, Col: 1, Path: "generate_legacy_feature_spec"}},
			features: []string{"a"},
		},
		{
			name: "nested message with tricky string",
			src: `feature {
  name: "a"
  future_domain { x: 1 y < z: "} >\"" > }
  type: INT
}
`,
			want:     []Issue{{Line: 3, Col: 3, Path: "feature[0].future_domain"}},
			features: []string{"a"},
		},
		{
			name: "indexed path",
			src: `feature { name: "a" } feature { name: "b" }
feature { name: "c" }
feature { name: "d"  some_option: 3  type: FLOAT }`,
			want:     []Issue{{Line: 3, Col: 22, Path: "feature[3].some_option"}},
			features: []string{"a", "b", "c", "d"},
		},
		{
			name:     "list syntax for messages counts elements",
			src:      "feature: [{ name: \"a\" }, { name: \"b\" x: 'y' }]",
			want:     []Issue{{Line: 1, Col: 38, Path: "feature[1].x"}},
			features: []string{"a", "b"},
		},
		{
			name:     "extension",
			src:      "feature {\n name: \"a\"\n [com.example.ext] { a: 1 }\n}",
			want:     []Issue{{Line: 3, Col: 2, Path: "feature[0].[com.example.ext]"}},
			features: []string{"a"},
		},
		{
			name:     "field number and scalar list, with separators",
			src:      "99: 5; tags: [\"a\", 'b'], feature { name: \"a\"; type: BYTES; }",
			want:     []Issue{{Line: 1, Col: 1, Path: "99"}, {Line: 1, Col: 8, Path: "tags"}},
			features: []string{"a"},
		},
		{
			name: "struct domain",
			src: `feature {
  name: "s"
  type: STRUCT
  struct_domain {
    feature { name: "x" }
    feature <
      name: "y"
      hint: "z"
    >
  }
}`,
			want:     []Issue{{Line: 8, Col: 7, Path: "feature[0].struct_domain.feature[1].hint"}},
			features: []string{"s"},
		},
		{
			name:     "unknown Any type",
			src:      "annotation { tag: \"t\" extra_metadata { [type.googleapis.com/foo.Bar] { x: 1 } } }\nfeature { name: \"a\" }",
			want:     []Issue{{Line: 1, Col: 40, Path: "annotation.extra_metadata[0].[type.googleapis.com/foo.Bar]"}},
			features: []string{"a"},
		},
		{
			name:     "extension as the first token",
			src:      "[com.example.top] { a: 1 }\nfeature { name: \"a\" }",
			want:     []Issue{{Line: 1, Col: 1, Path: "[com.example.top]"}},
			features: []string{"a"},
		},
		{
			name:     "known Any type",
			src:      "annotation { extra_metadata { [type.googleapis.com/tensorflow.metadata.v0.Path] { step: \"x\" } } }\nfeature { name: \"a\" }",
			features: []string{"a"},
		},
		{
			name:     "multibyte text before the unknown field",
			src:      "feature { name: \"é\" extra: \"ü\" type: INT }",
			want:     []Issue{{Line: 1, Col: 22, Path: "feature[0].extra"}},
			features: []string{"é"},
		},
		{
			name:     "comments",
			src:      "# c {\nfeature { # } \n name: \"a\" # }\n x: 1 # ]\n}",
			want:     []Issue{{Line: 4, Col: 2, Path: "feature[0].x"}},
			features: []string{"a"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, issues, err := Parse("s.pbtxt", []byte(tc.src))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			for i := range tc.want {
				tc.want[i].File = "s.pbtxt"
			}
			ignoreMsg := cmp.Transformer("noMsg", func(i Issue) Issue { i.Msg = ""; return i })
			if diff := cmp.Diff(tc.want, issues, ignoreMsg); diff != "" {
				t.Errorf("issues (-want +got):\n%s", diff)
			}
			for _, i := range issues {
				if !strings.Contains(i.Msg, "ignored") {
					t.Errorf("issue message %q does not say the field is ignored", i.Msg)
				}
			}
			var got []string
			for _, f := range s.Proto.GetFeature() {
				got = append(got, f.GetName())
			}
			if diff := cmp.Diff(tc.features, got); diff != "" {
				t.Errorf("features (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnknownFieldsKeepOtherValues(t *testing.T) {
	src := `feature {
  name: "a"
  new_thing { deep { deeper: [1, 2, 3] } }
  type: INT
  int_domain { min: 1 max: 9 }
  presence { min_fraction: 1.0 }
  not_in_environment: "SERVING"
}`
	s, issues, err := Parse("s.pbtxt", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(issues) != 1 {
		t.Fatalf("issues = %v, want one", issues)
	}
	f := s.Feature("a")
	if f.GetType() != tfmd.FeatureType_INT || f.GetIntDomain().GetMax() != 9 ||
		f.GetPresence().GetMinFraction() != 1 || f.GetNotInEnvironment()[0] != "SERVING" {
		t.Errorf("feature lost values: %v", f)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		line, col int
		msg       string // a part of the message
	}{
		{"bad enum name", "feature {\n  name: \"a\"\n  type: BYTEZ\n}", 3, 9, "invalid value BYTEZ for feature[0].type"},
		{"bad enum number", "feature { name: \"a\" type: 9 }", 1, 27, "invalid value 9"},
		{"bad enum in list", "feature { name: \"a\" lifecycle_stage: [BOGUS] }", 1, 39, "invalid value BOGUS"},
		{"list for a singular field", "feature { name: \"a\" lifecycle_stage: [BETA] }", 1, 38, "unexpected token"},
		{"bad enum after unknown multibyte field", "feature { x: \"ééé\" name: \"a\" type: NOPE }", 1, 39, "invalid value NOPE"},
		{"duplicate feature", "feature { name: \"a\" }\nfeature {\n  name: \"a\"\n}", 3, 3, `duplicate feature name "a" (first declared at 1:11)`},
		{"duplicate nested feature", "feature { name: \"s\" struct_domain { feature { name: \"x\" } feature { name: \"x\" } } }", 1, 69, `duplicate feature name "x"`},
		{"missing domain", "feature {\n  name: \"a\"\n  type: BYTES\n  domain: \"nope\"\n}", 4, 3, `refers to domain "nope"`},
		{"duplicate string domain", "string_domain { name: \"d\" }\nstring_domain { name: \"d\" }", 2, 17, `duplicate string_domain name "d"`},
		{"feature without name", "feature { type: INT }", 1, 1, "feature[0] has no name"},
		{"unclosed message", "feature {\n  name: \"a\"\n", 1, 9, "never closed"},
		{"unclosed unknown message", "feature { name: \"a\" } x {", 1, 25, "never closed"},
		{"mismatched close", "feature { name: \"a\" >", 1, 21, "unexpected '>'"},
		{"stray close", "}", 1, 1, "unexpected '}'"},
		{"unterminated string", "feature { name: \"a }", 1, 17, "string is not closed"},
		{"json", "{\"feature\": [{\"name\": \"a\"}]}", 1, 1, "looks like JSON"},
		{"json list", "  [{\"name\": \"a\"}]", 1, 3, "looks like JSON"},
		{"graphdef", "node {\n  name: \"c\"\n  op: \"Const\"\n}\nversions { producer: 1 }\n", 1, 1, "no top-level field belongs to a TFMD Schema (found node, versions)"},
		{"binary", "\n\nfoo\x00\x03\xff", 3, 4, "looks binary"},
		{"invalid utf-8", "feature { name: \"\xff\" }", 1, 18, "looks binary"},
		{"repeated singular field", "feature { name: \"a\"\n  value_count { min: 1 min: 2 } }", 2, 24, `non-repeated field "min" is repeated`},
		{"oneof set twice", "string_domain { name: \"d\" }\nfeature { name: \"a\" domain: \"d\" string_domain { value: \"x\" } }", 2, 33, "oneof"},
		{"message for a scalar", "feature { name { x: 1 } }", 1, 16, "expected a value"},
		{"scalar for a message", "feature { name: \"a\" presence: 1 }", 1, 31, "expected '{' or '<'"},
		{"bad number", "feature { name: \"a\" value_count { min: 1.5.6 } }", 1, 40, "invalid scalar value"},
		{"missing value", "feature { name: }", 1, 17, "expected a value"},
		{"bad field name", "feature { name: \"a\" } @", 1, 23, "expected a field name"},
		{"too deep", strings.Repeat("x {", maxDepth+5), 1, 3 * (maxDepth + 1), "nest more than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _, err := Parse("bad.pbtxt", []byte(tc.src))
			if err == nil {
				t.Fatalf("Parse succeeded (%v), want an error", s.Proto)
			}
			if s != nil {
				t.Errorf("Parse returned a schema with its error")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			got := Position{e.File, e.Line, e.Col}
			if want := (Position{"bad.pbtxt", tc.line, tc.col}); got != want {
				t.Errorf("error at %v, want %v: %v", got, want, err)
			}
			if !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("message %q does not contain %q", e.Msg, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), "bad.pbtxt:") {
				t.Errorf("error %q does not start with the file name", err)
			}
		})
	}
}

func TestErrorsAreAllReported(t *testing.T) {
	src := "feature { name: \"a\" domain: \"x\" }\nfeature { name: \"a\" }\nfeature { name: \"b\" domain: \"y\" }"
	_, _, err := Parse("m.pbtxt", []byte(src))
	if err == nil {
		t.Fatal("Parse succeeded, want errors")
	}
	var lines []int
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		lines = append(lines, e.(*Error).Line)
	}
	if diff := cmp.Diff([]int{1, 2, 3}, lines); diff != "" {
		t.Errorf("error lines (-want +got):\n%s", diff)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	graph := write("graph.pbtxt", "node { name: \"x\" op: \"Placeholder\" attr { key: \"dtype\" value { type: DT_FLOAT } } }\n")
	binary := write("saved_model.pb", "\x08\x01\x12\x0c\x1a\x05serve\x00")
	tests := []struct {
		name   string
		path   string
		line   int
		is     error
		substr string
	}{
		{"missing", filepath.Join(dir, "nope.pbtxt"), 0, fs.ErrNotExist, "no such file"},
		{"directory", dir, 0, nil, "is a directory"},
		{"graphdef", graph, 1, nil, "is this a schema.pbtxt"},
		{"binary", binary, 1, nil, "looks binary"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Load(tc.path)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Load error = %v (%T), want an *Error", err, err)
			}
			if e.File != tc.path || e.Line != tc.line {
				t.Errorf("error at %s:%d, want %s:%d", e.File, e.Line, tc.path, tc.line)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.substr) {
				t.Errorf("error %q does not contain %q", err, tc.substr)
			}
		})
	}
}

func TestEnvironments(t *testing.T) {
	const withDefaults = `
default_environment: "TRAINING"
default_environment: "SERVING"
feature { name: "fare" }
feature { name: "tips" not_in_environment: "SERVING" }
feature { name: "debug" in_environment: "DEBUG" }
feature { name: "both" in_environment: "SERVING" not_in_environment: "SERVING" }
`
	const noDefaults = `
feature { name: "fare" }
feature { name: "tips" not_in_environment: "SERVING" }
feature { name: "live" in_environment: "SERVING" }
`
	tests := []struct {
		src, feature, env string
		want              bool
	}{
		{withDefaults, "fare", "TRAINING", true},
		{withDefaults, "fare", "SERVING", true},
		{withDefaults, "fare", "", true},
		{withDefaults, "fare", "DEBUG", false},
		{withDefaults, "tips", "TRAINING", true},
		{withDefaults, "tips", "SERVING", false},
		{withDefaults, "tips", "", true},
		{withDefaults, "debug", "DEBUG", true},
		{withDefaults, "debug", "SERVING", true},
		{withDefaults, "both", "SERVING", true}, // in_environment wins, as in TFDV
		{noDefaults, "fare", "SERVING", false},
		{noDefaults, "fare", "", true},
		{noDefaults, "tips", "SERVING", false},
		{noDefaults, "live", "SERVING", true},
	}
	for _, tc := range tests {
		s, _, err := Parse("env.pbtxt", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		if got := s.InEnvironment(s.Feature(tc.feature), tc.env); got != tc.want {
			t.Errorf("InEnvironment(%s, %q) = %v, want %v", tc.feature, tc.env, got, tc.want)
		}
	}
	s, _, _ := Parse("env.pbtxt", []byte(withDefaults))
	if diff := cmp.Diff([]string{"DEBUG", "SERVING", "TRAINING"}, s.Environments()); diff != "" {
		t.Errorf("Environments (-want +got):\n%s", diff)
	}
}

func TestDomains(t *testing.T) {
	src := `
feature { name: "inline_str" string_domain { value: "x" value: "y" } }
feature { name: "ref_str" domain: "colors" }
feature { name: "ref_int" domain: "hours" }
feature { name: "ref_float" domain: "ratio" }
feature { name: "inline_int" int_domain { min: 0 max: 3 } }
feature { name: "none" }
string_domain { name: "colors" value: "red" }
int_domain { name: "hours" min: 0 max: 23 }
float_domain { name: "ratio" min: 0 max: 1 }
`
	s, issues, err := Parse("d.pbtxt", []byte(src))
	if err != nil || len(issues) != 0 {
		t.Fatalf("Parse: %v %v", err, issues)
	}
	str := func(f string) []string { return s.StringDomain(s.Feature(f)).GetValue() }
	tests := []struct {
		feature string
		str     []string
		intMax  int64
		floatOK bool
	}{
		{"inline_str", []string{"x", "y"}, 0, false},
		{"ref_str", []string{"red"}, 0, false},
		{"ref_int", nil, 23, false},
		{"ref_float", nil, 0, true},
		{"inline_int", nil, 3, false},
		{"none", nil, 0, false},
	}
	for _, tc := range tests {
		f := s.Feature(tc.feature)
		if diff := cmp.Diff(tc.str, str(tc.feature)); diff != "" {
			t.Errorf("%s: string domain values (-want +got):\n%s", tc.feature, diff)
		}
		if got := s.IntDomain(f).GetMax(); got != tc.intMax {
			t.Errorf("%s: int domain max = %d, want %d", tc.feature, got, tc.intMax)
		}
		if got := s.FloatDomain(f) != nil; got != tc.floatOK {
			t.Errorf("%s: has float domain = %v, want %v", tc.feature, got, tc.floatOK)
		}
	}
}

func TestPositions(t *testing.T) {
	src := "feature {\n  type: STRUCT\n  name: \"s\"\n  struct_domain {\n    feature { name: \"x\" }\n  }\n}\n"
	s, _, err := Parse("p.pbtxt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	top := s.Feature("s")
	nested := top.GetStructDomain().GetFeature()[0]
	if got, want := s.Pos(top), (Position{"p.pbtxt", 3, 3}); got != want {
		t.Errorf("Pos(s) = %v, want %v", got, want)
	}
	if got, want := s.Pos(nested), (Position{"p.pbtxt", 5, 15}); got != want {
		t.Errorf("Pos(s.x) = %v, want %v", got, want)
	}
	if got := s.Pos(&tfmd.Feature{}); got.IsValid() {
		t.Errorf("Pos(foreign feature) = %v, want invalid", got)
	}
	if got, want := s.Pos(nested).String(), "p.pbtxt:5:15"; got != want {
		t.Errorf("Position.String = %q, want %q", got, want)
	}
}

func TestEmptySchemaWarns(t *testing.T) {
	s, issues, err := Parse("e.pbtxt", []byte("# nothing here\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s == nil || len(issues) != 1 || !strings.Contains(issues[0].Msg, "no features") {
		t.Errorf("issues = %v, want one saying the schema declares no features", issues)
	}
}

func TestMessages(t *testing.T) {
	e := &Error{File: "a.pbtxt", Line: 3, Col: 4, Msg: "bad"}
	if got, want := e.Error(), "a.pbtxt:3:4: bad"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e = &Error{File: "a.pbtxt", Msg: "bad"}
	if got, want := e.Error(), "a.pbtxt: bad"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	i := Issue{File: "a.pbtxt", Line: 1, Col: 2, Path: "feature[0].x", Msg: "ignored"}
	if got, want := i.String(), "a.pbtxt:1:2: warning: feature[0].x: ignored"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func BenchmarkParseTaxi(b *testing.B) {
	needTaxi(b)
	src, err := os.ReadFile(taxiSchema)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Parse(taxiSchema, src); err != nil {
			b.Fatal(err)
		}
	}
}
