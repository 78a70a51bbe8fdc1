package reports

import (
	"errors"
	"fmt"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/search"
	"github.com/streamcap/streamcap/loadgen"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// Report is everything one report shows: any mix of a capacity plan, a
// bulk transfer plan, benchmark runs compared side by side and a verify
// verdict, plus the sweeps its charts are drawn from. Assemble it with
// AddJSON (files), AddPlan, AddTransfer and AddRun, then Render it. The
// zero value is an empty report. Not safe for concurrent use.
type Report struct {
	// Title heads the report (default "streamcap report").
	Title string `json:"title"`
	// Plan is the capacity and cost plan, when one was given.
	Plan *model.PlanResult `json:"plan,omitempty"`
	// Transfer is the bulk transfer plan and its link-speed sweep.
	Transfer *TransferSection `json:"transfer,omitempty"`
	// Runs are benchmark results, shown side by side in this order.
	Runs []Run `json:"runs,omitempty"`
	// Verify is the plan verdict of `streamcap verify` (computed there,
	// once; the report only displays it).
	Verify *bench.PlanVerdict `json:"verify,omitempty"`
	// Reach is verify's sentence on how far the planned shards go ("4
	// shards sustain up to 3,940/s: 31 % above the peak of 3,000/s"),
	// shown beside the verdict; its search is in Search.
	Reach string `json:"reach,omitempty"`
	// Search is a `streamcap bench search` result (AddSearch).
	Search *search.Outcome `json:"search,omitempty"`
	// SLO is what runs are checked against (the plan's workload SLO by
	// default; nil: runs are not checked). The checks are bench's.
	SLO *model.SLO `json:"slo,omitempty"`
	// CostCurves are monthly cost against write rate for Kinesis
	// provisioned (a step curve), on-demand and each compared stream
	// system, and CostCrossings where they cross (both from
	// model.SweepPlan); ShardSteps the provisioned shard count against rate.
	CostCurves    []Curve     `json:"cost_curves,omitempty"`
	CostCrossings []Crossover `json:"cost_crossovers,omitempty"`
	ShardSteps    []ShardStep `json:"shard_steps,omitempty"`
	// ShardSweepMax is the right end of the shard chart, records/s (0:
	// the last step's rate).
	ShardSweepMax float64 `json:"shard_sweep_max,omitempty"`
	// ShardLoads is the load per shard for a skewed key distribution
	// (plans carry only the busiest shard's share).
	ShardLoads *ShardLoads `json:"shard_loads,omitempty"`
}

// The chart series and checks a report shows are computed below reports
// (sweeps and crossings in model, checks and verdicts in bench); these
// names let the renderers speak of them.
type (
	// Curve is model.Curve.
	Curve = model.Curve
	// Crossover is model.Crossing.
	Crossover = model.Crossing
	// ShardStep is model.ShardStep.
	ShardStep = model.ShardStep
	// TransferSweep is model.TransferSweep.
	TransferSweep = model.TransferSweep
	// ShardLoads is model.ShardLoads.
	ShardLoads = model.ShardLoads
	// Check is bench.Check.
	Check = bench.Check
)

// TransferSection is a transfer plan and the sweep its chart shows.
type TransferSection struct {
	Plan  model.TransferPlan `json:"plan"`
	Sweep TransferSweep      `json:"sweep"`
}

// Run is a view of one benchmark result for tables and charts: its name,
// its counters (every outcome: acked, errors, throttles, aborted,
// unfinished), the decoded latency distributions and the timeline. The
// result it was made from is kept for bench's checks.
type Run struct {
	// Name labels the run in tables and charts ("embedded, 3 shards").
	Name   string `json:"name"`
	Target string `json:"target"`
	// Shards is the shard or partition count (0 when unknown).
	Shards int `json:"shards,omitempty"`
	// Duration is the measured window.
	Duration time.Duration `json:"duration_ns"`
	// TargetRate and AchievedRate are records/s over the window.
	TargetRate   float64 `json:"target_rate"`
	AchievedRate float64 `json:"achieved_rate"`
	// Counts are the producer counters, as measured.
	Counts loadgen.Counts `json:"counts"`
	// Consumer says which consumer the end-to-end figures come from ("" when
	// the result does not say).
	Consumer string `json:"consumer,omitempty"`
	// Latencies are the distributions shown: response time (corrected for
	// coordinated omission), service time, send lag (how late the
	// generator sent) and end-to-end, in this order.
	Latencies []Latency `json:"latencies"`
	// Pacing is what sending on time cost the generator and what the
	// machine took from it (nil when the result has none).
	Pacing *loadgen.PacingStats `json:"pacing,omitempty"`
	// Timeline is one point per interval.
	Timeline []IntervalPoint `json:"timeline"`

	result *bench.Result
}

// Failed is the number of sends not acknowledged (bench.Result.Failed).
func (r Run) Failed() int64 {
	c := r.Counts
	return c.Errors + c.Throttles + c.Aborted + c.Unfinished
}

// Latency is a named latency distribution: summary percentiles and, for
// the spectrum chart, the histogram (nanoseconds) when it is known.
type Latency struct {
	Name  string        `json:"name"`
	Count int64         `json:"count"`
	P50   time.Duration `json:"p50_ns"`
	P90   time.Duration `json:"p90_ns"`
	P99   time.Duration `json:"p99_ns"`
	P999  time.Duration `json:"p99_9_ns"`
	P9999 time.Duration `json:"p99_99_ns"`
	Max   time.Duration `json:"max_ns"`
	// Hist is the full distribution (nil: summary only).
	Hist *hdr.Histogram `json:"-"`
}

// Latency names used by FromBenchResult, in display order.
const (
	LatencyResponse = "response time"
	LatencyService  = "service time"
	LatencySendLag  = "send lag"
	LatencyE2E      = "end-to-end"
)

// LatencyOf summarises h (nanoseconds) under name, keeping h.
func LatencyOf(name string, h *hdr.Histogram) Latency {
	l := Latency{Name: name, Hist: h}
	if h == nil || h.TotalCount() == 0 {
		return l
	}
	l.Count = h.TotalCount()
	l.P50 = time.Duration(h.ValueAtQuantile(50))
	l.P90 = time.Duration(h.ValueAtQuantile(90))
	l.P99 = time.Duration(h.ValueAtQuantile(99))
	l.P999 = time.Duration(h.ValueAtQuantile(99.9))
	l.P9999 = time.Duration(h.ValueAtQuantile(99.99))
	l.Max = time.Duration(h.Max())
	return l
}

// Latency returns the run's distribution called name (false when absent
// or empty).
func (r Run) Latency(name string) (Latency, bool) {
	for _, l := range r.Latencies {
		if l.Name == name && l.Count > 0 {
			return l, true
		}
	}
	return Latency{}, false
}

// FromBenchResult reduces a benchmark result to a Run named name (default
// "<target>, <shards> shards"), decoding its response, service and
// end-to-end histograms for the spectrum chart.
func FromBenchResult(name string, r *bench.Result) (Run, error) {
	if r == nil {
		return Run{}, errors.New("bench result: nil")
	}
	if name == "" {
		name = r.Target
		if name == "" {
			name = "run"
		}
		if r.Settings.Shards > 0 {
			name = fmt.Sprintf("%s, %s", name, units.Plural(int64(r.Settings.Shards), "shard"))
		}
	}
	run := Run{
		Name: name, Target: r.Target, Shards: r.Settings.Shards, Duration: r.Elapsed(),
		TargetRate: r.TargetRate, AchievedRate: r.AchievedRate, Counts: r.Counts,
		Consumer: r.Settings.Consumer, Pacing: r.Pacing, result: r,
	}
	for _, l := range []struct {
		name string
		lat  bench.Latency
	}{{LatencyResponse, r.Response}, {LatencyService, r.Service}, {LatencySendLag, r.SendLag}, {LatencyE2E, r.E2E}} {
		h, err := l.lat.Decode()
		if err != nil {
			return Run{}, fmt.Errorf("bench result %q: %s histogram: %w", name, l.name, err)
		}
		run.Latencies = append(run.Latencies, LatencyOf(l.name, h))
	}
	run.Timeline = make([]IntervalPoint, len(r.Timeline))
	for i, iv := range r.Timeline {
		run.Timeline[i] = IntervalPoint{Start: iv.Start, Length: iv.Length, Rate: iv.Rate, TargetRate: iv.TargetRate,
			P99: iv.P99, Throttles: iv.Throttles, Errors: iv.Errors}
	}
	return run, nil
}

// AddRun appends a run (shown in the order added).
func (rep *Report) AddRun(r Run) { rep.Runs = append(rep.Runs, r) }

// AddBenchResult adds a benchmark result as a run named name (see
// FromBenchResult for the default).
func (rep *Report) AddBenchResult(name string, r *bench.Result) error {
	run, err := FromBenchResult(name, r)
	if err != nil {
		return err
	}
	rep.AddRun(run)
	return nil
}

// AddPlan sets the plan and the sweeps its charts show (model.SweepPlan;
// nil: no charts). When the plan has a transfer, its sweep is added too.
// The plan's SLO becomes the report's when none is set.
func (rep *Report) AddPlan(p *model.PlanResult, sweep *model.PlanSweep) error {
	if p == nil {
		return errors.New("plan: nil")
	}
	rep.Plan = p
	if rep.SLO == nil && p.Workload.SLO != nil {
		slo := *p.Workload.SLO
		rep.SLO = &slo
	}
	if p.Transfer != nil {
		rep.AddTransfer(p.Transfer, model.SweepTransferPlan(p.Transfer, nil))
	}
	if sweep != nil {
		rep.CostCurves, rep.CostCrossings = sweep.CostCurves, sweep.Crossings
		rep.ShardSteps, rep.ShardSweepMax = sweep.ShardSteps, sweep.ShardSweepMax
		if rep.ShardLoads == nil {
			rep.ShardLoads = sweep.ShardLoads
		}
	}
	return nil
}

// AddTransfer sets the transfer plan and the sweep its chart shows
// (model.SweepTransferPlan).
func (rep *Report) AddTransfer(t *model.TransferPlan, sweep TransferSweep) {
	rep.Transfer = &TransferSection{Plan: *t, Sweep: sweep}
}

// checks returns the report's checks: the verdict's, else bench's SLO
// checks of each run (runs not made from a result are not checked).
func (rep *Report) checks() []Check {
	if rep.Verify != nil {
		return rep.Verify.Checks
	}
	if rep.SLO == nil {
		return nil
	}
	var out []Check
	for _, r := range rep.Runs {
		out = append(out, r.checks(rep.SLO)...)
	}
	return out
}

// checks are bench's checks of r against slo.
func (r Run) checks(slo *model.SLO) []Check {
	if r.result == nil {
		return nil
	}
	return bench.CheckSLO(r.Name, r.result, slo)
}

// headlineRun is the run the summary quotes: the one at the planned shard
// count, else the first.
func (rep *Report) headlineRun() *Run {
	if len(rep.Runs) == 0 {
		return nil
	}
	if rep.Plan != nil && rep.Plan.Kinesis.Provisioned != nil {
		for i := range rep.Runs {
			if rep.Runs[i].Shards == rep.Plan.Kinesis.Provisioned.Shards {
				return &rep.Runs[i]
			}
		}
	}
	return &rep.Runs[0]
}

// Summary returns the report's headline, most important first: "3
// shards, $143/month, p99 4.2 ms at 3,000 msg/s, SLO met" (the plan, the
// headline run — the one at the planned shard count, else the first — and
// the verdict, or that run's SLO checks), then the transfer when present.
func (rep *Report) Summary() []string {
	var head []string
	if p := rep.Plan; p != nil {
		if kp := p.Kinesis.Provisioned; kp != nil {
			head = append(head, fmt.Sprintf("%s", units.Plural(int64(kp.Shards), "shard")), moneyShort(kp.MonthlyUSD)+"/month")
		} else if kp := p.Kinesis.OnDemand; kp != nil {
			head = append(head, "on-demand", moneyShort(kp.MonthlyUSD)+"/month")
		}
	}
	if r := rep.headlineRun(); r != nil {
		if l, ok := r.Latency(LatencyResponse); ok {
			head = append(head, fmt.Sprintf("p99 %s at %s", dur(l.P99), rate(r.AchievedRate, "msg/s")))
		}
		if r.Counts.Throttles > 0 {
			head = append(head, count(r.Counts.Throttles)+" throttled")
		}
		if f := r.Failed() - r.Counts.Throttles; f > 0 {
			head = append(head, count(f)+" failed")
		}
	}
	switch r := rep.headlineRun(); {
	case rep.Verify != nil && rep.Verify.Holds:
		head = append(head, "plan holds")
	case rep.Verify != nil:
		head = append(head, "plan does not hold")
	case rep.SLO != nil && r != nil:
		// The headline speaks for its run; the checks table shows every run.
		if cs := r.checks(rep.SLO); len(cs) > 0 {
			if !bench.AllOK(cs) {
				head = append(head, "SLO missed")
			} else {
				head = append(head, "SLO met")
			}
		}
	}
	var out []string
	if len(head) > 0 {
		out = append(out, strings.Join(head, ", "))
	}
	if t := rep.Transfer; t != nil {
		tp := t.Plan
		out = append(out, fmt.Sprintf("%s: %s over %s vs %s with %s; %s is faster",
			si(tp.DataBytes, "B"), daysShort(tp.Network.Days), bitRate(tp.LinkBPS), daysShort(tp.Device.Days),
			units.Plural(int64(tp.Device.Count), "device"), tp.Faster))
	}
	return out
}

// title returns the report title or its default.
func (rep *Report) title() string {
	if rep.Title != "" {
		return rep.Title
	}
	return "streamcap report"
}
