package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/search"
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
	// Verify is the verdict of `streamcap verify`, when it made the report.
	Verify *Verdict `json:"verify,omitempty"`
	// Search is a `streamcap bench search` result (AddSearch).
	Search *search.Outcome `json:"search,omitempty"`
	// SLO is what runs are checked against (the plan's workload SLO by
	// default; nil: runs are not checked).
	SLO *model.SLO `json:"slo,omitempty"`
	// CostCurves are monthly cost against write rate for Kinesis
	// provisioned (a step curve), on-demand and each compared stream
	// system; ShardSteps the provisioned shard count against rate.
	CostCurves []Curve     `json:"cost_curves,omitempty"`
	ShardSteps []ShardStep `json:"shard_steps,omitempty"`
	// ShardSweepMax is the right end of the shard chart, records/s (0:
	// the last step's rate).
	ShardSweepMax float64 `json:"shard_sweep_max,omitempty"`
	// ShardLoads is the load per shard for a skewed key distribution
	// (set by the caller: plans carry only the busiest shard's share).
	ShardLoads *ShardLoads `json:"shard_loads,omitempty"`
}

// TransferSection is a transfer plan and the sweep its chart shows.
type TransferSection struct {
	Plan  model.TransferPlan `json:"plan"`
	Sweep TransferSweep      `json:"sweep"`
}

// Run is one benchmark result reduced to what reports show.
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
	// Sent, Acked, Errors and Throttles are producer counters.
	Sent      int64 `json:"sent"`
	Acked     int64 `json:"acked"`
	Errors    int64 `json:"errors"`
	Throttles int64 `json:"throttles"`
	// Latencies are the distributions shown: response time (corrected for
	// coordinated omission), service time and end-to-end, in this order.
	Latencies []Latency `json:"latencies"`
	// Timeline is one point per interval.
	Timeline []IntervalPoint `json:"timeline"`
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

// Verdict is what `streamcap verify` concluded: whether the plan holds,
// and each check behind it.
type Verdict struct {
	// Holds is true when every check passed.
	Holds bool `json:"holds"`
	// PlannedShards is the shard count the plan chose.
	PlannedShards int `json:"planned_shards"`
	// Checks in the order they were made.
	Checks []Check `json:"checks"`
}

