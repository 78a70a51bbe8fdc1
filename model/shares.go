package model

import (
	"crypto/md5"
	"encoding/binary"
	"math"
)

// MaxShareShards bounds ShardShares' shard count (the per-stream quota).
const MaxShareShards = 10_000

// ShardShares returns each shard's share of traffic when the keys of k
// (named by PartitionKey) are placed by MD5 on n shards with equal
// hash-key ranges, as a new Kinesis stream has. Unlike the planner's
// search, which treats the part of traffic every key shares as perfectly
// even, it hashes every key, so it shows the real unevenness of a uniform
// distribution too (about ±0.5 % per shard for 10000 keys on 3 shards).
// The shares sum to 1. k must be valid (Workload.Validate). A random
// distribution (a fresh key per record) gives 1/n to every shard.
func ShardShares(k KeySpec, n int) ([]float64, error) {
	if n < 1 || n > MaxShareShards {
		return nil, planInputErr("shards", n, "between 1 and 10000")
	}
	if k.Count < 1 || k.Count > MaxKeyCount {
		return nil, planInputErr("keys.count", k.Count, "between 1 and 10000000")
	}
	shares := make([]float64, n)
	if k.Distribution.Kind == KeysRandom {
		for i := range shares {
			shares[i] = 1 / float64(n)
		}
		return shares, nil
	}
	weight := keyWeights(k)
	buf := make([]byte, 0, max(k.Length, 24))
	for i := range k.Count {
		sum := md5.Sum(AppendPartitionKey(buf[:0], i, k.Length))
		shares[shardOf(binary.BigEndian.Uint64(sum[:8]), uint64(n))] += weight(i)
	}
	return shares, nil
}

// keyWeights returns the share of traffic of key i (0-based) under k's
// distribution.
func keyWeights(k KeySpec) func(i int) float64 {
	n := k.Count
	d := k.Distribution
	switch d.Kind {
	case KeysZipf:
		h := zipfSum(n, d.S)
		return func(i int) float64 { return math.Pow(float64(i+1), -d.S) / h }
	case KeysHot:
		hot := d.HotFraction / float64(d.HotKeys)
		cold := 0.0
		if n > d.HotKeys {
			cold = (1 - d.HotFraction) / float64(n-d.HotKeys)
		}
		return func(i int) float64 {
			if i < d.HotKeys {
				return hot
			}
			return cold
		}
	default:
		return func(int) float64 { return 1 / float64(n) }
	}
}
