package engine

import (
	"fmt"

	"github.com/streamcap/streamcap/model"
)

// FsyncPolicy is when appended records are made durable before a put is acknowledged.
type FsyncPolicy string

// Fsync policies.
const (
	// FsyncAlways fdatasyncs after every put (or PutRecords batch) before acknowledging it.
	FsyncAlways FsyncPolicy = "always"
	// FsyncInterval is group commit: concurrent puts share one fdatasync, and each put returns only
	// after an fdatasync that covers it. The default.
	FsyncInterval FsyncPolicy = "interval"
	// FsyncNever leaves flushing to the operating system; a crash may lose acknowledged records.
	FsyncNever FsyncPolicy = "never"
)

// ParseFsyncPolicy parses "always", "interval" or "never"; "" means interval.
func ParseFsyncPolicy(s string) (FsyncPolicy, error) {
	switch p := FsyncPolicy(s); p {
	case FsyncAlways, FsyncInterval, FsyncNever:
		return p, nil
	case "":
		return FsyncInterval, nil
	}
	return "", fmt.Errorf("fsync policy %q: must be one of always, interval, never", s)
}

// Limits are the emulated per-shard Kinesis limits. The zero value is invalid; start from
// DefaultLimits. Each rate limit is a token bucket holding one second of the rate (the burst the
// service allows) and refilled continuously.
type Limits struct {
	// WriteBytesPerSec is the write bandwidth per shard, data plus partition key; default 1 MiB/s.
	WriteBytesPerSec int64
	// WriteRecordsPerSec is the write record rate per shard; default 1000.
	WriteRecordsPerSec int64
	// ReadBytesPerSec is the GetRecords bandwidth per shard, shared by all polling readers; default 2 MiB/s.
	ReadBytesPerSec int64
	// ReadCallsPerSec is the GetRecords call rate per shard; default 5.
	ReadCallsPerSec int64
	// EFOBytesPerSec is the enhanced fan-out push bandwidth per consumer per shard; default 2 MiB/s.
	EFOBytesPerSec int64
	// MaxGetRecordsCount caps the records one GetRecords call returns; default 10 000.
	MaxGetRecordsCount int
	// MaxGetRecordsBytes caps the bytes one GetRecords call returns; default 10 MiB.
	MaxGetRecordsBytes int64
}

// DefaultLimits returns the Kinesis Data Streams provisioned-mode per-shard
// limits from the model's embedded, sourced quota table (see
// LimitsFromPrices), so the engine emulates exactly what plans assume.
func DefaultLimits() Limits { return LimitsFromPrices(model.DefaultPrices()) }

// LimitsFromPrices takes the per-shard limits from a price and quota table
// (`--prices FILE` can change them like any other figure).
func LimitsFromPrices(p *model.Prices) Limits {
	k := p.Kinesis
	return Limits{
		WriteBytesPerSec:   int64(k.ShardWriteBytes.Value),
		WriteRecordsPerSec: int64(k.ShardWriteRecords.Value),
		ReadBytesPerSec:    int64(k.ShardReadBytes.Value),
		ReadCallsPerSec:    int64(k.ShardReadCalls.Value),
		EFOBytesPerSec:     int64(k.EFOReadBytes.Value),
		MaxGetRecordsCount: int(k.GetRecordsMaxRecords.Value),
		MaxGetRecordsBytes: int64(k.GetRecordsMaxBytes.Value),
	}
}
