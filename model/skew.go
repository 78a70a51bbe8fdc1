package model

import (
	"crypto/md5"
	"encoding/binary"
	"math"
	"math/bits"
)

// Skew is the hot-shard analysis of a provisioned plan.
//
// Model: key i (0-based, rank i+1 for zipf, hot keys first) is named
// PartitionKey(i, length) ("k0…0i") and is placed on the shard whose equal share of the 128-bit
// hash-key space holds its MD5, as Kinesis does when a stream is
// created with N shards (the top 64 bits of the hash decide; the lower
// bits move a key only when it sits within 2⁻⁶⁴ of a range boundary).
// Real key names hash elsewhere, so the busiest share is an example of
// what a skewed distribution does, not a prediction for your keys.
//
// Every key's traffic is split into a floor (the smallest key weight,
// the same for all keys) and an excess above it. The floor part — all of
// the traffic of a uniform distribution — is taken as spread evenly over
// the hash space (1/N per shard); the few-percent imbalance of hashing a
// finite uniform key set is part of what headroom absorbs. The excess of
// each key is placed by its MD5. So the busiest shard carries
// floor_mass/N + the largest per-shard sum of excesses.
type Skew struct {
	// Distribution is the key distribution as text ("zipf s=1.1 over 10000 keys").
	Distribution string `json:"distribution"`
	// HottestKey and HottestKeyShare: the key with the most traffic and its share.
	HottestKey      string  `json:"hottest_key"`
	HottestKeyShare float64 `json:"hottest_key_share"`
	// EvenShards is the count an even spread needs; the plan uses at least this.
	EvenShards int `json:"even_shards"`
	// TargetShare is the most traffic one shard may carry: 1 / required
	// shards before rounding (every limit then stays within headroom).
	TargetShare float64 `json:"target_share"`
	// BusiestShardShare is the busiest shard's share at the chosen count.
	BusiestShardShare float64 `json:"busiest_shard_share"`
	// SearchFrom, SearchTo and Evaluations describe the shard-count search.
	SearchFrom  int `json:"search_from"`
	SearchTo    int `json:"search_to"`
	Evaluations int `json:"evaluations"`
	// Unfixable is true when the hottest key alone exceeds what one shard
	// may carry: no shard count fixes that.
	Unfixable bool `json:"unfixable"`
}

// keyModel is a key distribution reduced to what the shard search needs.
type keyModel struct {
	floorMass float64   // share of traffic spread evenly (floor × count)
	excess    []float64 // excess share of each hashed key
	hash      []uint64  // top 64 bits of MD5(PartitionKey(i)) of each hashed key
	hotShare  float64   // largest single-key share
	hotName   string
	desc      string
}

// hashKey returns the top 64 bits of MD5(name): its position in the hash space.
func hashKey(name string) uint64 {
	sum := md5sum(name)
	return binary.BigEndian.Uint64(sum[:8])
}

// newKeyModel builds the key model of a (validated) key spec.
func newKeyModel(k KeySpec) keyModel {
	n := k.Count
	d := k.Distribution
	switch d.Kind {
	case KeysZipf:
		// weight of rank r (1-based) = r^-s / H, H = Σ r^-s.
		w := make([]float64, n)
		var h float64
		for r := range n {
			w[r] = math.Pow(float64(r+1), -d.S)
			h += w[r]
		}
		floor := w[n-1] / h
		m := keyModel{floorMass: floor * float64(n), hotShare: 1 / h, hotName: PartitionKey(0, k.Length), desc: keyModelDesc(k),
			excess: make([]float64, n-1), hash: make([]uint64, n-1)}
		buf := make([]byte, 0, 24)
		for r := range n - 1 { // the last rank has no excess
			m.excess[r] = w[r]/h - floor
			buf = AppendPartitionKey(buf[:0], r, k.Length)
			sum := md5.Sum(buf)
			m.hash[r] = binary.BigEndian.Uint64(sum[:8])
		}
		return m
	case KeysHot:
		hot := d.HotFraction / float64(d.HotKeys)
		cold := 0.0
		if n > d.HotKeys {
			cold = (1 - d.HotFraction) / float64(n-d.HotKeys)
		}
		m := keyModel{desc: keyModelDesc(k)}
		if hot >= cold {
			floor := cold
			if n == d.HotKeys {
				floor = hot
			}
			m.floorMass, m.hotShare, m.hotName = floor*float64(n), hot, PartitionKey(0, k.Length)
			if hot > floor {
				for i := range d.HotKeys {
					m.excess = append(m.excess, hot-floor)
					m.hash = append(m.hash, hashKey(PartitionKey(i, k.Length)))
				}
			}
			return m
		}
		// "hot" keys colder than the rest: the others carry the excess.
		m.floorMass, m.hotShare, m.hotName = hot*float64(n), cold, PartitionKey(d.HotKeys, k.Length)
		for i := d.HotKeys; i < n; i++ {
			m.excess = append(m.excess, cold-hot)
			m.hash = append(m.hash, hashKey(PartitionKey(i, k.Length)))
		}
		return m
	default:
		return keyModel{floorMass: 1, hotShare: 1 / float64(n), hotName: PartitionKey(0, k.Length), desc: keyModelDesc(k)}
	}
}

