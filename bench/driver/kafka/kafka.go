// Package kafka is the benchmark driver for Kafka-protocol targets (Apache
// Kafka, Redpanda, MSK, or franz-go's in-process kfake) built on the franz-go
// client (kgo for producing and consuming, kadm for topic setup).
//
// Send produces one record and returns once the broker acknowledged it at
// the configured acks level; franz-go batches concurrent sends per partition
// on its own (Linger, BatchMaxBytes). A record's key picks its partition with
// franz-go's default partitioner (murmur2 of the key, as the Java client).
// Each Consume call is an independent reader of every partition (no consumer
// group), so N consumers each see every record, like N Kinesis consumers.
package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/driver"
)

// Name is the driver name reported in Info and used in option errors.
const Name = "kafka"

// clientModule and clientPinned identify the client library reported in
// Info; the version is read from the build and falls back to the pin in
// go.mod.
const (
	clientModule = "github.com/twmb/franz-go"
	clientPinned = "v1.22.2"
)

// Default option values, applied by New to zero fields.
const (
	// DefaultTopic is the topic used when neither Options.Topic nor the
	// run's Topology names one.
	DefaultTopic = bench.DefaultStream
	// DefaultAcks waits for every in-sync replica (Kafka acks=all).
	DefaultAcks = "all"
	// DefaultCompression sends batches uncompressed, like Kafka's
	// compression.type=none, so payload entropy does not skew results.
	DefaultCompression = "none"
	// DefaultBatchMaxBytes is Kafka's max.message.bytes default (1,000,012).
	DefaultBatchMaxBytes = 1_000_012
	// DefaultDeliveryTimeout bounds how long one record may wait for its
	// ack, retries included (Kafka delivery.timeout.ms), so no Send hangs.
	DefaultDeliveryTimeout = 30 * time.Second
	// DefaultDialTimeout bounds one TCP connect to a broker.
	DefaultDialTimeout = 5 * time.Second
	// DefaultSetupTimeout bounds Setup (topic creation and offset lookup).
	DefaultSetupTimeout = 30 * time.Second
)

// acksFor maps an Options.Acks value to franz-go's setting.
func acksFor(name string) (kgo.Acks, bool) {
	switch name {
	case "all":
		return kgo.AllISRAcks(), true
	case "leader":
		return kgo.LeaderAck(), true
	case "none":
		return kgo.NoAck(), true
	}
	return kgo.Acks{}, false
}

// codecFor maps an Options.Compression value to franz-go's codec.
func codecFor(name string) (kgo.CompressionCodec, bool) {
	switch name {
	case "none":
		return kgo.NoCompression(), true
	case "gzip":
		return kgo.GzipCompression(), true
	case "snappy":
		return kgo.SnappyCompression(), true
	case "lz4":
		return kgo.Lz4Compression(), true
	case "zstd":
		return kgo.ZstdCompression(), true
	}
	return kgo.CompressionCodec{}, false
}

