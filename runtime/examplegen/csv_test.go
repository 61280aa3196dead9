package examplegen

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tfxc/tfxc/runtime/batch"
)

// stdRecord is a record as encoding/csv reads it.
type stdRecord struct {
	line   int64
	fields []string
}

// stdRead reads text with encoding/csv up to its first error, returning
// the records and the start line of the bad one (0 when none).
func stdRead(text string) ([]stdRecord, int64) {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	var out []stdRecord
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, 0
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return out, int64(pe.StartLine)
		}
		line, _ := r.FieldPos(0)
		out = append(out, stdRecord{int64(line), slices.Clone(rec)})
	}
}

// ourRead reads text with the record reader and field parser up to the
// first bad record, like stdRead.
func ourRead(text string, bufSize int) ([]stdRecord, int64, error) {
	rr := newRecordReader(strings.NewReader(text), 0, 1, bufSize)
	var p fieldParser
	var out []stdRecord
	var off int64
	for {
		rec, o, line, err := rr.next()
		if err == io.EOF {
			if off != int64(len(text)) {
				return nil, 0, fmt.Errorf("records end at %d of %d bytes", off, len(text))
			}
			return out, 0, nil
		}
		if err != nil {
			return nil, 0, err
		}
		if o != off {
			return nil, 0, fmt.Errorf("record at %d, the last ended at %d", o, off)
		}
		off += int64(len(rec))
		fields, blank, ferr := p.parse(rec)
		if blank {
			continue
		}
		if ferr != nil {
			return out, line, nil
		}
		var fs []string
		for _, f := range fields {
			fs = append(fs, string(f))
		}
		out = append(out, stdRecord{line, fs})
	}
}

// checkLikeStd compares our reading of text with encoding/csv's.
func checkLikeStd(t *testing.T, text string, bufSize int) {
	t.Helper()
	want, wantBad := stdRead(text)
	got, gotBad, err := ourRead(text, bufSize)
	if err != nil {
		t.Fatalf("%q: %v", text, err)
	}
	if !slices.EqualFunc(got, want, func(a, b stdRecord) bool { return a.line == b.line && slices.Equal(a.fields, b.fields) }) || gotBad != wantBad {
		t.Fatalf("%q:\n got %v, bad at line %d\nwant %v, bad at line %d", text, got, gotBad, want, wantBad)
	}
}

