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
		// Pub/Sub: max(1000, 1000 + 16 + 20) = 1036 B per message; publish
		// and one subscription: 2 × 7.884e9 × 1036 / 2^40 TiB − 10 GiB free, × 40.
		{SystemPubSub, map[string]float64{"subscriptions": 1, "billed_bytes_per_message": 1036}, (2*records*1036 - 10*(1<<30)) / (1 << 40) * 40},
		// Kafka: partitions ⌈3,048,000 / 1,048,576⌉ = 3; brokers
		// max(3, ⌈3,048,000 × 3 / 20e6⌉ = 1, ⌈3 × 3 / 1000⌉ = 1) = 3;
		// 3 × 730 × 0.21 = 459.90; storage 3,048,000 × 86400 × 3 / 2^30
		// = 735.78 GB × 0.10.
		{SystemKafka, map[string]float64{"partitions": 3, "brokers": 3}, 459.9 + 3048000.0*86400*3/(1<<30)*0.10},
		// Flink: ⌈3,048,000 / 1,048,576⌉ = 3 KPUs + 1 = 4 × 730 × 0.11 =
		// 321.20; storage 3 × 50 GB × 0.10 = 15.
		{SystemFlink, map[string]float64{"kpus": 3, "billed_kpus": 4}, 321.2 + 15},
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
