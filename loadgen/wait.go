package loadgen

import (
	"runtime"
	"sync/atomic"
	"time"
)

// Pacing defaults (see Config.SpinWindow and Config.TimerMargin).
const (
	// DefaultSpinWindow is the last stretch before a due time spent
	// busy-waiting on a machine with more than one CPU. A thread sleep
	// with its timer slack at 1 ns wakes some microseconds late on a
	// quiet machine (50–60 µs with the default slack), so the spin
	// covers that with room to spare.
	DefaultSpinWindow = 50 * time.Microsecond
	// DefaultTimerMargin is how long before a due time a sender stops
	// waiting on a Go timer: the runtime's timers are served by a
	// millisecond-resolution poller wait, so one armed for less than a
	// few milliseconds typically fires about 1 ms late.
	DefaultTimerMargin = 2 * time.Millisecond
	// NoSpin as Config.SpinWindow turns the busy-wait off.
	NoSpin = time.Duration(-1)
	// maxPacingWindow bounds SpinWindow and TimerMargin.
	maxPacingWindow = 50 * time.Millisecond
)

// preciseSleeper is implemented by clocks whose time is the machine's
// monotonic clock, so a sender may block its thread until a due time
// instead of waiting on a Timer (RealClock, and clocks embedding it).
type preciseSleeper interface {
	// sleepThread blocks the calling OS thread for about d.
	sleepThread(d time.Duration)
}

func (RealClock) sleepThread(d time.Duration) { sleepThread(d) }

// PacingStats is what the hybrid wait cost: how often senders waited for
// a slot and how long they busy-waited, so the CPU spent on precision is
// visible next to the send lag it buys.
type PacingStats struct {
	// Hybrid is whether the hybrid wait ran (a real clock); with an
	// injected Clock senders wait on its timers only.
	Hybrid bool `json:"hybrid"`
	// SpinWindow and TimerMargin are the settings in force.
	SpinWindow  time.Duration `json:"spin_window_ns"`
	TimerMargin time.Duration `json:"timer_margin_ns"`
	// Waits counts slots a sender had to wait for; TimerWaits and
	// PreciseSleeps those that used a Go timer and a precise sleep (a
	// timerfd through the poller on Linux, else a thread sleep).
	Waits         int64 `json:"waits"`
	TimerWaits    int64 `json:"timer_waits"`
	PreciseSleeps int64 `json:"precise_sleeps"`
	// Spin is the busy-wait time summed over the run (one core's worth
	// of CPU per second of spin).
	Spin time.Duration `json:"spin_ns"`
	// SpinShare is Spin / the run's elapsed time: the fraction of one
	// core the busy-wait used.
	SpinShare float64 `json:"spin_share"`
}

// pacing is the hybrid wait shared by a run's paced senders. Only the
// sender holding gen.turn waits, so at most one thread sleeps or spins at
// a time however large the pool is.
type pacing struct {
	hybrid        bool
	sleeper       preciseSleeper
	fd            *fdTimer // nil: sleeper's thread sleep
	fdFailed      atomic.Bool
	spin, margin  time.Duration
	waits, timers atomic.Int64
	sleeps, spun  atomic.Int64
	// frozen is set when the clock did not move across a thread sleep
	// or a yield: its time is not the machine's (a testing/synctest
	// bubble fakes time.Now), so only its timers can wait.
	frozen atomic.Bool
}

func newPacing(cfg Config) *pacing {
	p := &pacing{spin: max(0, cfg.SpinWindow), margin: cfg.TimerMargin}
	p.sleeper, p.hybrid = cfg.Clock.(preciseSleeper)
	if p.hybrid {
		p.fd = newFDTimer()
	}
	return p
}

// close releases the timerfd; call it when no sender waits any more.
func (p *pacing) close() {
	if p.fd != nil {
		p.fd.close()
	}
}

// sleep waits about d precisely: on the timerfd, else (or if it fails)
// with a thread sleep.
func (p *pacing) sleep(d time.Duration) {
	if p.fd != nil && !p.fdFailed.Load() {
		if err := p.fd.sleep(d); err == nil {
			return
		}
		p.fdFailed.Store(true)
	}
	p.sleeper.sleepThread(d)
}

// until waits from offset now until offset due with timer (the sender's
// own) and returns the offset it woke at, or false when the run stopped
// meanwhile. With a real clock it waits on timer until TimerMargin before
// due, then sleeps precisely (see sleep) until SpinWindow before due, then
// spins on the monotonic clock, yielding the processor between reads.
func (p *pacing) until(g *gen, timer Timer, due, now time.Duration) (time.Duration, bool) {
	p.waits.Add(1)
	hybrid := p.hybrid && !p.frozen.Load()
	if !hybrid {
		return p.onTimer(g, timer, due-now, now)
	}
	if d := due - now - p.margin; d > 0 {
		if now, ok := p.onTimer(g, timer, d, now); !ok {
			return now, false
		}
		now = g.since()
	}
	if d := due - now - p.spin; d > 0 {
		p.sleeps.Add(1)
		p.sleep(d)
		after := g.since()
		if after == now { // a frozen clock (a synctest bubble): timers only
			p.frozen.Store(true)
			return p.onTimer(g, timer, due-now, now)
		}
		now = after
	}
	if g.stopCtx.Err() != nil {
		return now, false
	}
	if now < due {
		from := now
		for i := 0; now < due; i++ {
			runtime.Gosched()
			prev := now
			now = g.since()
			if now == prev {
				p.frozen.Store(true)
				p.spun.Add(int64(now - from))
				return p.onTimer(g, timer, due-now, now)
			}
			if i&63 == 63 && g.stopCtx.Err() != nil {
				p.spun.Add(int64(now - from))
				return now, false
			}
		}
		p.spun.Add(int64(now - from))
	}
	return now, true
}

// onTimer waits d on timer; false when the run stopped meanwhile.
func (p *pacing) onTimer(g *gen, timer Timer, d, now time.Duration) (time.Duration, bool) {
	if d <= 0 {
		return now, g.stopCtx.Err() == nil
	}
	p.timers.Add(1)
	timer.Reset(d)
	select {
	case <-timer.C():
	case <-g.stopCtx.Done():
		timer.Stop()
		return now, false
	}
	return g.since(), true
}

func (p *pacing) stats(elapsed time.Duration) PacingStats {
	s := PacingStats{
		Hybrid: p.hybrid && !p.frozen.Load(), SpinWindow: p.spin, TimerMargin: p.margin,
		Waits: p.waits.Load(), TimerWaits: p.timers.Load(), PreciseSleeps: p.sleeps.Load(),
		Spin: time.Duration(p.spun.Load()),
	}
	if elapsed > 0 {
		s.SpinShare = float64(s.Spin) / float64(elapsed)
	}
	return s
}
