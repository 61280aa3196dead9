package validate

import (
	"strings"
	"testing"
)

func TestInferSchema(t *testing.T) {
	tests := []struct {
		name  string
		opts  InferOptions
		stats string
		want  string
	}{{
		name: "int 0/1 is a bool",
		stats: `num_examples: 4 features { name: "b" type: INT num_stats {
			common_stats { num_non_missing: 4 min_num_values: 1 max_num_values: 1 } min: 0 max: 1 } }`,
		want: `feature { name: "b" type: INT presence { min_fraction: 1 min_count: 1 }
			shape { dim { size: 1 } } bool_domain {} }`,
	}, {
		name: "int with max 2 has no domain",
		stats: `num_examples: 4 features { name: "i" type: INT num_stats {
			common_stats { num_non_missing: 4 min_num_values: 1 max_num_values: 1 } min: 0 max: 2 } }`,
		want: `feature { name: "i" type: INT presence { min_fraction: 1 min_count: 1 } shape { dim { size: 1 } } }`,
	}, {
		name: "true/false strings are a bool",
		stats: `num_examples: 3 features { name: "s" type: STRING string_stats {
			common_stats { num_non_missing: 2 num_missing: 1 min_num_values: 1 max_num_values: 1 }
			rank_histogram { buckets { label: "true" sample_count: 1 } buckets { label: "false" sample_count: 1 } } } }`,
		want: `feature { name: "s" type: BYTES presence { min_count: 1 } value_count { min: 1 max: 1 }
			bool_domain { true_value: "true" false_value: "false" } }`,
	}, {
		name: "integer strings get an int domain",
		stats: `num_examples: 2 features { name: "s" type: STRING string_stats {
			common_stats { num_non_missing: 2 min_num_values: 1 max_num_values: 3 }
			rank_histogram { buckets { label: "12" sample_count: 2 } buckets { label: " -3" sample_count: 1 } } } }`,
		want: `feature { name: "s" type: BYTES presence { min_fraction: 1 min_count: 1 } value_count { min: 1 } int_domain {} }`,
	}, {
		name: "BYTES statistics get no domain",
		stats: `num_examples: 2 features { name: "img" type: BYTES bytes_stats {
			common_stats { num_non_missing: 2 min_num_values: 1 max_num_values: 1 } } }`,
		want: `feature { name: "img" type: BYTES presence { min_fraction: 1 min_count: 1 } shape { dim { size: 1 } } }`,
	}, {
		name: "a feature never present gets min_count 0 only",
		stats: `num_examples: 5 features { name: "f" type: FLOAT num_stats {
			common_stats { num_missing: 5 } } }`,
		want: `feature { name: "f" type: FLOAT presence { min_count: 0 } }`,
	}, {
		name: "empty lists: no value count",
		stats: `num_examples: 2 features { name: "f" type: FLOAT num_stats {
			common_stats { num_non_missing: 2 min_num_values: 0 max_num_values: 2 } } }`,
		want: `feature { name: "f" type: FLOAT presence { min_fraction: 1 min_count: 1 } }`,
	}, {
		name: "domain names do not collide",
		stats: `num_examples: 1
			features { name: "a" type: STRING string_stats { common_stats { num_non_missing: 1 min_num_values: 1 max_num_values: 1 }
				rank_histogram { buckets { label: "x" sample_count: 1 } } } }
			features { name: "a2" type: STRING string_stats { common_stats { num_non_missing: 1 min_num_values: 1 max_num_values: 1 }
				rank_histogram { buckets { label: "y" sample_count: 1 } } } }`,
		opts: InferOptions{NoShape: true},
		want: `feature { name: "a" type: BYTES presence { min_fraction: 1 min_count: 1 } value_count { min: 1 max: 1 } domain: "a" }
			feature { name: "a2" type: BYTES presence { min_fraction: 1 min_count: 1 } value_count { min: 1 max: 1 } domain: "a2" }
			string_domain { name: "a" value: "x" } string_domain { name: "a2" value: "y" }`,
	}, {
		name: "no string domain when the size limit is negative",
		stats: `num_examples: 1 features { name: "a" type: STRING string_stats {
			common_stats { num_non_missing: 1 min_num_values: 1 max_num_values: 1 }
			rank_histogram { buckets { label: "x" sample_count: 1 } } } }`,
		opts: InferOptions{MaxStringDomainSize: -1},
		want: `feature { name: "a" type: BYTES presence { min_fraction: 1 min_count: 1 } shape { dim { size: 1 } } }`,
	}, {
		name: "nested values: one value count per level",
		stats: `num_examples: 2 features { name: "n" type: INT num_stats { common_stats {
			num_non_missing: 2 min_num_values: 1 max_num_values: 2
			presence_and_valency_stats { num_non_missing: 2 min_num_values: 1 max_num_values: 2 }
			presence_and_valency_stats { num_non_missing: 3 min_num_values: 3 max_num_values: 3 } } min: 5 max: 9 } }`,
		want: `feature { name: "n" type: INT presence { min_fraction: 1 min_count: 1 }
			value_counts { value_count { min: 1 } value_count { min: 3 max: 3 } } }`,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := InferSchema(parseStats(t, tc.stats), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			wantProto(t, got, tc.want)
		})
	}
}

func TestInferSchemaDatasets(t *testing.T) {
	one := parseStats(t, `name: "train" num_examples: 1`).Datasets[0]
	two := parseStats(t, `name: "eval" num_examples: 1`).Datasets[0]
	list := parseStats(t, `num_examples: 1`)
	list.Datasets = append(list.Datasets[:0], one, two)
	if _, err := InferSchema(list, InferOptions{}); err == nil || !strings.Contains(err.Error(), "default slice") {
		t.Errorf("two datasets without the default slice: err = %v", err)
	}
	if _, err := InferSchema(nil, InferOptions{}); err == nil {
		t.Error("nil statistics: no error")
	}
	mixed := parseStats(t, `num_examples: 1
		features { name: "a" type: INT num_stats { common_stats { num_non_missing: 1 } } }
		features { path { step: "b" } type: INT num_stats { common_stats { num_non_missing: 1 } } }`)
	if _, err := InferSchema(mixed, InferOptions{}); err == nil || !strings.Contains(err.Error(), "by name") {
		t.Errorf("features by name and by path: err = %v", err)
	}
}

func TestInferStructChildren(t *testing.T) {
	got, err := InferSchema(parseStats(t, `num_examples: 2
		features { name: "s" type: STRUCT struct_stats { common_stats { num_non_missing: 2 min_num_values: 1 max_num_values: 1 } } }
		features { name: "s.x" type: FLOAT num_stats { common_stats { num_non_missing: 2 min_num_values: 1 max_num_values: 1 } min: 2 max: 3 } }`), InferOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantProto(t, got, `feature { name: "s" type: STRUCT presence { min_fraction: 1 min_count: 1 } value_count { min: 1 max: 1 }
		struct_domain { feature { name: "x" type: FLOAT presence { min_fraction: 1 min_count: 1 } shape { dim { size: 1 } } } } }`)
}
