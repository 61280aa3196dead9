package examplegen

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/tfxc/tfxc/runtime/tfrecord"
)

// ShardName is the conventional name of output shard index of count:
// part-00003-of-00012.tfrecord.
func ShardName(index, count int) string {
	return fmt.Sprintf("part-%05d-of-%05d.tfrecord", index, count)
}

// ShardWriter writes one TFRecord output shard. It writes under a
// temporary name (".tmp-NAME-…") in the target folder and renames the file
// to its name on Close, so a shard written by a failed or retried task is
// never visible half-written; a retry replaces the earlier file whole.
type ShardWriter struct {
	file    *pendingFile
	w       *tfrecord.Writer
	records int64
}

// NewShardWriter starts writing dir/name, creating dir if need be.
func NewShardWriter(dir, name string) (*ShardWriter, error) {
	p, err := createPending(filepath.Join(dir, name))
	if err != nil {
		return nil, fmt.Errorf("creating output shard %s: %w", name, err)
	}
	return &ShardWriter{file: p, w: tfrecord.NewWriter(p)}, nil
}

// Write appends one record.
func (w *ShardWriter) Write(record []byte) error {
	if err := w.w.Write(record); err != nil {
		return fmt.Errorf("%s: %w", w.file.path, err)
	}
	w.records++
	return nil
}

// Records is the number of records written.
func (w *ShardWriter) Records() int64 { return w.records }

// Path is the shard's final name.
func (w *ShardWriter) Path() string { return w.file.path }

// Close finishes the shard and gives it its final name.
func (w *ShardWriter) Close() error { return w.file.commit() }

// Abort removes the unfinished shard. After Close it does nothing.
func (w *ShardWriter) Abort() error { return w.file.abort() }

// QuarantineWriter writes bad rows as JSON Lines, one object per row with
// the fields file, line, offset, reason, column, detail and raw (see
// BadRow). Like ShardWriter it writes under a temporary name and renames
// on Close.
type QuarantineWriter struct {
	file   *pendingFile
	enc    *json.Encoder
	counts Counts
}

// NewQuarantineWriter starts writing the quarantine file path.
func NewQuarantineWriter(path string) (*QuarantineWriter, error) {
	p, err := createPending(path)
	if err != nil {
		return nil, fmt.Errorf("creating quarantine file: %w", err)
	}
	enc := json.NewEncoder(p)
	enc.SetEscapeHTML(false)
	return &QuarantineWriter{file: p, enc: enc, counts: Counts{}}, nil
}

// Write appends a bad row.
func (q *QuarantineWriter) Write(r BadRow) error {
	if err := q.enc.Encode(r); err != nil {
		return fmt.Errorf("%s: %w", q.file.path, err)
	}
	q.counts.Add(r.Reason)
	return nil
}

// Counts returns the rows written so far by reason.
func (q *QuarantineWriter) Counts() Counts {
	c := Counts{}
	c.Merge(q.counts)
	return c
}

// Close finishes the file and gives it its final name.
func (q *QuarantineWriter) Close() error { return q.file.commit() }

// Abort removes the unfinished file. After Close it does nothing.
func (q *QuarantineWriter) Abort() error { return q.file.abort() }
