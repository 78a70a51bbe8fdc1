package engine

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// A shard iterator is opaque to clients: base64url of
//
//	version u8 | issued unix nanos i64 | offset u64 | shard index u32 | stream created unix nanos i64 |
//	stream name | HMAC-SHA256 of everything before, truncated to 16 bytes
//
// The MAC is keyed with a random key, so an iterator cannot be forged or edited — a made-up issue
// date that would never expire, a shard or offset of one's choosing — and such an iterator fails
// with InvalidArgumentException instead of reading somewhere else. A durable engine keeps its key
// in its data directory (iteratorKeyFile), so iterators survive a restart as Kinesis iterators
// survive a service deploy: a consumer that was reading goes on reading, within the 5 minutes an
// iterator lives. An in-memory engine draws a new key each time it opens (its streams are gone).

const (
	iterVersion  = 2
	iterFixedLen = 1 + 8 + 8 + 4 + 8
	iterMACLen   = 16
)

// iteratorKeyFile holds a durable engine's iterator key (32 random bytes, mode 0600).
const iteratorKeyFile = "iterator.key"

// loadIteratorKey reads the data directory's iterator key, or draws one and saves it when there
// is none. A key file of the wrong size is replaced, with a warning: it holds no record, and the
// only loss is that iterators issued before no longer verify.
func (e *Engine) loadIteratorKey() ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(e.opts.Dir, iteratorKeyFile))
	switch {
	case err == nil && len(b) == iteratorKeyLen:
		return b, nil
	case err == nil:
		e.log.Warn("iterator key file has the wrong size: replacing it; iterators issued before no longer verify",
			"file", filepath.Join(e.opts.Dir, iteratorKeyFile), "bytes", len(b), "want", iteratorKeyLen)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read iterator key: %w", err)
	}
	k := newIteratorKey()
	if err := writeFileAtomic(e.opts.Dir, iteratorKeyFile, k); err != nil {
		return nil, fmt.Errorf("save iterator key: %w", err)
	}
	return k, nil
}

// iteratorKeyLen is the iterator key's size in bytes.
const iteratorKeyLen = 32

// newIteratorKey draws the key an Engine authenticates its iterators with.
func newIteratorKey() []byte {
	k := make([]byte, iteratorKeyLen)
	_, _ = rand.Read(k) // never fails (crypto/rand panics instead)
	return k
}

func iteratorMAC(key, b []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(b)
	return m.Sum(nil)[:iterMACLen]
}

type iterator struct {
	issued  int64
	offset  uint64
	shard   int
	created int64
	stream  string
}

