package bench

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/streamcap/streamcap/loadgen"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// 3000/s for 2 s through an in-memory target with one consumer, on the
// virtual clock (synctest): exactly 6000 measured sends, every one
// acknowledged at exactly the target rate, the driver saw exactly the
// measured and warm-up sends, and each record was consumed end to end.
func TestRunInMemoryIntegration(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := &memDriver{}
		res, err := Run(t.Context(), Options{
			Target: "mem", Workload: model.Workload{Rate: 3000}, Duration: 2 * time.Second,
			Warmup: 200 * time.Millisecond, Consumers: 1,
		}, d)
		if err != nil {
			t.Fatal(err)
		}
		c := res.Counts
		if res.AchievedRate != 3000 || res.TargetRate != 3000 {
			t.Errorf("achieved %v/s of %v/s; want exactly 3000/s on the virtual clock (stop %s, late %d, missed %d)", res.AchievedRate, res.TargetRate, res.StopReason, c.Late, c.Missed)
		}
		if c.Sent != 6000 || c.Acked != c.Sent || c.WarmupSent != 600 || d.sent.Load() != c.Sent+c.WarmupSent {
			t.Errorf("sent %d acked %d (+%d warm-up), driver saw %d; want 6000 = acked = driver − 600 warm-up", c.Sent, c.Acked, c.WarmupSent, d.sent.Load())
		}
		if res.E2E.Count != c.Acked || res.E2ECounts.Received != c.Acked {
			t.Errorf("e2e recorded %d; want %d (every acked record)", res.E2E.Count, c.Acked)
		}
		if res.E2E.P99NS <= 0 || res.Response.Count != c.Acked {
			t.Errorf("e2e p99 %d ns, %d response samples; want > 0, %d", res.E2E.P99NS, res.Response.Count, c.Acked)
		}
		if len(res.Timeline) != 2 || res.Driver.Name != "mem" || res.Schema != SchemaVersion {
			t.Errorf("timeline %d, driver %q, schema %q", len(res.Timeline), res.Driver.Name, res.Schema)
		}
	})
}

// Library callers get the same defaults as the CLI: the warm-up and
// duration come from Resolve, NoWarmup turns the warm-up off.
func TestResolveDefaults(t *testing.T) {
	for _, tc := range []struct {
		name             string
		opts             Options
		duration, warmup time.Duration
	}{
		{"library zero values", Options{Workload: model.Workload{Rate: 10}}, DefaultDuration, DefaultWarmup},
		{"no warm-up", Options{Workload: model.Workload{Rate: 10}, Warmup: NoWarmup}, DefaultDuration, 0},
		{"records only", Options{Workload: model.Workload{Rate: 10}, Records: 100}, 0, DefaultWarmup},
		{"scenario block", Options{Workload: model.Workload{Rate: 10, Bench: &model.BenchSpec{Duration: units.Duration(time.Minute), Warmup: units.Duration(2 * time.Second)}}}, time.Minute, 2 * time.Second},
	} {
		r, err := tc.opts.Resolve()
		if err != nil || r.Duration != tc.duration || r.Warmup != tc.warmup {
			t.Errorf("%s: duration %v warm-up %v (%v); want %v, %v", tc.name, r.Duration, r.Warmup, err, tc.duration, tc.warmup)
		}
	}
	if _, err := (Options{Workload: model.Workload{Rate: 10}, Duration: -time.Second}).Resolve(); err == nil || !strings.Contains(err.Error(), "duration -1s") {
		t.Errorf("negative duration: %v", err)
	}
}

// The coordinated-omission test through bench.Run: 1000/s for 5 s, at
// most 4 sends in flight, the target freezes for 1 s once. Virtual time
// (synctest) keeps it exact and fast.
func TestRunCoordinatedOmission(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := &memDriver{service: 200 * time.Microsecond, stallAt: 2 * time.Second, stallFor: time.Second}
		res, err := Run(t.Context(), Options{
			Target: "mem", Workload: model.Workload{Rate: 1000}, Duration: 5 * time.Second, Warmup: NoWarmup, MaxInflight: 4, Consumers: 1,
		}, d)
		if err != nil {
			t.Fatal(err)
		}
		p99, svc99 := time.Duration(res.Response.P99NS), time.Duration(res.Service.P99NS)
		if p99 < 900*time.Millisecond || p99 > 1100*time.Millisecond {
			t.Errorf("corrected response p99 %v; want near the 1s stall", p99)
		}
		if svc99 > 2*time.Millisecond {
			t.Errorf("service p99 %v; want ≈200µs: only the 4 in-flight sends saw the stall", svc99)
		}
		// End-to-end is stamped with the intended time, so it shows the stall too.
		if e2e := time.Duration(res.E2E.P99NS); e2e < 900*time.Millisecond {
			t.Errorf("e2e p99 %v; want near the stall", e2e)
		}
	})
}

