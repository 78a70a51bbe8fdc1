package loadgen

import (
	"sync"
	"sync/atomic"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram geometry for every latency histogram: values in nanoseconds,
// 1 µs … 1 h, 3 significant digits (about 200 KB each).
const (
	LowestValue       = int64(time.Microsecond)
	HighestValue      = int64(time.Hour)
	SignificantDigits = 3
)

// NewHistogram returns an empty latency histogram with the standard
// geometry (nanoseconds, 1 µs … 1 h, 3 significant digits).
func NewHistogram() *hdr.Histogram { return hdr.New(LowestValue, HighestValue, SignificantDigits) }

// Clamps counts samples recorded at a bound instead of their value; they
// are never dropped.
type Clamps struct {
	// Low is the number of non-positive samples recorded as 1 µs
	// (response, service and end-to-end times, which cannot really be ≤ 0;
	// a negative send lag is clamped to 0).
	Low int64 `json:"low"`
	// High is the number of samples above 1 h recorded as 1 h.
	High int64 `json:"high"`
}

func (c *Clamps) add(o Clamps) { c.Low += o.Low; c.High += o.High }

// record records v into h, clamping it into the histogram's range. With
// allowZero, 0 is a valid value (send lag: exactly on time) and only
// negative values count as clamped (to 0).
func record(h *hdr.Histogram, v time.Duration, allowZero bool, c *Clamps) {
	switch {
	case v < 0 && allowZero:
		v = 0
		c.Low++
	case v <= 0 && !allowZero:
		v = time.Duration(LowestValue)
		c.Low++
	case v > time.Duration(HighestValue):
		v = time.Duration(HighestValue)
		c.High++
	}
	_ = h.RecordValue(int64(v)) // in range by construction
}

// tally is the per-interval counters of one shard.
type tally struct {
	acked, errors, throttles, aborted int64
	ackedBytes                        int64
	clamps                            Clamps
	errs, throttleMsgs                errorCounts
}

func (t *tally) add(o *tally) {
	t.acked += o.acked
	t.errors += o.errors
	t.throttles += o.throttles
	t.aborted += o.aborted
	t.ackedBytes += o.ackedBytes
	t.clamps.add(o.clamps)
	t.errs.merge(&o.errs)
	t.throttleMsgs.merge(&o.throttleMsgs)
}

func (t *tally) reset() {
	errs, thr := t.errs, t.throttleMsgs
	errs.reset()
	thr.reset()
	*t = tally{errs: errs, throttleMsgs: thr}
}

// buffer is one interval's worth of recordings of a shard.
type buffer struct {
	resp, svc, lag *hdr.Histogram
	tally
}

func newBuffer(errLimit int) *buffer {
	return &buffer{
		resp: NewHistogram(), svc: NewHistogram(), lag: NewHistogram(),
		tally: tally{errs: errorCounts{limit: errLimit}, throttleMsgs: errorCounts{limit: errLimit}},
	}
}

// shard is the recorder a group of senders share (one per sender up to the
// shard count). Senders record into cur under mu; the interval snapshot
// swaps cur with the spare buffer, so the lock is held only for the swap.
type shard struct {
	mu    sync.Mutex
	cur   *buffer
	spare *buffer

	// issued and issuedBytes count measured sends at issue time; read by
	// the snapshot without the lock.
	issued, issuedBytes atomic.Int64
	_                   [64]byte // keep shards on separate cache lines
}

func newShard(errLimit int) *shard {
	return &shard{cur: newBuffer(errLimit), spare: newBuffer(errLimit)}
}

// complete records one finished measured send.
func (s *shard) complete(intended, actual, done time.Duration, size int, class errClass, err error, paced bool) {
	s.mu.Lock()
	b := s.cur
	switch class {
	case classOK:
		b.acked++
		b.ackedBytes += int64(size)
		record(b.resp, done-intended, false, &b.clamps)
		record(b.svc, done-actual, false, &b.clamps)
		if paced {
			record(b.lag, actual-intended, true, &b.clamps)
		}
	case classThrottled:
		b.throttles++
		b.throttleMsgs.add(err.Error(), 1)
	case classAborted:
		b.aborted++
	default:
		b.errors++
		b.errs.add(err.Error(), 1)
	}
	s.mu.Unlock()
}

// swap hands the current buffer to the caller and starts a fresh one. The
// caller must reset the returned buffer and give it back with putSpare
// before the next swap.
func (s *shard) swap() *buffer {
	s.mu.Lock()
	b := s.cur
	s.cur, s.spare = s.spare, nil
	s.mu.Unlock()
	return b
}

func (s *shard) putSpare(b *buffer) {
	b.resp.Reset()
	b.svc.Reset()
	b.lag.Reset()
	b.tally.reset()
	s.mu.Lock()
	s.spare = b
	s.mu.Unlock()
}
