package examplegen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfxc/tfxc/runtime/batch"
)

// row is one emitted row, its values printed, for comparing readings.
type row struct {
	Line   int64
	Values string
}

// rowsOf prints the rows of b.
func rowsOf(b *batch.Batch) []row {
	var out []row
	for r := range b.Rows() {
		var sb strings.Builder
		for _, c := range b.Columns {
			lo, hi := c.Values(r)
			switch {
			case c.Missing[r]:
				sb.WriteString("∅")
			case c.Kind == batch.Int:
				fmt.Fprint(&sb, c.Ints[lo:hi])
			case c.Kind == batch.Float:
				fmt.Fprint(&sb, c.Floats[lo:hi])
			default:
				fmt.Fprintf(&sb, "%q", c.Strings[lo:hi])
			}
			sb.WriteByte('|')
		}
		out = append(out, row{b.Lines[r], sb.String()})
	}
	return out
}

// writeFile writes data to a new file in a test's temporary folder.
func writeFile(t testing.TB, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readAllCSV plans path with target and reads every shard; it checks each
// batch and returns the rows and the merged report.
func readAllCSV(t testing.TB, path string, target int64, columns func(header []string) []Column) ([]row, Report, []Shard) {
	t.Helper()
	shards, header, err := PlanCSV(path, target)
	if err != nil {
		t.Fatal(err)
	}
	var rows []row
	total := Report{Bad: Counts{}}
	cols := columns(header)
	for _, s := range shards {
		rep, err := ReadCSV(s, header, cols, 3, func(b *batch.Batch) error {
			if err := b.Check(); err != nil {
				t.Fatal(err)
			}
			if b.File != path || b.Rows() == 0 || b.Rows() > 3 {
				t.Fatalf("batch of %d rows from %q", b.Rows(), b.File)
			}
			rows = append(rows, rowsOf(b)...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		total.Rows += rep.Rows
		total.Blank += rep.Blank
		total.Bad.Merge(rep.Bad)
		total.BadRows = append(total.BadRows, rep.BadRows...)
	}
	if total.Rows != int64(len(rows)) {
		t.Fatalf("reports count %d rows, batches hold %d", total.Rows, len(rows))
	}
	if total.Bad.Total() != int64(len(total.BadRows)) {
		t.Fatalf("counts %v, %d bad rows", total.Bad, len(total.BadRows))
	}
	return rows, total, shards
}

// allBytes reads every header column as BYTES.
func allBytes(header []string) []Column {
	var cols []Column
	for _, h := range header {
		cols = append(cols, Column{Name: h, Kind: batch.Bytes})
	}
	return cols
}

// writeFileAt writes data to path.
func writeFileAt(t testing.TB, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
