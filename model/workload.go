// Package model is streamcap's capacity and cost model: pure, deterministic
// functions from a Workload and a price/quota table to a Plan that says how
// big a stream must be, which limit binds, what it costs, and why.
package model

import "github.com/streamcap/streamcap/model/units"

// Workload describes the traffic a pipeline must carry. Scenario files and
// command-line flags both produce one; every planner and the benchmark read
// it. Zero values mean "not set"; Defaults fills them.
type Workload struct {
	// Name and Description identify the workload in reports.
	Name        string `json:"name" yaml:"name"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`

	// Rate is the steady (average) write rate in records per second.
	Rate units.EventRate `json:"rate" yaml:"rate"`
	// RecordSize is the distribution of data-blob sizes (partition key excluded).
	RecordSize SizeDist `json:"record_size" yaml:"record_size"`
	// Keys describes the partition keys and how traffic spreads over them.
	Keys KeySpec `json:"keys" yaml:"keys"`
	// Consumers read every record of the stream.
	Consumers []Consumer `json:"consumers,omitempty" yaml:"consumers,omitempty"`
	// Retention is how long records stay readable. Default 24h.
	Retention units.Duration `json:"retention" yaml:"retention"`
	// PeakFactor multiplies Rate to give the peak rate capacity is sized
	// for. Default 1 (no peak above the average).
	PeakFactor float64 `json:"peak_factor" yaml:"peak_factor"`
	// Headroom is the highest utilisation of any limit the plan accepts at
	// peak. Default 0.8: the 20 % margin absorbs per-second bursts above a
	// per-minute average, uneven hashing and retries after throttling,
	// without paying for double capacity.
	Headroom float64 `json:"headroom" yaml:"headroom"`
	// MaxRecordSize is the stream's record size limit (1MiB default,
	// up to 10MiB for large-record streams).
	MaxRecordSize units.Bytes `json:"max_record_size" yaml:"max_record_size"`

	// CurrentShards is the open shard count of the stream today (0: no
	// stream yet); when set, the plan adds the UpdateShardCount steps
	// from it to the planned count.
	CurrentShards int `json:"current_shards,omitempty" yaml:"current_shards,omitempty"`
	// Replay is the history replay to plan for (backlog, target time);
	// nil plans a replay of the whole retention with no target.
	Replay *ReplaySpec `json:"replay,omitempty" yaml:"replay,omitempty"`

	// Transfer, SLO and Bench are optional blocks.
	Transfer *Transfer  `json:"transfer,omitempty" yaml:"transfer,omitempty"`
	SLO      *SLO       `json:"slo,omitempty" yaml:"slo,omitempty"`
	Bench    *BenchSpec `json:"bench,omitempty" yaml:"bench,omitempty"`
	// Pipeline holds settings of the compared systems (Pub/Sub batching,
	// Flink KPUs and backups); plan flags override them field by field.
	Pipeline *PipelineOptions `json:"pipeline,omitempty" yaml:"pipeline,omitempty"`
}

// SizeKind names how record sizes are distributed.
type SizeKind string

// Record size distributions.
const (
	SizeFixed    SizeKind = "fixed"
	SizeUniform  SizeKind = "uniform"
	SizeWeighted SizeKind = "weighted"
)

// SizeDist is a record size distribution: one fixed size, a uniform range
// [Min, Max], or weighted sizes.
type SizeDist struct {
	Kind     SizeKind       `json:"kind" yaml:"kind"`
	Fixed    units.Bytes    `json:"fixed,omitempty" yaml:"fixed,omitempty"`
	Min      units.Bytes    `json:"min,omitempty" yaml:"min,omitempty"`
	Max      units.Bytes    `json:"max,omitempty" yaml:"max,omitempty"`
	Weighted []WeightedSize `json:"weighted,omitempty" yaml:"weighted,omitempty"`
}

// WeightedSize is one size of a weighted distribution; weights are
// relative (they need not sum to 1).
type WeightedSize struct {
	Size   units.Bytes `json:"size" yaml:"size"`
	Weight float64     `json:"weight" yaml:"weight"`
}

// KeyKind names how traffic spreads over partition keys.
type KeyKind string

// Partition key distributions.
const (
	KeysUniform KeyKind = "uniform"
	KeysZipf    KeyKind = "zipf"
	KeysHot     KeyKind = "hot"
	// KeysRandom is a fresh random key per record, as the Kinesis
	// Producer Library does by default: every record lands on a shard
	// independently, so each shard carries 1/N. keys.count is ignored.
	KeysRandom KeyKind = "random"
)

// KeySpec describes the partition keys: how many distinct keys, their
// length, and the distribution of traffic over them.
type KeySpec struct {
	// Count is the number of distinct partition keys. Default 10000.
	Count int `json:"count" yaml:"count"`
	// Length is the partition key length in bytes (it counts toward the
	// shard's write bytes). Default 16.
	Length int `json:"length" yaml:"length"`
	// Distribution is how traffic spreads over the keys. Default uniform.
	Distribution KeyDist `json:"distribution" yaml:"distribution"`
}