// Options configures the Kafka driver. The zero value of every field but
// Brokers selects the documented default.
type Options struct {
	// Brokers are the seed brokers, host:port each (--brokers). Required.
	Brokers []string
	// Topic is the topic to produce to and consume from (--stream); a
	// non-empty Topology.Stream given to Setup overrides it. Default
	// DefaultTopic.
	Topic string
	// Partitions is the partition count Setup creates a missing topic with
	// (--partitions); a positive Topology.Shards overrides it. Default 1;
	// range 1..100000. An existing topic is used as it is.
	Partitions int
	// ReplicationFactor for a topic Setup creates; -1 (the default, also
	// selected by 0) lets the broker apply default.replication.factor.
	// Range -1 or 1..32767.
	ReplicationFactor int
	// Acks is the acknowledgement level a Send waits for (--acks): "all"
	// (every in-sync replica, the default), "leader" or "none". "leader"
	// and "none" disable idempotent writes, as Kafka requires. With "all"
	// and "leader" an ack without an offset is an invalid response (an
	// error); with "none" no broker answers, so a send counts as
	// acknowledged once the client has written it.
	Acks string
	// Linger is how long a partition's batch waits for more records before
	// it is sent (--linger, Kafka linger.ms). Default 0; range 0..1m.
	Linger time.Duration
	// BatchMaxBytes caps one partition batch before compression
	// (--batch-max-bytes, Kafka batch.size / max.message.bytes). Default
	// DefaultBatchMaxBytes; range 1KiB..1GiB.
	BatchMaxBytes int
	// Compression is the batch codec (--compression): none (default),
	// gzip, snappy, lz4 or zstd.
	Compression string
	// DeliveryTimeout bounds how long one record may wait for its ack,
	// retries included. Default DefaultDeliveryTimeout; range 1s..1h (franz-go refuses less).
	DeliveryTimeout time.Duration
	// DialTimeout bounds one broker connect. Default DefaultDialTimeout;
	// range 10ms..1m.
	DialTimeout time.Duration
	// SetupTimeout bounds Setup. Default DefaultSetupTimeout; range 1s..10m.
	SetupTimeout time.Duration
	// ClientID is the Kafka client.id sent to brokers. Default "streamcap".
	ClientID string
	// Now is the clock that stamps Delivery.ReceivedAt. Default time.Now.
	Now func() time.Time
}

