package model

import "strconv"

// PartitionKey is the name of partition key i (0-based) of a workload whose
// keys are length characters long: "k" followed by i zero-padded to fill
// length ("k000000000000042" for length 16). Every key then has exactly
// Keys.Length bytes, which is what the write-bytes limit counts, and the
// planner hashes the very keys the load generator sends, so predicted and
// measured per-shard load agree. A length too short for i is not padded.
func PartitionKey(i, length int) string {
	return string(AppendPartitionKey(make([]byte, 0, max(length, 24)), i, length))
}

// AppendPartitionKey appends PartitionKey(i, length) to dst without
// allocating when dst has room.
func AppendPartitionKey(dst []byte, i, length int) []byte {
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], int64(i), 10)
	dst = append(dst, 'k')
	for pad := length - 1 - len(d); pad > 0; pad-- {
		dst = append(dst, '0')
	}
	return append(dst, d...)
}
