package main

import (
	"strings"
	"testing"
)

// TestEngineServeRefusals: `engine serve` refuses, with exit code 2 and a message naming the way
// out, to listen on every interface without --auth, to run --auth without a secret, and flag
// values out of range. None of these opens an engine or a socket.
func TestEngineServeRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"all interfaces without auth", []string{"engine", "serve", "--in-memory", "--addr", ":0"},
			[]string{`address ":0" listens on all interfaces`, "--auth ACCESS_KEY_ID", "--allow-unauthenticated-remote"}},
		{"0.0.0.0 without auth", []string{"engine", "serve", "--in-memory", "--addr", "0.0.0.0:4567"},
			[]string{"all interfaces", "STREAMCAP_AUTH_SECRET"}},
		{"auth without a secret", []string{"engine", "serve", "--in-memory", "--addr", "127.0.0.1:0", "--auth", "AKID", "--auth-secret-env", "I9API_TEST_UNSET_SECRET"},
			[]string{"--auth", "I9API_TEST_UNSET_SECRET"}},
		{"negative shard quota", []string{"engine", "serve", "--in-memory", "--account-shard-quota", "-1"},
			[]string{"--account-shard-quota -1"}},
		{"burst credit neither on nor off", []string{"engine", "serve", "--in-memory", "--burst-credit", "none"},
			[]string{`--burst-credit "none": must be on or off`}},
		{"zero body budget", []string{"engine", "serve", "--in-memory", "--max-body-bytes-in-flight", "0"},
			[]string{"--max-body-bytes-in-flight 0"}},
		{"memory limit on disk", []string{"engine", "serve", "--max-memory", "1GiB"},
			[]string{"--max-memory 1GiB: applies only with --in-memory"}},
		{"memory limit too small", []string{"engine", "serve", "--in-memory", "--max-memory", "1MiB"},
			[]string{"--max-memory 1MiB: must be at least 64MiB (or 0 for unbounded)"}},
		{"memory limit not a size", []string{"engine", "serve", "--in-memory", "--max-memory", "lots"},
			[]string{`--max-memory: invalid size "lots"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			code, _, errOut := runCLI(t, c.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr:\n%s", code, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}