// busiest returns the largest share of traffic on one of n equal hash
// ranges. buf is scratch space of at least n floats.
func (m *keyModel) busiest(n int, buf []float64) float64 {
	if len(m.excess) == 0 {
		return m.floorMass / float64(n)
	}
	s := buf[:n]
	clear(s)
	for i, h := range m.hash {
		s[shardOf(h, uint64(n))] += m.excess[i] // ⌊h·n/2⁶⁴⌋: the range holding h
	}
	var top float64
	for _, v := range s {
		top = max(top, v)
	}
	return top + m.floorMass/float64(n)
}

// Bounds of the shard-count search: at most maxSkewEvaluations counts,
// and at most maxSkewWork key placements in all (so 10M zipf keys still
// search 20 counts in well under a second).
const (
	maxSkewEvaluations = 4096
	maxSkewWork        = 200_000_000
)

// searchShards finds the smallest shard count n ≥ even whose busiest share
// is within target (= 1/required, so every limit stays within headroom).
//
// The busiest share is not monotone in n: as ranges narrow, keys move
// between shards and two heavy keys can land together at n+1 after being
// apart at n. So the search walks upward one count at a time. It starts at
// max(even, ⌈floor_mass/(target − e_max)⌉) — below that the shard holding
// the largest excess e_max cannot fit even if nothing else hashed there —
// and stops at the first count that fits, after maxSkewEvaluations counts
// (fewer for very many keys, see maxSkewWork), or at quota (the account
// shard quota). When nothing fits it returns the
// evaluated count with the smallest busiest share.
func (m *keyModel) searchShards(even int, target float64, quota int) (n int, share float64, sk Skew) {
	sk = Skew{Distribution: m.desc, HottestKey: m.hotName, HottestKeyShare: m.hotShare, EvenShards: even, TargetShare: target}
	if m.hotShare > target*(1+1e-9) {
		sk.Unfixable = true
	}
	start := even
	if len(m.excess) > 0 && !sk.Unfixable {
		var emax float64
		for _, e := range m.excess {
			emax = max(emax, e)
		}
		if gap := target - emax; gap > 0 {
			start = max(start, ceilCount(m.floorMass/gap))
		}
	}
	if start > quota {
		start = quota
	}
	evals := maxSkewEvaluations
	if len(m.excess) > 0 {
		evals = max(16, min(evals, maxSkewWork/len(m.excess)))
	}
	end := min(quota, start+evals-1)
	if sk.Unfixable || len(m.excess) == 0 {
		end = start
	}
	buf := make([]float64, end)
	bestN, best := start, math.Inf(1)
	for c := start; c <= end; c++ {
		sk.Evaluations++
		s := m.busiest(c, buf)
		if s < best {
			bestN, best = c, s
		}
		if s <= target*(1+1e-9) {
			bestN, best = c, s
			break
		}
	}
	sk.SearchFrom, sk.SearchTo, sk.BusiestShardShare = start, start+sk.Evaluations-1, best
	return bestN, best, sk
}

// shardOf returns the shard of n equal ranges holding hash position h
// (the top 64 bits of the key's MD5).
func shardOf(h, n uint64) uint64 {
	j, _ := bits.Mul64(h, n)
	return j
}

// md5sum is MD5 of a key name.
func md5sum(name string) [16]byte { return md5.Sum([]byte(name)) }
