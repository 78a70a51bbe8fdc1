package model

import (
	"fmt"
	"strings"

	"github.com/streamcap/streamcap/model/units"
)

// Sweep settings of SweepPlan. Cost: Kinesis both modes at sweepCostPoints
// log-spaced average rates from the planned rate / sweepSpan to × sweepSpan
// (1.2 % apart, so crossovers with the provisioned steps land within
// 1.2 %), compared systems at sweepAltPoints (smooth curves, interpolated).
// Shards: sweepShardPoints evenly spaced rates up to sweepShardSpan × the
// rate. Per-shard loads are drawn up to maxLoadShards shards.
const (
	sweepSpan        = 10
	sweepCostPoints  = 401
	sweepAltPoints   = 41
	sweepShardSpan   = 2.0
	sweepShardPoints = 400
	maxLoadShards    = 256
)

// PlanSweep is what a plan report charts besides the plan itself: monthly
// cost against rate for Kinesis provisioned (a step curve), on-demand and
// each compared stream system, the key crossovers of those curves, the
// provisioned shard count and binding limit against rate, and the load per
// shard for the workload's keys.
type PlanSweep struct {
	CostCurves []Curve     `json:"cost_curves,omitempty"`
	Crossings  []Crossing  `json:"cost_crossovers,omitempty"`
	ShardSteps []ShardStep `json:"shard_steps,omitempty"`
	// ShardSweepMax is the right end of the shard chart, records/s.
	ShardSweepMax float64     `json:"shard_sweep_max,omitempty"`
	ShardLoads    *ShardLoads `json:"shard_loads,omitempty"`
}

// SweepPlan computes the sweeps of plan p with prices (nil: the default
// table). A plan without a positive rate has none.
func SweepPlan(p *PlanResult, prices *Prices) (*PlanSweep, error) {
	if p == nil {
		return nil, fmt.Errorf("sweep plan: nil plan")
	}
	if prices == nil {
		prices = DefaultPrices()
	}
	s := &PlanSweep{}
	r := float64(p.Workload.Rate)
	if !(r > 0) {
		return s, nil
	}
	if err := s.costCurves(p, prices, r); err != nil {
		return nil, err
	}
	cross, err := KeyCrossings(s.CostCurves)
	if err != nil {
		return nil, fmt.Errorf("plan cost sweep: %w", err)
	}
	s.Crossings = cross
	if err := s.shardSteps(p, prices, r); err != nil {
		return nil, err
	}
	if err := s.shardLoads(p, prices); err != nil {
		return nil, err
	}
	return s, nil
}

// shardLoads sets the per-shard write load at peak for the planned
// provisioned shard count, from the real MD5 placement of the workload's
// keys, against the per-shard write_records limit.
func (s *PlanSweep) shardLoads(p *PlanResult, prices *Prices) error {
	kp := p.Kinesis.Provisioned
	if kp == nil || kp.Shards < 1 || kp.Shards > maxLoadShards {
		return nil
	}
	shares, err := ShardShares(p.Workload.Keys, kp.Shards)
	if err != nil {
		return fmt.Errorf("plan shard loads: %w", err)
	}
	peak := float64(p.Workload.Rate) * p.Workload.PeakFactor
	loads := make([]float64, len(shares))
	for i, sh := range shares {
		loads[i] = sh * peak
	}
	s.ShardLoads = &ShardLoads{Loads: loads, Limit: prices.Kinesis.ShardWriteRecords.Value, Unit: "records/s"}
	return nil
}

