package loadgen

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/streamcap/streamcap/model"
)

// The generator tests run inside synctest bubbles: time.Now and timers are
// virtual and advance only when every goroutine is blocked, so a 5 s run
// takes milliseconds, and send times are exact.

// sleepSender takes d per send (virtual time) and counts what it saw.
type sleepSender struct {
	d     time.Duration
	n     atomic.Int64
	bytes atomic.Int64
}

func (s *sleepSender) send(ctx context.Context, _ string, p []byte) error {
	s.n.Add(1)
	s.bytes.Add(int64(len(p)))
	time.Sleep(s.d)
	return nil
}

func TestRunConstantRateExact(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &sleepSender{d: 3 * ms}
		var progress []Progress
		res, err := Run(t.Context(), Config{
			Profile: Constant(1000), Warmup: 500 * ms, Duration: 2 * time.Second,
			OnInterval: func(p Progress) { progress = append(progress, p) },
		}, s.send)
		if err != nil {
			t.Fatal(err)
		}
		c := res.Counts
		if c.Sent != 2000 || c.Acked != 2000 || c.WarmupSent != 500 || s.n.Load() != 2500 {
			t.Fatalf("sent %d acked %d warm-up %d, sender saw %d; want 2000, 2000, 500, 2500", c.Sent, c.Acked, c.WarmupSent, s.n.Load())
		}
		if c.SentBytes != 2000*1000 || c.AckedBytes != 2000*1000 {
			t.Errorf("bytes sent %d acked %d; want 2000000 each", c.SentBytes, c.AckedBytes)
		}
		if res.AchievedRate != 1000 || res.TargetRate != 1000 || res.Elapsed != 2*time.Second {
			t.Errorf("achieved %v target %v over %v; want 1000, 1000, 2s", res.AchievedRate, res.TargetRate, res.Elapsed)
		}
		// 3 ms per send at 1 ms spacing: 3 in flight (4 at the instants
		// one send starts as another ends), all on time.
		if c.PeakInflight < 3 || c.PeakInflight > 4 || c.Late != 0 || c.Missed != 0 {
			t.Errorf("peak in flight %d, late %d, missed %d; want 3–4, 0, 0", c.PeakInflight, c.Late, c.Missed)
		}
		for _, h := range []struct {
			name string
			got  int64
		}{
			{"response p99", res.Response.ValueAtQuantile(99)},
			{"service max", res.Service.Max()},
		} {
			if !res.Response.ValuesAreEquivalent(h.got, int64(3*ms)) {
				t.Errorf("%s = %v; want 3ms", h.name, time.Duration(h.got))
			}
		}
		if !res.SendLag.ValuesAreEquivalent(res.SendLag.Max(), 0) || res.SendLag.TotalCount() != 2000 {
			t.Errorf("send lag max %v over %d sends; want 0 over 2000", res.SendLag.Max(), res.SendLag.TotalCount())
		}
		// Two full intervals, then the 3 ms tail in which the last sends
		// were acknowledged.
		if len(res.Intervals) != 3 || len(progress) != 3 {
			t.Fatalf("%d intervals, %d progress calls; want 3, 3", len(res.Intervals), len(progress))
		}
		// A send due exactly on a boundary may land on either side of it.
		var sent, acked int64
		for i, iv := range res.Intervals[:2] {
			if iv.Sent < 999 || iv.Sent > 1001 || iv.TargetRate != 1000 || iv.Start != time.Duration(i)*time.Second {
				t.Errorf("interval %d = %+v; want 1000±1 sent, target 1000/s", i, iv)
			}
		}
		for _, iv := range res.Intervals {
			sent += iv.Sent
			acked += iv.Acked
		}
		if tail := res.Intervals[2]; tail.Sent != 0 || tail.TargetRate != 0 || tail.Length > 3*ms || sent != 2000 || acked != 2000 {
			t.Errorf("tail interval %+v, timeline sent %d acked %d; want ≤ 3ms of acks only, 2000 sent and acked", tail, sent, acked)
		}
		if last := progress[2]; last.Sent != 2000 || last.Acked != 2000 {
			t.Errorf("final progress %+v; want 2000 sent and acked", last)
		}
		if res.StopReason != "duration" {
			t.Errorf("stop reason %q; want duration", res.StopReason)
		}
	})
}

// stallTarget answers in 100 µs, except that during [from, from+1s) it
// freezes: every send waits for the freeze to end (a broker GC pause).
type stallTarget struct {
	start time.Time
	from  time.Duration
}

func (s *stallTarget) send(ctx context.Context, _ string, _ []byte) error {
	at := time.Since(s.start)
	if at >= s.from && at < s.from+time.Second {
		time.Sleep(s.from + time.Second - at)
		return nil
	}
	time.Sleep(100 * time.Microsecond)
	return nil
}

