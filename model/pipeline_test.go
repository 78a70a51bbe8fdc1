package model

import (
	"strings"
	"testing"
)

// TestSeedPipelines answers the seed's claim ("3000 messages of 1 KB per
// second: Kinesis Data Streams → Lambda is cheaper than DynamoDB +
// DynamoDB Streams → Lambda") with complete pipelines.
// Kinesis provisioned: 4 shards × 730 × 0.015 = 43.80 + 7884 M PUT units
// × 0.014 = 110.376 → 154.176. Lambda on 4 shards: 750 rec/s per shard,
// batches of min(750 × 1 s, 100) = 100 → 30 invocations/s: 78.84 M
// requests × 0.20 = 15.768 + 985,500 GB-s × 0.0000166667 = 16.425 →
// 32.193; pipeline 186.369.
// DynamoDB: 7884 M WRU × 0.625 = 4927.50 + 3000 × 86400 × 1116 B / 2^30
// = 269.39 GB × 0.25 = 67.35 + the same Lambda on 3 stream shards (1000
// rec/s each → batches of 100 → 30/s) 32.193 → 5027.04: ×26.97.
func TestSeedPipelines(t *testing.T) {
	r, err := Plan(seed(), DefaultPrices(), PlanOptions{Compare: []string{"dynamodb"}})
	if err != nil {
		t.Fatal(err)
	}
	lam := 15.768 + 985500*0.0000166667
	kin := 43.8 + 110.376 + lam
	ddb := 4927.5 + 3000*86400*1116.0/(1<<30)*0.25 + lam
	byStream := map[string]Pipeline{}
	for _, pl := range r.Pipelines {
		byStream[pl.Stream] = pl
	}
	k, d := byStream["kinesis-provisioned"], byStream[SystemDynamoDB]
	if r.Pipelines[0].Stream != "kinesis-provisioned" || !near(k.MonthlyUSD, kin, 1e-9) || k.VsCheapest != 1 || k.Name != "Kinesis provisioned → Lambda" {
		t.Errorf("cheapest pipeline %+v, want Kinesis provisioned → Lambda at %v", r.Pipelines[0], kin)
	}
	if !near(d.MonthlyUSD, ddb, 1e-9) || d.VsCheapest != round3(ddb/kin) || d.Name != "DynamoDB + Streams → Lambda" {
		t.Errorf("dynamodb pipeline %+v, want %v (×%v)", d, ddb, ddb/kin)
	}
	if len(k.Includes) != 2 || !strings.Contains(k.Includes[1], "Lambda (lambda) polling 4 shards") {
		t.Errorf("includes %q", k.Includes)
	}
	if len(r.Pipelines) != 3 {
		t.Errorf("%d pipelines, want provisioned, on-demand, dynamodb", len(r.Pipelines))
	}
}

// TestPipelineAttachment: Lambda and Flink attach to Kinesis and MSK,
// not to Pub/Sub or Firehose; DynamoDB Streams' 2 readers per shard is a
// warning on its row when a workload has 3 consumers.
func TestPipelineAttachment(t *testing.T) {
	w := seed()
	w.Consumers = append(w.Consumers, Consumer{Name: "archiver", Kind: ConsumerShared}, Consumer{Name: "dashboard", Kind: ConsumerEFO})
	r, err := Plan(w, DefaultPrices(), PlanOptions{Mode: ModeProvisioned, Compare: []string{"all"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Pipeline{}
	for _, pl := range r.Pipelines {
		got[pl.Stream] = pl
	}
	for s, missing := range map[string]string{"kinesis-provisioned": "", SystemKafka: "", SystemPubSub: "Lambda,Flink,Firehose delivery", SystemFirehose: "Lambda,Flink", SystemDynamoDB: "Flink,Firehose delivery"} {
		pl, ok := got[s]
		if !ok {
			t.Fatalf("no %s pipeline in %+v", s, r.Pipelines)
		}
		if strings.Join(pl.NotAttached, ",") != missing {
			t.Errorf("%s not attached %q, want %q", s, pl.NotAttached, missing)
		}
	}
	kp := got["kinesis-provisioned"]
	want := r.Kinesis.Provisioned.MonthlyUSD + r.Compare[SystemLambda].MonthlyUSD + r.Compare[SystemFlink].MonthlyUSD + r.Compare[SystemFirehose].MonthlyUSD
	if !near(kp.MonthlyUSD, want, 1e-9) || kp.Name != "Kinesis provisioned → Lambda → Flink → Firehose" {
		t.Errorf("kinesis pipeline %+v, want %v", kp, want)
	}
	if !strings.Contains(strings.Join(got[SystemDynamoDB].Warnings, " "), "at most 2 processes may read a shard at once and the workload has 3 consumers") {
		t.Errorf("dynamodb warnings %q", got[SystemDynamoDB].Warnings)
	}
}
