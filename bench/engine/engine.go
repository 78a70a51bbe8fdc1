// Package engine is streamcap's bundled log engine: a durable, sharded, append-only log that behaves
// like Amazon Kinesis Data Streams, including its per-shard throughput limits.
//
// An Engine holds streams; each stream has shards that own contiguous ranges of the 128-bit hash-key
// space. Records are appended to per-shard segment files framed with a length and a CRC32C checksum,
// acknowledged according to the fsync policy, and read back through Kinesis-style shard iterators.
// The Kinesis HTTP API (package kinesisapi) is a thin layer over this package.
//
// On disk (Options.Dir), all directories 0700 and files 0600:
//
//	streams/NAME/meta.json                            shards, lineage, retention, consumers (replaced atomically)
//	streams/NAME/clean.json                           each shard's next offset after a clean Close (consumed by Open)
//	streams/NAME/shard-000000000000/state.json        retained start, reserved sequence numbers, gaps
//	streams/NAME/shard-000000000000/00000000000000000001.seg   segments named by their first record offset
//	staging/, trash/                                  streams being created or deleted
//	quarantine/                                       what Repair moved aside, with its reports
//
// Each segment is a run of frames (length, CRC32C, offset, arrival time, key, data); see segment.go.
// The recovery policy (docs/engine.md): Open drops only a torn tail of a shard's newest segment
// and reports it; any other damage makes Open refuse with a *DamageError naming the file and the
// offset, and Repair (streamcap engine repair) quarantines it. Layout changes are durable in
// meta.json before they take effect; sequence numbers are never reused, even after a torn tail
// is dropped; a failed write is retryable (ServiceUnavailable), never sticky.
//
// Sequence numbers are 56-digit decimal strings: "49", the shard index (14 digits) and the record's
// offset in its shard (40 digits), so they sort as strings, are unique across a stream's shards,
// and a child shard's numbers sort after its parents'.
//
// All methods of Engine are safe for concurrent use. Appends lock only the shard they write (plus
// a read lock on the stream); the package holds no package-level state, so many engines can live in
// one process.
package engine

import (
	"log/slog"
	"time"
)

// Clock tells the engine the current time. Tests inject a fake clock to drive retention, iterator
// expiry and token-bucket refills deterministically.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
}

// Options configures an Engine. The zero value is not usable: set Dir or InMemory.
type Options struct {
	// Dir is the data directory holding stream metadata and segment files. Required unless InMemory.
	Dir string
	// InMemory keeps all records in memory and writes no files; for tests and the fastest benchmarks.
	InMemory bool
	// MaxMemoryBytes bounds the record memory of an InMemory engine; 0 means unbounded. A shard
	// that needs a new segment past it first drops its own oldest segments, as retention would,
	// and counts their records in ShardStats.Evicted, so a long benchmark at a high rate runs in
	// bounded memory (reusing the dropped memory) instead of being killed for lack of it. At
	// least MinMaxMemoryBytes.
	MaxMemoryBytes int64
	// Fsync is when appended records are made durable before a put returns; default FsyncInterval
	// (group commit). Readers see a record only once its put is acknowledged.
	Fsync FsyncPolicy
	// FsyncInterval is the group-commit window under FsyncInterval: a shard starts an fdatasync at
	// most once per interval, and every put waiting meanwhile shares it, so a put waits at most the
	// interval plus two fdatasyncs. Default 2ms, at most 1s. Ignored by the other policies.
	FsyncInterval time.Duration
	// Limits are the emulated per-shard limits; the zero value means DefaultLimits().
	Limits Limits
	// LimitsOff disables the emulated throughput limits (the 10 000 record / 10 MiB GetRecords response
	// caps still apply). Limits are on by default, like the real service.
	LimitsOff bool
	// NoBurstCredit starts each shard's write buckets empty instead of
	// holding one second of burst credit. A shard earns credit at its limit
	// rate, so load under the limit is unaffected after a few milliseconds,
	// while a shard whose average exceeds the limit throttles within
	// seconds rather than after its credit drains (which takes minutes when
	// it is only slightly over). `streamcap verify` uses it so a short run
	// shows what a long run would.
	NoBurstCredit bool
	// Quotas are the emulated control-plane quotas (account shards, UpdateShardCount per day,
	// control-plane call rates), applied while limits are on; the zero value means DefaultQuotas().
	Quotas Quotas
	// Clock is the time source; nil means the real clock.
	Clock Clock
	// Logger receives rare operational messages (recovery, retention deletes); nil discards them.
	Logger *slog.Logger
	// SegmentBytes is the size at which a shard rolls to a new segment file; default 64 MiB, between
	// 4 KiB and 1 GiB. Retention deletes whole segments, so smaller segments free space sooner.
	// Memory segments roll at min(SegmentBytes, 4 MiB).
	SegmentBytes int64
	// MaxOpenFiles bounds the segment files the engine keeps open at once (least recently used
	// files are closed first), so a stream of 10 000 shards works under the default 1024
	// descriptors; default 256, at least 8.
	MaxOpenFiles int
	// WriteMetadata, when set, replaces the durable writer of metadata files (a stream's meta.json,
	// a shard's state.json): it must leave either the old or the new content of dir/name on disk.
	// Tests inject metadata write failures through it; nil means temp file, fsync, rename, fsync
	// of the directory.
	WriteMetadata func(dir, name string, data []byte) error
	// SegmentWriteFault, when set, is called before each write of n bytes at byte off of segment
	// file path; it returns how many of those bytes really reach the file and the error the write
	// then reports (for example ENOSPC after a partial write). Tests inject disk faults through it;
	// nil means none.
	SegmentWriteFault func(path string, off int64, n int) (int, error)
}

