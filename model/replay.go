package model

import (
	"fmt"
	"math"
	"time"

	"github.com/streamcap/streamcap/model/units"
)

// ReplaySpec is the replay a scenario plans for: how much history to read
// again and how soon it must be done.
type ReplaySpec struct {
	// Backlog is how much history a replay reads (default: the whole
	// retention period, "from day zero").
	Backlog units.Duration `json:"backlog,omitempty" yaml:"backlog,omitempty"`
	// Within is the time a replay must finish in (0: no target).
	Within units.Duration `json:"within,omitempty" yaml:"within,omitempty"`
}

// Replay is one consumer re-reading the stream's history while live
// traffic continues, on the planned provisioned stream.
//
// A shared (GetRecords) consumer replaying shares each shard's 2 MiB/s
// and 5 calls/s with the other shared consumers, which keep reading live
// traffic; each call returns at most 10000 records and 10 MiB, and after a
// 10 MiB call the shard refuses calls for 5 s, so a shard never yields
// more than 2 MiB/s to one reader. An enhanced fan-out (EFO) consumer has
// 2 MiB/s per shard of its own. Reading oldest first, a consumer catches
// up in backlog ÷ (read − write): its read position moves through the
// data read/write seconds of data per second while the expiry front moves
// one, so nothing expires when read > write; when read ≤ write it never
// catches up and, once its position reaches the retention edge, data
// expires unread at write − read bytes/s.
type Replay struct {
	// BacklogSeconds is the history replayed (retention or --backlog).
	BacklogSeconds float64 `json:"backlog_seconds"`
	// BacklogBytes and BacklogRecords are held in that history at the
	// average rate (data + partition key).
	BacklogBytes   float64 `json:"backlog_bytes"`
	BacklogRecords float64 `json:"backlog_records"`
	// OldestLeftSeconds is how long the oldest replayed record has before
	// it expires (retention − backlog; 0 for a full-retention backlog).
	OldestLeftSeconds float64 `json:"oldest_left_seconds"`
	// WriteBytesPerSecond is the live traffic the replay must outrun.
	WriteBytesPerSecond float64 `json:"write_bytes_per_second"`
	// SharedReadBytesPerSecond and EFOReadBytesPerSecond are what one
	// replaying consumer reads from the whole stream.
	SharedReadBytesPerSecond float64 `json:"shared_read_bytes_per_second"`
	EFOReadBytesPerSecond    float64 `json:"efo_read_bytes_per_second"`
	// SharedBoundBy names what limits the shared replay: read_bytes
	// (2 MiB/s per shard less the other consumers' live reads), read_calls
	// (calls left × per-call cap) or getrecords_10mib (the 5 s pause after
	// a 10 MiB call).
	SharedBoundBy string `json:"shared_bound_by"`
	// SharedSeconds and EFOSeconds are the catch-up times, backlog ÷
	// (read − write); -1 when read ≤ write (never catches up).
	SharedSeconds float64 `json:"shared_seconds"`
	EFOSeconds    float64 `json:"efo_seconds"`
	// FitsRetention is true when both replays catch up before any of the
	// backlog expires; SharedFits and EFOFits per path.
	FitsRetention bool `json:"fits_retention"`
	SharedFits    bool `json:"shared_fits"`
	EFOFits       bool `json:"efo_fits"`
	// ExpiresBytesPerDay is how much data expires unread each day once a
	// replay that cannot catch up reaches the retention edge (shared path
	// first, else EFO; 0 when both fit).
	ExpiresBytesPerDay float64 `json:"expires_bytes_per_day"`
	// RetrievalUSD is the long-term-retention retrieval of one replay
	// (backlog older than 7 days × price per GB), paid by either path.
	RetrievalUSD float64 `json:"retrieval_usd"`
	// SharedUSD and EFOUSD are the whole cost of one replay on each path:
	// shared pays only RetrievalUSD; a new EFO consumer also pays EFO
	// retrieval per GB and consumer-shard-hours while it catches up.
	SharedUSD float64 `json:"shared_usd"`
	EFOUSD    float64 `json:"efo_usd"`
	// WithinSeconds is the target (0: none); ShardsForShared the shards a
	// shared replay needs to finish within it (-1: no count does, the
	// other consumers use every GetRecords call); EFOConsumersNeeded the EFO
	// consumers that finish within it at the planned shards, each reading
	// a time slice of the backlog.
	WithinSeconds      float64     `json:"within_seconds,omitempty"`
	ShardsForShared    int         `json:"shards_for_shared,omitempty"`
	EFOConsumersNeeded int         `json:"efo_consumers_needed,omitempty"`
	Warnings           []string    `json:"warnings,omitempty"`
	Explanation        Explanation `json:"explanation"`
}

