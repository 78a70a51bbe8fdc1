// Package verify proves a capacity plan by measurement: it plans a
// workload, runs it at its peak rate against the bundled engine with the
// planned shard count and the emulated Kinesis limits on, runs it again
// with one shard fewer, and says whether the plan holds (no throttles and
// SLOs met at the planned count) and what breaks below it.
package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/driver/embedded"
	"github.com/streamcap/streamcap/bench/engine"
	"github.com/streamcap/streamcap/bench/search"
	"github.com/streamcap/streamcap/bench/search/trials"
	"github.com/streamcap/streamcap/bench/targets"
	"github.com/streamcap/streamcap/bench/verifydoc"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// Defaults for a verify run: long enough for the per-second token buckets
// to be exercised many times, short enough for CI. The warm-up lets shards
// under their limit earn their one second of burst credit (they start with
// none; at 75 % load that takes 4 s), so the measured run sees steady state.
const (
	DefaultDuration = 20 * time.Second
	DefaultWarmup   = bench.DefaultWarmup
	// DefaultReachTrial is the measured length of a reach search trial:
	// half bench search's, as verify's engine shards start without burst
	// credit (steady state from the first second) and the confirmation
	// at DefaultDuration judges the result at full length.
	DefaultReachTrial = 5 * time.Second
)

// Options configure Verify.
type Options struct {
	// Workload is the resolved workload (defaults filled, validated).
	Workload model.Workload
	// Prices is the price and quota table (default model.DefaultPrices()).
	Prices *model.Prices
	// Duration and Warmup of each benchmark run (Duration default above;
	// Warmup is bench's: 0 selects bench.DefaultWarmup, bench.NoWarmup none).
	Duration time.Duration
	Warmup   time.Duration
	// Seed fixes keys, sizes and payloads, so runs are repeatable.
	Seed uint64
	// SkipBelow skips the run with one shard fewer.
	SkipBelow bool
	// Reach, when set, also measures how far the planned shards go: a
	// capacity search (bench/search) from the peak on the same engine,
	// with these settings (From defaults to the peak). nil: no search,
	// which costs a dozen trials.
	Reach *search.Options
	// Progress receives a live progress line and one line per phase, on a
	// terminal only (IsTTY); Quiet silences both.
	Progress io.Writer
	IsTTY    bool
	Quiet    bool
}

// The streamcap.verify/v1 document is verifydoc's, so that readers of it
// (reports) do not link the engine and drivers verify runs; these names
// keep verify's API.
type (
	// Outcome is what Verify found (verifydoc.Outcome).
	Outcome = verifydoc.Outcome
	// Run is one benchmark of the plan at a shard count (verifydoc.Run).
	Run = verifydoc.Run
	// Reach is how far the planned shards go (verifydoc.Reach).
	Reach = verifydoc.Reach
)

// Schema identifies the JSON document Verify's Outcome is written as.
const Schema = verifydoc.Schema

// ReadJSON reads an Outcome written as JSON (verifydoc.ReadJSON).
func ReadJSON(rd io.Reader) (*Outcome, error) { return verifydoc.ReadJSON(rd) }

// WriteJSON writes o as indented JSON (verifydoc.WriteJSON).
func WriteJSON(w io.Writer, o *Outcome) error { return verifydoc.WriteJSON(w, o) }

// Verify plans opts.Workload and proves the plan against the bundled
// engine. A canceled ctx returns what was measured so far with ctx's error.
func Verify(ctx context.Context, opts Options) (*Outcome, error) {
	if opts.Prices == nil {
		opts.Prices = model.DefaultPrices()
	}
	if opts.Duration == 0 {
		opts.Duration = DefaultDuration
	}
	plan, err := model.Plan(opts.Workload, opts.Prices, model.PlanOptions{Mode: model.ModeProvisioned})
	if err != nil {
		return nil, fmt.Errorf("verify: plan: %w", err)
	}
	prov := plan.Kinesis.Provisioned
	w := plan.Workload
	out := &Outcome{Schema: Schema, Plan: plan, PeakRate: float64(w.Rate) * w.PeakFactor}
	if prov.Skew.Unfixable {
		out.Findings = append(out.Findings, "the plan itself says no shard count fixes this workload: "+firstWarning(prov.Warnings))
		return out, nil
	}

	planned, err := runAt(ctx, opts, w, prov.Shards, prov.Shards)
	if planned != nil {
		out.Planned = *planned
	}
	if err != nil {
		return out, err
	}
	if !opts.SkipBelow && prov.Shards > 1 {
		below, err := runAt(ctx, opts, w, prov.Shards-1, prov.Shards)
		out.Below = below
		if err != nil {
			return out, err
		}
	}
	out.Verdict, out.Findings = Judge(prov, out.Planned, out.Below, w.SLO)
	out.Holds = out.Verdict.Holds
	if lat := latencyBeside(prov.Latency, out.Planned.Result); lat != nil {
		out.Latency = lat
		out.Findings = append(out.Findings, lat.Summary)
	}
	if opts.Reach != nil {
		if !opts.Quiet && opts.IsTTY && opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "verify: searching how far %s go\n", units.Plural(int64(prov.Shards), "shard"))
		}
		res, say, err := trials.Reach(ctx, w, prov.Shards, trials.ReachOptions{
			Search: *opts.Reach, Prices: opts.Prices, Seed: opts.Seed,
			Progress: opts.Progress, Quiet: opts.Quiet || !opts.IsTTY,
		})
		if res != nil {
			out.Reach = &Reach{Summary: say, Search: res}
			out.Findings = append(out.Findings, say)
		}
		if err != nil {
			return out, fmt.Errorf("verify: reach: %w", err)
		}
	}
	return out, nil
}

