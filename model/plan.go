package model

import (
	"fmt"
	"math"
	"strings"

	"github.com/streamcap/streamcap/model/units"
)

// PlanOptions choose what Plan computes. The zero value plans both Kinesis
// capacity modes and compares nothing.
type PlanOptions struct {
	// Mode is "provisioned", "on-demand" or "both" (default "both").
	Mode string
	// Compare lists systems to size and price beside Kinesis; see
	// CompareSystems. "all" selects every system.
	Compare []string
	// FirehoseBufferSize and FirehoseBufferInterval override the price
	// table's Firehose buffering defaults (5 MiB, 300s) when non-zero.
	FirehoseBufferSize     units.Bytes
	FirehoseBufferInterval units.Duration
	// Pipeline holds the settings of the compared systems and consumers
	// (Pub/Sub batching, MSK, Flink KPUs); see PipelineOptions.
	Pipeline PipelineOptions
}

// PriceRef identifies the price table a result was computed with.
type PriceRef struct {
	Region        string  `json:"region"`
	Version       string  `json:"version"`
	Currency      string  `json:"currency"`
	HoursPerMonth float64 `json:"hours_per_month"`
}

// KinesisResult holds the Kinesis plans of each requested mode.
type KinesisResult struct {
	Provisioned *KinesisPlan `json:"provisioned,omitempty"`
	OnDemand    *KinesisPlan `json:"on_demand,omitempty"`
	// Crossover (mode both) is where on-demand becomes the cheaper mode
	// for this workload's peak.
	Crossover *Crossover `json:"crossover,omitempty"`
}

// PlanResult is the whole answer of `streamcap plan`.
type PlanResult struct {
	// Workload is the planned workload with defaults filled in.
	Workload Workload      `json:"workload"`
	Prices   PriceRef      `json:"prices"`
	Kinesis  KinesisResult `json:"kinesis"`
	// Compare maps a system name to its sizing and cost.
	Compare map[string]*Alternative `json:"compare,omitempty"`
	// Pipelines are the complete pipelines (stream + consumers) compared,
	// cheapest first; set when Compare is.
	Pipelines []Pipeline `json:"pipelines,omitempty"`
	// Transfer is set when the workload has a transfer block.
	Transfer *TransferPlan `json:"transfer,omitempty"`
}

// Plan plans w on Kinesis in the requested modes and prices the compared
// systems. It is pure and deterministic: the same inputs give the same
// result. w's zero fields take their defaults (Workload.Defaults, on a
// copy) and w is validated (Workload.Validate). Errors wrap ErrPlanInput
// and name the field, value and accepted range.
func Plan(w Workload, p *Prices, opts PlanOptions) (*PlanResult, error) {
	mode := opts.Mode
	if mode == "" {
		mode = ModeBoth
	}
	if mode != ModeProvisioned && mode != ModeOnDemand && mode != ModeBoth {
		return nil, planInputErr("mode", opts.Mode, "provisioned, on-demand or both")
	}
	systems, err := compareList(opts.Compare)
	if err != nil {
		return nil, err
	}
	opts.Pipeline = mergePipeline(w.Pipeline, opts.Pipeline)
	if p != nil {
		if err := checkPipelineOptions(opts, p); err != nil {
			return nil, err
		}
	}
	l, err := prepare(w, p)
	if err != nil {
		return nil, err
	}
	r := &PlanResult{Workload: l.w, Prices: PriceRef{Region: p.Region, Version: p.Version, Currency: p.Currency, HoursPerMonth: p.month()}}
	prov := planProvisioned(l, p, true)
	if mode != ModeOnDemand {
		r.Kinesis.Provisioned = &prov
	}
	if mode != ModeProvisioned {
		od := planOnDemand(l, p, true)
		r.Kinesis.OnDemand = &od
	}
	if mode == ModeBoth {
		c := crossover(l, p)
		r.Kinesis.Crossover = &c
	}
	if len(systems) > 0 {
		r.Compare = make(map[string]*Alternative, len(systems))
	}
	for _, s := range systems {
		switch s {
		case SystemFirehose:
			r.Compare[s] = planFirehose(l, p, opts)
		case SystemLambda:
			r.Compare[s] = planLambda(l, p, prov.Shards)
		case SystemDynamoDB:
			r.Compare[s] = planDynamoDB(l, p)
		case SystemPubSub:
			r.Compare[s] = planPubSub(l, p, opts.Pipeline.PubSub)
		case SystemKafka:
			k := planKafka(l, p)
			r.Compare[s] = k
			r.Compare[SystemKafkaExpress] = planKafkaExpress(l, p)
			if sl, why := planKafkaServerless(l, p); sl != nil {
				r.Compare[SystemKafkaServerless] = sl
			} else {
				k.Notes = append(k.Notes, why)
			}
		case SystemFlink:
			r.Compare[s] = planFlink(l, p, opts.Pipeline.Flink)
		}
	}
	if len(r.Compare) > 0 {
		r.Pipelines = buildPipelines(r, l, p)
	}
	if l.w.Transfer != nil {
		t, err := PlanTransfer(*l.w.Transfer, p)
		if err != nil {
			return nil, err
		}
		r.Transfer = &t
	}
	return r, nil
}

