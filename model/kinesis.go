package model

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/streamcap/streamcap/model/units"
)

// Limit names one Kinesis per-shard limit.
type Limit string

// The per-shard limits a provisioned stream is sized against.
const (
	// LimitWriteBytes: 1 MiB/s written per shard, partition keys included.
	LimitWriteBytes Limit = "write_bytes"
	// LimitWriteRecords: 1000 records/s written per shard.
	LimitWriteRecords Limit = "write_records"
	// LimitReadBytes: 2 MiB/s read per shard, shared by every GetRecords consumer.
	LimitReadBytes Limit = "read_bytes"
	// LimitReadCalls: 5 GetRecords calls/s per shard shared by every
	// polling consumer, each call returning at most 10000 records / 10 MiB.
	LimitReadCalls Limit = "read_calls"
	// LimitEFORead: 2 MiB/s per shard for each enhanced fan-out consumer.
	LimitEFORead Limit = "efo_read"
)

// limitOrder lists every limit in report order.
var limitOrder = [...]Limit{LimitWriteBytes, LimitWriteRecords, LimitReadBytes, LimitReadCalls, LimitEFORead}

// Limits returns the limit names in report order.
func Limits() []Limit { return slices.Clone(limitOrder[:]) }

// Capacity modes of a Kinesis stream.
const (
	ModeProvisioned = "provisioned"
	ModeOnDemand    = "on-demand"
	ModeBoth        = "both"
)

// LimitUse is one limit's load, capacity and utilisation in a plan.
type LimitUse struct {
	Limit Limit `json:"limit"`
	// Load at peak for the whole stream (read_calls: GetRecords calls/s per shard).
	Load float64 `json:"load"`
	// PerShard is the limit's capacity per shard (per consumer for efo_read).
	PerShard float64 `json:"per_shard"`
	// Unit of Load and PerShard.
	Unit string `json:"unit"`
	// RequiredShards is Load / (PerShard × headroom) before rounding up.
	RequiredShards float64 `json:"required_shards"`
	// Utilization is the average utilisation at the chosen shard count (0–1).
	Utilization float64 `json:"utilization"`
	// Binding marks the limit that sets the shard count.
	Binding bool `json:"binding,omitempty"`
}

// KinesisPlan is a Kinesis Data Streams capacity plan and its monthly cost
// in one capacity mode. On-demand plans carry the same shard analysis
// (AWS applies the per-shard limits in both modes and scales on-demand
// shards itself; they are not billed per shard).
type KinesisPlan struct {
	// Mode is "provisioned" or "on-demand".
	Mode string `json:"mode"`
	// Shards is the planned (or, on-demand, expected) open shard count.
	Shards int `json:"shards"`
	// BindingLimit is the limit that needs the most shards.
	BindingLimit Limit `json:"binding_limit"`
	// SizedBy is "limits" when the even-spread count was enough, "skew"
	// when the busiest shard needed more.
	SizedBy string `json:"sized_by"`
	// Utilization maps every limit to its average utilisation at Shards.
	Utilization map[Limit]float64 `json:"utilization"`
	// Limits details every limit, in report order.
	Limits []LimitUse `json:"limits"`
	// Skew is the hot-shard analysis.
	Skew Skew `json:"skew"`
	// MonthlyUSD is the sum of LineItems.
	MonthlyUSD float64    `json:"monthly_usd"`
	LineItems  []LineItem `json:"line_items"`
	// Warnings are problems no shard count fixes, on-demand throttling
	// risks and every quota the plan crosses, one string each.
	Warnings []string `json:"warnings,omitempty"`
	// Replay (provisioned) is one consumer re-reading the retained history.
	Replay *Replay `json:"replay,omitempty"`
	// Reshard (provisioned, when the workload gives current_shards) is the
	// way from today's shard count to the planned one.
	Reshard *PlanReshardSection `json:"reshard,omitempty"`
	// Latency (provisioned) is the expected end-to-end latency per consumer.
	Latency     []ConsumerLatency `json:"latency,omitempty"`
	Explanation Explanation       `json:"explanation"`
}

