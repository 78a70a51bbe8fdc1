package engine

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// RegisterConsumer registers an enhanced fan-out consumer (at most 20 per stream). It is ACTIVE
// at once; its ARN is the stream ARN + "/consumer/NAME:UNIXSECONDS".
func (e *Engine) RegisterConsumer(stream, name string) (Consumer, error) {
	if err := checkName("consumer name", name); err != nil {
		return Consumer{}, err
	}
	s, err := e.lookup(stream)
	if err != nil {
		return Consumer{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.consumers {
		if c.Name == name {
			return Consumer{}, errorf(ErrResourceInUse, "consumer %s already exists on stream %s", name, s.name)
		}
	}
	if len(s.consumers) >= maxConsumers {
		return Consumer{}, errorf(ErrLimitExceeded, "stream %s already has %d consumers: at most %d", s.name, len(s.consumers), maxConsumers)
	}
	now := e.clock.Now()
	c := Consumer{
		Name: name, ARN: s.arn + "/consumer/" + name + ":" + strconv.FormatInt(now.Unix(), 10),
		Status: "ACTIVE", CreatedAt: now, StreamARN: s.arn,
	}
	m := s.metaLocked()
	m.Consumers = append(m.Consumers, c)
	if err := s.writeMeta(m); err != nil {
		return Consumer{}, err
	}
	s.consumers = append(s.consumers, c)
	return c, nil
}

// streamOfConsumerARN returns the stream name inside a consumer ARN.
func streamOfConsumerARN(arn string) (string, bool) {
	rest, ok := strings.CutPrefix(arn, arnPrefix)
	if !ok {
		return "", false
	}
	name, _, ok := strings.Cut(rest, "/consumer/")
	return name, ok
}

// findConsumer resolves a consumer by ARN, or by stream and name.
func (e *Engine) findConsumer(stream, name, arn string) (*stream, int, error) {
	if arn != "" {
		sn, ok := streamOfConsumerARN(arn)
		if !ok {
			return nil, 0, errorf(ErrInvalidArgument, "consumer ARN %q: must look like %sSTREAM/consumer/NAME:SECONDS", arn, arnPrefix)
		}
		stream = sn
	} else if stream == "" || name == "" {
		return nil, 0, errorf(ErrInvalidArgument, "consumer: give its ARN, or both stream and consumer name")
	}
	s, err := e.lookup(stream)
	if err != nil {
		return nil, 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for i, c := range s.consumers {
		if arn != "" && c.ARN == arn || arn == "" && c.Name == name {
			return s, i, nil
		}
	}
	what := arn
	if what == "" {
		what = name
	}
	return nil, 0, errorf(ErrResourceNotFound, "consumer %s on stream %s under account %s not found", what, stream, accountID)
}

// DescribeConsumer describes a consumer given its ARN, or its stream and name.
func (e *Engine) DescribeConsumer(stream, name, consumerARN string) (Consumer, error) {
	s, i, err := e.findConsumer(stream, name, consumerARN)
	if err != nil {
		return Consumer{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if i >= len(s.consumers) {
		return Consumer{}, errorf(ErrResourceNotFound, "consumer %s not found", name)
	}
	return s.consumers[i], nil
}

// ListConsumers lists a stream's consumers in registration order.
func (e *Engine) ListConsumers(stream string) ([]Consumer, error) {
	s, err := e.lookup(stream)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]Consumer{}, s.consumers...), nil
}

// DeregisterConsumer removes a consumer given its ARN, or its stream and name. Its open
// subscriptions end with ResourceNotFoundException.
func (e *Engine) DeregisterConsumer(stream, name, consumerARN string) error {
	s, _, err := e.findConsumer(stream, name, consumerARN)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, c := range s.consumers {
		if consumerARN != "" && c.ARN == consumerARN || consumerARN == "" && c.Name == name {
			m := s.metaLocked()
			m.Consumers = append(m.Consumers[:i:i], m.Consumers[i+1:]...)
			if err := s.writeMeta(m); err != nil {
				return err
			}
			s.consumers = m.Consumers
			for _, sh := range s.shards {
				sh.mu.Lock()
				delete(sh.efo, c.ARN)
				sh.wakeLocked() // subscribers notice the deregistration
				sh.mu.Unlock()
			}
			return nil
		}
	}
	return errorf(ErrResourceNotFound, "consumer %s on stream %s not found", name, s.name)
}

// hasConsumer reports whether arn is still registered.
func (s *stream) hasConsumer(arn string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, c := range s.consumers {
		if c.ARN == arn {
			return true
		}
	}
	return false
}

// Subscription tuning.
const (
	subscribeEventBytes = 1 << 20         // records per event, at most this many bytes (at least one record)
	subscribeHeartbeat  = 5 * time.Second // an empty event after this long without records, like Kinesis
	subscribeMaxPause   = 50 * time.Millisecond
)

// Subscribe pushes the records of one shard to an enhanced fan-out consumer, from a starting
// position like GetShardIterator's, as they arrive. With limits on, delivery is paced by the
// consumer's own 2 MiB/s budget on the shard (independent of other consumers and of GetRecords).
// One subscription per consumer and shard may be open at a time (ResourceInUseException).
//
// The channel is closed when ctx ends, after the event that reports the end of a closed shard
// (with ChildShards), or after an event with Err set (stream deleted, consumer deregistered).
// The caller must cancel ctx or drain the channel.
func (e *Engine) Subscribe(ctx context.Context, consumerARN, shardID string, typ IteratorType, seq string, ts time.Time) (<-chan SubscribeEvent, error) {
	s, _, err := e.findConsumer("", "", consumerARN)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	sh, err := s.shardLocked(shardID)
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	now := e.clock.Now()
	sh.maybeRetain(now)
	pos, err := sh.startOffset(typ, seq, ts)
	if err != nil {
		return nil, err
	}
	sh.mu.Lock()
	st := sh.efo[consumerARN]
	if st == nil {
		st = &efoState{bucket: newBucket(e.limits.EFOBytesPerSec, now)}
		sh.efo[consumerARN] = st
	}
	if st.active {
		sh.mu.Unlock()
		return nil, errorf(ErrResourceInUse, "consumer %s already has a subscription to %s", consumerARN, shardID)
	}
	st.active = true
	sh.mu.Unlock()
	ch := make(chan SubscribeEvent)
	go e.pump(ctx, s, sh, st, consumerARN, pos, ch)
	return ch, nil
}

// pump runs one subscription.
func (e *Engine) pump(ctx context.Context, s *stream, sh *shard, st *efoState, arn string, pos uint64, ch chan<- SubscribeEvent) {
	defer close(ch)
	defer func() {
		sh.mu.Lock()
		st.active = false
		sh.mu.Unlock()
	}()
	send := func(ev SubscribeEvent) bool {
		select {
		case ch <- ev:
			return true
		case <-ctx.Done():
			return false
		}
	}
	continuation := func() string { return formatSeq(sh.index, pos-1) }
	heartbeat := time.NewTimer(subscribeHeartbeat)
	defer heartbeat.Stop()
	limits := !e.opts.LimitsOff
	for ctx.Err() == nil {
		sh.mu.Lock()
		deleted, failed, visible, done := sh.deleted, sh.err, sh.visible, sh.closed && pos >= sh.endOff
		children := sh.children
		wake := sh.watchLocked()
		var pause time.Duration
		if limits {
			if pause = st.bucket.wait(e.clock.Now()); pause > 0 {
				sh.efoThrottles.Add(1)
			}
		}
		sh.mu.Unlock()
		switch {
		case deleted:
			send(SubscribeEvent{Err: errorf(ErrResourceNotFound, "stream %s was deleted", s.name)})
			return
		case failed != nil:
			send(SubscribeEvent{Err: failed})
			return
		case !s.hasConsumer(arn):
			send(SubscribeEvent{Err: errorf(ErrResourceNotFound, "consumer %s was deregistered", arn)})
			return
		case pos < visible && pause > 0:
			select {
			case <-ctx.Done():
				return
			case <-time.After(min(pause, subscribeMaxPause)):
			}
			continue
		case pos < visible:
			res, err := sh.read(pos, e.limits.MaxGetRecordsCount, subscribeEventBytes, nil)
			if err != nil {
				send(SubscribeEvent{Err: err})
				return
			}
			if limits {
				sh.mu.Lock()
				st.bucket.take(float64(res.bytes))
				sh.mu.Unlock()
			}
			pos = res.next
			ev := SubscribeEvent{Records: res.recs, ContinuationSequenceNumber: continuation()}
			if n := len(res.recs); n > 0 && res.next < res.visible {
				ev.MillisBehindLatest = max(0, e.clock.Now().Sub(res.recs[n-1].ArrivalTime).Milliseconds())
			}
			if res.done {
				ev.ChildShards = s.childShards(res.children)
				send(ev)
				return
			}
			if !send(ev) {
				return
			}
			heartbeat.Reset(subscribeHeartbeat)
		case done:
			send(SubscribeEvent{ContinuationSequenceNumber: continuation(), ChildShards: s.childShards(children)})
			return
		default:
			select {
			case <-ctx.Done():
				return
			case <-wake:
			case <-heartbeat.C:
				if !send(SubscribeEvent{ContinuationSequenceNumber: continuation()}) {
					return
				}
				heartbeat.Reset(subscribeHeartbeat)
			}
		}
	}
}