func TestParseLikeEncodingCSV(t *testing.T) {
	for _, text := range []string{
		"", "\n", "a", "a\n", "a,b\nc,d", "a,b\r\nc,d\r\n", "a,b\r", "a\r\r\nb",
		`"a,b",c` + "\n", `"a""b",c`, `"a` + "\n" + `b",c` + "\n" + "d,e\n",
		`"a` + "\r\n" + `b"` + "\r\n", `"unterminated`, `"unterminated` + "\n",
		`a"b,c`, `"a"b,c`, `"a" ,c`, "\n\n a \n\n", `""`, `"",""` + "\n,\n",
		"a,b\n\"c\n\n\",d\n\ne,f", "é,\"ü\nß\"\n", "a,\"b\"\"\"\n", `"a"""`, "\r\n\r\n", "x\ry,z\n",
	} {
		checkLikeStd(t, text, 16)
		checkLikeStd(t, text, 4096)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", ",", ",", "\"", "\"", "\n", "\n", "\r", "\r\n", " ", "é", "\"\""}
	for range 20000 {
		var sb strings.Builder
		for range rng.IntN(40) {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		checkLikeStd(t, sb.String(), 16)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("a,\"b\nc\"\r\nd,e")
	f.Add(`"a""b",c`)
	f.Fuzz(func(t *testing.T, text string) {
		checkLikeStd(t, text, 16)
	})
}

// shardTexts are CSV files whose shards must cover every record once.
var shardTexts = map[string]string{
	"plain":         "x,y\n1,a\n2,b\n3,c\n4,d\n",
	"no final eol":  "x,y\n1,a\n2,b\n3,c",
	"crlf":          "x,y\r\n1,a\r\n2,b\r\n\r\n3,c\r\n",
	"quoted eol":    "x,y\n1,\"a\nb\"\n2,\"\n\n\"\n\"3\",\"c,\"\"\nd\"\"\"\n4,\"\r\n\"\r\n",
	"bad rows":      "x,y\n1,a\n2\n3,\"c\nd\n4,e,f\n5,g\n",
	"header only":   "x,y\n",
	"header no eol": "x,y",
	"blank lines":   "\n\nx,y\n\n1,a\n\n\n2,b\n\n",
	"quoted header": "\"x\ny\",z\n1,2\n",
}

// TestShardsCoverEveryRecord plans each file with every target size and
// reads the shards: together they give the same rows, bad rows and blank
// lines as one shard, and the rows agree with encoding/csv.
func TestShardsCoverEveryRecord(t *testing.T) {
	for name, text := range shardTexts {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, "data.csv", text)
			want, wantRep, _ := readAllCSV(t, path, 0, allBytes)
			for target := int64(1); target <= int64(len(text))+1; target++ {
				got, rep, shards := readAllCSV(t, path, target, allBytes)
				if !slices.Equal(got, want) {
					t.Fatalf("target %d: rows\n%v\nwant\n%v", target, got, want)
				}
				if rep.Blank != wantRep.Blank || !slices.Equal(rep.BadRows, wantRep.BadRows) {
					t.Fatalf("target %d: bad rows %v, blank %d; want %v, %d", target, rep.BadRows, rep.Blank, wantRep.BadRows, wantRep.Blank)
				}
				for i, s := range shards {
					if s.Index != i || (i > 0 && s.Start != shards[i-1].End) || s.End <= s.Start {
						t.Fatalf("target %d: shards %+v", target, shards)
					}
				}
				if len(shards) > 0 && shards[len(shards)-1].End != int64(len(text)) {
					t.Fatalf("target %d: shards end at %d of %d", target, shards[len(shards)-1].End, len(text))
				}
			}
			// The rows are encoding/csv's, where it reads the file.
			records, bad := stdRead(text)
			if bad == 0 && len(records) > 0 {
				var std []row
				for _, r := range records[1:] {
					var sb strings.Builder
					for _, f := range r.fields {
						if f == "" {
							sb.WriteString("∅|")
						} else {
							fmt.Fprintf(&sb, "%q|", []string{f})
						}
					}
					std = append(std, row{r.line, sb.String()})
				}
				if !slices.Equal(want, std) {
					t.Fatalf("rows\n%v\nencoding/csv\n%v", want, std)
				}
			}
		})
	}
}

func TestPlanCSVEdges(t *testing.T) {
	if _, _, err := PlanCSV(writeFile(t, "e.csv", ""), 10); err == nil || !strings.Contains(err.Error(), "empty file") {
		t.Errorf("empty file: %v", err)
	}
	shards, header, err := PlanCSV(writeFile(t, "h.csv", "a,b\r\n"), 10)
	if err != nil || len(shards) != 0 || !slices.Equal(header, []string{"a", "b"}) {
		t.Errorf("header only: %v %q %v", shards, header, err)
	}
	if _, _, err := PlanCSV(writeFile(t, "q.csv", "a,\"b\n"), 10); err == nil || !strings.Contains(err.Error(), `q.csv:1: header, column 2`) {
		t.Errorf("bad header: %v", err)
	}
	if _, _, err := PlanCSV(t.TempDir()+"/nothing*.csv", 10); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("no file: %v", err)
	}
	// Globs: the shards of every file, indexed in order; headers must agree.
	dir := t.TempDir()
	for i, text := range []string{"x,y\n1,a\n2,b\n", "x,y\n3,c\n"} {
		writeFileAt(t, fmt.Sprintf("%s/part%d.csv", dir, i), text)
	}
	shards, _, err = PlanCSV(dir+"/*.csv", 4)
	if err != nil || len(shards) != 3 || shards[2].Index != 2 || !strings.HasSuffix(shards[2].Path, "part1.csv") || shards[2].Line != 2 {
		t.Errorf("glob: %+v %v", shards, err)
	}
	writeFileAt(t, dir+"/part2.csv", "y,x\n")
	if _, _, err := PlanCSV(dir+"/*.csv", 4); err == nil || !strings.Contains(err.Error(), "differs") {
		t.Errorf("headers differ: %v", err)
	}
}

