package examplegen

import (
	"fmt"

	"github.com/tfxc/tfxc/runtime/batch"
)

// builder appends rows to batches and hands full ones to emit.
type builder struct {
	cols      []Column
	file      string
	batchRows int
	emit      func(*batch.Batch) error
	report    *Report
	b         *batch.Batch
	rows      int // rows of b
	intern    map[string]string
}

// maxIntern bounds the strings a builder shares between rows, and
// maxInternLen the length of one.
const (
	maxIntern    = 1 << 14
	maxInternLen = 64
)

func newBuilder(file string, cols []Column, batchRows int, emit func(*batch.Batch) error, report *Report) *builder {
	if batchRows <= 0 {
		batchRows = 1024
	}
	return &builder{cols: cols, file: file, batchRows: batchRows, emit: emit, report: report, intern: map[string]string{}}
}

// batch returns the batch the next row goes to.
func (bl *builder) batch() *batch.Batch {
	if bl.b == nil {
		bl.b = &batch.Batch{File: bl.file, Lines: make([]int64, 0, bl.batchRows)}
		for _, c := range bl.cols {
			col := batch.NewColumn(c.Name, c.Kind)
			col.Missing = make([]bool, 0, bl.batchRows)
			col.Offsets = make([]int, 1, bl.batchRows+1)
			switch c.Kind {
			case batch.Int:
				col.Ints = make([]int64, 0, bl.batchRows)
			case batch.Float:
				col.Floats = make([]float32, 0, bl.batchRows)
			case batch.Bytes:
				col.Strings = make([]string, 0, bl.batchRows)
			}
			bl.b.Columns = append(bl.b.Columns, col)
		}
	}
	return bl.b
}

// undo takes back the columns of a row that turned out bad.
func (bl *builder) undo() {
	for _, c := range bl.b.Columns {
		if c.Rows() > bl.rows {
			c.Truncate(bl.rows)
		}
	}
}

// endRow completes a row read from line.
func (bl *builder) endRow(line int64) error {
	bl.b.Lines = append(bl.b.Lines, line)
	bl.rows++
	bl.report.Rows++
	if bl.rows >= bl.batchRows {
		return bl.flush()
	}
	return nil
}

// flush emits the rows gathered so far.
func (bl *builder) flush() error {
	if bl.b == nil || bl.rows == 0 {
		return nil
	}
	b := bl.b
	bl.b, bl.rows = nil, 0
	if err := b.Check(); err != nil {
		return fmt.Errorf("examplegen: internal error: %w", err)
	}
	return bl.emit(b)
}

// str returns b as a string, shared with earlier rows holding the same
// short value.
func (bl *builder) str(b []byte) string {
	if len(b) > maxInternLen {
		return string(b)
	}
	if s, ok := bl.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(bl.intern) < maxIntern {
		bl.intern[s] = s
	}
	return s
}