// withDefaults returns o with zero fields replaced by defaults.
func (o Options) withDefaults() Options {
	if o.Topic == "" {
		o.Topic = DefaultTopic
	}
	if o.Partitions == 0 {
		o.Partitions = 1
	}
	if o.ReplicationFactor == 0 {
		o.ReplicationFactor = -1
	}
	if o.Acks == "" {
		o.Acks = DefaultAcks
	}
	if o.BatchMaxBytes == 0 {
		o.BatchMaxBytes = DefaultBatchMaxBytes
	}
	if o.Compression == "" {
		o.Compression = DefaultCompression
	}
	if o.DeliveryTimeout == 0 {
		o.DeliveryTimeout = DefaultDeliveryTimeout
	}
	if o.DialTimeout == 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.SetupTimeout == 0 {
		o.SetupTimeout = DefaultSetupTimeout
	}
	if o.ClientID == "" {
		o.ClientID = "streamcap"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// validate checks o after defaults were applied.
func (o Options) validate() error {
	if len(o.Brokers) == 0 {
		return driver.Invalid(Name, "Brokers", "", "at least one host:port")
	}
	for _, b := range o.Brokers {
		if _, port, err := net.SplitHostPort(b); err != nil || port == "" {
			return driver.Invalid(Name, "Brokers", b, "host:port")
		}
	}
	if _, ok := acksFor(o.Acks); !ok {
		return driver.Invalid(Name, "Acks", o.Acks, "one of all, leader, none")
	}
	if _, ok := codecFor(o.Compression); !ok {
		return driver.Invalid(Name, "Compression", o.Compression, "one of none, gzip, snappy, lz4, zstd")
	}
	if o.ReplicationFactor != -1 && (o.ReplicationFactor < 1 || o.ReplicationFactor > 32767) {
		return driver.Invalid(Name, "ReplicationFactor", o.ReplicationFactor, "-1 (broker default) or between 1 and 32767")
	}
	checks := []error{
		driver.CheckInt(Name, "Partitions", o.Partitions, 1, 100_000),
		driver.CheckInt(Name, "BatchMaxBytes", o.BatchMaxBytes, 1<<10, 1<<30),
		driver.CheckDuration(Name, "Linger", o.Linger, 0, time.Minute),
		driver.CheckDuration(Name, "DeliveryTimeout", o.DeliveryTimeout, time.Second, time.Hour),
		driver.CheckDuration(Name, "DialTimeout", o.DialTimeout, 10*time.Millisecond, time.Minute),
		driver.CheckDuration(Name, "SetupTimeout", o.SetupTimeout, time.Second, 10*time.Minute),
	}
	return errors.Join(checks...)
}

// Stats are the driver's counters since New. Read with Driver.Stats.
type Stats struct {
	// Acked is the number of sends the brokers acknowledged.
	Acked int64
	// Failed is the number of sends that failed (throttled ones included).
	Failed int64
	// Throttled is the number of failed sends whose error was a quota
	// refusal (they wrap bench.ErrThrottled).
	Throttled int64
	// BrokerThrottles counts throttle intervals brokers imposed on the
	// producer (quota enforcement by delay, which franz-go honours by
	// waiting rather than failing).
	BrokerThrottles int64
	// BrokerThrottleTime is the sum of those intervals.
	BrokerThrottleTime time.Duration
	// ReadErrors counts fetch errors consumers saw (the client retries
	// them).
	ReadErrors int64
}

// Driver produces to and consumes from one Kafka topic. It is safe for
// concurrent use: Send may be called from many goroutines, and Consume once
// per consumer index.
type Driver struct {
	opts Options

	mu         sync.Mutex
	topic      string
	created    string          // the topic Setup created, which RemoveCreated deletes
	partitions int             // the topic's partition count, known after Setup
	starts     map[int32]int64 // end offsets captured by Setup; nil before Setup

	cl     *kgo.Client
	ctx    context.Context // lives until Close; records are produced under it
	cancel context.CancelFunc

	acked, failed, throttled    atomic.Int64
	brokerThrottles, readErrors atomic.Int64
	brokerThrottleNanos         atomic.Int64
}

var _ bench.Driver = (*Driver)(nil)

// New validates opts and creates the producing client. It does not contact
// the brokers: franz-go connects lazily, so a bad address surfaces on the
// first Setup or Send (bounded by DialTimeout and DeliveryTimeout).
func New(opts Options) (*Driver, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	d := &Driver{opts: opts, topic: opts.Topic, partitions: opts.Partitions}
	cl, err := kgo.NewClient(d.clientOpts(true)...)
	if err != nil {
		return nil, fmt.Errorf("kafka: create client for %v: %w", opts.Brokers, err)
	}
	d.cl = cl
	d.ctx, d.cancel = context.WithCancel(context.Background())
	return d, nil
}

// clientOpts builds the kgo options shared by the producer and consumers.
func (d *Driver) clientOpts(producer bool) []kgo.Opt {
	o := d.opts
	opts := []kgo.Opt{
		kgo.SeedBrokers(o.Brokers...),
		kgo.ClientID(o.ClientID),
		kgo.DialTimeout(o.DialTimeout),
		kgo.RetryTimeout(o.DeliveryTimeout),
		kgo.SoftwareNameAndVersion("streamcap", "bench"),
	}
	if !producer {
		return opts
	}
	acks, _ := acksFor(o.Acks)          // validated by New
	codec, _ := codecFor(o.Compression) // validated by New
	opts = append(opts,
		kgo.WithHooks(throttleHook{d}),
		kgo.RequiredAcks(acks),
		kgo.ProducerLinger(o.Linger),
		kgo.ProducerBatchMaxBytes(int32(o.BatchMaxBytes)),
		kgo.ProducerBatchCompression(codec),
		kgo.RecordDeliveryTimeout(o.DeliveryTimeout),
	)
	if o.Acks != "all" {
		opts = append(opts, kgo.DisableIdempotentWrite())
	}
	return opts
}

// throttleHook counts broker-imposed throttle delays.
type throttleHook struct{ d *Driver }

// OnBrokerThrottle implements kgo.HookBrokerThrottle.
func (h throttleHook) OnBrokerThrottle(_ kgo.BrokerMetadata, interval time.Duration, _ bool) {
	h.d.brokerThrottles.Add(1)
	h.d.brokerThrottleNanos.Add(int64(interval))
}

// Info reports franz-go's version, the brokers, every setting (the topic
// and partition count as found by Setup) and the counters so far.
func (d *Driver) Info() bench.DriverInfo {
	o := d.opts
	s := d.Stats()
	d.mu.Lock()
	topic, parts := d.topic, d.partitions
	d.mu.Unlock()
	return bench.DriverInfo{
		Name:     Name,
		Version:  driver.ModuleVersion(clientModule, clientPinned),
		Endpoint: strings.Join(o.Brokers, ","),
		Settings: map[string]string{
			"topic":                      topic,
			"partitions":                 strconv.Itoa(parts),
			"replication_factor":         strconv.Itoa(o.ReplicationFactor),
			"acks":                       o.Acks,
			"idempotent":                 strconv.FormatBool(o.Acks == "all"),
			"linger":                     o.Linger.String(),
			"batch_max_bytes":            strconv.Itoa(o.BatchMaxBytes),
			"compression":                o.Compression,
			"delivery_timeout":           o.DeliveryTimeout.String(),
			"partitioner":                "franz-go default: murmur2 of the key (uniform-bytes sticky for keyless)",
			"consumer":                   "direct partitions, no group",
			"stats.acked":                strconv.FormatInt(s.Acked, 10),
			"stats.failed":               strconv.FormatInt(s.Failed, 10),
			"stats.throttled":            strconv.FormatInt(s.Throttled, 10),
			"stats.broker_throttles":     strconv.FormatInt(s.BrokerThrottles, 10),
			"stats.broker_throttle_time": s.BrokerThrottleTime.String(),
			"stats.read_errors":          strconv.FormatInt(s.ReadErrors, 10),
		},
	}
}

// Stats returns the counters since New.
func (d *Driver) Stats() Stats {
	return Stats{
		Acked:              d.acked.Load(),
		Failed:             d.failed.Load(),
		Throttled:          d.throttled.Load(),
		BrokerThrottles:    d.brokerThrottles.Load(),
		BrokerThrottleTime: time.Duration(d.brokerThrottleNanos.Load()),
		ReadErrors:         d.readErrors.Load(),
	}
}

func (d *Driver) currentTopic() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.topic
}

// Setup creates the topic with Topology.Shards (or Options.Partitions)
// partitions when it does not exist, then records each partition's end
// offset: consumers start there, so they see every record sent after Setup
// and none from earlier runs. Bounded by Options.SetupTimeout.
func (d *Driver) Setup(ctx context.Context, topo bench.Topology) error {
	ctx, cancel := context.WithTimeout(ctx, d.opts.SetupTimeout)
	defer cancel()
	topic, parts := topo.Or(d.opts.Topic, d.opts.Partitions)
	adm := kadm.NewClient(d.cl)
	details, err := adm.ListTopics(ctx, topic)
	if err != nil {
		return fmt.Errorf("kafka: setup: list topic %q on %v: %w", topic, d.opts.Brokers, err)
	}
	if !details.Has(topic) || errors.Is(details[topic].Err, kerr.UnknownTopicOrPartition) {
		_, err := adm.CreateTopic(ctx, int32(parts), int16(d.opts.ReplicationFactor), nil, topic)
		if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("kafka: setup: create topic %q with %d partitions: %w", topic, parts, wrapThrottle(err))
		}
		if err == nil {
			d.mu.Lock()
			d.created = topic // RemoveCreated may delete it
			d.mu.Unlock()
		}
	} else if err := details[topic].Err; err != nil {
		return fmt.Errorf("kafka: setup: describe topic %q: %w", topic, err)
	} else {
		parts = len(details[topic].Partitions) // an existing topic is used as it is
	}
	starts, err := d.endOffsets(ctx, adm, topic, parts)
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.topic, d.starts, d.partitions = topic, starts, len(starts)
	d.mu.Unlock()
	return nil
}

