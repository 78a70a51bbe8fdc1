package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for Options.
const (
	// DefaultFsyncInterval is the default group-commit window.
	DefaultFsyncInterval = 2 * time.Millisecond
	// DefaultSegmentBytes is the default segment size (64 MiB).
	DefaultSegmentBytes = 64 << 20
	minSegmentBytes     = 4 << 10
	maxSegmentBytes     = 1 << 30
)

// Engine is a set of streams backed by one data directory, or by memory. It is safe for concurrent
// use; Close it to flush and release its files.
type Engine struct {
	opts     Options
	limits   Limits
	clock    Clock
	log      *slog.Logger
	crc      *crc32.Table
	streams  atomic.Pointer[map[string]*stream] // copy-on-write; replaced under mu
	mu       sync.Mutex                         // serializes stream creation and deletion
	recovery RecoveryReport
	closed   atomic.Bool
	quota    quotaState // control-plane quotas (quotas.go)
	iterKey  []byte     // authenticates shard iterators (iterator.go)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// normalize fills defaults into opts and validates it.
func (o Options) normalize() (Options, error) {
	if o.Dir == "" && !o.InMemory {
		return o, errors.New("engine options: dir is empty: set a data directory or InMemory")
	}
	p, err := ParseFsyncPolicy(string(o.Fsync))
	if err != nil {
		return o, fmt.Errorf("engine options: %w", err)
	}
	o.Fsync = p
	switch {
	case o.FsyncInterval == 0:
		o.FsyncInterval = DefaultFsyncInterval
	case o.FsyncInterval < 0 || o.FsyncInterval > time.Second:
		return o, fmt.Errorf("engine options: fsync interval %v: must be between 0s and 1s", o.FsyncInterval)
	}
	switch {
	case o.SegmentBytes == 0:
		o.SegmentBytes = DefaultSegmentBytes
	case o.SegmentBytes < minSegmentBytes || o.SegmentBytes > maxSegmentBytes:
		return o, fmt.Errorf("engine options: segment bytes %d: must be between %d and %d", o.SegmentBytes, minSegmentBytes, maxSegmentBytes)
	}
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits()
	}
	if err := o.Limits.validate(); err != nil {
		return o, fmt.Errorf("engine options: %w", err)
	}
	if o.Quotas == (Quotas{}) {
		o.Quotas = DefaultQuotas()
	}
	if err := o.Quotas.validate(); err != nil {
		return o, fmt.Errorf("engine options: %w", err)
	}
	if o.Clock == nil {
		o.Clock = realClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

func (l Limits) validate() error {
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"write_bytes_per_sec", l.WriteBytesPerSec}, {"write_records_per_sec", l.WriteRecordsPerSec},
		{"read_bytes_per_sec", l.ReadBytesPerSec}, {"read_calls_per_sec", l.ReadCallsPerSec},
		{"efo_bytes_per_sec", l.EFOBytesPerSec}, {"max_get_records_count", int64(l.MaxGetRecordsCount)},
		{"max_get_records_bytes", l.MaxGetRecordsBytes},
	} {
		if f.v <= 0 {
			return fmt.Errorf("limits.%s %d: must be > 0 (start from DefaultLimits)", f.name, f.v)
		}
	}
	return nil
}