// runAt benchmarks w at its peak rate on a fresh in-memory engine with
// shards shards and the emulated limits on.
func runAt(ctx context.Context, opts Options, w model.Workload, shards, plannedShards int) (*Run, error) {
	if !opts.Quiet && opts.IsTTY && opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "verify: %s, %s records/s for %s (+%s warm-up)\n",
			units.Plural(int64(shards), "shard"), units.Rate(float64(w.Rate)*w.PeakFactor), units.Span(opts.Duration), units.Span(opts.Warmup))
	}
	// A fresh engine per run, its shards starting with no burst credit:
	// a shard loaded above its limit on average then throttles within
	// seconds, as it would after minutes on a real stream.
	eng, err := engine.Open(engine.Options{InMemory: true, NoBurstCredit: true})
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	defer eng.Close()
	// The scenario's consumers, as bench reads them (targets.ScenarioConsumer).
	consumer, poll := targets.ScenarioConsumer(w)
	drv, err := embedded.New(embedded.Options{Engine: eng, Shards: shards, Consumer: targets.DriverConsumer(targets.Embedded, consumer), PollInterval: poll})
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	defer drv.Close()
	peak := w
	peak.Rate = w.Rate * units.EventRate(w.PeakFactor)
	res, err := bench.Run(ctx, bench.Options{
		Target:    embedded.Name,
		Workload:  peak,
		Duration:  opts.Duration,
		Warmup:    opts.Warmup,
		Consumers: len(w.Consumers),
		Consumer:  targets.DescribeConsumer(targets.Embedded, consumer, poll),
		Shards:    shards,
		Seed:      opts.Seed,
		Progress:  opts.Progress,
		IsTTY:     opts.IsTTY,
		Quiet:     opts.Quiet,
	}, drv)
	if res == nil {
		return nil, fmt.Errorf("verify: %d shards: %w", shards, err)
	}
	r := NewRun(shards, plannedShards, res, w.SLO)
	if err != nil && !errors.Is(err, context.Canceled) {
		return r, fmt.Errorf("verify: %d shards: %w", shards, err)
	}
	return r, ctx.Err()
}

// NewRun judges one run of the plan at shards shards (the plan chose
// plannedShards; the label says which run it is).
func NewRun(shards, plannedShards int, res *bench.Result, slo *model.SLO) *Run {
	label := "planned: " + units.Plural(int64(shards), "shard")
	if shards != plannedShards {
		label = "one fewer: " + units.Plural(int64(shards), "shard")
	}
	r := &Run{Label: label, Shards: shards, Result: res, Throttles: res.Counts.Throttles, Verdict: bench.Judge(label, res, slo)}
	r.Held = r.Verdict.OK && res.Failed() == 0
	return r
}

// Judge is the one plan verdict: the plan holds when the run at the
// planned count acknowledged every send (no throttle, error, aborted or
// unfinished send) and passed bench's verdict (bench.Judge: something
// acknowledged, every SLO met). The run one shard below, when given, adds
// an informational check that passes when it broke (throttled, failed
// sends or missed the SLO): it shows the plan is not a whole shard too big
// but does not decide Holds. Findings say the same in sentences.
func Judge(prov *model.KinesisPlan, planned Run, below *Run, slo *model.SLO) (bench.PlanVerdict, []string) {
	v := bench.PlanVerdict{PlannedShards: prov.Shards}
	at := planned.Result
	v.Checks = append(v.Checks,
		bench.Check{Run: planned.Label, What: "throttled sends", Want: "0", Got: strconv.FormatInt(at.Counts.Throttles, 10), OK: at.Counts.Throttles == 0},
		bench.Check{Run: planned.Label, What: "sends not acknowledged", Want: "0", Got: strconv.FormatInt(at.Failed(), 10), OK: at.Failed() == 0})
	v.Checks = append(v.Checks, planned.Verdict.Checks...)
	v.Holds = bench.AllOK(v.Checks)
	var f []string
	f = append(f, describe("planned", planned, string(prov.BindingLimit)))
	if below != nil {
		broke := !below.Held
		got := strconv.FormatInt(below.Throttles, 10) + " throttled"
		if !broke {
			got += ", SLO met: the plan may be one shard too big"
		}
		v.Checks = append(v.Checks, bench.Check{Run: below.Label, What: "breaks below the plan", Want: "throttles or misses the SLO", Got: got, OK: broke, Informational: true})
		f = append(f, describe("one fewer", *below, string(prov.BindingLimit)))
		if below.Held {
			f = append(f, units.Plural(int64(below.Shards), "shard")+" also held at this run's length: the plan's headroom buys margin for bursts, not bare capacity")
		}
	}
	if v.Holds {
		f = append(f, "PLAN HOLDS: "+units.Plural(int64(planned.Shards), "shard")+" carried the peak with every send acknowledged, no throttles and every SLO met")
	} else {
		f = append(f, "PLAN DOES NOT HOLD at "+units.Plural(int64(planned.Shards), "shard"))
	}
	return v, f
}

