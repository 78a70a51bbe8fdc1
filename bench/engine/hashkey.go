package engine

import (
	"crypto/md5"
	"encoding/binary"
	"math/big"
	"math/bits"
)

// hashKey is a point of the 128-bit hash-key space, as two big-endian halves.
type hashKey struct{ hi, lo uint64 }

// maxHashKey returns 2^128-1, the end of the last shard's range.
func maxHashKey() hashKey { return hashKey{^uint64(0), ^uint64(0)} }

func (a hashKey) less(b hashKey) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

func (a hashKey) add1() hashKey {
	lo, c := bits.Add64(a.lo, 1, 0)
	return hashKey{a.hi + c, lo}
}

func (a hashKey) sub1() hashKey {
	lo, b := bits.Sub64(a.lo, 1, 0)
	return hashKey{a.hi - b, lo}
}

func (a hashKey) big() *big.Int {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], a.hi)
	binary.BigEndian.PutUint64(b[8:], a.lo)
	return new(big.Int).SetBytes(b[:])
}

// String formats the key in decimal, as Kinesis does.
func (a hashKey) String() string {
	if a.hi == 0 {
		return big.NewInt(0).SetUint64(a.lo).String()
	}
	return a.big().String()
}

func hashKeyFromBig(b *big.Int) hashKey {
	var buf [16]byte
	b.FillBytes(buf[:])
	return hashKey{binary.BigEndian.Uint64(buf[:8]), binary.BigEndian.Uint64(buf[8:])}
}

// partitionHash is MD5(key) read as a 128-bit big-endian integer.
func partitionHash(key string) hashKey {
	sum := md5.Sum([]byte(key))
	return hashKey{binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])}
}

// parseHashKey parses a decimal hash key in [0, 2^128-1]; ok is false otherwise.
func parseHashKey(s string) (hashKey, bool) {
	if s == "" || len(s) > 39 {
		return hashKey{}, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return hashKey{}, false
		}
	}
	b, ok := new(big.Int).SetString(s, 10)
	if !ok || b.BitLen() > 128 {
		return hashKey{}, false
	}
	return hashKeyFromBig(b), true
}

// uniformBoundary returns floor(i * 2^128 / n), the start of shard i of n equal ranges.
func uniformBoundary(i, n int) hashKey {
	if i <= 0 {
		return hashKey{}
	}
	v := new(big.Int).Lsh(big.NewInt(int64(i)), 128)
	v.Quo(v, big.NewInt(int64(n)))
	return hashKeyFromBig(v)
}
