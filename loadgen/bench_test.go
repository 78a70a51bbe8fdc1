package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
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
// achieved rate is from the target (rate-err-%) and the allocations per
// send. Run with -benchtime=2000000x or so, so each run lasts seconds.
func BenchmarkGeneratorRate(b *testing.B) {
	for _, rate := range []float64{100e3, 500e3, 1e6} {
		b.Run(fmt.Sprintf("%.0fk/s", rate/1e3), func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			res, err := Run(context.Background(), Config{Profile: Constant(unitsRate(rate)), Records: int64(b.N)}, noopSend)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if res.Counts.Sent != int64(b.N) {
				b.Fatalf("sent %d; want %d", res.Counts.Sent, b.N)
			}
			b.ReportMetric(100*(res.AchievedRate-rate)/rate, "rate-err-%")
			b.ReportMetric(float64(res.Counts.Late)/float64(b.N)*100, "late-%")
			b.ReportMetric(float64(res.SendLag.ValueAtQuantile(99))/1e3, "lag-p99-µs")
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
