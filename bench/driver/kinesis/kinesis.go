// Package kinesis is the benchmark driver for the Kinesis Data Streams API,
// built on aws-sdk-go-v2: real AWS (default credential chain and region),
// the bundled engine's Kinesis server (streamcap engine serve), kinesalite
// or LocalStack (Options.Endpoint).
//
// Sends use PutRecord when BatchSize ≤ 1; otherwise concurrent sends are
// gathered into PutRecords calls of at most BatchSize records and 10 MiB,
// flushed when full or Linger after the batch's first record, and each Send
// returns when its own entry is acknowledged or has failed. Throttling
// (ProvisionedThroughputExceededException, for the whole call or per entry)
// is retried with jittered exponential backoff up to MaxRetries, counted
// apart from other errors; a send still throttled after its last retry
// fails with an error wrapping bench.ErrThrottled. The SDK's own retryer is
// disabled so that every retry is the driver's, counted and bounded.
//
// The client should cost little next to what it measures: batch entries,
// payload copies and PutRecords bodies (encoded by the driver, byte for byte
// as the SDK would) are reused, so a batched send allocates almost nothing
// (BenchmarkSendMaxRate).
//
// Consumers read by GetRecords polling per shard (following resharding
// through ChildShards) or by enhanced fan-out (RegisterStreamConsumer +
// SubscribeToShard).
package kinesis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/driver"
)

// Name is the driver name reported in Info and used in option errors.
const Name = "kinesis"

// clientModule and clientPinned identify the client library reported in
// Info; the version is read from the build and falls back to the go.mod pin.
const (
	clientModule = "github.com/aws/aws-sdk-go-v2/service/kinesis"
	clientPinned = "v1.56.11"
)

// Kinesis API limits the options are validated against.
const (
	// MaxBatchRecords is the most records one PutRecords call accepts.
	MaxBatchRecords = 500
	// MaxBatchBytes is the most one PutRecords call accepts: 10 MiB of
	// data and partition keys together.
	MaxBatchBytes = 10 << 20
)

// Consumer kinds accepted by Options.Consumer.
const (
	// ConsumerPolling reads each shard with GetRecords every PollInterval.
	ConsumerPolling = "polling"
	// ConsumerEFO reads each shard through an enhanced fan-out
	// subscription (SubscribeToShard), pushed by the server.
	ConsumerEFO = "efo"
)

// Defaults applied by New to zero option fields.
const (
	// DefaultStream is used when neither Options.Stream nor the run's
	// Topology names one.
	DefaultStream = bench.DefaultStream
	// DefaultEndpointRegion is the region signed for a custom endpoint
	// when Options.Region is empty.
	DefaultEndpointRegion = "us-east-1"
	// SuggestedLinger is a good --linger for batching at a few thousand
	// records/s: long enough to fill batches, short against the latency
	// being measured. (Linger's zero value means no lingering.)
	SuggestedLinger = 5 * time.Millisecond
	// DefaultMaxRetries is the throttling retries per record.
	DefaultMaxRetries = 3
	// DefaultBackoff is the first retry's delay before jitter.
	DefaultBackoff = 100 * time.Millisecond
	// DefaultMaxBackoff caps the retry delay before jitter.
	DefaultMaxBackoff = 5 * time.Second
	// DefaultPollInterval is the pause between GetRecords calls on one
	// shard: 200ms is the 5 reads/s per shard limit for one consumer.
	DefaultPollInterval = 200 * time.Millisecond
	// DefaultRequestTimeout bounds one API call (not an EFO subscription).
	DefaultRequestTimeout = 10 * time.Second
	// DefaultDialTimeout bounds one TCP connect.
	DefaultDialTimeout = 5 * time.Second
	// DefaultSetupTimeout bounds Setup: creating the stream and waiting
	// for it to become ACTIVE.
	DefaultSetupTimeout = 2 * time.Minute
	// DefaultMaxInflightBatches bounds concurrent PutRecords calls.
	DefaultMaxInflightBatches = 16
	// DefaultConsumerName prefixes EFO consumer names (name-INDEX).
	DefaultConsumerName = "streamcap"
)