// endOffsets lists the topic's end offsets, retrying (bounded by ctx) until
// every partition has a leader: a freshly created topic can briefly report
// fewer partitions or leader errors.
func (d *Driver) endOffsets(ctx context.Context, adm *kadm.Client, topic string, minParts int) (map[int32]int64, error) {
	var lastErr error
	for {
		listed, err := adm.ListEndOffsets(ctx, topic)
		if err == nil {
			err = listed.Error()
		}
		if err == nil {
			starts := map[int32]int64{}
			listed.Each(func(o kadm.ListedOffset) { starts[o.Partition] = o.Offset })
			if len(starts) >= minParts {
				return starts, nil
			}
			err = fmt.Errorf("%d of %d partitions listed", len(starts), minParts)
		}
		lastErr = err
		if serr := driver.Sleep(ctx, 50*time.Millisecond); serr != nil {
			return nil, fmt.Errorf("kafka: setup: end offsets of %q: %w (last: %w)", topic, serr, lastErr)
		}
	}
}

// Send produces payload with key to the topic and waits for the ack. The
// payload is copied, so the caller may reuse it as soon as Send returns even
// when ctx ends first. Quota refusals wrap bench.ErrThrottled.
func (d *Driver) Send(ctx context.Context, key string, payload []byte) error {
	rec := &kgo.Record{
		Topic: d.currentTopic(),
		Key:   []byte(key),
		Value: append([]byte(nil), payload...),
	}
	done := make(chan error, 1)
	// Records are produced under the driver's context, not ctx: franz-go
	// fails every buffered record of a partition when one record's context
	// ends, and one caller giving up must not fail the others.
	checkOffset := d.opts.Acks != "none"
	d.cl.Produce(d.ctx, rec, func(r *kgo.Record, err error) {
		if err == nil && checkOffset && r.Offset < 0 {
			err = fmt.Errorf("%w: ack without an offset", bench.ErrInvalidResponse)
		}
		done <- err
	})
	select {
	case err := <-done:
		if err != nil {
			d.failed.Add(1)
			err = wrapThrottle(err)
			if errors.Is(err, bench.ErrThrottled) {
				d.throttled.Add(1)
			}
			return fmt.Errorf("kafka: produce to %q: %w", rec.Topic, err)
		}
		d.acked.Add(1)
		return nil
	case <-ctx.Done():
		d.failed.Add(1)
		return fmt.Errorf("kafka: produce to %q: %w", rec.Topic, ctx.Err())
	}
}

