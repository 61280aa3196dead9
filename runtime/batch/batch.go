// Package batch holds examples column by column. A Batch is the unit that
// crosses stage boundaries inside the job: readers produce batches, the
// statistics, the analyzers and the transform consume them, and writers
// turn them back into tf.Example records.
//
// Every feature is a list of values per row, as in tf.Example: a CSV cell
// is a list of one value, an empty cell is a missing value (no list at
// all), which is distinct from a present but empty list.
package batch

import "fmt"

// Kind is the type of a column's values, TFMD's INT, FLOAT and BYTES.
type Kind uint8

// The three kinds of values a tf.Example carries.
const (
	Int Kind = iota + 1
	Float
	Bytes
)

func (k Kind) String() string {
	switch k {
	case Int:
		return "int"
	case Float:
		return "float"
	case Bytes:
		return "bytes"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Column is one feature's values for the rows of a batch. Only the slice
// of its Kind is used.
type Column struct {
	Name string
	Kind Kind
	// Offsets has Rows()+1 entries once a row was appended: row r's values
	// are Ints, Floats or Strings [Offsets[r], Offsets[r+1]).
	Offsets []int
	// Missing[r] reports that row r has no value at all for the feature.
	// A missing row has no values.
	Missing []bool
	Ints    []int64
	Floats  []float32
	Strings []string
}

// NewColumn returns an empty column.
func NewColumn(name string, kind Kind) *Column {
	return &Column{Name: name, Kind: kind, Offsets: []int{0}}
}

// Rows is the number of rows appended.
func (c *Column) Rows() int { return len(c.Missing) }

// Values returns the half-open range of row r's values.
func (c *Column) Values(r int) (lo, hi int) { return c.Offsets[r], c.Offsets[r+1] }

// Len is the number of values of row r (0 when it is missing).
func (c *Column) Len(r int) int { return c.Offsets[r+1] - c.Offsets[r] }

// NumValues is the number of values over all rows.
func (c *Column) NumValues() int { return c.Offsets[len(c.Offsets)-1] }

// AppendMissing appends a row without a value.
func (c *Column) AppendMissing() {
	c.Missing = append(c.Missing, true)
	c.Offsets = append(c.Offsets, c.NumValues())
}

// AppendInts appends a row holding vs (an empty list when vs is empty).
func (c *Column) AppendInts(vs ...int64) {
	c.Ints = append(c.Ints, vs...)
	c.endRow(len(c.Ints))
}

// AppendFloats appends a row holding vs.
func (c *Column) AppendFloats(vs ...float32) {
	c.Floats = append(c.Floats, vs...)
	c.endRow(len(c.Floats))
}

// AppendStrings appends a row holding vs.
func (c *Column) AppendStrings(vs ...string) {
	c.Strings = append(c.Strings, vs...)
	c.endRow(len(c.Strings))
}

func (c *Column) endRow(n int) {
	c.Missing = append(c.Missing, false)
	c.Offsets = append(c.Offsets, n)
}

// Truncate drops every row from r on; readers use it to take back a
// partly appended record that turned out to be bad.
func (c *Column) Truncate(r int) {
	n := c.Offsets[r]
	c.Offsets = c.Offsets[:r+1]
	c.Missing = c.Missing[:r]
	switch c.Kind {
	case Int:
		c.Ints = c.Ints[:n]
	case Float:
		c.Floats = c.Floats[:n]
	case Bytes:
		c.Strings = c.Strings[:n]
	}
}

// Batch is a set of rows held as columns of equal length.
type Batch struct {
	Columns []*Column
	// File and Lines locate each row in its source: Lines[r] is the
	// 1-based line of a CSV record, or the 0-based index of a TFRecord
	// record. Both are optional.
	File  string
	Lines []int64
}

// Rows is the number of rows of the batch.
func (b *Batch) Rows() int {
	if len(b.Columns) == 0 {
		return len(b.Lines)
	}
	return b.Columns[0].Rows()
}

// Column returns the column named name, or nil.
func (b *Batch) Column(name string) *Column {
	for _, c := range b.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Check reports columns of unequal length or inconsistent offsets.
func (b *Batch) Check() error {
	rows := b.Rows()
	if b.Lines != nil && len(b.Lines) != rows {
		return fmt.Errorf("batch has %d rows but %d line numbers", rows, len(b.Lines))
	}
	for _, c := range b.Columns {
		if c.Rows() != rows {
			return fmt.Errorf("column %s has %d rows, the batch %d", c.Name, c.Rows(), rows)
		}
		if len(c.Offsets) != rows+1 {
			return fmt.Errorf("column %s has %d offsets for %d rows", c.Name, len(c.Offsets), rows)
		}
		var n int
		switch c.Kind {
		case Int:
			n = len(c.Ints)
		case Float:
			n = len(c.Floats)
		case Bytes:
			n = len(c.Strings)
		default:
			return fmt.Errorf("column %s has no kind", c.Name)
		}
		if c.NumValues() != n {
			return fmt.Errorf("column %s has %d values but its offsets end at %d", c.Name, n, c.NumValues())
		}
		for r := 0; r < rows; r++ {
			if c.Offsets[r] > c.Offsets[r+1] || (c.Missing[r] && c.Len(r) != 0) {
				return fmt.Errorf("column %s: row %d has bad offsets", c.Name, r)
			}
		}
	}
	return nil
}

// Select returns a batch of the given rows of b, in the given order.
func (b *Batch) Select(rows []int) *Batch {
	out := &Batch{File: b.File}
	for _, c := range b.Columns {
		s := NewColumn(c.Name, c.Kind)
		for _, r := range rows {
			lo, hi := c.Values(r)
			switch {
			case c.Missing[r]:
				s.AppendMissing()
			case c.Kind == Int:
				s.AppendInts(c.Ints[lo:hi]...)
			case c.Kind == Float:
				s.AppendFloats(c.Floats[lo:hi]...)
			default:
				s.AppendStrings(c.Strings[lo:hi]...)
			}
		}
		out.Columns = append(out.Columns, s)
	}
	if b.Lines != nil {
		out.Lines = make([]int64, len(rows))
		for i, r := range rows {
			out.Lines[i] = b.Lines[r]
		}
	}
	return out
}