// Options configures the Kinesis driver. The zero value of every field
// selects the documented default; New validates the result.
type Options struct {
	// Endpoint is the API base URL (--endpoint), e.g. http://127.0.0.1:4567
	// for the bundled server, kinesalite or LocalStack. Empty means real
	// AWS through the default credential chain and region.
	Endpoint string
	// Region to sign for. Default: the default chain's region for AWS,
	// DefaultEndpointRegion with a custom Endpoint.
	Region string
	// Stream is the stream name (--stream); a non-empty Topology.Stream
	// given to Setup overrides it. Default DefaultStream.
	Stream string
	// Shards is the shard count Setup creates a missing stream with
	// (--shards); a positive Topology.Shards overrides it. Default 1;
	// range 1..10000. An existing stream is used as it is.
	Shards int
	// BatchSize is the most records per PutRecords call (--batch-size);
	// ≤ 1 sends each record with PutRecord. Default 1; range 0..500.
	BatchSize int
	// Linger is how long a batch waits after its first record for more
	// (--linger); 0 (the default) sends whatever is queued at once, so
	// batches form only from sends that arrive while earlier calls are in
	// flight. SuggestedLinger is a good value; range 0..10s.
	Linger time.Duration
	// MaxRetries is how many times a throttled record is retried
	// (--max-retries); 0 disables retries. Range 0..100. Default
	// DefaultMaxRetries; set NoRetries to request 0 explicitly.
	MaxRetries int
	// NoRetries forces MaxRetries to 0 (the zero MaxRetries selects the
	// default).
	NoRetries bool
	// Backoff is the first retry's delay; each retry doubles it, capped at
	// MaxBackoff, with equal jitter (a uniform draw in [d/2, d]). Default
	// DefaultBackoff; range 1ms..1m.
	Backoff time.Duration
	// MaxBackoff caps the retry delay. Default DefaultMaxBackoff; range
	// Backoff..5m.
	MaxBackoff time.Duration
	// MaxInflightBatches bounds concurrent PutRecords calls. Default
	// DefaultMaxInflightBatches; range 1..1024.
	MaxInflightBatches int
	// Consumer is how end-to-end consumers read (--consumer): "polling"
	// (GetRecords, the default) or "efo" (enhanced fan-out).
	Consumer string
	// PollInterval is the pause between GetRecords calls on one shard
	// (--poll-interval). Default DefaultPollInterval; range 10ms..1m. With
	// N polling consumers a shard sees N/PollInterval reads per second
	// against its limit of 5.
	PollInterval time.Duration
	// ConsumerName prefixes enhanced fan-out consumer names; consumer i is
	// registered as ConsumerName-i and deregistered by Close. Default
	// DefaultConsumerName.
	ConsumerName string
	// RequestTimeout bounds each API call. Default DefaultRequestTimeout;
	// range 10ms..5m.
	RequestTimeout time.Duration
	// DialTimeout bounds each TCP connect (ignored with HTTPClient).
	// Default DefaultDialTimeout; range 10ms..1m.
	DialTimeout time.Duration
	// SetupTimeout bounds Setup. Default DefaultSetupTimeout; range 1s..30m.
	SetupTimeout time.Duration
	// HTTPClient overrides the HTTP client; nil builds one with
	// DialTimeout and enough idle connections for concurrent sends.
	HTTPClient aws.HTTPClient
	// Seed seeds the retry jitter; 0 picks one from the clock.
	Seed uint64
	// Now is the clock for Delivery.ReceivedAt and the Setup timestamp
	// consumers start at. Default time.Now.
	Now func() time.Time
	// Getenv reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
	// AWS_SESSION_TOKEN for a custom Endpoint (dummy static credentials
	// are used when they are unset). Default os.Getenv.
	Getenv func(string) string
}

