// Package targets builds a bench.Driver from a target name and one flat set
// of settings, so the CLI and `verify` pick drivers the same way.
package targets

import (
	"fmt"
	"strings"
	"time"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/driver/embedded"
	"github.com/streamcap/streamcap/bench/driver/kafka"
	"github.com/streamcap/streamcap/bench/driver/kinesis"
)

// Target names.
const (
	Embedded = "embedded"
	Kinesis  = "kinesis"
	Kafka    = "kafka"
)

// Names lists the targets in the order help text shows them.
func Names() []string { return []string{Embedded, Kinesis, Kafka} }

// Options hold every driver setting the CLI exposes; each target reads the
// fields that concern it and ignores the rest. Zero values take each
// driver's documented default.
type Options struct {
	// Target is embedded (default), kinesis or kafka.
	Target string
	// Stream is the stream or topic name; Shards the shard or partition
	// count to create when it is missing.
	Stream string
	Shards int
	// Consumer is how end-to-end consumers read: ConsumerPolling or
	// ConsumerPush (embedded subscription, Kinesis enhanced fan-out; the
	// drivers' own names "subscribe" and "efo" are accepted too).
	// PollInterval paces polling.
	Consumer     string
	PollInterval time.Duration

	// Embedded engine: data directory ("" = in memory), fsync policy,
	// emulated limits off (--limits off).
	DataDir   string
	Fsync     string
	LimitsOff bool

	// Kinesis API: endpoint ("" = real AWS), region, PutRecords batching,
	// retries on throttling (NoRetries: none; the CLI sets it for
	// --max-retries 0).
	Endpoint   string
	Region     string
	BatchSize  int
	Linger     time.Duration
	MaxRetries int
	NoRetries  bool

	// Kafka: seed brokers, acks, compression, batch size in bytes,
	// replication factor for a created topic.
	Brokers           []string
	Acks              string
	Compression       string
	BatchMaxBytes     int
	ReplicationFactor int

	// Seed fixes driver randomness (retry jitter).
	Seed uint64
}

// New builds the driver o.Target names. The caller closes it. On error the
// returned Driver is nil (not a typed nil pointer).
func New(o Options) (bench.Driver, error) {
	switch strings.ToLower(o.Target) {
	case "", Embedded:
		d, err := embedded.New(embedded.Options{
			Dir: o.DataDir, Fsync: o.Fsync, LimitsOff: o.LimitsOff,
			Stream: o.Stream, Shards: o.Shards,
			Consumer: DriverConsumer(Embedded, o.Consumer), PollInterval: o.PollInterval,
		})
		if err != nil {
			return nil, err
		}
		return d, nil
	case Kinesis:
		d, err := kinesis.New(kinesis.Options{
			Endpoint: o.Endpoint, Region: o.Region, Stream: o.Stream, Shards: o.Shards,
			BatchSize: o.BatchSize, Linger: o.Linger, MaxRetries: o.MaxRetries, NoRetries: o.NoRetries,
			Consumer: DriverConsumer(Kinesis, o.Consumer), PollInterval: o.PollInterval, Seed: o.Seed,
		})
		if err != nil {
			return nil, err
		}
		return d, nil
	case Kafka:
		d, err := kafka.New(kafka.Options{
			Brokers: o.Brokers, Topic: o.Stream, Partitions: o.Shards, ReplicationFactor: o.ReplicationFactor,
			Acks: o.Acks, Linger: o.Linger, BatchMaxBytes: o.BatchMaxBytes, Compression: o.Compression,
		})
		if err != nil {
			return nil, err
		}
		return d, nil
	default:
		return nil, fmt.Errorf("target %q: must be one of %s", o.Target, strings.Join(Names(), ", "))
	}
}

// Compile-time checks that every driver satisfies bench.Driver.
var (
	_ bench.Driver = (*embedded.Driver)(nil)
	_ bench.Driver = (*kinesis.Driver)(nil)
	_ bench.Driver = (*kafka.Driver)(nil)
)
