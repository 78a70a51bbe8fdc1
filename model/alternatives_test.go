package model

import (
	"strings"
	"testing"
)

// TestDynamoDBCostsMoreThanKinesisForSeed: the seed (3000 × 1 KB/s, one
// Lambda consumer, default headroom → 4 shards).
// Kinesis: 4 × 730 × 0.015 = 43.80 + 7884 M PUT units × 0.014 = 110.376
// → 154.18 USD, plus the Lambda consumer.
// DynamoDB: 7.884e9 writes × ⌈1016/1024⌉ = 1 WRU = 7884 M WRU × 0.625 =
// 4927.50 USD for writes alone, before storage and the stream's Lambda.
func TestDynamoDBCostsMoreThanKinesisForSeed(t *testing.T) {
	r, err := Plan(seed(), DefaultPrices(), PlanOptions{Mode: ModeProvisioned, Compare: []string{"dynamodb", "lambda"}})
	if err != nil {
		t.Fatal(err)
	}
	kin := r.Kinesis.Provisioned.MonthlyUSD + r.Compare[SystemLambda].MonthlyUSD
	ddb := r.Compare[SystemDynamoDB]
	if !near(r.Kinesis.Provisioned.MonthlyUSD, 43.8+110.376, 1e-12) {
		t.Errorf("kinesis %v, want 154.176", r.Kinesis.Provisioned.MonthlyUSD)
	}
	if w := findItem(t, ddb.LineItems, "on-demand writes"); !near(w.MonthlyUSD, 4927.5, 1e-12) {
		t.Errorf("writes %+v", w)
	}
	if ddb.MonthlyUSD <= kin {
		t.Errorf("DynamoDB %v should cost more than Kinesis + Lambda %v", ddb.MonthlyUSD, kin)
	}
	if r.Kinesis.OnDemand != nil {
		t.Error("mode provisioned planned on-demand too")
	}
}

// TestAlternativesWorkedExamples checks each compared system on the seed
// at headroom 1 (peak 3000 rec/s, 1016 B with key, 3,048,000 B/s).
func TestAlternativesWorkedExamples(t *testing.T) {
	w := seed()
	w.Headroom = 1
	w.Keys.Distribution = KeyDist{Kind: KeysRandom} // 1/N per shard: the 3 shards of the arithmetic
	r, err := Plan(w, DefaultPrices(), PlanOptions{Compare: []string{"all"}})
	if err != nil {
		t.Fatal(err)
	}
	const records = 3000 * 2628000.0 // per month
	tests := []struct {
		system string
		sizing map[string]float64
		usd    float64
	}{
		// Firehose: ⌈1000/5120⌉ = 1 → 5120 B per record:
		// 7.884e9 × 5120 / 2^30 = 37593.84 GB × 0.029.
		// Latency: 5 MiB / 3,000,000 B/s = 1.748 s < 300 s.
		{SystemFirehose, map[string]float64{"delivery_latency_seconds": 5242880 / 3e6}, records * 5120 / (1 << 30) * 0.029},
		// Lambda on 3 shards, batch 100, PF 1, poll 1 s: 1000 rec/s per
		// shard → batches of min(1000, 100) = 100 → 30 invocations/s.
		// Requests 30 × 2,628,000 / 1e6 = 78.84 M × 0.20 = 15.768;
		// GB-s 30 × 0.1 s × 128/1024 × 2,628,000 = 985,500 × 0.0000166667 = 16.4250.
		{SystemLambda, map[string]float64{"concurrency_avg": 3, "concurrency_max": 3}, 15.768 + 985500*0.0000166667},
		// Pub/Sub: 1000 + 16 key + 20 timestamp + 16 message_id = 1052 B
		// per message; one publisher batches 3000/s × 10 ms = 30 messages
		// per request (31,560 B ≥ 1000, so no minimum); publish and one
		// subscription: 2 × 7.884e9 × 1052 / 2^40 TiB − 10 GiB free, × 40.
		{SystemPubSub, map[string]float64{"subscriptions": 1, "billed_bytes_per_message": 1052, "publish_batch_messages": 30}, (2*records*1052 - 10*(1<<30)) / (1 << 40) * 40},
		// Kafka: partitions ⌈3,048,000 / 1,048,576⌉ = 3; brokers
		// max(3, ⌈3,048,000 × 3 / 20e6⌉ = 1, ⌈3 × 3 / 1000⌉ = 1) = 3;
		// 3 × 730 × 0.21 = 459.90; storage 3,048,000 × 86400 × 3 / 2^30
		// = 735.78 GB × 0.10.
		{SystemKafka, map[string]float64{"partitions": 3, "brokers": 3}, 459.9 + 3048000.0*86400*3/(1<<30)*0.10},
		// Flink: ⌈3,048,000 / 1,048,576⌉ = 3 KPUs + 1 = 4 × 730 × 0.11 =
		// 321.20; storage 3 × 50 GB × 0.10 = 15; backups 100 GB (default)
		// × 0.023 = 2.30.
		{SystemFlink, map[string]float64{"kpus": 3, "billed_kpus": 4, "backup_gb": 100}, 321.2 + 15 + 2.3},
	}
	for _, tc := range tests {
		a := r.Compare[tc.system]
		if a == nil {
			t.Fatalf("%s missing from %v", tc.system, r.Compare)
		}
		if !near(a.MonthlyUSD, tc.usd, 1e-9) {
			t.Errorf("%s: %v USD, want %v", tc.system, a.MonthlyUSD, tc.usd)
		}
		for k, v := range tc.sizing {
			if !near(a.Sizing[k], v, 1e-9) {
				t.Errorf("%s sizing %s = %v, want %v", tc.system, k, a.Sizing[k], v)
			}
		}
		if len(a.LineItems) == 0 || len(a.Explanation.Steps) == 0 {
			t.Errorf("%s has no line items or explanation", tc.system)
		}
	}
}