// withDefaults returns o with zero fields replaced by defaults.
func (o Options) withDefaults() Options {
	if o.Stream == "" {
		o.Stream = DefaultStream
	}
	if o.Region == "" && o.Endpoint != "" {
		o.Region = DefaultEndpointRegion
	}
	if o.Shards == 0 {
		o.Shards = 1
	}
	if o.NoRetries {
		o.MaxRetries = 0
	} else if o.MaxRetries == 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	if o.Backoff == 0 {
		o.Backoff = DefaultBackoff
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = max(DefaultMaxBackoff, o.Backoff)
	}
	if o.MaxInflightBatches == 0 {
		o.MaxInflightBatches = DefaultMaxInflightBatches
	}
	if o.Consumer == "" {
		o.Consumer = ConsumerPolling
	}
	if o.PollInterval == 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.ConsumerName == "" {
		o.ConsumerName = DefaultConsumerName
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.DialTimeout == 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.SetupTimeout == 0 {
		o.SetupTimeout = DefaultSetupTimeout
	}
	if o.Seed == 0 {
		o.Seed = uint64(time.Now().UnixNano())
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	return o
}

// validate checks o after defaults were applied.
func (o Options) validate() error {
	if o.Consumer != ConsumerPolling && o.Consumer != ConsumerEFO {
		return driver.Invalid(Name, "Consumer", o.Consumer, "one of polling, efo")
	}
	return errors.Join(
		driver.CheckInt(Name, "Shards", o.Shards, 1, 10_000),
		driver.CheckInt(Name, "BatchSize", o.BatchSize, 0, MaxBatchRecords),
		driver.CheckDuration(Name, "Linger", o.Linger, 0, 10*time.Second),
		driver.CheckInt(Name, "MaxRetries", o.MaxRetries, 0, 100),
		driver.CheckDuration(Name, "Backoff", o.Backoff, time.Millisecond, time.Minute),
		driver.CheckDuration(Name, "MaxBackoff", o.MaxBackoff, o.Backoff, 5*time.Minute),
		driver.CheckInt(Name, "MaxInflightBatches", o.MaxInflightBatches, 1, 1024),
		driver.CheckDuration(Name, "PollInterval", o.PollInterval, 10*time.Millisecond, time.Minute),
		driver.CheckDuration(Name, "RequestTimeout", o.RequestTimeout, 10*time.Millisecond, 5*time.Minute),
		driver.CheckDuration(Name, "DialTimeout", o.DialTimeout, 10*time.Millisecond, time.Minute),
		driver.CheckDuration(Name, "SetupTimeout", o.SetupTimeout, time.Second, 30*time.Minute),
	)
}

// Stats are the driver's counters since New; every count is of records
// (a throttled PutRecords call of 500 records counts 500 throttles).
type Stats struct {
	// Acked is the number of records the stream acknowledged.
	Acked int64
	// Failed is the number of Sends that returned an error.
	Failed int64
	// Throttled is the number of record refusals for capacity, retried
	// or not (ProvisionedThroughputExceededException, KMSThrottlingException).
	Throttled int64
	// ThrottledFinal is the number of Sends that failed because they were
	// still throttled after MaxRetries (their errors wrap bench.ErrThrottled).
	ThrottledFinal int64
	// Retries is the number of record re-sends after a throttle, an
	// InternalFailure entry or a transport error.
	Retries int64
	// Calls is the number of PutRecord/PutRecords calls made.
	Calls int64
	// TransportErrors counts calls whose connection was lost after the
	// request was sent (reset or closed mid-response); they are retried
	// like throttles, as the SDK's standard retryer would, so a record
	// may be written twice (Kinesis producers are at-least-once).
	TransportErrors int64
	// ReadThrottles counts consumer calls refused for capacity.
	ReadThrottles int64
	// ReadErrors counts other failed consumer calls (retried after a pause).
	ReadErrors int64
	// BatchSizes is the distribution of PutRecords batch sizes as formed
	// (retries not counted): BatchSizes[i] batches held 2^i to 2^(i+1)-1
	// records, the last bucket 512 or more.
	BatchSizes [batchBuckets]int64
}

// stats holds the live counters.
type stats struct {
	acked, failed, throttled, throttledFinal, retries, calls, readThrottles, readErrors atomic.Int64
	transportErrors                                                                     atomic.Int64
	// batches counts PutRecords batches formed (first attempts) by size:
	// batches[i] holds sizes in [2^i, 2^(i+1)).
	batches [batchBuckets]atomic.Int64
}

// batchBuckets covers batch sizes 1 … 511 in powers of two, and 512+.
const batchBuckets = 10

func (s *stats) noteBatch(n int) {
	s.batches[min(bits.Len(uint(n))-1, batchBuckets-1)].Add(1)
}

// batchSizes renders the batch-size distribution: "1:n 2-3:n … 256-511:n
// 512+:n" (empty buckets left out), the number of batches and their mean
// size bounds are in Stats.
func (s Stats) batchSizes() string {
	var parts []string
	for i, n := range s.BatchSizes {
		if n == 0 {
			continue
		}
		lo, hi := 1<<i, 1<<(i+1)-1
		switch {
		case i == batchBuckets-1:
			parts = append(parts, fmt.Sprintf("%d+:%d", lo, n))
		case lo == hi:
			parts = append(parts, fmt.Sprintf("%d:%d", lo, n))
		default:
			parts = append(parts, fmt.Sprintf("%d-%d:%d", lo, hi, n))
		}
	}
	return strings.Join(parts, " ")
}

// Driver sends to and reads from one Kinesis stream. It is safe for
// concurrent use.
type Driver struct {
	opts    Options
	client  *kinesis.Client
	hc      aws.HTTPClient
	backoff *driver.Backoff
	st      stats

	mu        sync.Mutex
	stream    string
	created   string    // the stream Setup created, which RemoveCreated deletes
	startAt   time.Time // Setup's end; zero before Setup
	startIDs  []string  // shards open at Setup; consumers start there
	consumers []string  // EFO consumer ARNs registered by this driver

	batch  *batcher // nil when BatchSize ≤ 1
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // batcher and in-flight batch calls
}

var _ bench.Driver = (*Driver)(nil)

// New validates opts and builds the client. It makes no network call.
func New(opts Options) (*Driver, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	var hc aws.HTTPClient = opts.HTTPClient
	if hc == nil {
		hc = newHTTPClient(opts)
	}
	// The driver retries throttling itself (counted, bounded); the SDK's
	// standard retryer would retry the same errors invisibly and apply its
	// own client-side rate limit.
	nop := func() aws.Retryer { return aws.NopRetryer{} }
	var cfg aws.Config
	if opts.Endpoint != "" {
		cfg = aws.Config{
			Region:      opts.Region,
			Credentials: endpointCredentials(opts.Getenv),
			HTTPClient:  SafeBodies(hc),
			Retryer:     nop,
		}
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), opts.SetupTimeout)
		defer cancel()
		loadOpts := []func(*config.LoadOptions) error{config.WithHTTPClient(hc), config.WithRetryer(nop)}
		if opts.Region != "" {
			loadOpts = append(loadOpts, config.WithRegion(opts.Region))
		}
		var err error
		if cfg, err = config.LoadDefaultConfig(ctx, loadOpts...); err != nil {
			return nil, fmt.Errorf("kinesis: load AWS configuration: %w", err)
		}
		if cfg.Region == "" {
			return nil, driver.Invalid(Name, "Region", "", "set (flag, AWS_REGION or the shared config) when Endpoint is empty")
		}
		cfg.HTTPClient = SafeBodies(cfg.HTTPClient) // after loading, which may add a CA bundle to it
	}
	client := kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
		// PutRecords bodies go into reused buffers (see putbody.go).
		o.Protocol = putRecordsProtocol{ClientProtocol: o.Protocol}
	})
	d := &Driver{
		opts:    opts,
		client:  client,
		hc:      hc,
		backoff: driver.NewBackoff(opts.Backoff, opts.MaxBackoff, opts.Seed),
		stream:  opts.Stream,
	}
	d.opts.Region = cfg.Region
	d.ctx, d.cancel = context.WithCancel(context.Background())
	if opts.BatchSize > 1 {
		d.batch = newBatcher(d)
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			d.batch.run(d.ctx)
		}()
	}
	return d, nil
}