// kinesisLoad is the workload reduced to per-second figures at peak.
type kinesisLoad struct {
	w           Workload
	size        sizeStats
	keyBytes    float64
	recBytes    float64 // mean record bytes incl. partition key
	peakRecords float64
	peakBytes   float64
	avgRecords  float64
	avgBytes    float64
	shared, efo int
	callsShard  float64 // Σ 1/poll over shared consumers: GetRecords calls/s per shard
	maxPoll     float64 // longest shared poll interval, s
	km          *keyModel
	memo        *skewMemo // per plan: analyse runs several times at one peak
}

// skewMemo remembers shard searches of one plan (provisioned, on-demand
// and the crossover analyse the same peak). Not shared between plans.
type skewMemo struct{ m map[[2]uint64]skewResult }

type skewResult struct {
	n     int
	share float64
	sk    Skew
}

// search is keyModel.searchShards, memoised per plan.
func (l kinesisLoad) search(even int, target float64) (int, float64, Skew) {
	key := [2]uint64{uint64(even), math.Float64bits(target)}
	if r, ok := l.memo.m[key]; ok {
		return r.n, r.share, r.sk
	}
	n, share, sk := l.km.searchShards(even, target)
	l.memo.m[key] = skewResult{n, share, sk}
	return n, share, sk
}

// prepare defaults and checks w and reduces it to its loads.
func prepare(w Workload, p *Prices) (kinesisLoad, error) {
	if p == nil {
		return kinesisLoad{}, fmt.Errorf("%w: prices: nil table", ErrPlanInput)
	}
	w = planDefaults(w)
	if err := planCheckWorkload(&w, p); err != nil {
		return kinesisLoad{}, err
	}
	km := newKeyModel(w.Keys)
	l := kinesisLoad{w: w, size: sizeStats{w.RecordSize}, keyBytes: float64(w.Keys.Length), km: &km,
		memo: &skewMemo{m: make(map[[2]uint64]skewResult)}}
	l.recBytes = l.size.mean() + l.keyBytes
	l.avgRecords = w.Rate.PerSecond()
	l.peakRecords = l.avgRecords * w.PeakFactor
	l.peakBytes = l.peakRecords * l.recBytes
	l.avgBytes = l.avgRecords * l.recBytes
	for _, c := range w.Consumers {
		if c.Kind == ConsumerEFO {
			l.efo++
			continue
		}
		l.shared++
		t := c.PollInterval.Seconds()
		l.callsShard += 1 / t
		l.maxPoll = max(l.maxPoll, t)
	}
	return l, nil
}

// capacity is the shard analysis shared by both modes.
type capacity struct {
	shards  int
	binding Limit
	sizedBy string
	limits  []LimitUse
	util    map[Limit]float64
	skew    Skew
	warn    []string
}

