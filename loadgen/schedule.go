package loadgen

import (
	"fmt"
	"math"
	"time"
)

// segment is a stretch of the schedule where the rate is linear in time:
// r(t) = r0 + a·(t − start) for t in [start, start+dur).
type segment struct {
	start float64 // seconds since the schedule start
	dur   float64 // seconds; +Inf for the open-ended last segment
	r0    float64 // rate at start, records/s
	a     float64 // slope, records/s²
	c0    float64 // cumulative count N(start)
	count float64 // sends in the segment: r0·dur + a·dur²/2 (+Inf when open and r0 > 0)
}

// Schedule is a compiled rate profile (with its warm-up prepended). It maps
// send numbers to intended send offsets and back:
//
//	N(t)   = ∫₀ᵗ r(u) du        (Count)
//	At(n)  = N⁻¹(n)             (send n, 0-based, is due at start + At(n))
//
// Within a linear segment, N(t) = r0·t + a·t²/2, inverted with the
// cancellation-free form t = 2m / (r0 + √(r0² + 2·a·m)) for m sends into
// the segment (it also covers a = 0: t = m/r0).
//
// At keeps a cursor for increasing n, so it is not safe for concurrent use;
// Count and RateAt are read-only and safe.
type Schedule struct {
	segs   []segment
	cursor int
}

// NewSchedule compiles p. A positive warmup prepends a constant stretch at
// p's initial rate, so the profile itself starts when measurement starts.
// ProfileMax has no schedule and is rejected.
func NewSchedule(p Profile, warmup time.Duration) (*Schedule, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if warmup < 0 {
		return nil, fmt.Errorf("warmup %v: must be at least 0s", warmup)
	}
	s := &Schedule{}
	add := func(dur, r0, r1 float64) {
		a := 0.0
		if !math.IsInf(dur, 1) && dur > 0 {
			a = (r1 - r0) / dur
		}
		var start, c0 float64
		if n := len(s.segs); n > 0 {
			last := s.segs[n-1]
			start, c0 = last.start+last.dur, last.c0+last.count
		}
		count := r0*dur + a*dur*dur/2
		if math.IsInf(dur, 1) {
			count = 0
			if r0 > 0 {
				count = math.Inf(1)
			}
		}
		s.segs = append(s.segs, segment{start: start, dur: dur, r0: r0, a: a, c0: c0, count: count})
	}
	if warmup > 0 {
		add(warmup.Seconds(), p.InitialRate(), p.InitialRate())
	}
	inf := math.Inf(1)
	switch p.Kind {
	case ProfileConstant:
		add(inf, p.Rate.PerSecond(), p.Rate.PerSecond())
	case ProfileRamp:
		add(p.Over.Seconds(), p.From.PerSecond(), p.To.PerSecond())
		add(inf, p.To.PerSecond(), p.To.PerSecond())
	case ProfileSteps:
		for _, st := range p.Steps {
			add(st.For.Seconds(), st.Rate.PerSecond(), st.Rate.PerSecond())
		}
		add(inf, 0, 0)
	default:
		return nil, fmt.Errorf("profile %s has no schedule (it is closed loop)", p.Kind)
	}
	return s, nil
}

// At returns the offset from the schedule start at which send n (0-based)
// is due, rounded to the nanosecond; ok is false when the profile ends
// before send n.
func (s *Schedule) At(n int64) (time.Duration, bool) {
	x := float64(n)
	if s.cursor >= len(s.segs) || x < s.segs[s.cursor].c0 {
		s.cursor = 0
	}
	for s.cursor < len(s.segs) {
		g := &s.segs[s.cursor]
		if x < g.c0+g.count {
			m := x - g.c0
			t := 0.0
			if m > 0 {
				t = 2 * m / (g.r0 + math.Sqrt(g.r0*g.r0+2*g.a*m))
			}
			return secondsToDuration(g.start + t), true
		}
		if math.IsInf(g.dur, 1) {
			return 0, false
		}
		s.cursor++
	}
	return 0, false
}

// Count returns N(t): how many sends are due in [0, t) of the schedule, as
// a real number (the integral of the rate).
func (s *Schedule) Count(t time.Duration) float64 {
	x := t.Seconds()
	total := 0.0
	for _, g := range s.segs {
		if x <= g.start {
			break
		}
		d := math.Min(x-g.start, g.dur)
		total = g.c0 + g.r0*d + g.a*d*d/2
	}
	return total
}

// RateAt returns the intended rate at offset t, in records per second.
func (s *Schedule) RateAt(t time.Duration) float64 {
	x := t.Seconds()
	for _, g := range s.segs {
		if x >= g.start && x < g.start+g.dur {
			return g.r0 + g.a*(x-g.start)
		}
	}
	return 0
}

// end returns the offset at which the profile stops sending (the start of
// a final zero-rate stretch), or MaxInt64 when it never does.
func (s *Schedule) end() time.Duration {
	last := s.segs[len(s.segs)-1]
	if last.count > 0 {
		return math.MaxInt64
	}
	return secondsToDuration(last.start)
}

func secondsToDuration(s float64) time.Duration {
	ns := math.Round(s * 1e9)
	if ns >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(ns)
}