// compareList normalises and de-duplicates PlanOptions.Compare.
func compareList(in []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		for _, part := range strings.Split(s, ",") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			if strings.EqualFold(strings.TrimSpace(part), "all") {
				for _, n := range CompareSystems() {
					if !seen[n] {
						seen[n], out = true, append(out, n)
					}
				}
				continue
			}
			n, err := NormalizeSystem(part)
			if err != nil {
				return nil, err
			}
			if !seen[n] {
				seen[n], out = true, append(out, n)
			}
		}
	}
	return out, nil
}

// CostPoint is one point of a cost-versus-rate sweep.
type CostPoint struct {
	// Rate is the average write rate in records/s.
	Rate float64 `json:"rate"`
	// Shards is the provisioned shard count at this rate.
	Shards         int     `json:"shards"`
	ProvisionedUSD float64 `json:"provisioned_usd"`
	OnDemandUSD    float64 `json:"on_demand_usd"`
}

// SweepCost prices w at each average rate (records/s) in both capacity
// modes, keeping every other field (peak factor, sizes, consumers). It
// validates w once and skips explanations, so a 10 000-point sweep stays
// cheap. Rates must be > 0.
func SweepCost(w Workload, p *Prices, rates []float64) ([]CostPoint, error) {
	if len(rates) == 0 {
		return nil, nil
	}
	w.Rate = units.EventRate(rates[0])
	l, err := prepare(w, p)
	if err != nil {
		return nil, err
	}
	if l.w.Keys.Distribution.Kind != KeysRandom && l.w.Keys.Count > ExactKeyBudget {
		// Hash as many keys as a plan ever does, up front, so every point
		// is planned alike whatever the other rates (a plan upgrades its
		// key model only when the bound costs shards; see analyse).
		*l.km = newKeyModelN(l.w.Keys, MaxExactKeys)
	}
	out := make([]CostPoint, len(rates))
	for i, r := range rates {
		if !(r > 0) || r > 1e9 || math.IsInf(r, 0) {
			return nil, planInputErr(fmt.Sprintf("rates[%d]", i), r, "between 0/s (exclusive) and 1G/s")
		}
		lr := l.withRate(r)
		x := explainer{off: true}
		c := analyse(lr, p, &x)
		prov := provisionedWith(lr, p, c, &x)
		od := onDemandWith(lr, p, c, &x)
		out[i] = CostPoint{Rate: r, Shards: prov.Shards, ProvisionedUSD: prov.MonthlyUSD, OnDemandUSD: od.MonthlyUSD}
	}
	return out, nil
}

