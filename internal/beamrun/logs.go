package beamrun

import (
	"io"
	"log/slog"

	"google.golang.org/grpc/grpclog"
)

// RouteLogs sends the log output of Beam, Prism and gRPC to w, keeping
// records at level and above, so that a user's terminal shows only the
// program's own output. Call it after beam.Init, which installs Beam's
// logger (text to stderr at info level, where Prism alone writes several
// lines a stage) as slog's default.
//
// Prism, the Beam SDK (including the job messages a portable runner sends
// back, and DoFn logs of in-process workers) and the standard log package
// all write through slog's default logger, which RouteLogs replaces; gRPC
// writes through its own logger, which RouteLogs replaces too. A program
// typically passes a log file in the run's folder, or io.Discard.
func RouteLogs(w io.Writer, level slog.Level) {
	slog.SetDefault(slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})))
	grpcLevel := 0 // info
	switch {
	case level >= slog.LevelError:
		grpcLevel = 2
	case level >= slog.LevelWarn:
		grpcLevel = 1
	}
	var info, warning io.Writer = w, w
	if grpcLevel > 0 {
		info = io.Discard
	}
	if grpcLevel > 1 {
		warning = io.Discard
	}
	grpclog.SetLoggerV2(grpclog.NewLoggerV2(info, warning, w))
}