// The coordinated-omission test: 1000/s for 5 s with at most 4 sends in
// flight; the target freezes for 1 s once. A closed-loop view (service
// time) hides the freeze: only the 4 sends caught in it are slow. The
// corrected response time shows it: ~1000 sends due during the freeze go
// late, catching up at 2× over the next second, so 2000 of 5000 samples
// carry 0–1 s of delay and p99 sits near the stall.
func TestCoordinatedOmissionCorrected(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		target := &stallTarget{start: time.Now(), from: 2 * time.Second}
		res, err := Run(t.Context(), Config{Profile: Constant(1000), Duration: 5 * time.Second, MaxInflight: 4}, target.send)
		if err != nil {
			t.Fatal(err)
		}
		p99 := time.Duration(res.Response.ValueAtQuantile(99))
		svc99 := time.Duration(res.Service.ValueAtQuantile(99))
		if p99 < 900*ms || p99 > 1100*ms {
			t.Errorf("corrected response p99 = %v; want near the 1s stall", p99)
		}
		if svc99 > 2*ms {
			t.Errorf("service p99 = %v; want ≈100µs (the stall hits only the 4 in-flight sends)", svc99)
		}
		if smax := time.Duration(res.Service.Max()); smax < 900*ms {
			t.Errorf("service max = %v; want the stall (≈1s)", smax)
		}
		c := res.Counts
		if c.Sent != 5000 || c.Acked != 5000 || c.Missed != 0 {
			t.Errorf("sent %d acked %d missed %d; want 5000, 5000, 0", c.Sent, c.Acked, c.Missed)
		}
		// Late: the ~1000 slots due during the freeze (in-flight-limited:
		// all 4 slots were held) and the ~1000 caught up after it.
		if c.Late < 1900 || c.Late > 2000 || c.InflightLimited < 990 || c.InflightLimited > 1000 {
			t.Errorf("late %d (in-flight-limited %d); want ≈1996 (≈1000)", c.Late, c.InflightLimited)
		}
		if c.PeakInflight != 4 {
			t.Errorf("peak in flight %d; want 4 (the limit)", c.PeakInflight)
		}
	})
}

func TestRunStops(t *testing.T) {
	tests := []struct {
		name       string
		cfg        Config
		sender     func(context.Context, string, []byte) error
		cancelAt   time.Duration
		wantSent   int64
		wantReason string
		wantErr    bool
	}{
		{
			name: "record limit", cfg: Config{Profile: Constant(1000), Records: 1500, Warmup: 100 * ms},
			wantSent: 1500, wantReason: "records",
		},
		{
			name: "steps profile end", cfg: Config{Profile: Steps(Step{1000, 1e9}, Step{500, 2e9})},
			wantSent: 2000, wantReason: "profile-end",
		},
		{
			name: "canceled mid-run keeps the partial result", cfg: Config{Profile: Constant(1000), Duration: 10 * time.Second},
			cancelAt: 2500 * ms, wantSent: 2500, wantReason: "canceled",
		},
		{
			name: "fail-fast stops at the first error", cfg: Config{Profile: Constant(1000), Duration: 10 * time.Second, FailFast: true},
			sender: func(context.Context, string, []byte) error {
				if time.Now().Sub(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)) >= 700*ms {
					return errors.New("connection refused")
				}
				return nil
			},
			wantSent: 701, wantReason: "fail-fast", wantErr: true,
		},
		{
			// Every sender hangs from 500 ms on; nobody comes back for a
			// slot, so the run's deadline (profile end + grace) ends it
			// and the drain cancels the hung sends.
			name: "every sender stuck in a dead target", cfg: Config{Profile: Steps(Step{1000, 1e9}), MaxInflight: 8, DrainTimeout: time.Second},
			sender: func(ctx context.Context, _ string, _ []byte) error {
				if time.Now().Sub(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)) >= 500*ms {
					<-ctx.Done()
					return ctx.Err()
				}
				return nil
			},
			wantSent: 508, wantReason: "behind-at-end",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				if tc.cancelAt > 0 {
					time.AfterFunc(tc.cancelAt-time.Nanosecond, cancel)
				}
				send := tc.sender
				if send == nil {
					send = (&sleepSender{d: ms / 2}).send
				}
				res, err := Run(ctx, tc.cfg, send)
				if (err != nil) != tc.wantErr {
					t.Fatalf("err = %v; want error %v", err, tc.wantErr)
				}
				if res == nil {
					t.Fatal("no partial result")
				}
				if res.Counts.Sent != tc.wantSent || res.StopReason != tc.wantReason {
					t.Errorf("sent %d, stop %q; want %d, %q", res.Counts.Sent, res.StopReason, tc.wantSent, tc.wantReason)
				}
			})
		})
	}
}

