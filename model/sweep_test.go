package model

import "testing"

// TestSweepPlan checks the sweeps SweepPlan computes from a real plan:
// provisioned cost is a non-decreasing step curve, shard counts rise with
// the rate, and the planned rate needs the planned shard count.
func TestSweepPlan(t *testing.T) {
	t.Parallel()
	w := Workload{Name: "seed", Rate: 3000, RecordSize: SizeDist{Kind: SizeFixed, Fixed: 1000}}
	p, err := Plan(w, DefaultPrices(), PlanOptions{Compare: []string{"kafka"}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := SweepPlan(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	prov := rep.CostCurves[0]
	if prov.Name != "Kinesis provisioned" || !prov.Step || len(prov.X) != sweepCostPoints {
		t.Fatalf("first curve %q step=%v with %d points, want Kinesis provisioned, a step curve of %d", prov.Name, prov.Step, len(prov.X), sweepCostPoints)
	}
	for i := 1; i < len(prov.Y); i++ {
		if prov.Y[i] < prov.Y[i-1] {
			t.Fatalf("provisioned cost falls from %v to %v at %v/s", prov.Y[i-1], prov.Y[i], prov.X[i])
		}
	}
	steps := rep.ShardSteps
	for i := 1; i < len(steps); i++ {
		if steps[i].Shards < steps[i-1].Shards || steps[i].Rate <= steps[i-1].Rate {
			t.Fatalf("shard steps not increasing: %+v then %+v", steps[i-1], steps[i])
		}
	}
	at := 0
	for _, s := range steps {
		if s.Rate <= 3000 {
			at = s.Shards
		}
	}
	if at != p.Kinesis.Provisioned.Shards {
		t.Errorf("shard step at 3000/s = %d, plan says %d", at, p.Kinesis.Provisioned.Shards)
	}
}
