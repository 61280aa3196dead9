package beamrun

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func snap(sec int, lines int64) Snapshot {
	return Snapshot{Elapsed: time.Duration(sec) * time.Second, State: "RUNNING", Counters: map[string]int64{"lines": lines, "shards": 1}}
}

func TestFormatSnapshot(t *testing.T) {
	s := Snapshot{Elapsed: 1500 * time.Millisecond, State: "RUNNING", Counters: map[string]int64{"words": 9, "lines": 3}}
	if got, want := FormatSnapshot(s), "2s RUNNING lines=3 words=9"; got != want {
		t.Errorf("FormatSnapshot = %q, want %q", got, want)
	}
	if got, want := FormatSnapshot(Snapshot{}), "0s"; got != want {
		t.Errorf("FormatSnapshot of nothing = %q, want %q", got, want)
	}
}

func TestReporterLive(t *testing.T) {
	var b bytes.Buffer
	r := NewWriterReporter(&b, true, time.Hour, nil)
	r.Report(snap(1, 100))
	r.Report(snap(2, 5)) // shorter: the rest of the old line is blanked
	r.Done(snap(3, 7))
	want := "\r1s RUNNING lines=100 shards=1" +
		"\r2s RUNNING lines=5 shards=1  " +
		"\r3s RUNNING lines=7 shards=1\n"
	if got := b.String(); got != want {
		t.Errorf("live output\n%q\nwant\n%q", got, want)
	}
}

func TestReporterPlain(t *testing.T) {
	var b bytes.Buffer
	r := NewWriterReporter(&b, false, 10*time.Second, func(s Snapshot) string { return FormatSnapshot(s) })
	for sec := range 25 {
		r.Report(snap(sec, int64(sec)))
	}
	r.Done(snap(26, 26))
	want := "0s RUNNING lines=0 shards=1\n" +
		"10s RUNNING lines=10 shards=1\n" +
		"20s RUNNING lines=20 shards=1\n" +
		"26s RUNNING lines=26 shards=1\n"
	if got := b.String(); got != want {
		t.Errorf("plain output\n%s\nwant\n%s", got, want)
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Error("a regular file is a terminal")
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if IsTerminal(null) {
		t.Error("/dev/null is a terminal")
	}
}