func TestRunDeadTargetNeverHangs(t *testing.T) {
	tests := []struct {
		name     string
		d        *memDriver
		failFast bool
		check    func(t *testing.T, r *Result, err error)
	}{
		{
			name: "errors are counted and the run ends at its duration",
			d:    &memDriver{failAfter: time.Second},
			check: func(t *testing.T, r *Result, err error) {
				if err != nil || r.Counts.Acked != 1000 || r.Counts.Errors != 2000 || r.StopReason != "duration" {
					t.Errorf("err %v, acked %d, errors %d, stop %q; want nil, 1000, 2000, duration", err, r.Counts.Acked, r.Counts.Errors, r.StopReason)
				}
				if len(r.Errors) != 1 || r.Errors[0].Message != "connection refused" {
					t.Errorf("errors by message %v", r.Errors)
				}
			},
		},
		{
			name: "fail-fast returns the partial result and the error", d: &memDriver{failAfter: time.Second}, failFast: true,
			check: func(t *testing.T, r *Result, err error) {
				if err == nil || !strings.Contains(err.Error(), "connection refused") || r == nil || r.Counts.Acked != 1000 || r.StopReason != "fail-fast" {
					t.Errorf("err %v, result %+v; want fail-fast after 1000 acks", err, r)
				}
			},
		},
		{
			// Sends hang from 1 s on: the pool fills (64), the rest of the
			// schedule is late and finally missed; the drain cancels the
			// hung sends. Run returns.
			name: "hung sends are aborted at the drain timeout", d: &memDriver{hangAfter: time.Second},
			check: func(t *testing.T, r *Result, err error) {
				c := r.Counts
				if err != nil || c.Acked != 1000 || c.Aborted != 64 || c.PeakInflight != 64 || c.Missed == 0 {
					t.Errorf("err %v, acked %d aborted %d peak %d missed %d; want nil, 1000, 64, 64, > 0", err, c.Acked, c.Aborted, c.PeakInflight, c.Missed)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				res, err := Run(t.Context(), Options{
					Target: "mem", Workload: model.Workload{Rate: 1000}, Duration: 3 * time.Second, Warmup: NoWarmup,
					MaxInflight: 64, FailFast: tc.failFast, DrainTimeout: 2 * time.Second,
				}, tc.d)
				tc.check(t, res, err)
			})
		})
	}
}

func TestRunSetupErrorAndBadOptions(t *testing.T) {
	boom := errors.New("no such endpoint")
	_, err := Run(t.Context(), Options{Target: "mem", Workload: model.Workload{Rate: 10}}, &memDriver{setupErr: boom})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "setup mem target") {
		t.Errorf("err = %v; want the wrapped setup error", err)
	}
	for want, opts := range map[string]Options{
		"consumers 100":         {Workload: model.Workload{Rate: 10}, Consumers: 100},
		"profile constant rate": {},
		"record_size.fixed":     {Workload: model.Workload{Rate: 10, RecordSize: model.SizeDist{Kind: model.SizeFixed, Fixed: 4}}},
	} {
		if _, err := Run(t.Context(), opts, &memDriver{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Run(%+v) = %v; want an error naming %q", opts, err, want)
		}
	}
}

func TestRunCanceledReturnsPartialResult(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(1500*time.Millisecond-time.Nanosecond, cancel)
		res, err := Run(ctx, Options{Target: "mem", Workload: model.Workload{Rate: 100}, Duration: time.Minute, Warmup: NoWarmup, Consumers: 1}, &memDriver{})
		if err != nil || res == nil || res.Counts.Sent != 150 || res.StopReason != "canceled" {
			t.Fatalf("err %v, result %+v; want 150 sends, canceled", err, res)
		}
	})
}

