package beamrun

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/tfxc/tfxc/internal/prismtest"
)

// BenchmarkWordCount1M runs the test pipeline over a text of a million
// lines (about 30 MB, 8 shards) in-process and on a standalone Prism job
// server, and one plain pass over the same bytes for comparison.
func BenchmarkWordCount1M(b *testing.B) {
	dir := b.TempDir()
	input, data := writeTextLong(b, dir, 1_000_000, false)
	shardBytes := int64(len(data))/8 + 1
	run := func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			out, err := os.MkdirTemp(dir, "out-")
			if err != nil {
				b.Fatal(err)
			}
			p, err := wordCount(input, shardBytes, out, 0)
			if err != nil {
				b.Fatal(err)
			}
			res, err := Run(context.Background(), p, Options{Timeout: 10 * time.Minute})
			if err != nil {
				b.Fatal(err)
			}
			if res.Counters["lines"] != 1_000_000 {
				b.Fatalf("counted %d lines", res.Counters["lines"])
			}
			os.RemoveAll(out)
		}
	}
	b.Run("plain", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, c := expect(data); c.Lines != 1_000_000 {
				b.Fatalf("counted %d lines", c.Lines)
			}
		}
	})
	b.Run("prism", run)
	b.Run("jobserver", func(b *testing.B) {
		endpoint := prismtest.Start(b)
		setFlag(b, "runner", "universal")
		setFlag(b, "endpoint", endpoint)
		setFlag(b, "environment_type", "LOOPBACK")
		run(b)
	})
}
