package reports

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/loadgen"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// Seeded fixtures shared by the report tests: everything is built from
// fixed seeds and literals, so goldens only change when rendering does.

// seedHist records n log-normal latencies (median medianMS, shape sigma)
// plus a 0.3 % tail of stalls at 8–20× the median, in nanoseconds.
func seedHist(seed uint64, medianMS, sigma float64, n int) *hdr.Histogram {
	h := hdr.New(1, int64(time.Minute), 3)
	r := rand.New(rand.NewPCG(seed, 42))
	for range n {
		v := medianMS * 1e6 * math.Exp(sigma*r.NormFloat64())
		if r.Float64() < 0.003 {
			v *= 8 + 12*r.Float64()
		}
		_ = h.RecordValue(int64(v))
	}
	return h
}

// seedTimeline is n 1 s intervals at target/s with ±1 % jitter; intervals
// in [throttleFrom, throttleTo) are throttled, run at 70 % and a p99 10×.
func seedTimeline(seed uint64, n int, target float64, p99 time.Duration, throttleFrom, throttleTo int) []IntervalPoint {
	r := rand.New(rand.NewPCG(seed, 7))
	out := make([]IntervalPoint, n)
	for i := range out {
		iv := IntervalPoint{Start: time.Duration(i) * time.Second, Length: time.Second, TargetRate: target,
			Rate: math.Round(target * (0.99 + 0.02*r.Float64())), P99: time.Duration(float64(p99) * (0.8 + 0.4*r.Float64()))}
		if i >= throttleFrom && i < throttleTo {
			iv.Rate = math.Round(target * 0.7)
			iv.P99 *= 10
			iv.Throttles = int64(target * 0.3)
		}
		out[i] = iv
	}
	return out
}

// seedRun builds a run named name from seeded histograms and timeline.
func seedRun(name string, shards int, seed uint64, respMS float64, throttleFrom, throttleTo int) Run {
	tl := seedTimeline(seed, 60, 3000, time.Duration(respMS*2.5*1e6), throttleFrom, throttleTo)
	var throttles int64
	for _, iv := range tl {
		throttles += iv.Throttles
	}
	counts := loadgen.Counts{Sent: 180000, Acked: 180000 - throttles, Throttles: throttles}
	run := Run{
		Name: name, Target: "embedded", Shards: shards, Duration: time.Minute,
		TargetRate: 3000, AchievedRate: 3000 - float64(throttles)/60,
		Counts: counts,
		Latencies: []Latency{
			LatencyOf(LatencyResponse, seedHist(seed, respMS, 0.35, 20000)),
			LatencyOf(LatencyService, seedHist(seed+1, respMS*0.7, 0.3, 20000)),
			LatencyOf(LatencyE2E, seedHist(seed+2, respMS*12, 0.4, 20000)),
		},
		Timeline: tl,
	}
	// The result the view stands for, as far as bench's checks read it.
	summary := func(l Latency) bench.Latency { return bench.Latency{Count: l.Count, P99NS: int64(l.P99)} }
	run.result = &bench.Result{Counts: counts, Response: summary(run.Latencies[0]), Service: summary(run.Latencies[1]), E2E: summary(run.Latencies[2])}
	return run
}

// seedPlanResult is a hand-written plan (not computed by model.Plan), so
// the report goldens do not move when the cost model is tuned.
func seedPlanResult() *model.PlanResult {
	return &model.PlanResult{
		Workload: model.Workload{
			Name: "kds-3000x1kb", Rate: 3000, PeakFactor: 1, Headroom: 0.8,
			RecordSize: model.SizeDist{Kind: model.SizeFixed, Fixed: 1000},
			Keys:       model.KeySpec{Count: 10000, Length: 16, Distribution: model.KeyDist{Kind: model.KeysZipf, S: 1.1}},
			Retention:  units.Duration(24 * time.Hour),
			SLO:        &model.SLO{PublishP99: units.Duration(50 * time.Millisecond), E2EP99: units.Duration(500 * time.Millisecond), MaxErrorRate: 0.001},
		},
		Kinesis: model.KinesisResult{
			Provisioned: &model.KinesisPlan{
				Mode: model.ModeProvisioned, Shards: 4, BindingLimit: model.LimitWriteRecords, SizedBy: "limits",
				Limits: []model.LimitUse{
					{Limit: model.LimitWriteBytes, Load: 3.048e6, PerShard: 1048576, Unit: "B/s", RequiredShards: 3.63, Utilization: 0.727},
					{Limit: model.LimitWriteRecords, Load: 3000, PerShard: 1000, Unit: "records/s", RequiredShards: 3.75, Utilization: 0.75, Binding: true},
					{Limit: model.LimitReadBytes, Load: 3.048e6, PerShard: 2097152, Unit: "B/s", RequiredShards: 1.82, Utilization: 0.363},
				},
				Skew:       model.Skew{Distribution: "zipf s=1.1 over 10000 keys", HottestKey: "key-0", HottestKeyShare: 0.094, EvenShards: 4, TargetShare: 0.267, BusiestShardShare: 0.31},
				MonthlyUSD: 143.21,
			},
			OnDemand: &model.KinesisPlan{Mode: model.ModeOnDemand, Shards: 4, BindingLimit: model.LimitWriteRecords, MonthlyUSD: 310.5},
		},
		Compare: map[string]*model.Alternative{
			model.SystemKafka: {System: model.SystemKafka, Title: "Apache Kafka on Amazon MSK (provisioned)", Role: model.RoleStream,
				Sizing: map[string]float64{"brokers": 3, "partitions": 4}, MonthlyUSD: 620.4},
		},
	}
}

