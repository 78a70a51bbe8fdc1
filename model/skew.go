package model

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// Skew is the hot-shard analysis of a provisioned plan.
//
// Model: key i (0-based, rank i+1 for zipf, hot keys first) is named
// PartitionKey(i, length) — the very key the load generator sends — and
// is placed on the shard whose equal share of the 128-bit hash-key space
// holds its MD5, as Kinesis does when a stream is created with N shards
// (the top 64 bits of the hash decide; the lower bits move a key only when
// it sits within 2⁻⁶⁴ of a range boundary).
//
// The heaviest HashedKeys keys (all of them up to ExactKeyBudget) are
// hashed, so their per-shard sums are exact: for 10000 uniform keys the
// busiest of 3 shards carries 33.65 %, not 33.33 %. Beyond the budget the
// remaining keys ("the tail": light keys only, the heaviest are hashed)
// are bounded, not hashed: treating MD5 as a random function, each
// shard's tail sum exceeds tail/N by more than TailBound with probability
// below SkewBoundDelta for every shard count evaluated (Bernstein's
// inequality with a union bound over the N shards). The busiest share is
// then an upper bound, sound in that model.
//
// A random distribution (a fresh random key per record, as the Kinesis
// Producer Library does) spreads each record independently: every shard
// carries 1/N.
type Skew struct {
	// Distribution is the key distribution as text ("zipf s=1.1 over 10000 keys").
	Distribution string `json:"distribution"`
	// Method is "exact" (every key hashed), "exact+bound" (the heaviest
	// keys hashed, a statistical bound for the rest) or "random" (1/N).
	Method string `json:"method"`
	// HashedKeys is how many keys were hashed; TailKeys how many were
	// bounded instead (0 when exact).
	HashedKeys int `json:"hashed_keys"`
	TailKeys   int `json:"tail_keys"`
	// HottestKey and HottestKeyShare: the key with the most traffic and its share.
	HottestKey      string  `json:"hottest_key"`
	HottestKeyShare float64 `json:"hottest_key_share"`
	// EvenShards is the count an even spread needs; the plan uses at least this.
	EvenShards int `json:"even_shards"`
	// TargetShare is the most traffic one shard may carry: 1 / required
	// shards before rounding (every limit then stays within headroom).
	TargetShare float64 `json:"target_share"`
	// BusiestShardShare is the busiest shard's share at the chosen count
	// (an upper bound when Method is exact+bound).
	BusiestShardShare float64 `json:"busiest_shard_share"`
	// EvenBusiestShare is the busiest share at EvenShards: when it is over
	// TargetShare, skew and not the arithmetic set the count.
	EvenBusiestShare float64 `json:"even_busiest_share"`
	// TailBound is the statistical allowance included in
	// BusiestShardShare for the unhashed tail (0 when exact).
	TailBound float64 `json:"tail_bound"`
	// SearchFrom, SearchTo and Evaluations describe the shard-count search.
	SearchFrom  int `json:"search_from"`
	SearchTo    int `json:"search_to"`
	Evaluations int `json:"evaluations"`
	// BudgetExhausted is true when the search stopped on its compute
	// budget (maxSkewEvaluations counts or maxSkewWork range sums) before
	// any count fitted: the count is the best one evaluated, not a fit.
	BudgetExhausted bool `json:"budget_exhausted"`
	// Unfixable is true when the hottest key alone exceeds what one shard
	// may carry: no shard count fixes that.
	Unfixable bool `json:"unfixable"`
}

// ExactKeyBudget is how many keys (heaviest first) the planner hashes
// first. MD5 of one key costs about 0.1 µs, so 10000 keys keep a plan
// near 1 ms; keys beyond it are bounded statistically (see Skew).
const ExactKeyBudget = 10_000

// MaxExactKeys is how many keys the planner hashes when the statistical
// bound, not exact hashing, set a count above the even spread: the bound
// is conservative (a few σ per shard), so it hashes more (≈ 10 ms) before
// paying for extra shards.
const MaxExactKeys = 100_000

// SkewBoundDelta is the probability, per evaluated shard count, that the
// unhashed tail puts more than the bound on some shard (MD5 taken as a
// random function).
const SkewBoundDelta = 1e-6

