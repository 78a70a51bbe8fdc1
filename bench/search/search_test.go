package search

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/model/units"
)

// fakeTarget is a target with a known capacity: it acknowledges up to
// capacity records/s and throttles the rest, and its p99 jumps from 5 ms
// to 800 ms above capacity. Short (below longAfter) trials see
// shortCapacity instead when it is set, as a target with burst credit
// would. consumerCap, when set, is how fast one consumer drains.
type fakeTarget struct {
	capacity, shortCapacity float64
	longAfter               time.Duration
	consumerCap             float64
	genCap                  float64 // generator ceiling (0: none)
	calls                   []Durations
}

func (f *fakeTarget) trial(_ context.Context, rate units.EventRate, d Durations) (*Measurement, error) {
	f.calls = append(f.calls, d)
	r := float64(rate)
	cp := f.capacity
	if f.shortCapacity > 0 && d.Measure < f.longAfter {
		cp = f.shortCapacity
	}
	secs := d.Measure.Seconds()
	achieved := r
	if f.genCap > 0 {
		achieved = math.Min(r, f.genCap)
	}
	sent := int64(math.Round(achieved * secs))
	throttled := int64(math.Round(math.Max(0, achieved-cp) * secs))
	res := &bench.Result{
		TargetRate: r, AchievedRate: achieved, ElapsedNS: int64(d.Measure),
		Response: bench.Latency{Count: sent, P99NS: int64(5 * time.Millisecond)},
	}
	res.Counts.Sent, res.Counts.Acked, res.Counts.Throttles = sent, sent-throttled, throttled
	if throttled > 0 {
		res.Response.P99NS = int64(800 * time.Millisecond)
	}
	m := &Measurement{Result: res}
	if f.consumerCap > 0 {
		res.Settings.Consumers = 1
		res.E2E = bench.Latency{Count: sent, P99NS: int64(20 * time.Millisecond)}
		grow := math.Max(0, r-f.consumerCap)
		for t := time.Duration(0); t <= d.Measure; t += 250 * time.Millisecond {
			// A polling consumer's saw-tooth (0–150 records, polled
			// every second) on top of the growth.
			saw := int64(t/(250*time.Millisecond)) % 4 * 50
			m.Lag = append(m.Lag, LagSample{At: t, Records: int64(grow*t.Seconds()) + saw})
		}
	}
	return m, nil
}

func rates(o *Outcome) []float64 {
	var out []float64
	for _, t := range o.Trials {
		out = append(out, t.Rate)
	}
	return out
}

