package kinesis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/driver"
)

// getRecordsLimit is the most records one GetRecords call returns (the API
// maximum).
const getRecordsLimit = 10_000

// Consume reads the shards that were open at Setup as consumer number index
// and calls fn for each record, from this goroutine, until ctx ends. They
// start at Setup's timestamp (AT_TIMESTAMP); without Setup, the shards open
// now start at LATEST. When a shard closes (split or merge), its children
// are read from TRIM_HORIZON once all of their parents that this consumer
// was reading are finished, so per-key order holds across resharding.
//
// Polling reads each shard with GetRecords every PollInterval; throttled
// reads back off and are counted (Stats.ReadThrottles). Enhanced fan-out
// registers consumer ConsumerName-index (reused if it exists) and keeps one
// SubscribeToShard subscription per shard, renewed from its continuation
// sequence number when the server ends it (every 5 minutes on AWS).
func (d *Driver) Consume(ctx context.Context, index int, fn func(bench.Delivery)) error {
	d.mu.Lock()
	stream, startAt, shards := d.stream, d.startAt, d.startIDs
	d.mu.Unlock()
	pos := types.StartingPosition{Type: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(startAt)}
	if startAt.IsZero() { // no Setup: the shards open now, from their tips
		var err error
		if shards, err = d.openShards(ctx, stream); err != nil {
			return fmt.Errorf("kinesis: consumer %d: %w", index, err)
		}
		pos = types.StartingPosition{Type: types.ShardIteratorTypeLatest}
	}
	c := &consumeRun{d: d, stream: stream, out: make(chan []bench.Delivery, 64), fatal: make(chan error, 1)}
	if d.opts.Consumer == ConsumerEFO {
		var err error
		if c.consumerARN, err = d.registerConsumer(ctx, stream, index); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	readers := driver.NewShardReaders(c.read, types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon})
	for _, id := range shards {
		readers.Start(ctx, id, pos)
	}
	done := readers.Done()
	for {
		select {
		case batch := <-c.out:
			for _, dl := range batch {
				fn(dl)
			}
		case <-ctx.Done():
			<-done // readers stop promptly: every wait selects on ctx
			return nil
		case <-done: // every shard closed with no children to follow
			return nil
		case err := <-c.fatal:
			cancel()
			<-done
			return fmt.Errorf("kinesis: consumer %d of %q: %w", index, stream, err)
		}
	}
}

// consumeRun is one Consume call: its shard readers and their lineage.
type consumeRun struct {
	d           *Driver
	stream      string
	consumerARN string // EFO only
	out         chan []bench.Delivery
	fatal       chan error // first error no retry can cure; ends Consume
}

// read reads shard id from pos to its end, by subscription (EFO) or
// polling, and returns its children (see driver.ShardReaders).
func (c *consumeRun) read(ctx context.Context, id string, pos types.StartingPosition) []driver.Child {
	var children []types.ChildShard
	if c.consumerARN != "" {
		children = c.subscribe(ctx, id, pos)
	} else {
		children = c.poll(ctx, id, pos)
	}
	out := make([]driver.Child, 0, len(children))
	for _, ch := range children {
		if ch.ShardId != nil {
			out = append(out, driver.Child{ID: *ch.ShardId, Parents: ch.ParentShards})
		}
	}
	return out
}

// deliver hands records to the Consume goroutine; false when ctx ended.
func (c *consumeRun) deliver(ctx context.Context, recs []types.Record) bool {
	if len(recs) == 0 {
		return true
	}
	now := c.d.opts.Now()
	batch := make([]bench.Delivery, len(recs))
	for i, r := range recs {
		batch[i] = bench.Delivery{Payload: r.Data, ReceivedAt: now}
	}
	select {
	case c.out <- batch:
		return true
	case <-ctx.Done():
		return false
	}
}

// pause handles a failed read: throttles back off exponentially (with
// jitter), other transient errors wait at least PollInterval, and an error
// no retry can cure (see permanent) is reported to end Consume. It counts
// the failure and returns false when the reader must stop.
func (c *consumeRun) pause(ctx context.Context, err error, attempt int) bool {
	d := c.d
	if isThrottle(err) {
		d.st.readThrottles.Add(1)
	} else {
		d.st.readErrors.Add(1)
	}
	if permanent(err) {
		select {
		case c.fatal <- err:
		default:
		}
		return false
	}
	return driver.Sleep(ctx, max(d.backoff.Delay(attempt), d.opts.PollInterval)) == nil
}