// CreateStreamInput describes a stream to create.
type CreateStreamInput struct {
	// Name is the stream name: 1–128 characters of [a-zA-Z0-9_.-].
	Name string
	// ShardCount is the number of shards, 1–10000, with equal hash-key ranges.
	ShardCount int
	// MaxRecordSize is the largest record (data plus partition key) in bytes: 1 MiB (the default,
	// also for 0) to 10 MiB, like the Kinesis MaxRecordSizeInKiB setting.
	MaxRecordSize int64
	// RetentionHours is how long records are kept, 24–8760; 0 means 24.
	RetentionHours int
}

// StreamDescription describes a stream, like Kinesis DescribeStream.
type StreamDescription struct {
	Name           string    // stream name
	ARN            string    // arn:aws:kinesis:us-east-1:000000000000:stream/NAME
	Status         string    // always "ACTIVE": operations complete synchronously
	RetentionHours int       // retention period in hours
	CreatedAt      time.Time // creation time from the engine's clock
	MaxRecordSize  int64     // largest record in bytes (data plus partition key)
	Shards         []Shard   // all shards, open and closed, in creation order
	OpenShardCount int       // shards still accepting writes
	ConsumerCount  int       // registered enhanced fan-out consumers
}

// Shard describes one shard and its lineage, like the Kinesis Shard structure.
type Shard struct {
	ID                     string // shardId-000000000000
	ParentShardID          string // the shard this one was split from or merged from; "" at creation
	AdjacentParentShardID  string // the second parent of a merge; "" otherwise
	StartingHashKey        string // decimal, inclusive
	EndingHashKey          string // decimal, inclusive
	StartingSequenceNumber string // first sequence number the shard can hold
	EndingSequenceNumber   string // last sequence number of a closed shard; "" while open
}

// Record is a record to put.
type Record struct {
	// PartitionKey picks the shard via MD5; 1–256 characters.
	PartitionKey string
	// ExplicitHashKey, when set, is a decimal 128-bit hash key that overrides the partition key hash.
	ExplicitHashKey string
	// Data is the record payload; with the partition key at most the stream's max record size.
	Data []byte
}

// PutResult tells where a record was stored.
type PutResult struct {
	ShardID        string // shard the record went to
	SequenceNumber string // its sequence number
}

// PutRecordsEntry is the outcome of one record of a PutRecords call: either ShardID and
// SequenceNumber are set, or ErrorCode and ErrorMessage are.
type PutRecordsEntry struct {
	ShardID        string
	SequenceNumber string
	ErrorCode      string // e.g. ProvisionedThroughputExceededException
	ErrorMessage   string
}

