// Package embedded is the benchmark driver for streamcap's bundled log
// engine running in the same process: no network, no setup, the default
// target of streamcap bench.
//
// Send is engine.PutRecord; a refusal by the emulated per-shard limits
// (1000 records/s and 1 MiB/s per shard unless LimitsOff) wraps
// bench.ErrThrottled. Consumers either subscribe to every shard (the
// engine's enhanced fan-out push, the default: records arrive as soon as
// they are appended, so end-to-end latency is the engine's own) or poll
// GetRecords every PollInterval within the 5 reads/s per shard limit, as a
// Kinesis polling consumer would.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/driver"
	"github.com/streamcap/streamcap/bench/engine"
)

// Name is the driver name reported in Info and used in option errors.
const Name = "embedded"

// engineModule names the engine in Info: it is part of this module, so
// its version is the streamcap build's.
const engineModule = "github.com/streamcap/streamcap"

// Consumer kinds accepted by Options.Consumer.
const (
	// ConsumerSubscribe pushes records through the engine's enhanced
	// fan-out subscriptions (engine.Subscribe), one per shard.
	ConsumerSubscribe = "subscribe"
	// ConsumerPolling reads each shard with GetRecords every PollInterval.
	ConsumerPolling = "polling"
)

// Defaults applied by New to zero option fields.
const (
	// DefaultStream is used when neither Options.Stream nor the run's
	// Topology names one.
	DefaultStream = bench.DefaultStream
	// DefaultPollInterval is 200ms: one polling consumer's share of the
	// 5 reads/s per shard limit.
	DefaultPollInterval = 200 * time.Millisecond
	// DefaultConsumerName prefixes the subscription consumers (name-INDEX).
	DefaultConsumerName = "streamcap"
)

// Options configures the embedded driver. The zero value runs an
// in-memory engine with limits on, one shard, and push consumers.
type Options struct {
	// Engine is an already open engine to drive (e.g. one also served
	// over HTTP); nil opens one from Dir, Fsync and LimitsOff, which
	// Close then closes.
	Engine *engine.Engine
	// Dir is the data directory of the engine New opens (--data-dir);
	// empty keeps records in memory.
	Dir string
	// Fsync is the durability policy with Dir (--fsync): always,
	// interval (the default, group commit) or never.
	Fsync string
	// LimitsOff disables the emulated per-shard limits (--limits off).
	LimitsOff bool
	// Stream is the stream name; a non-empty Topology.Stream given to
	// Setup overrides it. Default DefaultStream.
	Stream string
	// Shards is the shard count Setup creates a missing stream with
	// (--shards); a positive Topology.Shards overrides it. Default 1;
	// range 1..10000.
	Shards int
	// Consumer is how end-to-end consumers read (--consumer): "subscribe"
	// (push, the default) or "polling".
	Consumer string
	// PollInterval is the pause between GetRecords calls on one shard for
	// polling consumers. Default DefaultPollInterval; range 1ms..1m.
	PollInterval time.Duration
	// ConsumerName prefixes subscription consumer names. Default
	// DefaultConsumerName.
	ConsumerName string
	// Now stamps Delivery.ReceivedAt and the Setup time consumers start
	// at; it should agree with the engine's clock. Default time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Stream == "" {
		o.Stream = DefaultStream
	}
	if o.Shards == 0 {
		o.Shards = 1
	}
	if o.Consumer == "" {
		o.Consumer = ConsumerSubscribe
	}
	if o.PollInterval == 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.ConsumerName == "" {
		o.ConsumerName = DefaultConsumerName
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

func (o Options) validate() error {
	if o.Consumer != ConsumerSubscribe && o.Consumer != ConsumerPolling {
		return driver.Invalid(Name, "Consumer", o.Consumer, "one of subscribe, polling")
	}
	if _, err := engine.ParseFsyncPolicy(o.Fsync); err != nil {
		return driver.Invalid(Name, "Fsync", o.Fsync, "one of always, interval, never")
	}
	if o.Engine != nil && (o.Dir != "" || o.Fsync != "" || o.LimitsOff) {
		return driver.Invalid(Name, "Engine", "set", "alone: Dir, Fsync and LimitsOff configure an engine New opens")
	}
	return errors.Join(
		driver.CheckInt(Name, "Shards", o.Shards, 1, 10_000),
		driver.CheckDuration(Name, "PollInterval", o.PollInterval, time.Millisecond, time.Minute),
	)
}

// Stats are the driver's counters since New.
type Stats struct {
	// Acked is the number of records the engine appended for Send.
	Acked int64
	// Failed is the number of Sends that returned an error.
	Failed int64
	// Throttled is the number of Sends refused by the write limits (their
	// errors wrap bench.ErrThrottled).
	Throttled int64
	// ReadThrottles counts consumer reads refused by the read limits.
	ReadThrottles int64
	// ReadErrors counts other failed consumer reads (retried).
	ReadErrors int64
}

// Driver drives one stream of an in-process engine. It is safe for
// concurrent use.
type Driver struct {
	opts    Options
	eng     *engine.Engine
	ownsEng bool

	mu          sync.Mutex
	stream      string
	startAt     time.Time // Setup's time; zero before Setup
	startShards []string  // shards open at Setup; consumers start there

	acked, failed, throttled, readThrottles, readErrors atomic.Int64
}

var _ bench.Driver = (*Driver)(nil)

// New validates opts and opens the engine (unless Options.Engine is set).
func New(opts Options) (*Driver, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	d := &Driver{opts: opts, eng: opts.Engine, stream: opts.Stream}
	if d.eng == nil {
		fsync, _ := engine.ParseFsyncPolicy(opts.Fsync) // validated above
		eng, err := engine.Open(engine.Options{
			Dir:       opts.Dir,
			InMemory:  opts.Dir == "",
			Fsync:     fsync,
			LimitsOff: opts.LimitsOff,
		})
		if err != nil {
			return nil, fmt.Errorf("embedded: open engine (dir %q): %w", opts.Dir, err)
		}
		d.eng, d.ownsEng = eng, true
	}
	return d, nil
}

// Engine returns the engine the driver sends to, e.g. to read its Stats.
func (d *Driver) Engine() *engine.Engine { return d.eng }

// Info reports the engine build, its mode and every setting (the stream
// and its open shard count as found by Setup).
func (d *Driver) Info() bench.DriverInfo {
	o := d.opts
	s := d.Stats()
	storage := "memory"
	if o.Dir != "" {
		storage = o.Dir
	}
	if !d.ownsEng {
		storage = "caller's engine"
	}
	fsync, _ := engine.ParseFsyncPolicy(o.Fsync)
	i64 := func(n int64) string { return strconv.FormatInt(n, 10) }
	return bench.DriverInfo{
		Name:     Name,
		Version:  driver.ModuleVersion(engineModule, "(devel)"),
		Endpoint: "in-process",
		Settings: map[string]string{
			"stream":               d.currentStream(),
			"shards":               strconv.Itoa(d.shardCount()),
			"storage":              storage,
			"fsync":                string(fsync),
			"limits":               strconv.FormatBool(!o.LimitsOff),
			"consumer":             o.Consumer,
			"poll_interval":        o.PollInterval.String(),
			"stats.acked":          i64(s.Acked),
			"stats.failed":         i64(s.Failed),
			"stats.throttled":      i64(s.Throttled),
			"stats.read_throttles": i64(s.ReadThrottles),
			"stats.read_errors":    i64(s.ReadErrors),
		},
	}
}

// Stats returns the counters since New.
func (d *Driver) Stats() Stats {
	return Stats{
		Acked:         d.acked.Load(),
		Failed:        d.failed.Load(),
		Throttled:     d.throttled.Load(),
		ReadThrottles: d.readThrottles.Load(),
		ReadErrors:    d.readErrors.Load(),
	}
}

// shardCount is the open shard count Setup found, else Options.Shards.
func (d *Driver) shardCount() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.startShards != nil {
		return len(d.startShards)
	}
	return d.opts.Shards
}