// Open opens the engine: in memory, or in opts.Dir (created if missing), recovering every stream
// found there. Torn or corrupt segment tails are truncated and reported by Recovery.
func Open(opts Options) (*Engine, error) {
	o, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	e := &Engine{opts: o, limits: o.Limits, clock: o.Clock, log: o.Logger, crc: newCRCTable(), iterKey: newIteratorKey()}
	m := map[string]*stream{}
	e.streams.Store(&m)
	if o.InMemory {
		o.Dir = ""
		e.opts.Dir = ""
		return e, nil
	}
	if err := os.MkdirAll(e.streamsDir(), 0o755); err != nil {
		return nil, fmt.Errorf("open engine: %w", err)
	}
	if err := os.RemoveAll(e.trashDir()); err != nil {
		return nil, fmt.Errorf("open engine: clear trash: %w", err)
	}
	entries, err := os.ReadDir(e.streamsDir())
	if err != nil {
		return nil, fmt.Errorf("open engine: %w", err)
	}
	for _, ent := range entries {
		if !ent.IsDir() {
			continue
		}
		s, err := e.recoverStream(filepath.Join(e.streamsDir(), ent.Name()))
		if err != nil {
			_ = e.Close()
			return nil, fmt.Errorf("open engine: recover stream %s: %w", ent.Name(), err)
		}
		if s != nil {
			m[s.name] = s
		}
	}
	sort.Slice(e.recovery.Shards, func(i, j int) bool {
		a, b := e.recovery.Shards[i], e.recovery.Shards[j]
		return a.Stream < b.Stream || a.Stream == b.Stream && a.ShardID < b.ShardID
	})
	return e, nil
}

func (e *Engine) streamsDir() string { return filepath.Join(e.opts.Dir, "streams") }
func (e *Engine) trashDir() string   { return filepath.Join(e.opts.Dir, "trash") }

// recoverStream loads one stream directory; it returns nil for a directory without metadata
// (a creation interrupted by a crash), which it removes.
func (e *Engine) recoverStream(dir string) (*stream, error) {
	b, err := os.ReadFile(filepath.Join(dir, metaFileName))
	if errors.Is(err, os.ErrNotExist) {
		e.log.Warn("removing stream directory without metadata", "dir", dir)
		return nil, os.RemoveAll(dir)
	}
	if err != nil {
		return nil, err
	}
	var m streamMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", metaFileName, err)
	}
	if m.Version != metaVersion {
		return nil, fmt.Errorf("%s: version %d: this engine reads version %d", metaFileName, m.Version, metaVersion)
	}
	s := &stream{
		e: e, name: m.Name, arn: arnPrefix + m.Name, dir: dir, createdAt: m.CreatedAt,
		maxRecord: m.MaxRecordSize, byID: map[string]*shard{}, consumers: m.Consumers,
	}
	s.retention.Store(int64(time.Duration(m.RetentionHours) * time.Hour))
	known := map[string]bool{}
	for idx, sm := range m.Shards {
		start, ok1 := parseHashKey(sm.StartHashKey)
		end, ok2 := parseHashKey(sm.EndHashKey)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%s: shard %d: bad hash key range [%q, %q]", metaFileName, idx, sm.StartHashKey, sm.EndHashKey)
		}
		sdir := filepath.Join(dir, shardDirName(idx))
		known[shardDirName(idx)] = true
		sh := newShard(e, s, idx, sdir, start, end, e.clock.Now())
		sh.parent, sh.adjParent, sh.closed, sh.children = sm.Parent, sm.AdjacentParent, sm.Closed, sm.Children
		rep, err := sh.recover(sm.EndOffset)
		rep.Stream = s.name
		e.recovery.Shards = append(e.recovery.Shards, rep)
		if err != nil {
			return nil, err
		}
		if rep.DroppedBytes > 0 {
			e.log.Warn("recovery dropped a torn or corrupt tail", "stream", s.name, "shard", sh.id,
				"bytes", rep.DroppedBytes, "reason", rep.Reason)
		}
		s.shards = append(s.shards, sh)
		s.byID[sh.id] = sh
	}
	s.rebuildOpenLocked()
	// Remove shard directories of reshards interrupted before their metadata was saved.
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, ent := range ents {
		if ent.IsDir() && strings.HasPrefix(ent.Name(), "shard-") && !known[ent.Name()] {
			_ = os.RemoveAll(filepath.Join(dir, ent.Name()))
		}
	}
	return s, nil
}

