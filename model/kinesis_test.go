package model

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/streamcap/streamcap/model/units"
)

// seed is the bundled kds-3000x1kb workload: 3000 records/s of 1 KB
// (1000 B), 16-byte keys, one shared (Lambda) consumer.
func seed() Workload {
	return Workload{
		Name:       "kds-3000x1kb",
		Rate:       3000,
		RecordSize: SizeDist{Kind: SizeFixed, Fixed: 1000},
		Consumers:  []Consumer{{Name: "lambda", Kind: ConsumerShared, Lambda: &LambdaConsumer{}}},
	}
}

// arith gives w random partition keys (a fresh key per record, 1/N per
// shard), so the plan is the limits' arithmetic with no hashing skew.
func arith(w Workload) Workload {
	w.Keys.Distribution = KeyDist{Kind: KeysRandom}
	return w
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

func findItem(t *testing.T, items []LineItem, prefix string) LineItem {
	t.Helper()
	for _, it := range items {
		if strings.HasPrefix(it.Name, prefix) {
			return it
		}
	}
	t.Fatalf("no line item %q in %+v", prefix, items)
	return LineItem{}
}

// TestPlanKinesisWorkedExamples checks shard counts and binding limits
// against hand arithmetic. Limits: write 1048576 B/s and 1000 rec/s per
// shard, shared read 2097152 B/s, EFO 2097152 B/s per consumer.
func TestPlanKinesisWorkedExamples(t *testing.T) {
	p := DefaultPrices()
	tests := []struct {
		name    string
		w       func() Workload
		shards  int
		binding Limit
		util    map[Limit]float64
	}{
		{
			// Headroom 1.0 (plan to 100 %), peak factor 1:
			// write_records 3000 / (1000 × 1) = 3.000 → 3
			// write_bytes   3000 × (1000 + 16) / 1048576 = 2.907
			// read_bytes    3048000 × 1 / 2097152 = 1.453
			// → 3 shards, write_records binds at 100 %.
			name:   "seed with random keys at headroom 1.0 plans 3 shards",
			w:      func() Workload { w := arith(seed()); w.Headroom = 1; return w },
			shards: 3, binding: LimitWriteRecords,
			util: map[Limit]float64{LimitWriteRecords: 1, LimitWriteBytes: 3048000.0 / (3 * 1048576), LimitReadCalls: 0.2},
		},
		{
			// Default headroom 0.8: write_records 3000 / (1000 × 0.8) = 3.75 → 4.
			// Utilisation at 4 shards: 3000 / 4000 = 0.75.
			name:   "seed at default headroom 0.8 plans 4 shards",
			w:      seed,
			shards: 4, binding: LimitWriteRecords,
			util: map[Limit]float64{LimitWriteRecords: 0.75},
		},
		{
			// 500 rec/s × 10 KB: write_bytes 500 × 10016 / 1048576 = 4.776 → 5;
			// write_records 500 / 1000 = 0.5.
			name: "bytes bind",
			w: func() Workload {
				return Workload{Rate: 500, Headroom: 1, RecordSize: SizeDist{Kind: SizeFixed, Fixed: 10000}}
			},
			shards: 5, binding: LimitWriteBytes,
			util: map[Limit]float64{LimitWriteBytes: 500 * 10016.0 / (5 * 1048576), LimitWriteRecords: 0.1},
		},
		{
			// 1000 rec/s × 2000 B, three shared consumers:
			// write_bytes 1000 × 2016 / 1048576 = 1.923; write_records 1.0;
			// read_bytes 2016000 × 3 / 2097152 = 2.884 → 3; calls 3/s of 5 = 0.6.
			name: "shared reads bind",
			w: func() Workload {
				return Workload{Rate: 1000, Headroom: 1, RecordSize: SizeDist{Kind: SizeFixed, Fixed: 2000},
					Consumers: []Consumer{{Name: "a"}, {Name: "b"}, {Name: "c"}}}
			},
			shards: 3, binding: LimitReadBytes,
			util: map[Limit]float64{LimitReadBytes: 2016000.0 * 3 / (3 * 2097152), LimitReadCalls: 0.6},
		},
		{
			// Seed at headroom 1 plus two EFO consumers: efo_read needs
			// 3048000 / 2097152 = 1.453 shards each (own pipe), so still 3
			// shards on write_records; EFO utilisation 3048000 / (3 × 2097152) = 0.484.
			name: "EFO consumers add cost, not shards",
			w: func() Workload {
				w := arith(seed())
				w.Headroom = 1
				w.Consumers = append(w.Consumers, Consumer{Name: "analytics", Kind: ConsumerEFO}, Consumer{Name: "audit", Kind: ConsumerEFO})
				return w
			},
			shards: 3, binding: LimitWriteRecords,
			util: map[Limit]float64{LimitEFORead: 3048000.0 / (3 * 2097152)},
		},
		{
			// Polling every 30 s: each call collects 30 s of a shard's
			// records; 1000 rec/s × 30 / 10000 per call = 3.0 shards, more
			// than write_records 1000 / 1000 = 1.0.
			name: "long poll interval: read_calls binds on the per-call cap",
			w: func() Workload {
				return arith(Workload{Rate: 1000, Headroom: 1, RecordSize: SizeDist{Kind: SizeFixed, Fixed: 100},
					Consumers: []Consumer{{Name: "batch", PollInterval: units.Duration(30e9)}}})
			},
			shards: 3, binding: LimitReadCalls,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			kp, err := PlanKinesis(tc.w(), p)
			if err != nil {
				t.Fatal(err)
			}
			if kp.Shards != tc.shards || kp.BindingLimit != tc.binding {
				t.Errorf("got %d shards binding %s, want %d binding %s", kp.Shards, kp.BindingLimit, tc.shards, tc.binding)
			}
			for lim, want := range tc.util {
				if got := kp.Utilization[lim]; !near(got, want, 1e-9) {
					t.Errorf("utilization[%s] = %v, want %v", lim, got, want)
				}
			}
			if len(kp.Utilization) != len(Limits()) {
				t.Errorf("utilization has %d limits, want all %d", len(kp.Utilization), len(Limits()))
			}
			if len(kp.Explanation.Steps) == 0 || len(kp.Explanation.Inputs) == 0 {
				t.Error("plan carries no explanation")
			}
		})
	}
}

