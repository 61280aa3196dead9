// Package version is the version of tfxc and tfxc-beam, and the handshake
// line through which tfxc checks that the tfxc-beam it found belongs with
// it. Both commands import it; it imports neither Beam nor the compiler.
package version

import (
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
)

// version is set by release builds with
// -ldflags "-X github.com/tfxc/tfxc/internal/version.version=v1.2.3".
var version string

// String returns the version of the running binary: the one set at link
// time, the module version of the build, or "devel" followed by the VCS
// revision when the build recorded one.
func String() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	return fromBuildInfo(info)
}

func fromBuildInfo(info *debug.BuildInfo) string {
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	v := "devel"
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "-dirty"
			}
		}
	}
	if rev != "" {
		v += "-" + rev[:min(12, len(rev))] + modified
	}
	return v
}

// HandshakeFlag is the flag that makes tfxc-beam print its handshake line
// and exit.
const HandshakeFlag = "handshake"

// Program is the name of the Beam binary, as its handshake line spells it.
const Program = "tfxc-beam"

// Handshake is what tfxc-beam answers to --handshake: its version and the
// plan format it reads.
type Handshake struct {
	Version    string
	PlanFormat int
}

// String returns the handshake line, "tfxc-beam VERSION plan/N", without a
// newline.
func (h Handshake) String() string {
	return fmt.Sprintf("%s %s plan/%d", Program, h.Version, h.PlanFormat)
}

// ParseHandshake parses a handshake line as Handshake.String writes it;
// surrounding white space is ignored.
func ParseHandshake(line string) (Handshake, error) {
	f := strings.Fields(line)
	if len(f) != 3 || f[0] != Program || !strings.HasPrefix(f[2], "plan/") {
		return Handshake{}, fmt.Errorf("handshake %q: want %q", line, Program+" VERSION plan/N")
	}
	n, err := strconv.Atoi(strings.TrimPrefix(f[2], "plan/"))
	if err != nil || n < 0 {
		return Handshake{}, fmt.Errorf("handshake %q: plan format %q is not a number", line, f[2])
	}
	return Handshake{Version: f[1], PlanFormat: n}, nil
}
