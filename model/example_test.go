package model_test

import (
	"fmt"

	"github.com/streamcap/streamcap/model"
)

// The seed: 3000 records/s of 1 KB with one shared consumer, planned to
// 100 % utilisation (headroom 1.0). The arithmetic says write_records
// needs 3000/1000 = 3 shards, which random partition keys (1/N per shard)
// achieve; the seed's 10000 fixed keys hash 33.65 % onto the busiest of 3
// shards (1010 records/s), so they need 4.
func ExamplePlanKinesis() {
	w := model.Workload{
		Rate:       3000,
		RecordSize: model.SizeDist{Kind: model.SizeFixed, Fixed: 1000},
		Consumers:  []model.Consumer{{Name: "lambda", Kind: model.ConsumerShared}},
		Headroom:   1,
		Keys:       model.KeySpec{Distribution: model.KeyDist{Kind: model.KeysRandom}},
	}
	plan, err := model.PlanKinesis(w, model.DefaultPrices())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("random keys: %d shards, binding %s at %.0f%%\n", plan.Shards, plan.BindingLimit, 100*plan.Utilization[plan.BindingLimit])
	fmt.Printf("write_bytes at %.1f%%\n", 100*plan.Utilization[model.LimitWriteBytes])
	fmt.Printf("%.2f USD/month\n", plan.MonthlyUSD)
	w.Keys = model.KeySpec{Count: 10000, Distribution: model.KeyDist{Kind: model.KeysUniform}}
	plan, _ = model.PlanKinesis(w, model.DefaultPrices())
	fmt.Printf("10000 uniform keys: %d shards, sized by %s (busiest of 3 carries %.2f%%)\n", plan.Shards, plan.SizedBy, 100*plan.Skew.EvenBusiestShare)
	// Output:
	// random keys: 3 shards, binding write_records at 100%
	// write_bytes at 96.9%
	// 143.23 USD/month
	// 10000 uniform keys: 4 shards, sized by skew (busiest of 3 carries 33.65%)
}

// 80 TB over 1 Gbps at full utilisation and no protocol overhead:
// 80e12 × 8 / 1e9 = 640000 s = 7.4 days.
func ExamplePlanTransfer() {
	t := model.Transfer{Data: 80e12, Link: 1e9, Utilization: 1, Efficiency: 1}
	plan, err := model.PlanTransfer(t, model.DefaultPrices())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("network %.0f s = %.1f days; %d device(s) %.1f days; faster: %s\n",
		plan.Network.Seconds, plan.Network.Days, plan.Device.Count, plan.Device.Days, plan.Faster)
	// Output:
	// network 640000 s = 7.4 days; 1 device(s) 13.2 days; faster: network
}

// Plan compares systems side by side.
func ExamplePlan() {
	w := model.Workload{Rate: 3000, RecordSize: model.SizeDist{Kind: model.SizeFixed, Fixed: 1000}}
	r, err := model.Plan(w, model.DefaultPrices(), model.PlanOptions{Mode: model.ModeBoth, Compare: []string{"kafka"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("provisioned %d shards %.2f USD; on-demand %.2f USD; kafka %v brokers %.2f USD\n",
		r.Kinesis.Provisioned.Shards, r.Kinesis.Provisioned.MonthlyUSD, r.Kinesis.OnDemand.MonthlyUSD,
		r.Compare["kafka"].Sizing["brokers"], r.Compare["kafka"].MonthlyUSD)
	// Output:
	// provisioned 4 shards 154.18 USD; on-demand 630.70 USD; kafka 3 brokers 533.48 USD
}

// LoadPrices reads a whole table; DefaultPricesYAML is the embedded one.
func ExampleLoadPrices() {
	p := model.DefaultPrices()
	f := p.Kinesis.ShardHourUSD
	fmt.Printf("%s %s: %v %s\n", p.Region, p.Version, f.Value, f.Unit)
	// Output:
	// us-east-1 2026-11-24.1: 0.015 USD per shard-hour
}

// SweepCost gives cost-versus-rate curves for both capacity modes.
func ExampleSweepCost() {
	w := model.Workload{RecordSize: model.SizeDist{Kind: model.SizeFixed, Fixed: 1000}, Headroom: 1,
		Keys: model.KeySpec{Distribution: model.KeyDist{Kind: model.KeysRandom}}}
	pts, err := model.SweepCost(w, model.DefaultPrices(), []float64{1000, 5000})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, pt := range pts {
		fmt.Printf("%.0f/s: %d shards %.2f USD provisioned, %.2f USD on-demand\n", pt.Rate, pt.Shards, pt.ProvisionedUSD, pt.OnDemandUSD)
	}
	// Output:
	// 1000/s: 1 shards 47.74 USD provisioned, 229.70 USD on-demand
	// 5000/s: 5 shards 238.71 USD provisioned, 1031.70 USD on-demand
}

// OnDemandCrossover holds the peak (10000 records/s of 1 KB, 10 shards at
// headroom 1, random keys) and finds the average below which on-demand is
// cheaper.
func ExampleOnDemandCrossover() {
	w := model.Workload{
		Keys:       model.KeySpec{Distribution: model.KeyDist{Kind: model.KeysRandom}},
		Rate:       10000,
		Headroom:   1,
		RecordSize: model.SizeDist{Kind: model.SizeFixed, Fixed: 1000},
		Consumers:  []model.Consumer{{Name: "app"}},
	}
	c, err := model.OnDemandCrossover(w, model.DefaultPrices())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("on-demand is cheaper below %.1f records/s average (peak/average > %.1f)\n", c.AverageRate, c.PeakFactor)
	// Output:
	// on-demand is cheaper below 305.1 records/s average (peak/average > 32.8)
}
