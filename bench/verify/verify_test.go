package verify

import (
	"bytes"
	"github.com/streamcap/streamcap/bench/search"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/loadgen"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
	"github.com/streamcap/streamcap/scenarios"
)

// TestVerifySeed runs verify end to end on the bundled seed scenario
// (3000 records/s of 1 KB, 10000 uniform keys, one Lambda consumer polling
// once a second). The plan is ⌈3000 / (1000 × 0.8)⌉ = 4 shards: each
// carries about 750 records/s and nothing throttles. One shard fewer puts
// 3000 / 3 = 1000 records/s on each shard on average — exactly the limit —
// and MD5 never spreads 10000 keys perfectly, so the busiest shard is over
// it and throttles. It runs on the virtual clock (synctest): the pacer, the
// engine's token buckets and the consumers share one fake time, so the
// counts are exact and do not depend on how busy the machine is.
func TestVerifySeed(t *testing.T) {
	w, err := scenarios.Resolve("kds-3000x1kb", scenarios.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		out, err := Verify(t.Context(), Options{Workload: *w, Duration: 8 * time.Second, Warmup: 5 * time.Second, Seed: 1, Quiet: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Plan.Kinesis.Provisioned.Shards; got != 4 {
			t.Fatalf("planned %d shards, want 4", got)
		}
		p := out.Planned
		c := p.Result.Counts
		if p.Shards != 4 || c.Sent != 24000 || c.Acked != c.Sent || p.Throttles != 0 {
			t.Errorf("planned run: %d shards, counts %+v; want 4 shards, 24000 sent, all acked, 0 throttled", p.Shards, c)
		}
		// Every acked record reached the consumer, within the scenario's e2e SLO.
		if p.Result.E2E.Count != c.Acked {
			t.Errorf("consumer saw %d of %d acked records", p.Result.E2E.Count, c.Acked)
		}
		if !out.Holds || !p.Held || p.Result.Settings.Consumer != "polling every 1s" {
			t.Errorf("holds %v, planned held %v, consumer %q; want true, true, polling every 1s\n%v", out.Holds, p.Held, p.Result.Settings.Consumer, out.Findings)
		}
		// The plan expects its one Lambda (shared, polling every 1 s) to see
		// records ~1 s after the put on average; polling every second on
		// the virtual clock, records wait half a poll on average: 0.5 s.
		lat := out.Latency
		if lat == nil || len(lat.Expected) != 1 || lat.Expected[0].ExpectedSeconds != 1 ||
			lat.MeasuredMeanNS < 0.4e9 || lat.MeasuredMeanNS > 0.6e9 || !strings.Contains(lat.Summary, "expected average of ~1 s") {
			t.Errorf("latency beside the plan: %+v", lat)
		}
		if out.Below == nil || out.Below.Shards != 3 {
			t.Fatalf("no run at one shard fewer: %+v", out.Below)
		}
		b := out.Below.Result
		t.Logf("3 shards: achieved %.1f/s of %.1f/s, %d late, %d throttled", b.AchievedRate, b.TargetRate, b.Counts.Late, out.Below.Throttles)
		if out.Below.Throttles == 0 {
			t.Fatalf("one shard fewer must throttle: achieved %.1f/s of %.1f/s, %d sends late", b.AchievedRate, b.TargetRate, b.Counts.Late)
		}
		if out.Below.Held {
			t.Error("the run at 3 shards must not hold")
		}
		text := strings.Join(out.Findings, "\n")
		if !strings.Contains(text, "one fewer (3 shards)") || !strings.Contains(text, "write_records limit is exceeded") {
			t.Errorf("findings do not say what broke:\n%s", text)
		}
	})
}

// TestJudge checks the verdict logic on constructed runs.
func TestJudge(t *testing.T) {
	t.Parallel()
	prov := &model.KinesisPlan{Shards: 4, BindingLimit: model.LimitWriteRecords}
	slo := &model.SLO{PublishP99: units.Duration(50 * time.Millisecond), MaxErrorRate: 0.5}
	res := func(c loadgen.Counts, p99 time.Duration) *bench.Result {
		return &bench.Result{TargetRate: 3000, AchievedRate: 3000, Counts: c, Response: bench.Latency{Count: c.Acked, P99NS: int64(p99)}}
	}
	all := loadgen.Counts{Sent: 100, Acked: 100}
	ok := *NewRun(4, 4, res(all, 3*time.Millisecond), slo)
	thr := *NewRun(3, 4, res(loadgen.Counts{Sent: 100, Acked: 93, Throttles: 7}, 3*time.Millisecond), slo)
	slow := *NewRun(4, 4, res(all, 80*time.Millisecond), slo)
	unfinished := *NewRun(4, 4, res(loadgen.Counts{Sent: 100, Acked: 90, Unfinished: 10}, 3*time.Millisecond), slo)
	none := *NewRun(4, 4, res(loadgen.Counts{Sent: 100, Aborted: 100}, 0), nil)
	heldBelow := *NewRun(3, 4, res(all, 3*time.Millisecond), slo)
	cases := []struct {
		name    string
		planned Run
		below   *Run
		holds   bool
		want    string
	}{
		{"holds, breaks below", ok, &thr, true, "PLAN HOLDS: 4 shards"},
		{"holds, no run below", ok, nil, true, "PLAN HOLDS"},
		{"slo missed", slow, &thr, false, "planned: 4 shards: publish p99 missed: 80 ms (want ≤ 50 ms)"},
		{"unfinished sends fail the plan", unfinished, &thr, false, "10 of 100 sends not acknowledged"},
		{"nothing acknowledged fails without an SLO", none, nil, false, "acknowledged sends missed: 0 of 100"},
		{"below also held", ok, &heldBelow, true, "3 shards also held"},
	}
	for _, c := range cases {
		v, f := Judge(prov, c.planned, c.below, slo)
		text := strings.Join(f, "\n")
		if v.Holds != c.holds || !strings.Contains(text, c.want) {
			t.Errorf("%s: holds=%v findings:\n%s\nwant holds=%v and %q", c.name, v.Holds, text, c.holds, c.want)
		}
		if c.below != nil {
			last := v.Checks[len(v.Checks)-1]
			if !last.Informational || last.OK == c.below.Held {
				t.Errorf("%s: the run below gives %+v", c.name, last)
			}
		}
	}
}

// TestVerifyReach: with Options.Reach, verify also searches how far the
// planned shards go. The seed scenario at 800 records/s of 1 KB with no
// peak factor and no consumer (so no end-to-end SLO) plans ⌈800 / (1000 × 0.8)⌉ = 1 shard; the
// emulated shard takes 1,000 records/s, so the search from the peak
// doubles to 1,600/s (fails) and bisects 1,200, 1,000 (passes), 1,100,
// 1,050, 1,025, 1,013 (fails): the bracket [1,000, 1,013], 25 % above the
// peak. It runs on the virtual clock, so the figures are exact; the
// sentence is a finding, and the outcome survives the JSON round trip.
func TestVerifyReach(t *testing.T) {
	w, err := scenarios.Resolve("kds-3000x1kb", scenarios.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	w.Rate, w.PeakFactor, w.Consumers = 800, 1, nil
	w.SLO = &model.SLO{PublishP99: w.SLO.PublishP99, MaxErrorRate: w.SLO.MaxErrorRate} // no consumer: no end-to-end bound
	synctest.Test(t, func(t *testing.T) {
		out, err := Verify(t.Context(), Options{Workload: *w, Duration: 2 * time.Second, Warmup: time.Second, Seed: 1, Quiet: true,
			Reach: &search.Options{Warmup: time.Second, Trial: 2 * time.Second, Confirm: 3 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		const want = "1 shard sustains up to 1,000/s: 25 % above the peak of 800/s"
		if !out.Holds || out.Planned.Shards != 1 || out.Reach == nil {
			t.Fatalf("holds %v at %d shards, reach %+v; want a holding 1-shard plan with a reach\n%s", out.Holds, out.Planned.Shards, out.Reach, strings.Join(out.Findings, "\n"))
		}
		r := out.Reach
		if r.Summary != want || r.Search.SustainableRate != 1000 || r.Search.FailingRate != 1013 || !r.Search.Confirmed || r.Search.Shards != 1 {
			t.Errorf("reach %q, bracket [%v, %v], confirmed %v, %d shards; want %q, [1000, 1013], confirmed, 1 shard",
				r.Summary, r.Search.SustainableRate, r.Search.FailingRate, r.Search.Confirmed, r.Search.Shards, want)
		}
		if !slices.Contains(out.Findings, want) {
			t.Errorf("findings do not carry the reach:\n%s", strings.Join(out.Findings, "\n"))
		}
		var buf bytes.Buffer
		if err := WriteJSON(&buf, out); err != nil {
			t.Fatal(err)
		}
		back, err := ReadJSON(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if back.Reach == nil || back.Reach.Summary != want || len(back.Reach.Search.Trials) != len(r.Search.Trials) || back.Reach.Search.Schema != search.SchemaVersion {
			t.Errorf("JSON round trip lost the reach: %+v", back.Reach)
		}
		var text bytes.Buffer
		if err := WriteText(&text, out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text.String(), "  - "+want+"\n") {
			t.Errorf("text does not say the reach:\n%s", text.String())
		}
	})
}

// TestVerifyWithoutReach: no Options.Reach, no search and no reach field
// in the JSON (the search costs a dozen trials; it is asked for).
func TestVerifyWithoutReach(t *testing.T) {
	w, err := scenarios.Resolve("kds-3000x1kb", scenarios.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	w.Rate, w.PeakFactor, w.Consumers = 800, 1, nil
	w.SLO = &model.SLO{PublishP99: w.SLO.PublishP99, MaxErrorRate: w.SLO.MaxErrorRate} // no consumer: no end-to-end bound
	synctest.Test(t, func(t *testing.T) {
		out, err := Verify(t.Context(), Options{Workload: *w, Duration: time.Second, Warmup: time.Second, Seed: 1, Quiet: true})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := WriteJSON(&buf, out); err != nil {
			t.Fatal(err)
		}
		if out.Reach != nil || strings.Contains(buf.String(), `"reach"`) {
			t.Errorf("reach measured without being asked: %+v", out.Reach)
		}
	})
}