// costCurves sweeps the plan's workload around the average rate r in both
// Kinesis modes and every compared stream system.
func (s *PlanSweep) costCurves(p *PlanResult, prices *Prices, r float64) error {
	rates, err := LogSpace(r/sweepSpan, r*sweepSpan, sweepCostPoints)
	if err != nil {
		return fmt.Errorf("plan cost sweep: %w", err)
	}
	pts, err := SweepCost(p.Workload, prices, rates)
	if err != nil {
		return fmt.Errorf("plan cost sweep: %w", err)
	}
	prov := Curve{Name: "Kinesis provisioned", Step: true}
	od := Curve{Name: "Kinesis on-demand"}
	for _, c := range pts {
		prov.X, prov.Y = append(prov.X, c.Rate), append(prov.Y, c.ProvisionedUSD)
		od.X, od.Y = append(od.X, c.Rate), append(od.Y, c.OnDemandUSD)
	}
	s.CostCurves = []Curve{prov, od}
	var systems []string
	for _, name := range CompareSystems() {
		if a := p.Compare[name]; a != nil && a.Role == RoleStream {
			systems = append(systems, a.System)
		}
	}
	if len(systems) == 0 {
		return nil
	}
	if rates, err = LogSpace(r/sweepSpan, r*sweepSpan, sweepAltPoints); err != nil {
		return fmt.Errorf("plan cost sweep: %w", err)
	}
	curves := make([]Curve, len(systems))
	for _, r := range rates {
		w := p.Workload
		w.Rate = units.EventRate(r)
		res, err := Plan(w, prices, PlanOptions{Mode: ModeProvisioned, Compare: systems})
		if err != nil {
			return fmt.Errorf("plan cost sweep at %s records/s: %w", units.Rate(r), err)
		}
		for i, sys := range systems {
			a := res.Compare[sys]
			if a == nil {
				continue
			}
			curves[i].Name = shortTitle(a)
			curves[i].X, curves[i].Y = append(curves[i].X, r), append(curves[i].Y, a.MonthlyUSD)
		}
	}
	for _, c := range curves {
		if len(c.X) > 0 {
			s.CostCurves = append(s.CostCurves, c)
		}
	}
	return nil
}

// shortTitle names a compared system for a legend: its title up to the
// first parenthesis ("Apache Kafka on Amazon MSK").
func shortTitle(a *Alternative) string {
	t, _, _ := strings.Cut(a.Title, " (")
	if t == "" {
		return a.System
	}
	return t
}

// shardSteps finds the provisioned shard count from near 0 to
// sweepShardSpan × the average rate r (SweepCost, cheap), and the binding
// limit at the first rate of each count (PlanKinesis).
func (s *PlanSweep) shardSteps(p *PlanResult, prices *Prices, r float64) error {
	end := r * sweepShardSpan
	rates := make([]float64, sweepShardPoints)
	for i := range rates {
		rates[i] = end * float64(i+1) / sweepShardPoints
	}
	pts, err := SweepCost(p.Workload, prices, rates)
	if err != nil {
		return fmt.Errorf("plan shard sweep: %w", err)
	}
	s.ShardSteps, s.ShardSweepMax = nil, end
	for _, pt := range pts {
		if n := len(s.ShardSteps); n > 0 && s.ShardSteps[n-1].Shards == pt.Shards {
			continue
		}
		w := p.Workload
		w.Rate = units.EventRate(pt.Rate)
		kp, err := PlanKinesis(w, prices)
		if err != nil {
			return fmt.Errorf("plan shard sweep at %s records/s: %w", units.Rate(pt.Rate), err)
		}
		s.ShardSteps = append(s.ShardSteps, ShardStep{Rate: units.RoundSig(pt.Rate, 4), Shards: pt.Shards, Binding: string(kp.BindingLimit)})
	}
	return nil
}

// SweepTransferPlan is the transfer chart's series for t: the given sweep
// points when there are any (a transfer JSON's own), else the network time
// at 61 log-spaced link speeds from 30× below to 30× above the link and the
// crossover.
func SweepTransferPlan(t *TransferPlan, sweep []TransferPoint) TransferSweep {
	s := TransferSweep{DeviceDays: t.Device.Days, Device: t.Device.Title, CrossoverBPS: t.CrossoverBPS}
	if s.Device == "" {
		s.Device = t.Device.Device
	}
	if len(sweep) > 0 {
		for _, p := range sweep {
			s.LinkBPS = append(s.LinkBPS, p.LinkBPS)
			s.NetworkDays = append(s.NetworkDays, p.NetworkDays)
		}
		return s
	}
	if t.LinkBPS > 0 && t.Utilization > 0 && t.Efficiency > 0 {
		lo, hi := t.LinkBPS, t.LinkBPS
		if t.CrossoverBPS > 0 {
			lo, hi = min(lo, t.CrossoverBPS), max(hi, t.CrossoverBPS)
		}
		if links, err := LogSpace(lo/30, hi*30, 61); err == nil {
			for _, l := range links {
				s.LinkBPS = append(s.LinkBPS, l)
				s.NetworkDays = append(s.NetworkDays, t.NetworkDaysAt(l))
			}
		}
	}
	return s
}