// describe says what one run showed.
func describe(label string, r Run, binding string) string {
	res := r.Result
	c := res.Counts
	s := fmt.Sprintf("%s (%s): %s/s achieved of %s/s, %s of %s sends not acknowledged (%s throttled, %s errors, %s aborted, %s unfinished)",
		label, units.Plural(int64(r.Shards), "shard"), units.Rate(res.AchievedRate), units.Rate(res.TargetRate),
		units.Int(res.Failed()), units.Int(c.Sent), units.Int(r.Throttles), units.Int(c.Errors), units.Int(c.Aborted), units.Int(c.Unfinished))
	if r.Throttles > 0 {
		s += fmt.Sprintf(" — the %s limit is exceeded", binding)
	}
	for _, c := range r.Verdict.Failed() {
		s += "; " + c.String()
	}
	return s
}

func firstWarning(ws []string) string {
	if len(ws) == 0 {
		return "see the plan's warnings"
	}
	return ws[0]
}

// WriteText renders o for a terminal: the verdict first, then each run's
// findings and the planned run's latency table.
func WriteText(w io.Writer, o *Outcome) error {
	prov := o.Plan.Kinesis.Provisioned
	verdict := "HOLDS"
	if !o.Holds {
		verdict = "DOES NOT HOLD"
	}
	_, err := fmt.Fprintf(w, "streamcap verify: %s — plan %s (binding %s, $%s/month) at a peak of %s records/s: %s\n\n",
		o.Plan.Workload.Name, units.Plural(int64(prov.Shards), "shard"), prov.BindingLimit, units.USD(prov.MonthlyUSD), units.Rate(o.PeakRate), verdict)
	if err != nil {
		return err
	}
	for _, f := range o.Findings {
		if _, err := fmt.Fprintf(w, "  - %s\n", f); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintln(w, "\nchecks:"); err != nil {
		return err
	}
	if err := bench.WriteChecks(w, o.Verdict.Checks); err != nil {
		return err
	}
	if o.Planned.Result != nil {
		if _, err := fmt.Fprintf(w, "\nRUN AT THE PLANNED %d SHARDS\n", o.Planned.Shards); err != nil {
			return err
		}
		if err := bench.WriteText(w, o.Planned.Result); err != nil {
			return err
		}
	}
	if o.Below != nil && o.Below.Result != nil {
		if _, err := fmt.Fprintf(w, "\nRUN AT %d SHARDS (ONE FEWER)\n", o.Below.Shards); err != nil {
			return err
		}
		return bench.WriteText(w, o.Below.Result)
	}
	return nil
}

// latencyBeside sets the planned run's measured end-to-end latency beside
// the plan's expectation for its consumers; nil when either is missing.
func latencyBeside(expected []model.ConsumerLatency, r *bench.Result) *verifydoc.Latency {
	if len(expected) == 0 || r == nil || r.E2E.Count == 0 {
		return nil
	}
	lo, hi := expected[0].ExpectedSeconds, expected[0].ExpectedSeconds
	for _, c := range expected[1:] {
		lo, hi = min(lo, c.ExpectedSeconds), max(hi, c.ExpectedSeconds)
	}
	want := units.Span(time.Duration(lo * 1e9))
	if hi > lo {
		want += "–" + units.Span(time.Duration(hi*1e9))
	}
	return &verifydoc.Latency{
		Expected: expected, MeasuredMeanNS: r.E2E.MeanNS, MeasuredP99NS: r.E2E.P99NS,
		Summary: fmt.Sprintf("end to end: measured mean %s (p99 %s, %s) against the plan's expected average of ~%s (%s)",
			units.Span(time.Duration(r.E2E.MeanNS)), units.Span(time.Duration(r.E2E.P99NS)), r.Settings.Consumer, want, expected[0].Basis),
	}
}
