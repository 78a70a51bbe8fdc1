package loadgen

import (
	"math"
	"testing"
	"time"

	"github.com/streamcap/streamcap/model/units"
)

const ms = time.Millisecond

// fakeRun drives a pacer with a fake clock: the simulated sender sleeps
// until each slot's issue time (the clock jumps there), sends instantly,
// and before sending slot stallAt the clock jumps stall ahead (a send that
// took that long, or a paused process). It returns the actual issue
// offsets.
func fakeRun(t *testing.T, p *pacer, limit int, stallAt int64, stall time.Duration) []time.Duration {
	t.Helper()
	var now time.Duration
	var out []time.Duration
	for i := 0; i < limit; i++ {
		s, ok := p.next(now)
		if !ok {
			break
		}
		now = max(now, s.issue) // sleep only when ahead
		out = append(out, now)
		if s.n == stallAt {
			now += stall
		}
	}
	return out
}

func newPacer(t *testing.T, prof Profile, warmup time.Duration) *pacer {
	t.Helper()
	s, err := NewSchedule(prof, warmup)
	if err != nil {
		t.Fatal(err)
	}
	p := &pacer{sched: s, catchUp: 2, lateAfter: ms, measureFrom: warmup,
		end: math.MaxInt64, hardStop: math.MaxInt64, maxN: math.MaxInt64}
	p.poolFilled(0) // one sender, always busy: every late slot waited for it
	return p
}

func secs(s float64) time.Duration { return time.Duration(math.Round(s * 1e9)) }

func TestScheduleExactTimes(t *testing.T) {
	tests := []struct {
		name   string
		prof   Profile
		warmup time.Duration
		want   map[int64]time.Duration // send number → due offset
		endsAt int64                   // first send number past the profile end; 0 = open
	}{
		{
			name: "constant 1000/s: send n at n ms",
			prof: Constant(1000),
			want: map[int64]time.Duration{0: 0, 1: ms, 999: 999 * ms, 3000: 3 * time.Second},
		},
		{
			name: "constant 3000/s rounds to the nanosecond",
			prof: Constant(3000),
			want: map[int64]time.Duration{1: 333333, 2: 666667, 3: ms, 3000: time.Second},
		},
		{
			// N(t) = 500·t² for t ≤ 1 s, so t_n = √(n/500); then 1000/s.
			name: "ramp 0→1000/s over 1s inverts the integral",
			prof: Ramp(0, 1000, time.Second),
			want: map[int64]time.Duration{0: 0, 5: 100 * ms, 125: 500 * ms, 320: 800 * ms, 500: time.Second, 501: time.Second + ms, 1500: 2 * time.Second},
		},
		{
			// N(t) = 1000·t − 250·t² for t ≤ 2 s (ramp down to 0): N(1) = 750,
			// N(2) = 1000, and the profile ends there.
			name:   "ramp 1000→0/s over 2s ends at 0",
			prof:   Ramp(1000, 0, 2*time.Second),
			want:   map[int64]time.Duration{0: 0, 750: time.Second, 999: secs(2 - math.Sqrt(4-4*999.0/1000))},
			endsAt: 1000,
		},
		{
			name:   "steps skip a zero-rate pause and end after the last",
			prof:   Steps(Step{1000, units.Duration(time.Second)}, Step{0, units.Duration(time.Second)}, Step{2000, units.Duration(time.Second)}),
			want:   map[int64]time.Duration{0: 0, 999: 999 * ms, 1000: 2 * time.Second, 1001: 2*time.Second + 500*time.Microsecond, 2999: 3*time.Second - 500*time.Microsecond},
			endsAt: 3000,
		},
		{
			// The warm-up runs at the ramp's initial rate (100/s for 2 s =
			// 200 sends), then the ramp 100→300/s starts: N(t) = 100t + 50t².
			name:   "warm-up at the initial rate shifts the profile",
			prof:   Ramp(100, 300, 2*time.Second),
			warmup: 2 * time.Second,
			want:   map[int64]time.Duration{0: 0, 199: 1990 * ms, 200: 2 * time.Second, 350: 3 * time.Second, 600: 4 * time.Second, 601: 4*time.Second + secs(1.0/300)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSchedule(tc.prof, tc.warmup)
			if err != nil {
				t.Fatal(err)
			}
			for n, want := range tc.want {
				got, ok := s.At(n)
				if !ok || got != want {
					t.Errorf("At(%d) = %v, %v; want %v", n, got, ok, want)
				}
				// Count inverts At: N(At(n)) = n.
				if c := s.Count(want); math.Abs(c-float64(n)) > 1e-3 {
					t.Errorf("Count(%v) = %v; want %d", want, c, n)
				}
			}
			if tc.endsAt > 0 {
				if got, ok := s.At(tc.endsAt); ok {
					t.Errorf("At(%d) = %v; want the end of the profile", tc.endsAt, got)
				}
				if _, ok := s.At(tc.endsAt - 1); !ok {
					t.Errorf("At(%d) ended; want the last send", tc.endsAt-1)
				}
			}
		})
	}
}

