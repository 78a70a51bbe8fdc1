package model

import (
	"math"
	"strings"
	"testing"
)

func maxShare(t *testing.T, k KeySpec, n int) float64 {
	t.Helper()
	s, err := ShardShares(k, n)
	if err != nil {
		t.Fatal(err)
	}
	var top float64
	for _, v := range s {
		top = max(top, v)
	}
	return top
}

// TestSkewExactMatchesShardShares: within ExactKeyBudget every key is
// hashed, so the planner's busiest share is exactly the largest of
// ShardShares — the per-shard load the load generator's keys produce.
func TestSkewExactMatchesShardShares(t *testing.T) {
	for _, k := range []KeySpec{
		{Count: 10000, Length: 16, Distribution: KeyDist{Kind: KeysUniform}},
		{Count: 10000, Length: 16, Distribution: KeyDist{Kind: KeysZipf, S: 1.1}},
		{Count: 5000, Length: 24, Distribution: KeyDist{Kind: KeysHot, HotFraction: 0.1, HotKeys: 20}},
		{Count: 7, Length: 3, Distribution: KeyDist{Kind: KeysUniform}},
	} {
		m := newKeyModel(k)
		if len(m.hash) != k.Count || m.tailKeys != 0 {
			t.Fatalf("%+v: hashed %d, tail %d", k, len(m.hash), m.tailKeys)
		}
		for _, n := range []int{1, 2, 3, 4, 7, 13, 54, 500, 4099} {
			got, _ := m.busiest(n)
			if want := maxShare(t, k, n); math.Abs(got-want) > 1e-12 {
				t.Errorf("%v on %d shards: busiest %v, ShardShares %v", k.Distribution, n, got, want)
			}
		}
	}
}

// TestSeedUniformAtHeadroom1: the seed's 10000 keys put 3365 keys —
// 33.65 %, 1009.5 records/s at 3000/s — on the busiest of 3 shards, over
// the 1/3 a shard may carry at headroom 1, so the plan is 4 shards sized
// by skew; random keys (1/N) plan the arithmetic's 3.
func TestSeedUniformAtHeadroom1(t *testing.T) {
	p := DefaultPrices()
	w := seed()
	w.Headroom = 1
	kp, err := PlanKinesis(w, p)
	if err != nil {
		t.Fatal(err)
	}
	sk := kp.Skew
	if kp.Shards != 4 || kp.SizedBy != "skew" || sk.EvenShards != 3 || !near(sk.EvenBusiestShare, 0.3365, 1e-9) || sk.Method != "exact" || sk.BusiestShardShare > 1.0/3 {
		t.Fatalf("plan %d shards by %s, skew %+v", kp.Shards, kp.SizedBy, sk)
	}
	why := ""
	for _, s := range kp.Explanation.Steps {
		why += s.Formula + " " + s.Numbers + "\n"
	}
	if !strings.Contains(why, "sized by skew, not the arithmetic") || !strings.Contains(why, "at 3 shards the busiest carries 0.3365 > 0.333333") {
		t.Errorf("explanation:\n%s", why)
	}
	kp, err = PlanKinesis(arith(w), p)
	if err != nil || kp.Shards != 3 || kp.SizedBy != "limits" || kp.Skew.Method != "random" || kp.Skew.BusiestShardShare != 1.0/3 {
		t.Errorf("random keys: %d shards by %s, %+v (%v)", kp.Shards, kp.SizedBy, kp.Skew, err)
	}
}

// TestSkewBoundCoversTail: beyond the budget the busiest share is an
// upper bound (hashed head exact, Bernstein allowance for the tail), so
// it is never below the share every key hashed gives.
func TestSkewBoundCoversTail(t *testing.T) {
	for _, k := range []KeySpec{
		{Count: 60000, Length: 16, Distribution: KeyDist{Kind: KeysUniform}},
		{Count: 40000, Length: 20, Distribution: KeyDist{Kind: KeysZipf, S: 0.8}},
		{Count: 30000, Length: 24, Distribution: KeyDist{Kind: KeysHot, HotFraction: 0.1, HotKeys: 20}},
	} {
		m := newKeyModel(k)
		if len(m.hash) != ExactKeyBudget || m.tailKeys != k.Count-ExactKeyBudget {
			t.Fatalf("%+v: hashed %d, tail %d", k, len(m.hash), m.tailKeys)
		}
		if total := m.head + m.tailMass; math.Abs(total-1) > 1e-9 {
			t.Errorf("%v: head %v + tail %v = %v, want 1", k.Distribution, m.head, m.tailMass, total)
		}
		for _, n := range []int{3, 10, 57, 150} {
			bound, _ := m.busiest(n)
			exact := maxShare(t, k, n)
			if bound < exact || bound > exact+3*m.tailBound(n) {
				t.Errorf("%v on %d shards: bound %v, exact %v (allowance %v)", k.Distribution, n, bound, exact, m.tailBound(n))
			}
		}
	}
}