// seedTransfer is 80 TB over 1 Gbps against one shipped device.
func seedTransfer() *model.TransferPlan {
	return &model.TransferPlan{
		DataBytes: 80e12, LinkBPS: 1e9, Utilization: 0.8, Efficiency: 0.95,
		Network: model.NetworkLeg{GoodputBPS: 0.76e9, Seconds: 842105, Days: 9.7466},
		Device: model.DeviceLeg{Device: "snowball-edge-storage-210tb", Title: "AWS Snowball Edge Storage Optimized 210 TB", Count: 1,
			PerDeviceBytes: 80e12, ShippingDays: 5, Days: 10.59, USD: 500},
		Faster: "network", CrossoverBPS: 0.92e9,
	}
}

// seedCurves are cost curves shaped like Kinesis provisioned (steps of
// one shard per 800 records/s), on-demand and Kafka, over 300–30000/s.
func seedCurves() []Curve {
	prov := Curve{Name: "Kinesis provisioned", Step: true}
	od := Curve{Name: "Kinesis on-demand"}
	kafka := Curve{Name: "Apache Kafka on Amazon MSK"}
	for i := 0; i <= 40; i++ {
		r := 300 * math.Pow(100, float64(i)/40)
		shards := math.Ceil(r / 800)
		prov.X, prov.Y = append(prov.X, r), append(prov.Y, shards*10.95+r*0.0364)
		od.X, od.Y = append(od.X, r), append(od.Y, 28.8+r*0.094)
		kafka.X, kafka.Y = append(kafka.X, r), append(kafka.Y, 610+r*0.006)
	}
	return []Curve{prov, od, kafka}
}

// seedSteps are shard steps: write_records binds to 12 shards, then the
// read side (two consumers) from 9600/s.
func seedSteps() []ShardStep {
	var out []ShardStep
	for n := 1; n <= 14; n++ {
		b := string(model.LimitWriteRecords)
		if n > 12 {
			b = string(model.LimitReadBytes)
		}
		out = append(out, ShardStep{Rate: float64(n-1)*800 + 1, Shards: n, Binding: b})
	}
	return out
}

// seedShardLoads are 8 shards with one hot shard at 131 % of the limit.
func seedShardLoads() *ShardLoads {
	return &ShardLoads{Loads: []float64{612, 587, 1310, 640, 598, 571, 655, 603}, Limit: 1000, Unit: "records/s"}
}

// fullReport is a plan, two runs side by side (3 shards meet the SLO; 2
// shards throttle), a transfer and per-shard loads.
func fullReport(t testing.TB) *Report {
	t.Helper()
	rep := &Report{Title: "Clickstream: 3000 msg/s on Kinesis"}
	rep.Plan = seedPlanResult()
	rep.SLO = rep.Plan.Workload.SLO
	rep.CostCurves = seedCurves()
	cross, err := model.KeyCrossings(rep.CostCurves)
	if err != nil {
		t.Fatal(err)
	}
	rep.CostCrossings = cross
	rep.ShardSteps = seedSteps()
	rep.ShardSweepMax = 12000
	rep.ShardLoads = seedShardLoads()
	rep.AddTransfer(seedTransfer(), model.SweepTransferPlan(seedTransfer(), nil))
	rep.AddRun(seedRun("embedded, 4 shards", 4, 1, 4.2, -1, -1))
	rep.AddRun(seedRun("embedded, 3 shards", 3, 11, 6.5, 20, 35))
	return rep
}

// verifyReport is the report `streamcap verify` writes: the verdict and
// the runs at the planned count and one below.
func verifyReport(t testing.TB) *Report {
	t.Helper()
	rep := &Report{Title: "verify kds-3000x1kb"}
	ok := seedRun("embedded, 4 shards", 4, 1, 4.2, -1, -1)
	bad := seedRun("embedded, 3 shards", 3, 11, 6.5, 20, 35)
	rep.AddRun(ok)
	rep.AddRun(bad)
	// A verdict as bench/verify computes it (the report only displays it).
	checks := []Check{
		{Run: ok.Name, What: "throttled sends", Want: "0", Got: "0", OK: true},
		{Run: ok.Name, What: "sends not acknowledged", Want: "0", Got: "0", OK: true},
	}
	checks = append(checks, bench.CheckSLO(ok.Name, ok.result, &model.SLO{PublishP99: units.Duration(50 * time.Millisecond)})...)
	checks = append(checks, Check{Run: bad.Name, What: "breaks below the plan", Want: "throttles or misses the SLO", Got: count(bad.Counts.Throttles) + " throttled", OK: true, Informational: true})
	rep.Verify = &bench.PlanVerdict{Holds: true, PlannedShards: 4, Checks: checks}
	return rep
}
