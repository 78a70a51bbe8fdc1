package model

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/streamcap/streamcap/model/units"
)

// Workload defaults, filled by Defaults. The planners use the same values.
const (
	// DefaultHeadroom is the highest utilisation of any limit a plan accepts
	// at peak: the 20 % margin absorbs per-second bursts, uneven hashing and
	// retries after throttling.
	DefaultHeadroom = 0.8
	// DefaultPeakFactor sizes for the average rate (no peak above it).
	DefaultPeakFactor = 1.0
	// DefaultRetention is the Kinesis default retention period.
	DefaultRetention = units.Duration(24 * time.Hour)
	// DefaultMaxRecordSize is the Kinesis default maximum record size.
	DefaultMaxRecordSize = units.MiB
	// DefaultKeyCount is the number of distinct partition keys.
	DefaultKeyCount = 10000
	// DefaultKeyLength is the partition key length in bytes.
	DefaultKeyLength = 16
	// DefaultPollInterval is how often a shared consumer polls each shard
	// (the Lambda and KCL default).
	DefaultPollInterval = units.Duration(time.Second)
	// DefaultLambdaBatchSize is the Lambda event source mapping's default.
	DefaultLambdaBatchSize = 100
	// DefaultLambdaParallelization is concurrent batches per shard.
	DefaultLambdaParallelization = 1
	// DefaultLambdaMemoryMB is the Lambda default function memory.
	DefaultLambdaMemoryMB = 128
	// DefaultLambdaDuration is the assumed billed run time of one batch.
	DefaultLambdaDuration = units.Duration(100 * time.Millisecond)
	// DefaultLambdaArch is the Lambda default architecture.
	DefaultLambdaArch = "x86_64"
	// DefaultTransferUtilization is the share of a link a bulk transfer uses.
	DefaultTransferUtilization = 0.8
	// DefaultTransferEfficiency is TCP/IP + TLS goodput over line rate.
	DefaultTransferEfficiency = 0.95
	// DefaultTransferLink is the link a transfer assumes when neither a
	// flag nor the scenario gives one: the course seed's 1 Gbps.
	DefaultTransferLink units.BitRate = 1e9
	// DefaultBenchTarget is the benchmark target when a bench block is given.
	DefaultBenchTarget = "embedded"
)

// Accepted ranges, checked by Validate.
const (
	// MaxRate is the highest write rate Validate accepts, in records/s.
	MaxRate = 1e9
	// MinMaxRecordSize and MaxMaxRecordSize bound max_record_size: the
	// range of Kinesis UpdateMaxRecordSize (1024–10240 KiB).
	MinMaxRecordSize = units.MiB
	MaxMaxRecordSize = 10 * units.MiB
	// MaxKeyCount bounds keys.count; the skew model evaluates every key.
	MaxKeyCount = 10_000_000
	// MaxKeyLength is the Kinesis partition key limit in bytes.
	MaxKeyLength = 256
	// MaxZipfS bounds the zipf exponent; above it one key takes ~all traffic.
	MaxZipfS = 10
	// MaxEFOConsumers is the Kinesis limit of registered EFO consumers.
	MaxEFOConsumers = 20
	// MinPollInterval is the fastest poll: 5 GetRecords calls/s per shard.
	MinPollInterval = units.Duration(200 * time.Millisecond)
	// MaxPollInterval is the slowest poll Validate accepts.
	MaxPollInterval = units.Duration(5 * time.Minute)
	// MinRetention and MaxRetention are the Kinesis retention bounds.
	MinRetention = units.Duration(24 * time.Hour)
	MaxRetention = units.Duration(8760 * time.Hour)
	// MaxCurrentShards bounds current_shards (5× the default account quota).
	MaxCurrentShards = 100_000
	// MaxPeakFactor bounds peak_factor.
	MaxPeakFactor = 100
)

// ErrInvalidWorkload is wrapped by every FieldError, so a caller can tell
// bad input (exit code 2) from other failures with errors.Is.
var ErrInvalidWorkload = errors.New("invalid workload")

// FieldError is one invalid workload field.
type FieldError struct {
	// Field is the YAML path of the field: "record_size.fixed",
	// "consumers[1].kind", "keys.distribution.s".
	Field string
	// Value is the offending value as the user would write it ("0B").
	Value string
	// Reason says what is wrong, naming the accepted range in words:
	// "must be between 1B and 1048560B".
	Reason string
	// Accepted is the accepted range in compact form for programs:
	// "1B..1048560B", "shared|efo".
	Accepted string
}

