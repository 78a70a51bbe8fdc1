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
	files    *fileCache
	lock     *os.File                           // flock on Dir/LOCK while open
	streams  atomic.Pointer[map[string]*stream] // copy-on-write; replaced under mu
	mu       sync.Mutex                         // serializes stream creation and deletion
	recovery RecoveryReport
	closed   atomic.Bool
	quota    quotaState   // control-plane quotas (quotas.go)
	iterKey  []byte       // authenticates shard iterators (iterator.go)
	chunks   *chunkPool   // memory-mode segment memory (memchunk.go); nil on disk
	memBytes atomic.Int64 // memory-mode segment buffer bytes held (capacity), for MaxMemoryBytes
	evicting atomic.Bool  // the first eviction was logged
}

// MinMaxMemoryBytes is the smallest Options.MaxMemoryBytes: room for a few segments per shard.
const MinMaxMemoryBytes = 64 << 20

// What CheckMaxMemory finds wrong with a memory bound.
var (
	ErrMaxMemoryOnDisk   = errors.New("a memory bound applies only to an in-memory engine")
	ErrMaxMemoryTooSmall = errors.New("a memory bound must be at least MinMaxMemoryBytes")
)

// CheckMaxMemory is the rule for Options.MaxMemoryBytes: 0 (unbounded), or at least
// MinMaxMemoryBytes on an in-memory engine. It returns nil, ErrMaxMemoryOnDisk or
// ErrMaxMemoryTooSmall, so a caller checking its own flags before Open words the error for them.
func CheckMaxMemory(maxBytes int64, inMemory bool) error {
	switch {
	case maxBytes != 0 && !inMemory:
		return ErrMaxMemoryOnDisk
	case maxBytes != 0 && maxBytes < MinMaxMemoryBytes:
		return ErrMaxMemoryTooSmall
	}
	return nil
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// normalize fills defaults into opts and validates it.
func (o Options) normalize() (Options, error) {
	if o.Dir == "" && !o.InMemory {
		return o, errors.New("engine options: dir is empty: set a data directory or InMemory")
	}
	switch err := CheckMaxMemory(o.MaxMemoryBytes, o.InMemory); {
	case errors.Is(err, ErrMaxMemoryOnDisk):
		return o, fmt.Errorf("engine options: max memory %d bytes: applies only to an in-memory engine", o.MaxMemoryBytes)
	case errors.Is(err, ErrMaxMemoryTooSmall):
		return o, fmt.Errorf("engine options: max memory %d bytes: must be at least %d (64 MiB), or 0 for unbounded", o.MaxMemoryBytes, MinMaxMemoryBytes)
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
	switch {
	case o.MaxOpenFiles == 0:
		o.MaxOpenFiles = DefaultMaxOpenFiles
	case o.MaxOpenFiles < minMaxOpenFiles:
		return o, fmt.Errorf("engine options: max open files %d: must be at least %d", o.MaxOpenFiles, minMaxOpenFiles)
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
// found there under the recovery policy of docs/engine.md. Only a torn tail of a shard's newest
// segment is dropped, and reported by Recovery; any other damage makes Open fail with a
// *DamageError that names each damaged file and offset, having changed nothing.
func Open(opts Options) (*Engine, error) {
	o, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	e := &Engine{opts: o, limits: o.Limits, clock: o.Clock, log: o.Logger, crc: newCRCTable(), files: newFileCache(o.MaxOpenFiles), iterKey: newIteratorKey()}
	if o.InMemory {
		e.chunks = newChunkPool(memSegmentBytes)
	}
	m := map[string]*stream{}
	e.streams.Store(&m)
	if o.InMemory {
		o.Dir = ""
		e.opts.Dir = ""
		return e, nil
	}
	if err := os.MkdirAll(e.streamsDir(), dirPerm); err != nil {
		return nil, fmt.Errorf("open engine: %w", err)
	}
	lock, err := lockDir(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("open engine: %w", err)
	}
	e.lock = lock
	ok := false
	defer func() {
		if !ok {
			e.unlock()
		}
	}()
	if e.iterKey, err = e.loadIteratorKey(); err != nil {
		return nil, fmt.Errorf("open engine: %w", err)
	}
	// Deleted streams on their way out, and streams whose creation never completed (no record
	// was ever acknowledged in them).
	for _, d := range []string{e.trashDir(), e.stagingDir()} {
		if err := os.RemoveAll(d); err != nil {
			return nil, fmt.Errorf("open engine: clear %s: %w", d, err)
		}
	}
	tighten(e.streamsDir(), dirPerm)
	scan, err := scanDataDir(o.Dir, e.crc, e.clock.Now())
	if err != nil {
		return nil, fmt.Errorf("open engine: %w", err)
	}
	if len(scan.damage) > 0 {
		return nil, &DamageError{Dir: o.Dir, Damage: scan.damage}
	}
	for _, ss := range scan.streams {
		s, err := e.loadStream(ss)
		if err != nil {
			_ = e.Close()
			return nil, fmt.Errorf("open engine: recover stream %s: %w", ss.name, err)
		}
		m[s.name] = s
	}
	sort.Slice(e.recovery.Shards, func(i, j int) bool {
		a, b := e.recovery.Shards[i], e.recovery.Shards[j]
		return a.Stream < b.Stream || a.Stream == b.Stream && a.ShardID < b.ShardID
	})
	ok = true
	return e, nil
}

// unlock releases the data directory's lock.
func (e *Engine) unlock() {
	if e.lock != nil {
		_ = e.lock.Close()
		e.lock = nil
	}
}

func (e *Engine) streamsDir() string { return filepath.Join(e.opts.Dir, "streams") }
func (e *Engine) trashDir() string   { return filepath.Join(e.opts.Dir, "trash") }
func (e *Engine) stagingDir() string { return filepath.Join(e.opts.Dir, "staging") }

// loadStream builds a stream from a scan that found no damage: it finishes retention deletes
// that were cut short, truncates torn tails, and makes numbering resume above every number that
// may have been handed out.
func (e *Engine) loadStream(ss *streamScan) (*stream, error) {
	m := ss.meta
	s := &stream{
		e: e, name: m.Name, arn: arnPrefix + m.Name, dir: ss.dir, createdAt: m.CreatedAt,
		maxRecord: m.MaxRecordSize, byID: map[string]*shard{}, consumers: m.Consumers,
	}
	s.retention.Store(int64(time.Duration(m.RetentionHours) * time.Hour))
	for _, sc := range ss.shards {
		sm := sc.meta
		start, _ := parseHashKey(sm.StartHashKey)
		end, _ := parseHashKey(sm.EndHashKey)
		sh := newShard(e, s, sc.index, sc.dir, start, end, e.clock.Now())
		sh.parent, sh.adjParent, sh.closed, sh.children = sm.Parent, sm.AdjacentParent, sm.Closed, sm.Children
		rep, err := sh.load(sc)
		rep.Stream = s.name
		e.recovery.Shards = append(e.recovery.Shards, rep)
		if err != nil {
			return nil, fmt.Errorf("shard %s: %w", sh.id, err)
		}
		if rep.DroppedBytes > 0 || rep.SkippedTo > rep.SkippedFrom {
			e.log.Warn("recovery dropped a torn tail", "stream", s.name, "shard", sh.id, "file", rep.TornFile,
				"byte", rep.TornOffset, "bytes", rep.DroppedBytes, "records", rep.DroppedRecords, "reason", rep.Reason,
				"skipped_offsets_from", rep.SkippedFrom, "skipped_offsets_to", rep.SkippedTo)
		}
		s.shards = append(s.shards, sh)
		s.byID[sh.id] = sh
	}
	s.rebuildOpenLocked()
	// Data written by an older engine (0755/0644) is made private like new data.
	tighten(ss.dir, dirPerm)
	tighten(filepath.Join(ss.dir, metaFileName), filePerm)
	for _, sc := range ss.shards {
		if sc.dirMissing {
			continue
		}
		tighten(sc.dir, dirPerm)
		tighten(filepath.Join(sc.dir, stateFileName), filePerm)
		for _, g := range sc.segs {
			tighten(g.path, filePerm)
		}
	}
	if ss.clean != nil {
		// The clean-shutdown record is valid only until the first write: remove it durably now.
		if err := os.Remove(filepath.Join(ss.dir, cleanFileName)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		if err := syncDir(ss.dir); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// load builds the shard from its scan.
func (sh *shard) load(sc *shardScan) (ShardRecovery, error) {
	rep := ShardRecovery{ShardID: sh.id, Segments: len(sc.segs)}
	if sc.dirMissing { // a closed shard that never held a record
		sh.next, sh.first, sh.visible, sh.endOff = 1, 1, 1, 1
		sh.state = shardState{Version: stateVersion, First: 1, Reserved: 1}
		return rep, nil
	}
	st := sc.state
	stateDirty := !sc.hasState || sc.stateDirty
	if g := sc.torn; g != nil {
		f, err := os.OpenFile(g.path, os.O_RDWR, 0)
		if err != nil {
			return rep, err
		}
		err = f.Truncate(g.res.valid)
		if err == nil {
			err = fdatasync(f)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return rep, fmt.Errorf("truncate torn tail of %s: %w", g.path, err)
		}
		rep.TornFile, rep.TornOffset = g.path, g.res.valid
		rep.DroppedBytes, rep.DroppedRecords = g.size-g.res.valid, g.tornRecords
		rep.Reason = fmt.Sprintf("%s: %s", segmentName(g.base), g.res.problem)
		g.size = g.res.valid
	}
	for _, g := range sc.tornEmpty {
		// Newer than every record, without one intact frame: nothing in it was acknowledged.
		if err := os.Remove(g.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return rep, err
		}
		if g.size == 0 {
			// An empty file (a roll just before a crash, or what repair left of a segment whose
			// first frame was damaged) held nothing: removing it drops nothing.
			continue
		}
		rep.DroppedBytes += g.size
		if rep.TornFile == "" {
			rep.TornFile, rep.TornOffset = g.path, 0
		}
		rep.Reason = strings.TrimPrefix(rep.Reason+"; ", "; ") + fmt.Sprintf("%s: no intact frame (%d bytes)", segmentName(g.base), g.size)
	}
	for _, g := range sc.segs {
		seg := &segment{base: g.base, pos: g.res.pos, ts: g.res.ts, size: g.res.valid, flushed: g.res.valid, path: g.path}
		sh.segs = append(sh.segs, seg)
		sh.bytes += g.res.valid - int64(len(g.res.pos))*(frameHeaderLen+bodyFixedLen)
		rep.Records += int64(len(g.res.pos))
		if n := len(g.res.ts); n > 0 {
			sh.lastTS = max(sh.lastTS, g.res.ts[n-1])
		}
	}
	sh.next = sc.next
	if sc.hwm > sc.next {
		// Numbers from next to hwm may have been handed out (acknowledged, then lost with a torn
		// tail or by hand): they are skipped, never reused. A range repair already recorded as a
		// gap (and listed in its report) is skipped as well, but is not news to report again.
		if !st.covered(sc.next, sc.hwm) {
			rep.SkippedFrom, rep.SkippedTo = sc.next, sc.hwm
			st.addGap(sc.next, sc.hwm)
			stateDirty = true
		}
		sh.next = sc.hwm
	}
	st.Reserved = max(st.Reserved, sh.next)
	if sh.closed {
		sh.endOff = max(sc.meta.EndOffset, sh.next)
		sh.next = sh.endOff
	} else if n := len(sh.segs); n == 0 || sh.segs[n-1].base+sh.segs[n-1].count() != sh.next {
		// The next record starts a new segment at the resumed number.
		if n > 0 && sh.segs[n-1].count() == 0 {
			last := sh.segs[n-1]
			if err := os.Remove(last.path); err != nil {
				return rep, err
			}
			sh.segs = sh.segs[:n-1]
		}
		if stateDirty {
			if err := sh.e.writeShardState(sh.dir, st); err != nil {
				return rep, err
			}
			stateDirty = false
		}
		if err := sh.createSegmentLocked(sh.next); err != nil {
			return rep, err
		}
	}
	if stateDirty {
		if err := sh.e.writeShardState(sh.dir, st); err != nil {
			return rep, err
		}
	}
	// Retention's deletes, once the first retained offset is durable.
	for _, g := range sc.expired {
		if err := os.Remove(g.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return rep, err
		}
		rep.ExpiredSegments++
	}
	st.prune()
	sh.state = st
	if len(sh.segs) > 0 {
		sh.first = sh.segs[0].base
	} else {
		sh.first = sh.next
	}
	sh.visible = sh.next
	return rep, nil
}

// Close flushes and fdatasyncs every segment, closes the files and records each shard's exact
// next offset (clean.json), so that a clean restart resumes numbering without a gap. Operations
// after Close fail. It is safe to call more than once.
func (e *Engine) Close() error {
	if e.closed.Swap(true) {
		return nil
	}
	var errs []error
	for _, s := range *e.streams.Load() {
		s.mu.Lock()
		clean := map[string]uint64{}
		allOK := true
		for _, sh := range s.shards {
			next, ok, err := sh.closeFiles("engine is closed")
			errs = append(errs, err)
			clean[shardDirName(sh.index)] = next
			allOK = allOK && ok
		}
		if s.dir != "" && allOK && !s.deleted {
			if b, err := json.Marshal(clean); err == nil {
				errs = append(errs, e.writeMetadata(s.dir, cleanFileName, b))
			}
		}
		s.mu.Unlock()
	}
	e.unlock()
	return errors.Join(errs...)
}

// Recovery reports what Open found and repaired, one entry per shard on disk (empty in memory mode).
func (e *Engine) Recovery() RecoveryReport {
	return RecoveryReport{Shards: append([]ShardRecovery(nil), e.recovery.Shards...)}
}

// tighten removes permission bits beyond want from path (best effort: a file the engine cannot
// chmod still works).
func tighten(path string, want os.FileMode) {
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&^want != 0 {
		_ = os.Chmod(path, fi.Mode().Perm()&want)
	}
}
