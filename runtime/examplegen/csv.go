package examplegen

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"unicode/utf8"

	"github.com/tfxc/tfxc/runtime/batch"
)

// readBuffer is the read buffer of ReadCSV.
const readBuffer = 256 << 10

// ReadCSV reads the records of a CSV shard (planned by PlanCSV, whose
// header it takes) into batches of up to batchRows rows holding the given
// columns, and hands each to emit. The file's other columns are ignored. A
// column missing from the header fails the whole shard, unless it is
// Optional. Records that cannot be read are not emitted; the Report counts
// and lists them. An error from emit stops the reading and is returned.
func ReadCSV(shard Shard, header []string, columns []Column, batchRows int, emit func(*batch.Batch) error) (Report, error) {
	report := Report{Bad: Counts{}}
	where, err := columnIndexes(shard.Path, header, columns)
	if err != nil {
		return report, err
	}
	f, err := os.Open(shard.Path)
	if err != nil {
		return report, err
	}
	defer f.Close()
	if shard.End < shard.Start {
		return report, fmt.Errorf("%s: shard %d ends at %d before it starts at %d", shard.Path, shard.Index, shard.End, shard.Start)
	}
	size := shard.End - shard.Start
	rr := newRecordReader(io.NewSectionReader(f, shard.Start, size), shard.Start, max(shard.Line, 1), int(min(readBuffer, size+1)))
	bl := newBuilder(shard.Path, columns, batchRows, emit, &report)
	var p fieldParser
	for {
		rec, _, line, err := rr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return report, fmt.Errorf("%s: %w", shard.Path, err)
		}
		fields, blank, ferr := p.parse(rec)
		if blank {
			report.Blank++
			continue
		}
		badRow := func(reason, column, detail string) {
			report.bad(BadRow{File: shard.Path, Line: line, Reason: reason, Column: column, Detail: detail, Raw: rawText(rec)})
		}
		if ferr != nil {
			badRow(ReasonQuote, headerName(header, ferr.field-1), fmt.Sprintf("cell %d: %v", ferr.field, ferr.err))
			continue
		}
		if len(fields) != len(header) {
			badRow(ReasonFieldCount, "", fmt.Sprintf("%d cells, the header has %d", len(fields), len(header)))
			continue
		}
		b := bl.batch()
		if reason, col, detail := appendCells(bl, b, columns, where, fields); reason != "" {
			bl.undo()
			badRow(reason, col, detail)
			continue
		}
		if err := bl.endRow(line); err != nil {
			return report, err
		}
	}
	return report, bl.flush()
}

// columnIndexes finds each column in the header: its index, or -1 for an
// optional column the header lacks.
func columnIndexes(path string, header []string, columns []Column) ([]int, error) {
	if err := checkColumns(path, columns); err != nil {
		return nil, err
	}
	pos := make(map[string]int, len(header))
	dup := map[string]bool{}
	for i, h := range header {
		if _, ok := pos[h]; ok {
			dup[h] = true
		}
		pos[h] = i
	}
	where := make([]int, len(columns))
	for i, c := range columns {
		j, ok := pos[c.Name]
		switch {
		case dup[c.Name]:
			return nil, fmt.Errorf("%s: the header names column %q more than once", path, c.Name)
		case !ok && c.Optional:
			j = -1
		case !ok:
			return nil, fmt.Errorf("%s: the header has no column %q", path, c.Name)
		}
		where[i] = j
	}
	return where, nil
}

// checkColumns reports a column read twice or without a kind.
func checkColumns(path string, columns []Column) error {
	seen := map[string]bool{}
	for _, c := range columns {
		if seen[c.Name] {
			return fmt.Errorf("%s: column %q is read twice", path, c.Name)
		}
		seen[c.Name] = true
		switch c.Kind {
		case batch.Int, batch.Float, batch.Bytes:
		default:
			return fmt.Errorf("%s: column %q has no kind", path, c.Name)
		}
	}
	return nil
}

func headerName(header []string, i int) string {
	if i >= 0 && i < len(header) {
		return header[i]
	}
	return ""
}

// appendCells appends one row's cells to b's columns. When a cell is bad
// it returns the reason, the column and a detail, leaving the row partly
// appended for the caller to take back.
func appendCells(bl *builder, b *batch.Batch, columns []Column, where []int, fields [][]byte) (reason, column, detail string) {
	for i, c := range columns {
		col := b.Columns[i]
		if where[i] < 0 || len(fields[where[i]]) == 0 {
			col.AppendMissing()
			continue
		}
		cell := fields[where[i]]
		switch c.Kind {
		case batch.Int:
			v, err := strconv.ParseInt(string(cell), 10, 64)
			if err != nil {
				return ReasonInt, c.Name, numError(err)
			}
			col.AppendInts(v)
		case batch.Float:
			v, err := strconv.ParseFloat(string(cell), 32)
			if err != nil {
				return ReasonFloat, c.Name, numError(err)
			}
			col.AppendFloats(float32(v))
		default:
			if !utf8.Valid(cell) {
				return ReasonUTF8, c.Name, fmt.Sprintf("invalid UTF-8 at byte %d of the cell", invalidAt(cell))
			}
			col.AppendStrings(bl.str(cell))
		}
	}
	return "", "", ""
}

// numError describes a strconv error without repeating the function name.
func numError(err error) string {
	if ne, ok := err.(*strconv.NumError); ok {
		num := ne.Num
		if len(num) > 64 {
			num = num[:64] + "…"
		}
		if ne.Err == strconv.ErrRange {
			return fmt.Sprintf("%q is out of range", num)
		}
		return fmt.Sprintf("%q is not a number", num)
	}
	return err.Error()
}

// invalidAt is the offset of the first byte of b that is not valid UTF-8.
func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}