func TestSearchAgainstKnownCapacity(t *testing.T) {
	short := Options{Trial: 2 * time.Second, Warmup: time.Second, Confirm: 10 * time.Second}
	with := func(o Options, f func(*Options)) Options { f(&o); return o }
	for _, tc := range []struct {
		name       string
		target     fakeTarget
		opts       Options
		wantRates  []float64 // the exact trial sequence (hand-checked)
		lo, hi     float64
		confirmed  bool
		stop       string
		wantReason string // a reason some failing trial gives
	}{
		{
			// 100…800 pass, 1600 fails; bisect 1200 F, 1000 P (at
			// capacity nothing is throttled), 1100 F, 1050 F, 1025 F:
			// (1025−1000)/1025 = 2.4 % > 2 %; 1012.5 rounds to 1013 F:
			// 1.3 % ≤ 2 %. Confirm at 1000 passes.
			name:      "1000/s from 100/s",
			target:    fakeTarget{capacity: 1000},
			opts:      with(short, func(o *Options) { o.From = 100 }),
			wantRates: []float64{100, 200, 400, 800, 1600, 1200, 1000, 1100, 1050, 1025, 1013, 1000},
			lo:        1000, hi: 1013, confirmed: true, stop: StopBracket,
			wantReason: "failed sends missed: 37.5 % (1,200 of 3,200) (want ≤ 0.1 %): 1,200 throttled",
		},
		{
			// From fails: halve 1000 → 500 F → 250 P, then bisect
			// [250, 500]: 375 F, 312.5→313 P, 344 F, 328.5→329 F,
			// 321 F, 317 F ((317−313)/317 = 1.3 %); confirm 313.
			name:      "from above capacity halves down",
			target:    fakeTarget{capacity: 314},
			opts:      with(short, func(o *Options) { o.From = 1000 }),
			wantRates: []float64{1000, 500, 250, 375, 313, 344, 329, 321, 317, 313},
			lo:        313, hi: 317, confirmed: true, stop: StopBracket,
		},
		{
			name:      "ceiling reached",
			target:    fakeTarget{capacity: 1e9},
			opts:      with(short, func(o *Options) { o.From, o.To = 100, 1000 }),
			wantRates: []float64{100, 200, 400, 800, 1000, 1000},
			lo:        1000, hi: 0, confirmed: true, stop: StopCeiling,
		},
		{
			name:      "nothing passes",
			target:    fakeTarget{capacity: 0.5},
			opts:      with(short, func(o *Options) { o.From = 8 }),
			wantRates: []float64{8, 4, 2, 1},
			lo:        0, hi: 1, stop: StopFloor,
		},
		{
			// Short trials see 1050/s, full-length ones 1000/s. The
			// short search ends at [1050, 1063]; confirming 1050 fails, so
			// it bisects [1000, 1050] at full length: 1025 F, 1013 F;
			// 1000 was only passed short, so it is confirmed.
			name:      "confirmation fails, search continues below",
			target:    fakeTarget{capacity: 1000, shortCapacity: 1050, longAfter: 5 * time.Second},
			opts:      with(short, func(o *Options) { o.From = 100 }),
			wantRates: []float64{100, 200, 400, 800, 1600, 1200, 1000, 1100, 1050, 1075, 1063, 1050, 1025, 1013, 1000},
			lo:        1000, hi: 1013, confirmed: true, stop: StopBracket,
		},
		{
			name:      "no confirmation",
			target:    fakeTarget{capacity: 1000},
			opts:      with(short, func(o *Options) { o.From = 100; o.Confirm = -1 }),
			wantRates: []float64{100, 200, 400, 800, 1600, 1200, 1000, 1100, 1050, 1025, 1013},
			lo:        1000, hi: 1013, stop: StopBracket,
		},
		{
			// The generator tops out at 2,500/s: the target never
			// throttles, but above 2,500/0.99 the achieved rate fails.
			// (2625−2500)/2625 = 4.8 % is within 5 %.
			name:      "generator-bound",
			target:    fakeTarget{capacity: 1e9, genCap: 2500},
			opts:      with(short, func(o *Options) { o.From = 1000; o.Precision = 0.05 }),
			wantRates: []float64{1000, 2000, 4000, 3000, 2500, 2750, 2625, 2500},
			lo:        2500, hi: 2625, confirmed: true, stop: StopBracket,
			wantReason: "achieved 2,500/s < 99 % of 4,000/s",
		},
		{
			// One consumer drains 1,500/s; the producer side is unlimited.
			// Above 1,500/s the backlog grows at rate − 1,500 (> 1 % of
			// the rate from 1,515.2/s); the saw-tooth alone does not fail
			// (1,500 passes). 1562.5 and 1531.5 round up.
			name:      "consumer backlog",
			target:    fakeTarget{capacity: 1e9, consumerCap: 1500},
			opts:      with(short, func(o *Options) { o.From = 1000 }),
			wantRates: []float64{1000, 2000, 1500, 1750, 1625, 1563, 1532, 1516, 1500},
			lo:        1500, hi: 1516, confirmed: true, stop: StopBracket,
			wantReason: "backlog grows 500/s > 20/s (1 % of offered)",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.target
			out, err := Search(t.Context(), f.trial, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := rates(out); !slices.Equal(got, tc.wantRates) {
				t.Errorf("trial rates %v\nwant          %v", got, tc.wantRates)
			}
			if out.SustainableRate != tc.lo || out.FailingRate != tc.hi || out.Confirmed != tc.confirmed || out.StopReason != tc.stop {
				t.Errorf("bracket [%v, %v] confirmed %v stop %q; want [%v, %v] %v %q",
					out.SustainableRate, out.FailingRate, out.Confirmed, out.StopReason, tc.lo, tc.hi, tc.confirmed, tc.stop)
			}
			if out.FailingRate > 0 && out.StopReason == StopBracket && out.FailingRate-out.SustainableRate > out.Precision*out.FailingRate {
				t.Errorf("bracket [%v, %v] wider than %v", out.SustainableRate, out.FailingRate, out.Precision)
			}
			for _, tr := range out.Trials {
				if tr.Passed != (len(tr.Reasons) == 0) {
					t.Errorf("trial %v: passed %v with reasons %q", tr.Rate, tr.Passed, tr.Reasons)
				}
			}
			if tc.wantReason != "" && !slices.ContainsFunc(out.Trials, func(tr TrialRecord) bool { return slices.Contains(tr.Reasons, tc.wantReason) }) {
				t.Errorf("no trial gives reason %q; reasons: %q", tc.wantReason, allReasons(out))
			}
			// Every trial warms up, and only confirmation-phase trials run
			// at full length.
			for i, d := range f.calls {
				full := out.Trials[i].Phase == PhaseConfirm
				if d.Warmup != time.Second || (d.Measure == 10*time.Second) != full {
					t.Errorf("trial %d (%s) ran %+v", i, out.Trials[i].Phase, d)
				}
			}
		})
	}
}