// keyModel is a key distribution reduced to what the shard search needs:
// the hashed head, bucketed by the top bits of the hash so the traffic
// below any hash position is a prefix sum plus a short scan, and the
// moments of the unhashed tail.
type keyModel struct {
	random bool
	// head, sorted by bucket: hash (top 64 bits of MD5) and share of each key.
	hash   []uint64
	weight []float64
	shift  uint      // bucket of h = h >> shift
	start  []int32   // start[b]: index of bucket b's first key; len buckets+1
	prefix []float64 // prefix[b]: head share in buckets < b; len buckets+1
	head   float64   // head share in all
	// tail: share, Σ share², largest share, count.
	tailMass, tailSq, tailMax float64
	tailKeys                  int
	hotShare                  float64
	hotName                   string
	desc                      string
	// cache[c] is busiest(c) once computed (0: not yet). The busiest
	// share does not depend on the rate, so the searches of one plan or
	// sweep share it; it belongs to one plan and is never shared.
	cache []float64
}

// maxSkewCache bounds the shard counts whose busiest share is cached.
const maxSkewCache = 1 << 20

// hashKey returns the top 64 bits of MD5(name): its position in the hash space.
func hashKey(name string) uint64 {
	sum := md5sum(name)
	return binary.BigEndian.Uint64(sum[:8])
}

// newKeyModel builds the key model of a (validated) key spec, hashing the
// ExactKeyBudget heaviest keys.
func newKeyModel(k KeySpec) keyModel { return newKeyModelN(k, ExactKeyBudget) }

// newKeyModelN builds the key model hashing the budget heaviest keys.
func newKeyModelN(k KeySpec, budget int) keyModel {
	m := keyModel{desc: keyModelDesc(k)}
	if k.Distribution.Kind == KeysRandom {
		m.random, m.hotName = true, "(random per record)"
		return m
	}
	n := k.Count
	h := min(n, budget)
	weight := keyWeights(k)
	if k.Distribution.Kind == KeysZipf {
		// One Pow per hashed key (keyWeights would take two): r^−s for the
		// head, summed in the same order as zipfSum, so shares agree with
		// ShardShares to the last bit.
		pw := make([]float64, h)
		var sum float64
		for i := range h {
			pw[i] = math.Pow(float64(i+1), -k.Distribution.S)
			sum += pw[i]
		}
		if n > h {
			sum += zipfRange(h+1, n, k.Distribution.S)
		}
		weight = func(i int) float64 { return pw[i] / sum }
	}
	m.hotShare, m.hotName = weight(0), PartitionKey(0, k.Length)
	if k.Distribution.Kind == KeysHot && weight(k.Distribution.HotKeys) > weight(0) {
		m.hotShare, m.hotName = weight(k.Distribution.HotKeys), PartitionKey(k.Distribution.HotKeys, k.Length)
	}
	// Hash the head and bucket it by the top bits (a counting sort).
	raw := make([]uint64, h)
	buf := make([]byte, 0, max(k.Length, 24))
	for i := range h {
		sum := md5.Sum(AppendPartitionKey(buf[:0], i, k.Length))
		raw[i] = binary.BigEndian.Uint64(sum[:8])
	}
	b := uint(bits.Len(uint(max(1, h/2))))
	m.shift = 64 - b
	nb := 1 << b
	m.start = make([]int32, nb+1)
	for _, x := range raw {
		m.start[(x>>m.shift)+1]++
	}
	for i := 1; i <= nb; i++ {
		m.start[i] += m.start[i-1]
	}
	m.hash, m.weight = make([]uint64, h), make([]float64, h)
	fill := make([]int32, nb)
	copy(fill, m.start[:nb])
	for i, x := range raw {
		j := fill[x>>m.shift]
		fill[x>>m.shift]++
		m.hash[j], m.weight[j] = x, weight(i)
	}
	m.prefix = make([]float64, nb+1)
	for bk := range nb {
		s := m.prefix[bk]
		for j := m.start[bk]; j < m.start[bk+1]; j++ {
			s += m.weight[j]
		}
		m.prefix[bk+1] = s
	}
	m.head = m.prefix[nb]
	if n > h {
		m.tailKeys = n - h
		m.tailMass, m.tailSq, m.tailMax = tailMoments(k, h)
	}
	return m
}

