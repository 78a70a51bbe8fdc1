package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed+1)) }

func unitsRate(r float64) units.EventRate { return units.EventRate(r) }

func noopSend(context.Context, string, []byte) error { return nil }

// BenchmarkGeneratorRate runs the real generator (real clock) against a
// no-op sender at a fixed rate for b.N sends and reports how far the
// achieved rate is from the target (rate-err-%), the send lag p50/p99, the
// busy-wait share of one core the hybrid wait spent (spin-cpu-%), the
// process CPU per second of run (cpu-%, all goroutines) and the
// allocations per send. The spin=off variants are the same runs with the
// busy-wait off (thread sleep only), to show what it buys. Run the high
// rates with -benchtime=2000000x or so, so each run lasts seconds; the low
// ones with -benchtime=3s.
func BenchmarkGeneratorRate(b *testing.B) {
	for _, c := range []struct {
		rate float64
		spin time.Duration
	}{{3e3, 0}, {3e3, NoSpin}, {10e3, 0}, {100e3, 0}, {100e3, NoSpin}, {500e3, 0}, {1e6, 0}} {
		name := fmt.Sprintf("%gk/s", c.rate/1e3)
		if c.spin == NoSpin {
			name += "/spin=off"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := processCPU()
			b.ResetTimer()
			res, err := Run(context.Background(), Config{Profile: Constant(unitsRate(c.rate)), Records: int64(b.N), SpinWindow: c.spin}, noopSend)
			b.StopTimer()
			cpu := processCPU() - cpu0
			if err != nil {
				b.Fatal(err)
			}
			switch {
			case res.StopReason == string(stopBehind):
				// A starved machine (the generator > StopGrace behind at
				// the end) is a result, not a failure: report it.
				b.ReportMetric(100*float64(int64(b.N)-res.Counts.Sent)/float64(b.N), "unsent-%")
			case res.Counts.Sent != int64(b.N):
				b.Fatalf("sent %d; want %d (stopped: %s)", res.Counts.Sent, b.N, res.StopReason)
			}
			b.ReportMetric(100*(res.AchievedRate-c.rate)/c.rate, "rate-err-%")
			b.ReportMetric(float64(res.Counts.Late)/float64(b.N)*100, "late-%")
			b.ReportMetric(float64(res.SendLag.ValueAtQuantile(50))/1e3, "lag-p50-µs")
			b.ReportMetric(float64(res.SendLag.ValueAtQuantile(99))/1e3, "lag-p99-µs")
			b.ReportMetric(100*res.Pacing.SpinShare, "spin-cpu-%")
			if res.Elapsed > 0 && cpu0 >= 0 {
				b.ReportMetric(100*float64(cpu)/float64(res.Elapsed), "cpu-%")
			}
		})
	}
}

// BenchmarkGeneratorOverhead is the whole per-send cost of the generator
// (key and payload generation, stamping, three histogram records, clock
// reads, pool accounting): a one-worker closed loop against a no-op sender.
func BenchmarkGeneratorOverhead(b *testing.B) {
	b.ReportAllocs()
	res, err := Run(context.Background(), Config{Profile: Max(1), Records: int64(b.N)}, noopSend)
	if err != nil {
		b.Fatal(err)
	}
	if res.Counts.Sent != int64(b.N) {
		b.Fatalf("sent %d; want %d", res.Counts.Sent, b.N)
	}
}

// BenchmarkRecord is the cost of recording one completed send (lock,
// response, service and send-lag histograms, counters).
func BenchmarkRecord(b *testing.B) {
	s := newShard(DefaultMaxErrorKinds)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d := time.Duration(i&0xffff) * time.Microsecond
		s.complete(d, d+time.Microsecond, d+3*time.Millisecond, 1000, classOK, nil, true)
	}
}

// BenchmarkRecordError is the error path (message counted by type).
func BenchmarkRecordError(b *testing.B) {
	s := newShard(DefaultMaxErrorKinds)
	err := errors.New("boom")
	b.ReportAllocs()
	for b.Loop() {
		s.complete(0, 0, 0, 1000, classError, err, true)
	}
}

// BenchmarkPayloadKey is drawing a zipf key and a 1 KB stamped payload.
func BenchmarkPayloadKey(b *testing.B) {
	k, _ := NewKeys(model.KeySpec{Count: 10000, Distribution: model.KeyDist{Kind: model.KeysZipf, S: 1.1}})
	p, _ := NewPayloads(model.SizeDist{Kind: model.SizeFixed, Fixed: 1000}, 0, 1)
	s := &sender{rng: newRand(1), buf: make([]byte, p.MaxSize())}
	b.ReportAllocs()
	var n int
	for i := 0; b.Loop(); i++ {
		n += len(k.Key(k.Index(s.rng))) + len(p.Next(s.rng, s.buf, int64(i), uint64(i)))
	}
	if n == math.MinInt {
		b.Log(n)
	}
}

// BenchmarkPacingFloor measures the machine, not the generator: one goroutine, locked to its
// thread, busy-waits without ever yielding until each of b.N due times 1/3000 s apart and
// records how late it first saw each (lag-p99-µs, lag-p99.9-µs). That is the send lag of a
// perfect pacer that owns a core, so no generator can do better on the same machine; a virtual
// machine whose host takes the CPU away now and then shows it here. stolen-% is the share of
// the run lost in gaps over 10 µs between two clock reads. Compare BenchmarkGeneratorRate's
// send lag with it (docs/performance.md); run it with -benchtime 30000x (10 s).
func BenchmarkPacingFloor(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	const gap = time.Second / 3000
	h := NewHistogram()
	var stolen time.Duration
	start := time.Now()
	prev := start
	due := gap
	for b.Loop() {
		for {
			now := time.Now()
			if d := now.Sub(prev); d > 10*time.Microsecond {
				stolen += d
			}
			prev = now
			if at := now.Sub(start); at >= due {
				_ = h.RecordValue(int64(at - due))
				break
			}
		}
		due += gap
	}
	b.ReportMetric(float64(h.ValueAtQuantile(99))/1e3, "lag-p99-µs")
	b.ReportMetric(float64(h.ValueAtQuantile(99.9))/1e3, "lag-p99.9-µs")
	b.ReportMetric(100*stolen.Seconds()/time.Since(start).Seconds(), "stolen-%")
}