// planReplay models one replay of l's history on n shards.
func planReplay(l kinesisLoad, p *Prices, n int) *Replay {
	k := &p.Kinesis
	x := explainer{}
	ret := l.w.Retention.Seconds()
	b := ret
	var spec ReplaySpec
	if l.w.Replay != nil {
		spec = *l.w.Replay
	}
	if spec.Backlog > 0 {
		b = min(ret, spec.Backlog.Seconds())
	}
	N := float64(n)
	r := &Replay{BacklogSeconds: b, OldestLeftSeconds: ret - b, WriteBytesPerSecond: l.avgBytes}
	x.in("backlog", "%v of history (%v)", units.Duration(b*1e9), map[bool]string{true: "the whole retention", false: "--backlog"}[b == ret])
	x.in("live traffic", "the average rate keeps arriving during the replay")
	r.BacklogBytes = x.step("backlog_bytes", "average bytes/s × backlog", l.avgBytes*b, "B", "%v × %v", l.avgBytes, b)
	r.BacklogRecords = x.step("backlog_records", "average records/s × backlog", l.avgRecords*b, "records", "%v × %v", l.avgRecords, b)

	rb, rc, eb := k.ShardReadBytes.Value, k.ShardReadCalls.Value, k.EFOReadBytes.Value
	gmr, gmb := k.GetRecordsMaxRecords.Value, k.GetRecordsMaxBytes.Value
	others, othersCalls := l.shared-1, l.callsShard-1/l.maxPollOr1()
	if l.shared == 0 {
		others, othersCalls = 0, 0
	}
	w := l.avgBytes
	perShardBytes := x.step("shared read bytes left per shard", "read_bytes per shard − other shared consumers × write bytes/s ÷ shards", rb-float64(others)*w/N, "B/s",
		"%v − %v × %v / %v", rb, float64(others), w, N)
	callsLeft := x.step("shared calls left per shard", "read_calls per shard − other shared consumers' Σ 1/poll", rc-othersCalls, "calls/s", "%v − %v", rc, othersCalls)
	perCall := min(gmb, gmr*l.recBytes)
	callBytes := x.step("shared bytes per shard by calls", "calls left × min(10 MiB, 10000 records × record_bytes)", max(0, callsLeft)*perCall, "B/s", "%v × min(%v, %v × %v)", max(0, callsLeft), gmb, gmr, l.recBytes)
	burst := gmb / 5 // after a 10 MiB call, no call for 5 s
	per, bound := perShardBytes, "read_bytes"
	if callBytes < per {
		per, bound = callBytes, "read_calls"
	}
	if burst < per {
		per, bound = burst, "getrecords_10mib"
	}
	per = max(0, per)
	r.SharedBoundBy = bound
	r.SharedReadBytesPerSecond = x.step("shared replay read", "shards × min(bytes left, bytes by calls, 10 MiB per 5 s)", N*per, "B/s", "%v × %v (%v binds)", N, per, bound)
	r.EFOReadBytesPerSecond = x.step("EFO replay read", "shards × efo_read per shard", N*eb, "B/s", "%v × %v", N, eb)
	catchUp := func(read float64) float64 {
		if read <= w {
			return -1
		}
		return r.BacklogBytes / (read - w)
	}
	r.SharedSeconds = catchUp(r.SharedReadBytesPerSecond)
	r.EFOSeconds = catchUp(r.EFOReadBytesPerSecond)
	x.step("shared_seconds", "backlog_bytes ÷ (shared replay read − write bytes/s); -1 = never", r.SharedSeconds, "s", "%v / (%v − %v)", r.BacklogBytes, r.SharedReadBytesPerSecond, w)
	x.step("efo_seconds", "backlog_bytes ÷ (EFO replay read − write bytes/s); -1 = never", r.EFOSeconds, "s", "%v / (%v − %v)", r.BacklogBytes, r.EFOReadBytesPerSecond, w)
	r.SharedFits, r.EFOFits = r.SharedSeconds >= 0, r.EFOSeconds >= 0
	r.FitsRetention = r.SharedFits && r.EFOFits
	x.step("retention cliff", "reading oldest first, the read position moves read/write seconds of data per second and the expiry front one: nothing expires when read > write", boolNum(r.FitsRetention), "",
		"shared %v, EFO %v (1 = fits)", boolNum(r.SharedFits), boolNum(r.EFOFits))
	for _, c := range []struct {
		name       string
		fits       bool
		read, secs float64
	}{{"shared (GetRecords)", r.SharedFits, r.SharedReadBytesPerSecond, r.SharedSeconds}, {"enhanced fan-out", r.EFOFits, r.EFOReadBytesPerSecond, r.EFOSeconds}} {
		if c.fits {
			continue
		}
		lost := (w - c.read) * 86400
		if r.ExpiresBytesPerDay == 0 {
			r.ExpiresBytesPerDay = lost
		}
		cliff := "at once (the oldest record is at the retention edge)"
		if r.OldestLeftSeconds > 0 && c.read < w {
			cliff = fmt.Sprintf("after %v", units.Duration(time.Duration(r.OldestLeftSeconds/(1-c.read/w)*1e9)))
		} else if r.OldestLeftSeconds > 0 {
			cliff = "never while read = write, but it never catches up"
		}
		r.Warnings = append(r.Warnings, fmt.Sprintf("replay: a %s consumer reads %s B/s against %s B/s written: it never catches up, and data expires unread %s at %s B/day (%s GB/day) — add shards or replay with enhanced fan-out",
			c.name, num(math.Round(c.read)), num(math.Round(w)), cliff, num(math.Round(lost)), num(round3(lost/p.gb()))))
	}

	gb := p.gb()
	week := (7 * 24 * time.Hour).Seconds()
	oldGB := w * max(0, b-week) / gb
	r.RetrievalUSD = x.step("long-term retrieval", "average bytes/s × (backlog − 7d) ÷ GB × price (data older than 7 days)", oldGB*k.LongTermRetrievalGBUSD.Value, "USD",
		"%v × %v / %v × %v", w, max(0, b-week), gb, k.LongTermRetrievalGBUSD.Value)
	r.SharedUSD = r.RetrievalUSD
	if r.EFOSeconds >= 0 {
		efoGB := r.BacklogBytes / gb
		hours := N * r.EFOSeconds / 3600
		r.EFOUSD = x.step("EFO replay cost", "long-term retrieval + backlog GB × EFO retrieval + shards × catch-up hours × consumer-shard-hour", r.RetrievalUSD+efoGB*k.EFORetrievalGBUSD.Value+hours*k.EFOConsumerShardHourUSD.Value, "USD",
			"%v + %v × %v + %v × %v", r.RetrievalUSD, efoGB, k.EFORetrievalGBUSD.Value, hours, k.EFOConsumerShardHourUSD.Value)
	}

	if spec.Within > 0 {
		T := spec.Within.Seconds()
		r.WithinSeconds = T
		need := r.BacklogBytes/T + w // read rate that catches up within T
		// Shared: N·rb − others·w ≥ need and N·callsLeft·perCall ≥ need, and 10 MiB/5 s per shard.
		byBytes := (need + float64(others)*w) / min(rb, burst)
		byCalls := math.Inf(1)
		if callsLeft > 0 {
			byCalls = need / (callsLeft * perCall)
		}
		if callsLeft > 0 {
			r.ShardsForShared = max(n, ceilCount(max(byBytes, byCalls)))
		} else {
			r.ShardsForShared = -1 // calls/s are per shard: no count frees one
		}
		x.step("shards for a shared replay within target", "max((backlog_bytes/within + write + others × write) / min(read_bytes, 10 MiB/5 s), (backlog_bytes/within + write) / (calls left × per call))",
			float64(r.ShardsForShared), "shards", "max(%v, %v)", byBytes, byCalls)
		// EFO: k consumers each replay a time slice of backlog/k; the
		// last also catches up: k × N × eb ≥ backlog/T + w.
		r.EFOConsumersNeeded = max(1, ceilCount(need/(N*eb)))
		x.step("EFO consumers for a replay within target", "⌈(backlog_bytes/within + write) / (shards × efo_read)⌉ (each reads a time slice from its own AT_TIMESTAMP iterator)",
			float64(r.EFOConsumersNeeded), "consumers", "⌈(%v / %v + %v) / (%v × %v)⌉", r.BacklogBytes, T, w, N, eb)
		if max := int(k.EFOMaxConsumers.Value); r.EFOConsumersNeeded+l.efo > max {
			r.Warnings = append(r.Warnings, fmt.Sprintf("replay within %v: %d EFO consumers plus the %d registered exceed the %d per stream — add shards (%d let a shared replay finish in time)",
				spec.Within, r.EFOConsumersNeeded, l.efo, max, r.ShardsForShared))
		}
	}
	r.Explanation = x.e
	return r
}

// maxPollOr1 returns the poll interval of the shared consumer that
// replays — the one polling least often, whose calls are freed for the
// replay while the others keep theirs — or 1 s when there is none.
func (l kinesisLoad) maxPollOr1() float64 {
	if l.maxPoll > 0 {
		return l.maxPoll
	}
	return 1
}

func boolNum(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