func TestScenarioBenchBlockFillsUnsetOptions(t *testing.T) {
	w := model.Workload{Rate: 10, Bench: &model.BenchSpec{Target: "kafka", Duration: units.Duration(time.Minute), Warmup: units.Duration(5 * time.Second), Shards: 4, MaxInflight: 7}}
	opts := Options{Workload: w, Warmup: time.Second} // the flag wins over the scenario
	cfg, st, err := opts.loadgenConfig()
	if err != nil {
		t.Fatal(err)
	}
	if opts.Target != "kafka" || cfg.Duration != time.Minute || cfg.Warmup != time.Second || opts.Shards != 4 || cfg.MaxInflight != 7 || st.Shards != 4 {
		t.Errorf("options %+v, config duration %v warm-up %v max in-flight %d", opts, cfg.Duration, cfg.Warmup, cfg.MaxInflight)
	}
}

func TestProgressLine(t *testing.T) {
	p := loadgen.Progress{
		Interval: loadgen.Interval{Rate: 2999.5, TargetRate: 3000},
		Elapsed:  12 * time.Second, Sent: 36000, Errors: 2, Throttles: 1, ResponseP99: 4200 * time.Microsecond,
	}
	for _, tc := range []struct {
		name       string
		tty, quiet bool
		want       string
	}{
		{"terminal", true, false, "\r   12s  3,000/s (target 3,000/s)  sent 36,000  p99 4.2 ms  errors 2  throttles 1\x1b[K\n"},
		{"piped", false, false, ""},
		{"quiet", true, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			l := newProgressLine(&b, tc.tty && !tc.quiet)
			l.update(p)
			l.finish()
			if b.String() != tc.want {
				t.Errorf("progress %q; want %q", b.String(), tc.want)
			}
		})
	}
}

// A run records how its consumers read only when consumers ran.
func TestRunConsumerKindOnlyWithConsumers(t *testing.T) {
	for _, c := range []struct {
		consumers int
		want      string
	}{{0, ""}, {1, "push (enhanced fan-out)"}} {
		synctest.Test(t, func(t *testing.T) {
			res, err := Run(t.Context(), Options{
				Target: "mem", Workload: model.Workload{Rate: 100}, Duration: time.Second, Warmup: NoWarmup,
				Consumers: c.consumers, Consumer: "push (enhanced fan-out)",
			}, &memDriver{service: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			if res.Settings.Consumer != c.want || res.Settings.Consumers != c.consumers {
				t.Errorf("consumers %d: settings say %d read by %q, want %q", c.consumers, res.Settings.Consumers, res.Settings.Consumer, c.want)
			}
		})
	}
}

// --no-spin paces with sleeps only: on the real clock a run with it spins not at all and says so,
// one without it spins (a sender waits for every one of its slots at 1000/s).
func TestRunNoSpin(t *testing.T) {
	for _, noSpin := range []bool{false, true} {
		if !noSpin && runtime.NumCPU() == 1 {
			continue // loadgen does not spin on one CPU by default
		}
		res, err := Run(t.Context(), Options{
			Target: "mem", Workload: model.Workload{Rate: 1000}, Duration: 300 * time.Millisecond, Warmup: NoWarmup, NoSpin: noSpin,
		}, &memDriver{})
		if err != nil {
			t.Fatal(err)
		}
		p := res.Pacing
		if p == nil || !p.Hybrid || p.Waits == 0 {
			t.Fatalf("no-spin %v: pacing %+v, want the hybrid wait's stats", noSpin, p)
		}
		spun := p.Spin > 0 && p.SpinWindowMax >= loadgen.DefaultSpinWindow
		if spun == noSpin || res.Settings.NoSpin != noSpin {
			t.Errorf("no-spin %v: spin %v, widest window %v, settings.no_spin %v", noSpin, p.Spin, p.SpinWindowMax, res.Settings.NoSpin)
		}
		var text strings.Builder
		if err := WriteText(&text, res); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(text.String(), "no spin (--no-spin)") != noSpin {
			t.Errorf("no-spin %v: pacing line in\n%s", noSpin, text.String())
		}
	}
}
