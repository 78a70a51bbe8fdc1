package reports

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// TestRenderReplayReshardLatency: a cdc-replay-like plan (365 days kept,
// two shared consumers, 4 shards today) prints the replay (times for the
// shared path and one EFO consumer, the retention check, the cost), the
// reshard steps and each consumer's expected latency, in text and
// Markdown, and the replay formulas in WHY. Figures are model's (see
// model.TestReplayCDCWorkedExample); here only that they are shown.
func TestRenderReplayReshardLatency(t *testing.T) {
	w := model.Workload{
		Name: "cdc-replay", Rate: 5000, PeakFactor: 2,
		RecordSize:    model.SizeDist{Kind: model.SizeUniform, Min: 500, Max: 5000},
		Keys:          model.KeySpec{Count: 1_000_000, Length: 20, Distribution: model.KeyDist{Kind: model.KeysZipf, S: 0.8}},
		Consumers:     []model.Consumer{{Name: "search-indexer"}, {Name: "cache-invalidator"}},
		Retention:     units.Duration(365 * 24 * time.Hour),
		MaxRecordSize: 2 * units.MiB,
		CurrentShards: 4,
	}
	r, err := model.Plan(w, model.DefaultPrices(), model.PlanOptions{Mode: model.ModeProvisioned})
	if err != nil {
		t.Fatal(err)
	}
	var txt, md bytes.Buffer
	if err := RenderPlanText(&txt, r); err != nil {
		t.Fatal(err)
	}
	if err := RenderPlanMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"REPLAY", "backlog 365 days of history: 437 TB, 157,680,000,000 records (the oldest record is at the retention edge)",
		"shared (GetRecords) consumer: reads 101 MB/s against 13.8 MB/s written (bound by read_bytes): catches up in 57.7 days",
		"one enhanced fan-out consumer: reads 115 MB/s: catches up in 49.8 days",
		"fits retention: nothing expires unread", "cost of one replay: shared 8,378.49 USD", "a new EFO consumer 14,652.81 USD",
		"RESHARD 4 → 55", "4 UpdateShardCount calls", "32 → 55",
		"LATENCY", "search-indexer (shared): ~1 s expected end to end",
		"Kinesis replay (one consumer re-reads the history", "shared_seconds = backlog_bytes ÷ (shared replay read − write bytes/s)",
	} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text lacks %q", want)
		}
	}
	for _, want := range []string{"### Replay", "### Reshard 4 → 55", "### Latency", "catches up in 57.7 days"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("text:\n%s", txt.String())
	}
}