// newHTTPClient builds the SDK's buildable client (so a custom CA bundle
// from the AWS configuration still applies) with bounded connects and
// enough idle connections per host that concurrent sends reuse them. No
// overall timeout: calls are bounded by RequestTimeout contexts, and an
// EFO subscription legitimately streams for five minutes.
func newHTTPClient(o Options) *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = o.DialTimeout }).
		WithTransportOptions(func(tr *http.Transport) {
			tr.MaxIdleConns = 1024
			tr.MaxIdleConnsPerHost = 512
			tr.TLSHandshakeTimeout = o.DialTimeout
			tr.ResponseHeaderTimeout = o.RequestTimeout
		})
}

// endpointCredentials returns the AWS credentials from the environment when
// both keys are set, else static dummy ones that local servers accept.
func endpointCredentials(getenv func(string) string) aws.CredentialsProvider {
	id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if id != "" && secret != "" {
		return credentials.NewStaticCredentialsProvider(id, secret, getenv("AWS_SESSION_TOKEN"))
	}
	return credentials.NewStaticCredentialsProvider("streamcap", "streamcap", "")
}

// Info reports the SDK version, the endpoint, every setting (the stream and
// its open shard count as found by Setup) and the counters so far (keys
// "stats.*").
func (d *Driver) Info() bench.DriverInfo {
	o := d.opts
	s := d.Stats()
	endpoint := o.Endpoint
	if endpoint == "" {
		endpoint = "aws:" + o.Region
	}
	mode := "PutRecord"
	if o.BatchSize > 1 {
		mode = "PutRecords"
	}
	i64 := func(n int64) string { return strconv.FormatInt(n, 10) }
	return bench.DriverInfo{
		Name:     Name,
		Version:  driver.ModuleVersion(clientModule, clientPinned),
		Endpoint: endpoint,
		Settings: map[string]string{
			"stream":                 d.currentStream(),
			"region":                 o.Region,
			"shards":                 strconv.Itoa(d.shardCount()),
			"put":                    mode,
			"batch_size":             strconv.Itoa(o.BatchSize),
			"linger":                 o.Linger.String(),
			"max_retries":            strconv.Itoa(o.MaxRetries),
			"backoff":                o.Backoff.String(),
			"max_backoff":            o.MaxBackoff.String(),
			"max_inflight_batches":   strconv.Itoa(o.MaxInflightBatches),
			"consumer":               o.Consumer,
			"poll_interval":          o.PollInterval.String(),
			"request_timeout":        o.RequestTimeout.String(),
			"stats.acked":            i64(s.Acked),
			"stats.failed":           i64(s.Failed),
			"stats.throttled":        i64(s.Throttled),
			"stats.throttled_final":  i64(s.ThrottledFinal),
			"stats.retries":          i64(s.Retries),
			"stats.calls":            i64(s.Calls),
			"stats.transport_errors": i64(s.TransportErrors),
			"stats.read_throttles":   i64(s.ReadThrottles),
			"stats.read_errors":      i64(s.ReadErrors),
			"stats.batch_sizes":      s.batchSizes(),
		},
	}
}

