package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the command tree in-process and returns the exit code and
// both outputs.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	io, out, errOut := testStreams()
	code := run(args, io)
	return code, out.String(), errOut.String()
}

func TestPlanJSON(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		args    []string
		shards  int
		binding string
	}{
		// ⌈3000 / (1000 × 0.8)⌉ = 4 shards; write bytes need 3.63.
		{"seed scenario", []string{"plan", "kds-3000x1kb", "-o", "json"}, 4, "write_records"},
		// Flags alone, at the limits: 3000 / 1000 = 3 shards with random
		// keys (1/N per shard); the default 10000 keys hash 33.65 % onto
		// the busiest of 3, so they need 4.
		{"flags at 100%", []string{"plan", "--rate", "3000/s", "--record-size", "1KB", "--consumers", "1", "--headroom", "1", "--key-distribution", "random", "-o", "json"}, 3, "write_records"},
		{"flags at 100%, 10000 keys", []string{"plan", "--rate", "3000/s", "--record-size", "1KB", "--consumers", "1", "--headroom", "1", "-o", "json"}, 4, "write_records"},
		// 500 records/s of 4 KB: 2.02 MB/s ÷ (1.048576 MB/s × 0.8) = 2.41 → 3 shards on bytes.
		{"bytes bind", []string{"plan", "--rate", "500/s", "--record-size", "4KB", "-o", "json"}, 3, "write_bytes"},
		// Flags override the file: the seed at 6000/s needs ⌈6000/800⌉ = 8.
		{"flag overrides file", []string{"plan", "kds-3000x1kb", "--rate", "6000/s", "-o", "json"}, 8, "write_records"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, c.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var doc struct {
				Kinesis struct {
					Provisioned struct {
						Shards       int                `json:"shards"`
						BindingLimit string             `json:"binding_limit"`
						Utilization  map[string]float64 `json:"utilization"`
						MonthlyUSD   float64            `json:"monthly_usd"`
						LineItems    []map[string]any   `json:"line_items"`
					} `json:"provisioned"`
					OnDemand struct {
						MonthlyUSD float64 `json:"monthly_usd"`
					} `json:"on_demand"`
				} `json:"kinesis"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("plan JSON: %v\n%s", err, out)
			}
			p := doc.Kinesis.Provisioned
			if p.Shards != c.shards || p.BindingLimit != c.binding {
				t.Errorf("%d shards bound by %s; want %d bound by %s", p.Shards, p.BindingLimit, c.shards, c.binding)
			}
			if len(p.Utilization) != 5 || p.MonthlyUSD <= 0 || len(p.LineItems) == 0 || doc.Kinesis.OnDemand.MonthlyUSD <= 0 {
				t.Errorf("incomplete plan: %+v", doc.Kinesis)
			}
		})
	}
}

func TestTransferJSON(t *testing.T) {
	t.Parallel()
	// 80 TB × 8 / 1 Gbps = 640,000 s = 7.41 days at full utilisation.
	code, out, errOut := runCLI(t, "transfer", "--data", "80TB", "--link", "1Gbps", "--utilization", "1", "--efficiency", "1", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Network struct {
			Seconds float64 `json:"seconds"`
			Days    float64 `json:"days"`
		} `json:"network"`
		Device struct {
			Days  float64 `json:"days"`
			Count int     `json:"count"`
			USD   float64 `json:"usd"`
		} `json:"device"`
		Faster       string  `json:"faster"`
		CrossoverBPS float64 `json:"crossover_bps"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Network.Seconds != 640000 || math.Abs(doc.Network.Days-7.407) > 0.001 {
		t.Errorf("network %+v, want 640000 s = 7.407 d", doc.Network)
	}
	if doc.Device.Count != 1 || doc.Faster == "" || doc.CrossoverBPS <= 0 {
		t.Errorf("transfer %+v", doc)
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: x\nrate: 3000\nrecord_size: 1Gb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	strictSLO := filepath.Join(dir, "slo.yaml")
	if err := os.WriteFile(strictSLO, []byte("name: strict\nrate: 200/s\nrecord_size: 100B\nslo:\n  publish_p99: 1us\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"help", []string{"--help"}, 0, ""},
		{"unknown flag", []string{"plan", "--nope"}, 2, "unknown flag: --nope"},
		{"bad rate", []string{"plan", "--rate", "1m/s"}, 2, `invalid event rate "1m/s": ambiguous`},
		{"bits as size", []string{"plan", "--rate", "10/s", "--record-size", "1Gb"}, 2, "bits given where a size"},
		{"no rate", []string{"plan"}, 2, "rate"},
		{"bad scenario file", []string{"plan", bad}, 2, "bad.yaml"},
		{"unknown scenario", []string{"plan", "no-such"}, 2, "no-such"},
		{"bad output", []string{"plan", "kds-3000x1kb", "-o", "xml"}, 2, `-o "xml"`},
		{"out of range", []string{"plan", "kds-3000x1kb", "--headroom", "1.5"}, 2, "headroom"},
		{"validate bad", []string{"scenarios", "validate", bad}, 2, ""},
		{"validate bundled", []string{"scenarios", "validate"}, 0, ""},
		{"bad target", []string{"bench", "--target", "pulsar", "--rate", "10/s", "--record-size", "1KB"}, 2, `target "pulsar"`},
		{"slo missed", []string{"bench", strictSLO, "--duration", "1s", "--warmup", "0s", "-q"}, 1, "SLO missed: publish p99 missed"},
		{"merge nothing", []string{"bench", "merge"}, 2, "at least one"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			code, _, errOut := runCLI(t, c.args...)
			if code != c.code || !strings.Contains(errOut, c.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, c.code, c.want)
			}
		})
	}
}

// TestBenchOutAndMerge runs a short benchmark on the embedded engine, writes
// the result JSON and an hlog, and merges two results.
func TestBenchOutAndMerge(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	res, hlog := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.hlog")
	code, out, errOut := runCLI(t, "bench", "--rate", "1000/s", "--record-size", "200B", "--records", "2000", "--warmup", "0s",
		"--shards", "2", "--out", res, "--hlog", hlog, "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "response (corrected)") || errOut != "" {
		t.Errorf("text output:\n%s\nstderr %q", out, errOut)
	}
	if b, err := os.ReadFile(hlog); err != nil || !strings.Contains(string(b), "#[StartTime:") {
		t.Errorf("hlog: %v\n%.200s", err, b)
	}
	code, out, errOut = runCLI(t, "bench", "merge", res, res, "-o", "json")
	if code != 0 {
		t.Fatalf("merge exit %d: %s", code, errOut)
	}
	var m struct {
		Runs   int `json:"runs"`
		Counts struct {
			Sent int64 `json:"sent"`
		} `json:"counts"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	// 2000 sends per run (--records: a count, not a wall-clock window);
	// two copies merged = 4000.
	if m.Runs != 2 || m.Counts.Sent != 4000 {
		t.Errorf("merged runs=%d sent=%d; want 2 and 4000", m.Runs, m.Counts.Sent)
	}
}

// TestBenchOptionErrorsExit2: options the generator rejects are bad input
// (exit 2), refused before the target is touched.
func TestBenchOptionErrorsExit2(t *testing.T) {
	t.Parallel()
	code, _, errOut := runCLI(t, "bench", "--rate", "100/s", "--record-size", "1KB", "--max-inflight", "-3", "--duration", "1s")
	if code != 2 || !strings.Contains(errOut, "max inflight -3: must be between 1 and") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