// recover scans the shard's segment files, truncating a torn or corrupt tail. endOff is the
// persisted end of a closed shard, used when retention has removed all of its segments.
func (sh *shard) recover(endOff uint64) (ShardRecovery, error) {
	rep := ShardRecovery{ShardID: sh.id}
	if err := os.MkdirAll(sh.dir, 0o755); err != nil {
		return rep, err
	}
	ents, err := os.ReadDir(sh.dir)
	if err != nil {
		return rep, err
	}
	var bases []uint64
	for _, ent := range ents {
		name := ent.Name()
		if ent.IsDir() || !strings.HasSuffix(name, ".seg") {
			continue
		}
		b, err := strconv.ParseUint(strings.TrimSuffix(name, ".seg"), 10, 64)
		if err != nil {
			continue
		}
		bases = append(bases, b)
	}
	sort.Slice(bases, func(i, j int) bool { return bases[i] < bases[j] })
	var stop bool
	for _, base := range bases {
		path := filepath.Join(sh.dir, segmentName(base))
		if stop || (len(sh.segs) > 0 && base != sh.next) {
			if !stop {
				rep.Reason = fmt.Sprintf("segment %s starts at offset %d, want %d", segmentName(base), base, sh.next)
				stop = true
			}
			if fi, err := os.Stat(path); err == nil {
				rep.DroppedBytes += fi.Size()
			}
			if err := os.Remove(path); err != nil {
				return rep, err
			}
			continue
		}
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return rep, err
		}
		res, err := scanSegment(f, base, sh.e.crc)
		if err != nil {
			_ = f.Close()
			return rep, fmt.Errorf("scan %s: %w", path, err)
		}
		rep.Segments++
		if res.problem != "" {
			fi, err := f.Stat()
			if err != nil {
				_ = f.Close()
				return rep, err
			}
			rep.DroppedBytes += fi.Size() - res.valid
			rep.Reason = fmt.Sprintf("%s: %s", segmentName(base), res.problem)
			if err := f.Truncate(res.valid); err != nil {
				_ = f.Close()
				return rep, fmt.Errorf("truncate %s: %w", path, err)
			}
			if err := fdatasync(f); err != nil {
				_ = f.Close()
				return rep, err
			}
			stop = true
		}
		seg := &segment{base: base, pos: res.pos, ts: res.ts, size: res.valid, flushed: res.valid, path: path, f: f}
		sh.segs = append(sh.segs, seg)
		sh.bytes += res.valid - int64(len(res.pos))*(frameHeaderLen+bodyFixedLen)
		rep.Records += int64(len(res.pos))
		sh.next = res.next
		if n := len(res.ts); n > 0 {
			sh.lastTS = res.ts[n-1]
		}
	}
	switch {
	case len(sh.segs) > 0:
		sh.first = sh.segs[0].base
	case sh.closed:
		sh.next = max(endOff, 1)
		sh.first = sh.next
	default:
		if err := sh.createSegmentLocked(1); err != nil {
			return rep, err
		}
	}
	// Only an open shard's newest segment is written again; the others need no open file.
	for i, seg := range sh.segs {
		if sh.closed || i < len(sh.segs)-1 {
			if err := seg.seal(false); err != nil {
				return rep, err
			}
			seg.unsynced = false // recovery already synced what it changed
		}
	}
	sh.visible = sh.next
	if sh.closed {
		// Records past the recovered end were never acknowledged; the shard ends where its data ends.
		sh.endOff = sh.next
	}
	return rep, nil
}

// Close flushes and fdatasyncs every segment and closes the files. Operations after Close fail.
// It is safe to call more than once.
func (e *Engine) Close() error {
	if e.closed.Swap(true) {
		return nil
	}
	var errs []error
	for _, s := range *e.streams.Load() {
		s.mu.Lock()
		for _, sh := range s.shards {
			errs = append(errs, sh.closeFiles("engine is closed"))
		}
		s.mu.Unlock()
	}
	return errors.Join(errs...)
}

// Recovery reports what Open found and repaired, one entry per shard on disk (empty in memory mode).
func (e *Engine) Recovery() RecoveryReport {
	return RecoveryReport{Shards: append([]ShardRecovery(nil), e.recovery.Shards...)}
}
