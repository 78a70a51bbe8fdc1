package engine

import (
	"fmt"
	"sync"
	"time"

	"github.com/streamcap/streamcap/model"
)

// Quotas are the account- and stream-level Kinesis Data Streams control-plane quotas the engine
// emulates while its limits are on (Options.LimitsOff false). Exceeding one fails the call with
// LimitExceededException, as Kinesis does. The zero value means DefaultQuotas().
type Quotas struct {
	// AccountShards caps the open shards of all streams together: the account shard quota
	// (20,000 in us-east-1). CreateStream, SplitShard and UpdateShardCount fail when they would
	// go past it.
	AccountShards int
	// UpdateShardCountPerDay caps the UpdateShardCount calls per stream that pass validation in any
	// rolling 24 hours (10).
	UpdateShardCountPerDay int
	// UpdateShardCountMaxShards is the most shards UpdateShardCount scales a stream to (10,000).
	UpdateShardCountMaxShards int
	// ControlPlaneTPS is the per-account call rate of each of CreateStream, DeleteStream,
	// SplitShard and MergeShards (5 per second, with a burst of one second's worth).
	ControlPlaneTPS int64
}

// DefaultQuotas returns the quotas of the model's embedded, sourced quota table.
func DefaultQuotas() Quotas { return QuotasFromPrices(model.DefaultPrices()) }

// QuotasFromPrices takes the control-plane quotas from a price and quota table.
func QuotasFromPrices(p *model.Prices) Quotas {
	k := p.Kinesis
	return Quotas{
		AccountShards:             int(k.AccountShardQuota.Value),
		UpdateShardCountPerDay:    int(k.UpdateShardCountCalls24h.Value),
		UpdateShardCountMaxShards: int(k.UpdateShardCountMaxShards.Value),
		ControlPlaneTPS:           int64(k.ControlPlaneTPS.Value),
	}
}

func (q Quotas) validate() error {
	if q.AccountShards < 1 || q.UpdateShardCountPerDay < 1 || q.UpdateShardCountMaxShards < 1 || q.ControlPlaneTPS < 1 {
		return fmt.Errorf("quotas %+v: account shards, UpdateShardCount calls per day and shards, and control-plane TPS must all be >= 1 (start from DefaultQuotas)", q)
	}
	return nil
}

// ARNRegion and AccountID are the region and account named by every ARN the engine issues.
const (
	ARNRegion = "us-east-1"
	AccountID = accountID
)

// scalingWindow is the rolling window of the UpdateShardCount quota.
const scalingWindow = 24 * time.Hour

// quotaState is the engine's control-plane quota bookkeeping. Its mutex is held for the whole of
// every call that changes the number of open shards while quotas apply, so the account's shard
// count cannot change between a check and the change it admits. Lock order: quotaState.mu, then
// Engine.mu, then stream.mu. The zero value is ready to use.
type quotaState struct {
	mu       sync.Mutex
	rates    map[string]*bucket     // per operation
	scalings map[string][]time.Time // stream -> times of successful UpdateShardCount calls, oldest first
}

// quotasOn reports whether the control-plane quotas apply.
func (e *Engine) quotasOn() bool { return !e.opts.LimitsOff }

// admitControl starts a control-plane call op: with quotas on it takes the quota lock (released
// by the returned function, which the caller defers) and, for the rate-limited operations,
// charges the per-account rate.
func (e *Engine) admitControl(op string) (func(), error) {
	if !e.quotasOn() {
		return func() {}, nil
	}
	q := &e.quota
	q.mu.Lock()
	switch op {
	case "CreateStream", "DeleteStream", "SplitShard", "MergeShards":
		now := e.clock.Now()
		if q.rates == nil {
			q.rates = map[string]*bucket{}
		}
		b, ok := q.rates[op]
		if !ok {
			nb := newBucket(e.opts.Quotas.ControlPlaneTPS, now)
			b = &nb
			q.rates[op] = b
		}
		if !b.fits(now, 1) {
			q.mu.Unlock()
			return func() {}, errorf(ErrLimitExceeded, "Rate exceeded for %s under account %s: at most %d calls per second", op, accountID, e.opts.Quotas.ControlPlaneTPS)
		}
		b.take(1)
	}
	return q.mu.Unlock, nil
}

// openShardsTotal counts the open shards of every stream. Caller holds no stream lock; under
// the quota lock the count cannot change before the caller acts on it.
func (e *Engine) openShardsTotal() int {
	n := 0
	for _, s := range *e.streams.Load() {
		s.mu.RLock()
		n += len(s.open)
		s.mu.RUnlock()
	}
	return n
}

// checkShardQuota fails with LimitExceededException when adding add open shards to the account's
// current total would exceed the account shard quota. No-op with quotas off.
func (e *Engine) checkShardQuota(total, add int) error {
	if !e.quotasOn() || add <= 0 {
		return nil
	}
	if limit := e.opts.Quotas.AccountShards; total+add > limit {
		return errorf(ErrLimitExceeded, "This request would exceed the shard limit for the account %s in %s. Current shard count for the account: %d. Limit: %d. Number of additional shards that would have resulted from this request: %d.",
			accountID, ARNRegion, total, limit, add)
	}
	return nil
}

// checkScalingRate fails with LimitExceededException when stream has had UpdateShardCountPerDay
// UpdateShardCount calls in the last 24 hours. Caller holds the quota lock.
func (e *Engine) checkScalingRate(stream string, now time.Time) error {
	if !e.quotasOn() {
		return nil
	}
	q := &e.quota
	ts := q.scalings[stream]
	for len(ts) > 0 && now.Sub(ts[0]) >= scalingWindow {
		ts = ts[1:]
	}
	if q.scalings != nil {
		q.scalings[stream] = ts
	}
	if limit := e.opts.Quotas.UpdateShardCountPerDay; len(ts) >= limit {
		return errorf(ErrLimitExceeded, "UpdateShardCount for stream %s under account %s: %d calls in the last 24 hours, at most %d; the next is allowed at %s",
			stream, accountID, len(ts), limit, ts[0].Add(scalingWindow).UTC().Format(time.RFC3339))
	}
	return nil
}

// recordScaling notes an UpdateShardCount call that passed validation. Caller holds the quota lock.
func (e *Engine) recordScaling(stream string, now time.Time) {
	if !e.quotasOn() {
		return
	}
	q := &e.quota
	if q.scalings == nil {
		q.scalings = map[string][]time.Time{}
	}
	q.scalings[stream] = append(q.scalings[stream], now)
}

// forgetStream drops a deleted stream's UpdateShardCount history. Caller holds the quota lock.
func (e *Engine) forgetStream(stream string) {
	if e.quotasOn() {
		delete(e.quota.scalings, stream)
	}
}

// ShardLimits reports the account's open shards (all streams) and its shard quota, as Kinesis
// DescribeLimits does.
func (e *Engine) ShardLimits() (open, limit int) {
	return e.openShardsTotal(), e.opts.Quotas.AccountShards
}
