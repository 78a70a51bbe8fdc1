package loadgen

import (
	"crypto/md5"
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/streamcap/streamcap/model"
)

// TestRandomKeys: kind random draws a fresh key per record, of the
// configured length, spread evenly over 4 shards by MD5.
func TestRandomKeys(t *testing.T) {
	k, err := NewKeys(model.KeySpec{Length: 16, Distribution: model.KeyDist{Kind: model.KeysRandom}})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	const draws = 40000
	shares := make([]float64, 4)
	for range draws {
		key := k.Key(k.Index(r))
		if len(key) != 16 || key[0] != 'r' {
			t.Fatalf("key %q", key)
		}
		seen[key] = true
		shares[shardOfKey(key, 4)]++
	}
	if len(seen) < draws-1 {
		t.Errorf("%d distinct keys in %d draws", len(seen), draws)
	}
	for i, c := range shares {
		// 10000 ± 5σ (σ = √(40000 × ¼ × ¾) ≈ 87)
		if c < 10000-435 || c > 10000+435 {
			t.Errorf("shard %d got %v of %d", i, c, draws)
		}
	}
	if k.Len() != 0 || k.Probability(0) != 0 {
		t.Errorf("Len %d Probability %v", k.Len(), k.Probability(0))
	}
}

// shardOfKey places a key on n equal hash ranges as Kinesis does.
func shardOfKey(key string, n uint64) uint64 {
	sum := md5.Sum([]byte(key))
	j, _ := bits.Mul64(binary.BigEndian.Uint64(sum[:8]), n)
	return j
}