// analyse sizes the stream: for each limit, required = load / (capacity ×
// headroom); shards = ⌈max required⌉, then raised until the busiest shard
// (hashing the key distribution) fits. x records the explanation.
func analyse(l kinesisLoad, p *Prices, x *explainer) capacity {
	k := &p.Kinesis
	h := l.w.Headroom
	x.in("rate", "%v (average)", l.w.Rate)
	x.in("peak_factor", "%v", num(l.w.PeakFactor))
	x.in("record_size", "mean %vB", num(l.size.mean()))
	x.in("partition_key", "%dB, %v", l.w.Keys.Length, keyModelDesc(l.w.Keys))
	x.in("consumers", "%d shared (GetRecords), %d enhanced fan-out", l.shared, l.efo)
	x.in("headroom", "%v (highest utilisation of any limit at peak)", num(h))
	x.step("peak_records", "rate × peak_factor", l.peakRecords, "records/s", "%v × %v", l.avgRecords, l.w.PeakFactor)
	x.step("record_bytes", "mean data size + partition key", l.recBytes, "B", "%v + %v", l.size.mean(), l.keyBytes)
	x.step("peak_bytes", "peak_records × record_bytes", l.peakBytes, "B/s", "%v × %v", l.peakRecords, l.recBytes)

	wb, wr, rb := k.ShardWriteBytes.Value, k.ShardWriteRecords.Value, k.ShardReadBytes.Value
	rc, eb := k.ShardReadCalls.Value, k.EFOReadBytes.Value
	gmr, gmb := k.GetRecordsMaxRecords.Value, k.GetRecordsMaxBytes.Value
	shared := float64(l.shared)

	var req [len(limitOrder)]float64
	req[0] = x.step("write_bytes shards", "peak_bytes / (write_bytes per shard × headroom)",
		l.peakBytes/(wb*h), "shards", "%v / (%v × %v)", l.peakBytes, wb, h)
	req[1] = x.step("write_records shards", "peak_records / (write_records per shard × headroom)",
		l.peakRecords/(wr*h), "shards", "%v / (%v × %v)", l.peakRecords, wr, h)
	readLoad := l.peakBytes * shared
	req[2] = x.step("read_bytes shards", "peak_bytes × shared consumers / (read_bytes per shard × headroom)",
		readLoad/(rb*h), "shards", "%v × %v / (%v × %v)", l.peakBytes, shared, rb, h)
	// GetRecords: calls/s per shard (Σ 1/poll) do not depend on the shard
	// count; the per-call caps (10000 records, 10 MiB) do: a consumer
	// polling every T seconds collects peak/shards × T per call.
	var perCall float64
	if l.shared > 0 {
		perCall = max(l.peakRecords*l.maxPoll/gmr, l.peakBytes*l.maxPoll/gmb) / h
	}
	req[3] = x.step("read_calls shards", "max(peak_records × poll / records per call, peak_bytes × poll / bytes per call) / headroom (calls/s per shard = Σ 1/poll does not depend on shards)",
		perCall, "shards", "max(%v × %v / %v, %v × %v / %v) / %v", l.peakRecords, l.maxPoll, gmr, l.peakBytes, l.maxPoll, gmb, h)
	if l.efo > 0 {
		req[4] = x.step("efo_read shards", "peak_bytes / (efo_read per shard × headroom) (each EFO consumer has its own pipe per shard: EFO consumers add cost, not shards)",
			l.peakBytes/(eb*h), "shards", "%v / (%v × %v)", l.peakBytes, eb, h)
	} else {
		x.step("efo_read shards", "no enhanced fan-out consumers", 0, "shards", "none")
	}

	var c capacity
	top := 0.0
	for i, lim := range limitOrder {
		if req[i] > top*(1+1e-12) {
			top, c.binding = req[i], lim
		}
	}
	even := max(1, ceilCount(top))
	x.step("shards (even spread)", "⌈largest required⌉, the binding limit", float64(even), "shards", "⌈%v⌉ (%v)", top, string(c.binding))

	// Skew: the busiest shard may carry at most 1/top of the traffic, so
	// that every limit's load × share ≤ capacity × headroom.
	km := l.km
	target := 1.0
	if top > 0 {
		target = 1 / top
	}
	n, share, sk := l.search(even, target)
	if sk.Method == "exact+bound" && n > even && len(km.hash) < MaxExactKeys {
		// The bound cost shards: hash more keys before paying for them.
		*km = newKeyModelN(l.w.Keys, MaxExactKeys)
		clear(l.memo.m)
		n, share, sk = l.search(even, target)
	}
	c.skew = sk
	c.shards, c.sizedBy = n, "limits"
	if n > even {
		c.sizedBy = "skew"
	}
	x.step("busiest shard share", "largest share of traffic on one of N equal hash ranges (MD5 of the keys the load generator sends) ≤ 1 / largest required",
		share, "", "%v at %v (target %v; %v; %v; searched %v..%v, %v)", share, units.Plural(int64(n), "shard"), target, km.desc, skewStep(km, sk), float64(sk.SearchFrom), float64(sk.SearchTo), units.Plural(int64(sk.Evaluations), "evaluation"))
	switch {
	case sk.Unfixable:
		x.step("shards", "the hottest key alone is over what one shard may carry: no count fits (see warnings), so the even spread's count is kept", float64(n), "shards", "hottest key %v > target %v", sk.HottestKeyShare, target)
	case sk.BudgetExhausted:
		x.step("shards", "the skew search stopped on its compute budget before any count fitted: best count evaluated", float64(n), "shards", "%v (busiest %v > target %v)", float64(n), share, target)
	case n > even:
		x.step("shards", "sized by skew, not the arithmetic: the even spread's busiest shard is over target, so the smallest larger count whose busiest shard fits", float64(n), "shards",
			"at %v shards the busiest carries %v > %v; at %v it carries %v", float64(even), sk.EvenBusiestShare, target, float64(n), share)
	default:
		x.step("shards", "smallest count ≥ even spread whose busiest shard fits (the arithmetic set the count)", float64(n), "shards", "%v", float64(n))
	}

	if x.off {
		// Cost sweeps need only the count: skip warnings and the limit table.
		return c
	}
	if sk.Unfixable {
		hr, hb := km.hotShare*l.peakRecords, km.hotShare*l.peakBytes
		verdict := "no shard count keeps it within headroom"
		if hr > wr || hb > wb {
			verdict = "no shard count fixes this: its shard throttles"
		}
		if l.w.Keys.Distribution.Kind == KeysUniform {
			c.warn = append(c.warn, fmt.Sprintf("only %d partition keys: each carries %v of traffic (%v records/s at peak), more than one shard may take (%v records/s at headroom %v): %v — use more keys or random partition keys",
				l.w.Keys.Count, pct(km.hotShare), num(round3(hr)), num(round3(wr*h)), num(h), verdict))
		} else {
			c.warn = append(c.warn, fmt.Sprintf("hot key: %v alone carries %v of traffic (%v records/s, %v B/s at peak); one shard takes %v records/s and %v B/s (%v and %v at headroom %v): %v — spread the key (add a suffix) or use random partition keys",
				km.hotName, pct(km.hotShare), num(round3(hr)), num(math.Round(hb)), num(wr), num(wb), num(round3(wr*h)), num(math.Round(wb*h)), num(h), verdict))
		}
	} else if sk.BudgetExhausted {
		c.warn = append(c.warn, fmt.Sprintf("skew: the search stopped on its compute budget after %s shard counts (%s..%s) without one whose busiest shard stays within %v of traffic; best %v at %s",
			units.Int(int64(sk.Evaluations)), units.Int(int64(sk.SearchFrom)), units.Int(int64(sk.SearchTo)), units.PercentApart(target, share), units.PercentApart(share, target), units.Plural(int64(n), "shard")))
	}
	if !km.random && l.w.Keys.Count < n {
		c.warn = append(c.warn, fmt.Sprintf("only %s partition keys for %s shards: at most %s shards receive traffic", units.Int(int64(l.w.Keys.Count)), units.Int(int64(n)), units.Int(int64(l.w.Keys.Count))))
	}
	if calls := l.callsShard; l.shared > 0 && calls > rc*h {
		hard := "above headroom"
		if calls > rc {
			hard = "over the limit: consumers will be throttled"
		}
		c.warn = append(c.warn, fmt.Sprintf("read_calls: %d shared consumers poll %v GetRecords calls/s per shard against %v/s (%v); no shard count fixes this — move consumers to enhanced fan-out or poll less often",
			l.shared, num(round3(calls)), num(rc), hard))
	}

	N := float64(n)
	perCallUtil := 0.0
	if l.shared > 0 {
		perCallUtil = max(l.peakRecords/N*l.maxPoll/gmr, l.peakBytes/N*l.maxPoll/gmb)
	}
	uses := []LimitUse{
		{Limit: LimitWriteBytes, Load: l.peakBytes, PerShard: wb, Unit: "B/s", Utilization: l.peakBytes / (N * wb)},
		{Limit: LimitWriteRecords, Load: l.peakRecords, PerShard: wr, Unit: "records/s", Utilization: l.peakRecords / (N * wr)},
		{Limit: LimitReadBytes, Load: readLoad, PerShard: rb, Unit: "B/s", Utilization: readLoad / (N * rb)},
		{Limit: LimitReadCalls, Load: l.callsShard, PerShard: rc, Unit: "calls/s per shard", Utilization: max(l.callsShard/rc, perCallUtil)},
		{Limit: LimitEFORead, Load: l.peakBytes * float64(l.efo), PerShard: eb, Unit: "B/s (per consumer)"},
	}
	if l.efo > 0 {
		uses[4].Utilization = l.peakBytes / (N * eb)
	}
	c.util = make(map[Limit]float64, len(uses))
	for i := range uses {
		uses[i].RequiredShards = req[i]
		uses[i].Binding = uses[i].Limit == c.binding
		c.util[uses[i].Limit] = uses[i].Utilization
	}
	c.limits = uses
	return c
}

