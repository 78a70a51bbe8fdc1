package model

import (
	"strings"
	"testing"
	"time"

	"github.com/streamcap/streamcap/model/units"
)

// cdcReplay is the bundled cdc-replay scenario's Kinesis part.
func cdcReplay() Workload {
	for _, w := range bundledWorkloads() {
		if w.Name == "cdc-replay" {
			return w
		}
	}
	panic("no cdc-replay")
}

// TestReplayCDCWorkedExample checks `plan cdc-replay` by hand. Average
// 5000 records/s × (2750 + 20) B = 13,850,000 B/s; 365 d = 31,536,000 s.
//
//	backlog = 13,850,000 × 31,536,000 = 436,773,600,000,000 B, 157,680,000,000 records
//	55 shards; 2 shared consumers polling 1/s: the other leaves per shard
//	  2,097,152 − 13,850,000/55 = 1,845,333.8 B/s and 5 − 1 = 4 calls/s
//	  (4 × 10 MiB per call, and 10 MiB / 5 s = 2 MiB/s, do not bind)
//	shared read = 55 × 2,097,152 − 13,850,000 = 101,493,360 B/s
//	shared catch-up = 436,773,600,000,000 / (101,493,360 − 13,850,000) = 4,983,533.3 s (57.7 d)
//	EFO read = 55 × 2,097,152 = 115,343,360 B/s; catch-up / 101,493,360 = 4,303,469.7 s (49.8 d)
//	long-term retrieval = 13,850,000 × 358 d × 86,400 / 2³⁰ = 398,976.05 GB × 0.021 = 8,378.50 USD
//	EFO = 8,378.50 + 436,773,600,000,000 / 2³⁰ × 0.013 + 55 × 4,303,469.7 / 3600 × 0.015
//	    = 8,378.50 + 5,288.11 + 986.21 = 14,652.81 USD
func TestReplayCDCWorkedExample(t *testing.T) {
	kp, err := PlanKinesis(cdcReplay(), DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	r := kp.Replay
	if kp.Shards != 55 || r == nil {
		t.Fatalf("%d shards, replay %v", kp.Shards, r)
	}
	const w, b = 13_850_000.0, 31_536_000.0
	gb := float64(1 << 30)
	checks := []struct {
		name      string
		got, want float64
	}{
		{"backlog_bytes", r.BacklogBytes, w * b},
		{"backlog_records", r.BacklogRecords, 157_680_000_000},
		{"shared read", r.SharedReadBytesPerSecond, 101_493_360},
		{"shared_seconds", r.SharedSeconds, w * b / (101_493_360 - w)},
		{"efo_seconds", r.EFOSeconds, w * b / (115_343_360 - w)},
		{"retrieval_usd", r.RetrievalUSD, w * 358 * 86400 / gb * 0.021},
		{"efo_usd", r.EFOUSD, w*358*86400/gb*0.021 + w*b/gb*0.013 + 55*(w*b/(115_343_360-w))/3600*0.015},
	}
	for _, c := range checks {
		if !near(c.got, c.want, 1e-12) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if !near(r.SharedSeconds, 4_983_533.3, 1e-7) || !near(r.EFOSeconds, 4_303_469.7, 1e-7) || !near(r.RetrievalUSD, 8378.50, 1e-5) || !near(r.EFOUSD, 14652.81, 1e-5) {
		t.Errorf("rounded figures: %v s, %v s, %v USD, %v USD", r.SharedSeconds, r.EFOSeconds, r.RetrievalUSD, r.EFOUSD)
	}
	if !r.FitsRetention || r.SharedBoundBy != "read_bytes" || r.OldestLeftSeconds != 0 || len(r.Warnings) != 0 {
		t.Errorf("replay %+v", r)
	}
}

// TestReplayTarget: the seed (3000 × 1016 B = 3,048,000 B/s) with two
// shared consumers polling 1/s, 30 days kept, a 7-day backlog
// (1,843,430,400,000 B) to replay within 24 h, on the planned 4 shards.
// The other consumer leaves 2,097,152 − 3,048,000/4 = 1,335,152 B/s per
// shard (4 calls/s × 10 MiB and 2 MiB/s per reader do not bind): shared
// read 5,340,608 B/s, catch-up 1,843,430,400,000 / 2,292,608 = 804,075.5 s.
// Within 24 h the replay must read 21,336,000 + 3,048,000 = 24,384,000 B/s:
// ⌈(24,384,000 + 3,048,000) / 2,097,152⌉ = 14 shards, or
// ⌈24,384,000 / (4 × 2,097,152)⌉ = 3 EFO consumers each replaying a slice.
func TestReplayTarget(t *testing.T) {
	w := seed()
	w.Consumers = sharedConsumers(2)
	w.Retention = units.Duration(30 * 24 * time.Hour)
	w.Replay = &ReplaySpec{Backlog: units.Duration(7 * 24 * time.Hour), Within: units.Duration(24 * time.Hour)}
	kp, err := PlanKinesis(w, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	r := kp.Replay
	if kp.Shards != 4 || !near(r.SharedReadBytesPerSecond, 5_340_608, 1e-12) || !near(r.SharedSeconds, 1_843_430_400_000/2_292_608.0, 1e-12) || r.OldestLeftSeconds != 23*86400 {
		t.Fatalf("%d shards, replay %+v", kp.Shards, r)
	}
	if r.ShardsForShared != 14 || r.EFOConsumersNeeded != 3 || !r.FitsRetention || r.RetrievalUSD != 0 {
		t.Errorf("within 24h: %d shards, %d EFO consumers, fits %v, retrieval %v; want 14, 3, true, 0", r.ShardsForShared, r.EFOConsumersNeeded, r.FitsRetention, r.RetrievalUSD)
	}
}

// TestReplayCliff: six shared consumers polling 1/s use 6 calls/s of a
// shard's 5 (the plan warns), so a replaying one gets 5 − 5 = 0 calls: it
// never catches up, and once its position reaches the retention edge —
// after the 23 days the oldest of the 7-day backlog has left — all
// 3,048,000 × 86,400 = 263,347,200,000 B written a day expire unread. No
// shard count helps (-1). EFO on the 12 planned shards (read_bytes:
// 6 × 3,048,000 / (2,097,152 × 0.8) = 10.9) reads 25,165,824 B/s and
// catches up in 1,843,430,400,000 / 22,117,824 = 83,345.9 s; one EFO
// consumer meets 24 h: ⌈24,384,000 / 25,165,824⌉ = 1.
func TestReplayCliff(t *testing.T) {
	w := seed()
	w.Consumers = sharedConsumers(6)
	w.Retention = units.Duration(30 * 24 * time.Hour)
	w.Replay = &ReplaySpec{Backlog: units.Duration(7 * 24 * time.Hour), Within: units.Duration(24 * time.Hour)}
	kp, err := PlanKinesis(w, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	r := kp.Replay
	if kp.Shards != 12 || r.SharedSeconds != -1 || r.SharedFits || r.FitsRetention || !r.EFOFits || r.SharedBoundBy != "read_calls" {
		t.Fatalf("%d shards, replay %+v", kp.Shards, r)
	}
	if !near(r.ExpiresBytesPerDay, 263_347_200_000, 1e-12) || !near(r.EFOSeconds, 1_843_430_400_000/22_117_824.0, 1e-12) {
		t.Errorf("expires %v B/day, EFO %v s", r.ExpiresBytesPerDay, r.EFOSeconds)
	}
	if r.EFOConsumersNeeded != 1 || r.ShardsForShared != -1 {
		t.Errorf("within 24h: %d EFO consumers, %d shards; want 1, -1", r.EFOConsumersNeeded, r.ShardsForShared)
	}
	if msg := strings.Join(kp.Warnings, "\n"); !strings.Contains(msg, "never catches up, and data expires unread after 23d at 263347200000 B/day") {
		t.Errorf("warnings %q", msg)
	}
}