// withRate returns l at another average rate.
func (l kinesisLoad) withRate(r float64) kinesisLoad {
	l.w.Rate = units.EventRate(r)
	l.avgRecords = r
	l.peakRecords = r * l.w.PeakFactor
	l.peakBytes = l.peakRecords * l.recBytes
	l.avgBytes = r * l.recBytes
	return l
}

// Crossover is where on-demand and provisioned Kinesis cost the same for
// a workload whose peak rate is fixed: below AverageRate (a peak-to-average
// ratio above PeakFactor) on-demand is cheaper.
type Crossover struct {
	// Found is false when one mode is cheaper at every average rate in
	// (0, peak]; Cheaper then names it.
	Found   bool   `json:"found"`
	Cheaper string `json:"cheaper,omitempty"`
	// PeakRate is the fixed peak (rate × peak_factor of the workload).
	PeakRate float64 `json:"peak_rate"`
	// AverageRate (records/s) and PeakFactor (peak / average) at the crossover.
	AverageRate float64 `json:"average_rate"`
	PeakFactor  float64 `json:"peak_factor"`
	// MonthlyUSD is the cost of either mode there.
	MonthlyUSD  float64     `json:"monthly_usd"`
	Explanation Explanation `json:"explanation"`
}

// OnDemandCrossover finds the average rate at which on-demand and
// provisioned Kinesis cost the same, holding the workload's peak rate
// fixed (provisioned pays for the peak in shards, on-demand for the
// average in GB).
func OnDemandCrossover(w Workload, p *Prices) (Crossover, error) {
	l, err := prepare(w, p)
	if err != nil {
		return Crossover{}, err
	}
	return crossover(l, p), nil
}

// crossover solves od(a) = prov(a) for the average rate a in (0, peak].
// With the peak fixed, every line item of both modes is either fixed
// (shard-hours, extended-retention shard-hours, EFO consumer-shard-hours,
// stream-hours) or proportional to a (PUT units, GB in, out, retrieved and
// stored), so the difference d(a) = od(a) − prov(a) is affine and two
// evaluations give its root exactly: a* = −d(0) / slope.
func crossover(l kinesisLoad, p *Prices) Crossover {
	peak := l.peakRecords
	costs := func(avg float64) (od, prov float64) {
		lr := l.withRate(avg)
		lr.w.PeakFactor = peak / avg
		lr.peakRecords, lr.peakBytes = peak, peak*l.recBytes
		x := explainer{off: true}
		c := analyse(lr, p, &x)
		return onDemandWith(lr, p, c, &x).MonthlyUSD, provisionedWith(lr, p, c, &x).MonthlyUSD
	}
	c := Crossover{PeakRate: peak}
	x := explainer{}
	x.in("peak_rate", "%s records/s (held fixed)", num(peak))
	odPeak, provPeak := costs(peak)
	odHalf, provHalf := costs(peak / 2)
	slope := ((odPeak - provPeak) - (odHalf - provHalf)) / (peak / 2)
	d0 := (odPeak - provPeak) - slope*peak
	x.step("cost difference at zero average", "(od − prov)(0) = fixed on-demand − fixed provisioned", d0, "USD/month", "%v", d0)
	x.step("slope", "Δ(od − prov) / Δaverage", slope, "USD/month per record/s", "((%v − %v) − (%v − %v)) / %v", odPeak, provPeak, odHalf, provHalf, peak/2)
	switch a := -d0 / slope; {
	case slope != 0 && a > 0 && a <= peak:
		c.Found, c.AverageRate, c.PeakFactor = true, a, peak/a
		_, c.MonthlyUSD = costs(a)
		x.step("crossover average rate", "−(od − prov)(0) / slope", a, "records/s", "−(%v) / %v (peak-to-average %v; both %v USD/month)", d0, slope, c.PeakFactor, c.MonthlyUSD)
	case odPeak-provPeak > 0 && d0 >= 0:
		c.Cheaper = ModeProvisioned
	default:
		c.Cheaper = ModeOnDemand
	}
	c.Explanation = x.e
	return c
}