func allReasons(o *Outcome) []string {
	var out []string
	for _, t := range o.Trials {
		out = append(out, t.Reasons...)
	}
	return out
}

func TestSearchStopsEarly(t *testing.T) {
	f := fakeTarget{capacity: 1000}
	out, err := Search(t.Context(), f.trial, Options{From: 100, MaxTrials: 6, Trial: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Trials) != 6 || out.StopReason != StopMaxTrials || out.SustainableRate != 800 || out.FailingRate != 1200 || out.Confirmed {
		t.Errorf("%d trials, stop %q, [%v, %v] confirmed %v; want 6, max-trials, [800, 1200], false",
			len(out.Trials), out.StopReason, out.SustainableRate, out.FailingRate, out.Confirmed)
	}

	// A canceled context: the trial returns its error, Search returns the
	// trials so far with it.
	ctx, cancel := context.WithCancel(t.Context())
	n := 0
	trial := func(ctx context.Context, r units.EventRate, d Durations) (*Measurement, error) {
		if n++; n == 3 {
			cancel()
			return nil, ctx.Err()
		}
		return f.trial(ctx, r, d)
	}
	out, err = Search(ctx, trial, Options{From: 100, Trial: time.Second})
	if !errors.Is(err, context.Canceled) || out == nil || len(out.Trials) != 2 || out.StopReason != StopCanceled || out.SustainableRate != 200 {
		t.Errorf("canceled search: err %v, outcome %+v", err, out)
	}
}

func TestSearchRejectsBadOptions(t *testing.T) {
	f := fakeTarget{capacity: 1000}
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{}, "from 0: must be a rate above 0/s"},
		{Options{From: 100, To: 50}, "to 50/s: must be a finite rate at least from (100/s)"},
		{Options{From: 100, Precision: 0.7}, "precision 0.7: must be above 0 and at most 0.5"},
		{Options{From: 100, Criteria: Criteria{MaxErrorRate: 2}}, "max error rate 2: must be above 0 and below 1"},
		{Options{From: 100, Trial: -time.Second}, "trial -1s"},
	} {
		_, err := Search(t.Context(), f.trial, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v; want %q", tc.opts, err, tc.want)
		}
	}
}

func TestSlope(t *testing.T) {
	for _, tc := range []struct {
		name string
		lag  []LagSample
		want float64
		ok   bool
	}{
		{"flat", []LagSample{{0, 5}, {time.Second, 5}, {2 * time.Second, 5}}, 0, true},
		{"growing 100/s", []LagSample{{0, 0}, {time.Second, 100}, {2 * time.Second, 200}}, 100, true},
		// (0,0) (1,30) (2,20) (3,50): mean x 1.5, mean y 25;
		// Σdx·dy = (-1.5)(-25)+(-.5)(5)+(.5)(-5)+(1.5)(25) = 70; Σdx² = 5.
		{"noisy", []LagSample{{0, 0}, {time.Second, 30}, {2 * time.Second, 20}, {3 * time.Second, 50}}, 14, true},
		{"one sample", []LagSample{{0, 5}}, 0, false},
		{"one instant", []LagSample{{time.Second, 5}, {time.Second, 9}}, 0, false},
	} {
		got, ok := Slope(tc.lag)
		if ok != tc.ok || math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: slope %v %v; want %v %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
