// Package version owns streamcap's version string: `streamcap --version`,
// `streamcap version`, the plan and transfer JSON and the bench result's
// driver field all print String, read once from the build information Go
// stamps into the binary (runtime/debug.ReadBuildInfo), never a literal.
package version

import (
	"runtime/debug"
)

// Module is streamcap's module path.
const Module = "github.com/streamcap/streamcap"

// String returns the running binary's streamcap version: the module version
// ("v0.3.0" when built with go install …@v0.3.0; from a checkout Go stamps
// a pseudo-version naming the revision, or "(devel)"), and for "(devel)" a
// "+" and the first 12 hex digits of the VCS revision when the build
// stamped one, then "+dirty" when the tree had uncommitted changes:
// "(devel)+3f2a9c1d0b7e+dirty". Without build information (a
// binary built without module support) it is "(unknown)".
func String() string {
	bi, ok := debug.ReadBuildInfo()
	return From(bi, ok)
}

// From is String for given build information, so it can be tested.
func From(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "(unknown)"
	}
	v := bi.Main.Version
	if bi.Main.Path != Module {
		// streamcap linked into another program: report the dependency.
		v = ""
		for _, m := range bi.Deps {
			if m.Path == Module {
				v = m.Version
				if m.Replace != nil && m.Replace.Version != "" {
					v = m.Replace.Version
				}
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	var rev string
	var dirty bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	// Go 1.24+ stamps a checkout's version from its tags ("v0.3.1-0.2026…-3f2a9c1d0b7e+dirty"),
	// which names the revision already; "(devel)" gets it appended.
	if rev != "" && bi.Main.Path == Module && v == "(devel)" {
		v += "+" + rev[:min(12, len(rev))]
		if dirty {
			v += "+dirty"
		}
	}
	return v
}
