package beamrun

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/term"
)

// Reporter writes a job's progress: on a terminal one live line, redrawn
// in place (carriage return) at every snapshot; elsewhere, such as a CI
// log, a plain line at most every Every. Its Report method is an
// Options.Progress.
type Reporter struct {
	w      io.Writer
	live   bool
	every  time.Duration
	format func(Snapshot) string

	mu      sync.Mutex
	drawn   int           // runes of the live line on screen
	printed bool          // a plain line was written
	last    time.Duration // Elapsed of the last plain line
}

// NewReporter returns a Reporter writing to f, live when f is a terminal,
// else a line every interval. format renders a snapshot as one line
// without a newline; nil means FormatSnapshot.
func NewReporter(f *os.File, every time.Duration, format func(Snapshot) string) *Reporter {
	return NewWriterReporter(f, IsTerminal(f), every, format)
}

// NewWriterReporter is NewReporter for any writer, live or not as told.
func NewWriterReporter(w io.Writer, live bool, every time.Duration, format func(Snapshot) string) *Reporter {
	if format == nil {
		format = FormatSnapshot
	}
	return &Reporter{w: w, live: live, every: every, format: format}
}

// IsTerminal reports whether f is a terminal. (golang.org/x/term is in
// the module graph through Beam already.)
func IsTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}

// Report shows a snapshot.
func (r *Reporter) Report(s Snapshot) {
	r.mu.Lock()
	defer r.mu.Unlock()
	line := r.format(s)
	if r.live {
		n := utf8.RuneCountInString(line)
		// Blank what is left of a longer previous line.
		pad := strings.Repeat(" ", max(0, r.drawn-n))
		fmt.Fprintf(r.w, "\r%s%s", line, pad)
		r.drawn = n
		return
	}
	if r.printed && s.Elapsed-r.last < r.every {
		return
	}
	fmt.Fprintln(r.w, line)
	r.printed, r.last = true, s.Elapsed
}

// Done shows the last snapshot, whatever the interval, and ends the live
// line so that the next output starts on a line of its own.
func (r *Reporter) Done(s Snapshot) {
	r.mu.Lock()
	live, drawn := r.live, r.drawn
	r.printed = false
	r.mu.Unlock()
	r.Report(s)
	if live || drawn > 0 {
		r.mu.Lock()
		fmt.Fprintln(r.w)
		r.drawn = 0
		r.mu.Unlock()
	}
}

// FormatSnapshot renders a snapshot as its elapsed seconds, its state and
// its counters sorted by name: "12s RUNNING rows_read=1200 shards=3".
func FormatSnapshot(s Snapshot) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v", s.Elapsed.Round(time.Second))
	if s.State != "" {
		fmt.Fprintf(&b, " %s", s.State)
	}
	names := make([]string, 0, len(s.Counters))
	for name := range s.Counters {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(&b, " %s=%d", name, s.Counters[name])
	}
	return b.String()
}