// Stats returns the counters since New.
func (d *Driver) Stats() Stats {
	return Stats{
		Acked:           d.st.acked.Load(),
		Failed:          d.st.failed.Load(),
		Throttled:       d.st.throttled.Load(),
		ThrottledFinal:  d.st.throttledFinal.Load(),
		Retries:         d.st.retries.Load(),
		Calls:           d.st.calls.Load(),
		TransportErrors: d.st.transportErrors.Load(),
		ReadThrottles:   d.st.readThrottles.Load(),
		ReadErrors:      d.st.readErrors.Load(),
		BatchSizes:      d.st.batchSizesNow(),
	}
}

func (s *stats) batchSizesNow() [batchBuckets]int64 {
	var out [batchBuckets]int64
	for i := range out {
		out[i] = s.batches[i].Load()
	}
	return out
}

// shardCount is the open shard count Setup found, else Options.Shards.
func (d *Driver) shardCount() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.startIDs != nil {
		return len(d.startIDs)
	}
	return d.opts.Shards
}

func (d *Driver) currentStream() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stream
}

// Setup creates the stream with Topology.Shards (or Options.Shards) shards
// when it does not exist, waits until it is ACTIVE (bounded by
// SetupTimeout), and notes the time (to the millisecond, the API's
// resolution) and the open shards: consumers start there (AT_TIMESTAMP),
// so they see every record sent after Setup, across any resharding, and
// none from earlier runs (but for the same millisecond; on AWS, up to the
// skew between this clock and the service's).
func (d *Driver) Setup(ctx context.Context, topo bench.Topology) error {
	ctx, cancel := context.WithTimeout(ctx, d.opts.SetupTimeout)
	defer cancel()
	stream, shards := topo.Or(d.opts.Stream, d.opts.Shards)
	if _, err := d.describe(ctx, stream); err != nil {
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) {
			return fmt.Errorf("kinesis: setup: describe stream %q at %s: %w", stream, d.endpoint(), err)
		}
		cctx, ccancel := context.WithTimeout(ctx, d.opts.RequestTimeout)
		_, err := d.client.CreateStream(cctx, &kinesis.CreateStreamInput{
			StreamName:        aws.String(stream),
			ShardCount:        aws.Int32(int32(shards)),
			StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned},
		})
		ccancel()
		var inUse *types.ResourceInUseException
		if err != nil && !errors.As(err, &inUse) {
			return fmt.Errorf("kinesis: setup: create stream %q with %d shards: %w", stream, shards, err)
		}
		if err == nil {
			d.mu.Lock()
			d.created = stream // RemoveCreated may delete it
			d.mu.Unlock()
		}
	}
	for attempt := 0; ; attempt++ {
		sum, err := d.describe(ctx, stream)
		if err == nil && sum.StreamStatus == types.StreamStatusActive {
			break
		}
		if err != nil && ctx.Err() != nil {
			return fmt.Errorf("kinesis: setup: wait for stream %q: %w", stream, err)
		}
		if serr := driver.Sleep(ctx, min(50*time.Millisecond<<min(attempt, 5), time.Second)); serr != nil {
			return fmt.Errorf("kinesis: setup: stream %q not ACTIVE within %v: %w", stream, d.opts.SetupTimeout, serr)
		}
	}
	startAt := d.opts.Now().Truncate(time.Millisecond)
	ids, err := d.openShards(ctx, stream)
	if err != nil {
		return fmt.Errorf("kinesis: setup: %w", err)
	}
	d.mu.Lock()
	d.stream, d.startAt, d.startIDs = stream, startAt, ids
	d.mu.Unlock()
	return nil
}

