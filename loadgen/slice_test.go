package loadgen

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

func TestSliceCount(t *testing.T) {
	for _, tc := range []struct {
		s      Slice
		lo, hi int64
		want   int64
	}{
		{Slice{}, 0, 10, 10},
		{Slice{Workers: 1}, 3, 10, 7},
		{Slice{3, 0}, 0, 10, 4}, // 0 3 6 9
		{Slice{3, 1}, 0, 10, 3}, // 1 4 7
		{Slice{3, 2}, 0, 10, 3}, // 2 5 8
		{Slice{3, 2}, 3, 9, 2},  // 5 8
		{Slice{3, 0}, 10, 10, 0},
		{Slice{4, 3}, 0, 3, 0},
	} {
		if got := tc.s.Count(tc.lo, tc.hi); got != tc.want {
			t.Errorf("%+v.Count(%d, %d) = %d; want %d", tc.s, tc.lo, tc.hi, got, tc.want)
		}
	}
	// The slices of every N partition any range.
	for n := 1; n <= 7; n++ {
		for lo := int64(0); lo < 20; lo++ {
			var sum int64
			for i := 0; i < n; i++ {
				sum += Slice{n, i}.Count(lo, lo+37)
			}
			if sum != 37 {
				t.Fatalf("N=%d from %d: slices count %d of 37", n, lo, sum)
			}
		}
	}
}

func TestSliceValidate(t *testing.T) {
	for _, tc := range []struct {
		s    Slice
		want string
	}{
		{Slice{3, 3}, "worker index 3: must be between 0 and 2 (workers 3)"},
		{Slice{3, -1}, "worker index -1: must be between 0 and 2 (workers 3)"},
		{Slice{-2, 0}, "workers -2: must be between 1 and 100000"},
		{Slice{1, 1}, "worker index 1: must be 0 when there is one worker"},
	} {
		err := tc.s.Validate()
		if err == nil || err.Error() != tc.want {
			t.Errorf("%+v: %v; want %q", tc.s, err, tc.want)
		}
	}
	if err := (Slice{5, 4}).Validate(); err != nil {
		t.Errorf("{5 4}: %v", err)
	}
	_, err := Run(context.Background(), Config{Profile: Max(4), Slice: Slice{2, 0}}, func(context.Context, string, []byte) error { return nil })
	if err == nil {
		t.Error("a sliced closed-loop run was accepted")
	}
}

// sent is one send as the target saw it.
type sent struct {
	seq      uint64
	intended int64
	key      string
	size     int
}

type recordingSender struct {
	mu  sync.Mutex
	got []sent
}

func (r *recordingSender) send(_ context.Context, key string, p []byte) error {
	stamp, seq, ok := ReadStamp(p)
	if !ok {
		return fmt.Errorf("no stamp")
	}
	r.mu.Lock()
	r.got = append(r.got, sent{seq, stamp, key, len(p)})
	r.mu.Unlock()
	time.Sleep(200 * time.Microsecond)
	return nil
}

func (r *recordingSender) sorted() []sent {
	s := slices.Clone(r.got)
	slices.SortFunc(s, func(a, b sent) int { return int(a.seq) - int(b.seq) })
	return s
}

