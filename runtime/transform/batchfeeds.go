package transform

import (
	"fmt"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/runtime/batch"
	"github.com/tfxc/tfxc/runtime/graph"
)

// kindOf is the batch kind that holds a graph input's dtype.
func kindOf(dt tfpb.DataType) (batch.Kind, error) {
	switch dt {
	case tfpb.DataType_DT_INT64:
		return batch.Int, nil
	case tfpb.DataType_DT_FLOAT:
		return batch.Float, nil
	case tfpb.DataType_DT_STRING:
		return batch.Bytes, nil
	}
	return 0, fmt.Errorf("no example kind holds %s", dt)
}

// Unfeedable returns the rows of b that the graph cannot take, each with
// the first reason: a scalar feature with several values, or a missing
// value where the graph has no presence flag for it. It fails when a
// column is absent or of the wrong kind, which no row can mend.
func Unfeedable(b *batch.Batch, inputs []tfgraph.Input) ([]RowError, error) {
	bad := map[int]bool{}
	var out []RowError
	for _, in := range inputs {
		c, err := column(b, in)
		if err != nil {
			return nil, err
		}
		if in.Lengths != "" {
			continue // a list takes any number of values; missing is empty
		}
		for r := range c.Rows() {
			if bad[r] {
				continue
			}
			var why string
			switch {
			case c.Missing[r] && in.Present == "":
				why = "missing, but the graph needs a value (the schema says it is always present)"
			case !c.Missing[r] && c.Len(r) != 1:
				why = fmt.Sprintf("%d values where one is expected", c.Len(r))
			default:
				continue
			}
			bad[r] = true
			out = append(out, RowError{Row: r, Column: in.Feature, Reason: why})
		}
	}
	return out, nil
}

func column(b *batch.Batch, in tfgraph.Input) (*batch.Column, error) {
	c := b.Column(in.Feature)
	if c == nil {
		return nil, fmt.Errorf("the examples have no feature %s", in.Feature)
	}
	kind, err := kindOf(in.DType)
	if err != nil {
		return nil, fmt.Errorf("feature %s: %w", in.Feature, err)
	}
	if c.Kind != kind {
		return nil, fmt.Errorf("feature %s holds %s values, the graph reads %s", in.Feature, c.Kind, kind)
	}
	return c, nil
}

// BatchFeeds converts a batch to the graph's input tensors: one tensor
// per raw feature, its presence flags for an optional feature, and for a
// list feature every row's values one after the other with their counts.
// Every row must be feedable (see Unfeedable); a missing value of an
// optional feature is fed as zero or "" with its flag false.
func BatchFeeds(b *batch.Batch, inputs []tfgraph.Input) (map[string]*graph.Tensor, error) {
	feeds := map[string]*graph.Tensor{}
	n := b.Rows()
	for _, in := range inputs {
		c, err := column(b, in)
		if err != nil {
			return nil, err
		}
		if in.Lengths != "" {
			lengths := make([]int64, n)
			for r := range n {
				lengths[r] = int64(c.Len(r))
			}
			feeds[in.Lengths] = graph.Int64s([]int{n}, lengths)
			feeds[in.Feature] = valuesOf(c, []int{c.NumValues()})
			continue
		}
		if c.NumValues() == n {
			feeds[in.Feature] = valuesOf(c, []int{n}) // no row missing
		} else {
			t, err := scalars(c, in)
			if err != nil {
				return nil, err
			}
			feeds[in.Feature] = t
		}
		if in.Present != "" {
			present := make([]bool, n)
			for r, m := range c.Missing {
				present[r] = !m
			}
			feeds[in.Present] = graph.Bools([]int{n}, present)
		}
	}
	return feeds, nil
}

// valuesOf wraps a column's values, shared, not copied.
func valuesOf(c *batch.Column, shape []int) *graph.Tensor {
	switch c.Kind {
	case batch.Int:
		return graph.Int64s(shape, c.Ints)
	case batch.Float:
		return graph.Float32s(shape, c.Floats)
	}
	return graph.Strings(shape, c.Strings)
}

// scalars spreads a column with missing rows to one value per row.
func scalars(c *batch.Column, in tfgraph.Input) (*graph.Tensor, error) {
	n := c.Rows()
	t, err := graph.NewTensor(in.DType, []int{n})
	if err != nil {
		return nil, err
	}
	for r := range n {
		if c.Missing[r] {
			if in.Present == "" {
				return nil, &RowError{Row: r, Column: in.Feature, Reason: "missing, but the graph needs a value"}
			}
			continue
		}
		if c.Len(r) != 1 {
			return nil, &RowError{Row: r, Column: in.Feature, Reason: fmt.Sprintf("%d values where one is expected", c.Len(r))}
		}
		i := c.Offsets[r]
		switch c.Kind {
		case batch.Int:
			t.I64[r] = c.Ints[i]
		case batch.Float:
			t.F32[r] = c.Floats[i]
		default:
			t.Str[r] = c.Strings[i]
		}
	}
	return t, nil
}
