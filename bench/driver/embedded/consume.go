package embedded

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/driver"
	"github.com/streamcap/streamcap/bench/engine"
)

// getRecordsLimit is the most records one GetRecords call asks for.
const getRecordsLimit = 10_000

// retryPause is the wait after a failed consumer read (throttled or not)
// before it is tried again; at least PollInterval is waited when polling.
const retryPause = 100 * time.Millisecond

// position is where a shard reader starts.
type position struct {
	typ engine.IteratorType
	seq string
	ts  time.Time
}

// Consume reads the shards that were open at Setup as consumer number index
// and calls fn for each record, from this goroutine, until ctx ends. They
// start at Setup's time (AT_TIMESTAMP); without Setup, the shards open now
// start at LATEST. The children of a shard that closes are read from TRIM_HORIZON once all their
// parents being read are finished.
//
// With ConsumerSubscribe, consumer ConsumerName-index is registered (or
// reused) and each shard is read through engine.Subscribe, renewed from its
// continuation sequence number when a subscription ends. With
// ConsumerPolling each shard is read with GetRecords every PollInterval.
func (d *Driver) Consume(ctx context.Context, index int, fn func(bench.Delivery)) error {
	d.mu.Lock()
	stream, startAt, shards := d.stream, d.startAt, d.startShards
	d.mu.Unlock()
	pos := position{typ: engine.AtTimestamp, ts: startAt}
	if startAt.IsZero() { // no Setup: the shards open now, from their tips
		var err error
		if shards, err = d.openShards(stream); err != nil {
			return fmt.Errorf("embedded: consumer %d: %w", index, err)
		}
		pos = position{typ: engine.Latest}
	}
	c := &consumeRun{d: d, stream: stream, out: make(chan batch, 64)}
	if d.opts.Consumer == ConsumerSubscribe {
		var err error
		if c.arn, err = d.consumerARN(stream, index); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	readers := driver.NewShardReaders(c.read, position{typ: engine.TrimHorizon})
	for _, id := range shards {
		readers.Start(ctx, id, pos)
	}
	done := readers.Done()
	for {
		select {
		case b := <-c.out:
			for _, dl := range b.recs {
				fn(dl)
			}
			b.release()
		case <-ctx.Done():
			<-done
			return nil
		case <-done:
			return nil
		}
	}
}

// consumerARN registers consumer ConsumerName-index, or finds it when an
// earlier run registered it.
func (d *Driver) consumerARN(stream string, index int) (string, error) {
	name := fmt.Sprintf("%s-%d", d.opts.ConsumerName, index)
	c, err := d.eng.RegisterConsumer(stream, name)
	if hasCode(err, engine.ErrResourceInUse) {
		c, err = d.eng.DescribeConsumer(stream, name, "")
	}
	if err != nil {
		return "", fmt.Errorf("embedded: consumer %d: register %q on %q: %w", index, name, stream, err)
	}
	return c.ARN, nil
}

// consumeRun is one Consume call: where its shard readers deliver.
type consumeRun struct {
	d      *Driver
	stream string
	arn    string // subscription consumer; "" when polling
	out    chan batch
}

// batch is one read's records on their way to the Consume goroutine. A polling reader's records
// live in its read buffers, which go back to it (on back) once fn has seen every record, so the
// next poll copies into memory already touched rather than fresh memory (see engine.ReadBuffers).
type batch struct {
	recs []bench.Delivery
	bufs *readBuffers
	back chan<- *readBuffers
}

// readBuffers is what a polling reader lends its reads and deliveries.
type readBuffers struct {
	engine.ReadBuffers
	recs []bench.Delivery
}

// release hands b's buffers back to their reader.
func (b batch) release() {
	if b.back == nil {
		return
	}
	select {
	case b.back <- b.bufs:
	default:
	}
}

// read reads shard id from pos to its end, by subscription or polling,
// and returns its children (see driver.ShardReaders).
func (c *consumeRun) read(ctx context.Context, id string, pos position) []driver.Child {
	var children []engine.Shard
	if c.arn != "" {
		children = c.subscribe(ctx, id, pos)
	} else {
		children = c.poll(ctx, id, pos)
	}
	out := make([]driver.Child, len(children))
	for i, ch := range children {
		out[i] = driver.Child{ID: ch.ID, Parents: []string{ch.ParentShardID, ch.AdjacentParentShardID}}
	}
	return out
}

// deliver hands records to the Consume goroutine; false when ctx ended. With bufs set, the
// records' bytes are in bufs, whose deliveries slice is reused too, and bufs goes back on back
// once they are consumed.
func (c *consumeRun) deliver(ctx context.Context, recs []engine.StoredRecord, bufs *readBuffers, back chan<- *readBuffers) bool {
	if len(recs) == 0 {
		if bufs != nil {
			batch{bufs: bufs, back: back}.release()
		}
		return true
	}
	now := c.d.opts.Now()
	var out []bench.Delivery
	if bufs != nil {
		out = slices.Grow(bufs.recs[:0], len(recs))[:len(recs)]
		bufs.recs = out
	} else {
		out = make([]bench.Delivery, len(recs))
	}
	for i, r := range recs {
		out[i] = bench.Delivery{Payload: r.Data, ReceivedAt: now}
	}
	select {
	case c.out <- batch{recs: out, bufs: bufs, back: back}:
		return true
	case <-ctx.Done():
		return false
	}
}

// failed counts a failed read and waits before the retry.
func (c *consumeRun) failed(ctx context.Context, err error) {
	if hasCode(err, engine.ErrThroughputExceeded) {
		c.d.readThrottles.Add(1)
	} else {
		c.d.readErrors.Add(1)
	}
	_ = driver.Sleep(ctx, retryPause)
}

// poll reads one shard with GetRecords until it closes (returning its
// children) or ctx ends.
func (c *consumeRun) poll(ctx context.Context, id string, pos position) []engine.Shard {
	iter, lastSeq := "", ""
	// One set of buffers: a poll waits (at most) until the previous poll's records are consumed,
	// which a second of polling interval leaves ample time for, and the buffers grow into fresh
	// memory once rather than twice.
	back := make(chan *readBuffers, 1)
	back <- new(readBuffers)
	for ctx.Err() == nil {
		if iter == "" {
			typ, seq, ts := pos.typ, pos.seq, pos.ts
			if lastSeq != "" { // resume after an expired iterator
				typ, seq, ts = engine.AfterSequenceNumber, lastSeq, time.Time{}
			}
			it, err := c.d.eng.GetShardIterator(c.stream, id, typ, seq, ts)
			if err != nil {
				c.failed(ctx, err)
				continue
			}
			iter = it
		}
		var bufs *readBuffers
		select {
		case bufs = <-back:
		case <-ctx.Done():
			return nil
		}
		res, err := c.d.eng.GetRecordsInto(iter, getRecordsLimit, &bufs.ReadBuffers)
		if err != nil {
			back <- bufs
			if hasCode(err, engine.ErrExpiredIterator) {
				iter = ""
			}
			c.failed(ctx, err)
			continue
		}
		if n := len(res.Records); n > 0 {
			lastSeq = res.Records[n-1].SequenceNumber
		}
		if !c.deliver(ctx, res.Records, bufs, back) {
			return nil
		}
		if res.NextShardIterator == "" {
			return res.ChildShards
		}
		iter = res.NextShardIterator
		_ = driver.Sleep(ctx, c.d.opts.PollInterval)
	}
	return nil
}

// subscribe reads one shard through engine subscriptions until it closes
// (returning its children) or ctx ends.
func (c *consumeRun) subscribe(ctx context.Context, id string, pos position) []engine.Shard {
	for ctx.Err() == nil {
		events, err := c.d.eng.Subscribe(ctx, c.arn, id, pos.typ, pos.seq, pos.ts)
		if err != nil {
			c.failed(ctx, err)
			continue
		}
		var endErr error
		for ev := range events {
			if !c.deliver(ctx, ev.Records, nil, nil) {
				return nil
			}
			if ev.Err != nil {
				endErr = ev.Err
				break
			}
			if len(ev.ChildShards) > 0 {
				// The shard closed and was read to its end.
				return ev.ChildShards
			}
			if ev.ContinuationSequenceNumber != "" {
				pos = position{typ: engine.AfterSequenceNumber, seq: ev.ContinuationSequenceNumber}
			}
		}
		if endErr != nil && ctx.Err() == nil {
			c.failed(ctx, endErr)
		}
	}
	return nil
}
