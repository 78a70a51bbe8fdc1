package kinesisapi

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcap/streamcap/bench/engine"
)

// TestUpdateShardCountQuotaOverAPI: with limits on, the 11th UpdateShardCount of a stream within
// 24 hours reaches an SDK client as LimitExceededException (API_UpdateShardCount: "Scale more than
// ten times per rolling 24-hour period per stream"), and so does a target beyond double; a day
// later, on the engine's fake clock, the stream scales again.
func TestUpdateShardCountQuotaOverAPI(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	ts := newTestServer(t, serverConfig{engine: engine.Options{Clock: clk}})
	ctx := testCtx(t)
	if _, err := ts.kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	update := func(n int32) error {
		_, err := ts.kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("s"), TargetShardCount: aws.Int32(n), ScalingType: types.ScalingTypeUniformScaling})
		return err
	}
	for i := range 10 {
		if err := update([]int32{4, 2}[i%2]); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
		clk.Advance(time.Second)
	}
	if got := apiCode(t, update(4)); got != engine.ErrLimitExceeded {
		t.Fatalf("11th call in 24 h: %s, want %s", got, engine.ErrLimitExceeded)
	}
	clk.Advance(24 * time.Hour)
	if got := apiCode(t, update(5)); got != engine.ErrLimitExceeded {
		t.Fatalf("2 -> 5 shards: %s, want %s", got, engine.ErrLimitExceeded)
	}
	if err := update(4); err != nil {
		t.Fatalf("a day later: %v", err)
	}
}

// TestDescribeLimits: DescribeLimits reports the account shard quota and the open shards of all
// streams (API_DescribeLimits), here after a split (+1) and a merge (-1).
func TestDescribeLimits(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, serverConfig{engine: engine.Options{Quotas: engine.Quotas{AccountShards: 40, UpdateShardCountPerDay: 10, UpdateShardCountMaxShards: 10000, ControlPlaneTPS: 5}}})
	ctx := testCtx(t)
	for _, s := range []struct {
		name   string
		shards int32
	}{{"a", 3}, {"b", 4}} {
		if _, err := ts.kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(s.name), ShardCount: aws.Int32(s.shards)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ts.kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("a"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("1000")}); err != nil {
		t.Fatal(err)
	}
	out, err := ts.kc.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(out.ShardLimit) != 40 || aws.ToInt32(out.OpenShardCount) != 8 || aws.ToInt32(out.OnDemandStreamCount) != 0 || aws.ToInt32(out.OnDemandStreamCountLimit) != 50 {
		t.Fatalf("DescribeLimits: limit %d, open %d, on-demand %d of %d; want 40, 8 (3+4+1), 0 of 50",
			aws.ToInt32(out.ShardLimit), aws.ToInt32(out.OpenShardCount), aws.ToInt32(out.OnDemandStreamCount), aws.ToInt32(out.OnDemandStreamCountLimit))
	}
}
