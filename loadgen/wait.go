package loadgen

import (
	"runtime"
	"slices"
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
	// spinYieldEvery is how often the spin yields the processor.
	spinYieldEvery = 10 * time.Microsecond
	// maxAdaptiveSpin bounds the spin window the pacing widens to on a
	// machine whose precise sleeps wake late (see wakeTracker).
	maxAdaptiveSpin = 500 * time.Microsecond
	// spinGapShare is the most of the gap between two sends the adaptive
	// spin window may take, in percent: at most three quarters of a core.
	spinGapShare = 75
	// InterruptGap is the shortest gap between two of the spin's clock
	// reads (with no yield between them) counted as an interruption: the
	// thread did not run, because the machine ran something else (on a
	// virtual machine, its host) or the runtime stopped the world.
	InterruptGap = 20 * time.Microsecond
	// wakeSlack is added to the observed wake lateness when widening.
	wakeSlack = 10 * time.Microsecond
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
	// WakeLate is the 99th percentile of how late the precise sleeps
	// woke (over the last wakeSamples of them), and SpinWindowMax the
	// widest spin window used to cover their latest (at least SpinWindow).
	WakeLate      time.Duration `json:"wake_late_p99_ns"`
	SpinWindowMax time.Duration `json:"spin_window_max_ns"`
	// Interruptions counts the gaps of InterruptGap or more between two
	// of the spin's clock reads with no yield between them, and
	// Interrupted sums them: time the spinning thread did not run, taken
	// by the machine (on a virtual machine, its host) or a stop-the-world
	// pause. InterruptedShare is Interrupted / Spin. A thread that never
	// sleeps cannot be more punctual than this lets it, so a share of a
	// few percent means the send lag's tail is partly the machine's.
	Interruptions    int64         `json:"spin_interruptions"`
	Interrupted      time.Duration `json:"spin_interrupted_ns"`
	InterruptedShare float64       `json:"spin_interrupted_share"`
}

// SpinOff reports whether the run paced with sleeps only, no spin window ever used: with
// Config.SpinWindow NoSpin (bench --no-spin), or by default on a one-CPU machine.
func (s PacingStats) SpinOff() bool { return s.SpinWindowMax == 0 }

// MergePacing combines the pacing of runs made together on several
// machines (bench merge): counts and times are summed, so SpinShare is in
// cores across them; WakeLate and SpinWindowMax are the worst run's (the
// percentiles of different machines do not add up to one), and
// InterruptedShare is recomputed from the sums. The settings are the
// first's; Hybrid holds when it held for every run.
func MergePacing(runs ...PacingStats) PacingStats {
	if len(runs) == 0 {
		return PacingStats{}
	}
	out := PacingStats{Hybrid: true, SpinWindow: runs[0].SpinWindow, TimerMargin: runs[0].TimerMargin}
	for _, r := range runs {
		out.Hybrid = out.Hybrid && r.Hybrid
		out.Waits += r.Waits
		out.TimerWaits += r.TimerWaits
		out.PreciseSleeps += r.PreciseSleeps
		out.Spin += r.Spin
		out.SpinShare += r.SpinShare
		out.WakeLate = max(out.WakeLate, r.WakeLate)
		out.SpinWindowMax = max(out.SpinWindowMax, r.SpinWindowMax)
		out.Interruptions += r.Interruptions
		out.Interrupted += r.Interrupted
	}
	if out.Spin > 0 {
		out.InterruptedShare = float64(out.Interrupted) / float64(out.Spin)
	}
	return out
}

// wakeSamples is how many recent precise sleeps wakeTracker remembers.
const wakeSamples = 256

// wakeTracker learns how late precise sleeps wake on this machine. On a
// virtual machine a halted vCPU can take 50–200 µs to run again after its
// timer fires, far more than DefaultSpinWindow, so a fixed window leaves
// most sends late by the difference; the pacing widens its spin window to
// the latest of the last wakeSamples wakes (plus wakeSlack), bounded by
// spinGapShare of the gap between sends and maxAdaptiveSpin so the CPU it
// costs stays bounded. Covering only the 99th percentile left about 1 % of
// sends late by up to the difference, which is the send lag's p99 itself.
// Only the sender holding the turn uses it.
type wakeTracker struct {
	ring    [wakeSamples]time.Duration
	scratch [wakeSamples]time.Duration // sorted copy, kept to avoid an allocation per refresh
	n       int
	p99     time.Duration // reported (PacingStats.WakeLate)
	worst   time.Duration // covered by the spin window
}