// retryableCode reports whether an API error code is one a reader waits
// out: capacity, a subscription the server still holds, an expired
// iterator, a server-side failure.
func retryableCode(code string) bool {
	switch code {
	case codeThrottled, codeKMSThrottling, codeInternal, "LimitExceededException", "ResourceInUseException",
		"ExpiredIteratorException", "ServiceUnavailable", "ServiceUnavailableException":
		return true
	}
	return false
}

// permanent reports whether err is an API error that retrying cannot fix
// (an unknown operation, a missing stream, bad credentials): a client fault
// whose code is not retryableCode. Network errors and server faults
// (5xx) are transient.
func permanent(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) || retryableCode(ae.ErrorCode()) {
		return false
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
		return false
	}
	return true
}

// poll reads one shard with GetRecords until it closes (returning its
// children) or ctx ends (returning nil).
func (c *consumeRun) poll(ctx context.Context, id string, pos types.StartingPosition) []types.ChildShard {
	d := c.d
	iter, lastSeq, failures := "", "", 0
	for ctx.Err() == nil {
		if iter == "" {
			in := &kinesis.GetShardIteratorInput{
				StreamName:             aws.String(c.stream),
				ShardId:                aws.String(id),
				ShardIteratorType:      pos.Type,
				Timestamp:              pos.Timestamp,
				StartingSequenceNumber: pos.SequenceNumber,
			}
			if lastSeq != "" { // resume after an expired iterator
				in.ShardIteratorType, in.StartingSequenceNumber, in.Timestamp = types.ShardIteratorTypeAfterSequenceNumber, aws.String(lastSeq), nil
			}
			cctx, cancel := context.WithTimeout(ctx, d.opts.RequestTimeout)
			out, err := d.client.GetShardIterator(cctx, in)
			cancel()
			if err != nil {
				if !c.pause(ctx, err, failures) {
					return nil
				}
				failures++
				continue
			}
			iter = aws.ToString(out.ShardIterator)
			if iter == "" {
				return nil
			}
		}
		cctx, cancel := context.WithTimeout(ctx, d.opts.RequestTimeout)
		out, err := d.client.GetRecords(cctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(iter), Limit: aws.Int32(getRecordsLimit)})
		cancel()
		if err != nil {
			var expired *types.ExpiredIteratorException
			if errors.As(err, &expired) {
				iter = ""
			}
			if !c.pause(ctx, err, failures) {
				return nil
			}
			failures++
			continue
		}
		failures = 0
		if !c.deliver(ctx, out.Records) {
			return nil
		}
		if n := len(out.Records); n > 0 {
			lastSeq = aws.ToString(out.Records[n-1].SequenceNumber)
		}
		if out.NextShardIterator == nil || *out.NextShardIterator == "" {
			return out.ChildShards
		}
		iter = *out.NextShardIterator
		_ = driver.Sleep(ctx, d.opts.PollInterval)
	}
	return nil
}

