package job

import (
	"fmt"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/runtime/batch"
	"github.com/tfxc/tfxc/runtime/graph"
)

// OutputBatch turns the transform graph's outputs for a batch of rows into
// a batch of transformed examples: a scalar output is a list of one value
// per row, a vector output a list of its values, a list output a list of
// the row's values (its lengths tensor says how many). Booleans become the
// ints 0 and 1, as tf.Example has no boolean lists.
//
// tensors holds, for each output in order, its values, followed by the
// lengths tensor of each list output (in the order of the list outputs).
func OutputBatch(outs []tfgraph.Output, tensors []*graph.Tensor, rows int) (*batch.Batch, error) {
	values := tensors[:len(outs)]
	lengths := tensors[len(outs):]
	b := &batch.Batch{}
	for i, o := range outs {
		t := values[i]
		var per []int64 // values per row
		switch {
		case o.Lengths != "":
			if len(lengths) == 0 {
				return nil, fmt.Errorf("output %s: no lengths tensor", o.Name)
			}
			per, lengths = lengths[0].I64, lengths[1:]
			if len(per) != rows {
				return nil, fmt.Errorf("output %s: %d lengths for %d rows", o.Name, len(per), rows)
			}
		case len(t.Shape) >= 1 && t.Shape[0] == rows:
			k := 1
			for _, d := range t.Shape[1:] {
				k *= d
			}
			per = make([]int64, rows)
			for r := range per {
				per[r] = int64(k)
			}
		default:
			return nil, fmt.Errorf("output %s has shape %v for %d rows", o.Name, t.Shape, rows)
		}
		c, err := outputColumn(o.Name, t, per)
		if err != nil {
			return nil, err
		}
		b.Columns = append(b.Columns, c)
	}
	return b, b.Check()
}

func outputColumn(name string, t *graph.Tensor, per []int64) (*batch.Column, error) {
	var total int64
	for _, n := range per {
		total += n
	}
	if total != int64(t.Len()) {
		return nil, fmt.Errorf("output %s: %d values, the lengths add up to %d", name, t.Len(), total)
	}
	var c *batch.Column
	switch t.DType {
	case tfpb.DataType_DT_FLOAT:
		c = batch.NewColumn(name, batch.Float)
		c.Floats = t.F32
	case tfpb.DataType_DT_DOUBLE:
		c = batch.NewColumn(name, batch.Float)
		c.Floats = make([]float32, len(t.F64))
		for i, v := range t.F64 {
			c.Floats[i] = float32(v)
		}
	case tfpb.DataType_DT_INT64:
		c = batch.NewColumn(name, batch.Int)
		c.Ints = t.I64
	case tfpb.DataType_DT_INT32:
		c = batch.NewColumn(name, batch.Int)
		c.Ints = make([]int64, len(t.I32))
		for i, v := range t.I32 {
			c.Ints[i] = int64(v)
		}
	case tfpb.DataType_DT_BOOL:
		c = batch.NewColumn(name, batch.Int)
		c.Ints = make([]int64, len(t.Bool))
		for i, v := range t.Bool {
			if v {
				c.Ints[i] = 1
			}
		}
	case tfpb.DataType_DT_STRING:
		c = batch.NewColumn(name, batch.Bytes)
		c.Strings = t.Str
	default:
		return nil, fmt.Errorf("output %s: a %s tensor cannot be written to an example", name, t.DType)
	}
	c.Offsets = make([]int, len(per)+1)
	c.Missing = make([]bool, len(per))
	for r, n := range per {
		c.Offsets[r+1] = c.Offsets[r] + int(n)
	}
	return c, nil
}