// TestProvisionedCostSeed checks the seed's line items at headroom 1
// (3 shards): 3 × 730 = 2190 shard-hours × 0.015 = 32.85 USD;
// 3000 × 2,628,000 s = 7.884e9 records × ⌈1016/25000⌉ = 1 unit
// = 7884 M units × 0.014 = 110.376 USD; total 143.226 USD.
func TestProvisionedCostSeed(t *testing.T) {
	w := arith(seed())
	w.Headroom = 1
	kp, err := PlanKinesis(w, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	if it := findItem(t, kp.LineItems, "shard-hours"); it.Quantity != 2190 || !near(it.MonthlyUSD, 32.85, 1e-12) {
		t.Errorf("shard-hours %+v", it)
	}
	if it := findItem(t, kp.LineItems, "PUT payload units"); !near(it.Quantity, 7884, 1e-12) || !near(it.MonthlyUSD, 110.376, 1e-12) {
		t.Errorf("PUT units %+v", it)
	}
	if !near(kp.MonthlyUSD, 143.226, 1e-12) {
		t.Errorf("monthly %v, want 143.226", kp.MonthlyUSD)
	}
}

// TestEFOAndRetentionCost: seed at headroom 1 + two EFO consumers, 30 days
// retention. 3 shards;
// EFO consumer-shard-hours 2 × 3 × 730 = 4380 × 0.015 = 65.70;
// EFO retrieval 2 × 3000 × 1016 B × 2,628,000 s / 2^30 = 14920.06 GB × 0.013 = 193.96;
// extended retention 3 × 730 = 2190 shard-hours × 0.02 = 43.80;
// long-term (30 d − 7 d) × 3,048,000 B/s = 23 × 86400 × 3048000 / 2^30 = 5640.9 GB-month × 0.023 = 129.74.
func TestEFOAndRetentionCost(t *testing.T) {
	w := arith(seed())
	w.Headroom = 1
	w.Retention = units.Duration(30 * 24 * 3600e9)
	w.Consumers = append(w.Consumers, Consumer{Name: "analytics", Kind: ConsumerEFO}, Consumer{Name: "audit", Kind: ConsumerEFO})
	kp, err := PlanKinesis(w, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		prefix string
		qty    float64
		usd    float64
	}{
		{"EFO consumer-shard-hours", 4380, 65.70},
		{"EFO data retrieval", 2 * 3000 * 1016 * 2628000.0 / (1 << 30), 193.96072626},
		{"extended retention", 2190, 43.80},
		{"long-term retention", 23 * 86400 * 3048000.0 / (1 << 30), 23 * 86400 * 3048000.0 / (1 << 30) * 0.023},
	}
	for _, c := range checks {
		it := findItem(t, kp.LineItems, c.prefix)
		if !near(it.Quantity, c.qty, 1e-9) || !near(it.MonthlyUSD, c.usd, 1e-9) {
			t.Errorf("%s: got %v units %v USD, want %v units %v USD", c.prefix, it.Quantity, it.MonthlyUSD, c.qty, c.usd)
		}
	}
}

// TestOnDemandCostSeed: 730 stream-hours × 0.04 = 29.20; data in
// 7.884e9 records × 1 KiB (1016 B rounds up to 1024) / 2^30 = 7518.77 GB
// × 0.08 = 601.50; data out 7.884e9 × 1016 / 2^30 = 7460.03 GB × 0.04 = 298.40.
func TestOnDemandCostSeed(t *testing.T) {
	kp, err := PlanKinesisOnDemand(seed(), DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	in := 7.884e9 * 1024 / (1 << 30)
	out := 7.884e9 * 1016 / (1 << 30)
	want := 29.2 + in*0.08 + out*0.04
	if !near(kp.MonthlyUSD, want, 1e-12) {
		t.Errorf("on-demand monthly %v, want %v", kp.MonthlyUSD, want)
	}
	if it := findItem(t, kp.LineItems, "data in"); !near(it.Quantity, in, 1e-12) {
		t.Errorf("data in %v GB, want %v", it.Quantity, in)
	}
	if len(kp.Warnings) != 0 {
		t.Errorf("3.05 MB/s peak is under the 4 MB/s start, want no warning: %v", kp.Warnings)
	}
}

func TestOnDemandWarnsAboveWhatItAbsorbs(t *testing.T) {
	w := seed()
	w.PeakFactor = 3 // 9000 rec/s × 1016 B = 9.1 MB/s > 4 MB/s, and 3× > 2× the previous peak
	kp, err := PlanKinesisOnDemand(w, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(kp.Warnings, "\n")
	if !strings.Contains(joined, "4000000 B/s") || !strings.Contains(joined, "3× the average") {
		t.Errorf("warnings %q", joined)
	}
}

// TestOnDemandCrossover holds the peak at 10000 rec/s × 1000 B (headroom 1
// → 10 shards: 10000/1000 = 10 vs 10000 × 1016 / 1048576 = 9.69) with one
// shared consumer. Per record/s of average rate per month:
// provisioned 2,628,000 × 0.014e-6 = 0.036792 USD (PUT units) on top of
// 10 × 730 × 0.015 = 109.50; on-demand 2,628,000 × 1024/2^30 × 0.08 +
// 2,628,000 × 1016/2^30 × 0.04 = 0.299967 USD on top of 29.20.
// Equal at avg = (109.50 − 29.20) / (0.299967 − 0.036792) = 305.12 rec/s,
// a peak-to-average ratio of 32.77: spikier traffic is cheaper on demand.
func TestOnDemandCrossover(t *testing.T) {
	w := arith(Workload{Rate: 10000, Headroom: 1, RecordSize: SizeDist{Kind: SizeFixed, Fixed: 1000}, Consumers: []Consumer{{Name: "c"}}})
	c, err := OnDemandCrossover(w, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	if !c.Found || !near(c.AverageRate, 305.1195557, 1e-6) || !near(c.PeakFactor, 32.774038, 1e-6) {
		t.Fatalf("crossover %+v, want avg 305.12 rec/s, peak factor 32.77", c)
	}
	below, _ := SweepCost(Workload{Keys: w.Keys, Rate: 1, Headroom: 1, PeakFactor: 10000 / 200.0, RecordSize: w.RecordSize, Consumers: w.Consumers}, DefaultPrices(), []float64{200})
	if below[0].OnDemandUSD >= below[0].ProvisionedUSD {
		t.Errorf("at 200 rec/s average (peak 10000) on-demand should be cheaper: %+v", below[0])
	}
	// Steady traffic: provisioned is cheaper at every average rate.
	c, err = OnDemandCrossover(Workload{Rate: 100, Headroom: 1, RecordSize: w.RecordSize}, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	if c.Found || c.Cheaper != ModeProvisioned {
		t.Errorf("100 rec/s peak: got %+v, want provisioned cheaper everywhere (1 shard 10.95 < 29.20 stream-hours)", c)
	}
}

// TestZipfNeedsMoreShardsThanUniform: seed at headroom 0.8 with zipf
// s=1.1 over 10000 keys. H = Σ_{k≤10000} k^-1.1 = 6.6034, so key-0 carries
// 1/H = 15.14 % = 454 rec/s — fits one shard (≤ 800). Even spread needs
// ⌈3000/(1000 × 0.8)⌉ = 4 shards and lets one shard carry 1/3.75 = 26.67 %;
// with MD5 placement of the keys k000000000000000.. the busiest shard
// carries 34.8 %, 36.0 %, 32.4 % at 4, 5, 6 shards and 25.3 % at 7 (and
// 27.2 % at 8: the share is not monotone in the shard count), so zipf plans
// 7 shards where uniform plans 4.
func TestZipfNeedsMoreShardsThanUniform(t *testing.T) {
	p := DefaultPrices()
	uni, err := PlanKinesis(seed(), p)
	if err != nil {
		t.Fatal(err)
	}
	w := seed()
	w.Keys.Distribution = KeyDist{Kind: KeysZipf, S: 1.1}
	zipf, err := PlanKinesis(w, p)
	if err != nil {
		t.Fatal(err)
	}
	if uni.Shards != 4 || zipf.Shards != 7 || zipf.SizedBy != "skew" {
		t.Fatalf("uniform %d shards, zipf %d (%s); want 4 and 7 (skew)", uni.Shards, zipf.Shards, zipf.SizedBy)
	}
	if !near(zipf.Skew.HottestKeyShare, 0.1514372149, 1e-8) || !near(zipf.Skew.TargetShare, 1/3.75, 1e-12) {
		t.Errorf("skew %+v", zipf.Skew)
	}
	// Not monotone: check every count the search passed really failed.
	wd := planDefaults(w)
	km := newKeyModel(wd.Keys)
	for n := 4; n < 7; n++ {
		if s, _ := km.busiest(n); s <= 1/3.75 {
			t.Errorf("busiest share at %d shards = %v fits; the search should have stopped there", n, s)
		}
	}
	// Every key hashed: the planner's share is ShardShares' (TestShardShares).
	if s, _ := km.busiest(7); !near(s, zipf.Skew.BusiestShardShare, 1e-12) || !near(s, 0.2534030798, 1e-9) {
		t.Errorf("busiest at 7 = %v", s)
	}
}

// TestShardPlacementMatchesExactHashRanges checks that the 64-bit shortcut
// places keys exactly as the 128-bit equal ranges do
// (shard = ⌊md5 × n / 2^128⌋), for 10000 keys and several counts.
func TestShardPlacementMatchesExactHashRanges(t *testing.T) {
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	for _, n := range []uint64{1, 3, 7, 64, 1000} {
		for i := range 10000 {
			name := PartitionKey(i, 16)
			sum := md5sum(name)
			exact := new(big.Int).Div(new(big.Int).Mul(new(big.Int).SetBytes(sum[:]), new(big.Int).SetUint64(n)), space)
			got := shardOf(hashKey(name), n)
			if exact.Uint64() != got {
				t.Fatalf("%s on %d shards: 64-bit shard %d, exact %d", name, n, got, exact.Uint64())
			}
		}
	}
	if got := PartitionKey(42, 16); got != "k000000000000042" {
		t.Errorf("PartitionKey(42, 16) = %q", got)
	}
}

// TestHotKeyNoShardingFixes: 50 % of 3000 rec/s on one key = 1500 rec/s,
// above the 1000 rec/s a shard takes at any shard count.
func TestHotKeyNoShardingFixes(t *testing.T) {
	w := seed()
	w.Keys.Distribution = KeyDist{Kind: KeysHot, HotFraction: 0.5, HotKeys: 1}
	kp, err := PlanKinesis(w, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	if !kp.Skew.Unfixable || kp.Skew.HottestKey != "k000000000000000" || !near(kp.Skew.HottestKeyShare, 0.5, 1e-12) {
		t.Fatalf("skew %+v", kp.Skew)
	}
	msg := strings.Join(kp.Warnings, "\n")
	if !strings.Contains(msg, "k000000000000000 alone carries 50 % of traffic (1500 records/s") || !strings.Contains(msg, "no shard count fixes this: its shard throttles") {
		t.Errorf("warning %q", msg)
	}
	// 5 % on 10 keys is 15 rec/s per key: fixable.
	w.Keys.Distribution = KeyDist{Kind: KeysHot, HotFraction: 0.05, HotKeys: 10}
	kp, err = PlanKinesis(w, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	if kp.Skew.Unfixable {
		t.Errorf("5%% over 10 keys reported unfixable: %+v", kp.Skew)
	}
}

func TestReadCallsWarning(t *testing.T) {
	// Six shared consumers polling once a second: 6 calls/s per shard > 5.
	w := seed()
	w.Consumers = sharedConsumers(6)
	kp, err := PlanKinesis(w, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	if got := kp.Utilization[LimitReadCalls]; !near(got, 1.2, 1e-12) {
		t.Errorf("read_calls utilization %v, want 6/5 = 1.2", got)
	}
	if !strings.Contains(strings.Join(kp.Warnings, "\n"), "over the limit") {
		t.Errorf("warnings %q", kp.Warnings)
	}
}

func TestPUTUnitsRounding(t *testing.T) {
	p := DefaultPrices()
	// (size + 16-byte key) / 25000 B rounded up: 24984 → 1 unit, 24985 → 2,
	// 1 MB - 16 → 40 units (AWS: "1 MB → 40").
	for _, tc := range []struct {
		size  units.Bytes
		units float64
	}{{24984, 1}, {24985, 2}, {999984, 40}} {
		w := Workload{Rate: 1, RecordSize: SizeDist{Kind: SizeFixed, Fixed: tc.size}}
		kp, err := PlanKinesis(w, p)
		if err != nil {
			t.Fatal(err)
		}
		if it := findItem(t, kp.LineItems, "PUT"); !near(it.Quantity, tc.units*2.628, 1e-12) {
			t.Errorf("%s: %v M units, want %v", tc.size, it.Quantity, tc.units*2.628)
		}
	}
	// Uniform 1..49984 B + 16: E[⌈x/25000⌉] over x ∈ [17, 50000] is
	// (25000−17)/(50000−17) × 1 + 25000/(50000−17) × 2 = 1.50017.
	d := sizeStats{SizeDist{Kind: SizeUniform, Min: 1, Max: 49984}}
	if got, want := d.meanUnits(16, 25000), (24983.0+50000)/49983; !near(got, want, 1e-12) {
		t.Errorf("uniform mean units %v, want %v", got, want)
	}
}

// TestBadInputs: every bad workload field reaches the caller through the
// planner with its field path, value and accepted range (Workload.Validate
// words them), wrapped in ErrPlanInput and ErrInvalidWorkload.
func TestBadInputs(t *testing.T) {
	p := DefaultPrices()
	mb := units.Bytes(1 << 20)
	tests := []struct {
		name string
		mod  func(*Workload)
		want []string // field, value, range
	}{
		{"zero rate", func(w *Workload) { w.Rate = 0 }, []string{`rate "0/s"`, "more than 0/s and at most 1G/s"}},
		{"headroom above 1", func(w *Workload) { w.Headroom = 1.5 }, []string{`headroom "1.5"`, "more than 0 and at most 1"}},
		{"negative headroom", func(w *Workload) { w.Headroom = -0.1 }, []string{`headroom "-0.1"`, "more than 0 and at most 1"}},
		{"peak factor below 1", func(w *Workload) { w.PeakFactor = 0.5 }, []string{`peak_factor "0.5"`, "between 1 and 100"}},
		{"record over max record size", func(w *Workload) { w.RecordSize.Fixed = mb }, []string{`record_size.fixed "1MiB"`, "between 1B and 1048560B", "max_record_size 1MiB"}},
		{"max record size over 10MiB", func(w *Workload) { w.MaxRecordSize = 11 * mb }, []string{`max_record_size "11MiB"`, "between 1MiB and 10MiB"}},
		{"retention below 24h", func(w *Workload) { w.Retention = units.Duration(3600e9) }, []string{`retention "1h"`, "between 24h and 365d"}},
		{"retention over a year", func(w *Workload) { w.Retention = units.Duration(366 * 24 * 3600e9) }, []string{`retention "366d"`, "between 24h and 365d"}},
		{"key length 300", func(w *Workload) { w.Keys.Length = 300 }, []string{`keys.length "300"`, "between 1 and 256"}},
		{"negative key count", func(w *Workload) { w.Keys.Count = -1 }, []string{`keys.count "-1"`, "between 1 and 10000000"}},
		{"zipf without s", func(w *Workload) { w.Keys.Distribution = KeyDist{Kind: KeysZipf} }, []string{`keys.distribution.s "0"`, "more than 0 and at most 10"}},
		{"hot fraction 0", func(w *Workload) { w.Keys.Distribution = KeyDist{Kind: KeysHot, HotKeys: 1} }, []string{`keys.distribution.hot_fraction "0"`, "more than 0 and at most 1"}},
		{"more hot keys than keys", func(w *Workload) {
			w.Keys.Distribution = KeyDist{Kind: KeysHot, HotFraction: 0.5, HotKeys: 20000}
		}, []string{`keys.distribution.hot_keys "20000"`, "between 1 and keys.count − 1 (9999)"}},
		{"unknown key distribution", func(w *Workload) { w.Keys.Distribution.Kind = "pareto" }, []string{`keys.distribution.kind "pareto"`, "one of uniform, zipf, hot"}},
		{"uniform max below min", func(w *Workload) { w.RecordSize = SizeDist{Kind: SizeUniform, Min: 100, Max: 50} }, []string{`record_size.max "50B"`, "at least record_size.min (100B)"}},
		{"empty weighted sizes", func(w *Workload) { w.RecordSize = SizeDist{Kind: SizeWeighted} }, []string{`record_size.weighted "[]"`, "at least one {size, weight}"}},
		{"negative weight", func(w *Workload) {
			w.RecordSize = SizeDist{Kind: SizeWeighted, Weighted: []WeightedSize{{Size: 10, Weight: -1}}}
		}, []string{`record_size.weighted[0].weight "-1"`, "between 0 and 1e12"}},
		{"unknown size kind", func(w *Workload) { w.RecordSize.Kind = "lognormal" }, []string{`record_size.kind "lognormal"`, "one of fixed, uniform, weighted"}},
		{"unknown consumer kind", func(w *Workload) { w.Consumers[0].Kind = "push" }, []string{`consumers[0].kind "push"`, "one of shared, efo"}},
		{"poll interval too short", func(w *Workload) { w.Consumers[0].PollInterval = units.Duration(1e6) }, []string{`consumers[0].poll_interval "1ms"`, "between 200ms and 5m"}},
		{"21 EFO consumers", func(w *Workload) { w.Consumers = append(w.Consumers, efoConsumers(21)...) }, []string{`consumers "21 efo consumers"`, "at most 20 efo consumers"}},
		{"batch size 20000", func(w *Workload) { w.Consumers[0].Lambda.BatchSize = 20000 }, []string{`consumers[0].lambda.batch_size "20000"`, "between 1 and 10000"}},
		{"parallelization 11", func(w *Workload) { w.Consumers[0].Lambda.ParallelizationFactor = 11 }, []string{`lambda.parallelization_factor "11"`, "between 1 and 10"}},
		{"memory 64MB", func(w *Workload) { w.Consumers[0].Lambda.MemoryMB = 64 }, []string{`lambda.memory_mb "64"`, "between 128 and 10240"}},
		{"batching window 10m", func(w *Workload) { w.Consumers[0].Lambda.BatchingWindow = units.Duration(600e9) }, []string{`lambda.batching_window "10m"`, "between 0s and 5m"}},
		{"arch", func(w *Workload) { w.Consumers[0].Lambda.Arch = "sparc" }, []string{`lambda.arch "sparc"`, "one of x86_64, arm64"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := seed()
			w.Consumers[0].Lambda = &LambdaConsumer{}
			tc.mod(&w)
			_, err := PlanKinesis(w, p)
			if err == nil {
				t.Fatal("want an error")
			}
			if !errors.Is(err, ErrPlanInput) || !errors.Is(err, ErrInvalidWorkload) {
				t.Errorf("error %v does not wrap ErrPlanInput and ErrInvalidWorkload", err)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

// TestPriceTableLimits: limits that come from the price table, not from
// Validate's constants, are checked against the table in use.
func TestPriceTableLimits(t *testing.T) {
	p := DefaultPrices()
	p.Kinesis.EFOMaxConsumers.Value = 2
	p.Kinesis.MaxRecordBytesLimit.Value = 2 << 20
	w := seed()
	w.Consumers = append(w.Consumers, efoConsumers(3)...)
	_, err := PlanKinesis(w, p)
	if !errors.Is(err, ErrPlanInput) || !strings.Contains(err.Error(), `consumers "3 efo consumers": must be at most 2 enhanced fan-out consumers per stream`) {
		t.Errorf("efo: %v", err)
	}
	w = seed()
	w.MaxRecordSize = 4 << 20
	_, err = PlanKinesis(w, p)
	if !errors.Is(err, ErrPlanInput) || !strings.Contains(err.Error(), `max_record_size "4MiB": must be between 1MiB and 2MiB`) {
		t.Errorf("max record size: %v", err)
	}
}

// efoConsumers returns n named enhanced fan-out consumers.
func efoConsumers(n int) []Consumer {
	cs := make([]Consumer, n)
	for i := range cs {
		cs[i] = Consumer{Name: fmt.Sprintf("efo-%d", i), Kind: ConsumerEFO}
	}
	return cs
}

// sharedConsumers returns n named shared consumers.
func sharedConsumers(n int) []Consumer {
	cs := make([]Consumer, n)
	for i := range cs {
		cs[i] = Consumer{Name: fmt.Sprintf("shared-%d", i)}
	}
	return cs
}

func TestPlanOptionErrors(t *testing.T) {
	p := DefaultPrices()
	for _, tc := range []struct {
		name string
		opts PlanOptions
		want string
	}{
		{"mode", PlanOptions{Mode: "spot"}, `mode "spot": must be provisioned, on-demand or both`},
		{"compare", PlanOptions{Compare: []string{"kafka,rabbitmq"}}, `compare "rabbitmq": must be one of firehose, lambda, dynamodb, pubsub, kafka, flink`},
	} {
		_, err := Plan(seed(), p, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := PlanKinesis(seed(), nil); err == nil {
		t.Error("nil prices: want an error")
	}
}

func TestPlanDoesNotModifyInput(t *testing.T) {
	w := seed()
	if _, err := Plan(w, DefaultPrices(), PlanOptions{Compare: []string{"all"}}); err != nil {
		t.Fatal(err)
	}
	if w.Headroom != 0 || w.Consumers[0].Lambda.BatchSize != 0 || w.Consumers[0].Kind != ConsumerShared {
		t.Errorf("Plan changed its input: %+v", w)
	}
}

// FuzzPlanKinesis: any numeric workload either fails with ErrPlanInput or
// plans at least one shard with finite, non-negative utilisations and
// cost; never panics.
func FuzzPlanKinesis(f *testing.F) {
	f.Add(3000.0, int64(1000), 1.0, 0.8, 10000, uint8(0), 1.1, 0.5, 1, 1, 0, int64(24))
	f.Add(500.0, int64(10000), 2.0, 1.0, 50, uint8(1), 1.1, 0.5, 1, 3, 2, int64(400))
	f.Add(1e6, int64(100), 1.0, 0.5, 1000, uint8(2), 1.0, 0.9, 3, 0, 20, int64(8760))
	f.Add(0.0, int64(-1), 0.0, 2.0, -5, uint8(3), -1.0, 2.0, -1, -1, 30, int64(1))
	f.Fuzz(func(t *testing.T, rate float64, size int64, peak, headroom float64, keys int, dist uint8, s, frac float64, hot, shared, efo int, retentionH int64) {
		if keys > 100000 || shared > 50 || efo > 50 || shared < -1 || efo < -1 {
			t.Skip("bounded to keep each case fast")
		}
		w := Workload{Rate: units.EventRate(rate), RecordSize: SizeDist{Kind: SizeFixed, Fixed: units.Bytes(size)},
			PeakFactor: peak, Headroom: headroom, Keys: KeySpec{Count: keys}, Retention: units.Duration(retentionH) * 3600e9}
		switch dist % 3 {
		case 1:
			w.Keys.Distribution = KeyDist{Kind: KeysZipf, S: s}
		case 2:
			w.Keys.Distribution = KeyDist{Kind: KeysHot, HotFraction: frac, HotKeys: hot}
		}
		w.Consumers = append(sharedConsumers(max(shared, 0)), efoConsumers(max(efo, 0))...)
		kp, err := PlanKinesis(w, DefaultPrices())
		if err != nil {
			if !errors.Is(err, ErrPlanInput) {
				t.Fatalf("error %v does not wrap ErrPlanInput", err)
			}
			return
		}
		if kp.Shards < 1 || math.IsNaN(kp.MonthlyUSD) || kp.MonthlyUSD < 0 {
			t.Fatalf("plan %d shards %v USD", kp.Shards, kp.MonthlyUSD)
		}
		for l, u := range kp.Utilization {
			if math.IsNaN(u) || u < 0 {
				t.Fatalf("utilization[%s] = %v", l, u)
			}
		}
	})
}
