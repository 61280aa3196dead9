package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestHandshakeRoundTrip(t *testing.T) {
	for _, h := range []Handshake{
		{Version: "devel", PlanFormat: 1},
		{Version: "v1.2.3", PlanFormat: 12},
		{Version: "devel-0123456789ab-dirty", PlanFormat: 0},
	} {
		line := h.String()
		got, err := ParseHandshake(line + "\n")
		if err != nil {
			t.Fatalf("ParseHandshake(%q): %v", line, err)
		}
		if got != h {
			t.Errorf("ParseHandshake(%q) = %+v, want %+v", line, got, h)
		}
	}
}

func TestParseHandshakeErrors(t *testing.T) {
	for _, line := range []string{
		"",
		"tfxc-beam",
		"tfxc-beam v1",
		"tfxc v1 plan/1",
		"tfxc-beam v1 plan/x",
		"tfxc-beam v1 plan/-1",
		"tfxc-beam v1 format/1",
		"tfxc-beam v1 plan/1 extra",
		"Usage of tfxc-beam:",
	} {
		if h, err := ParseHandshake(line); err == nil {
			t.Errorf("ParseHandshake(%q) = %+v, want an error", line, h)
		} else if !strings.Contains(err.Error(), "handshake") {
			t.Errorf("ParseHandshake(%q): error %q does not say what failed", line, err)
		}
	}
}

func TestFromBuildInfo(t *testing.T) {
	for _, c := range []struct {
		info debug.BuildInfo
		want string
	}{
		{debug.BuildInfo{Main: debug.Module{Version: "v0.3.0"}}, "v0.3.0"},
		{debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "devel"},
		{debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"},
			{Key: "vcs.modified", Value: "true"},
		}}, "devel-0123456789ab-dirty"},
		{debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}}}, "devel-abc"},
	} {
		if got := fromBuildInfo(&c.info); got != c.want {
			t.Errorf("fromBuildInfo(%+v) = %q, want %q", c.info, got, c.want)
		}
	}
}
