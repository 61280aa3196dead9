package metrics

import (
	"strings"
	"testing"

	"github.com/tfxc/tfxc/internal/pyfmt"
	"github.com/tfxc/tfxc/runtime/batch"
)

// oneRow builds a one-row batch: ints, floats (float32) or strings per
// column; a nil value is a missing feature.
func oneRow(cols map[string]any) *batch.Batch {
	b := &batch.Batch{}
	for name, v := range cols {
		switch x := v.(type) {
		case []int64:
			c := batch.NewColumn(name, batch.Int)
			c.AppendInts(x...)
			b.Columns = append(b.Columns, c)
		case []float32:
			c := batch.NewColumn(name, batch.Float)
			c.AppendFloats(x...)
			b.Columns = append(b.Columns, c)
		case []string:
			c := batch.NewColumn(name, batch.Bytes)
			c.AppendStrings(x...)
			b.Columns = append(b.Columns, c)
		case nil:
			c := batch.NewColumn(name, batch.Int)
			c.AppendMissing()
			b.Columns = append(b.Columns, c)
		}
	}
	return b
}

func keyNames(keys []SliceKey) string {
	var s []string
	for _, k := range keys {
		s = append(s, k.String())
	}
	return strings.Join(s, " | ")
}

func TestSliceKeys(t *testing.T) {
	row := oneRow(map[string]any{
		"age": []int64{5}, "gender": []string{"f"}, "interests": []string{"dogs", "cars", "dogs"},
		"score": []float32{0.5}, "company": nil,
	})
	for _, tt := range []struct {
		name  string
		specs []SliceSpec
		want  string
	}{
		{"overall", []SliceSpec{{}}, "Overall"},
		{"one column", []SliceSpec{{FeatureKeys: []string{"gender"}}}, "gender:f"},
		// Distinct values, sorted: a multivalent column gives one slice per
		// value, and duplicates count once.
		{"multivalent", []SliceSpec{{FeatureKeys: []string{"interests"}}}, "interests:cars | interests:dogs"},
		// A cross: the Cartesian product, columns sorted by name.
		{"cross", []SliceSpec{{FeatureKeys: []string{"interests", "age"}}}, "age_X_interests:5_X_cars | age_X_interests:5_X_dogs"},
		{"value match", []SliceSpec{{FeatureKeys: []string{"gender"}, FeatureValues: map[string]string{"age": "5"}}}, "age_X_gender:5_X_f"},
		{"value mismatch", []SliceSpec{{FeatureValues: map[string]string{"age": "6"}}}, ""},
		{"float value", []SliceSpec{{FeatureValues: map[string]string{"score": "0.5"}}}, "score:0.5"},
		{"float column", []SliceSpec{{FeatureKeys: []string{"score"}}}, "score:0.5"},
		// A missing or absent column yields no slice for that spec.
		{"missing column", []SliceSpec{{FeatureKeys: []string{"company"}}}, ""},
		{"absent column", []SliceSpec{{FeatureKeys: []string{"nope"}}, {}}, "Overall"},
		// The same key from two specs counts once.
		{"duplicate specs", []SliceSpec{{FeatureKeys: []string{"gender"}}, {FeatureValues: map[string]string{"gender": "f"}}, {}}, "Overall | gender:f"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := SliceKeys(tt.specs, row, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := keyNames(keys); got != tt.want {
				t.Errorf("keys %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSliceErrors(t *testing.T) {
	row := oneRow(map[string]any{"name": []string{"\xff"}})
	if _, err := SliceKeys([]SliceSpec{{FeatureKeys: []string{"name"}}}, row, 0); err == nil || !strings.Contains(err.Error(), "non-UTF8") {
		t.Errorf("non-UTF-8 value: %v", err)
	}
	spec := SliceSpec{FeatureKeys: []string{"a"}, FeatureValues: map[string]string{"a": "1"}}
	if _, err := New(Config{Metrics: []Spec{{Name: "example_count"}}, Slices: []SliceSpec{spec}}); err == nil || !strings.Contains(err.Error(), "both in feature_keys and in feature_values") {
		t.Errorf("overlapping spec: %v", err)
	}
}

func TestToTypeAndApplies(t *testing.T) {
	for in, want := range map[string]SliceValue{
		"5": IntValue(5), "-3": IntValue(-3), "0.5": FloatValue(0.5), "5.": FloatValue(5), "f": StringValue("f"), "1e5": StringValue("1e5"),
	} {
		if got := toType(in); got != want {
			t.Errorf("toType(%q) = %+v, want %+v", in, got, want)
		}
	}
	spec := SliceSpec{FeatureKeys: []string{"gender"}, FeatureValues: map[string]string{"age": "5"}}
	key := SliceKey{{"age", IntValue(5)}, {"gender", StringValue("f")}}
	if !spec.Applies(key) {
		t.Errorf("%+v does not apply to %s", spec, key)
	}
	if spec.Applies(SliceKey{{"gender", StringValue("f")}}) || spec.Applies(SliceKey{{"age", IntValue(6)}, {"gender", StringValue("f")}}) || spec.Applies(nil) {
		t.Error("spec applies to a key it cannot produce")
	}
	if !(SliceSpec{}).Applies(nil) {
		t.Error("the overall spec does not apply to the overall slice")
	}
	if got := pyfmt.Float(1e16) + " " + pyfmt.Float(0.0001) + " " + pyfmt.Float(1e-5) + " " + pyfmt.Float(3); got != "1e+16 0.0001 1e-05 3.0" {
		t.Errorf("pyFloat: %s", got)
	}
}