// pacer hands out send slots in order. It is the pure core of the
// generator: every decision depends only on the times passed in, so it is
// tested with a fake clock. Callers serialise access.
type pacer struct {
	sched *Schedule

	// catchUp bounds the issue rate while behind to catchUp × the intended
	// rate; 0 disables the bound.
	catchUp float64
	// burst is how far the catch-up schedule may lag the clock: after a
	// stall, burst worth of catch-up spacing goes back to back.
	burst time.Duration
	// lateAfter: a slot issued more than this after its intended time is late.
	lateAfter time.Duration
	// measureFrom is where measurement starts (the warm-up's end).
	measureFrom time.Duration
	// end is the first intended offset not sent (warm-up + duration);
	// hardStop the wall offset after which no slot is issued at all.
	end, hardStop time.Duration
	// maxN is one past the last slot to send (the record limit).
	maxN int64
	// stride is the step between the slots this pacer sends (the number
	// of workers sharing the schedule; n starts at the worker's index).
	stride int64

	n             int64
	due, nextDue  time.Duration // due times of slots n and n+1
	dueOK, nextOK bool          // whether the profile still runs at n, n+1
	resolved      bool
	tat           time.Duration // earliest issue time on the catch-up schedule

	late, inflightLimited int64

	// full lists the recent stretches during which every in-flight slot
	// was busy (ascending); fullOpen/fullFrom is the current one. A late
	// slot due inside one is in-flight-limited: it waited for a free slot
	// rather than for the generator.
	full     []span
	fullOpen bool
	fullFrom time.Duration
	stop     stopReason
}

// stopReason says why a run ended.
type stopReason string

const (
	stopNone     stopReason = ""
	stopDuration stopReason = "duration"
	stopRecords  stopReason = "records"
	stopProfile  stopReason = "profile-end"
	stopBehind   stopReason = "behind-at-end"
	stopCanceled stopReason = "canceled"
	stopFailFast stopReason = "fail-fast"
)

// slot is one send handed out by the pacer.
type slot struct {
	n        int64
	intended time.Duration // when it was due
	issue    time.Duration // when it may go (≥ intended; later while catching up)
	measured bool          // intended at or after the warm-up's end
}

// next returns the next slot given the current offset now, or false when
// the run is over (p.stop says why).
func (p *pacer) next(now time.Duration) (slot, bool) {
	if p.stop != stopNone {
		return slot{}, false
	}
	if p.stride == 0 {
		p.stride = 1
	}
	if !p.resolved {
		p.due, p.dueOK = p.sched.At(p.n)
		p.nextDue, p.nextOK = p.sched.At(p.n + p.stride)
		p.resolved = true
	}
	due := p.due
	switch {
	case !p.dueOK:
		p.stop = stopProfile
		return slot{}, false
	case p.n >= p.maxN:
		p.stop = stopRecords
		return slot{}, false
	case due >= p.end:
		p.stop = stopDuration
		return slot{}, false
	case now >= p.hardStop:
		p.stop = stopBehind
		return slot{}, false
	}
	issue := due
	if p.catchUp > 0 {
		// The catch-up schedule: no send before tat, and each send pushes
		// tat by the intended spacing to the next slot divided by catchUp,
		// so while behind the issue rate is at most catchUp × the intended
		// rate. tat follows its own absolute schedule (a sleep that
		// overshoots by less than burst is made up, not lost) but never
		// lags now by more than burst, so after a stall at most
		// burst / spacing owed sends go back to back.
		issue = max(issue, p.tat)
		spacing := time.Duration(0)
		if p.nextOK {
			spacing = time.Duration(float64(p.nextDue-due) / p.catchUp)
		}
		p.tat = max(p.tat, issue, now-p.burst) + spacing
	}
	s := slot{n: p.n, intended: due, issue: issue, measured: due >= p.measureFrom}
	if s.measured {
		if max(issue, now)-due > p.lateAfter {
			p.late++
			if p.wasFull(due) {
				p.inflightLimited++
			}
		}
	}
	p.n += p.stride
	p.due, p.dueOK = p.nextDue, p.nextOK
	p.nextDue, p.nextOK = p.sched.At(p.n + p.stride)
	return s, true
}

// span is a closed stretch of time [from, until].
type span struct{ from, until time.Duration }

// maxSpans bounds the remembered full stretches.
const maxSpans = 64

// poolFilled notes that every in-flight slot became busy at offset at.
func (p *pacer) poolFilled(at time.Duration) {
	if !p.fullOpen {
		p.fullOpen, p.fullFrom = true, at
	}
}

// poolFreed notes that a slot became free again at offset at.
func (p *pacer) poolFreed(at time.Duration) {
	if !p.fullOpen {
		return
	}
	p.fullOpen = false
	if len(p.full) >= maxSpans {
		p.full = append(p.full[:0], p.full[maxSpans/2:]...)
	}
	p.full = append(p.full, span{p.fullFrom, at})
}

// wasFull reports whether the pool was full at offset due. Slots come in
// due order, so stretches that ended before due are dropped.
func (p *pacer) wasFull(due time.Duration) bool {
	i := 0
	for i < len(p.full) && p.full[i].until < due {
		i++
	}
	if i > 0 {
		p.full = append(p.full[:0], p.full[i:]...)
	}
	if len(p.full) > 0 && p.full[0].from <= due {
		return true
	}
	return p.fullOpen && due >= p.fullFrom
}
