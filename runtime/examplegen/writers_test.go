package examplegen

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tfxc/tfxc/runtime/tfrecord"
)

// listDir lists a folder's names.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestShardWriter(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out", "train")
	w, err := NewShardWriter(dir, ShardName(3, 12))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]byte("one")); err != nil {
		t.Fatal(err)
	}
	names := listDir(t, dir)
	if len(names) != 1 || !strings.HasPrefix(names[0], ".tmp-part-00003-of-00012.tfrecord-") {
		t.Fatalf("while writing the folder holds %q", names)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "part-*.tfrecord")); len(m) != 0 {
		t.Fatalf("a half-written shard matches part-*: %q", m)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if names := listDir(t, dir); !slices.Equal(names, []string{"part-00003-of-00012.tfrecord"}) || w.Records() != 1 {
		t.Fatalf("after Close the folder holds %q", names)
	}
	if err := w.Abort(); err != nil || len(listDir(t, dir)) != 1 {
		t.Fatalf("Abort after Close removed the shard: %v", err)
	}
	if err := w.Write([]byte("late")); err == nil {
		t.Fatalf("Write after Close succeeds")
	}
	// A retry writes the shard again, then fails: the first file stays.
	w2, err := NewShardWriter(dir, ShardName(3, 12))
	if err != nil {
		t.Fatal(err)
	}
	if err := w2.Write([]byte("other")); err != nil {
		t.Fatal(err)
	}
	if err := w2.Abort(); err != nil {
		t.Fatal(err)
	}
	if names := listDir(t, dir); !slices.Equal(names, []string{"part-00003-of-00012.tfrecord"}) {
		t.Fatalf("after Abort the folder holds %q", names)
	}
	recs := readRecords(t, filepath.Join(dir, "part-00003-of-00012.tfrecord"))
	if !slices.Equal(recs, []string{"one"}) {
		t.Fatalf("the shard holds %q", recs)
	}
}

func readRecords(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := tfrecord.NewReader(f)
	var out []string
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(rec))
	}
}

func TestQuarantineWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q", "examples-00001.jsonl")
	q, err := NewQuarantineWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	rows := []BadRow{
		{File: "a.csv", Line: 3, Reason: ReasonInt, Column: "n", Detail: `"x" is not a number`, Raw: "x,<b>&"},
		{File: "a.csv", Line: 9, Reason: ReasonFieldCount, Detail: "1 cells, the header has 2", Raw: "1"},
		{File: "b.tfrecord", Line: 0, Offset: 0, Reason: ReasonRecord},
		{File: "a.csv", Line: 12, Reason: ReasonInt, Column: "n"},
	}
	for _, r := range rows {
		if err := q.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the quarantine file is visible before Close: %v", err)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	c := q.Counts()
	if c[ReasonInt] != 2 || c[ReasonFieldCount] != 1 || c.Total() != 4 || c.String() != "{bad_int: 2, bad_record: 1, field_count: 1}" {
		t.Fatalf("counts %v", c)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var got []BadRow
	var first string
	for sc.Scan() {
		if first == "" {
			first = sc.Text()
		}
		var r BadRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if !slices.Equal(got, rows) {
		t.Fatalf("read back %v", got)
	}
	if want := `{"file":"a.csv","line":3,"reason":"bad_int","column":"n","detail":"\"x\" is not a number","raw":"x,<b>&"}`; first != want {
		t.Fatalf("first line\n%s\nwant\n%s", first, want)
	}
	// Counts merge in any order.
	a, b := Counts{"x": 1}, Counts{"x": 2, "y": 1}
	a.Merge(b)
	if a["x"] != 3 || a["y"] != 1 || b["x"] != 2 {
		t.Fatalf("merge: %v %v", a, b)
	}
}

func TestSplitter(t *testing.T) {
	for _, bad := range []Splitter{
		{}, {Names: []string{"a"}, Weights: []int{1, 2}}, {Names: []string{"a", "a"}, Weights: []int{1, 1}},
		{Names: []string{"a", ""}, Weights: []int{1, 1}}, {Names: []string{"a", "b"}, Weights: []int{1, 0}},
	} {
		if bad.Check() == nil {
			t.Errorf("%+v passes Check", bad)
		}
	}
	sp := Splitter{Names: []string{"train", "eval", "test"}, Weights: []int{3, 1, 1}}
	if err := sp.Check(); err != nil {
		t.Fatal(err)
	}
	// The bucket is Fingerprint64 mod 5; buckets 0-2 train, 3 eval, 4 test.
	counts := make([]int, 3)
	for i := range 50000 {
		rec := []byte(strings.Repeat("x", i%7) + string(rune(i)))
		s := sp.Split(rec)
		if s != sp.Split(rec) {
			t.Fatal("Split is not deterministic")
		}
		counts[s]++
	}
	for i, want := range []int{30000, 10000, 10000} {
		if d := counts[i] - want; d < -600 || d > 600 {
			t.Errorf("split %d has %d of 50000, want about %d", i, counts[i], want)
		}
	}
	if (Splitter{}).Split([]byte("x")) != 0 {
		t.Errorf("an empty splitter does not give 0")
	}
	// A batch splits into per-split batches whose rows are its rows.
	b := sampleBatch()
	b.Lines = []int64{10, 11, 12, 13}
	parts, err := sp.SplitBatch(b)
	if err != nil {
		t.Fatal(err)
	}
	recs := toExamples(t, b)
	n := 0
	for i, p := range parts {
		for _, line := range p.Lines {
			if sp.Split(recs[line-10]) != i {
				t.Errorf("row of line %d in split %d", line, i)
			}
		}
		n += p.Rows()
	}
	if n != 4 {
		t.Errorf("parts hold %d rows", n)
	}
	if _, err := (Splitter{}).SplitRows(b); err == nil {
		t.Errorf("an invalid splitter splits a batch")
	}
}
