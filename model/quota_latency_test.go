package model

import (
	"strings"
	"testing"
	"time"

	"github.com/streamcap/streamcap/model/units"
)

// TestQuotaWarningsNeverCap: 20M records/s of 1 KB need 20,000,000 /
// (1000 × 0.8) = 25,000 shards for write_records alone; the plan reports
// at least that (never the 20,000 account quota) and names each quota it
// crosses with the remedy. On demand, the peak write 20,000,000 × 1016 =
// 20.32 GB/s is over the 10 GB/s per-stream maximum: ⌈20.32 / 10⌉ = 3 streams.
func TestQuotaWarningsNeverCap(t *testing.T) {
	w := Workload{Rate: 20e6, RecordSize: SizeDist{Kind: SizeFixed, Fixed: 1000}, Keys: KeySpec{Count: 1_000_000}}
	r, err := Plan(w, DefaultPrices(), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	prov, od := r.Kinesis.Provisioned, r.Kinesis.OnDemand
	if prov.Shards < 25000 || prov.Limits[1].RequiredShards != 25000 {
		t.Fatalf("%d shards (write_records needs %v)", prov.Shards, prov.Limits[1].RequiredShards)
	}
	pw := strings.Join(prov.Warnings, "\n")
	for _, want := range []string{"exceed the account shard quota of 20,000 (default, us-east-1) — request a quota increase",
		"exceed the 10,000 shards per stream that UpdateShardCount reaches", "split the traffic over 3 streams"} {
		if !strings.Contains(pw, want) {
			t.Errorf("provisioned warnings lack %q:\n%s", want, pw)
		}
	}
	if ow := strings.Join(od.Warnings, "\n"); !strings.Contains(ow, "on-demand peak write 20.3 GB/s exceeds the per-stream maximum of 10 GB/s (us-east-1) — split the traffic over 3 on-demand streams") {
		t.Errorf("on-demand warnings:\n%s", ow)
	}
	// 60 streams' worth of on-demand write: over the 50 per account.
	w.Rate = 600e6
	if r, err = Plan(w, DefaultPrices(), PlanOptions{Mode: ModeOnDemand}); err != nil {
		t.Fatal(err)
	}
	if ow := strings.Join(r.Kinesis.OnDemand.Warnings, "\n"); !strings.Contains(ow, "61 on-demand streams exceed the 50 on-demand streams per account") {
		t.Errorf("on-demand warnings:\n%s", ow)
	}
}

// TestLatencyPerConsumer: AWS gives ~0.2 s with one shared consumer,
// ~1 s with five, ~0.07 s for EFO. Clickstream has 2 shared consumers:
// table 0.2 + 1 × 0.8/4 = 0.4 s; the sessionizer polls 1/s (→ 1 s) and is
// a Lambda with a 1 s window and 500-record batches at 2 lanes: at
// 20,000/s on N shards a lane fills a batch in 500 / (20,000/N) / 2 s; the
// archiver polls every 5 s (→ 5 s); the dashboard is EFO (0.07 s).
func TestLatencyPerConsumer(t *testing.T) {
	var w Workload
	for _, b := range bundledWorkloads() {
		if b.Name == "clickstream" {
			w = b
		}
	}
	kp, err := PlanKinesis(w, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	l := kp.Latency
	if len(l) != 3 {
		t.Fatalf("latency %+v", l)
	}
	fill := 500 / (20000 / float64(kp.Shards)) / 2
	want := []float64{1 + min(1, fill)/2, 5, 0.07}
	for i, c := range l {
		if !near(c.ExpectedSeconds, want[i], 1e-12) {
			t.Errorf("%s: %v s, want %v (%s)", c.Name, c.ExpectedSeconds, want[i], c.Basis)
		}
	}
	// One shared consumer polling every 200 ms: the AWS 0.2 s.
	one := Workload{Rate: 100, RecordSize: SizeDist{Kind: SizeFixed, Fixed: 100}, Consumers: []Consumer{{Name: "fast", PollInterval: units.Duration(200 * time.Millisecond)}}}
	if kp, err = PlanKinesis(one, DefaultPrices()); err != nil || !near(kp.Latency[0].ExpectedSeconds, 0.2, 1e-12) {
		t.Errorf("one fast consumer: %+v (%v)", kp.Latency, err)
	}
}

// TestPlanReshardSection: the seed with zipf s=1.1 keys plans 7 shards
// (TestZipfNeedsMoreShardsThanUniform); from 4 today UpdateShardCount
// takes one call (7 ≤ 2 × 4). At 4 equal ranges the busiest carries
// 34.8 % > 26.7 %: splitting only the hot ranges is the alternative.
func TestPlanReshardSection(t *testing.T) {
	w := seed()
	w.Keys.Distribution = KeyDist{Kind: KeysZipf, S: 1.1}
	w.CurrentShards = 4
	kp, err := PlanKinesis(w, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	rs := kp.Reshard
	if kp.Shards != 7 || rs == nil || rs.UpdateShardCount == nil || len(rs.UpdateShardCount.Steps) != 1 || rs.UpdateShardCount.Steps[0] != 7 {
		t.Fatalf("%d shards, reshard %+v", kp.Shards, rs)
	}
	s := rs.Split
	if s == nil || len(s.Ranges) == 0 || !s.Fits || s.Shards != 4+s.Splits {
		t.Fatalf("split %+v", s)
	}
	for _, r := range s.Ranges {
		if r.Share <= kp.Skew.TargetShare || r.Children < 2 {
			t.Errorf("range %+v is not hot or not split", r)
		}
	}
	// Shard 0 of 4 is 0 .. 2¹²⁶ − 1; shard 3 ends at 2¹²⁸ − 1.
	if lo, hi := hashKeyBounds(0, 4); lo != "0" || hi != "85070591730234615865843651857942052863" {
		t.Errorf("shard 0 of 4: %s .. %s", lo, hi)
	}
	if _, hi := hashKeyBounds(3, 4); hi != "340282366920938463463374607431768211455" {
		t.Errorf("shard 3 of 4 ends at %s", hi)
	}
	// Current count above the 10000-shard ceiling going to 30000: a warning, no steps.
	w = seed()
	w.CurrentShards = 5000
	w.Rate = 20e6
	w.Keys.Distribution = KeyDist{Kind: KeysRandom}
	kp, _ = PlanKinesis(w, DefaultPrices())
	if kp.Reshard == nil || kp.Reshard.UpdateShardCount != nil || !strings.Contains(strings.Join(kp.Warnings, "\n"), "reshard 5000 → 25000: UpdateShardCount cannot do it") {
		t.Errorf("reshard %+v, warnings %q", kp.Reshard, kp.Warnings)
	}
}
