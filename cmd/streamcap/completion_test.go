package main

import (
	"strings"
	"testing"
)

// TestCompletions drives cobra's hidden __complete command, as the shell
// scripts `streamcap completion bash|zsh|fish` do: the candidates, one a
// line, then ":<directive>".
func TestCompletions(t *testing.T) {
	t.Parallel()
	all := "bulk-80tb cdc-replay clickstream iot-fleet kds-3000x1kb"
	cases := []struct {
		args []string
		want string // candidates, space separated, then the directive
	}{
		{[]string{"plan", ""}, all + " :0"},
		{[]string{"plan", "c"}, "cdc-replay clickstream :0"},
		{[]string{"plan", "kds-3000x1kb", ""}, ":4"}, // plan takes one scenario
		{[]string{"transfer", "b"}, "bulk-80tb :0"},
		{[]string{"bench", "k"}, "kube Print the Kubernetes manifests that run a benchmark as N exact slices (an Indexed Job) kds-3000x1kb :0"},
		{[]string{"verify", ""}, all + " :0"},
		{[]string{"report", "kds-3000x1kb", ""}, all + " :0"}, // any number
		{[]string{"scenarios", "show", "i"}, "iot-fleet :0"},
		{[]string{"scenarios", "validate", "clickstream", ""}, all + " :0"},
		{[]string{"bench", "--target", ""}, "embedded kinesis kafka :4"},
		{[]string{"bench", "--target", "k"}, "kinesis kafka :4"},
		{[]string{"plan", "-o", ""}, "text markdown json :4"},
		{[]string{"transfer", "--output", ""}, "text markdown json :4"},
		{[]string{"prices", "-o", ""}, "text markdown json yaml :4"},
		{[]string{"scenarios", "list", "-o", ""}, "text json :4"},
		{[]string{"bench", "-o", ""}, "text json :4"},
		{[]string{"plan", "--mode", ""}, "provisioned on-demand both :4"},
		{[]string{"plan", "--key-distribution", ""}, "uniform zipf: hot: random :6"}, // 6 = no file, no space
		{[]string{"bench", "--profile", ""}, "ramp: steps: max max: :6"},
		{[]string{"plan", "--compare", ""}, "all kafka pubsub firehose dynamodb lambda flink :4"},
		{[]string{"bench", "--fsync", ""}, "always interval never :4"},
		{[]string{"engine", "serve", "--fsync", ""}, "always interval never :4"},
		{[]string{"engine", "serve", "--limits", ""}, "on off :4"},
		{[]string{"bench", "--compression", ""}, "none gzip snappy lz4 zstd :4"},
		{[]string{"bench", "--acks", ""}, "all leader none :4"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, append([]string{"__complete"}, c.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if got := strings.Join(strings.Fields(out), " "); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestChoicesIn(t *testing.T) {
	t.Parallel()
	cases := []struct{ usage, want string }{
		{"output format: text | markdown | json", "text markdown json"},
		{"durability: always | interval (group commit) | never (default \"interval\")", "always interval never"},
		{"uniform | zipf:S | hot:FRACTION:KEYS (default: the scenario's, else uniform)", "uniform zipf: hot:"},
		{"consumer mode: embedded subscribe|polling, kinesis polling|efo", "subscribe polling efo"},
		{"output: text | json, or a report file (.html, .md, .json)", "text json"},
		{"record size, e.g. 1KB (decimal) or 1KiB (binary)", ""},
		{"highest utilisation of any limit to plan for, (0,1]", ""},
	}
	for _, c := range cases {
		if got := strings.Join(choicesIn(c.usage), " "); got != c.want {
			t.Errorf("choicesIn(%q) = %q, want %q", c.usage, got, c.want)
		}
	}
}
