package model

import (
	"strings"
	"testing"

	"github.com/streamcap/streamcap/model/units"
)

// TestPubSubGoogleExample is the pricing page's own example: 100 publish
// requests of one 500-byte message bill 1 KB each = 100 KB; the same 100
// messages in one request bill their actual 50 KB.
func TestPubSubGoogleExample(t *testing.T) {
	if got := 100 * PubSubRequestBytes(1, 500, 1000); got != 100_000 {
		t.Errorf("100 requests of 1 × 500 B billed %v B, want 100,000", got)
	}
	if got := PubSubRequestBytes(100, 500, 1000); got != 50_000 {
		t.Errorf("1 request of 100 × 500 B billed %v B, want 50,000", got)
	}
	if got := pubsubBatch(3000, 0.01, 100, 1e6, 500); got != 30 {
		t.Errorf("batch at 3000/s, 10 ms = %v, want 30", got)
	}
	if got := pubsubBatch(1e6, 0.01, 100, 1e6, 20000); got != 50 {
		t.Errorf("byte-bound batch = %v, want 1e6 / 20000 = 50", got)
	}
	if got := pubsubBatch(10, 0.01, 100, 1e6, 500); got != 1 {
		t.Errorf("slow publisher batch = %v, want 1", got)
	}
}

// iotFleet is scenarios/bundled/iot-fleet.yaml written out (the model
// package cannot import scenarios).
func iotFleet() Workload {
	return Workload{Name: "iot-fleet", Rate: 50000, PeakFactor: 1.2,
		RecordSize: SizeDist{Kind: SizeUniform, Min: 150, Max: 250},
		Keys:       KeySpec{Count: 100000, Length: 36, Distribution: KeyDist{Kind: KeysUniform}},
		Consumers: []Consumer{{Name: "rules-engine", Kind: ConsumerShared, Lambda: &LambdaConsumer{BatchSize: 1000, BatchingWindow: units.Duration(500e6), MemoryMB: 256, DurationPerBatch: units.Duration(50e6)}},
			{Name: "timeseries-writer", Kind: ConsumerEFO}},
		Retention: units.Duration(7 * 24 * 3600e9)}
}

// TestPubSubIoTFleetBatched: 50,000 readings/s of 150–250 B (mean 200) +
// 36 B key + 20 B timestamp + 16 B message_id = 272 B. One publisher
// batches min(50,000 × 0.01, 100) = 100 messages = 27,200 B per request,
// so the 1000-byte minimum never applies. Month: 50,000 × 2,628,000 =
// 1.314e11 messages × 272 B = 32.506 TiB published, × 2 subscriptions
// delivered; (3 × 32.506 TiB − 10 GiB) × 40 = 3,900.4 USD; 7 days
// retained: 50,000 × 272 × 604,800 / 2^30 = 7,660.3 GiB × 0.27 = 2,068.3.
// Total 5,968.7 USD. One message per request (the old model) bills
// E[max(1000, s + 72)] = 1000 B each: 3 × 1.314e11 × 1000 B = 358.5 TiB
// → 14,339 USD of throughput.
func TestPubSubIoTFleetBatched(t *testing.T) {
	w := iotFleet()
	p := DefaultPrices()
	r, err := Plan(w, p, PlanOptions{Compare: []string{"pubsub"}})
	if err != nil {
		t.Fatal(err)
	}
	a := r.Compare[SystemPubSub]
	msgs := 50000 * 2628000.0
	thr := (3*msgs*272 - 10*(1<<30)) / (1 << 40) * 40
	sto := 50000 * 272 * 604800.0 / (1 << 30) * 0.27
	if !near(a.MonthlyUSD, thr+sto, 1e-9) || a.Sizing["publish_batch_messages"] != 100 {
		t.Errorf("iot-fleet pubsub %v USD (batch %v), want %v", a.MonthlyUSD, a.Sizing["publish_batch_messages"], thr+sto)
	}
	one, err := Plan(w, p, PlanOptions{Compare: []string{"pubsub"}, Pipeline: PipelineOptions{PubSub: PubSubOptions{BatchMessages: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	u := one.Compare[SystemPubSub]
	if got := u.MonthlyUSD - sto; !near(got, (3*msgs*1000-10*(1<<30))/(1<<40)*40, 1e-9) {
		t.Errorf("unbatched throughput %v USD", got)
	}
	if strings.Join(a.Warnings, "") != "" {
		t.Errorf("7-day retention is within Pub/Sub's bound: %q", a.Warnings)
	}
}

// TestPubSubRetentionBound: cdc-replay keeps 365 days; Pub/Sub keeps 31.
func TestPubSubRetentionBound(t *testing.T) {
	r, err := Plan(cdcReplay(), DefaultPrices(), PlanOptions{Compare: []string{"pubsub"}})
	if err != nil {
		t.Fatal(err)
	}
	a := r.Compare[SystemPubSub]
	if w := strings.Join(a.Warnings, " "); !strings.Contains(w, "at most 31 days") || !strings.Contains(w, "365d") {
		t.Errorf("warnings %q", a.Warnings)
	}
	// Storage is priced for 31 days: 5000 × (2750 + 20 + 20 + 16) × 2,678,400 / 2^30 GiB.
	st := findItem(t, a.LineItems, "topic retention storage")
	if !near(st.Quantity, 5000*2806*2678400.0/(1<<30), 1e-9) {
		t.Errorf("storage %+v", st)
	}
}