// Check is one pass/fail comparison of a measured figure with its bound.
type Check struct {
	// Run names the run checked; What the figure ("publish p99").
	Run  string `json:"run"`
	What string `json:"what"`
	// Want is the bound and Got the measured figure, as people read them.
	Want string `json:"want"`
	Got  string `json:"got"`
	OK   bool   `json:"ok"`
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
			name = fmt.Sprintf("%s, %d %s", name, r.Settings.Shards, plural(r.Settings.Shards, "shard", "shards"))
		}
	}
	run := Run{
		Name: name, Target: r.Target, Shards: r.Settings.Shards, Duration: r.Elapsed(),
		TargetRate: r.TargetRate, AchievedRate: r.AchievedRate,
		Sent: r.Counts.Sent, Acked: r.Counts.Acked, Errors: r.Counts.Errors, Throttles: r.Counts.Throttles,
	}
	for _, l := range []struct {
		name string
		lat  bench.Latency
	}{{LatencyResponse, r.Response}, {LatencyService, r.Service}, {LatencyE2E, r.E2E}} {
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

// Sweep settings of AddPlan. Cost: Kinesis both modes at costPoints
// log-spaced average rates from the planned rate / sweepSpan to × sweepSpan
// (1.2 % apart, so crossovers with the provisioned steps land within
// 1.2 %), compared systems at altPoints (smooth curves, interpolated).
// Shards: shardPoints evenly spaced rates up to sweepShardSpan × the rate.
const (
	sweepSpan      = 10
	costPoints     = 401
	altPoints      = 41
	sweepShardSpan = 2.0
	shardPoints    = 400
)

// AddPlan sets the plan and computes the charts' sweeps from its workload
// with prices (default model.DefaultPrices): monthly cost against rate
// for Kinesis provisioned and on-demand and each compared stream system,
// the provisioned shard count and binding limit against rate, and, when
// the plan has a transfer, the transfer sweep. The plan's SLO becomes the
// report's when none is set.
func (rep *Report) AddPlan(p *model.PlanResult, prices *model.Prices) error {
	if p == nil {
		return errors.New("plan: nil")
	}
	if prices == nil {
		prices = model.DefaultPrices()
	}
	rep.Plan = p
	if rep.SLO == nil && p.Workload.SLO != nil {
		slo := *p.Workload.SLO
		rep.SLO = &slo
	}
	if p.Transfer != nil {
		rep.AddTransfer(p.Transfer, nil)
	}
	r := float64(p.Workload.Rate)
	if !(r > 0) {
		return nil
	}
	if err := rep.costCurves(p, prices, r); err != nil {
		return err
	}
	if err := rep.shardSteps(p, prices, r); err != nil {
		return err
	}
	return rep.shardLoads(p, prices)
}

// maxLoadBars is the most shards the per-shard load chart draws.
const maxLoadBars = 256

// shardLoads sets the per-shard write load at peak for the planned
// provisioned shard count, from the real MD5 placement of the workload's
// keys, against the per-shard write_records limit (unless the caller set
// loads already).
func (rep *Report) shardLoads(p *model.PlanResult, prices *model.Prices) error {
	kp := p.Kinesis.Provisioned
	if rep.ShardLoads != nil || kp == nil || kp.Shards < 1 || kp.Shards > maxLoadBars {
		return nil
	}
	shares, err := model.ShardShares(p.Workload.Keys, kp.Shards)
	if err != nil {
		return fmt.Errorf("plan shard loads: %w", err)
	}
	peak := float64(p.Workload.Rate) * p.Workload.PeakFactor
	loads := make([]float64, len(shares))
	for i, sh := range shares {
		loads[i] = sh * peak
	}
	rep.ShardLoads = &ShardLoads{Loads: loads, Limit: prices.Kinesis.ShardWriteRecords.Value, Unit: "records/s"}
	return nil
}

// costCurves sweeps the plan's workload around the average rate r in both
// Kinesis modes and every compared stream system.
func (rep *Report) costCurves(p *model.PlanResult, prices *model.Prices, r float64) error {
	rates, err := model.LogSpace(r/sweepSpan, r*sweepSpan, costPoints)
	if err != nil {
		return fmt.Errorf("plan cost sweep: %w", err)
	}
	pts, err := model.SweepCost(p.Workload, prices, rates)
	if err != nil {
		return fmt.Errorf("plan cost sweep: %w", err)
	}
	prov := Curve{Name: "Kinesis provisioned", Step: true}
	od := Curve{Name: "Kinesis on-demand"}
	for _, c := range pts {
		prov.X, prov.Y = append(prov.X, c.Rate), append(prov.Y, c.ProvisionedUSD)
		od.X, od.Y = append(od.X, c.Rate), append(od.Y, c.OnDemandUSD)
	}
	rep.CostCurves = []Curve{prov, od}
	var systems []string
	for _, a := range alternatives(p) {
		if a.Role == model.RoleStream {
			systems = append(systems, a.System)
		}
	}
	if len(systems) == 0 {
		return nil
	}
	if rates, err = model.LogSpace(r/sweepSpan, r*sweepSpan, altPoints); err != nil {
		return fmt.Errorf("plan cost sweep: %w", err)
	}
	curves := make([]Curve, len(systems))
	for _, r := range rates {
		w := p.Workload
		w.Rate = units.EventRate(r)
		res, err := model.Plan(w, prices, model.PlanOptions{Mode: model.ModeProvisioned, Compare: systems})
		if err != nil {
			return fmt.Errorf("plan cost sweep at %s: %w", rate(r, "records/s"), err)
		}
		for i, s := range systems {
			a := res.Compare[s]
			if a == nil {
				continue
			}
			curves[i].Name = shortTitle(a)
			curves[i].X, curves[i].Y = append(curves[i].X, r), append(curves[i].Y, a.MonthlyUSD)
		}
	}
	for _, c := range curves {
		if len(c.X) > 0 {
			rep.CostCurves = append(rep.CostCurves, c)
		}
	}
	return nil
}

// shortTitle names a compared system for a legend: its title up to the
// first parenthesis ("Apache Kafka on Amazon MSK").
func shortTitle(a *model.Alternative) string {
	t, _, _ := strings.Cut(a.Title, " (")
	if t == "" {
		return a.System
	}
	return t
}

// shardSteps finds the provisioned shard count from near 0 to
// sweepShardSpan × the average rate r (model.SweepCost, cheap), and the
// binding limit at the first rate of each count (model.PlanKinesis).
func (rep *Report) shardSteps(p *model.PlanResult, prices *model.Prices, r float64) error {
	end := r * sweepShardSpan
	rates := make([]float64, shardPoints)
	for i := range rates {
		rates[i] = end * float64(i+1) / shardPoints
	}
	pts, err := model.SweepCost(p.Workload, prices, rates)
	if err != nil {
		return fmt.Errorf("plan shard sweep: %w", err)
	}
	rep.ShardSteps, rep.ShardSweepMax = nil, end
	for _, pt := range pts {
		if n := len(rep.ShardSteps); n > 0 && rep.ShardSteps[n-1].Shards == pt.Shards {
			continue
		}
		w := p.Workload
		w.Rate = units.EventRate(pt.Rate)
		kp, err := model.PlanKinesis(w, prices)
		if err != nil {
			return fmt.Errorf("plan shard sweep at %s: %w", rate(pt.Rate, "records/s"), err)
		}
		rep.ShardSteps = append(rep.ShardSteps, ShardStep{Rate: roundSig(pt.Rate, 4), Shards: pt.Shards, Binding: string(kp.BindingLimit)})
	}
	return nil
}

// AddTransfer sets the transfer plan; sweep (nil: computed from t over
// link speeds 30× below to 30× above the link and the crossover) is what
// its chart shows.
func (rep *Report) AddTransfer(t *model.TransferPlan, sweep []model.TransferPoint) {
	sec := &TransferSection{Plan: *t}
	s := TransferSweep{DeviceDays: t.Device.Days, Device: t.Device.Title, CrossoverBPS: t.CrossoverBPS}
	if s.Device == "" {
		s.Device = t.Device.Device
	}
	if len(sweep) > 0 {
		for _, p := range sweep {
			s.LinkBPS = append(s.LinkBPS, p.LinkBPS)
			s.NetworkDays = append(s.NetworkDays, p.NetworkDays)
		}
	} else if t.LinkBPS > 0 && t.Utilization > 0 && t.Efficiency > 0 {
		lo, hi := t.LinkBPS, t.LinkBPS
		if t.CrossoverBPS > 0 {
			lo, hi = min(lo, t.CrossoverBPS), max(hi, t.CrossoverBPS)
		}
		links, err := model.LogSpace(lo/30, hi*30, 61)
		if err == nil {
			for _, l := range links {
				s.LinkBPS = append(s.LinkBPS, l)
				s.NetworkDays = append(s.NetworkDays, t.NetworkDaysAt(l))
			}
		}
	}
	sec.Sweep = s
	rep.Transfer = sec
}

// Input kinds AddJSON recognises.
const (
	KindPlan     = "plan"
	KindTransfer = "transfer"
	KindBench    = "bench"
)

// maxInput bounds one JSON input (a 1-hour 1 s-interval bench result with
// per-interval histograms stays well below it).
const maxInput = 256 << 20

// AddJSON reads one JSON input and adds it by its shape: a bench result
// (schema "streamcap.bench.result/v1"), a plan (`streamcap plan -o json`:
// "workload" and "kinesis") or a transfer plan (`streamcap transfer -o
// json`: "data_bytes", "network", "device"). name labels errors and, for
// a bench result, the run ("" for the default). prices are used for the
// plan's sweeps (nil: defaults). It returns the kind it found.
func (rep *Report) AddJSON(name string, rd io.Reader, prices *model.Prices) (string, error) {
	data, err := io.ReadAll(io.LimitReader(rd, maxInput+1))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxInput {
		return "", fmt.Errorf("read %s: larger than %s: not a streamcap JSON file", name, si(maxInput, "B"))
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return "", fmt.Errorf("read %s: %w (want a plan, transfer or bench result JSON object)", name, err)
	}
	has := func(k string) bool { _, ok := probe[k]; return ok }
	switch {
	case has("schema") && isSearchJSON(probe["schema"]):
		return rep.addSearchJSON(name, data)
	case has("schema"):
		r, err := bench.ReadJSON(bytes.NewReader(data))
		if err != nil {
			return "", fmt.Errorf("read %s: %w", name, err)
		}
		run, err := FromBenchResult("", r)
		if err != nil {
			return "", fmt.Errorf("read %s: %w", name, err)
		}
		if slices.ContainsFunc(rep.Runs, func(o Run) bool { return o.Name == run.Name }) {
			run.Name += " (" + name + ")"
		}
		rep.AddRun(run)
		return KindBench, nil
	case has("workload") && has("kinesis"):
		var p model.PlanResult
		if err := json.Unmarshal(data, &p); err != nil {
			return "", fmt.Errorf("read %s: plan: %w", name, err)
		}
		return KindPlan, rep.AddPlan(&p, prices)
	case has("data_bytes") && has("network") && has("device"):
		var t struct {
			model.TransferPlan
			Sweep []model.TransferPoint `json:"sweep"`
		}
		if err := json.Unmarshal(data, &t); err != nil {
			return "", fmt.Errorf("read %s: transfer: %w", name, err)
		}
		rep.AddTransfer(&t.TransferPlan, t.Sweep)
		return KindTransfer, nil
	}
	keys := make([]string, 0, len(probe))
	for k := range probe {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return "", fmt.Errorf("read %s: top-level keys %q: want a bench result (schema), a plan (workload, kinesis) or a transfer plan (data_bytes, network, device)", name, keys)
}

// CheckSLO compares a run with slo: publish p99 (response time, corrected)
// against PublishP99, end-to-end p99 against E2EP99 (a run without
// end-to-end samples fails it), and failed sends (errors + throttles) /
// sent against MaxErrorRate. Unset bounds are not checked.
func CheckSLO(r Run, slo model.SLO) []Check {
	var out []Check
	if slo.PublishP99 > 0 {
		want := time.Duration(slo.PublishP99)
		c := Check{Run: r.Name, What: "publish p99", Want: "≤ " + dur(want), Got: "no samples"}
		if l, ok := r.Latency(LatencyResponse); ok {
			c.Got, c.OK = dur(l.P99), l.P99 <= want
		}
		out = append(out, c)
	}
	if slo.E2EP99 > 0 {
		want := time.Duration(slo.E2EP99)
		c := Check{Run: r.Name, What: "end-to-end p99", Want: "≤ " + dur(want), Got: "no samples"}
		if l, ok := r.Latency(LatencyE2E); ok {
			c.Got, c.OK = dur(l.P99), l.P99 <= want
		}
		out = append(out, c)
	}
	if slo.MaxErrorRate > 0 {
		fr := 0.0
		if r.Sent > 0 {
			fr = float64(r.Errors+r.Throttles) / float64(r.Sent)
		}
		out = append(out, Check{Run: r.Name, What: "failed sends", Want: "≤ " + pctFine(slo.MaxErrorRate), Got: pctFine(fr), OK: fr <= slo.MaxErrorRate})
	}
	return out
}

// PlanVerdict judges a plan from two runs of its workload: at ran with
// the planned shard count, below (nil: not run) with one shard fewer. The
// plan holds when the run at the planned count had no throttled or failed
// send and met slo (CheckSLO). The run below adds one informational
// check, "breaks below the plan", that passes when it throttled, failed
// sends or missed slo — it shows the plan is not oversized but does not
// decide Holds.
func PlanVerdict(planned int, at Run, below *Run, slo model.SLO) Verdict {
	v := Verdict{PlannedShards: planned}
	v.Checks = append(v.Checks,
		Check{Run: at.Name, What: "throttled sends", Want: "0", Got: count(at.Throttles), OK: at.Throttles == 0},
		Check{Run: at.Name, What: "failed sends", Want: "0", Got: count(at.Errors), OK: at.Errors == 0})
	v.Checks = append(v.Checks, CheckSLO(at, slo)...)
	v.Holds = !slices.ContainsFunc(v.Checks, func(c Check) bool { return !c.OK })
	if below != nil {
		broke := below.Throttles > 0 || below.Errors > 0 || slices.ContainsFunc(CheckSLO(*below, slo), func(c Check) bool { return !c.OK })
		got := count(below.Throttles) + " throttled"
		if !broke {
			got += ", SLO met: the plan may be one shard too big"
		}
		v.Checks = append(v.Checks, Check{Run: below.Name, What: "breaks below the plan", Want: "throttles or misses the SLO", Got: got, OK: broke})
	}
	return v
}

// pctFine formats a small fraction as a percentage with 2 significant
// digits: 0.0012 → "0.12%".
func pctFine(f float64) string { return sig(roundSig(f*100, 2), 2) + "%" }

// checks returns the report's checks: the verdict's, else each run's SLO
// checks.
func (rep *Report) checks() []Check {
	if rep.Verify != nil {
		return rep.Verify.Checks
	}
	if rep.SLO == nil {
		return nil
	}
	var out []Check
	for _, r := range rep.Runs {
		out = append(out, CheckSLO(r, *rep.SLO)...)
	}
	return out
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
			head = append(head, fmt.Sprintf("%d %s", kp.Shards, plural(kp.Shards, "shard", "shards")), moneyShort(kp.MonthlyUSD)+"/month")
		} else if kp := p.Kinesis.OnDemand; kp != nil {
			head = append(head, "on-demand", moneyShort(kp.MonthlyUSD)+"/month")
		}
	}
	if r := rep.headlineRun(); r != nil {
		if l, ok := r.Latency(LatencyResponse); ok {
			head = append(head, fmt.Sprintf("p99 %s at %s", dur(l.P99), rate(r.AchievedRate, "msg/s")))
		}
		if r.Throttles > 0 {
			head = append(head, count(r.Throttles)+" throttled")
		}
	}
	switch r := rep.headlineRun(); {
	case rep.Verify != nil && rep.Verify.Holds:
		head = append(head, "plan holds")
	case rep.Verify != nil:
		head = append(head, "plan does not hold")
	case rep.SLO != nil && r != nil:
		// The headline speaks for its run; the checks table shows every run.
		if cs := CheckSLO(*r, *rep.SLO); len(cs) > 0 {
			if slices.ContainsFunc(cs, func(c Check) bool { return !c.OK }) {
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
		out = append(out, fmt.Sprintf("%s: %s over %s vs %s with %d %s; %s is faster",
			si(tp.DataBytes, "B"), daysShort(tp.Network.Days), bitRate(tp.LinkBPS), daysShort(tp.Device.Days),
			tp.Device.Count, plural(tp.Device.Count, "device", "devices"), tp.Faster))
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// title returns the report title or its default.
func (rep *Report) title() string {
	if rep.Title != "" {
		return rep.Title
	}
	return "streamcap report"
}
