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
	"time"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/driver/embedded"
	"github.com/streamcap/streamcap/bench/engine"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// Defaults for a verify run: long enough for the per-second token buckets
// to be exercised many times, short enough for CI. The warm-up lets shards
// under their limit earn their one second of burst credit (they start with
// none; at 75 % load that takes 4 s), so the measured run sees steady state.
const (
	DefaultDuration = 20 * time.Second
	DefaultWarmup   = 5 * time.Second
)

// Options configure Verify.
type Options struct {
	// Workload is the resolved workload (defaults filled, validated).
	Workload model.Workload
	// Prices is the price and quota table (default model.DefaultPrices()).
	Prices *model.Prices
	// Duration and Warmup of each benchmark run (defaults above).
	Duration time.Duration
	Warmup   time.Duration
	// Seed fixes keys, sizes and payloads, so runs are repeatable.
	Seed uint64
	// SkipBelow skips the run with one shard fewer.
	SkipBelow bool
	// Progress receives a live progress line and one line per phase, on a
	// terminal only (IsTTY); Quiet silences both.
	Progress io.Writer
	IsTTY    bool
	Quiet    bool
}

// Run is one benchmark of the plan at a shard count.
type Run struct {
	// Shards is the shard count the stream had.
	Shards int `json:"shards"`
	// Result is the full benchmark result.
	Result *bench.Result `json:"result"`
	// Throttles counts sends the emulated limits refused.
	Throttles int64 `json:"throttles"`
	// SLO lists the SLOs the run missed.
	SLO []bench.SLOViolation `json:"slo_violations,omitempty"`
	// Held is true when the run had no throttles, no errors and met
	// every SLO.
	Held bool `json:"held"`
}

// Outcome is what Verify found.
type Outcome struct {
	// Plan is the capacity plan that was tested.
	Plan *model.PlanResult `json:"plan"`
	// PeakRate is the rate the runs drove (rate × peak factor), records/s.
	PeakRate float64 `json:"peak_rate"`
	// Planned is the run at the planned shard count; Below the run with
	// one shard fewer (nil when the plan has one shard or SkipBelow).
	Planned Run  `json:"planned"`
	Below   *Run `json:"below,omitempty"`
	// Holds is the verdict: the planned count held, and (when run) one
	// shard fewer did not — so the plan is neither short nor wasteful by
	// a whole shard. Headroom can make one fewer hold too; that is
	// reported in Findings but does not fail the plan.
	Holds bool `json:"holds"`
	// Findings explain the verdict, one sentence each.
	Findings []string `json:"findings"`
}

// Verify plans opts.Workload and proves the plan against the bundled
// engine. A canceled ctx returns what was measured so far with ctx's error.
func Verify(ctx context.Context, opts Options) (*Outcome, error) {
	if opts.Prices == nil {
		opts.Prices = model.DefaultPrices()
	}
	if opts.Duration == 0 {
		opts.Duration = DefaultDuration
	}
	if opts.Warmup == 0 {
		opts.Warmup = DefaultWarmup
	}
	plan, err := model.Plan(opts.Workload, opts.Prices, model.PlanOptions{Mode: model.ModeProvisioned})
	if err != nil {
		return nil, fmt.Errorf("verify: plan: %w", err)
	}
	prov := plan.Kinesis.Provisioned
	w := plan.Workload
	out := &Outcome{Plan: plan, PeakRate: float64(w.Rate) * w.PeakFactor}
	if prov.Skew.Unfixable {
		out.Findings = append(out.Findings, "the plan itself says no shard count fixes this workload: "+firstWarning(prov.Warnings))
		return out, nil
	}

	planned, err := runAt(ctx, opts, w, prov.Shards)
	if planned != nil {
		out.Planned = *planned
	}
	if err != nil {
		return out, err
	}
	if !opts.SkipBelow && prov.Shards > 1 {
		below, err := runAt(ctx, opts, w, prov.Shards-1)
		out.Below = below
		if err != nil {
			return out, err
		}
	}
	out.Holds, out.Findings = judge(prov, out.Planned, out.Below)
	return out, nil
}

