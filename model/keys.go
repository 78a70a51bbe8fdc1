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

// RandomPartitionKey is the partition key of a record of a random key
// distribution drawn as the number r: "r" followed by r's decimal digits,
// zero-padded (or cut to the last length−1 digits) to length bytes. MD5
// spreads such keys as evenly as any random string.
func RandomPartitionKey(r uint64, length int) string {
	var digits [20]byte
	d := strconv.AppendUint(digits[:0], r, 10)
	buf := make([]byte, 0, max(length, 2))
	buf = append(buf, 'r')
	for pad := length - 1 - len(d); pad > 0; pad-- {
		buf = append(buf, '0')
	}
	if keep := length - 1; keep >= 1 && len(d) > keep {
		d = d[len(d)-keep:]
	}
	return string(append(buf, d...))
}
