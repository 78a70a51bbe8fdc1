package loadgen

import (
	"context"
	"testing"
	"time"
)

const us = time.Microsecond

func TestWakeTracker(t *testing.T) {
	for _, c := range []struct {
		name       string
		samples    []time.Duration
		p99, worst time.Duration
	}{
		{"one sample", []time.Duration{30 * us}, 30 * us, 30 * us},
		{"negative counts as on time", []time.Duration{-5 * us}, 0, 0},
		// 100 wakes 10 µs late and one 1 ms late: the p99 of 101 is the 100th smallest; the
		// window covers the outlier.
		{"one outlier in 101", append(repeat(10*us, 100), time.Millisecond), 10 * us, time.Millisecond},
		// 250 at 20 µs, 6 at 200 µs: more than 1 % are slow, so the p99 is slow.
		{"3 percent slow", append(repeat(20*us, 250), repeat(200*us, 6)...), 200 * us, 200 * us},
		// The ring keeps the newest 256: 256 slow ones then 256 fast ones forget the slow.
		{"old samples age out", append(repeat(300*us, 256), repeat(15*us, 256)...), 15 * us, 15 * us},
	} {
		t.Run(c.name, func(t *testing.T) {
			var w wakeTracker
			for _, d := range c.samples {
				w.add(d)
			}
			if w.p99 != c.p99 || w.worst != c.worst {
				t.Errorf("p99, worst = %v, %v; want %v, %v", w.p99, w.worst, c.p99, c.worst)
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// The spin window covers the observed wake lateness, bounded by 3/4 of the gap between sends,
// maxAdaptiveSpin and the timer margin, and is never below the configured SpinWindow.
func TestPacingWindow(t *testing.T) {
	for _, c := range []struct {
		name             string
		spin, margin     time.Duration
		late             time.Duration // the tracker's worst
		prevDue, due     time.Duration
		want, wantWidest time.Duration
	}{
		{"quiet machine keeps the configured window", 50 * us, 2 * time.Millisecond, 12 * us, 1000 * us, 1333 * us, 50 * us, 50 * us},
		{"late wakes widen it", 50 * us, 2 * time.Millisecond, 120 * us, 1000 * us, 1333 * us, 130 * us, 130 * us},
		{"at most 3/4 of the gap", 50 * us, 2 * time.Millisecond, 300 * us, 1000 * us, 1333 * us, 249750 * time.Nanosecond, 249750 * time.Nanosecond},
		{"never below the configured window", 50 * us, 2 * time.Millisecond, 300 * us, 1000 * us, 1010 * us, 50 * us, 50 * us},
		{"at most maxAdaptiveSpin", 50 * us, 2 * time.Millisecond, 5 * time.Millisecond, 1000 * us, 21000 * us, maxAdaptiveSpin, maxAdaptiveSpin},
		{"at most the timer margin", 50 * us, 200 * us, time.Millisecond, 1000 * us, 21000 * us, 200 * us, 200 * us},
		{"first send: configured window", 50 * us, 2 * time.Millisecond, 300 * us, 0, 1333 * us, 50 * us, 50 * us},
		{"spin off stays off", 0, 2 * time.Millisecond, 300 * us, 1000 * us, 1333 * us, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := &pacing{spin: c.spin, margin: c.margin, lastDue: c.prevDue}
			p.late.worst = c.late
			if got := p.window(c.due); got != c.want {
				t.Errorf("window = %v, want %v", got, c.want)
			}
			if got := time.Duration(p.widest.Load()); got != c.wantWidest {
				t.Errorf("widest = %v, want %v", got, c.wantWidest)
			}
			if p.lastDue != c.due {
				t.Errorf("lastDue = %v, want %v", p.lastDue, c.due)
			}
		})
	}
}

// A slot issued without waiting (already due) still counts as the previous
// due time: a late stretch must not widen the next window past 3/4 of the
// send interval.
func TestPacingWindowAfterPassedSlots(t *testing.T) {
	p := &pacing{spin: 50 * us, margin: 2 * time.Millisecond, lastDue: 1000 * us}
	p.late.worst = 300 * us
	for due := 1333 * us; due < 3000*us; due += 333 * us {
		p.passed(due) // issued late, no wait
	}
	if got, want := p.window(3331*us), 249*us+750*time.Nanosecond; got != want {
		t.Errorf("window after passed slots = %v, want %v (3/4 of the 333 µs gap)", got, want)
	}
}

// scriptedClock advances 1 µs on every read, plus a scripted jump on given reads (counted from
// 1), and by exactly d on a thread sleep: a spin over it sees interruptions where it says.
type scriptedClock struct {
	t0    time.Time
	cur   time.Duration
	reads int
	jumps map[int]time.Duration
}

func (c *scriptedClock) Now() time.Time {
	c.reads++
	c.cur += us + c.jumps[c.reads]
	return c.t0.Add(c.cur)
}
func (c *scriptedClock) NewTimer(time.Duration) Timer { panic("the spin test waits on no timer") }
func (c *scriptedClock) sleepThread(d time.Duration)  { c.cur += d }

// The spin counts a gap of InterruptGap or more between two of its clock reads as an
// interruption, but not one across its own yield. Hand-traced: the sleep ends at read 1
// (151 µs); reads 2… return 152 µs…; the spin yields after 10 µs, so read 12 follows a yield;
// the send is due at 200 µs.
func TestSpinCountsInterruptions(t *testing.T) {
	for _, c := range []struct {
		name       string
		jumps      map[int]time.Duration
		stops      int64
		stopped    time.Duration
		spin       time.Duration
		wantWokeAt time.Duration
	}{
		// Read 3: 152 → 183 µs (a 31 µs gap), then a yield (read 4, 184 µs); read 7: 186 → 212 µs
		// (26 µs), past the due time.
		{"two interruptions", map[int]time.Duration{3: 30 * us, 7: 25 * us}, 2, 57 * us, 61 * us, 212 * us},
		// Read 12 comes out of a yield: 161 → 192 µs is the yield's, not an interruption.
		{"a gap across a yield", map[int]time.Duration{12: 30 * us}, 0, 0, 49 * us, 200 * us},
		// Read 5: 154 → 173 µs, a 19 µs gap: below InterruptGap.
		{"a short gap", map[int]time.Duration{5: 18 * us}, 0, 0, 49 * us, 200 * us},
	} {
		t.Run(c.name, func(t *testing.T) {
			clk := &scriptedClock{t0: time.Unix(1_800_000_000, 0), jumps: c.jumps}
			g := &gen{clock: clk, start: clk.t0, stopCtx: context.Background()}
			p := &pacing{hybrid: true, sleeper: clk, spin: 50 * us, margin: 2 * time.Millisecond}
			woke, ok := p.until(g, nil, 200*us, 0)
			if !ok || woke != c.wantWokeAt {
				t.Fatalf("until = %v, %v; want %v, true", woke, ok, c.wantWokeAt)
			}
			s := p.stats(time.Second)
			if s.Interruptions != c.stops || s.Interrupted != c.stopped || s.Spin != c.spin {
				t.Errorf("interruptions %d (%v) in a spin of %v; want %d (%v) in %v", s.Interruptions, s.Interrupted, s.Spin, c.stops, c.stopped, c.spin)
			}
			if c.stops > 0 {
				if want := float64(c.stopped) / float64(c.spin); s.InterruptedShare != want {
					t.Errorf("interrupted share %v, want %v", s.InterruptedShare, want)
				}
			}
		})
	}
}

// Merged pacing sums what adds up (counts, spin time, its share in cores, interruptions) and
// keeps the worst of what does not (a wake percentile, the widest window).
func TestMergePacing(t *testing.T) {
	a := PacingStats{Hybrid: true, SpinWindow: 50 * us, TimerMargin: 2 * time.Millisecond, Waits: 100, TimerWaits: 2, PreciseSleeps: 98,
		Spin: 40 * time.Millisecond, SpinShare: 0.4, WakeLate: 90 * us, SpinWindowMax: 200 * us, Interruptions: 10, Interrupted: 2 * time.Millisecond}
	b := PacingStats{Hybrid: true, SpinWindow: 50 * us, TimerMargin: 2 * time.Millisecond, Waits: 50, TimerWaits: 1, PreciseSleeps: 49,
		Spin: 10 * time.Millisecond, SpinShare: 0.1, WakeLate: 150 * us, SpinWindowMax: 160 * us, Interruptions: 5, Interrupted: 3 * time.Millisecond}
	m := MergePacing(a, b)
	want := PacingStats{Hybrid: true, SpinWindow: 50 * us, TimerMargin: 2 * time.Millisecond, Waits: 150, TimerWaits: 3, PreciseSleeps: 147,
		Spin: 50 * time.Millisecond, SpinShare: 0.5, WakeLate: 150 * us, SpinWindowMax: 200 * us, Interruptions: 15, Interrupted: 5 * time.Millisecond,
		InterruptedShare: 0.1} // 5 ms of 50 ms
	if m != want {
		t.Errorf("merged\n%+v\nwant\n%+v", m, want)
	}
	b.Hybrid = false
	if MergePacing(a, b).Hybrid {
		t.Error("a merge with a timer-only run says every run waited hybrid")
	}
	if MergePacing() != (PacingStats{}) {
		t.Error("merge of nothing is not empty")
	}
}