// N workers with a shared t0 send exactly what one generator sends: the
// same sends (by number), at the same intended times, with the same keys
// and sizes — for constant, ramp and steps profiles — and the slices' counts
// add up to the whole run's.
func TestSlicesTogetherSendTheWholeSchedule(t *testing.T) {
	profiles := map[string]Profile{
		"constant": Constant(3000),
		"ramp":     Ramp(500, 4000, 2*time.Second),
		"steps":    Steps(Step{1000, units.Duration(500 * ms)}, Step{2500, units.Duration(time.Second)}, Step{700, units.Duration(time.Second)}),
	}
	for name, prof := range profiles {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				keys, err := NewKeys(model.KeySpec{Count: 1000, Distribution: model.KeyDist{Kind: model.KeysZipf, S: 1.1}})
				if err != nil {
					t.Fatal(err)
				}
				payloads, err := NewPayloads(model.SizeDist{Kind: model.SizeUniform, Min: 100, Max: 2000}, 0, 7)
				if err != nil {
					t.Fatal(err)
				}
				t0 := time.Now().Add(time.Second)
				cfg := Config{Profile: prof, Warmup: 300 * ms, Duration: 2 * time.Second, Keys: keys, Payloads: payloads, Seed: 42, StartAt: t0}
				whole := &recordingSender{}
				wres, err := Run(t.Context(), cfg, whole.send)
				if err != nil {
					t.Fatal(err)
				}
				const n = 3
				sliced := &recordingSender{}
				var wg sync.WaitGroup
				res := make([]*Result, n)
				errs := make([]error, n)
				for i := range n {
					c := cfg
					c.StartAt = t0.Add(10 * time.Second)
					c.Slice = Slice{n, i}
					wg.Go(func() { res[i], errs[i] = Run(t.Context(), c, sliced.send) })
				}
				wg.Wait()
				var sum Counts
				for i, r := range res {
					if errs[i] != nil {
						t.Fatal(errs[i])
					}
					if r.Slice != (Slice{n, i}) || !r.T0.Equal(t0.Add(10*time.Second)) || r.StartLag != 0 {
						t.Errorf("worker %d: slice %+v t0 %v lag %v", i, r.Slice, r.T0, r.StartLag)
					}
					sum.Sent += r.Counts.Sent
					sum.Acked += r.Counts.Acked
					sum.WarmupSent += r.Counts.WarmupSent
					sum.Missed += r.Counts.Missed
				}
				w := wres.Counts
				if sum.Sent != w.Sent || sum.Acked != w.Acked || sum.WarmupSent != w.WarmupSent || sum.Missed != 0 || w.Sent == 0 {
					t.Errorf("slices sent %d acked %d warm-up %d missed %d; whole run %d, %d, %d", sum.Sent, sum.Acked, sum.WarmupSent, sum.Missed, w.Sent, w.Acked, w.WarmupSent)
				}
				a, b := whole.sorted(), sliced.sorted()
				if len(a) != len(b) {
					t.Fatalf("whole run made %d sends, slices %d", len(a), len(b))
				}
				shift := int64(10 * time.Second)
				for k := range a {
					if a[k].seq != uint64(k) || b[k].seq != uint64(k) {
						t.Fatalf("send %d: numbers %d and %d", k, a[k].seq, b[k].seq)
					}
					if a[k].key != b[k].key || a[k].size != b[k].size || a[k].intended+shift != b[k].intended {
						t.Fatalf("send %d: whole %+v, sliced %+v (t0 10s later)", k, a[k], b[k])
					}
				}
			})
		})
	}
}

// A worker that starts after t0 keeps t0, reports its lateness, catches up
// at the bounded rate, and still sends its whole share.
func TestLateWorkerCatchesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &sleepSender{d: 100 * time.Microsecond}
		t0 := time.Now().Add(-300 * ms)
		res, err := Run(t.Context(), Config{Profile: Constant(1000), Duration: 2 * time.Second, StartAt: t0, Slice: Slice{2, 1}}, s.send)
		if err != nil {
			t.Fatal(err)
		}
		if res.StartLag != 300*ms || !res.T0.Equal(t0) {
			t.Errorf("start lag %v, t0 %v; want 300ms, %v", res.StartLag, res.T0, t0)
		}
		c := res.Counts
		// Worker 1 of 2 owns sends 1, 3, …, 1999: 1000 of them, due 2 ms
		// apart. It starts 300 ms behind and catches up at 2× (one send a
		// millisecond), gaining 1 ms a send: about 300 sends go late (a
		// little fewer: the first 10 ms of backlog go back to back).
		if c.Sent != 1000 || c.Missed != 0 || c.Late < 280 || c.Late > 300 {
			t.Errorf("sent %d missed %d late %d; want 1000, 0, 280–300", c.Sent, c.Missed, c.Late)
		}
		if res.TargetRate != 500 {
			t.Errorf("target rate %v; want 500 (half of 1000/s)", res.TargetRate)
		}
	})
}