// KeyDist is a key popularity distribution.
type KeyDist struct {
	Kind KeyKind `json:"kind" yaml:"kind"`
	// S is the zipf exponent: key of rank k gets weight 1/k^S (S > 0).
	S float64 `json:"s,omitempty" yaml:"s,omitempty"`
	// HotFraction of all traffic goes to HotKeys keys (kind hot); the rest
	// spreads uniformly over the other keys.
	HotFraction float64 `json:"hot_fraction,omitempty" yaml:"hot_fraction,omitempty"`
	HotKeys     int     `json:"hot_keys,omitempty" yaml:"hot_keys,omitempty"`
}

// ConsumerKind says how a consumer reads a Kinesis stream.
type ConsumerKind string

// Consumer kinds.
const (
	// ConsumerShared polls with GetRecords and shares each shard's 2 MiB/s
	// and 5 calls/s with every other shared consumer.
	ConsumerShared ConsumerKind = "shared"
	// ConsumerEFO uses enhanced fan-out: a dedicated 2 MiB/s per shard.
	ConsumerEFO ConsumerKind = "efo"
)

// Consumer is one application reading the whole stream.
type Consumer struct {
	Name string       `json:"name" yaml:"name"`
	Kind ConsumerKind `json:"kind" yaml:"kind"`
	// PollInterval is how often a shared consumer calls GetRecords on each
	// shard. Default 1s (the Lambda and KCL default).
	PollInterval units.Duration `json:"poll_interval,omitempty" yaml:"poll_interval,omitempty"`
	// Lambda, when set, prices this consumer as a Lambda event source mapping.
	Lambda *LambdaConsumer `json:"lambda,omitempty" yaml:"lambda,omitempty"`
}

// LambdaConsumer holds the event-source-mapping and function settings that
// drive Lambda cost and concurrency.
type LambdaConsumer struct {
	// BatchSize is the most records per invocation (1–10000, default 100).
	BatchSize int `json:"batch_size" yaml:"batch_size"`
	// BatchingWindow waits up to this long to fill a batch (0–300s, default 0).
	BatchingWindow units.Duration `json:"batching_window" yaml:"batching_window"`
	// ParallelizationFactor is concurrent batches per shard (1–10, default 1).
	ParallelizationFactor int `json:"parallelization_factor" yaml:"parallelization_factor"`
	// MemoryMB is the function memory (128–10240, default 128).
	MemoryMB int `json:"memory_mb" yaml:"memory_mb"`
	// DurationPerBatch is the billed run time of one invocation (default 100ms).
	DurationPerBatch units.Duration `json:"duration_per_batch" yaml:"duration_per_batch"`
	// Arch is "x86_64" (default) or "arm64".
	Arch string `json:"arch,omitempty" yaml:"arch,omitempty"`
}

// Transfer describes a one-off bulk move of data: over a network link, or
// on shipped storage devices.
type Transfer struct {
	// Data is how much to move.
	Data units.Bytes `json:"data" yaml:"data"`
	// Link is the network link's line rate.
	Link units.BitRate `json:"link" yaml:"link"`
	// Utilization is the share of the link the transfer may use (0–1,
	// default 0.8).
	Utilization float64 `json:"utilization" yaml:"utilization"`
	// Efficiency is protocol goodput over line rate (TCP/IP and TLS
	// headers, default 0.95); 1 means none.
	Efficiency float64 `json:"efficiency" yaml:"efficiency"`
	// Devices is how many shipped devices work in parallel (0 = as many as
	// the data needs).
	Devices int `json:"devices,omitempty" yaml:"devices,omitempty"`
	// Device names a device profile of the price table (default the
	// table's default Snowball-class device).
	Device string `json:"device,omitempty" yaml:"device,omitempty"`
	// DeviceRate overrides the profile's realistic fill rate (B/s), e.g.
	// a slower row of the Snowball guide's table for small files.
	DeviceRate units.ByteRate `json:"device_rate,omitempty" yaml:"device_rate,omitempty"`
}

// SLO is what a benchmark run must meet; a miss fails the run.
type SLO struct {
	// PublishP99 bounds the 99th percentile of the (coordinated-omission
	// corrected) publish response time.
	PublishP99 units.Duration `json:"publish_p99,omitempty" yaml:"publish_p99,omitempty"`
	// E2EP99 bounds the 99th percentile of produce-to-consume latency.
	E2EP99 units.Duration `json:"e2e_p99,omitempty" yaml:"e2e_p99,omitempty"`
	// MaxErrorRate bounds failed sends / attempted sends (0–1).
	MaxErrorRate float64 `json:"max_error_rate,omitempty" yaml:"max_error_rate,omitempty"`
}

// BenchSpec holds benchmark settings a scenario may carry; flags override.
type BenchSpec struct {
	// Target is embedded, kinesis or kafka. Default embedded.
	Target string `json:"target,omitempty" yaml:"target,omitempty"`
	// Duration of the measured run and of the warm-up before it.
	Duration units.Duration `json:"duration,omitempty" yaml:"duration,omitempty"`
	Warmup   units.Duration `json:"warmup,omitempty" yaml:"warmup,omitempty"`
	// Shards (or partitions) to create; 0 = the plan's count.
	Shards int `json:"shards,omitempty" yaml:"shards,omitempty"`
	// MaxInflight bounds concurrent outstanding sends.
	MaxInflight int `json:"max_inflight,omitempty" yaml:"max_inflight,omitempty"`
}
