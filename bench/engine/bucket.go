package engine

import "time"

// bucket is a token bucket: capacity is one second of the rate (the burst Kinesis allows) and it
// refills continuously. It is not safe for concurrent use; its owner locks it.
type bucket struct {
	rate   float64 // tokens per second
	tokens float64
	last   time.Time
}

func newBucket(rate int64, now time.Time) bucket {
	return bucket{rate: float64(rate), tokens: float64(rate), last: now}
}

func (b *bucket) refill(now time.Time) {
	if now.After(b.last) {
		b.tokens = min(b.rate, b.tokens+b.rate*now.Sub(b.last).Seconds())
		b.last = now
	}
}

// fits reports whether n tokens may be taken now. A request larger than the whole bucket fits
// when the bucket is full, so one record bigger than a second of the rate can still pass.
func (b *bucket) fits(now time.Time, n float64) bool {
	b.refill(now)
	return b.tokens >= min(n, b.rate)
}

// take removes n tokens; the balance may go negative (debt repaid by later refills).
func (b *bucket) take(n float64) { b.tokens -= n }

// positive reports whether the balance is above zero after refilling.
func (b *bucket) positive(now time.Time) bool {
	b.refill(now)
	return b.tokens > 0
}

// wait is how long until the balance is above zero.
func (b *bucket) wait(now time.Time) time.Duration {
	b.refill(now)
	if b.tokens > 0 {
		return 0
	}
	return time.Duration((-b.tokens)/b.rate*float64(time.Second)) + time.Millisecond
}
