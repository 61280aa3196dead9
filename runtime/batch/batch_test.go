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

func TestSelect(t *testing.T) {
	x := NewColumn("x", Float)
	s := NewColumn("s", Bytes)
	for i, v := range []float32{1, 2, 3} {
		x.AppendFloats(v)
		if i == 1 {
			s.AppendMissing()
		} else {
			s.AppendStrings("a", "b")
		}
	}
	b := &Batch{Columns: []*Column{x, s}, File: "f.csv", Lines: []int64{2, 3, 5}}
	got := b.Select([]int{2, 1})
	if err := got.Check(); err != nil {
		t.Fatal(err)
	}
	gx, gs := got.Column("x"), got.Column("s")
	if got.Rows() != 2 || gx.Floats[0] != 3 || gx.Floats[1] != 2 || gs.Missing[0] || !gs.Missing[1] || gs.Len(0) != 2 {
		t.Errorf("Select gave %+v %+v", gx, gs)
	}
	if got.Lines[0] != 5 || got.Lines[1] != 3 || got.File != "f.csv" {
		t.Errorf("Select kept lines %v file %q", got.Lines, got.File)
	}
}