func (d *Driver) currentStream() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stream
}

// Setup creates the stream with Topology.Shards (or Options.Shards) shards
// when it does not exist (an existing one is used as it is) and notes the
// time and the open shards: consumers start there, so they see every record
// sent after Setup, across any resharding, and none from earlier runs.
func (d *Driver) Setup(ctx context.Context, topo bench.Topology) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	stream, shards := topo.Or(d.opts.Stream, d.opts.Shards)
	if _, err := d.eng.DescribeStream(stream); err != nil {
		if !hasCode(err, engine.ErrResourceNotFound) {
			return fmt.Errorf("embedded: setup: describe stream %q: %w", stream, err)
		}
		err := d.eng.CreateStream(engine.CreateStreamInput{Name: stream, ShardCount: shards})
		if err != nil && !hasCode(err, engine.ErrResourceInUse) {
			return fmt.Errorf("embedded: setup: create stream %q with %d shards: %w", stream, shards, err)
		}
	}
	startAt := d.opts.Now()
	open, err := d.openShards(stream)
	if err != nil {
		return fmt.Errorf("embedded: setup: %w", err)
	}
	d.mu.Lock()
	d.stream, d.startAt, d.startShards = stream, startAt, open
	d.mu.Unlock()
	return nil
}

// openShards lists the IDs of the stream's open shards.
func (d *Driver) openShards(stream string) ([]string, error) {
	shards, err := d.eng.ListShards(stream)
	if err != nil {
		return nil, fmt.Errorf("list shards of %q: %w", stream, err)
	}
	var ids []string
	for _, s := range shards {
		if s.EndingSequenceNumber == "" {
			ids = append(ids, s.ID)
		}
	}
	return ids, nil
}

// hasCode reports whether err is an *engine.Error with the given code.
func hasCode(err error, code string) bool {
	var ee *engine.Error
	return errors.As(err, &ee) && ee.Code == code
}

// Send appends one record; the engine copies the payload into its segment
// before PutRecord returns, so the caller may reuse it. Limit refusals wrap
// bench.ErrThrottled.
func (d *Driver) Send(ctx context.Context, key string, payload []byte) error {
	if err := ctx.Err(); err != nil {
		d.failed.Add(1)
		return fmt.Errorf("embedded: put record: %w", err)
	}
	stream := d.currentStream()
	_, err := d.eng.PutRecord(stream, engine.Record{PartitionKey: key, Data: payload})
	if err == nil {
		d.acked.Add(1)
		return nil
	}
	d.failed.Add(1)
	if hasCode(err, engine.ErrThroughputExceeded) {
		d.throttled.Add(1)
		return fmt.Errorf("embedded: put record to %q: %w: %w", stream, bench.ErrThrottled, err)
	}
	return fmt.Errorf("embedded: put record to %q: %w", stream, err)
}

// Close closes the engine if New opened it.
func (d *Driver) Close() error {
	if !d.ownsEng {
		return nil
	}
	if err := d.eng.Close(); err != nil {
		return fmt.Errorf("embedded: close engine: %w", err)
	}
	return nil
}
