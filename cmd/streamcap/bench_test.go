package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/streamcap/streamcap/bench/engine"
	"github.com/streamcap/streamcap/bench/engine/kinesisapi"
)

// emptyPutServer serves the bundled engine on 127.0.0.1 but answers every
// PutRecord and PutRecords call with {} (no SequenceNumber, no ShardId, no
// per-record entries): answers that acknowledge nothing.
func emptyPutServer(t *testing.T) string {
	t.Helper()
	eng, err := engine.Open(engine.Options{InMemory: true, LimitsOff: true})
	if err != nil {
		t.Fatal(err)
	}
	api := kinesisapi.NewHandler(eng, kinesisapi.HandlerOptions{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("X-Amz-Target") {
		case "Kinesis_20131202.PutRecord", "Kinesis_20131202.PutRecords":
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			_, _ = io.WriteString(w, "{}")
		default:
			api.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(func() { srv.Close(); eng.Close() })
	return srv.URL
}

// TestBenchNothingAcknowledgedExits1: a run whose sends all got answers
// lacking what the API promises acknowledged nothing, so it failed — exit 1
// with "run failed" — with or without an SLO, batched or not.
func TestBenchNothingAcknowledgedExits1(t *testing.T) {
	t.Parallel()
	url := emptyPutServer(t)
	dir := t.TempDir()
	scenario := filepath.Join(dir, "slo.yaml")
	if err := os.WriteFile(scenario, []byte("name: slo\nrate: 100/s\nrecord_size: 100B\nslo:\n  max_error_rate: 0.01\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"bench", "--target", "kinesis", "--endpoint", url, "--duration", "300ms", "--warmup", "0s", "-q"}
	cases := []struct {
		name string
		args []string
	}{
		{"PutRecord, no SLO", []string{"--rate", "100/s", "--record-size", "100B"}},
		{"PutRecords, no SLO", []string{"--rate", "100/s", "--record-size", "100B", "--batch-size", "10", "--linger", "5ms"}},
		{"PutRecords, SLO", []string{scenario, "--batch-size", "10", "--linger", "5ms"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, append(append([]string{}, base...), c.args...)...)
			if code != 1 || !strings.Contains(errOut, "run failed") {
				t.Fatalf("exit %d, stderr %q; want 1 and \"run failed\"\n%s", code, errOut, out)
			}
			if !strings.Contains(out, "invalid response") || !strings.Contains(out, "acked 0 ") {
				t.Errorf("output does not show the invalid responses:\n%s", out)
			}
		})
	}
}

// TestExitCodeFromTypes: the exit code comes from the error's type, never
// its text: runtime errors whose message reads like cobra's usage errors
// exit 1, and cobra's own flag and argument errors exit 2.
func TestExitCodeFromTypes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"sync EINVAL", fmt.Errorf("write out.json: sync: %w", syscall.EINVAL), exitFailure},
		{"broker text", errors.New(`kafka: broker says: accepts 1 arg(s), unknown flag, required flag`), exitFailure},
		{"usage", usagef("-o %q: must be text or json", "xml"), exitUsage},
		{"failure", &failureError{"SLO missed"}, exitFailure},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("%s: exit %d; want %d (%v)", tc.name, got, tc.want, tc.err)
		}
	}
	if !strings.Contains(syscall.EINVAL.Error(), "invalid argument") {
		t.Fatalf("EINVAL reads %q", syscall.EINVAL.Error())
	}
	for _, args := range [][]string{
		{"no-such-command"},
		{"plan", "--nope"},
		{"plan", "--headroom"},
		{"plan", "--headroom", "x"},
		{"prices", "extra"},
		{"scenarios", "show"},
		{"scenarios", "show", "a", "b"},
	} {
		if code, _, errOut := runCLI(t, args...); code != exitUsage {
			t.Errorf("%q: exit %d (%s); want 2", args, code, errOut)
		}
	}
}

