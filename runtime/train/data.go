package train

import (
	"fmt"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/runtime/batch"
)

// Data holds training examples as the model's first layer reads them.
// Every example has the same number of entries, one per column of a
// number or vector input and one per category input (the column of its
// one-hot position), so the inputs, which are mostly one-hot, never
// materialise: the first layer adds up the rows of its kernel they pick.
type Data struct {
	inputs []tfgraph.ModelInput
	offset []int // the first column of each input
	width  int   // the number of columns of the assembled input
	per    int   // entries per example
	// Index and Value are the entries, per examples in order: column
	// Index[k] holds Value[k]. Index −1 is a category id outside its
	// input's width, which one-hot encodes as a row of zeros.
	Index []int32
	Value []float32
	// Labels are the examples' labels.
	Labels []float64
}

// NewData returns empty training data for the inputs, whose widths must
// all be known.
func NewData(inputs []tfgraph.ModelInput) (*Data, error) {
	d := &Data{inputs: inputs}
	for _, in := range inputs {
		if in.Width <= 0 {
			return nil, fmt.Errorf("model input %s has width %d", in.Output, in.Width)
		}
		d.offset = append(d.offset, d.width)
		d.width += in.Width
		switch in.Kind {
		case tfgraph.OneHot:
			d.per++
		case tfgraph.Numeric, tfgraph.Vector:
			d.per += in.Width
		default:
			return nil, fmt.Errorf("model input %s has no kind", in.Output)
		}
	}
	if d.width == 0 {
		return nil, fmt.Errorf("the model has no inputs")
	}
	return d, nil
}

// Rows is the number of examples.
func (d *Data) Rows() int { return len(d.Labels) }

// Width is the number of columns of the assembled input: the first
// layer's fan-in.
func (d *Data) Width() int { return d.width }

// Append adds the rows of a batch of transformed examples, reading the
// inputs and the label column named label. A missing value, or a number
// of values other than the input's width, is an error naming the row.
func (d *Data) Append(b *batch.Batch, label string) error {
	rows := b.Rows()
	cols := make([]*batch.Column, len(d.inputs))
	for i, in := range d.inputs {
		if cols[i] = b.Column(in.Output); cols[i] == nil {
			return fmt.Errorf("the transformed examples have no column %s", in.Output)
		}
		if k := cols[i].Kind; k != batch.Int && k != batch.Float {
			return fmt.Errorf("column %s holds %s values, not numbers", in.Output, k)
		}
	}
	lc := b.Column(label)
	if lc == nil {
		return fmt.Errorf("the transformed examples have no label column %s", label)
	}
	for r := 0; r < rows; r++ {
		y, err := number(lc, r)
		if err != nil {
			return fmt.Errorf("%s: label %s: %w", rowName(b, r), label, err)
		}
		for i, in := range d.inputs {
			c := cols[i]
			want := in.Width
			if in.Kind == tfgraph.OneHot {
				want = 1
			}
			if c.Missing[r] || c.Len(r) != want {
				return fmt.Errorf("%s: input %s has %d values, want %d", rowName(b, r), in.Output, c.Len(r), want)
			}
			lo, _ := c.Values(r)
			if in.Kind == tfgraph.OneHot {
				id := int64(-1)
				if c.Kind == batch.Int {
					id = c.Ints[lo]
				} else {
					id = int64(c.Floats[lo])
				}
				col := int32(-1)
				if id >= 0 && id < int64(in.Width) {
					col = int32(d.offset[i] + int(id))
				}
				d.Index = append(d.Index, col)
				d.Value = append(d.Value, 1)
				continue
			}
			for k := 0; k < want; k++ {
				d.Index = append(d.Index, int32(d.offset[i]+k))
				if c.Kind == batch.Int {
					d.Value = append(d.Value, float32(c.Ints[lo+k]))
				} else {
					d.Value = append(d.Value, c.Floats[lo+k])
				}
			}
		}
		d.Labels = append(d.Labels, y)
	}
	return nil
}

// number reads row r of a numeric column, which must hold one value.
func number(c *batch.Column, r int) (float64, error) {
	if c.Missing[r] || c.Len(r) != 1 {
		return 0, fmt.Errorf("%d values, want 1", c.Len(r))
	}
	lo, _ := c.Values(r)
	switch c.Kind {
	case batch.Int:
		return float64(c.Ints[lo]), nil
	case batch.Float:
		return float64(c.Floats[lo]), nil
	}
	return 0, fmt.Errorf("%s values, not numbers", c.Kind)
}

func rowName(b *batch.Batch, r int) string {
	if b.File != "" && b.Lines != nil {
		return fmt.Sprintf("%s:%d", b.File, b.Lines[r])
	}
	if b.File != "" {
		return fmt.Sprintf("%s, example %d", b.File, r+1)
	}
	return fmt.Sprintf("example %d", r+1)
}

// row returns example r's entries.
func (d *Data) row(r int) ([]int32, []float32) {
	lo := r * d.per
	return d.Index[lo : lo+d.per], d.Value[lo : lo+d.per]
}
