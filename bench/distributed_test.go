package bench

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/streamcap/streamcap/loadgen"
)

// workerResult is worker index of n: sends whose response times are the
// given values (ns), all acknowledged, in a 1 s window starting at t0.
func workerResult(t *testing.T, n, index int, t0 time.Time, values []int64) *Result {
	t.Helper()
	h := loadgen.NewHistogram()
	for _, v := range values {
		if err := h.RecordValue(v); err != nil {
			t.Fatal(err)
		}
	}
	c := int64(len(values))
	lr := &loadgen.Result{
		Profile: loadgen.Constant(3000), Start: t0, Elapsed: time.Second, TargetRate: 3000 / float64(n), AchievedRate: float64(c),
		Counts: loadgen.Counts{Sent: c, Acked: c}, Response: h, Service: loadgen.NewHistogram(), SendLag: loadgen.NewHistogram(),
		StopReason: "duration", Slice: loadgen.Slice{Workers: n, Index: index}, T0: t0,
	}
	opts := Options{Target: "kinesis", Profile: loadgen.Constant(3000), Duration: time.Second, Stream: DefaultStream}
	_, st, err := opts.loadgenConfig()
	if err != nil {
		t.Fatal(err)
	}
	r, err := newResult(opts, st, DriverInfo{}, lr, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Merging adds histograms, never percentiles: two workers with skewed
// latencies merge to the p99 of all their samples together, which is far
// from the mean of their p99s.
func TestMergeSlicesAddsHistogramsNotPercentiles(t *testing.T) {
	t0 := testStart
	fast := make([]int64, 1000) // 1000 sends at 1 ms
	for i := range fast {
		fast[i] = int64(time.Millisecond)
	}
	slow := make([]int64, 1000) // 980 at 1 ms, 20 at 100 ms
	for i := range slow {
		slow[i] = int64(time.Millisecond)
		if i < 20 {
			slow[i] = int64(100 * time.Millisecond)
		}
	}
	a, b := workerResult(t, 2, 0, t0, fast), workerResult(t, 2, 1, t0, slow)
	m, err := Merge(b, a)
	if err != nil {
		t.Fatal(err)
	}
	// Combined: 2000 samples, 20 of them slow (1 %): the p99 is the 1980th
	// value, 1 ms. Worker p99s are 1 ms and 100 ms: their mean, 50.5 ms,
	// describes no sample at all.
	meanP99 := (a.Response.P99NS + b.Response.P99NS) / 2
	if b.Response.P99NS < int64(99*time.Millisecond) || meanP99 < int64(50*time.Millisecond) {
		t.Fatalf("worker p99s %v and %v; the test needs them skewed", time.Duration(a.Response.P99NS), time.Duration(b.Response.P99NS))
	}
	all := loadgen.NewHistogram()
	for _, v := range append(fast, slow...) {
		_ = all.RecordValue(v)
	}
	if got, want := m.Response.P99NS, all.ValueAtQuantile(99); got != want || got == meanP99 {
		t.Errorf("merged p99 %v; want %v (the combined samples), not the mean of p99s %v", time.Duration(got), time.Duration(want), time.Duration(meanP99))
	}
	if got, want := m.Response.P999NS, all.ValueAtQuantile(99.9); got != want {
		t.Errorf("merged p99.9 %v; want %v", time.Duration(got), time.Duration(want))
	}
	if m.Response.Count != 2000 || m.Counts.Acked != 2000 || m.AchievedRate != 2000 {
		t.Errorf("merged count %d acked %d rate %v; want 2000, 2000, 2000/s", m.Response.Count, m.Counts.Acked, m.AchievedRate)
	}
	d := m.Distributed
	if d == nil || d.Workers != 2 || d.Index != nil || len(d.Worker) != 2 || d.Worker[0].Index != 0 || d.Worker[1].Sent != 1000 {
		t.Errorf("merged distributed section %+v", d)
	}
}

func TestMergeRefusesMismatchedOrMissingSlices(t *testing.T) {
	t0 := testStart
	one := []int64{int64(time.Millisecond)}
	w := func(n, i int) *Result { return workerResult(t, n, i, t0, one) }
	otherT0 := workerResult(t, 3, 1, t0.Add(time.Second), one)
	otherSched := w(3, 2)
	otherSched.Distributed.Schedule = strings.Replace(otherSched.Distributed.Schedule, "seed=0", "seed=7", 1)
	for _, tc := range []struct {
		name     string
		in       []*Result
		want     string
		mismatch bool
	}{
		{"missing", []*Result{w(3, 0), w(3, 2)}, "1 of 3 workers missing (index 1)", false},
		{"duplicate", []*Result{w(3, 0), w(3, 0), w(3, 1)}, "results 1 and 2 are both worker 0", false},
		{"different N", []*Result{w(3, 0), w(2, 1)}, "result 2 has 2 workers, result 1 has 3", true},
		{"different t0", []*Result{w(3, 0), otherT0}, "result 2 starts at t0", true},
		{"different schedule", []*Result{w(3, 0), otherSched}, "seed=7", true},
		{"whole and slice", []*Result{w(3, 0), workerResult(t, 1, 0, t0, one)}, "1 of 2 results are worker slices", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Merge(tc.in...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v; want it to say %q", err, tc.want)
			}
			if errors.Is(err, ErrScheduleMismatch) != tc.mismatch {
				t.Errorf("errors.Is(ErrScheduleMismatch) = %v; want %v", !tc.mismatch, tc.mismatch)
			}
		})
	}
}

func TestSlicedRunsRefuseWhatCannotAddUp(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{Target: "embedded", Slice: loadgen.Slice{Workers: 2}}, "target embedded runs inside each worker"},
		{Options{Target: "kinesis", Consumers: 1, Slice: loadgen.Slice{Workers: 2}}, "consumers cannot be split"},
	} {
		_, _, err := tc.opts.loadgenConfig()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v; want %q", tc.opts.Slice, err, tc.want)
		}
	}
}

func TestMergedSlicesTextListsWorkers(t *testing.T) {
	one := []int64{int64(time.Millisecond)}
	a, b := workerResult(t, 2, 0, testStart, one), workerResult(t, 2, 1, testStart, append(one, one...))
	b.Distributed.StartLagNS = int64(1500 * time.Microsecond)
	b.Distributed.Host = "pod-1"
	m, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	if err := WriteText(&sb, m); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`2 workers from t0 2026-11-24T09:00:00Z`, `\n\s+1\s+pod-1\s+1\.5 ms\s+2\s+2\s*\n`} {
		if !regexp.MustCompile(want).MatchString(sb.String()) {
			t.Errorf("text lacks %q:\n%s", want, sb.String())
		}
	}
	sb.Reset()
	if err := WriteText(&sb, b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sb.String(), "worker 1 of 2, t0 2026-11-24T09:00:00Z, started 1.5 ms late") {
		t.Errorf("worker text:\n%s", sb.String())
	}
}