// IteratorType is where a shard iterator starts.
type IteratorType string

// Shard iterator types, as in Kinesis GetShardIterator.
const (
	TrimHorizon         IteratorType = "TRIM_HORIZON"          // oldest retained record
	Latest              IteratorType = "LATEST"                // just after the newest record
	AtSequenceNumber    IteratorType = "AT_SEQUENCE_NUMBER"    // at the given sequence number
	AfterSequenceNumber IteratorType = "AFTER_SEQUENCE_NUMBER" // just after the given sequence number
	AtTimestamp         IteratorType = "AT_TIMESTAMP"          // first record arriving at or after a time
)

// StoredRecord is a record as read back.
type StoredRecord struct {
	SequenceNumber string
	PartitionKey   string
	Data           []byte
	ArrivalTime    time.Time // time the engine accepted the record, from its clock
}

// GetRecordsResult is the result of GetRecords.
type GetRecordsResult struct {
	Records []StoredRecord
	// NextShardIterator continues the read; "" when a closed shard has been read to its end.
	NextShardIterator string
	// MillisBehindLatest is how far the last returned record is behind the shard's newest record.
	MillisBehindLatest int64
	// ChildShards are the children of a closed shard once it has been read to its end.
	ChildShards []Shard
}

// Consumer is a registered enhanced fan-out consumer.
type Consumer struct {
	Name      string
	ARN       string // STREAMARN/consumer/NAME:UNIXSECONDS
	Status    string // always "ACTIVE"
	CreatedAt time.Time
	StreamARN string
}

// SubscribeEvent is one push to an enhanced fan-out subscriber. Err is set on the last event when
// the subscription ends abnormally (for example a deleted stream).
type SubscribeEvent struct {
	Records                    []StoredRecord
	ContinuationSequenceNumber string
	MillisBehindLatest         int64
	ChildShards                []Shard
	Err                        error
}

// RecoveryReport tells what Open found in the data directory.
type RecoveryReport struct {
	Shards []ShardRecovery // one entry per shard found on disk
}

// ShardRecovery is the recovery outcome of one shard.
type ShardRecovery struct {
	Stream          string
	ShardID         string
	Segments        int    // segment files scanned
	Records         int64  // records recovered
	TornFile        string // the newest segment whose torn tail was dropped ("" when none was)
	TornOffset      int64  // byte where the dropped tail started
	DroppedBytes    int64  // torn tail bytes truncated
	DroppedRecords  int64  // frames started in the dropped tail (none of them complete)
	Reason          string // why bytes were dropped ("" when none were)
	ExpiredSegments int    // segments past retention whose deletion had been cut short, now deleted
	// SkippedFrom and SkippedTo are the sequence offsets [from, to) that may have been handed out
	// before a crash but are not on disk: they are never reused, new records start at SkippedTo.
	SkippedFrom, SkippedTo uint64
}

// DroppedBytes sums the tail bytes dropped over all shards.
func (r RecoveryReport) DroppedBytes() int64 {
	var n int64
	for _, s := range r.Shards {
		n += s.DroppedBytes
	}
	return n
}

// StreamStats holds per-shard counters of a stream.
type StreamStats struct {
	Stream string
	Shards []ShardStats
}

// ShardStats holds the counters of one shard.
type ShardStats struct {
	ShardID        string
	Open           bool
	Records        int64 // records currently retained
	Bytes          int64 // payload plus partition key bytes currently retained
	Appended       int64 // records appended since Open
	WriteThrottles int64 // records refused by the write limits since Open
	ReadThrottles  int64 // GetRecords calls refused by the read limits since Open
	EFOThrottles   int64 // subscription waits caused by the per-consumer limit since Open
	CorruptFrames  int64 // reads that met a frame failing its checksum since Open
	WriteFailures  int64 // failed segment writes (each discarded unacknowledged records) since Open
	Evicted        int64 // records dropped before their retention ended to stay within MaxMemoryBytes
}