// keyModelDesc describes a key distribution without hashing.
func keyModelDesc(k KeySpec) string {
	d := k.Distribution
	switch d.Kind {
	case KeysZipf:
		return fmt.Sprintf("zipf s=%v over %d keys", num(d.S), k.Count)
	case KeysHot:
		return fmt.Sprintf("hot: %v of traffic on %d of %d keys", pct(d.HotFraction), d.HotKeys, k.Count)
	case KeysRandom:
		return "random: a fresh key per record"
	default:
		return fmt.Sprintf("uniform over %d keys", k.Count)
	}
}

func pct(f float64) string { return units.Percent(f) }

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// retentionSplit returns how long data is kept in the extended tier
// (24 h – 7 d) and the long-term tier (> 7 d), in seconds.
func retentionSplit(w Workload) (extended, longTerm float64) {
	r := w.Retention.Seconds()
	day, week := (24 * time.Hour).Seconds(), (7 * 24 * time.Hour).Seconds()
	extended = max(0, min(r, week)-day)
	longTerm = max(0, r-week)
	return extended, longTerm
}

// PlanKinesis plans a provisioned Kinesis Data Stream for w: the shard
// count (largest requirement over every per-shard limit after peak factor
// and headroom, raised until the busiest shard of the key distribution
// fits), the binding limit, the utilisation of every limit, and the monthly
// cost at the average rate. w's zero fields take their defaults; p must be
// a validated table (DefaultPrices or LoadPrices). Safe for concurrent use.
func PlanKinesis(w Workload, p *Prices) (KinesisPlan, error) {
	l, err := prepare(w, p)
	if err != nil {
		return KinesisPlan{}, err
	}
	return planProvisioned(l, p, true), nil
}

