package model

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/streamcap/streamcap/model/units"
)

// validWorkload sets every optional block so each rule can be broken alone.
func validWorkload() Workload {
	w := Workload{
		Name:       "v",
		Rate:       3000,
		RecordSize: SizeDist{Fixed: units.KB},
		Consumers: []Consumer{
			{Name: "lambda", Lambda: &LambdaConsumer{}},
			{Name: "fanout", Kind: ConsumerEFO},
		},
		Transfer: &Transfer{Data: 80 * units.TB, Link: 1e9},
		SLO:      &SLO{PublishP99: units.Duration(50 * time.Millisecond), MaxErrorRate: 0.001},
		Bench:    &BenchSpec{Duration: units.Duration(time.Minute)},
	}
	w.Defaults()
	return w
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	w := Workload{
		Rate:       1,
		RecordSize: SizeDist{Min: 1, Max: 2},
		Consumers:  []Consumer{{Name: "a", Lambda: &LambdaConsumer{}}, {Name: "b", Kind: ConsumerEFO}},
		Transfer:   &Transfer{},
		Bench:      &BenchSpec{},
	}
	w.Defaults()
	want := Workload{
		Rate:          1,
		RecordSize:    SizeDist{Kind: SizeUniform, Min: 1, Max: 2},
		Keys:          KeySpec{Count: 10000, Length: 16, Distribution: KeyDist{Kind: KeysUniform}},
		Retention:     units.Duration(24 * time.Hour),
		PeakFactor:    1,
		Headroom:      0.8,
		MaxRecordSize: 1 << 20,
		Consumers: []Consumer{
			{Name: "a", Kind: ConsumerShared, PollInterval: units.Duration(time.Second), Lambda: &LambdaConsumer{
				BatchSize: 100, ParallelizationFactor: 1, MemoryMB: 128,
				DurationPerBatch: units.Duration(100 * time.Millisecond), Arch: "x86_64",
			}},
			// EFO consumers are pushed records: no poll interval.
			{Name: "b", Kind: ConsumerEFO},
		},
		Transfer: &Transfer{Utilization: 0.8, Efficiency: 0.95},
		Bench:    &BenchSpec{Target: "embedded"},
	}
	if !reflect.DeepEqual(w, want) {
		t.Fatalf("Defaults:\n got %+v\nwant %+v", w, want)
	}
	again := w
	again.Defaults()
	if !reflect.DeepEqual(again, want) {
		t.Fatal("Defaults is not idempotent")
	}

	kinds := []struct {
		in   SizeDist
		want SizeKind
	}{
		{SizeDist{Fixed: 5}, SizeFixed},
		{SizeDist{Max: 5}, SizeUniform},
		{SizeDist{Weighted: []WeightedSize{{Size: 1, Weight: 1}}}, SizeWeighted},
		{SizeDist{Kind: SizeWeighted, Fixed: 5}, SizeWeighted}, // an explicit kind is kept
		{SizeDist{}, ""},
	}
	for _, k := range kinds {
		w := Workload{RecordSize: k.in}
		w.Defaults()
		if w.RecordSize.Kind != k.want {
			t.Errorf("Defaults(%+v).Kind = %q, want %q", k.in, w.RecordSize.Kind, k.want)
		}
	}
}

func TestValidateAcceptsValid(t *testing.T) {
	t.Parallel()
	w := validWorkload()
	if err := w.Validate(); err != nil {
		t.Fatalf("Validate(valid) = %v", err)
	}
	// Boundaries are inclusive where the range says so.
	w.Rate, w.Headroom, w.PeakFactor = 1e9, 1, 100
	w.Retention, w.MaxRecordSize = MaxRetention, 10*units.MiB
	w.RecordSize = SizeDist{Kind: SizeUniform, Min: 1, Max: 10*units.MiB - 256}
	w.Keys = KeySpec{Count: 2, Length: 256, Distribution: KeyDist{Kind: KeysHot, HotFraction: 1, HotKeys: 1}}
	w.Consumers[0].PollInterval = MinPollInterval
	*w.Consumers[0].Lambda = LambdaConsumer{BatchSize: 10000, BatchingWindow: units.Duration(300 * time.Second),
		ParallelizationFactor: 10, MemoryMB: 10240, DurationPerBatch: units.Duration(15 * time.Minute), Arch: "arm64"}
	w.SLO.MaxErrorRate = 1
	if err := w.Validate(); err != nil {
		t.Fatalf("Validate(boundaries) = %v", err)
	}
}

