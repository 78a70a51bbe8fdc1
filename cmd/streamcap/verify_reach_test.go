package main

import (
	"encoding/json"
	"os"
	"os/signal"
	"path/filepath"
	"testing"
	"testing/synctest"
)

// TestVerifyReachCLI: `verify --reach` with short trials carries the reach
// in its JSON. The scenario (800 records/s of 1 KB, no consumer) plans one
// shard, which takes the emulated 1,000 records/s: 25 % above the peak.
// It runs in a synctest bubble, so the engine's limits and the trials run
// on the virtual clock and the figures are exact.
func TestVerifyReachCLI(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(path, []byte("name: reach\nrate: 800/s\nrecord_size: 1KB\nkeys:\n  count: 10000\nslo:\n  publish_p99: 50ms\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// verify stops on SIGINT (signal.NotifyContext): start the runtime's
	// signal loop outside the bubble, so its channels are not the bubble's.
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	signal.Stop(c)
	synctest.Test(t, func(t *testing.T) {
		code, out, errOut := runCLI(t, "verify", path, "--duration", "2s", "--warmup", "1s", "--reach", "--reach-trial", "2s", "--reach-confirm", "3s", "-o", "json", "-q")
		if code != 0 {
			t.Fatalf("exit %d: %s\n%s", code, errOut, out)
		}
		var doc struct {
			Holds bool `json:"holds"`
			Reach *struct {
				Summary string `json:"summary"`
				Search  struct {
					Schema          string  `json:"schema"`
					SustainableRate float64 `json:"sustainable_rate"`
					Confirmed       bool    `json:"confirmed"`
				} `json:"search"`
			} `json:"reach"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		const want = "1 shard sustains up to 1,000/s: 25 % above the peak of 800/s"
		if !doc.Holds || doc.Reach == nil || doc.Reach.Summary != want || doc.Reach.Search.SustainableRate != 1000 ||
			!doc.Reach.Search.Confirmed || doc.Reach.Search.Schema != "streamcap.bench.search/v1" {
			t.Errorf("holds %v, reach %+v; want a holding plan and %q, confirmed", doc.Holds, doc.Reach, want)
		}
	})
}
