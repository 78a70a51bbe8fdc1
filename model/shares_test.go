package model

import (
	"math"
	"strings"
	"testing"
)

func TestShardShares(t *testing.T) {
	t.Parallel()
	sum := func(s []float64) (total, top float64) {
		for _, v := range s {
			total += v
			top = max(top, v)
		}
		return total, top
	}
	// Uniform: every shard near 1/n, but not exactly — the busiest of 3
	// shards carries more than a third, which is why 3000/s on 3 shards
	// throttles.
	uni, err := ShardShares(KeySpec{Count: 10000, Length: 16, Distribution: KeyDist{Kind: KeysUniform}}, 3)
	if err != nil {
		t.Fatal(err)
	}
	total, top := sum(uni)
	if math.Abs(total-1) > 1e-9 || top <= 1.0/3 || top > 0.35 {
		t.Errorf("uniform on 3 shards: shares %v (sum %v)", uni, total)
	}
	// Zipf: close to the planner's busiest share at the count it chose
	// (25.32 % at 7 shards, see TestZipfNeedsMoreShardsThanUniform); the
	// planner spreads the floor every key shares evenly, hashing it too
	// moves the busiest shard to 25.34 %.
	z, err := ShardShares(KeySpec{Count: 10000, Length: 16, Distribution: KeyDist{Kind: KeysZipf, S: 1.1}}, 7)
	if err != nil {
		t.Fatal(err)
	}
	if _, top := sum(z); math.Abs(top-0.2534030798) > 1e-9 || math.Abs(top-0.2532377177) > 0.001 {
		t.Errorf("zipf busiest share at 7 = %v, want 0.2534030798 (planner: 0.2532377177)", top)
	}
	// One hot key with half the traffic: its shard carries at least half.
	h, err := ShardShares(KeySpec{Count: 10000, Length: 16, Distribution: KeyDist{Kind: KeysHot, HotFraction: 0.5, HotKeys: 1}}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if total, top := sum(h); math.Abs(total-1) > 1e-9 || top < 0.5 {
		t.Errorf("hot key on 4 shards: %v", h)
	}
	if _, err := ShardShares(KeySpec{Count: 10, Length: 16}, 0); err == nil || !strings.Contains(err.Error(), "between 1 and 10000") {
		t.Errorf("0 shards: %v", err)
	}
}
