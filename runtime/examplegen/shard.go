package examplegen

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/tfxc/tfxc/runtime/tfrecord"
)

// Shard is a byte range of whole records of one file, the unit a worker
// reads. It encodes to JSON (and gob) as is.
type Shard struct {
	Path  string
	Start int64 // offset of the first record
	End   int64 // offset past the last record
	// Line is the 1-based line of a CSV shard's first record, or the
	// 0-based number of a TFRecord shard's first record in its file.
	Line  int64
	Index int // 0-based, in the order the plan lists shards
	// Gzip marks a GZIP-compressed TFRecord file, as TFX's ExampleGen
	// writes them: it cannot be split, so it is one shard, from Start 0
	// to End −1 (its end), offsets counting in the decompressed stream.
	Gzip bool `json:",omitempty"`
}

// expand returns the files a path or glob pattern names, sorted.
func expand(pattern string) ([]string, error) {
	paths, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("examples %s: %w", pattern, err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("examples %s: no such file", pattern)
	}
	slices.Sort(paths)
	return paths, nil
}

// planBuffer is the read buffer of PlanCSV's scan.
const planBuffer = 1 << 20

// PlanCSV splits the CSV files a path or glob pattern names into shards
// of whole records of about targetBytes each (a file per shard when
// targetBytes <= 0), and returns the header, the first record of every
// file. Files must have the same header. A file with a header and no
// records has no shards; an empty file is an error, as it has no header.
//
// Boundaries are found by one sequential scan that knows whether it is
// inside a quoted field (see the package documentation), so a shard never
// starts inside one; a file without quotes is split at newlines.
func PlanCSV(pattern string, targetBytes int64) ([]Shard, []string, error) {
	paths, err := expand(pattern)
	if err != nil {
		return nil, nil, err
	}
	var (
		shards []Shard
		header []string
		first  string
	)
	for _, path := range paths {
		h, s, err := planCSVFile(path, targetBytes, len(shards))
		if err != nil {
			return nil, nil, err
		}
		if header == nil {
			header, first = h, path
		} else if !slices.Equal(h, header) {
			return nil, nil, fmt.Errorf("%s: the header %q differs from %s's %q", path, h, first, header)
		}
		shards = append(shards, s...)
	}
	return shards, header, nil
}

func planCSVFile(path string, target int64, index int) ([]string, []Shard, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	rr := newRecordReader(f, 0, 1, planBuffer)
	header, err := readHeader(rr, path)
	if err != nil {
		return nil, nil, err
	}
	var shards []Shard
	cur := Shard{Path: path, Start: -1}
	for {
		rec, off, line, err := rr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		if cur.Start < 0 {
			cur.Start, cur.Line = off, line
		}
		cur.End = off + int64(len(rec))
		if target > 0 && cur.End-cur.Start >= target {
			cur.Index = index + len(shards)
			shards = append(shards, cur)
			cur = Shard{Path: path, Start: -1}
		}
	}
	if cur.Start >= 0 {
		cur.Index = index + len(shards)
		shards = append(shards, cur)
	}
	return header, shards, nil
}

// readHeader reads the first record that is not an empty line as the
// column names.
func readHeader(rr *recordReader, path string) ([]string, error) {
	var p fieldParser
	for {
		rec, _, line, err := rr.next()
		if err == io.EOF {
			return nil, fmt.Errorf("%s: empty file, without a header line", path)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		fields, blank, ferr := p.parse(rec)
		if blank {
			continue
		}
		if ferr != nil {
			return nil, fmt.Errorf("%s:%d: header, column %d: %w", path, line, ferr.field, ferr.err)
		}
		header := make([]string, len(fields))
		for i, f := range fields {
			header[i] = string(f)
		}
		return header, nil
	}
}

// PlanTFRecord splits the TFRecord files that paths (or glob patterns)
// name into shards of whole records of about targetBytes each (a file per
// shard when targetBytes <= 0). It reads only the records' headers, and
// fails on a file whose framing is corrupt or truncated. Empty files have
// no shards. A GZIP-compressed file (told by its magic bytes, not its
// name) is one shard, read whole.
func PlanTFRecord(paths []string, targetBytes int64) ([]Shard, error) {
	var shards []Shard
	for _, pat := range paths {
		files, err := expand(pat)
		if err != nil {
			return nil, err
		}
		for _, path := range files {
			gz, err := isGzip(path)
			if err != nil {
				return nil, err
			}
			if gz {
				shards = append(shards, Shard{Path: path, End: -1, Gzip: true, Index: len(shards)})
				continue
			}
			ranges, err := planTFRecordFile(path, targetBytes)
			if err != nil {
				return nil, err
			}
			for _, r := range ranges {
				shards = append(shards, Shard{Path: path, Start: r.Start, End: r.End, Line: r.First, Index: len(shards)})
			}
		}
	}
	return shards, nil
}

// isGzip reports whether a file starts with GZIP's magic bytes.
func isGzip(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	var magic [2]byte
	n, err := io.ReadFull(f, magic[:])
	if err != nil && n < len(magic) && err != io.EOF && err != io.ErrUnexpectedEOF {
		return false, err
	}
	return n == 2 && magic == [2]byte{0x1f, 0x8b}, nil
}

func planTFRecordFile(path string, target int64) ([]tfrecord.Range, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	ranges, err := tfrecord.Plan(f, st.Size(), target)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ranges, nil
}