// Error renders `record_size.fixed "0B": must be between 1B and 1048560B`.
func (e *FieldError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Field, units.Quote(e.Value), e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalidWorkload) true.
func (e *FieldError) Unwrap() error { return ErrInvalidWorkload }

// FieldErrors is every problem Validate found, in field order.
type FieldErrors []*FieldError

// Error renders one problem per line.
func (es FieldErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes each FieldError to errors.Is and errors.As.
func (es FieldErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Defaults fills every zero field that has a default (see the Default…
// constants) and infers record_size.kind from the fields set: fixed when
// Fixed is set, uniform when Min or Max is, weighted when Weighted is.
// It is idempotent and never overwrites a value already set.
func (w *Workload) Defaults() {
	if w.Headroom == 0 {
		w.Headroom = DefaultHeadroom
	}
	if w.PeakFactor == 0 {
		w.PeakFactor = DefaultPeakFactor
	}
	if w.Retention == 0 {
		w.Retention = DefaultRetention
	}
	if w.MaxRecordSize == 0 {
		w.MaxRecordSize = DefaultMaxRecordSize
	}
	if w.Keys.Count == 0 {
		w.Keys.Count = DefaultKeyCount
	}
	if w.Keys.Length == 0 {
		w.Keys.Length = DefaultKeyLength
	}
	if w.Keys.Distribution.Kind == "" {
		w.Keys.Distribution.Kind = KeysUniform
	}
	if rs := &w.RecordSize; rs.Kind == "" {
		switch {
		case rs.Fixed != 0:
			rs.Kind = SizeFixed
		case rs.Min != 0 || rs.Max != 0:
			rs.Kind = SizeUniform
		case len(rs.Weighted) > 0:
			rs.Kind = SizeWeighted
		}
	}
	for i := range w.Consumers {
		c := &w.Consumers[i]
		if c.Kind == "" {
			c.Kind = ConsumerShared
		}
		if c.Kind == ConsumerShared && c.PollInterval == 0 {
			c.PollInterval = DefaultPollInterval
		}
		if l := c.Lambda; l != nil {
			if l.BatchSize == 0 {
				l.BatchSize = DefaultLambdaBatchSize
			}
			if l.ParallelizationFactor == 0 {
				l.ParallelizationFactor = DefaultLambdaParallelization
			}
			if l.MemoryMB == 0 {
				l.MemoryMB = DefaultLambdaMemoryMB
			}
			if l.DurationPerBatch == 0 {
				l.DurationPerBatch = DefaultLambdaDuration
			}
			if l.Arch == "" {
				l.Arch = DefaultLambdaArch
			}
		}
	}
	if t := w.Transfer; t != nil {
		if t.Utilization == 0 {
			t.Utilization = DefaultTransferUtilization
		}
		if t.Efficiency == 0 {
			t.Efficiency = DefaultTransferEfficiency
		}
	}
	if b := w.Bench; b != nil && b.Target == "" {
		b.Target = DefaultBenchTarget
	}
}

// Validate checks every field against its accepted range and returns all
// problems as FieldErrors (nil when the workload is valid). Call Defaults
// first: a zero field that has a default is reported as out of range.
func (w *Workload) Validate() error {
	var v workloadValidator
	v.workload(w)
	if len(v.errs) == 0 {
		return nil
	}
	return v.errs
}

// workloadValidator collects FieldErrors.
type workloadValidator struct{ errs FieldErrors }

func (v *workloadValidator) add(field string, value any, accepted, reason string, args ...any) {
	v.errs = append(v.errs, &FieldError{
		Field:    field,
		Value:    fmt.Sprint(value),
		Reason:   fmt.Sprintf(reason, args...),
		Accepted: accepted,
	})
}

// validBetween reports whether lo ≤ x ≤ hi (false for NaN).
func validBetween(x, lo, hi float64) bool { return x >= lo && x <= hi }

// validFraction reports whether 0 < x ≤ 1 (false for NaN).
func validFraction(x float64) bool { return x > 0 && x <= 1 }

func (v *workloadValidator) workload(w *Workload) {
	if !(w.Rate > 0 && w.Rate <= MaxRate) {
		v.add("rate", w.Rate, "(0/s, 1000M/s]", "must be more than 0/s and at most 1G/s (1000M/s; records per second, e.g. 3000/s)")
	}
	if w.MaxRecordSize < MinMaxRecordSize || w.MaxRecordSize > MaxMaxRecordSize {
		v.add("max_record_size", w.MaxRecordSize, fmt.Sprintf("%s..%s", MinMaxRecordSize, MaxMaxRecordSize),
			"must be between %s and %s (the Kinesis UpdateMaxRecordSize range)", MinMaxRecordSize, MaxMaxRecordSize)
	}
	v.keys(&w.Keys)
	v.recordSize(w)
	v.consumers(w.Consumers)
	if w.Retention < MinRetention || w.Retention > MaxRetention {
		v.add("retention", w.Retention, "24h..365d", "must be between 24h and 365d (8760h)")
	}
	if !validBetween(w.PeakFactor, 1, MaxPeakFactor) {
		v.add("peak_factor", w.PeakFactor, "1..100", "must be between 1 and 100 (peak rate ÷ average rate)")
	}
	if !validFraction(w.Headroom) {
		v.add("headroom", w.Headroom, "(0,1]", "must be more than 0 and at most 1 (highest utilisation of any limit to plan for)")
	}
	if w.CurrentShards < 0 || w.CurrentShards > MaxCurrentShards {
		v.add("current_shards", w.CurrentShards, "0..100000", "must be between 0 (no stream yet) and %d open shards", MaxCurrentShards)
	}
	if r := w.Replay; r != nil {
		if r.Backlog < 0 || r.Backlog > w.Retention {
			v.add("replay.backlog", r.Backlog, "0s..retention", "must be between 0s (the whole retention) and the retention (%s)", w.Retention)
		}
		if r.Within < 0 || r.Within > MaxRetention {
			v.add("replay.within", r.Within, "0s..365d", "must be between 0s (no target) and 365d")
		}
	}
	if t := w.Transfer; t != nil {
		v.transfer(t)
	}
	if s := w.SLO; s != nil {
		v.slo(s)
	}
	if b := w.Bench; b != nil {
		v.bench(b)
	}
	if p := w.Pipeline; p != nil {
		pipelineRanges(*p, func(field string, value any, accepted string) {
			v.add("pipeline."+field, value, accepted, "must be %s", accepted)
		})
	}
}

func (v *workloadValidator) keys(k *KeySpec) {
	if k.Count < 1 || k.Count > MaxKeyCount {
		v.add("keys.count", k.Count, "1..10000000", "must be between 1 and %d", MaxKeyCount)
	}
	if k.Length < 1 || k.Length > MaxKeyLength {
		v.add("keys.length", k.Length, "1..256", "must be between 1 and %d (bytes of a Kinesis partition key)", MaxKeyLength)
	}
	d := &k.Distribution
	const p = "keys.distribution."
	switch d.Kind {
	case KeysUniform, KeysZipf, KeysHot, KeysRandom:
	default:
		v.add(p+"kind", d.Kind, "uniform|zipf|hot|random", "must be one of uniform, zipf, hot, random")
	}
	if d.Kind == KeysZipf {
		if !(d.S > 0 && d.S <= MaxZipfS) {
			v.add(p+"s", d.S, "(0,10]", "must be more than 0 and at most %d (zipf exponent: key k gets weight 1/k^s)", MaxZipfS)
		}
	} else if d.S != 0 {
		v.add(p+"s", d.S, "unset", "must be unset unless kind is zipf (kind is %q)", d.Kind)
	}
	if d.Kind == KeysHot {
		if !validFraction(d.HotFraction) {
			v.add(p+"hot_fraction", d.HotFraction, "(0,1]", "must be more than 0 and at most 1 (share of traffic on the hot keys)")
		}
		if d.HotKeys < 1 || d.HotKeys > k.Count-1 {
			v.add(p+"hot_keys", d.HotKeys, fmt.Sprintf("1..%d", k.Count-1),
				"must be between 1 and keys.count − 1 (%d)", k.Count-1)
		}
	} else {
		if d.HotFraction != 0 {
			v.add(p+"hot_fraction", d.HotFraction, "unset", "must be unset unless kind is hot (kind is %q)", d.Kind)
		}
		if d.HotKeys != 0 {
			v.add(p+"hot_keys", d.HotKeys, "unset", "must be unset unless kind is hot (kind is %q)", d.Kind)
		}
	}
}

// recordSize checks the size distribution. Every size must fit the stream's
// max record size less the partition key, which counts toward the limit.
func (v *workloadValidator) recordSize(w *Workload) {
	rs := &w.RecordSize
	limit := w.MaxRecordSize - units.Bytes(w.Keys.Length)
	if limit < 1 {
		limit = 1
	}
	acc := fmt.Sprintf("1B..%s", limit)
	checkSize := func(field string, b units.Bytes) {
		if b < 1 || b > limit {
			v.add(field, b, acc, "must be between 1B and %s (max_record_size %s less the %dB partition key)",
				limit, w.MaxRecordSize, w.Keys.Length)
		}
	}
	unset := func(field string, set bool, value any) {
		if set {
			v.add(field, value, "unset", "must be unset when record_size.kind is %q", rs.Kind)
		}
	}
	switch rs.Kind {
	case SizeFixed:
		checkSize("record_size.fixed", rs.Fixed)
		unset("record_size.min", rs.Min != 0, rs.Min)
		unset("record_size.max", rs.Max != 0, rs.Max)
		unset("record_size.weighted", len(rs.Weighted) > 0, fmt.Sprintf("%d sizes", len(rs.Weighted)))
	case SizeUniform:
		checkSize("record_size.min", rs.Min)
		checkSize("record_size.max", rs.Max)
		if rs.Max < rs.Min {
			v.add("record_size.max", rs.Max, ">= "+rs.Min.String(), "must be at least record_size.min (%s)", rs.Min)
		}
		unset("record_size.fixed", rs.Fixed != 0, rs.Fixed)
		unset("record_size.weighted", len(rs.Weighted) > 0, fmt.Sprintf("%d sizes", len(rs.Weighted)))
	case SizeWeighted:
		if len(rs.Weighted) == 0 {
			v.add("record_size.weighted", "[]", "1+ sizes", "must list at least one {size, weight}")
		}
		var sum float64
		for i, ws := range rs.Weighted {
			checkSize(fmt.Sprintf("record_size.weighted[%d].size", i), ws.Size)
			if !(ws.Weight >= 0 && ws.Weight <= 1e12) {
				v.add(fmt.Sprintf("record_size.weighted[%d].weight", i), ws.Weight, "0..1e12",
					"must be between 0 and 1e12 (a relative weight)")
				continue
			}
			sum += ws.Weight
		}
		if len(rs.Weighted) > 0 && !(sum > 0) {
			v.add("record_size.weighted", fmt.Sprintf("weights sum %g", sum), "sum > 0", "must have weights with a positive sum")
		}
		unset("record_size.fixed", rs.Fixed != 0, rs.Fixed)
		unset("record_size.min", rs.Min != 0, rs.Min)
		unset("record_size.max", rs.Max != 0, rs.Max)
	case "":
		v.add("record_size", "", "size or distribution",
			"must be set: a size such as 1KB, {min: 100B, max: 2KB} or {weighted: [{size: 200B, weight: 3}]}")
	default:
		v.add("record_size.kind", rs.Kind, "fixed|uniform|weighted", "must be one of fixed, uniform, weighted")
	}
}

func (v *workloadValidator) consumers(cs []Consumer) {
	efo := 0
	seen := make(map[string]int, len(cs))
	for i := range cs {
		c := &cs[i]
		p := fmt.Sprintf("consumers[%d].", i)
		switch {
		case strings.TrimSpace(c.Name) == "":
			v.add(p+"name", c.Name, "non-empty, unique", "must be a non-empty name")
		case seen[c.Name] > 0:
			v.add(p+"name", c.Name, "unique", "must be unique (consumers[%d] has the same name)", seen[c.Name]-1)
		default:
			seen[c.Name] = i + 1
		}
		switch c.Kind {
		case ConsumerShared:
			if c.PollInterval < MinPollInterval || c.PollInterval > MaxPollInterval {
				v.add(p+"poll_interval", c.PollInterval, "200ms..5m",
					"must be between 200ms and 5m (a shard serves 5 GetRecords calls/s)")
			}
		case ConsumerEFO:
			efo++
			if c.PollInterval != 0 {
				v.add(p+"poll_interval", c.PollInterval, "unset", "must be unset for an efo consumer (records are pushed)")
			}
		default:
			v.add(p+"kind", c.Kind, "shared|efo", "must be one of shared, efo")
		}
		if l := c.Lambda; l != nil {
			v.lambda(p+"lambda.", l)
		}
	}
	if efo > MaxEFOConsumers {
		v.add("consumers", fmt.Sprintf("%d efo consumers", efo), "0..20 efo",
			"must have at most %d efo consumers (the Kinesis per-stream limit)", MaxEFOConsumers)
	}
}

func (v *workloadValidator) lambda(p string, l *LambdaConsumer) {
	if l.BatchSize < 1 || l.BatchSize > 10000 {
		v.add(p+"batch_size", l.BatchSize, "1..10000", "must be between 1 and 10000 records")
	}
	if l.BatchingWindow < 0 || l.BatchingWindow > units.Duration(300*time.Second) {
		v.add(p+"batching_window", l.BatchingWindow, "0s..5m", "must be between 0s and 5m (300s)")
	}
	if l.ParallelizationFactor < 1 || l.ParallelizationFactor > 10 {
		v.add(p+"parallelization_factor", l.ParallelizationFactor, "1..10", "must be between 1 and 10 concurrent batches per shard")
	}
	if l.MemoryMB < 128 || l.MemoryMB > 10240 {
		v.add(p+"memory_mb", l.MemoryMB, "128..10240", "must be between 128 and 10240 MB")
	}
	if l.DurationPerBatch <= 0 || l.DurationPerBatch > units.Duration(15*time.Minute) {
		v.add(p+"duration_per_batch", l.DurationPerBatch, "(0s,15m]", "must be more than 0s and at most 15m (the Lambda timeout limit)")
	}
	if l.Arch != "x86_64" && l.Arch != "arm64" {
		v.add(p+"arch", l.Arch, "x86_64|arm64", "must be one of x86_64, arm64")
	}
}

func (v *workloadValidator) transfer(t *Transfer) {
	if t.Data <= 0 {
		v.add("transfer.data", t.Data, "> 0B", "must be more than 0B (e.g. 80TB)")
	}
	if !(t.Link > 0) || math.IsInf(float64(t.Link), 0) {
		v.add("transfer.link", t.Link, "> 0bps", "must be more than 0bps (a line rate such as 1Gbps)")
	}
	if !validFraction(t.Utilization) {
		v.add("transfer.utilization", t.Utilization, "(0,1]", "must be more than 0 and at most 1 (share of the link used)")
	}
	if !validFraction(t.Efficiency) {
		v.add("transfer.efficiency", t.Efficiency, "(0,1]", "must be more than 0 and at most 1 (goodput ÷ line rate)")
	}
	if t.Devices < 0 {
		v.add("transfer.devices", t.Devices, ">= 0", "must be 0 (as many as needed) or more")
	}
}

func (v *workloadValidator) slo(s *SLO) {
	if s.PublishP99 < 0 {
		v.add("slo.publish_p99", s.PublishP99, ">= 0s", "must be 0s (unset) or more")
	}
	if s.E2EP99 < 0 {
		v.add("slo.e2e_p99", s.E2EP99, ">= 0s", "must be 0s (unset) or more")
	}
	if !validBetween(s.MaxErrorRate, 0, 1) {
		v.add("slo.max_error_rate", s.MaxErrorRate, "0..1", "must be between 0 and 1 (failed ÷ attempted sends)")
	}
}

func (v *workloadValidator) bench(b *BenchSpec) {
	switch b.Target {
	case "embedded", "kinesis", "kafka":
	default:
		v.add("bench.target", b.Target, "embedded|kinesis|kafka", "must be one of embedded, kinesis, kafka")
	}
	if b.Duration < 0 {
		v.add("bench.duration", b.Duration, ">= 0s", "must be 0s (the default) or more")
	}
	if b.Warmup < 0 {
		v.add("bench.warmup", b.Warmup, ">= 0s", "must be 0s or more")
	}
	if b.Shards < 0 {
		v.add("bench.shards", b.Shards, ">= 0", "must be 0 (the plan's count) or more")
	}
	if b.MaxInflight < 0 {
		v.add("bench.max_inflight", b.MaxInflight, ">= 0", "must be 0 (the default) or more")
	}
}
