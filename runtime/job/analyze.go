package job

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"path/filepath"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/runtime/batch"
	"github.com/tfxc/tfxc/runtime/examplegen"
	"github.com/tfxc/tfxc/runtime/stats"
	"github.com/tfxc/tfxc/runtime/transform"
)

// ShardSummary is what reading a shard yields: the accumulators of its
// statistics (per split) and of the analyzers (over the analyzed split),
// encoded, and its counts. Shard summaries are merged in shard order, so
// that every runner gives the same results.
type ShardSummary struct {
	Index int
	Rows  []int64 // rows read, per split
	// Bad counts the quarantined records by reason.
	Bad       map[string]int64
	Stats     [][]byte // per split, stats.Accumulator
	Analyzers []byte   // transform.Analyzers; nil without a transform
}

// Encode and DecodeShardSummary carry a summary across a Beam boundary.
func (s *ShardSummary) Encode() ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(s); err != nil {
		return nil, fmt.Errorf("encoding the summary of shard %d: %w", s.Index, err)
	}
	return buf.Bytes(), nil
}

// DecodeShardSummary decodes what Encode wrote.
func DecodeShardSummary(data []byte) (*ShardSummary, error) {
	s := &ShardSummary{}
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(s); err != nil {
		return nil, fmt.Errorf("decoding a shard summary: %w", err)
	}
	return s, nil
}

// quarantinePath is where a stage writes the bad records of a shard.
func quarantinePath(runDir, stage string, index int) string {
	return filepath.Join(runDir, "quarantine", fmt.Sprintf("%s-%05d.jsonl", stage, index))
}

// AnalyzeShard reads one shard: it splits the rows, accumulates each
// split's statistics and, over the analyzed split, the transform's
// analyzers. Records that cannot be read go to the shard's quarantine
// file under runDir. Rows that the transform cannot take (a required value
// missing) are counted in the statistics but not analyzed; TransformShard
// quarantines them.
func (j *Job) AnalyzeShard(t Task, runDir string) (*ShardSummary, error) {
	accs := make([]*stats.Accumulator, j.Splits())
	for i := range accs {
		accs[i] = stats.New(j.features, stats.Options{})
	}
	var an *transform.Analyzers
	if j.Template != nil {
		var err error
		if an, err = transform.NewAnalyzers(tfgraph.FirstPass(j.Template)); err != nil {
			return nil, err
		}
	}
	sum := &ShardSummary{Index: t.Index, Rows: make([]int64, j.Splits()), Bad: map[string]int64{}}
	report, err := j.read(t, func(b *batch.Batch) error {
		return j.eachSplit(b, func(s int, part *batch.Batch) error {
			sum.Rows[s] += int64(part.Rows())
			if err := accs[s].Add(part); err != nil {
				return err
			}
			if s == j.analyze && an != nil {
				return analyzeBatch(an, j, part)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("shard %d of %s: %w", t.Index, t.Shard.Path, err)
	}
	if err := writeQuarantine(quarantinePath(runDir, "examples", t.Index), report.BadRows); err != nil {
		return nil, err
	}
	for _, r := range report.BadRows {
		sum.Bad[r.Reason]++
	}
	for _, acc := range accs {
		data, err := acc.MarshalBinary()
		if err != nil {
			return nil, err
		}
		sum.Stats = append(sum.Stats, data)
	}
	if an != nil {
		if sum.Analyzers, err = an.MarshalBinary(); err != nil {
			return nil, err
		}
	}
	return sum, nil
}

// analyzeBatch feeds the rows of b that the graph can take to the
// analyzers.
func analyzeBatch(an *transform.Analyzers, j *Job, b *batch.Batch) error {
	bad, err := transform.Unfeedable(b, j.Template.Inputs)
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		b = b.Select(keptRows(b.Rows(), bad))
	}
	feeds, err := transform.BatchFeeds(b, j.Template.Inputs)
	if err != nil {
		return err
	}
	return an.Add(feeds)
}

// keptRows lists the rows of n that are not bad.
func keptRows(n int, bad []transform.RowError) []int {
	drop := make(map[int]bool, len(bad))
	for _, e := range bad {
		drop[e.Row] = true
	}
	kept := make([]int, 0, n-len(drop))
	for r := range n {
		if !drop[r] {
			kept = append(kept, r)
		}
	}
	return kept
}

// writeQuarantine writes bad records to path; it writes nothing when there
// are none.
func writeQuarantine(path string, rows []examplegen.BadRow) error {
	if len(rows) == 0 {
		return nil
	}
	w, err := examplegen.NewQuarantineWriter(path)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Close()
}
