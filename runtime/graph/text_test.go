package graph

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	tfpb "github.com/tfxc/tfxc/pb/tf"
)

func attrs(kv ...any) *tfpb.NodeDef {
	n := &tfpb.NodeDef{Attr: map[string]*tfpb.AttrValue{}}
	for i := 0; i < len(kv); i += 2 {
		var a *tfpb.AttrValue
		switch v := kv[i+1].(type) {
		case bool:
			a = &tfpb.AttrValue{Value: &tfpb.AttrValue_B{B: v}}
		case int:
			a = &tfpb.AttrValue{Value: &tfpb.AttrValue_I{I: int64(v)}}
		case string:
			a = &tfpb.AttrValue{Value: &tfpb.AttrValue_S{S: []byte(v)}}
		case []int64:
			a = &tfpb.AttrValue{Value: &tfpb.AttrValue_List{List: &tfpb.AttrValue_ListValue{I: v}}}
		case tfpb.DataType:
			a = typeAttr(v)
		}
		n.Attr[kv[i].(string)] = a
	}
	return n
}

func scalar64(v int64) *Tensor { return Int64s(nil, []int64{v}) }
func scalar32(v int32) *Tensor { return &Tensor{DType: tfpb.DataType_DT_INT32, I32: []int32{v}} }

func mustRun(t *testing.T, k kernel, n *tfpb.NodeDef, in ...*Tensor) []*Tensor {
	t.Helper()
	out, err := k(n, in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStringSplit: a batch split at any byte of the delimiter, empty
// tokens skipped, or into bytes with an empty delimiter.
func TestStringSplit(t *testing.T) {
	x := Strings([]int{4}, []string{"a b,,c", "", "  ", "é z"})
	out := mustRun(t, stringSplit, attrs("skip_empty", true), x, Strings(nil, []string{" ,"}))
	if diff := cmp.Diff([]string{"a", "b", "c", "é", "z"}, out[1].Str); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]int64{0, 0, 0, 1, 0, 2, 3, 0, 3, 1}, out[0].I64); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]int64{4, 3}, out[2].I64); diff != "" {
		t.Error(diff)
	}
	out = mustRun(t, stringSplit, attrs("skip_empty", true), Strings([]int{2}, []string{"ab", "é"}), Strings(nil, []string{""}))
	if diff := cmp.Diff([]string{"a", "b", "\xc3", "\xa9"}, out[1].Str); diff != "" {
		t.Errorf("bytes: %s", diff)
	}
	out = mustRun(t, stringSplit, attrs("skip_empty", false), Strings([]int{1}, []string{"a,,b"}), Strings(nil, []string{","}))
	if diff := cmp.Diff([]string{"a", "", "b"}, out[1].Str); diff != "" {
		t.Errorf("keeping empty tokens: %s", diff)
	}
}

// TestStringNGrams: per row, width by width, with and without padding.
func TestStringNGrams(t *testing.T) {
	data := Strings([]int{5}, []string{"a", "b", "c", "d", "e"})
	splits := Int64s([]int{4}, []int64{0, 3, 3, 5})
	out := mustRun(t, stringNGrams, attrs("separator", "+", "ngram_widths", []int64{1, 2, 3}, "pad_width", 0), data, splits)
	if diff := cmp.Diff([]string{"a", "b", "c", "a+b", "b+c", "a+b+c", "d", "e", "d+e"}, out[0].Str); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]int64{0, 6, 6, 9}, out[1].I64); diff != "" {
		t.Error(diff)
	}
	out = mustRun(t, stringNGrams, attrs("separator", " ", "ngram_widths", []int64{2}, "left_pad", "<", "right_pad", ">", "pad_width", -1),
		Strings([]int{2}, []string{"a", "b"}), Int64s([]int{2}, []int64{0, 2}))
	if diff := cmp.Diff([]string{"< a", "a b", "b >"}, out[0].Str); diff != "" {
		t.Errorf("padded: %s", diff)
	}
	if _, err := stringNGrams(attrs("ngram_widths", []int64{1}), []*Tensor{data, Int64s([]int{2}, []int64{0, 4})}); err == nil {
		t.Error("splits that do not cover the data were taken")
	}
}

