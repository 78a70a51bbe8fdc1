package engine

import (
	"fmt"
	"testing"
	"time"
)

// TestUpdateShardCountRollingDay follows the API reference of UpdateShardCount
// (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html): by default
// a stream cannot scale more than ten times per rolling 24-hour period, nor above double or
// below half its open shards (LimitExceededException). The 24 hours pass on a fake clock.
func TestUpdateShardCountRollingDay(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	e := openMem(t, Options{Clock: clk})
	mustCreate(t, e, "s", 2)
	start := clk.Now()
	targets := []int{4, 2}
	for i := range 10 {
		if _, err := e.UpdateShardCount("s", targets[i%2]); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
		clk.Advance(time.Minute)
	}
	_, err := e.UpdateShardCount("s", 4)
	wantCode(t, err, ErrLimitExceeded, "10 calls in the last 24 hours, at most 10", start.Add(24*time.Hour).Format(time.RFC3339))

	// Exactly 24 h after the first call, its slot frees up; the second's frees a minute later.
	clk.Advance(24*time.Hour - 10*time.Minute)
	if _, err := e.UpdateShardCount("s", 4); err != nil {
		t.Fatalf("24 h after the first call: %v", err)
	}
	_, err = e.UpdateShardCount("s", 2)
	wantCode(t, err, ErrLimitExceeded, "at most 10")
	clk.Advance(time.Minute)
	if _, err := e.UpdateShardCount("s", 2); err != nil {
		t.Fatalf("24 h after the second call: %v", err)
	}

	// Bounds: the stream has 2 open shards; 5 is more than double, and a refused call is not counted.
	e2 := openMem(t, Options{Clock: clk})
	mustCreate(t, e2, "b", 4)
	_, err = e2.UpdateShardCount("b", 9)
	wantCode(t, err, ErrLimitExceeded, "target shard count 9", "between 2 and 8")
	_, err = e2.UpdateShardCount("b", 1)
	wantCode(t, err, ErrLimitExceeded, "target shard count 1", "between 2 and 8")

	// Deleting the stream forgets its history: a new stream of the same name starts afresh.
	for range 10 {
		if _, err := e2.UpdateShardCount("b", 4); err != nil {
			t.Fatal(err)
		}
	}
	_, err = e2.UpdateShardCount("b", 4)
	wantCode(t, err, ErrLimitExceeded, "at most 10")
	if err := e2.DeleteStream("b"); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, e2, "b", 4)
	if _, err := e2.UpdateShardCount("b", 8); err != nil {
		t.Fatalf("recreated stream: %v", err)
	}
}

// TestAccountShardQuota: CreateStream, SplitShard and UpdateShardCount fail with
// LimitExceededException when the account's open shards would exceed the shard quota
// (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html; the API
// references of CreateStream and SplitShard: "If you try to create more shards than are
// authorized for your account, you receive a LimitExceededException").
func TestAccountShardQuota(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	e := openMem(t, Options{Clock: clk, Quotas: Quotas{AccountShards: 10, UpdateShardCountPerDay: 10, UpdateShardCountMaxShards: 10000, ControlPlaneTPS: 5}})
	mustCreate(t, e, "a", 6)
	err := e.CreateStream(CreateStreamInput{Name: "b", ShardCount: 5})
	wantCode(t, err, ErrLimitExceeded, "Current shard count for the account: 6. Limit: 10. Number of additional shards that would have resulted from this request: 5.")
	if err := e.SplitShard("a", "shardId-000000000000", "1000"); err != nil {
		t.Fatal(err)
	}
	_, err = e.UpdateShardCount("a", 11)
	wantCode(t, err, ErrLimitExceeded, "Current shard count for the account: 7. Limit: 10. Number of additional shards that would have resulted from this request: 4.")
	mustCreate(t, e, "b", 3) // 7 + 3 = 10: at the quota, not past it
	err = e.SplitShard("b", "shardId-000000000000", "1000")
	wantCode(t, err, ErrLimitExceeded, "Current shard count for the account: 10. Limit: 10")
	if err := e.MergeShards("a", "shardId-000000000006", "shardId-000000000007"); err != nil {
		t.Fatalf("merging frees a shard: %v", err)
	}
	if err := e.SplitShard("b", "shardId-000000000000", "1000"); err != nil {
		t.Fatalf("split after a merge freed a shard: %v", err)
	}
	// With limits off no quota applies.
	off := openMem(t, Options{Clock: clk, LimitsOff: true, Quotas: Quotas{AccountShards: 10, UpdateShardCountPerDay: 10, UpdateShardCountMaxShards: 10000, ControlPlaneTPS: 5}})
	mustCreate(t, off, "a", 10)
	mustCreate(t, off, "b", 10)
	for i := range 11 {
		if _, err := off.UpdateShardCount("a", 10+10*(i%2)); err != nil {
			t.Fatalf("limits off, call %d: %v", i+1, err)
		}
	}
}

// TestControlPlaneRates: CreateStream, DeleteStream, SplitShard and MergeShards each allow
// 5 transactions per second per account (Kinesis Data Streams developer guide, "Quotas and
// limits", KDS control plane API limits); the sixth call in a second gets LimitExceededException.
// The clock is frozen, so only an explicit advance refills the rate.
func TestControlPlaneRates(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	e := openMem(t, Options{Clock: clk})
	for i := range 5 {
		mustCreate(t, e, fmt.Sprintf("s%d", i), 8)
	}
	err := e.CreateStream(CreateStreamInput{Name: "s5", ShardCount: 1})
	wantCode(t, err, ErrLimitExceeded, "Rate exceeded for CreateStream", "at most 5 calls per second")
	for i := range 5 {
		if err := e.SplitShard("s0", fmt.Sprintf("shardId-%012d", i), "1000000"); err != nil && i == 0 {
			t.Fatal(err)
		}
	}
	err = e.SplitShard("s1", "shardId-000000000000", "1000")
	wantCode(t, err, ErrLimitExceeded, "Rate exceeded for SplitShard")
	for i := range 5 {
		_ = e.MergeShards("s1", fmt.Sprintf("shardId-%012d", 2*i), fmt.Sprintf("shardId-%012d", 2*i+1))
	}
	err = e.MergeShards("s2", "shardId-000000000000", "shardId-000000000001")
	wantCode(t, err, ErrLimitExceeded, "Rate exceeded for MergeShards")
	for i := range 4 {
		if err := e.DeleteStream(fmt.Sprintf("s%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	_ = e.DeleteStream("nonexistent") // a refused call still counts against the rate
	err = e.DeleteStream("s4")
	wantCode(t, err, ErrLimitExceeded, "Rate exceeded for DeleteStream")
	// A second later every rate has refilled.
	clk.Advance(time.Second)
	mustCreate(t, e, "s5", 1)
	if err := e.DeleteStream("s4"); err != nil {
		t.Fatal(err)
	}
}