// planProvisioned plans l provisioned; explain=false (cost sweeps) skips
// the explanation, warnings and limit table and keeps count and cost.
func planProvisioned(l kinesisLoad, p *Prices, explain bool) KinesisPlan {
	x := explainer{off: !explain}
	c := analyse(l, p, &x)
	kp := provisionedWith(l, p, c, &x)
	if !explain {
		return kp
	}
	kp.Warnings = append(kp.Warnings, provisionedQuotaWarnings(kp.Shards, p)...)
	kp.Replay = planReplay(l, p, kp.Shards)
	kp.Warnings = append(kp.Warnings, kp.Replay.Warnings...)
	kp.Latency = planLatency(l, p, kp.Shards)
	if l.w.CurrentShards > 0 {
		var warn []string
		kp.Reshard, warn = planReshardSection(l, p, kp.Shards, c.skew.TargetShare)
		kp.Warnings = append(kp.Warnings, warn...)
	}
	return kp
}

// provisionedQuotaWarnings names every quota n shards cross, with the
// remedy. The count itself is never capped: it is what the limits need.
func provisionedQuotaWarnings(n int, p *Prices) []string {
	k := &p.Kinesis
	var out []string
	if q := int(k.AccountShardQuota.Value); n > q {
		out = append(out, fmt.Sprintf("quota: %s shards exceed the account shard quota of %s (default, %s) — request a quota increase in Service Quotas before creating the stream, or spread the traffic over several accounts",
			units.Int(int64(n)), units.Int(int64(q)), p.Region))
	}
	if c := int(k.UpdateShardCountMaxShards.Value); n > c {
		out = append(out, fmt.Sprintf("quota: %s shards exceed the %s shards per stream that UpdateShardCount reaches — create the stream at this count, request a per-stream limit increase, or split the traffic over %s streams of at most %s shards",
			units.Int(int64(n)), units.Int(int64(c)), units.Int(int64((n+c-1)/c)), units.Int(int64(c))))
	}
	return out
}