func TestPacerSendsOnScheduleWhenNotBehind(t *testing.T) {
	p := newPacer(t, Steps(Step{1000, units.Duration(time.Second)}, Step{2000, units.Duration(time.Second)}), 0)
	got := fakeRun(t, p, 10_000, -1, 0)
	if len(got) != 3000 {
		t.Fatalf("sent %d; want 3000 (1000 + 2000, then the profile ends)", len(got))
	}
	for n, at := range got {
		want := time.Duration(n) * ms
		if n >= 1000 {
			want = time.Second + time.Duration(n-1000)*500*time.Microsecond
		}
		if at != want {
			t.Fatalf("send %d at %v; want %v", n, at, want)
		}
	}
	if p.late != 0 || p.stop != stopProfile {
		t.Errorf("late %d, stop %q; want 0, %q", p.late, p.stop, stopProfile)
	}
}

// A 1 s stall at 1000/s with catch-up 2×: slot 1000 goes at 1.000 s and
// holds the (only) sender until 2.000 s. Slot 1001+j (due 1.001+j·1ms) then
// goes at 2.000 + j·0.5ms (the 2× bound), lateness 0.999 − j·0.5ms, so
// j = 0…1995 are late (> 1 ms) and the schedule is met again from j = 1998
// (slot 2999, due and sent at 2.999 s).
func TestPacerBoundedCatchUpAfterStall(t *testing.T) {
	p := newPacer(t, Constant(1000), 0)
	got := fakeRun(t, p, 4000, 1000, time.Second)
	for j := int64(0); j < 1998; j++ {
		n := 1001 + j
		want := 2*time.Second + time.Duration(j)*500*time.Microsecond
		if got[n] != want {
			t.Fatalf("slot %d sent at %v; want %v (catching up at 2000/s)", n, got[n], want)
		}
	}
	for n := 2999; n < 4000; n++ {
		if want := time.Duration(n) * ms; got[n] != want {
			t.Fatalf("slot %d sent at %v; want %v (back on schedule)", n, got[n], want)
		}
	}
	// The issue rate never exceeds 2× the target: consecutive sends are
	// at least 0.5 ms apart (the burst tolerance is 0 here).
	for n := 1; n < len(got); n++ {
		if d := got[n] - got[n-1]; d < 500*time.Microsecond && n != 1001 {
			t.Fatalf("slots %d and %d only %v apart; want ≥ 0.5ms", n-1, n, d)
		}
	}
	if p.late != 1996 || p.inflightLimited != 1996 {
		t.Errorf("late %d, in-flight-limited %d; want 1996, 1996", p.late, p.inflightLimited)
	}
}

func TestPacerCatchUpVariants(t *testing.T) {
	tests := []struct {
		name     string
		catchUp  float64
		burst    time.Duration
		wantLate int64
		// sendsAt2s is how many sends go at exactly 2.000 s.
		sendsAt2s int
	}{
		// Unbounded: all 999 owed slots (1001…1999) plus slot 2000 go at once.
		{"unbounded", 0, 0, 998, 1000},
		// 2× with 10 ms tolerance: a burst of 21 (10ms/0.5ms + 1), then
		// 2000/s, 10 ms ahead of the no-burst case: lateness
		// 0.989 − j·0.5ms, so j = 0…1975 are late.
		{"2x with 10ms burst", 2, 10 * ms, 1976, 21},
		// 4×: backlog drains at 3000/s net: lateness 0.999 − j·0.75ms.
		{"4x", 4, 0, 1331, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPacer(t, Constant(1000), 0)
			p.catchUp, p.burst = tc.catchUp, tc.burst
			got := fakeRun(t, p, 4000, 1000, time.Second)
			at2 := 0
			for _, at := range got {
				if at == 2*time.Second {
					at2++
				}
			}
			if p.late != tc.wantLate || at2 != tc.sendsAt2s {
				t.Errorf("late %d, sends at 2s %d; want %d, %d", p.late, at2, tc.wantLate, tc.sendsAt2s)
			}
		})
	}
}

func TestPacerStops(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(p *pacer)
		stallAt  int64
		wantSent int
		wantStop stopReason
	}{
		{"duration ends before the first send due at the end", func(p *pacer) { p.end = time.Second }, -1, 1000, stopDuration},
		{"record limit", func(p *pacer) { p.maxN = 1234 }, -1, 1234, stopRecords},
		{
			// A stall at 900 ms pushes the sender past end + grace.
			"behind at the end", func(p *pacer) { p.end, p.hardStop = time.Second, time.Second+100*ms },
			900, 901, stopBehind,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPacer(t, Constant(1000), 0)
			tc.setup(p)
			got := fakeRun(t, p, 10_000, tc.stallAt, time.Second)
			if len(got) != tc.wantSent || p.stop != tc.wantStop {
				t.Errorf("sent %d, stop %q; want %d, %q", len(got), p.stop, tc.wantSent, tc.wantStop)
			}
		})
	}
}

func TestPacerMarksWarmupUnmeasured(t *testing.T) {
	p := newPacer(t, Constant(100), time.Second)
	var measured, warm int
	var now time.Duration
	for i := 0; i < 300; i++ {
		s, _ := p.next(now)
		now = s.issue
		if s.measured {
			measured++
		} else {
			warm++
		}
	}
	if warm != 100 || measured != 200 {
		t.Errorf("warm-up %d, measured %d; want 100, 200", warm, measured)
	}
}
