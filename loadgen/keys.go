package loadgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"

	"github.com/streamcap/streamcap/model"
)

// Key-space limits checked by NewKeys.
const (
	// MaxKeys bounds the distinct partition keys (they are generated up
	// front: 10M keys of 16 bytes take about 300 MB with the zipf table).
	MaxKeys = 10_000_000
	// MaxKeyLength is the Kinesis partition key limit (256 characters).
	MaxKeyLength = 256
)

// Keys holds the partition keys of a run and the distribution traffic
// follows over them. It is immutable after NewKeys and safe for concurrent
// use; each sender draws through its own KeyPicker.
type Keys struct {
	keys []string
	kind model.KeyKind
	// length is the key length (kind random formats keys on the fly).
	length int
	// cdf is the cumulative zipf weight of ranks 1..k (kind zipf), ending
	// at 1.
	cdf []float64
	// hot is the number of hot keys and hotFraction their share (kind hot).
	hot         int
	hotFraction float64
}

// NewKeys builds spec.Count keys of spec.Length characters ("k" followed by
// the zero-padded key number, so keys are distinct and printable) and
// precomputes the distribution. Zero values take the model defaults
// (10000 keys, 16 characters, uniform).
func NewKeys(spec model.KeySpec) (*Keys, error) {
	if spec.Count == 0 {
		spec.Count = 10000
	}
	if spec.Length == 0 {
		spec.Length = 16
	}
	if spec.Count < 1 || spec.Count > MaxKeys {
		return nil, fmt.Errorf("keys.count %d: must be between 1 and %d", spec.Count, MaxKeys)
	}
	digits := len(strconv.Itoa(spec.Count - 1))
	if spec.Length < digits+1 || spec.Length > MaxKeyLength {
		return nil, fmt.Errorf("keys.length %d: must be between %d (to tell %d keys apart) and %d", spec.Length, digits+1, spec.Count, MaxKeyLength)
	}
	k := &Keys{kind: spec.Distribution.Kind, length: spec.Length}
	if k.kind == "" {
		k.kind = model.KeysUniform
	}
	if k.kind == model.KeysRandom {
		// A fresh key per record (Key formats the drawn number): nothing
		// to precompute, keys.count is ignored.
		return k, nil
	}
	k.keys = make([]string, spec.Count)
	for i := range k.keys {
		// the names the planner hashes, so planned and measured per-shard
		// load agree
		k.keys[i] = model.PartitionKey(i, spec.Length)
	}
	d := spec.Distribution
	switch k.kind {
	case model.KeysUniform:
	case model.KeysZipf:
		if !(d.S > 0) || d.S > 100 {
			return nil, fmt.Errorf("keys.distribution.s %v: must be greater than 0 and at most 100", d.S)
		}
		// Inverse-CDF table: works for every s > 0, unlike rand.Zipf,
		// which needs s > 1.
		k.cdf = make([]float64, spec.Count)
		sum := 0.0
		for i := range k.cdf {
			sum += math.Pow(float64(i+1), -d.S)
			k.cdf[i] = sum
		}
		for i := range k.cdf {
			k.cdf[i] /= sum
		}
		k.cdf[len(k.cdf)-1] = 1
	case model.KeysHot:
		if !(d.HotFraction > 0) || d.HotFraction > 1 {
			return nil, fmt.Errorf("keys.distribution.hot_fraction %v: must be in (0, 1]", d.HotFraction)
		}
		if d.HotKeys < 1 || d.HotKeys > spec.Count {
			return nil, fmt.Errorf("keys.distribution.hot_keys %d: must be between 1 and keys.count (%d)", d.HotKeys, spec.Count)
		}
		if d.HotKeys == spec.Count && d.HotFraction < 1 {
			return nil, fmt.Errorf("keys.distribution.hot_keys %d: leaves no cold keys for the other %.3g of traffic; must be below keys.count (%d)", d.HotKeys, 1-d.HotFraction, spec.Count)
		}
		k.hot, k.hotFraction = d.HotKeys, d.HotFraction
	default:
		return nil, fmt.Errorf("keys.distribution.kind %q: must be one of uniform, zipf, hot, random", d.Kind)
	}
	return k, nil
}

// Len returns the number of distinct keys (0 for kind random: every
// record draws a fresh one).
func (k *Keys) Len() int { return len(k.keys) }

// Key returns key number i (rank i+1 for zipf, hot keys first). For kind
// random, i is the number Index drew and the key is formatted from it
// ("r" and zero-padded digits), one allocation per record.
func (k *Keys) Key(i int) string {
	if k.kind == model.KeysRandom {
		return model.RandomPartitionKey(uint64(i), k.length)
	}
	return k.keys[i]
}

// Index draws a key number from the distribution using r.
func (k *Keys) Index(r *rand.Rand) int {
	switch k.kind {
	case model.KeysRandom:
		return int(r.Uint64() >> 1)
	case model.KeysZipf:
		u := r.Float64()
		return sort.SearchFloat64s(k.cdf, u) // first rank with cdf ≥ u
	case model.KeysHot:
		if r.Float64() < k.hotFraction {
			return r.IntN(k.hot)
		}
		if cold := len(k.keys) - k.hot; cold > 0 {
			return k.hot + r.IntN(cold)
		}
		return r.IntN(k.hot)
	}
	return r.IntN(len(k.keys))
}

// Probability returns the share of traffic key number i receives.
func (k *Keys) Probability(i int) float64 {
	switch k.kind {
	case model.KeysZipf:
		if i == 0 {
			return k.cdf[0]
		}
		return k.cdf[i] - k.cdf[i-1]
	case model.KeysHot:
		if i < k.hot {
			return k.hotFraction / float64(k.hot)
		}
		if cold := len(k.keys) - k.hot; cold > 0 {
			return (1 - k.hotFraction) / float64(cold)
		}
		return 0
	}
	if k.kind == model.KeysRandom {
		return 0 // no key repeats
	}
	return 1 / float64(len(k.keys))
}
