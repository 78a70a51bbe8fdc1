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
