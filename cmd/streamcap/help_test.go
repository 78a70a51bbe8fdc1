package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// helpLines returns every flag's help line of every command, keyed by
// "command path --flag".
func helpLines(t *testing.T) map[string]string {
	t.Helper()
	io, _, _ := testStreams()
	root := newRootCmd(io, &profiling{})
	root.InitDefaultHelpFlag()
	root.InitDefaultVersionFlag()
	lines := map[string]string{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		c.Flags().VisitAll(func(f *pflag.Flag) {
			one := pflag.NewFlagSet("one", pflag.ContinueOnError)
			one.AddFlag(f)
			lines[c.CommandPath()+" --"+f.Name] = strings.TrimSpace(one.FlagUsages())
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return lines
}

// TestHelpDefaultsShownOnce walks every command's flags: no flag shows two
// defaults, and none shows a "not set" sentinel as its default.
func TestHelpDefaultsShownOnce(t *testing.T) {
	t.Parallel()
	sentinel := regexp.MustCompile(`\(default (-1|0|0s|0B|0/s|0B/s|0bps|""|\[\])\)`)
	lines := helpLines(t)
	if len(lines) < 40 {
		t.Fatalf("walked only %d flags", len(lines))
	}
	for name, line := range lines {
		if n := strings.Count(line, "(default"); n > 1 {
			t.Errorf("%s shows %d defaults: %s", name, n, line)
		}
		if m := sentinel.FindString(line); m != "" {
			t.Errorf("%s shows a not-set sentinel as default %s: %s", name, m, line)
		}
	}
}

// TestHelpDefaultsKnown pins the default help shows for flags of each kind.
func TestHelpDefaultsKnown(t *testing.T) {
	t.Parallel()
	lines := helpLines(t)
	cases := []struct {
		flag string
		want string // "" = no default shown
	}{
		{"streamcap plan --rate", ""},        // unit type, zero: required, no default
		{"streamcap plan --record-size", ""}, // unit type, zero
		{"streamcap transfer --link", "(default: the scenario's, else 1Gbps)"},
		{"streamcap plan --mode", `(default "both")`},   // pflag's own, real
		{"streamcap transfer --points", "(default 13)"}, // pflag's own, real
		{"streamcap plan --headroom", "(default: the scenario's, else 0.8)"},
		{"streamcap plan --retention", "(default: the scenario's, else 1d)"},
		{"streamcap plan --poll-interval", "(default: the scenario's, else 1s)"},
		{"streamcap transfer --efficiency", "(default: the scenario's, else 0.95)"},
	}
	for _, c := range cases {
		line, ok := lines[c.flag]
		if !ok {
			t.Errorf("no flag %s", c.flag)
			continue
		}
		if c.want == "" {
			if strings.Contains(line, "default") {
				t.Errorf("%s: want no default, got %q", c.flag, line)
			}
			continue
		}
		if !strings.HasSuffix(line, c.want) {
			t.Errorf("%s: want it to end in %s, got %q", c.flag, c.want, line)
		}
	}
}