// below returns the head share with hash < x (x = 0 … 2⁶⁴−1; full=true
// means 2⁶⁴, the whole space).
func (m *keyModel) below(x uint64, full bool) float64 {
	if full {
		return m.head
	}
	bk := x >> m.shift
	s := m.prefix[bk]
	for j := m.start[bk]; j < m.start[bk+1]; j++ {
		if m.hash[j] < x {
			s += m.weight[j]
		}
	}
	return s
}

// rangeStart returns ⌈j·2⁶⁴/n⌉, the first hash position of shard j of n
// equal ranges (shard of h = ⌊h·n/2⁶⁴⌋), for 0 ≤ j < n.
func rangeStart(j, n uint64) uint64 {
	q, r := bits.Div64(j, 0, n)
	if r != 0 {
		q++
	}
	return q
}

// tailBound is the Bernstein allowance for the unhashed tail on n shards:
// with p = 1/n, V = Σw²·p(1−p), M = max w and L = ln(n/δ), a shard's tail
// exceeds tail/n by t = M·L/3 + √((M·L/3)² + 2·V·L) with probability at
// most δ/n, so some shard does with probability at most δ.
func (m *keyModel) tailBound(n int) float64 {
	if m.tailKeys == 0 {
		return 0
	}
	p := 1 / float64(n)
	v := m.tailSq * p * (1 - p)
	l := math.Log(float64(n) / SkewBoundDelta)
	a := m.tailMax * l / 3
	return a + math.Sqrt(a*a+2*v*l)
}

// busiest returns the largest share of traffic on one of n equal hash
// ranges (an upper bound when part of the keys is bounded, not hashed)
// and the work it took (range sums).
func (m *keyModel) busiest(n int) (share float64, work int) {
	if m.random {
		return 1 / float64(n), 1
	}
	if n < len(m.cache) && m.cache[n] > 0 {
		return m.cache[n], n
	}
	share = m.busiestUncached(n)
	if n < maxSkewCache {
		if n >= len(m.cache) {
			m.cache = append(m.cache, make([]float64, n+1-len(m.cache)+n/2)...)
		}
		m.cache[n] = share
	}
	return share, n
}

// busiestUncached computes busiest(n) from the hashed keys and the bound.
func (m *keyModel) busiestUncached(n int) float64 {
	var top float64
	prev := 0.0
	un := uint64(n)
	for j := uint64(0); j < un; j++ {
		next := m.below(0, true)
		if j+1 < un {
			next = m.below(rangeStart(j+1, un), false)
		}
		top = max(top, next-prev)
		prev = next
	}
	return top + m.tailMass/float64(n) + m.tailBound(n)
}

// Bounds of the shard-count search: at most maxSkewEvaluations counts,
// and at most maxSkewWork range sums in all (each a prefix lookup and a
// scan of about two keys; a cached count costs the same, so the answer
// never depends on what an earlier search computed), so a plan stays
// within milliseconds.
const (
	maxSkewEvaluations = 4096
	maxSkewWork        = 500_000
)

// searchShards finds the smallest shard count n ≥ even whose busiest share
// is within target (= 1/required, so every limit stays within headroom).
//
// The busiest share is not monotone in n: as ranges narrow, keys move
// between shards and two heavy keys can land together at n+1 after being
// apart at n. So the search walks upward one count at a time and stops at
// the first count that fits, or when the compute budget (evaluations or
// work) is spent; it then returns the evaluated count with the smallest
// busiest share and sets BudgetExhausted. There is no cap at the account
// quota: the count is what the limits need; quotas are warnings.
func (m *keyModel) searchShards(even int, target float64) (n int, share float64, sk Skew) {
	sk = Skew{Distribution: m.desc, HottestKey: m.hotName, HottestKeyShare: m.hotShare, EvenShards: even, TargetShare: target,
		HashedKeys: len(m.hash), TailKeys: m.tailKeys, Method: "exact"}
	switch {
	case m.random:
		sk.Method = "random"
	case m.tailKeys > 0:
		sk.Method = "exact+bound"
	}
	if !m.random && m.hotShare > target*(1+1e-9) {
		sk.Unfixable = true
	}
	bestN, best := even, math.Inf(1)
	work := 0
	fitted := false
	for c := even; ; c++ {
		s, w := m.busiest(c)
		work += w
		sk.Evaluations++
		if c == even {
			sk.EvenBusiestShare = s
		}
		if s < best {
			bestN, best = c, s
		}
		if s <= target*(1+1e-9) {
			bestN, best, fitted = c, s, true
			break
		}
		if sk.Unfixable || m.random {
			break // no count fixes one key over the target
		}
		if sk.Evaluations >= maxSkewEvaluations || work+c+1 > maxSkewWork {
			sk.BudgetExhausted = true
			break
		}
	}
	_ = fitted
	sk.SearchFrom, sk.SearchTo, sk.BusiestShardShare = even, even+sk.Evaluations-1, best
	sk.TailBound = m.tailBound(bestN)
	return bestN, best, sk
}