func provisionedWith(l kinesisLoad, p *Prices, c capacity, x *explainer) KinesisPlan {
	kp := KinesisPlan{Mode: ModeProvisioned, Shards: c.shards, BindingLimit: c.binding, SizedBy: c.sizedBy,
		Utilization: c.util, Limits: c.limits, Skew: c.skew, Warnings: slices.Clone(c.warn)}
	k := &p.Kinesis
	hours := p.month()
	secs := p.secondsPerMonth()
	gb := p.gb()
	N := float64(c.shards)

	// Monthly quantities at the average rate.
	records := l.avgRecords * secs
	unitsPer := l.size.meanUnits(l.keyBytes, k.PutPayloadUnitBytes.Value)
	x.step("PUT payload units", "records/month × E[⌈(size + key) / PUT payload unit⌉]", records*unitsPer, "units",
		"%v × %v (unit %vB)", records, unitsPer, k.PutPayloadUnitBytes.Value)
	items := []LineItem{
		newItem("shard-hours", N*hours, "shard-hour", k.ShardHourUSD.Value),
		newItem("PUT payload units", records*unitsPer/1e6, "1M units", k.PutPayloadUnitsUSD.Value),
	}
	ext, long := retentionSplit(l.w)
	if ext > 0 {
		items = append(items, newItem("extended retention (24h-7d)", N*hours, "shard-hour", k.ExtendedRetentionShardHourUSD.Value))
	}
	if long > 0 {
		stored := l.avgBytes * long / gb
		x.step("long-term retention stored", "average bytes/s × (retention − 7d) / GB", stored, "GB", "%v × %v / %v", l.avgBytes, long, gb)
		items = append(items, newItem("long-term retention (>7d)", stored, "GB-month", k.LongTermRetentionGBMonthUSD.Value))
	}
	if l.efo > 0 {
		e := float64(l.efo)
		items = append(items,
			newItem("EFO consumer-shard-hours", e*N*hours, "consumer-shard-hour", k.EFOConsumerShardHourUSD.Value),
			newItem("EFO data retrieval", e*l.avgBytes*secs/gb, "GB", k.EFORetrievalGBUSD.Value))
	}
	kp.LineItems, kp.MonthlyUSD = items, total(items)
	kp.Explanation = x.e
	return kp
}

// PlanKinesisOnDemand prices w on an on-demand stream: stream-hours, data
// in (each record rounded up to 1 KiB), data out per shared consumer, EFO
// retrieval and retention, and warns when the peak exceeds what on-demand
// absorbs without throttling (a new stream starts at 4 MB/s write and
// takes up to 2× its previous 30-day peak).
func PlanKinesisOnDemand(w Workload, p *Prices) (KinesisPlan, error) {
	l, err := prepare(w, p)
	if err != nil {
		return KinesisPlan{}, err
	}
	return planOnDemand(l, p, true), nil
}

// planOnDemand prices l on demand; explain as for planProvisioned.
func planOnDemand(l kinesisLoad, p *Prices, explain bool) KinesisPlan {
	x := explainer{off: !explain}
	return onDemandWith(l, p, analyse(l, p, &x), &x)
}

