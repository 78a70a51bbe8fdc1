package reports

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/streamcap/streamcap/bench/verify"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/scenarios"
)

// AddInput adds one input of `streamcap report`: a scenario (a .yaml/.yml
// file or a bundled scenario name), which is planned with every compared
// system, or a plan, transfer or bench result JSON file (see AddJSON).
func (rep *Report) AddInput(ref string, prices *model.Prices) error {
	ext := strings.ToLower(filepath.Ext(ref))
	if ext == ".json" {
		f, err := os.Open(ref)
		if err != nil {
			return fmt.Errorf("report input: %w", err)
		}
		defer f.Close()
		_, err = rep.AddJSON(filepath.Base(ref), f, prices)
		return err
	}
	w, err := scenarios.Resolve(ref, scenarios.Overrides{})
	if err != nil {
		return fmt.Errorf("report input: %w", err)
	}
	if prices == nil {
		prices = model.DefaultPrices()
	}
	p, err := model.Plan(*w, prices, model.PlanOptions{Compare: []string{"all"}})
	if err != nil {
		return fmt.Errorf("report input %s: %w", ref, err)
	}
	return rep.AddPlan(p, prices)
}

// AddVerify adds what `streamcap verify` found: its plan (with the cost
// and shard sweeps), the run at the planned shard count and the run one
// shard below as runs side by side, and the verdict.
func (rep *Report) AddVerify(o *verify.Outcome, prices *model.Prices) error {
	if o == nil || o.Plan == nil {
		return errors.New("verify outcome: nil")
	}
	if err := rep.AddPlan(o.Plan, prices); err != nil {
		return err
	}
	if o.Planned.Result == nil {
		return errors.New("verify outcome: no run at the planned shard count")
	}
	at, err := FromBenchResult(fmt.Sprintf("planned: %d %s", o.Planned.Shards, plural(o.Planned.Shards, "shard", "shards")), o.Planned.Result)
	if err != nil {
		return err
	}
	rep.AddRun(at)
	var below *Run
	if o.Below != nil && o.Below.Result != nil {
		b, err := FromBenchResult(fmt.Sprintf("one fewer: %d %s", o.Below.Shards, plural(o.Below.Shards, "shard", "shards")), o.Below.Result)
		if err != nil {
			return err
		}
		rep.AddRun(b)
		below = &b
	}
	var slo model.SLO
	if o.Plan.Workload.SLO != nil {
		slo = *o.Plan.Workload.SLO
	}
	v := PlanVerdict(o.Planned.Shards, at, below, slo)
	rep.Verify = &v
	return nil
}
