package transform_test

import (
	"encoding/csv"
	"os"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/internal/taxitest"
	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/runtime/batch"
	"github.com/tfxc/tfxc/runtime/graph"
	"github.com/tfxc/tfxc/runtime/transform"
)

// TestBatchFeedsAgreeWithText builds a batch from the real taxi sample and
// checks that its feeds are exactly those the text path gives.
func TestBatchFeedsAgreeWithText(t *testing.T) {
	fit := taxitest.Fit(t)
	f, err := os.Open(taxitest.Shared(t, "data/taxi/data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range records[0] {
		col[h] = i
	}
	b := &batch.Batch{}
	for _, in := range fit.Template.Inputs {
		var c *batch.Column
		switch in.DType {
		case tfpb.DataType_DT_INT64:
			c = batch.NewColumn(in.Feature, batch.Int)
		case tfpb.DataType_DT_FLOAT:
			c = batch.NewColumn(in.Feature, batch.Float)
		default:
			c = batch.NewColumn(in.Feature, batch.Bytes)
		}
		for _, rec := range records[1:] {
			cell := rec[col[in.Feature]]
			switch {
			case cell == "":
				c.AppendMissing()
			case c.Kind == batch.Int:
				v, err := strconv.ParseInt(cell, 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				c.AppendInts(v)
			case c.Kind == batch.Float:
				v, err := strconv.ParseFloat(cell, 32)
				if err != nil {
					t.Fatal(err)
				}
				c.AppendFloats(float32(v))
			default:
				c.AppendStrings(cell)
			}
		}
		b.Columns = append(b.Columns, c)
	}
	bad, err := transform.Unfeedable(b, fit.Template.Inputs)
	if err != nil || len(bad) != 0 {
		t.Fatalf("Unfeedable: %v %v", bad, err)
	}
	got, err := transform.BatchFeeds(b, fit.Template.Inputs)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fit.Feeds, got, cmpopts.IgnoreUnexported(graph.Tensor{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("batch feeds differ from text feeds (-text +batch):\n%s", diff)
	}
}

func TestUnfeedableRows(t *testing.T) {
	inputs := []tfgraph.Input{
		{Feature: "x", DType: tfpb.DataType_DT_FLOAT},
		{Feature: "s", DType: tfpb.DataType_DT_STRING, Present: "s__present"},
		{Feature: "l", DType: tfpb.DataType_DT_INT64, Lengths: "l__lengths"},
	}
	x := batch.NewColumn("x", batch.Float)
	s := batch.NewColumn("s", batch.Bytes)
	l := batch.NewColumn("l", batch.Int)
	x.AppendFloats(1)
	s.AppendStrings("a")
	l.AppendInts(1, 2)
	x.AppendMissing() // row 1: missing, no presence flag
	s.AppendMissing()
	l.AppendMissing()
	x.AppendFloats(3)
	s.AppendStrings("b", "c") // row 2: two values of a scalar
	l.AppendInts()
	x.AppendFloats(4)
	s.AppendMissing() // row 3: fine, s is optional
	l.AppendInts(7)
	b := &batch.Batch{Columns: []*batch.Column{x, s, l}}
	bad, err := transform.Unfeedable(b, inputs)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 2 || bad[0].Row != 1 || bad[0].Column != "x" || bad[1].Row != 2 || bad[1].Column != "s" {
		t.Fatalf("Unfeedable = %+v", bad)
	}
	good := b.Select([]int{0, 3})
	feeds, err := transform.BatchFeeds(good, inputs)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"x":          []float32{1, 4},
		"s":          []string{"a", ""},
		"s__present": []bool{true, false},
		"l":          []int64{1, 2, 7},
		"l__lengths": []int64{2, 1},
	}
	for name, w := range want {
		f := feeds[name]
		var v any
		switch {
		case f == nil:
			t.Errorf("no feed %s", name)
			continue
		case f.F32 != nil:
			v = f.F32
		case f.Str != nil:
			v = f.Str
		case f.Bool != nil:
			v = f.Bool
		default:
			v = f.I64
		}
		if diff := cmp.Diff(w, v); diff != "" {
			t.Errorf("feed %s (-want +got):\n%s", name, diff)
		}
	}
	if _, err := transform.BatchFeeds(b, inputs); err == nil {
		t.Error("BatchFeeds took a batch with unfeedable rows")
	}
	b.Columns[0] = batch.NewColumn("x", batch.Int)
	if _, err := transform.Unfeedable(b, inputs); err == nil {
		t.Error("a column of the wrong kind passed")
	}
}