func TestLambdaFallsBehind(t *testing.T) {
	// 3 shards, 1000 rec/s each, batches of 10 taking 2 s each: a lane
	// must run 100 batches/s × 2 s = 200 s of work per second.
	w := seed()
	w.Headroom = 1
	w.Keys.Distribution = KeyDist{Kind: KeysRandom} // 1/N per shard: the 3 shards of the arithmetic
	w.Consumers[0].Lambda = &LambdaConsumer{BatchSize: 10, DurationPerBatch: 2e9}
	r, err := Plan(w, DefaultPrices(), PlanOptions{Compare: []string{"lambda"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Compare[SystemLambda].Warnings, ""); !strings.Contains(got, "lambda falls behind: each lane needs 200s") {
		t.Errorf("warnings %q", got)
	}
}

func TestNormalizeSystem(t *testing.T) {
	for in, want := range map[string]string{"MSK": "kafka", " pubsub ": "pubsub", "kinesis-analytics": "flink"} {
		if got, err := NormalizeSystem(in); err != nil || got != want {
			t.Errorf("NormalizeSystem(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	got, err := compareList([]string{"kafka,msk", "all"})
	if err != nil || strings.Join(got, ",") != "kafka,firehose,lambda,dynamodb,pubsub,flink" {
		t.Errorf("compareList = %v, %v", got, err)
	}
}

// TestFlinkCalculatorExample is the AWS Pricing Calculator's own Managed
// Flink example: 4 KPU + 1 orchestration = 5 × 730 = 3,650 KPU-hours ×
// 0.11 = 401.50; 4 × 50 GB running storage × 0.10 = 20.00; 100 GB of
// durable backups × 0.023 = 2.30; total 423.80 USD/month.
func TestFlinkCalculatorExample(t *testing.T) {
	r, err := Plan(seed(), DefaultPrices(), PlanOptions{Compare: []string{"flink"}, Pipeline: PipelineOptions{Flink: FlinkOptions{KPU: 4, BackupGB: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	f := r.Compare[SystemFlink]
	if !near(f.MonthlyUSD, 423.8, 1e-12) || f.Sizing["kpus"] != 4 {
		t.Errorf("flink %v USD, sizing %v; want 423.80 with 4 KPU", f.MonthlyUSD, f.Sizing)
	}
	if strings.Contains(strings.Join(f.Notes, " "), "assumption") {
		t.Errorf("given KPU and backups use no assumption: %q", f.Notes)
	}
}

// TestFirehoseQuotaAndBuffers: clickstream peaks at 60,000 records/s ×
// (300×0.6 + 1000×0.3 + 4000×0.1 = 880 B + 24 B key) = 54.24 MB/s, above
// a stream's 5 MiB/s Direct PUT quota: ⌈54.24e6 / 5,242,880⌉ = 11
// streams (or a quota increase). Buffers outside 1–128 MiB / 0–900 s are
// refused naming the field.
func TestFirehoseQuotaAndBuffers(t *testing.T) {
	w := seed()
	w.Rate, w.PeakFactor = 20000, 3
	w.RecordSize = SizeDist{Kind: SizeWeighted, Weighted: []WeightedSize{{300, 6}, {1000, 3}, {4000, 1}}}
	w.Keys.Length = 24
	r, err := Plan(w, DefaultPrices(), PlanOptions{Compare: []string{"firehose"}, FirehoseBufferSize: 64 << 20, FirehoseBufferInterval: 60e9})
	if err != nil {
		t.Fatal(err)
	}
	f := r.Compare[SystemFirehose]
	if got := strings.Join(f.Warnings, " "); !strings.Contains(got, "peak 54240000 B/s") || !strings.Contains(got, "needs 11 streams") {
		t.Errorf("warnings %q", f.Warnings)
	}
	// Average ingest 20,000 × 904 = 18.08 MB/s fills 64 MiB in 3.71 s < 60 s.
	if !near(f.Sizing["delivery_latency_seconds"], float64(64<<20)/(20000*880), 1e-12) || f.Sizing["buffer_interval_seconds"] != 60 {
		t.Errorf("sizing %v", f.Sizing)
	}
	for _, o := range []PlanOptions{{FirehoseBufferSize: 200 << 20}, {FirehoseBufferInterval: 1000e9}} {
		o.Compare = []string{"firehose"}
		if _, err := Plan(seed(), DefaultPrices(), o); err == nil || !strings.Contains(err.Error(), "firehose buffer") {
			t.Errorf("%+v: %v", o, err)
		}
	}
}