// TestBenchSettingsResolvedOnce: a flag that does not apply to the target
// or mode, a zero where zero means nothing, or an old spelling is a usage
// error naming the flag; a flags-only workload has no SLO; bench reads
// with the scenario's consumer unless told otherwise, and says which.
func TestBenchSettingsResolvedOnce(t *testing.T) {
	t.Parallel()
	flagsOnly := []string{"bench", "--rate", "100/s", "--record-size", "100B"}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"acks on embedded", []string{"--acks", "all"}, "--acks applies only to --target kafka (the target is embedded)"},
		{"compression on kinesis", []string{"--target", "kinesis", "--compression", "zstd"}, "--compression applies only to --target kafka (the target is kinesis)"},
		{"batch size on embedded", []string{"--batch-size", "10"}, "--batch-size applies only to --target kinesis"},
		{"linger without batching", []string{"--target", "kinesis", "--linger", "5ms"}, "--linger applies only to --target kinesis with --batch-size above 1, or --target kafka"},
		{"fsync without data dir", []string{"--fsync", "always"}, "--fsync applies only to --target embedded with --data-dir"},
		{"data dir on kafka", []string{"--target", "kafka", "--data-dir", "x"}, "--data-dir applies only to --target embedded"},
		{"poll interval with push", []string{"--consumer", "push", "--poll-interval", "1s"}, "--poll-interval applies only to polling consumers"},
		{"limits spelling", []string{"--limits", "maybe"}, `--limits "maybe": must be on or off`},
		{"old no-limits", []string{"--no-limits"}, "unknown flag: --no-limits"},
		{"old no-retries", []string{"--no-retries"}, "unknown flag: --no-retries"},
		{"zero duration", []string{"--duration", "0s"}, "--duration 0s: must be more than 0s"},
		{"zero interval", []string{"--interval", "0s"}, "--interval 0s: must be more than 0s"},
		{"zero max in-flight", []string{"--max-inflight", "0"}, "--max-inflight 0: must be at least 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, _, errOut := runCLI(t, append(append([]string{}, flagsOnly...), tc.args...)...)
			if code != exitUsage || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"headroom 0", []string{"plan", "kds-3000x1kb", "--headroom", "0"}, "headroom 0: must be more than 0"},
		{"utilization 0", []string{"transfer", "--data", "1TB", "--link", "1Gbps", "--utilization", "0"}, "--utilization 0: must be more than 0"},
		{"verify duration 0", []string{"verify", "--duration", "0s"}, "--duration 0s: must be more than 0s"},
		{"verify reach trial 0", []string{"verify", "--reach", "--reach-trial", "0s"}, "--reach-trial 0s: must be more than 0s"},
		{"verify reach confirm negative", []string{"verify", "--reach-confirm", "-1s"}, `--reach-confirm: invalid duration "-1s": negative`},
		{"verify -o file", []string{"verify", "-o", "report.html"}, "-o is a format"},
		{"report -o file", []string{"report", "kds-3000x1kb", "-o", "x.html"}, "-o is a format"},
	} {
		if code, _, errOut := runCLI(t, tc.args...); code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tc.name, code, errOut, tc.want)
		}
	}

	// Flags alone: no scenario, so no SLO (not the default scenario's).
	code, out, errOut := runCLI(t, append(append([]string{}, flagsOnly...), "--duration", "300ms", "--warmup", "0s", "-q")...)
	if code != 0 || !strings.Contains(out, "no SLO to check") {
		t.Errorf("flags-only run: exit %d (%s)\n%s", code, errOut, out)
	}
	code, out, errOut = runCLI(t, "bench", "--profile", "steps:100/s@300ms", "--duration", "300ms", "--warmup", "0s", "-q")
	if code != 0 || !strings.Contains(out, "no SLO to check") {
		t.Errorf("profile-only run: exit %d (%s)\n%s", code, errOut, out)
	}

	// The scenario's consumer polls every 200ms: bench reads the same way;
	// push is an explicit choice. Either way the output says which.
	dir := t.TempDir()
	sc := filepath.Join(dir, "poll.yaml")
	if err := os.WriteFile(sc, []byte("name: poll\nrate: 100/s\nrecord_size: 100B\nconsumers:\n  - name: app\n    kind: shared\n    poll_interval: 200ms\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "read by polling every 200ms"},
		{[]string{"--consumer", "push"}, "read by push (subscribe)"},
	} {
		code, out, errOut := runCLI(t, append([]string{"bench", sc, "--duration", "300ms", "--warmup", "0s", "-q"}, tc.args...)...)
		if code != 0 || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d (%s); want output saying %q\n%s", tc.args, code, errOut, tc.want, out)
		}
	}
}