func TestRunClosedLoopMax(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &sleepSender{d: 2 * ms}
		res, err := Run(t.Context(), Config{Profile: Max(4), Duration: time.Second}, s.send)
		if err != nil {
			t.Fatal(err)
		}
		// 4 workers × 500 sends/s each.
		if res.Counts.Sent != 2000 || res.AchievedRate != 2000 || res.Counts.PeakInflight != 4 {
			t.Errorf("sent %d at %v/s, peak %d; want 2000 at 2000/s, 4", res.Counts.Sent, res.AchievedRate, res.Counts.PeakInflight)
		}
		if res.SendLag.TotalCount() != 0 {
			t.Errorf("closed loop recorded %d send lags; want none", res.SendLag.TotalCount())
		}
	})
}

func TestRunCountsErrorsAndThrottles(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int64
		send := func(context.Context, string, []byte) error {
			switch i := n.Add(1); {
			case i%10 == 0:
				return fmt.Errorf("put: rate exceeded for shard %d: %w", i%2, ErrThrottled)
			case i%25 == 0:
				return errors.New("internal failure")
			}
			return nil
		}
		res, err := Run(t.Context(), Config{Profile: Constant(1000), Duration: time.Second}, send)
		if err != nil {
			t.Fatal(err)
		}
		c := res.Counts
		// Of 1000 sends: 100 throttled (every 10th), 20 failed (every 25th
		// not also a 10th: 1000/25 − 1000/50), the rest acked.
		if c.Throttles != 100 || c.Errors != 20 || c.Acked != 880 {
			t.Fatalf("throttles %d errors %d acked %d; want 100, 20, 880", c.Throttles, c.Errors, c.Acked)
		}
		want := []ErrorCount{{"put: rate exceeded for shard 0: throttled", 100}}
		if len(res.Throttles) != 1 || res.Throttles[0] != want[0] {
			t.Errorf("throttles by message %v; want %v", res.Throttles, want)
		}
		if len(res.Errors) != 1 || res.Errors[0].Count != 20 {
			t.Errorf("errors by message %v; want internal failure × 20", res.Errors)
		}
		if res.Response.TotalCount() != 880 {
			t.Errorf("%d response samples; want 880 (acked only)", res.Response.TotalCount())
		}
	})
}

func TestRunRecordsEndToEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := NewE2E()
		var mu sync.Mutex
		var pending [][]byte
		// The "target" delivers each record to the consumer 5 ms after the send.
		send := func(_ context.Context, _ string, p []byte) error {
			cp := append([]byte(nil), p...)
			time.AfterFunc(5*ms, func() {
				mu.Lock()
				pending = append(pending, cp)
				mu.Unlock()
				e.Record(cp, time.Now())
			})
			return nil
		}
		res, err := Run(t.Context(), Config{Profile: Constant(200), Warmup: time.Second, Duration: time.Second, E2E: []*E2E{e}}, send)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * ms)
		h, c := MergeE2E(e)
		if c.Received != 200 || c.Warmup != 200 || res.Counts.Acked != 200 {
			t.Fatalf("e2e received %d warm-up %d, acked %d; want 200, 200, 200", c.Received, c.Warmup, res.Counts.Acked)
		}
		if !h.ValuesAreEquivalent(h.Max(), int64(5*ms)) || !h.ValuesAreEquivalent(h.Min(), int64(5*ms)) {
			t.Errorf("e2e min %v max %v; want 5ms", time.Duration(h.Min()), time.Duration(h.Max()))
		}
	})
}

func TestConfigErrorsNameTheField(t *testing.T) {
	tests := map[string]Config{
		"max inflight 0":        {Profile: Constant(1), MaxInflight: -1},
		"catch-up factor 0.5":   {Profile: Constant(1), CatchUp: 0.5},
		"interval 1µs":          {Profile: Constant(1), Interval: time.Microsecond},
		"profile kind \"\"":     {},
		"profile constant rate": {Profile: Constant(-5)},
	}
	for want, cfg := range tests {
		t.Run(want, func(t *testing.T) {
			_, err := Run(t.Context(), cfg, nil)
			if err == nil || !contains(err.Error(), want[:len(want)-2]) {
				t.Errorf("err = %v; want it to name %q", err, want)
			}
		})
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

var _ = model.KeySpec{}

// shiftedClock is an injected clock an hour ahead of the real (here:
// virtual) one.
type shiftedClock struct{ RealClock }

func (shiftedClock) Now() time.Time { return time.Now().Add(time.Hour) }

func TestRunUsesTheInjectedClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := NewE2E()
		var stamp int64
		send := func(_ context.Context, _ string, p []byte) error {
			stamp, _, _ = ReadStamp(p)
			return nil
		}
		res, err := Run(t.Context(), Config{Profile: Constant(10), Records: 1, Clock: shiftedClock{}, E2E: []*E2E{e}}, send)
		if err != nil {
			t.Fatal(err)
		}
		want := time.Date(2000, 1, 1, 1, 0, 0, 0, time.UTC)
		if !res.Start.Equal(want) || stamp != want.UnixNano() {
			t.Errorf("start %v, stamp %v; want both from the injected clock, %v", res.Start, time.Unix(0, stamp).UTC(), want)
		}
	})
}
