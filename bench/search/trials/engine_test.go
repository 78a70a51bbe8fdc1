package trials

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/search"
	"github.com/streamcap/streamcap/bench/targets"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// The engine searches run inside synctest bubbles: the engine's token
// buckets, the generator's schedule and every timer read virtual time, so
// a 2 s trial takes only the CPU time of its sends and the outcome does
// not depend on the machine's load.

// kb1 is the workload: 1 KB records over 10,000 uniform keys.
func kb1() model.Workload {
	return model.Workload{
		Name: "1kb", Rate: 1000,
		RecordSize: model.SizeDist{Kind: model.SizeFixed, Fixed: units.KB},
		Keys:       model.KeySpec{Count: 10000, Length: 16, Distribution: model.KeyDist{Kind: model.KeysUniform}},
	}
}

func engineSearch(t *testing.T, shards int, from units.EventRate) *search.Outcome {
	t.Helper()
	var out *search.Outcome
	synctest.Test(t, func(t *testing.T) {
		trial := TargetTrial(TrialOptions{
			Bench:  bench.Options{Workload: kb1(), Shards: shards, Seed: 1, Quiet: true},
			Driver: targets.Options{Target: targets.Embedded, Shards: shards},
		})
		var err error
		out, err = search.Search(t.Context(), trial, search.Options{From: from, Warmup: time.Second, Trial: 2 * time.Second, Confirm: 4 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
	})
	for _, tr := range out.Trials {
		t.Logf("%-7s %8.0f/s passed %-5v achieved %8.1f/s throttled %5d p99 %v %q", tr.Phase, tr.Rate, tr.Passed, tr.AchievedRate, tr.Throttles, time.Duration(tr.ResponseP99NS), tr.Reasons)
	}
	return out
}

// TestEngineOneShard: one shard with limits on takes 1,000 records/s (the
// emulated per-shard limit), so the bracket contains 1,000.
func TestEngineOneShard(t *testing.T) {
	out := engineSearch(t, 1, 250)
	if !(out.SustainableRate <= 1000 && 1000 <= out.FailingRate) || !out.Confirmed || out.StopReason != search.StopBracket {
		t.Errorf("bracket [%v, %v] (confirmed %v, %s); want it to contain 1000, confirmed", out.SustainableRate, out.FailingRate, out.Confirmed, out.StopReason)
	}
	if w := out.FailingRate - out.SustainableRate; w > out.Precision*out.FailingRate {
		t.Errorf("bracket width %v wider than %v of %v", w, out.Precision, out.FailingRate)
	}
}

// TestEngineFourShardsAgreesWithPlan: 4 shards, 10,000 uniform keys. The
// MD5 placement gives the busiest shard a little over a quarter of the
// keys, so the stream saturates when that shard reaches 1,000/s; the
// bracket agrees with the model's prediction (Predict, from
// model.ShardShares) within the precision.
func TestEngineFourShardsAgreesWithPlan(t *testing.T) {
	pred, err := search.Predict(kb1(), 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if pred.Binding != "write_records" || pred.Rate < 3700 || pred.Rate > 4000 {
		t.Fatalf("prediction %+v: want write_records binding, 3,700–4,000/s", pred)
	}
	t.Logf("predicted %+v", pred)
	out := engineSearch(t, 4, 1000)
	p := out.Precision
	if out.SustainableRate > pred.Rate*(1+p) || out.FailingRate < pred.Rate*(1-p) || !out.Confirmed {
		t.Errorf("bracket [%v, %v] (confirmed %v); the plan predicts %.0f/s (busiest share %.4f): want agreement within %v",
			out.SustainableRate, out.FailingRate, out.Confirmed, pred.Rate, pred.BusiestShare, p)
	}
}

// TestEngineOneShardWithConsumer: the same search with one polling
// consumer (every 200 ms, within the 5 reads/s per shard): the consumer
// keeps up at every rate the shard takes, so its backlog slope is
// measured on every trial and the bracket still contains 1,000.
func TestEngineOneShardWithConsumer(t *testing.T) {
	var out *search.Outcome
	synctest.Test(t, func(t *testing.T) {
		trial := TargetTrial(TrialOptions{
			Bench:  bench.Options{Workload: kb1(), Shards: 1, Seed: 1, Quiet: true, Consumers: 1},
			Driver: targets.Options{Target: targets.Embedded, Shards: 1, Consumer: "polling", PollInterval: 200 * time.Millisecond},
		})
		var err error
		out, err = search.Search(t.Context(), trial, search.Options{From: 250, Warmup: time.Second, Trial: 3 * time.Second, Confirm: 4 * time.Second,
			Criteria: search.Criteria{E2EP99: time.Second}})
		if err != nil {
			t.Fatal(err)
		}
	})
	for _, tr := range out.Trials {
		t.Logf("%-7s %6.0f/s passed %-5v backlog slope %v e2e p99 %v %q", tr.Phase, tr.Rate, tr.Passed, deref(tr.BacklogSlope), time.Duration(tr.E2EP99NS), tr.Reasons)
		if tr.BacklogSlope == nil || tr.E2EP99NS == 0 {
			t.Errorf("trial at %v/s: backlog slope %v, e2e p99 %d: want both measured", tr.Rate, tr.BacklogSlope, tr.E2EP99NS)
		}
		if tr.Passed && (*tr.BacklogSlope > 0.01*tr.Rate || tr.E2EP99NS > int64(time.Second)) {
			t.Errorf("trial at %v/s passed with slope %v, e2e p99 %v", tr.Rate, *tr.BacklogSlope, time.Duration(tr.E2EP99NS))
		}
	}
	if !(out.SustainableRate <= 1000 && 1000 <= out.FailingRate) || !out.Confirmed {
		t.Errorf("bracket [%v, %v] confirmed %v; want it to contain 1000, confirmed", out.SustainableRate, out.FailingRate, out.Confirmed)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestEngineConsumersFallBehind: three polling consumers share one
// shard's 2 MiB/s of reads, about 690 records/s of 1 KB each, below the
// 1,000/s the shard accepts. Above that their backlog keeps growing (and
// their end-to-end p99 passes 2 s), so the search stops below the write
// limit and says why. A throttled reader catches up in large batches, so
// the backlog is judged over 2 s windows of an 8 s trial.
func TestEngineConsumersFallBehind(t *testing.T) {
	var out *search.Outcome
	synctest.Test(t, func(t *testing.T) {
		trial := TargetTrial(TrialOptions{
			Bench:  bench.Options{Workload: kb1(), Shards: 1, Seed: 1, Quiet: true, Consumers: 3},
			Driver: targets.Options{Target: targets.Embedded, Shards: 1, Consumer: "polling", PollInterval: time.Second},
		})
		var err error
		out, err = search.Search(t.Context(), trial, search.Options{From: 250, Warmup: 2 * time.Second, Trial: 8 * time.Second, Confirm: -1,
			Precision: 0.05, Criteria: search.Criteria{BacklogWindow: 2 * time.Second, E2EP99: 2 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
	})
	backlog := false
	for _, tr := range out.Trials {
		t.Logf("%-7s %6.0f/s passed %-5v backlog slope %v e2e p99 %v %q", tr.Phase, tr.Rate, tr.Passed, deref(tr.BacklogSlope), time.Duration(tr.E2EP99NS), tr.Reasons)
		for _, r := range tr.Reasons {
			backlog = backlog || strings.HasPrefix(r, "backlog grows")
		}
	}
	if !backlog || out.FailingRate > 900 || out.SustainableRate < 500 {
		t.Errorf("bracket [%v, %v], a backlog reason: %v; want the consumers' ~690/s bracketed (500–900) by backlog growth", out.SustainableRate, out.FailingRate, backlog)
	}
}

// TestReach: one planned shard for a workload peaking at 800/s goes up to
// the shard's 1,000/s, 25 % above the peak (the bracket's lower end).
func TestReach(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := kb1()
		w.Rate, w.PeakFactor = 800, 1
		out, say, err := Reach(t.Context(), w, 1, ReachOptions{Search: search.Options{Warmup: time.Second, Trial: 2 * time.Second, Confirm: 3 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		if out.SustainableRate != 1000 || out.FailingRate != 1013 || say != "1 shard sustains up to 1,000/s: 25 % above the peak of 800/s" {
			t.Errorf("bracket [%v, %v], %q", out.SustainableRate, out.FailingRate, say)
		}
	})
}