// tailMoments returns the share, Σ share² and largest share of keys
// h … k.Count−1 (0-based) under k's distribution, without visiting them.
func tailMoments(k KeySpec, h int) (mass, sq, top float64) {
	n := k.Count
	t := float64(n - h)
	d := k.Distribution
	switch d.Kind {
	case KeysZipf:
		total := zipfSum(n, d.S)
		mass = zipfRange(h+1, n, d.S) / total
		sq = zipfRange(h+1, n, 2*d.S) / (total * total)
		top = math.Pow(float64(h+1), -d.S) / total
		return mass, sq, top
	case KeysHot:
		hot := d.HotFraction / float64(d.HotKeys)
		cold := (1 - d.HotFraction) / float64(n-d.HotKeys)
		nh := float64(max(0, d.HotKeys-h)) // hot keys in the tail
		nc := t - nh
		mass = nh*hot + nc*cold
		sq = nh*hot*hot + nc*cold*cold
		if nh > 0 {
			top = max(top, hot)
		}
		if nc > 0 {
			top = max(top, cold)
		}
		return mass, sq, top
	default:
		w := 1 / float64(n)
		return t * w, t * w * w, w
	}
}

// zipfSum is Σ_{r=1}^{n} r^−s: exact up to ExactKeyBudget terms, then
// Euler–Maclaurin for the rest (error below 1e−15 relative there).
func zipfSum(n int, s float64) float64 {
	h := min(n, ExactKeyBudget)
	var sum float64
	for r := 1; r <= h; r++ {
		sum += math.Pow(float64(r), -s)
	}
	if n > h {
		sum += zipfRange(h+1, n, s)
	}
	return sum
}

// zipfRange is Σ_{r=a}^{b} r^−s for a ≥ 2 by Euler–Maclaurin:
// ∫_a^b x^−s dx + (f(a)+f(b))/2 + (f′(b)−f′(a))/12 − (f‴(b)−f‴(a))/720.
func zipfRange(a, b int, s float64) float64 {
	if b < a {
		return 0
	}
	fa, fb := float64(a), float64(b)
	var integral float64
	if math.Abs(s-1) < 1e-12 {
		integral = math.Log(fb / fa)
	} else {
		integral = (math.Pow(fb, 1-s) - math.Pow(fa, 1-s)) / (1 - s)
	}
	f := func(x float64) float64 { return math.Pow(x, -s) }
	d1 := func(x float64) float64 { return -s * math.Pow(x, -s-1) }
	d3 := func(x float64) float64 { return -s * (s + 1) * (s + 2) * math.Pow(x, -s-3) }
	return integral + (f(fa)+f(fb))/2 + (d1(fb)-d1(fa))/12 - (d3(fb)-d3(fa))/720
}

// skewStep describes the search for the explanation.
func skewStep(m *keyModel, sk Skew) string {
	switch sk.Method {
	case "random":
		return "random key per record: every shard carries 1/N"
	case "exact+bound":
		return fmt.Sprintf("%d heaviest keys hashed, %d lighter keys bounded (Bernstein, δ = %g): +%s at the chosen count", sk.HashedKeys, sk.TailKeys, SkewBoundDelta, pct(sk.TailBound))
	default:
		return fmt.Sprintf("all %d keys hashed", sk.HashedKeys)
	}
}

// shardOf returns the shard of n equal ranges holding hash position h
// (the top 64 bits of the key's MD5).
func shardOf(h, n uint64) uint64 {
	j, _ := bits.Mul64(h, n)
	return j
}

// md5sum is MD5 of a key name.
func md5sum(name string) [16]byte { return md5.Sum([]byte(name)) }
