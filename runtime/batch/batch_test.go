package batch

import "testing"

func TestAppendAndTruncate(t *testing.T) {
	c := NewColumn("x", Int)
	c.AppendInts(1)
	c.AppendMissing()
	c.AppendInts()
	c.AppendInts(2, 3)
	if c.Rows() != 4 || c.NumValues() != 3 {
		t.Fatalf("rows %d values %d, want 4 and 3", c.Rows(), c.NumValues())
	}
	if !c.Missing[1] || c.Missing[2] || c.Len(2) != 0 || c.Len(3) != 2 {
		t.Fatalf("missing %v offsets %v", c.Missing, c.Offsets)
	}
	b := &Batch{Columns: []*Column{c}}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	c.Truncate(1)
	if c.Rows() != 1 || c.NumValues() != 1 || c.Ints[0] != 1 {
		t.Fatalf("after truncate: %+v", c)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	b.Columns = append(b.Columns, NewColumn("y", Bytes))
	if err := b.Check(); err == nil {
		t.Fatal("columns of unequal length passed Check")
	}
}
