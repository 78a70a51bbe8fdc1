package loadgen

import (
	"fmt"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Encode returns h in HdrHistogram's V2 compressed, base64 form (what the
// Java and Go HdrHistogram tools read), or "" for an empty histogram.
func Encode(h *hdr.Histogram) (string, error) {
	if h == nil || h.TotalCount() == 0 {
		return "", nil
	}
	b, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
	if err != nil {
		return "", fmt.Errorf("encode histogram: %w", err)
	}
	return string(b), nil
}

// Decode reads a histogram Encode wrote; "" gives an empty histogram with
// the standard geometry.
func Decode(s string) (*hdr.Histogram, error) {
	if s == "" {
		return NewHistogram(), nil
	}
	h, err := hdr.Decode([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("decode histogram: %w", err)
	}
	return h, nil
}

// snapshotter closes timeline intervals: at each boundary it swaps every
// shard's buffer, merges the interval into the totals, and summarises it.
// Only its goroutine touches its fields until run returns.
type snapshotter struct {
	g     *gen
	enc   *Encoder // the intervals' histograms, without garbage
	agg   *buffer  // the interval being closed, merged over shards
	total *buffer  // the whole measured window

	issued, issuedBytes int64
	intervals           []Interval
	endAt               time.Duration
}

func newSnapshotter(g *gen) *snapshotter {
	return &snapshotter{g: g, enc: NewEncoder(), agg: newBuffer(g.cfg.MaxErrorKinds), total: newBuffer(g.cfg.MaxErrorKinds)}
}

// run closes an interval at every boundary measureFrom + k·Interval until
// the run's end offset arrives on finish, then closes the last (partial)
// interval.
func (s *snapshotter) run(finish <-chan time.Duration) {
	g := s.g
	timer := g.clock.NewTimer(time.Hour)
	defer timer.Stop()
	for k := int64(0); ; k++ {
		from := g.measureFrom + time.Duration(k)*g.cfg.Interval
		to := from + g.cfg.Interval
		if wait := to - g.since(); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C():
			case end := <-finish:
				s.endAt = end
				s.flush(from, max(from, end))
				return
			}
		}
		s.flush(from, to)
	}
}

// flush closes the interval [from, to).
func (s *snapshotter) flush(from, to time.Duration) {
	g := s.g
	a := s.agg
	a.resp.Reset()
	a.svc.Reset()
	a.lag.Reset()
	a.tally.reset()
	var issued, issuedBytes int64
	for _, sh := range g.shards {
		b := sh.swap()
		a.resp.Merge(b.resp)
		a.svc.Merge(b.svc)
		a.lag.Merge(b.lag)
		a.tally.add(&b.tally)
		sh.putSpare(b)
		issued += sh.issued.Load()
		issuedBytes += sh.issuedBytes.Load()
	}
	t := s.total
	t.resp.Merge(a.resp)
	t.svc.Merge(a.svc)
	t.lag.Merge(a.lag)
	t.tally.add(&a.tally)
	sent := issued - s.issued
	s.issued, s.issuedBytes = issued, issuedBytes
	length := to - from
	if length <= 0 {
		return
	}
	iv := Interval{
		Start: from - g.measureFrom, Length: length,
		Sent: sent, Acked: a.acked, Errors: a.errors, Throttles: a.throttles,
		Rate: float64(sent) / length.Seconds(),
		P50:  time.Duration(a.resp.ValueAtQuantile(50)),
		P99:  time.Duration(a.resp.ValueAtQuantile(99)),
		Max:  time.Duration(a.resp.Max()),
	}
	if a.resp.TotalCount() == 0 {
		iv.Max = 0
	}
	if g.sched != nil {
		// Only sends due before the end of the run are targeted.
		iv.TargetRate = (g.sched.Count(min(to, g.end)) - g.sched.Count(min(from, g.end))) / length.Seconds()
	}
	// Encoding cannot fail for a histogram built by NewHistogram.
	iv.Response, _ = s.enc.Encode(a.resp)
	iv.Service, _ = s.enc.Encode(a.svc)
	iv.SendLag, _ = s.enc.Encode(a.lag)
	s.intervals = append(s.intervals, iv)
	if g.cfg.OnInterval != nil {
		g.cfg.OnInterval(Progress{
			Interval: iv, Elapsed: to - g.measureFrom,
			Sent: s.issued, Acked: t.acked, Errors: t.errors, Throttles: t.throttles,
			ResponseP99: time.Duration(t.resp.ValueAtQuantile(99)),
		})
	}
}