// TestValidateRules breaks one rule per case and checks the exact message:
// field path, value and the accepted range in words.
func TestValidateRules(t *testing.T) {
	t.Parallel()
	efo := func(n int) []Consumer {
		cs := make([]Consumer, n)
		for i := range cs {
			cs[i] = Consumer{Name: string(rune('a' + i)), Kind: ConsumerEFO}
		}
		return cs
	}
	tests := []struct {
		name  string
		edit  func(w *Workload)
		wants []string
	}{
		{"pipeline out of range", func(w *Workload) {
			w.Pipeline = &PipelineOptions{}
			w.Pipeline.Flink.KPU = -3
			w.Pipeline.PubSub.BatchMessages = 1001
			w.Pipeline.PubSub.Publishers = -1
		}, []string{`pipeline.flink.kpu "-3": must be between 1 and 10000 (0 = sized from throughput)`,
			`pipeline.pubsub.batch_messages "1001": must be between 1 and 1000 (0 = client default 100)`,
			`pipeline.pubsub.publishers "-1": must be >= 1 (0 = one publisher)`}},
		{"rate zero", func(w *Workload) { w.Rate = 0 },
			[]string{`rate "0/s": must be more than 0/s and at most 1G/s (1000M/s; records per second, e.g. 3000/s)`}},
		{"rate too high", func(w *Workload) { w.Rate = 2e9 },
			[]string{`rate "2000M/s": must be more than 0/s and at most 1G/s (1000M/s; records per second, e.g. 3000/s)`}},
		{"rate NaN", func(w *Workload) { w.Rate = units.EventRate(math.NaN()) },
			[]string{`rate "NaN/s": must be more than 0/s and at most 1G/s (1000M/s; records per second, e.g. 3000/s)`}},
		// 1KiB less the 16B key leaves 1008B, so the 1KB record still fits.
		{"max record size small", func(w *Workload) { w.MaxRecordSize = units.KiB },
			[]string{`max_record_size "1KiB": must be between 1MiB and 10MiB (the Kinesis UpdateMaxRecordSize range)`}},
		{"max record size large", func(w *Workload) { w.MaxRecordSize = 11 * units.MiB },
			[]string{`max_record_size "11MiB": must be between 1MiB and 10MiB (the Kinesis UpdateMaxRecordSize range)`}},
		{"fixed size zero", func(w *Workload) { w.RecordSize.Fixed = 0 },
			[]string{`record_size.fixed "0B": must be between 1B and 1048560B (max_record_size 1MiB less the 16B partition key)`}},
		{"fixed size over the limit with the key", func(w *Workload) { w.RecordSize.Fixed = units.MiB },
			// 1048576 − 16 = 1048560 B is the largest blob that fits.
			[]string{`record_size.fixed "1MiB": must be between 1B and 1048560B (max_record_size 1MiB less the 16B partition key)`}},
		{"fixed with min set", func(w *Workload) { w.RecordSize.Min = 5 },
			[]string{`record_size.min "5B": must be unset when record_size.kind is "fixed"`}},
		{"uniform max below min", func(w *Workload) { w.RecordSize = SizeDist{Kind: SizeUniform, Min: 2000, Max: 1000} },
			[]string{`record_size.max "1KB": must be at least record_size.min (2KB)`}},
		{"uniform min zero", func(w *Workload) { w.RecordSize = SizeDist{Kind: SizeUniform, Max: 1000} },
			[]string{`record_size.min "0B": must be between 1B and 1048560B (max_record_size 1MiB less the 16B partition key)`}},
		{"uniform with fixed", func(w *Workload) { w.RecordSize = SizeDist{Kind: SizeUniform, Fixed: 1, Min: 1, Max: 2} },
			[]string{`record_size.fixed "1B": must be unset when record_size.kind is "uniform"`}},
		{"weighted empty", func(w *Workload) { w.RecordSize = SizeDist{Kind: SizeWeighted} },
			[]string{`record_size.weighted "[]": must list at least one {size, weight}`}},
		{"weighted bad entries", func(w *Workload) {
			w.RecordSize = SizeDist{Kind: SizeWeighted, Weighted: []WeightedSize{{Size: 0, Weight: 1}, {Size: 100, Weight: -1}}}
		}, []string{
			`record_size.weighted[0].size "0B": must be between 1B and 1048560B (max_record_size 1MiB less the 16B partition key)`,
			`record_size.weighted[1].weight "-1": must be between 0 and 1e12 (a relative weight)`,
		}},
		{"weighted zero sum", func(w *Workload) {
			w.RecordSize = SizeDist{Kind: SizeWeighted, Weighted: []WeightedSize{{Size: 100, Weight: 0}}}
		}, []string{`record_size.weighted "weights sum 0": must have weights with a positive sum`}},
		{"record size unset", func(w *Workload) { w.RecordSize = SizeDist{} },
			[]string{`record_size "": must be set: a size such as 1KB, {min: 100B, max: 2KB} or {weighted: [{size: 200B, weight: 3}]}`}},
		{"record size kind", func(w *Workload) { w.RecordSize.Kind = "normal" },
			[]string{`record_size.kind "normal": must be one of fixed, uniform, weighted`}},
		{"keys count zero", func(w *Workload) { w.Keys.Count = 0 },
			[]string{`keys.count "0": must be between 1 and 10000000`}},
		{"keys count huge", func(w *Workload) { w.Keys.Count = 10_000_001 },
			[]string{`keys.count "10000001": must be between 1 and 10000000`}},
		{"key length", func(w *Workload) { w.Keys.Length = 257 },
			[]string{`keys.length "257": must be between 1 and 256 (bytes of a Kinesis partition key)`}},
		{"key distribution kind", func(w *Workload) { w.Keys.Distribution.Kind = "normal" },
			[]string{`keys.distribution.kind "normal": must be one of uniform, zipf, hot, random`}},
		{"zipf s zero", func(w *Workload) { w.Keys.Distribution = KeyDist{Kind: KeysZipf} },
			[]string{`keys.distribution.s "0": must be more than 0 and at most 10 (zipf exponent: key k gets weight 1/k^s)`}},
		{"zipf s large", func(w *Workload) { w.Keys.Distribution = KeyDist{Kind: KeysZipf, S: 11} },
			[]string{`keys.distribution.s "11": must be more than 0 and at most 10 (zipf exponent: key k gets weight 1/k^s)`}},
		{"s on uniform", func(w *Workload) { w.Keys.Distribution.S = 1.1 },
			[]string{`keys.distribution.s "1.1": must be unset unless kind is zipf (kind is "uniform")`}},
		{"hot fraction", func(w *Workload) { w.Keys.Distribution = KeyDist{Kind: KeysHot, HotFraction: 1.5, HotKeys: 3} },
			[]string{`keys.distribution.hot_fraction "1.5": must be more than 0 and at most 1 (share of traffic on the hot keys)`}},
		{"hot keys zero", func(w *Workload) { w.Keys.Distribution = KeyDist{Kind: KeysHot, HotFraction: 0.5} },
			[]string{`keys.distribution.hot_keys "0": must be between 1 and keys.count − 1 (9999)`}},
		{"hot keys all", func(w *Workload) {
			w.Keys.Distribution = KeyDist{Kind: KeysHot, HotFraction: 0.5, HotKeys: 10000}
		}, []string{`keys.distribution.hot_keys "10000": must be between 1 and keys.count − 1 (9999)`}},
		{"hot fields on zipf", func(w *Workload) {
			w.Keys.Distribution = KeyDist{Kind: KeysZipf, S: 1, HotFraction: 0.5, HotKeys: 2}
		}, []string{
			`keys.distribution.hot_fraction "0.5": must be unset unless kind is hot (kind is "zipf")`,
			`keys.distribution.hot_keys "2": must be unset unless kind is hot (kind is "zipf")`,
		}},
		{"consumer name empty", func(w *Workload) { w.Consumers[1].Name = " " },
			[]string{`consumers[1].name " ": must be a non-empty name`}},
		{"consumer name duplicate", func(w *Workload) { w.Consumers[1].Name = "lambda" },
			[]string{`consumers[1].name "lambda": must be unique (consumers[0] has the same name)`}},
		{"consumer kind", func(w *Workload) { w.Consumers[1].Kind = "polling" },
			[]string{`consumers[1].kind "polling": must be one of shared, efo`}},
		{"poll interval fast", func(w *Workload) { w.Consumers[0].PollInterval = units.Duration(100 * time.Millisecond) },
			[]string{`consumers[0].poll_interval "100ms": must be between 200ms and 5m (a shard serves 5 GetRecords calls/s)`}},
		{"poll interval slow", func(w *Workload) { w.Consumers[0].PollInterval = units.Duration(6 * time.Minute) },
			[]string{`consumers[0].poll_interval "6m": must be between 200ms and 5m (a shard serves 5 GetRecords calls/s)`}},
		{"poll interval on efo", func(w *Workload) { w.Consumers[1].PollInterval = units.Duration(time.Second) },
			[]string{`consumers[1].poll_interval "1s": must be unset for an efo consumer (records are pushed)`}},
		{"too many efo", func(w *Workload) { w.Consumers = efo(21) },
			[]string{`consumers "21 efo consumers": must have at most 20 efo consumers (the Kinesis per-stream limit)`}},
		{"lambda batch size", func(w *Workload) { w.Consumers[0].Lambda.BatchSize = 10001 },
			[]string{`consumers[0].lambda.batch_size "10001": must be between 1 and 10000 records`}},
		{"lambda window", func(w *Workload) { w.Consumers[0].Lambda.BatchingWindow = units.Duration(301 * time.Second) },
			[]string{`consumers[0].lambda.batching_window "301s": must be between 0s and 5m (300s)`}},
		{"lambda parallelization", func(w *Workload) { w.Consumers[0].Lambda.ParallelizationFactor = 11 },
			[]string{`consumers[0].lambda.parallelization_factor "11": must be between 1 and 10 concurrent batches per shard`}},
		{"lambda memory", func(w *Workload) { w.Consumers[0].Lambda.MemoryMB = 64 },
			[]string{`consumers[0].lambda.memory_mb "64": must be between 128 and 10240 MB`}},
		{"lambda duration", func(w *Workload) { w.Consumers[0].Lambda.DurationPerBatch = units.Duration(16 * time.Minute) },
			[]string{`consumers[0].lambda.duration_per_batch "16m": must be more than 0s and at most 15m (the Lambda timeout limit)`}},
		{"lambda arch", func(w *Workload) { w.Consumers[0].Lambda.Arch = "arm" },
			[]string{`consumers[0].lambda.arch "arm": must be one of x86_64, arm64`}},
		{"retention short", func(w *Workload) { w.Retention = units.Duration(time.Hour) },
			[]string{`retention "1h": must be between 24h and 365d (8760h)`}},
		{"retention long", func(w *Workload) { w.Retention = units.Duration(366 * 24 * time.Hour) },
			[]string{`retention "366d": must be between 24h and 365d (8760h)`}},
		{"peak factor", func(w *Workload) { w.PeakFactor = 0.5 },
			[]string{`peak_factor "0.5": must be between 1 and 100 (peak rate ÷ average rate)`}},
		{"headroom", func(w *Workload) { w.Headroom = 1.2 },
			[]string{`headroom "1.2": must be more than 0 and at most 1 (highest utilisation of any limit to plan for)`}},
		{"transfer data", func(w *Workload) { w.Transfer.Data = 0 },
			[]string{`transfer.data "0B": must be more than 0B (e.g. 80TB)`}},
		{"transfer link", func(w *Workload) { w.Transfer.Link = 0 },
			[]string{`transfer.link "0bps": must be more than 0bps (a line rate such as 1Gbps)`}},
		{"transfer utilization", func(w *Workload) { w.Transfer.Utilization = -0.1 },
			[]string{`transfer.utilization "-0.1": must be more than 0 and at most 1 (share of the link used)`}},
		{"transfer efficiency", func(w *Workload) { w.Transfer.Efficiency = 2 },
			[]string{`transfer.efficiency "2": must be more than 0 and at most 1 (goodput ÷ line rate)`}},
		{"transfer devices", func(w *Workload) { w.Transfer.Devices = -1 },
			[]string{`transfer.devices "-1": must be 0 (as many as needed) or more`}},
		{"slo publish", func(w *Workload) { w.SLO.PublishP99 = -1 },
			[]string{`slo.publish_p99 "-1ns": must be 0s (unset) or more`}},
		{"slo e2e", func(w *Workload) { w.SLO.E2EP99 = -1 },
			[]string{`slo.e2e_p99 "-1ns": must be 0s (unset) or more`}},
		{"slo error rate", func(w *Workload) { w.SLO.MaxErrorRate = 1.5 },
			[]string{`slo.max_error_rate "1.5": must be between 0 and 1 (failed ÷ attempted sends)`}},
		{"bench target", func(w *Workload) { w.Bench.Target = "pulsar" },
			[]string{`bench.target "pulsar": must be one of embedded, kinesis, kafka`}},
		{"bench durations and counts", func(w *Workload) {
			*w.Bench = BenchSpec{Target: "kafka", Duration: -1, Warmup: -1, Shards: -1, MaxInflight: -1}
		},
			[]string{
				`bench.duration "-1ns": must be 0s (the default) or more`,
				`bench.warmup "-1ns": must be 0s or more`,
				`bench.shards "-1": must be 0 (the plan's count) or more`,
				`bench.max_inflight "-1": must be 0 (the default) or more`,
			}},
		{"every problem at once", func(w *Workload) { w.Rate = 0; w.Headroom = 0; w.Consumers[1].Kind = "x" },
			[]string{
				`rate "0/s": must be more than 0/s and at most 1G/s (1000M/s; records per second, e.g. 3000/s)`,
				`consumers[1].kind "x": must be one of shared, efo`,
				`headroom "0": must be more than 0 and at most 1 (highest utilisation of any limit to plan for)`,
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := validWorkload()
			tc.edit(&w)
			err := w.Validate()
			var fes FieldErrors
			if !errors.As(err, &fes) {
				t.Fatalf("Validate() = %v, want FieldErrors", err)
			}
			if !errors.Is(err, ErrInvalidWorkload) {
				t.Errorf("errors.Is(err, ErrInvalidWorkload) = false")
			}
			var got []string
			for _, fe := range fes {
				got = append(got, fe.Error())
				if fe.Accepted == "" {
					t.Errorf("%s: empty Accepted", fe.Field)
				}
			}
			if !reflect.DeepEqual(got, tc.wants) {
				t.Errorf("Validate():\n got %q\nwant %q", got, tc.wants)
			}
		})
	}
}

func TestFieldErrorsUnwrap(t *testing.T) {
	t.Parallel()
	w := validWorkload()
	w.Keys.Distribution = KeyDist{Kind: KeysZipf, S: -1}
	var fe *FieldError
	if err := w.Validate(); !errors.As(err, &fe) || fe.Field != "keys.distribution.s" || fe.Value != "-1" || fe.Accepted != "(0,10]" {
		t.Fatalf("errors.As FieldError = %+v (err %v)", fe, err)
	}
}