// runAt benchmarks w at its peak rate on a fresh in-memory engine with
// shards shards and the emulated limits on.
func runAt(ctx context.Context, opts Options, w model.Workload, shards int) (*Run, error) {
	if !opts.Quiet && opts.IsTTY && opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "verify: %d shards, %.0f records/s for %s (+%s warm-up)\n",
			shards, float64(w.Rate)*w.PeakFactor, opts.Duration, opts.Warmup)
	}
	// A fresh engine per run, its shards starting with no burst credit:
	// a shard loaded above its limit on average then throttles within
	// seconds, as it would after minutes on a real stream.
	eng, err := engine.Open(engine.Options{InMemory: true, NoBurstCredit: true})
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	defer eng.Close()
	consumer, poll := consumerMode(w)
	drv, err := embedded.New(embedded.Options{Engine: eng, Shards: shards, Consumer: consumer, PollInterval: poll})
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
		Shards:    shards,
		Seed:      opts.Seed,
		Progress:  opts.Progress,
		IsTTY:     opts.IsTTY,
		Quiet:     opts.Quiet,
	}, drv)
	if res == nil {
		return nil, fmt.Errorf("verify: %d shards: %w", shards, err)
	}
	r := &Run{Shards: shards, Result: res, Throttles: res.Counts.Throttles, SLO: bench.CheckSLO(res, w.SLO)}
	r.Held = r.Throttles == 0 && res.Counts.Errors == 0 && len(r.SLO) == 0
	if err != nil && !errors.Is(err, context.Canceled) {
		return r, fmt.Errorf("verify: %d shards: %w", shards, err)
	}
	return r, ctx.Err()
}

// consumerMode picks how the benchmark's consumers read: polling at the
// scenario's interval when any consumer is a shared (GetRecords) one, so
// the read-call and read-byte limits are exercised as planned; push
// (enhanced fan-out) when all are EFO.
func consumerMode(w model.Workload) (string, time.Duration) {
	for _, c := range w.Consumers {
		if c.Kind != model.ConsumerEFO {
			return "polling", c.PollInterval.D()
		}
	}
	return "subscribe", 0
}

// judge turns the runs into a verdict and findings.
func judge(prov *model.KinesisPlan, planned Run, below *Run) (bool, []string) {
	var f []string
	holds := planned.Held
	f = append(f, describe("planned", planned, string(prov.BindingLimit)))
	if below != nil {
		f = append(f, describe("one fewer", *below, string(prov.BindingLimit)))
		if below.Held {
			f = append(f, fmt.Sprintf("%d shards also held at this run's length: the plan's headroom buys margin for bursts, not bare capacity", below.Shards))
		}
	}
	if holds {
		f = append(f, fmt.Sprintf("PLAN HOLDS: %d shards carried the peak with no throttles and every SLO met", planned.Shards))
	} else {
		f = append(f, fmt.Sprintf("PLAN DOES NOT HOLD at %d shards", planned.Shards))
	}
	return holds, f
}

// describe says what one run showed.
func describe(label string, r Run, binding string) string {
	res := r.Result
	s := fmt.Sprintf("%s (%d shards): %.1f/s achieved of %.1f/s, %d throttled, %d errors",
		label, r.Shards, res.AchievedRate, res.TargetRate, r.Throttles, res.Counts.Errors)
	if r.Throttles > 0 {
		s += fmt.Sprintf(" — the %s limit is exceeded", binding)
	}
	for _, v := range r.SLO {
		s += "; " + v.String()
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
	_, err := fmt.Fprintf(w, "streamcap verify: %s — plan %d shards (binding %s, $%.2f/month) at a peak of %.0f records/s: %s\n\n",
		o.Plan.Workload.Name, prov.Shards, prov.BindingLimit, prov.MonthlyUSD, o.PeakRate, verdict)
	if err != nil {
		return err
	}
	for _, f := range o.Findings {
		if _, err := fmt.Fprintf(w, "  - %s\n", f); err != nil {
			return err
		}
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