// TestIndexKernels: the shape and reordering ops over small batches.
func TestIndexKernels(t *testing.T) {
	i64 := tfpb.DataType_DT_INT64
	ints := Int64s([]int{5}, []int64{3, 0, 2, 0, 7})
	for _, tc := range []struct {
		name string
		k    kernel
		n    *tfpb.NodeDef
		in   []*Tensor
		want any
	}{
		{"Bincount", bincount, attrs(), []*Tensor{castInts(ints, tfpb.DataType_DT_INT32), scalar32(4), Int64s([]int{0}, nil)}, []int64{2, 0, 1, 1}},
		{"Cumsum", cumsum, attrs(), []*Tensor{ints, scalar32(0)}, []int64{3, 3, 5, 5, 12}},
		{"Cumsum exclusive", cumsum, attrs("exclusive", true), []*Tensor{ints, scalar32(0)}, []int64{0, 3, 3, 5, 5}},
		{"Cumsum reverse", cumsum, attrs("reverse", true), []*Tensor{ints, scalar32(0)}, []int64{12, 9, 9, 7, 7}},
		{"GatherV2", gatherV2, attrs(), []*Tensor{ints, Int64s([]int{3}, []int64{4, 0, 4}), scalar32(0)}, []int64{7, 3, 7}},
		{"Range", rangeOp, attrs(), []*Tensor{scalar64(0), scalar64(4), scalar64(1)}, []int64{0, 1, 2, 3}},
		{"Shape", shapeOp, attrs("out_type", i64), []*Tensor{Int64s([]int{2, 3}, make([]int64, 6))}, []int64{2, 3}},
		{"UpperBound", upperBound, attrs("out_type", i64), []*Tensor{Int64s([]int{1, 3}, []int64{2, 2, 3}), Int64s([]int{1, 4}, []int64{0, 1, 2, 3})}, []int64{0, 0, 2, 3}},
		{"Pack", pack, attrs("axis", 1), []*Tensor{Int64s([]int{2}, []int64{1, 2}), Int64s([]int{2}, []int64{3, 4})}, []int64{1, 3, 2, 4}},
		{"ScatterNd adds repeats", scatterNd, attrs(), []*Tensor{Int64s([]int{3, 2}, []int64{0, 1, 0, 1, 1, 0}), Int64s([]int{3}, []int64{5, 6, 7}), Int64s([]int{2}, []int64{2, 2})}, []int64{0, 11, 7, 0}},
		{"SparseToDense permutes", sparseToDense, attrs("validate_indices", false), []*Tensor{Int64s([]int{3}, []int64{2, 0, 1}), Int64s([]int{1}, []int64{4}), Strings([]int{3}, []string{"a", "b", "c"}), Strings(nil, []string{"-"})}, []string{"b", "c", "a", "-"}},
		{"Unique", unique, attrs("out_idx", i64), []*Tensor{Strings([]int{4}, []string{"b", "a", "b", "c"})}, []string{"b", "a", "c"}},
		{"TopKV2 keeps ties in order", topKV2, attrs("sorted", true, "index_type", i64), []*Tensor{Int64s([]int{6}, []int64{-3, -1, -3, -1, -2, -1}), scalar32(6)}, []int64{-1, -1, -1, -2, -3, -3}},
		{"Where", where, attrs(), []*Tensor{Bools([]int{2, 2}, []bool{false, true, true, false})}, []int64{0, 1, 1, 0}},
		{"Slice", sliceOp, attrs(), []*Tensor{Strings([]int{4}, []string{"a", "b", "c", "d"}), Int64s([]int{1}, []int64{1}), Int64s([]int{1}, []int64{2})}, []string{"b", "c"}},
		{"Slice to the end", sliceOp, attrs(), []*Tensor{Int64s([]int{2, 3}, []int64{1, 2, 3, 4, 5, 6}), Int64s([]int{2}, []int64{1, 1}), Int64s([]int{2}, []int64{-1, -1})}, []int64{5, 6}},
	} {
		out, err := tc.k(tc.n, tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var got any = out[0].I64
		if out[0].DType == tfpb.DataType_DT_STRING {
			got = out[0].Str
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: %s", tc.name, diff)
		}
	}
	// The second outputs.
	u := mustRun(t, unique, attrs("out_idx", i64), Strings([]int{4}, []string{"b", "a", "b", "c"}))
	if diff := cmp.Diff([]int64{0, 1, 0, 2}, u[1].I64); diff != "" {
		t.Errorf("Unique idx: %s", diff)
	}
	k := mustRun(t, topKV2, attrs("sorted", true, "index_type", i64), Int64s([]int{6}, []int64{-3, -1, -3, -1, -2, -1}), scalar32(6))
	if diff := cmp.Diff([]int64{1, 3, 5, 4, 0, 2}, k[1].I64); diff != "" {
		t.Errorf("TopKV2 indices: %s", diff)
	}
	// Errors TensorFlow raises too.
	for name, call := range map[string]func() error{
		"GatherV2 out of range": func() error {
			_, err := gatherV2(attrs(), []*Tensor{ints, Int64s([]int{1}, []int64{5}), scalar32(0)})
			return err
		},
		"ScatterNd out of range": func() error {
			_, err := scatterNd(attrs(), []*Tensor{Int64s([]int{1, 1}, []int64{3}), Int64s([]int{1}, []int64{1}), Int64s([]int{1}, []int64{3})})
			return err
		},
		"SparseToDense unsorted with validation": func() error {
			_, err := sparseToDense(attrs("validate_indices", true), []*Tensor{Int64s([]int{2}, []int64{1, 0}), Int64s([]int{1}, []int64{2}), Int64s([]int{2}, []int64{1, 2}), scalar64(0)})
			return err
		},
		"TopKV2 k too large": func() error {
			_, err := topKV2(attrs(), []*Tensor{ints, scalar32(6)})
			return err
		},
	} {
		if call() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
