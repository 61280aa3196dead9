package lang

import "testing"

func TestSuggest(t *testing.T) {
	names := []string{"trip_miles", "trip_seconds", "fare", "tips", "payment_type"}
	for in, want := range map[string]string{
		"trip_mils":   "trip_miles",
		"fair":        "fare",
		"tpis":        "tips", // a transposition costs one edit
		"paymnet_typ": "payment_type",
		"xyz":         "",
		"fare":        "", // an exact name needs no suggestion
	} {
		if got := Suggest(in, names); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTypeString(t *testing.T) {
	for typ, want := range map[Type]string{
		{Kind: Int, Optional: true}: "optional int",
		CategoryOf(1010):            "category(1010)",
		CategoryOf(0):               "category(?)",
		ListOf(String):              "list(string)",
		VectorOf(Float, 2):          "vector(float, 2)",
	} {
		if got := typ.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", typ, got, want)
		}
	}
	if got := Set(Int, Float, String).String(); got != "int, float or string" {
		t.Errorf("KindSet string %q", got)
	}
}

func TestCodesAreUnique(t *testing.T) {
	codes, names := map[Code]bool{}, map[string]bool{}
	for _, info := range Codes() {
		if codes[info.Code] || names[info.Name] {
			t.Errorf("%s %s is listed twice", info.Code, info.Name)
		}
		codes[info.Code], names[info.Name] = true, true
		if (info.Code[0] == 'W') != (info.Severity == SeverityWarning) {
			t.Errorf("%s has severity %s", info.Code, info.Severity)
		}
	}
}

func TestPolicyNeverDropsErrors(t *testing.T) {
	ds := Diagnostics{
		{Code: EUnknownFeature, Severity: SeverityError},
		{Code: WUnusedTransform, Severity: SeverityWarning},
	}
	got := Policy{Allow: map[string]bool{"unknown-feature": true, "unused-transform": true}}.Apply(ds)
	if len(got) != 1 || got[0].Code != EUnknownFeature {
		t.Errorf("allow dropped an error or kept a warning: %v", got)
	}
	got = Policy{Deny: map[string]bool{"W0001": true}}.Apply(ds)
	if got[1].Severity != SeverityError || ds[1].Severity != SeverityWarning {
		t.Errorf("deny: %v (the input must not change)", got[1].Severity)
	}
}