// describe returns the stream's summary.
func (d *Driver) describe(ctx context.Context, stream string) (*types.StreamDescriptionSummary, error) {
	ctx, cancel := context.WithTimeout(ctx, d.opts.RequestTimeout)
	defer cancel()
	out, err := d.client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	if err != nil {
		return nil, err
	}
	if out.StreamDescriptionSummary == nil {
		return nil, fmt.Errorf("kinesis: describe stream %q: empty summary", stream)
	}
	return out.StreamDescriptionSummary, nil
}

func (d *Driver) endpoint() string {
	if d.opts.Endpoint != "" {
		return d.opts.Endpoint
	}
	return "aws:" + d.opts.Region
}

// Send writes one record and returns when it is acknowledged or has failed
// (after MaxRetries throttling retries; the error then wraps
// bench.ErrThrottled). With batching the payload is copied, so the caller
// may reuse it even if ctx ends first.
func (d *Driver) Send(ctx context.Context, key string, payload []byte) error {
	var err error
	if d.batch != nil {
		err = d.batch.send(ctx, key, payload)
	} else {
		err = d.putRecord(ctx, key, payload)
	}
	if err != nil {
		d.st.failed.Add(1)
		if errors.Is(err, bench.ErrThrottled) {
			d.st.throttledFinal.Add(1)
		}
		return err
	}
	d.st.acked.Add(1)
	return nil
}

