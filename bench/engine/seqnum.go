package engine

import "strconv"

// Sequence numbers are 56-digit decimal strings, so string order equals numeric order:
//
//	"49" | shard index (14 digits) | record offset within the shard (40 digits)
//
// The shard index makes them unique across the shards of a stream and makes every child shard's
// numbers sort after its parents'. Record offsets start at 1; offset 0 stands for "before the first
// record" and is the shard's StartingSequenceNumber.
const (
	seqLen       = 56
	seqPrefix    = "49"
	seqShardLen  = 14
	seqOffsetLen = 40
)

func putDigits(dst []byte, v uint64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
}

// formatSeq returns the sequence number of record off in shard index.
func formatSeq(index int, off uint64) string {
	var b [seqLen]byte
	copy(b[:], seqPrefix)
	putDigits(b[2:2+seqShardLen], uint64(index))
	putDigits(b[2+seqShardLen:], off)
	return string(b[:])
}

// seqHead is the constant part of a shard's sequence numbers: prefix, shard index and the
// offset digits that are always zero (offsets fit in 19 digits).
type seqHead [seqLen - 19]byte

func newSeqHead(index int) seqHead {
	var h seqHead
	copy(h[:], seqPrefix)
	putDigits(h[2:2+seqShardLen], uint64(index))
	putDigits(h[2+seqShardLen:], 0)
	return h
}

// format returns the sequence number of record off; equal to formatSeq(index, off), faster.
func (h *seqHead) format(off uint64) string {
	b := [seqLen]byte{36: '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0'}
	copy(b[:], h[:])
	var d [20]byte
	digits := strconv.AppendUint(d[:0], off, 10)
	copy(b[seqLen-len(digits):], digits)
	return string(b[:])
}

// parseSeq splits a sequence number into shard index and offset; ok is false when s is not one.
func parseSeq(s string) (index int, off uint64, ok bool) {
	if len(s) != seqLen || s[:2] != seqPrefix {
		return 0, 0, false
	}
	var idx uint64
	for i := 2; i < seqLen; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, 0, false
		}
		d := uint64(c - '0')
		switch {
		case i < 2+seqShardLen:
			idx = idx*10 + d
		case i < seqLen-19: // the upper 21 offset digits must be zero: offsets fit in 19 digits
			if d != 0 {
				return 0, 0, false
			}
		default:
			off = off*10 + d
		}
	}
	return int(idx), off, true
}
