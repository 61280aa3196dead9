package transform

import (
	"fmt"
	"strconv"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/runtime/graph"
)

// RowError is a record that cannot be fed to the graph.
type RowError struct {
	Row    int // index of the record in the batch
	Column string
	Reason string
}

func (e *RowError) Error() string {
	return fmt.Sprintf("row %d, column %s: %s", e.Row, e.Column, e.Reason)
}

// Feeds converts text records (CSV cells) to the graph's input tensors:
// one tensor per raw feature and, for an optional feature, its presence
// flags. An empty cell is a missing value; where the feature may not be
// missing, or a cell does not parse as the feature's type, it returns a
// *RowError naming the first bad cell.
func Feeds(header []string, records [][]string, inputs []tfgraph.Input) (map[string]*graph.Tensor, error) {
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	n := len(records)
	feeds := map[string]*graph.Tensor{}
	for _, in := range inputs {
		c, ok := col[in.Feature]
		if !ok {
			return nil, fmt.Errorf("no column %s in the header", in.Feature)
		}
		t, err := graph.NewTensor(in.DType, []int{n})
		if err != nil {
			return nil, err
		}
		var present *graph.Tensor
		if in.Present != "" {
			present = graph.Bools([]int{n}, make([]bool, n))
		}
		for r, rec := range records {
			if c >= len(rec) {
				return nil, &RowError{r, in.Feature, fmt.Sprintf("the record has %d cells", len(rec))}
			}
			cell := rec[c]
			if cell == "" {
				if present == nil {
					return nil, &RowError{r, in.Feature, "empty, but the schema says it is always present"}
				}
				continue
			}
			if present != nil {
				present.Bool[r] = true
			}
			if err := setCell(t, r, cell); err != nil {
				return nil, &RowError{r, in.Feature, err.Error()}
			}
		}
		feeds[in.Feature] = t
		if present != nil {
			feeds[in.Present] = present
		}
	}
	return feeds, nil
}

func setCell(t *graph.Tensor, i int, cell string) error {
	switch t.DType {
	case tfpb.DataType_DT_FLOAT:
		v, err := strconv.ParseFloat(cell, 32)
		if err != nil {
			return fmt.Errorf("%q is not a number", cell)
		}
		t.F32[i] = float32(v)
	case tfpb.DataType_DT_INT64:
		v, err := strconv.ParseInt(cell, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not an integer", cell)
		}
		t.I64[i] = v
	case tfpb.DataType_DT_STRING:
		t.Str[i] = cell
	default:
		return fmt.Errorf("cannot read a %s from text", t.DType)
	}
	return nil
}