// TestBadRows reads a file with a bad row of every CSV reason.
func TestBadRows(t *testing.T) {
	text := "i,f,s,unused\n" + // line 1
		"1,2.5,a,x\n" + // 2: good
		"1,2.5,a\n" + // 3: field_count
		"x,2.5,a,x\n" + // 4: bad_int
		"1,2.5e99,a,x\n" + // 5: bad_float (out of float32 range)
		"1,2.5,\xff\xfe,x\n" + // 6: invalid_utf8
		"1,2.5,\"multi\nline\",x\n" + // 7-8: good
		"1,2.5,a\"b,x\n" + // 9: bad_quote
		",,,\n" + // 10: all missing
		"99999999999999999999,1,a,x\n" + // 11: bad_int, out of range
		"1,nan,\"\",\xff\n" + // 12: good: the unused column is not checked
		"2,-0,\"q\"\"\",x" // 13: good, no final newline
	path := writeFile(t, "bad.csv", text)
	cols := []Column{{Name: "i", Kind: batch.Int}, {Name: "f", Kind: batch.Float}, {Name: "s", Kind: batch.Bytes}}
	rows, rep, _ := readAllCSV(t, path, 0, func([]string) []Column { return cols })
	want := []row{
		{2, "[1]|[2.5]|[\"a\"]|"},
		{7, "[1]|[2.5]|[\"multi\\nline\"]|"},
		{10, "∅|∅|∅|"},
		{12, "[1]|[NaN]|∅|"},
		{13, "[2]|[-0]|[\"q\\\"\"]|"},
	}
	if !slices.Equal(rows, want) {
		t.Errorf("rows\n%v\nwant\n%v", rows, want)
	}
	type bad struct {
		line           int64
		reason, column string
	}
	var got []bad
	for _, b := range rep.BadRows {
		got = append(got, bad{b.Line, b.Reason, b.Column})
		if b.File != path || b.Detail == "" || b.Raw == "" || strings.HasSuffix(b.Raw, "\n") {
			t.Errorf("bad row %+v", b)
		}
	}
	wantBad := []bad{
		{3, ReasonFieldCount, ""}, {4, ReasonInt, "i"}, {5, ReasonFloat, "f"}, {6, ReasonUTF8, "s"},
		{9, ReasonQuote, "s"}, {11, ReasonInt, "i"},
	}
	if !slices.Equal(got, wantBad) {
		t.Errorf("bad rows %v, want %v", got, wantBad)
	}
	if rep.Bad[ReasonInt] != 2 || rep.Bad.Total() != 6 {
		t.Errorf("counts %v", rep.Bad)
	}
	if rep.BadRows[0].Detail != "3 cells, the header has 4" || rep.BadRows[0].Raw != "1,2.5,a" {
		t.Errorf("field count row %+v", rep.BadRows[0])
	}
}