// TestZipfTailMoments: Euler–Maclaurin sums agree with direct sums.
func TestZipfTailMoments(t *testing.T) {
	for _, s := range []float64{0.5, 0.8, 1, 1.1, 2} {
		var direct float64
		for r := 10001; r <= 200000; r++ {
			direct += math.Pow(float64(r), -s)
		}
		if got := zipfRange(10001, 200000, s); math.Abs(got-direct) > 1e-10*direct {
			t.Errorf("s=%v: Euler–Maclaurin %v, direct %v", s, got, direct)
		}
	}
}

// TestSkewSearchBudget: one key with 9.99 % of traffic and a target of
// 10 % (required 10 shards): a fit needs ≈ 9000 shards so the hot key's
// shard holds almost nothing else, past the compute budget (5×10⁵ range
// sums: counts 10..999). The plan says the search stopped on its budget
// instead of claiming a fit.
func TestSkewSearchBudget(t *testing.T) {
	w := Workload{Rate: 8000, Headroom: 0.8, RecordSize: SizeDist{Kind: SizeFixed, Fixed: 100},
		Keys: KeySpec{Count: 10000, Distribution: KeyDist{Kind: KeysHot, HotFraction: 0.0999, HotKeys: 1}}}
	kp, err := PlanKinesis(w, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	sk := kp.Skew
	if !sk.BudgetExhausted || sk.Unfixable || sk.SearchTo != 999 || sk.Evaluations != 990 || sk.BusiestShardShare <= sk.TargetShare {
		t.Fatalf("skew %+v", sk)
	}
	if msg := strings.Join(kp.Warnings, "\n"); !strings.Contains(msg, "stopped on its compute budget after 990 shard counts (10..999)") {
		t.Errorf("warnings %q", msg)
	}
}

// TestSkewHashesMoreWhenTheBoundCostsShards: iot-fleet's 100000 uniform
// keys at 60000 records/s peak need ⌈60000/800⌉ = 75 shards by the
// arithmetic. Hashing 10000 and bounding the rest would ask for more than
// exact hashing does, so the planner hashes all 100000 (MaxExactKeys) and
// plans the count ShardShares confirms: the first n ≥ 75 whose busiest
// shard is within 1/75.
func TestSkewHashesMoreWhenTheBoundCostsShards(t *testing.T) {
	var w Workload
	for _, b := range bundledWorkloads() {
		if b.Name == "iot-fleet" {
			w = b
		}
	}
	kp, err := PlanKinesis(w, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	if kp.Skew.Method != "exact" || kp.Skew.HashedKeys != 100000 || kp.Skew.EvenShards != 75 {
		t.Fatalf("skew %+v", kp.Skew)
	}
	want := 0
	for n := 75; want == 0; n++ {
		if maxShare(t, w.Keys, n) <= 1.0/75*(1+1e-9) {
			want = n
		}
	}
	if kp.Shards != want || want != 80 {
		t.Errorf("planned %d shards, exact hashing fits first at %d (want 80)", kp.Shards, want)
	}
}

// TestSweepMatchesPlan: a sweep point plans the same count as Plan at
// that rate, whatever the other rates swept (iot-fleet, 100000 keys).
func TestSweepMatchesPlan(t *testing.T) {
	var w Workload
	for _, b := range bundledWorkloads() {
		if b.Name == "iot-fleet" {
			w = b
		}
	}
	p := DefaultPrices()
	alone, err := SweepCost(w, p, []float64{50000})
	if err != nil {
		t.Fatal(err)
	}
	mixed, err := SweepCost(w, p, []float64{1000, 200000, 50000})
	if err != nil {
		t.Fatal(err)
	}
	kp, err := PlanKinesis(w, p)
	if err != nil {
		t.Fatal(err)
	}
	if alone[0].Shards != kp.Shards || mixed[2].Shards != kp.Shards {
		t.Errorf("plan %d shards; sweep alone %d, after other rates %d", kp.Shards, alone[0].Shards, mixed[2].Shards)
	}
}