// subscribe reads one shard through enhanced fan-out until it closes
// (returning its children) or ctx ends (returning nil).
func (c *consumeRun) subscribe(ctx context.Context, id string, pos types.StartingPosition) []types.ChildShard {
	d := c.d
	// One client per shard reader: the SDK's event-stream decoder lives in
	// the client's protocol and is not safe for concurrent streams
	// (aws-sdk-go-v2 kinesis v1.56 / smithy-go v1.28 race on it), while a
	// reader's subscriptions run one after another. kinesis.New builds a
	// fresh protocol for the copied options.
	client := kinesis.New(d.client.Options())
	failures := 0
	for ctx.Err() == nil {
		cctx, cancel := context.WithCancel(ctx)
		out, err := client.SubscribeToShard(cctx, &kinesis.SubscribeToShardInput{
			ConsumerARN:      aws.String(c.consumerARN),
			ShardId:          aws.String(id),
			StartingPosition: &pos,
		})
		if err != nil {
			cancel()
			if !c.pause(ctx, err, failures) {
				return nil
			}
			failures++
			continue
		}
		es := out.GetStream()
		stop := context.AfterFunc(cctx, func() { _ = es.Close() })
		ended, delivered := false, true
		var children []types.ChildShard
		for ev := range es.Events() {
			e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !ok {
				continue
			}
			if delivered = c.deliver(ctx, e.Value.Records); !delivered {
				break
			}
			failures = 0
			if len(e.Value.ChildShards) > 0 { // the shard closed and was read to its end
				ended, children = true, e.Value.ChildShards
				break
			}
			if cont := e.Value.ContinuationSequenceNumber; cont != nil && *cont != "" {
				pos = types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: cont}
			}
		}
		stop()
		_ = es.Close()
		err = es.Err()
		cancel()
		if ended || !delivered {
			return children
		}
		if err != nil && ctx.Err() == nil {
			if !c.pause(ctx, err, failures) {
				return nil
			}
			failures++
		}
	}
	return nil
}

// openShards lists the stream's open shards (no ending sequence number).
func (d *Driver) openShards(ctx context.Context, stream string) ([]string, error) {
	var ids []string
	in := &kinesis.ListShardsInput{StreamName: aws.String(stream)}
	for {
		cctx, cancel := context.WithTimeout(ctx, d.opts.RequestTimeout)
		out, err := d.client.ListShards(cctx, in)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("list shards of %q at %s: %w", stream, d.endpoint(), err)
		}
		for _, s := range out.Shards {
			if s.SequenceNumberRange == nil || s.SequenceNumberRange.EndingSequenceNumber == nil {
				ids = append(ids, aws.ToString(s.ShardId))
			}
		}
		if out.NextToken == nil || *out.NextToken == "" {
			return ids, nil
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
}

// registerConsumer registers (or finds) the enhanced fan-out consumer
// ConsumerName-index on the stream and waits until it is ACTIVE, bounded by
// SetupTimeout. Consumers this driver registered are deregistered by Close.
func (d *Driver) registerConsumer(ctx context.Context, stream string, index int) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, d.opts.SetupTimeout)
	defer cancel()
	sum, err := d.describe(ctx, stream)
	if err != nil {
		return "", fmt.Errorf("kinesis: efo: describe stream %q: %w", stream, err)
	}
	name := fmt.Sprintf("%s-%d", d.opts.ConsumerName, index)
	cctx, ccancel := context.WithTimeout(ctx, d.opts.RequestTimeout)
	reg, err := d.client.RegisterStreamConsumer(cctx, &kinesis.RegisterStreamConsumerInput{StreamARN: sum.StreamARN, ConsumerName: aws.String(name)})
	ccancel()
	var arn string
	var inUse *types.ResourceInUseException
	switch {
	case err == nil && reg.Consumer != nil:
		arn = aws.ToString(reg.Consumer.ConsumerARN)
		d.mu.Lock()
		d.consumers = append(d.consumers, arn)
		d.mu.Unlock()
	case errors.As(err, &inUse): // registered by an earlier run: reuse it
	default:
		return "", fmt.Errorf("kinesis: efo: register consumer %q on %q: %w", name, stream, err)
	}
	for attempt := 0; ; attempt++ {
		in := &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)}
		if arn == "" {
			in = &kinesis.DescribeStreamConsumerInput{StreamARN: sum.StreamARN, ConsumerName: aws.String(name)}
		}
		cctx, ccancel := context.WithTimeout(ctx, d.opts.RequestTimeout)
		out, err := d.client.DescribeStreamConsumer(cctx, in)
		ccancel()
		if err == nil && out.ConsumerDescription != nil {
			arn = aws.ToString(out.ConsumerDescription.ConsumerARN)
			if out.ConsumerDescription.ConsumerStatus == types.ConsumerStatusActive {
				return arn, nil
			}
		}
		if serr := driver.Sleep(ctx, min(50*time.Millisecond<<min(attempt, 5), time.Second)); serr != nil {
			return "", fmt.Errorf("kinesis: efo: consumer %q not ACTIVE within %v: %w (last error: %v)", name, d.opts.SetupTimeout, serr, err)
		}
	}
}