func TestReadCSVColumns(t *testing.T) {
	path := writeFile(t, "c.csv", "a,b,a\n1,2,3\n")
	shards, header, err := PlanCSV(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	read := func(cols ...Column) ([]row, error) {
		var rows []row
		_, err := ReadCSV(shards[0], header, cols, 10, func(b *batch.Batch) error { rows = append(rows, rowsOf(b)...); return nil })
		return rows, err
	}
	if _, err := read(Column{Name: "c", Kind: batch.Int}); err == nil || !strings.Contains(err.Error(), `the header has no column "c"`) {
		t.Errorf("missing column: %v", err)
	}
	if _, err := read(Column{Name: "a", Kind: batch.Int}); err == nil || !strings.Contains(err.Error(), "more than once") {
		t.Errorf("ambiguous column: %v", err)
	}
	if _, err := read(Column{Name: "b", Kind: batch.Int}, Column{Name: "b", Kind: batch.Int}); err == nil {
		t.Errorf("a column read twice is accepted")
	}
	rows, err := read(Column{Name: "c", Kind: batch.Float, Optional: true}, Column{Name: "b", Kind: batch.Int})
	if err != nil || !slices.Equal(rows, []row{{2, "∅|[2]|"}}) {
		t.Errorf("optional column: %v %v", rows, err)
	}
	stop := errors.New("stop")
	_, err = ReadCSV(shards[0], header, []Column{{Name: "b", Kind: batch.Int}}, 10, func(*batch.Batch) error { return stop })
	if err != stop {
		t.Errorf("emit's error: %v", err)
	}
}

func TestRawText(t *testing.T) {
	long := strings.Repeat("é", MaxRaw) + "\r\n"
	raw := rawText([]byte(long))
	if len(raw) > MaxRaw+len("…") || !strings.HasSuffix(raw, "é…") {
		t.Errorf("raw of a long record: %d bytes ending %q", len(raw), raw[len(raw)-8:])
	}
}

// FuzzReadCSV reads any text as a CSV file, in shards of any size, and
// checks that nothing panics and every record is accounted for: each is
// a row, a bad row or a blank line, in every sharding alike.
func FuzzReadCSV(f *testing.F) {
	for _, text := range shardTexts {
		f.Add(text, uint16(3))
	}
	f.Add("i,f,s\n1,2,x\n\"1\",\"2\",\"\xff\"\n", uint16(1))
	f.Fuzz(func(t *testing.T, text string, target uint16) {
		if len(text) > 16<<10 {
			return // a shard per record of a long text is slow, not interesting
		}
		path := writeFile(t, "f.csv", text)
		_, header, err := PlanCSV(path, int64(target))
		if err != nil {
			return // no header, or a broken one
		}
		kinds := []batch.Kind{batch.Int, batch.Float, batch.Bytes}
		cols := func(header []string) []Column {
			var cols []Column
			seen := map[string]bool{}
			for i, h := range header {
				if !seen[h] {
					seen[h] = true
					cols = append(cols, Column{Name: h, Kind: kinds[i%3]})
				}
			}
			return cols
		}
		if len(header) != len(cols(header)) {
			return // a repeated column name fails the file
		}
		rows, rep, _ := readAllCSV(t, path, int64(target), cols)
		whole, wholeRep, _ := readAllCSV(t, path, 0, cols)
		if !slices.Equal(rows, whole) || !slices.Equal(rep.BadRows, wholeRep.BadRows) || rep.Blank != wholeRep.Blank {
			t.Fatalf("target %d reads differently from one shard", target)
		}
		// Every record after the header is a row, a bad row or a blank.
		rr := newRecordReader(bytes.NewReader([]byte(text)), 0, 1, 64)
		n := int64(0)
		for {
			if _, _, _, err := rr.next(); err != nil {
				break
			}
			n++
		}
		var headerRecords int64 = 1
		for _, line := range strings.SplitAfter(text, "\n") {
			if trimEOL([]byte(line)) != nil && len(trimEOL([]byte(line))) > 0 {
				break
			}
			headerRecords++ // blank lines before the header
		}
		if got := rep.Rows + rep.Bad.Total() + rep.Blank + headerRecords; got != n {
			t.Fatalf("%d records, %d accounted for (%d rows, %v, %d blank)", n, got, rep.Rows, rep.Bad, rep.Blank)
		}
	})
}