// wrapThrottle marks Kafka quota refusals as bench.ErrThrottled.
func wrapThrottle(err error) error {
	if errors.Is(err, kerr.ThrottlingQuotaExceeded) {
		return fmt.Errorf("%w: %w", bench.ErrThrottled, err)
	}
	return err
}

// Consume reads every partition of the topic directly (no consumer group)
// from the offsets Setup recorded — or from the current end when Setup was
// not called — and calls fn for each record from this goroutine until ctx
// ends. index only names the client (client.id suffix).
func (d *Driver) Consume(ctx context.Context, index int, fn func(bench.Delivery)) error {
	d.mu.Lock()
	topic, starts := d.topic, d.starts
	d.mu.Unlock()
	opts := d.clientOpts(false)
	opts = append(opts, kgo.ClientID(fmt.Sprintf("%s-consumer-%d", d.opts.ClientID, index)))
	if starts != nil {
		offs := make(map[int32]kgo.Offset, len(starts))
		for p, o := range starts {
			offs[p] = kgo.NewOffset().At(o)
		}
		opts = append(opts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: offs}))
	} else {
		opts = append(opts, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd()))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("kafka: consumer %d: create client: %w", index, err)
	}
	defer cl.Close()
	for ctx.Err() == nil {
		fetches := cl.PollFetches(ctx)
		if fetches.IsClientClosed() {
			return nil
		}
		now := d.opts.Now()
		fetches.EachRecord(func(r *kgo.Record) {
			fn(bench.Delivery{Payload: r.Value, ReceivedAt: now})
		})
		// Fetch errors (a broker restarting, a partition moving) are
		// retried by the client; they are counted, and only the end of
		// ctx stops the reader.
		fetches.EachError(func(_ string, _ int32, err error) {
			if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
				d.readErrors.Add(1)
			}
		})
	}
	return nil
}

// Close flushes nothing (pending sends fail) and closes the client.
func (d *Driver) Close() error {
	d.cancel()
	d.cl.Close()
	return nil
}