func onDemandWith(l kinesisLoad, p *Prices, c capacity, x *explainer) KinesisPlan {
	kp := KinesisPlan{Mode: ModeOnDemand, Shards: c.shards, BindingLimit: c.binding, SizedBy: c.sizedBy,
		Utilization: c.util, Limits: c.limits, Skew: c.skew, Warnings: slices.Clone(c.warn)}
	k := &p.Kinesis
	secs, gb := p.secondsPerMonth(), p.gb()
	round := k.OnDemandRoundBytes.Value
	inBytes := l.avgRecords * secs * l.size.meanUnits(l.keyBytes, round) * round
	x.step("on-demand data in", "records/month × E[⌈(size + key) / 1KiB⌉] × 1KiB / GB", inBytes/gb, "GB",
		"%v × %v × %v / %v", l.avgRecords*secs, l.size.meanUnits(l.keyBytes, round), round, gb)
	outGB := l.avgBytes * secs / gb
	items := []LineItem{
		newItem("stream-hours", p.month(), "stream-hour", k.OnDemandStreamHourUSD.Value),
		newItem("data in (1 KiB rounding)", inBytes/gb, "GB", k.OnDemandIngestGBUSD.Value),
	}
	if l.shared > 0 {
		items = append(items, newItem(x.label("data out", "(%s)", units.Plural(int64(l.shared), "shared consumer")), float64(l.shared)*outGB, "GB", k.OnDemandRetrievalGBUSD.Value))
	}
	if l.efo > 0 {
		items = append(items, newItem(x.label("EFO data retrieval", "(%s)", units.Plural(int64(l.efo), "consumer")), float64(l.efo)*outGB, "GB", k.OnDemandEFORetrievalGBUSD.Value))
	}
	ext, long := retentionSplit(l.w)
	if ext > 0 {
		items = append(items, newItem("extended retention (24h-7d)", l.avgBytes*ext/gb, "GB-month", k.OnDemandExtendedRetentionGBUSD.Value))
	}
	if long > 0 {
		items = append(items, newItem("long-term retention (>7d)", l.avgBytes*long/gb, "GB-month", k.OnDemandLongTermRetentionGBUSD.Value))
	}
	kp.LineItems, kp.MonthlyUSD = items, total(items)

	kp.Explanation = x.e
	if x.off {
		return kp
	}
	initial, mult, maxW := k.OnDemandInitialWrite.Value, k.OnDemandPeakMultiplier.Value, k.OnDemandMaxWrite.Value
	maxR, maxStreams := k.OnDemandMaxRead.Value, int(k.OnDemandStreamsPerAccount.Value)
	read := l.peakBytes * float64(l.shared+l.efo)
	streams := max(ceilCount(l.peakBytes/maxW), ceilCount(read/maxR))
	if l.peakBytes > maxW {
		kp.Warnings = append(kp.Warnings, fmt.Sprintf("quota: on-demand peak write %s exceeds the per-stream maximum of %s (%s) — split the traffic over %s on-demand streams",
			units.SI(l.peakBytes, "B/s"), units.SI(maxW, "B/s"), p.Region, units.Int(int64(streams))))
	}
	if read > maxR {
		kp.Warnings = append(kp.Warnings, fmt.Sprintf("quota: on-demand peak read %s (%s consumers) exceeds the per-stream maximum of %s (%s) — split the traffic over %s on-demand streams",
			units.SI(read, "B/s"), units.Int(int64(l.shared+l.efo)), units.SI(maxR, "B/s"), p.Region, units.Int(int64(streams))))
	}
	if streams > maxStreams {
		kp.Warnings = append(kp.Warnings, fmt.Sprintf("quota: %s on-demand streams exceed the %s on-demand streams per account (default) — request a quota increase or use provisioned mode",
			units.Int(int64(streams)), units.Int(int64(maxStreams))))
	}
	if l.peakBytes > maxW {
		// covered above
	} else if l.peakBytes > initial {
		kp.Warnings = append(kp.Warnings, fmt.Sprintf("on-demand: peak write %v B/s exceeds a new stream's %v B/s; it absorbs %v× the previous 30-day peak, so ramp traffic up (or switch from provisioned) before the peak or expect ~15 minutes of throttling",
			num(math.Round(l.peakBytes)), num(initial), num(mult)))
	}
	if l.w.PeakFactor > mult {
		kp.Warnings = append(kp.Warnings, fmt.Sprintf("on-demand: peaks of %v× the average exceed the %v× of the previous 30-day peak it absorbs without throttling, unless such peaks recur within 30 days", num(l.w.PeakFactor), num(mult)))
	}
	return kp
}
