package version

import (
	"runtime/debug"
	"testing"
)

func TestFrom(t *testing.T) {
	t.Parallel()
	rev := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "3f2a9c1d0b7e55aa66bb77cc88dd99ee00ff1122"}}
	dirty := append(append([]debug.BuildSetting{}, rev...), debug.BuildSetting{Key: "vcs.modified", Value: "true"})
	clean := append(append([]debug.BuildSetting{}, rev...), debug.BuildSetting{Key: "vcs.modified", Value: "false"})
	cases := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"no build info", nil, false, "(unknown)"},
		{"go install @version", &debug.BuildInfo{Main: debug.Module{Path: Module, Version: "v0.3.0"}}, true, "v0.3.0"},
		{"checkout, no vcs stamp (go test, go run)", &debug.BuildInfo{Main: debug.Module{Path: Module, Version: "(devel)"}}, true, "(devel)"},
		{"checkout, clean", &debug.BuildInfo{Main: debug.Module{Path: Module, Version: "(devel)"}, Settings: clean}, true, "(devel)+3f2a9c1d0b7e"},
		{"checkout, dirty", &debug.BuildInfo{Main: debug.Module{Path: Module, Version: "(devel)"}, Settings: dirty}, true, "(devel)+3f2a9c1d0b7e+dirty"},
		{"pseudo-version names the revision", &debug.BuildInfo{Main: debug.Module{Path: Module, Version: "v0.3.1-0.20261201120000-3f2a9c1d0b7e"}, Settings: clean}, true, "v0.3.1-0.20261201120000-3f2a9c1d0b7e"},
		{"linked into another program", &debug.BuildInfo{Main: debug.Module{Path: "example.com/tool", Version: "v1.0.0"}, Deps: []*debug.Module{{Path: Module, Version: "v0.2.0"}}, Settings: dirty}, true, "v0.2.0"},
		{"linked, replaced", &debug.BuildInfo{Main: debug.Module{Path: "example.com/tool"}, Deps: []*debug.Module{{Path: Module, Version: "v0.2.0", Replace: &debug.Module{Path: "../streamcap", Version: ""}}}}, true, "v0.2.0"},
	}
	for _, c := range cases {
		if got := From(c.bi, c.ok); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}