func (it iterator) encode(key []byte) string {
	b := make([]byte, 0, iterFixedLen+len(it.stream)+iterMACLen)
	b = append(b, iterVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(it.issued))
	b = binary.BigEndian.AppendUint64(b, it.offset)
	b = binary.BigEndian.AppendUint32(b, uint32(it.shard))
	b = binary.BigEndian.AppendUint64(b, uint64(it.created))
	b = append(b, it.stream...)
	b = append(b, iteratorMAC(key, b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeIterator(s string, key []byte) (iterator, error) {
	bad := func(why string) error {
		shown := s
		if len(shown) > 64 {
			shown = shown[:64] + "…"
		}
		return errorf(ErrInvalidArgument, "shard iterator %q: %s; pass an iterator returned by GetShardIterator or GetRecords", shown, why)
	}
	if len(s) > 1024 {
		return iterator{}, bad("longer than 1024 characters")
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return iterator{}, bad("not base64url")
	}
	if len(b) < iterFixedLen+1+iterMACLen || b[0] != iterVersion {
		return iterator{}, bad("malformed")
	}
	n := len(b) - iterMACLen
	if !hmac.Equal(iteratorMAC(key, b[:n]), b[n:]) {
		return iterator{}, bad("not issued by this server (authentication failed)")
	}
	return iterator{
		issued:  int64(binary.BigEndian.Uint64(b[1:9])),
		offset:  binary.BigEndian.Uint64(b[9:17]),
		shard:   int(binary.BigEndian.Uint32(b[17:21])),
		created: int64(binary.BigEndian.Uint64(b[21:29])),
		stream:  string(b[29:n]),
	}, nil
}

// startOffset resolves an iterator type to a shard offset. Caller holds no shard lock.
func (sh *shard) startOffset(typ IteratorType, seq string, ts time.Time) (uint64, error) {
	switch typ {
	case TrimHorizon:
		sh.mu.RLock()
		defer sh.mu.RUnlock()
		return sh.first, nil
	case Latest:
		sh.mu.RLock()
		defer sh.mu.RUnlock()
		return sh.visible, nil
	case AtSequenceNumber, AfterSequenceNumber:
		idx, off, ok := parseSeq(seq)
		if !ok {
			return 0, errorf(ErrInvalidArgument, "starting sequence number %q: must be a %d-digit sequence number returned by this engine", seq, seqLen)
		}
		if idx != sh.index {
			return 0, errorf(ErrInvalidArgument, "starting sequence number %s belongs to %s, not %s", seq, shardID(idx), sh.id)
		}
		if typ == AfterSequenceNumber {
			off++
		}
		off = max(off, 1)
		sh.mu.RLock()
		defer sh.mu.RUnlock()
		if last := sh.next - 1; off > sh.next {
			return 0, errorf(ErrInvalidArgument, "starting sequence number %s: beyond the newest record of %s (%s)", seq, sh.id, formatSeq(sh.index, last))
		}
		return off, nil
	case AtTimestamp:
		if ts.IsZero() {
			return 0, errorf(ErrInvalidArgument, "timestamp: required for iterator type %s", AtTimestamp)
		}
		return sh.offsetAtTime(ts), nil
	}
	return 0, errorf(ErrValidation, "shard iterator type %q: must be one of TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP", typ)
}

// maybeRetain applies retention to the shard if it has not been checked for a second of engine time.
func (sh *shard) maybeRetain(now time.Time) {
	sh.mu.Lock()
	if !sh.deleted && now.Sub(sh.lastRetention) >= retentionCheckEvery {
		sh.retainLocked(now, sh.st.retentionDur())
	}
	sh.mu.Unlock()
}

// GetShardIterator returns an iterator into one shard, valid for 5 minutes. For AT_SEQUENCE_NUMBER
// and AFTER_SEQUENCE_NUMBER seq must be a sequence number of that shard; for AT_TIMESTAMP ts is
// the arrival time to start at.
func (e *Engine) GetShardIterator(stream, shardID string, typ IteratorType, seq string, ts time.Time) (string, error) {
	s, err := e.lookup(stream)
	if err != nil {
		return "", err
	}
	s.mu.RLock()
	sh, err := s.shardLocked(shardID)
	s.mu.RUnlock()
	if err != nil {
		return "", err
	}
	now := e.clock.Now()
	sh.maybeRetain(now)
	off, err := sh.startOffset(typ, seq, ts)
	if err != nil {
		return "", err
	}
	return iterator{issued: now.UnixNano(), offset: off, shard: sh.index, created: s.createdAt.UnixNano(), stream: s.name}.encode(e.iterKey), nil
}

// GetRecords reads up to limit records (0 means the maximum, 10 000; at most 10 MiB) from an
// iterator. With limits on, each shard allows 5 calls and 2 MiB per second across all readers; a
// call past them fails with ProvisionedThroughputExceededException, and a large read puts the shard
// in debt so that following calls fail until it is repaid. At the end of a closed shard
// NextShardIterator is "" and ChildShards lists its children.
func (e *Engine) GetRecords(iter string, limit int) (GetRecordsResult, error) {
	return e.GetRecordsInto(iter, limit, nil)
}

// ReadBuffers is memory an in-process reader lends GetRecordsInto for a read's records and their
// bytes, and passes again once it is done with them. A reader that polls a busy shard then copies
// each record into memory it already touched instead of fresh memory on every call; on a machine
// whose fresh pages fault slowly that is most of a read's cost, and the garbage it leaves is what
// makes the collector run during a measurement.
type ReadBuffers struct {
	// Data holds the records' bytes and Records the records of the last read; both grow as needed.
	Data    []byte
	Records []StoredRecord
}

// GetRecordsInto is GetRecords with the records and their Data placed in bufs (nil: fresh memory,
// as GetRecords). The result's records are valid until bufs is passed to the next read.
func (e *Engine) GetRecordsInto(iter string, limit int, bufs *ReadBuffers) (GetRecordsResult, error) {
	if limit < 0 || limit > e.limits.MaxGetRecordsCount {
		return GetRecordsResult{}, errorf(ErrInvalidArgument, "limit %d: must be between 1 and %d", limit, e.limits.MaxGetRecordsCount)
	}
	if limit == 0 {
		limit = e.limits.MaxGetRecordsCount
	}
	it, err := decodeIterator(iter, e.iterKey)
	if err != nil {
		return GetRecordsResult{}, err
	}
	now := e.clock.Now()
	if age := now.Sub(time.Unix(0, it.issued)); age > iteratorLifetime {
		return GetRecordsResult{}, errorf(ErrExpiredIterator, "Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of %d milliseconds.",
			time.Unix(0, it.issued).UTC().Format(time.RFC3339Nano), now.UTC().Format(time.RFC3339Nano), iteratorLifetime.Milliseconds())
	}
	s, err := e.lookup(it.stream)
	if err != nil {
		return GetRecordsResult{}, err
	}
	if s.createdAt.UnixNano() != it.created {
		return GetRecordsResult{}, errorf(ErrResourceNotFound, "stream %s was deleted and created again since the iterator was issued", it.stream)
	}
	s.mu.RLock()
	if it.shard >= len(s.shards) {
		s.mu.RUnlock()
		return GetRecordsResult{}, errorf(ErrResourceNotFound, "shard %s in stream %s under account %s not found", shardID(it.shard), s.name, accountID)
	}
	sh := s.shards[it.shard]
	s.mu.RUnlock()
	sh.maybeRetain(now)
	limits := !e.opts.LimitsOff
	if limits {
		sh.mu.Lock()
		ok := sh.rCalls.fits(now, 1) && sh.rBytes.positive(now)
		if ok {
			sh.rCalls.take(1)
		}
		sh.mu.Unlock()
		if !ok {
			sh.rThrottles.Add(1)
			return GetRecordsResult{}, throttled(sh, s.name)
		}
	}
	res, err := sh.read(it.offset, limit, e.limits.MaxGetRecordsBytes, bufs)
	if err != nil {
		return GetRecordsResult{}, err
	}
	if limits && res.bytes > 0 {
		sh.mu.Lock()
		sh.rBytes.take(float64(res.bytes))
		sh.mu.Unlock()
	}
	out := GetRecordsResult{Records: res.recs}
	if n := len(res.recs); n > 0 && res.next < res.visible {
		out.MillisBehindLatest = max(0, now.Sub(res.recs[n-1].ArrivalTime).Milliseconds())
	}
	if res.done {
		out.ChildShards = s.childShards(res.children)
		return out, nil
	}
	it.offset, it.issued = res.next, now.UnixNano()
	out.NextShardIterator = it.encode(e.iterKey)
	return out, nil
}

// childShards describes the shards with the given IDs.
func (s *stream) childShards(ids []string) []Shard {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Shard, 0, len(ids))
	for _, id := range ids {
		if c, ok := s.byID[id]; ok {
			out = append(out, c.description())
		}
	}
	return out
}
