package search

import (
	"slices"
	"testing"
	"time"

	"github.com/streamcap/streamcap/bench"
)

func TestJudge(t *testing.T) {
	ms := func(n int64) int64 { return n * int64(time.Millisecond) }
	base := func() *bench.Result {
		r := &bench.Result{TargetRate: 1000, AchievedRate: 1000, ElapsedNS: int64(10 * time.Second)}
		r.Counts.Sent, r.Counts.Acked = 10000, 10000
		r.Response = bench.Latency{Count: 10000, P99NS: ms(8)}
		return r
	}
	slo := Criteria{PublishP99: 50 * time.Millisecond, E2EP99: 200 * time.Millisecond}
	for _, tc := range []struct {
		name   string
		edit   func(*Measurement)
		crit   Criteria
		want   []string
		slope  float64 // when ≥ 0, the backlog slope reported
		hasLag bool
	}{
		{name: "clean", edit: func(*Measurement) {}, crit: slo, want: []string{}},
		{name: "generator fell behind", edit: func(m *Measurement) { m.Result.AchievedRate = 985 },
			want: []string{"achieved 985/s < 99 % of 1,000/s"}},
		{
			// 10 failed of 10000 is exactly 0.1 %: allowed; one more is not.
			name: "error budget edge", edit: func(m *Measurement) {
				m.Result.Counts.Throttles = 4
				m.Result.Counts.Aborted = 3
				m.Result.Counts.Unfinished = 3
			},
			want: []string{},
		},
		{name: "aborted and unfinished count", edit: func(m *Measurement) {
			m.Result.Counts.Errors = 2
			m.Result.Counts.Aborted = 5
			m.Result.Counts.Unfinished = 4
		}, want: []string{"failed sends missed: 0.11 % (11 of 10,000) (want ≤ 0.1 %): 2 errors, 5 aborted, 4 unfinished"}},
		{name: "scenario error budget", edit: func(m *Measurement) { m.Result.Counts.Throttles = 40 }, crit: Criteria{MaxErrorRate: 0.01}, want: []string{}},
		{name: "publish p99", edit: func(m *Measurement) { m.Result.Response.P99NS = ms(75) }, crit: slo,
			want: []string{"publish p99 missed: 75 ms (want ≤ 50 ms)"}},
		{
			// Without consumers the end-to-end bound is not checked.
			name: "no consumers, no e2e check", edit: func(*Measurement) {}, crit: Criteria{E2EP99: time.Millisecond}, want: []string{},
		},
		{name: "consumer keeps up", crit: slo, hasLag: true, slope: 0, edit: func(m *Measurement) {
			m.Result.Settings.Consumers = 1
			m.Result.E2E = bench.Latency{Count: 10000, P99NS: ms(120)}
			for i := range 40 { // 250 ms samples, a 0–150 saw-tooth per second
				m.Lag = append(m.Lag, LagSample{At: time.Duration(i) * 250 * time.Millisecond, Records: int64(i%4) * 50})
			}
		}, want: []string{}},
		{name: "consumer falls behind", crit: slo, hasLag: true, slope: 30, edit: func(m *Measurement) {
			m.Result.Settings.Consumers = 1
			m.Result.E2E = bench.Latency{Count: 10000, P99NS: ms(900)}
			for i := range 40 {
				at := time.Duration(i) * 250 * time.Millisecond
				m.Lag = append(m.Lag, LagSample{At: at, Records: int64(30*at.Seconds()) + int64(i%4)*50})
			}
		}, want: []string{"end-to-end p99 missed: 900 ms (want ≤ 200 ms)", "backlog grows 30/s > 10/s (1 % of offered)"}},
		{
			// Polling every second: the backlog may also grow by one
			// poll's records (1,000) over the 8 s between the first and
			// last complete windows' minima (0 s … 8 s of 9.75 s):
			// 10 + 1000/8 = 135/s.
			name: "polling swing tolerated", crit: Criteria{BacklogJitter: time.Second}, hasLag: true, slope: 30,
			edit: growing(30), want: []string{},
		},
		{
			name: "polling consumer falls behind", crit: Criteria{BacklogJitter: time.Second}, hasLag: true, slope: 200,
			edit: growing(200), want: []string{"backlog grows 200/s > 135/s (1 % of offered + 1 s of records over 8 s)"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &Measurement{Result: base()}
			tc.edit(m)
			c, err := tc.crit.withDefaults()
			if err != nil {
				t.Fatal(err)
			}
			rec := Judge(1000, m, c)
			if !slices.Equal(rec.Reasons, tc.want) || rec.Passed != (len(tc.want) == 0) {
				t.Errorf("passed %v, reasons %q; want %q", rec.Passed, rec.Reasons, tc.want)
			}
			switch {
			case tc.hasLag && (rec.BacklogSlope == nil || *rec.BacklogSlope < tc.slope-0.5 || *rec.BacklogSlope > tc.slope+0.5):
				t.Errorf("backlog slope %v; want %v ± 0.5", rec.BacklogSlope, tc.slope)
			case !tc.hasLag && rec.BacklogSlope != nil:
				t.Errorf("backlog slope %v without consumers", *rec.BacklogSlope)
			}
		})
	}
}

// growing is a consumer whose backlog grows perSec records/s under a
// 0–150 saw-tooth, sampled every 250 ms for 10 s.
func growing(perSec float64) func(*Measurement) {
	return func(m *Measurement) {
		m.Result.Settings.Consumers = 1
		m.Result.E2E = bench.Latency{Count: 10000, P99NS: int64(time.Second)}
		for i := range 40 {
			at := time.Duration(i) * 250 * time.Millisecond
			m.Lag = append(m.Lag, LagSample{At: at, Records: int64(perSec*at.Seconds()) + int64(i%4)*50})
		}
	}
}
