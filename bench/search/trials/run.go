// Package trials runs the trials of a capacity search (bench/search)
// against real targets: a fresh embedded engine without burst credit, or
// a fresh stream or topic, per trial. It is apart from bench/search so
// that readers of search results (reports) do not link the drivers.
package trials

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/driver/embedded"
	"github.com/streamcap/streamcap/bench/search"
	"github.com/streamcap/streamcap/bench/targets"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// RunOptions configure Run: one search of a target with a workload.
type RunOptions struct {
	// Workload is the resolved workload; its rate is the default From,
	// its SLO sets the criteria the Search options leave unset.
	Workload model.Workload
	// Search are the search settings (From defaults to the workload's
	// rate).
	Search search.Options
	// Bench is the template of every trial (max in-flight, catch-up,
	// consumers, seed); Workload, Target, Shards and durations are set
	// by Run.
	Bench bench.Options
	// Driver selects and configures the target; Driver.Shards is the
	// shard or partition count every trial creates.
	Driver targets.Options
	// Prices are the per-shard limits of the prediction (nil: embedded
	// table).
	Prices *model.Prices
	// Progress receives one line per trial unless Quiet.
	Progress io.Writer
	Quiet    bool
	// KeepStreams leaves every trial's stream or topic in place (see
	// TrialOptions.KeepStreams).
	KeepStreams bool
}

// Run searches the target o.Driver names with o.Workload (see Search and
// TargetTrial) and fills in what was searched: target, workload, shard
// count and, for Kinesis-like targets with their limits on, the capacity
// the model predicts for the same shards and keys.
func Run(ctx context.Context, o RunOptions) (*search.Outcome, error) {
	if o.Search.From == 0 {
		o.Search.From = o.Workload.Rate
	}
	slo := search.CriteriaFromSLO(o.Workload.SLO)
	c := &o.Search.Criteria
	if c.MaxErrorRate == 0 {
		c.MaxErrorRate = slo.MaxErrorRate
	}
	if c.PublishP99 == 0 {
		c.PublishP99 = slo.PublishP99
	}
	if c.E2EP99 == 0 {
		c.E2EP99 = slo.E2EP99
	}
	target := strings.ToLower(o.Driver.Target)
	if target == "" {
		target = targets.Embedded
	}
	o.Driver.Target = target
	if o.Driver.Consumer == "" && target != targets.Kafka {
		// The scenario's consumers, as bench and verify read them: polling
		// at the scenario's interval (unless one is set) when any is a
		// shared (GetRecords) consumer, else push.
		if kind, poll := targets.ScenarioConsumer(o.Workload); kind == targets.ConsumerPolling {
			o.Driver.Consumer = kind
			if o.Driver.PollInterval == 0 {
				o.Driver.PollInterval = poll
			}
		}
	}
	if o.Driver.Consumer == targets.ConsumerPolling {
		// At least two polls per window, so each window's minimum is a
		// backlog just after a poll; that backlog swings by up to one
		// poll's records.
		poll := o.Driver.PollInterval
		if poll == 0 {
			poll = embedded.DefaultPollInterval
		}
		if c.BacklogWindow == 0 {
			c.BacklogWindow = max(search.DefaultBacklogWindow, 2*poll)
		}
		if c.BacklogJitter == 0 {
			c.BacklogJitter = poll
		}
	}
	bo := o.Bench
	bo.Workload, bo.Target, bo.Shards, bo.Quiet = o.Workload, target, o.Driver.Shards, true
	if o.Progress != nil && !o.Quiet {
		user := o.Search.OnTrial
		n := 0
		o.Search.OnTrial = func(t search.TrialRecord) {
			n++
			fmt.Fprintf(o.Progress, "search: trial %d (%s) at %s: %s\n", n, t.Phase, units.Rate(t.Rate)+"/s", verdict(t))
			if user != nil {
				user(t)
			}
		}
	}
	out, err := search.Search(ctx, TargetTrial(TrialOptions{Bench: bo, Driver: o.Driver, KeepStreams: o.KeepStreams}), o.Search)
	if out == nil {
		return nil, err
	}
	out.Target, out.Workload, out.Shards = target, o.Workload.Name, o.Driver.Shards
	if target != targets.Kafka && !o.Driver.LimitsOff && o.Driver.Shards > 0 {
		if p, perr := search.Predict(o.Workload, o.Driver.Shards, o.Prices); perr == nil {
			out.PredictedRate = p.Rate
		}
	}
	return out, err
}

// verdict is a trial's result in a few words: "pass", or "FAIL: " and
// its reasons.
func verdict(t search.TrialRecord) string {
	if t.Passed {
		return "pass"
	}
	return "FAIL: " + strings.Join(t.Reasons, "; ")
}

// ReachOptions configure Reach.
type ReachOptions struct {
	// Search are the search settings; From defaults to the workload's
	// peak rate (Rate × PeakFactor).
	Search search.Options
	// Prices are the per-shard limits of the prediction (nil: embedded
	// table).
	Prices *model.Prices
	// Seed fixes keys, sizes and payloads of every trial (0 selects 1).
	Seed uint64
	// Progress receives one line per trial unless Quiet.
	Progress io.Writer
	Quiet    bool
}

// Reach measures how far shards shards go for w: a search on the embedded
// engine (limits on, shards without burst credit, fresh per trial) from
// w's peak rate (Rate × PeakFactor), with o's durations and precision.
// It returns the outcome and the Headroom sentence against that peak, for
// `verify` to print beside "the plan holds at the peak".
func Reach(ctx context.Context, w model.Workload, shards int, o ReachOptions) (*search.Outcome, string, error) {
	peak := float64(w.Rate) * max(w.PeakFactor, 1)
	if o.Search.From == 0 {
		o.Search.From = units.EventRate(peak)
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	out, err := Run(ctx, RunOptions{
		Workload: w, Search: o.Search, Prices: o.Prices,
		Bench:    bench.Options{Consumers: len(w.Consumers), Seed: o.Seed},
		Driver:   targets.Options{Target: targets.Embedded, Shards: shards},
		Progress: o.Progress, Quiet: o.Quiet,
	})
	if out == nil {
		return nil, "", err
	}
	return out, search.Headroom(shards, out.SustainableRate, peak), err
}
