package main

import (
	"encoding/json"
	"testing"

	"github.com/streamcap/streamcap/bench/driver"
	"github.com/streamcap/streamcap/model/version"
)

// TestVersionOneString: --version, `streamcap version`, the plan JSON and
// the bench result's engine version all carry version.String().
func TestVersionOneString(t *testing.T) {
	t.Parallel()
	want := "streamcap " + version.String() + "\n"
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, errOut := runCLI(t, args...)
		if code != 0 || out != want {
			t.Errorf("%v: exit %d, %q (%s); want %q", args, code, out, errOut, want)
		}
	}
	code, out, errOut := runCLI(t, "plan", "kds-3000x1kb", "-o", "json")
	if code != 0 {
		t.Fatal(errOut)
	}
	var doc struct {
		Version string `json:"streamcap_version"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Version != version.String() {
		t.Errorf("plan JSON streamcap_version %q (%v), want %q", doc.Version, err, version.String())
	}
	if got := driver.ModuleVersion(version.Module, "pinned"); got != version.Module+"@"+version.String() {
		t.Errorf("bench result engine version %q, want %q", got, version.Module+"@"+version.String())
	}
}