// putRecord sends one record with PutRecord, retrying throttles.
func (d *Driver) putRecord(ctx context.Context, key string, payload []byte) error {
	stream := d.currentStream()
	for attempt := 0; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, d.opts.RequestTimeout)
		out, err := d.client.PutRecord(cctx, &kinesis.PutRecordInput{
			StreamName:   aws.String(stream),
			PartitionKey: aws.String(key),
			Data:         payload,
		})
		cancel()
		d.st.calls.Add(1)
		if err == nil {
			if aws.ToString(out.SequenceNumber) == "" || aws.ToString(out.ShardId) == "" {
				return fmt.Errorf("kinesis: put record to %q: %w: answer without SequenceNumber or ShardId", stream, bench.ErrInvalidResponse)
			}
			return nil
		}
		switch {
		case isThrottle(err):
			d.st.throttled.Add(1)
			if attempt >= d.opts.MaxRetries {
				return fmt.Errorf("kinesis: put record to %q: %w after %d attempts: %w", stream, bench.ErrThrottled, attempt+1, err)
			}
		case isTransient(err) && ctx.Err() == nil:
			d.st.transportErrors.Add(1)
			if attempt >= d.opts.MaxRetries {
				return fmt.Errorf("kinesis: put record to %q: failed after %d attempts: %w", stream, attempt+1, err)
			}
		default:
			return fmt.Errorf("kinesis: put record to %q: %w", stream, err)
		}
		d.st.retries.Add(1)
		if serr := driver.Sleep(ctx, d.backoff.Delay(attempt)); serr != nil {
			return fmt.Errorf("kinesis: put record to %q: %w (while backing off after throttling: %w)", stream, serr, err)
		}
	}
}

// Error codes that mean "over capacity, retry later".
const (
	codeThrottled     = "ProvisionedThroughputExceededException"
	codeKMSThrottling = "KMSThrottlingException"
	codeInternal      = "InternalFailure"
)

// isThrottle reports whether err is a capacity refusal.
func isThrottle(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return isThrottleCode(ae.ErrorCode())
	}
	return false
}

func isThrottleCode(code string) bool { return code == codeThrottled || code == codeKMSThrottling }

// isTransient reports whether err is a connection lost after the request
// went out: reset by the peer, closed under a response being read (the two
// are one TCP RST seen by different reads), or an unexpected EOF. The SDK's
// standard retryer retries these; dial failures (nothing listening) are not
// transient here, so an unreachable endpoint fails at once.
func isTransient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false
	}
	msg := err.Error()
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		strings.Contains(msg, "use of closed network connection") || strings.Contains(msg, "connection reset")
}

// Close stops the batcher (queued sends fail), deregisters the enhanced
// fan-out consumers this driver registered, and closes idle connections
// when the HTTP client supports it (an *http.Client given in Options).
func (d *Driver) Close() error {
	d.cancel()
	d.wg.Wait()
	if d.batch != nil {
		d.batch.drain()
	}
	d.mu.Lock()
	arns := d.consumers
	d.consumers = nil
	d.mu.Unlock()
	var errs []error
	for _, arn := range arns {
		ctx, cancel := context.WithTimeout(context.Background(), d.opts.RequestTimeout)
		_, err := d.client.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(arn)})
		cancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("kinesis: deregister consumer %s: %w", arn, err))
		}
	}
	if hc, ok := d.hc.(interface{ CloseIdleConnections() }); ok {
		hc.CloseIdleConnections()
	}
	return errors.Join(errs...)
}
