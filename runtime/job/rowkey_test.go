package job

import (
	"math"
	"testing"

	"github.com/tfxc/tfxc/runtime/batch"
)

func sampleBatch(n int) *batch.Batch {
	x := batch.NewColumn("x", batch.Float)
	s := batch.NewColumn("s", batch.Bytes)
	for i := range n {
		x.AppendFloats(float32(i) / 7)
		if i%5 == 0 {
			s.AppendMissing()
		} else {
			s.AppendStrings("v", string(rune('a'+i%26)))
		}
	}
	return &batch.Batch{Columns: []*batch.Column{x, s}}
}

func TestRowKeysDependOnValuesOnly(t *testing.T) {
	b := sampleBatch(300)
	keys := RowKeys(b)
	// The same rows in another batch, in another order, keep their keys.
	rows := make([]int, 300)
	for i := range rows {
		rows[i] = 299 - i
	}
	for i, k := range RowKeys(b.Select(rows)) {
		if k != keys[299-i] {
			t.Fatalf("row %d changed key when moved", 299-i)
		}
	}
	// Missing, empty and ("", "") are three different rows.
	c := batch.NewColumn("s", batch.Bytes)
	c.AppendMissing()
	c.AppendStrings()
	c.AppendStrings("")
	c.AppendStrings("", "")
	k := RowKeys(&batch.Batch{Columns: []*batch.Column{c}})
	seen := map[uint64]bool{}
	for _, v := range k {
		if seen[v] {
			t.Fatalf("keys %v collide", k)
		}
		seen[v] = true
	}
	// Strings are length-prefixed: ("ab") differs from ("a", "b").
	c = batch.NewColumn("s", batch.Bytes)
	c.AppendStrings("ab")
	c.AppendStrings("a", "b")
	if k := RowKeys(&batch.Batch{Columns: []*batch.Column{c}}); k[0] == k[1] {
		t.Error(`("ab") and ("a", "b") share a key`)
	}
}

func TestSplitRowsFollowsWeights(t *testing.T) {
	b := sampleBatch(30000)
	split := SplitRows(b, []int64{2, 1})
	if len(split[0])+len(split[1]) != 30000 {
		t.Fatalf("%d + %d rows", len(split[0]), len(split[1]))
	}
	if f := float64(len(split[0])) / 30000; math.Abs(f-2.0/3) > 0.01 {
		t.Errorf("train share %.4f, want about 2/3", f)
	}
	if SplitOf(0, []int64{2, 1}) != 0 || SplitOf(2, []int64{2, 1}) != 1 || SplitOf(5, []int64{2, 1}) != 1 || SplitOf(3, []int64{0, 1}) != 1 {
		t.Error("SplitOf does not give buckets to splits in order")
	}
}