// add records one sleep's lateness and refreshes the percentile (and lets old slow wakes age
// out of worst) every 32 samples.
func (w *wakeTracker) add(late time.Duration) {
	late = max(0, late)
	w.ring[w.n%wakeSamples] = late
	w.n++
	w.worst = max(w.worst, late) // at once: one slow wake is reason enough to widen
	if w.n%32 != 0 && w.n > 32 {
		return
	}
	k := min(w.n, wakeSamples)
	sorted := w.scratch[:k]
	copy(sorted, w.ring[:k])
	slices.Sort(sorted)
	w.p99 = sorted[(k*99)/100]
	w.worst = sorted[k-1]
}

// pacing is the hybrid wait shared by a run's paced senders. Only the
// sender holding gen.turn waits, so at most one thread sleeps or spins at
// a time however large the pool is.
type pacing struct {
	hybrid       bool
	sleeper      preciseSleeper
	fd           *fdTimer // nil: sleeper's thread sleep
	fdFailed     atomic.Bool
	spin, margin time.Duration
	// late and lastDue belong to the sender holding the turn (one at a time).
	late          wakeTracker
	lastDue       time.Duration
	widest        atomic.Int64 // the widest spin window used
	waits, timers atomic.Int64
	sleeps, spun  atomic.Int64
	interruptions atomic.Int64
	interrupted   atomic.Int64
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
	window := p.window(due)
	if d := due - now - window; d > 0 {
		p.sleeps.Add(1)
		p.sleep(d)
		after := g.since()
		if after == now { // a frozen clock (a synctest bubble): timers only
			p.frozen.Store(true)
			return p.onTimer(g, timer, due-now, now)
		}
		p.late.add(after - (now + d))
		now = after
	}
	if g.stopCtx.Err() != nil {
		return now, false
	}
	if now < due {
		from, yielded, prev := now, now, time.Duration(-1)
		var stops int64
		var stopped time.Duration
		for i := 0; now < due; i++ {
			if now-yielded >= spinYieldEvery || now == prev {
				// Yield now and then, not on every read: each Gosched wakes an idle
				// processor's thread (a futex call), which cost more CPU than the
				// spin itself. A clock that has not moved is read again only after a
				// yield; if it still has not, its time is not the machine's.
				before := now
				runtime.Gosched()
				now = g.since()
				if now == before {
					p.frozen.Store(true)
					p.spent(now-from, stops, stopped)
					return p.onTimer(g, timer, due-now, now)
				}
				yielded, prev = now, -1
			} else {
				prev, now = now, g.since()
				if gap := now - prev; gap >= InterruptGap {
					stops++
					stopped += gap
				}
			}
			if i&63 == 63 && g.stopCtx.Err() != nil {
				p.spent(now-from, stops, stopped)
				return now, false
			}
		}
		p.spent(now-from, stops, stopped)
	}
	return now, true
}

// spent records one spin: its length, and the interruptions seen in it.
func (p *pacing) spent(spin time.Duration, stops int64, stopped time.Duration) {
	p.spun.Add(int64(spin))
	if stops > 0 {
		p.interruptions.Add(stops)
		p.interrupted.Add(int64(stopped))
	}
}

// window is the spin window for a send due at due: SpinWindow, widened to
// cover the precise sleeps' observed lateness (wakeTracker) but to no more
// than spinGapShare of the gap since the previous due time, maxAdaptiveSpin or
// TimerMargin (without a previous due time, SpinWindow). With the spin off
// (NoSpin) it is 0.
func (p *pacing) window(due time.Duration) time.Duration {
	gap, first := due-p.lastDue, p.lastDue == 0
	p.lastDue = due
	if p.spin == 0 {
		return 0
	}
	w := p.spin
	if !first && gap > 0 {
		w = max(p.spin, min(p.late.worst+wakeSlack, gap*spinGapShare/100, maxAdaptiveSpin, p.margin))
	}
	if int64(w) > p.widest.Load() {
		p.widest.Store(int64(w))
	}
	return w
}

// passed records a slot issued without waiting (already due), so that the
// next window's gap is measured from it.
func (p *pacing) passed(due time.Duration) { p.lastDue = due }

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
		Spin: time.Duration(p.spun.Load()), SpinWindowMax: time.Duration(p.widest.Load()),
	}
	if p.late.n > 0 {
		s.WakeLate = p.late.p99
	}
	if elapsed > 0 {
		s.SpinShare = float64(s.Spin) / float64(elapsed)
	}
	s.Interruptions, s.Interrupted = p.interruptions.Load(), time.Duration(p.interrupted.Load())
	if s.Spin > 0 {
		s.InterruptedShare = float64(s.Interrupted) / float64(s.Spin)
	}
	return s
}
