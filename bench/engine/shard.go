package engine

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// shard is one shard of a stream: its hash-key range, lineage, segments and limit buckets.
//
// Lock order: stream.mu before shard.mu. Appends hold the stream's read lock (so resharding, which
// takes the write lock, never races a half-done append) and the shard's write lock while encoding;
// group-commit waiters hold neither while the fdatasync runs.
type shard struct {
	e         *Engine
	st        *stream
	index     int
	id        string
	seq       seqHead // constant head of this shard's sequence numbers
	dir       string  // "" in memory mode
	start     hashKey
	end       hashKey
	parent    string
	adjParent string

	mu        sync.RWMutex
	cond      *sync.Cond // on &mu: group-commit followers wait for the leader
	segs      []*segment
	first     uint64 // first retained offset
	next      uint64 // offset the next record gets
	visible   uint64 // records below this offset are acknowledged and readable
	closed    bool
	endOff    uint64   // next at close time: offsets below it belong to this shard
	children  []string // child shard IDs once closed
	deleted   bool
	pending   []chunk // encoded frames not yet written (interval policy)
	spare     []byte  // reusable pending buffer
	lastBatch int     // bytes in the last flush: the size of fresh pending buffers
	lastTS    int64   // arrival time of the newest record: arrival times never go backwards
	flushing  bool    // a group-commit leader is writing
	lastSync  time.Time
	err       error         // terminal error: the shard was closed with the engine or deleted
	notify    chan struct{} // closed when visible advances; created on demand
	bytes     int64         // retained key+data bytes
	state     shardState    // persisted numbering (disk mode): retained start, reservation, gaps
	// epoch counts rewinds: a failed write discards every record not yet acknowledged, and a
	// put waiting from an older epoch learns from rewinds whether its records survived.
	epoch   uint64
	rewinds []rewind
	// dirtyTail is set when a rewind could not truncate the active segment's file; appends
	// retry the truncation first.
	dirtyTail bool

	wRecs, wBytes, rCalls, rBytes bucket
	efo                           map[string]*efoState // per consumer ARN
	lastRetention                 time.Time

	appended, wThrottles, rThrottles, efoThrottles atomic.Int64
	corruptFrames, writeFailures, evicted          atomic.Int64
}

// rewind records that a failed write discarded the records from offset from on, ending epoch-1.
type rewind struct {
	epoch uint64 // the epoch it started
	from  uint64 // first discarded offset (the visible offset at the time)
	cause *Error
}

// maxRewinds bounds the rewinds a shard remembers; a put older than all of them is told it
// failed (its records may be present but are not acknowledged).
const maxRewinds = 64

// Memory-mode segment sizes: a memory segment starts at memInitialBytes and doubles up to
// memSegmentBytes (or SegmentBytes if smaller), then the shard rolls to a new one.
const (
	memInitialBytes = 64 << 10
	memSegmentBytes = 4 << 20
)

// chunk is a run of encoded frames for one segment awaiting a write.
type chunk struct {
	seg *segment
	buf []byte
}

// efoState is one enhanced fan-out consumer's state on a shard.
type efoState struct {
	bucket bucket
	active bool // a subscription is open
}

func newShard(e *Engine, st *stream, index int, dir string, start, end hashKey, now time.Time) *shard {
	l := e.limits
	sh := &shard{
		e: e, st: st, index: index, id: shardID(index), seq: newSeqHead(index), dir: dir, start: start, end: end,
		first: 1, next: 1, visible: 1,
		wRecs: newBucket(l.WriteRecordsPerSec, now), wBytes: newBucket(l.WriteBytesPerSec, now),
		rCalls: newBucket(l.ReadCallsPerSec, now), rBytes: newBucket(l.ReadBytesPerSec, now),
		efo: map[string]*efoState{}, lastRetention: now,
	}
	if e.opts.NoBurstCredit {
		sh.wRecs.tokens, sh.wBytes.tokens = 0, 0
	}
	sh.cond = sync.NewCond(&sh.mu)
	return sh
}

func shardID(index int) string { return fmt.Sprintf("shardId-%012d", index) }

func shardDirName(index int) string { return fmt.Sprintf("shard-%012d", index) }

// description returns the Kinesis view of the shard. Caller holds sh.mu (read or write).
func (sh *shard) descriptionLocked() Shard {
	d := Shard{
		ID: sh.id, ParentShardID: sh.parent, AdjacentParentShardID: sh.adjParent,
		StartingHashKey: sh.start.String(), EndingHashKey: sh.end.String(),
		StartingSequenceNumber: formatSeq(sh.index, 0),
	}
	if sh.closed {
		d.EndingSequenceNumber = formatSeq(sh.index, sh.endOff-1)
	}
	return d
}

func (sh *shard) description() Shard {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.descriptionLocked()
}

// createSegmentLocked starts a new, durable, empty segment at offset base and makes it the
// active one.
func (sh *shard) createSegmentLocked(base uint64) error {
	s := newSegment(sh.dir, base)
	if sh.dir != "" {
		f, err := os.OpenFile(s.path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, filePerm)
		if err != nil {
			return fmt.Errorf("create segment: %w", err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("create segment: %w", err)
		}
		if err := syncDir(sh.dir); err != nil {
			return err
		}
	}
	sh.segs = append(sh.segs, s)
	return nil
}

// sealLocked releases the file of a segment that will not be written again; under policy
// never it stays unsynced until Close.
func (sh *shard) sealLocked(s *segment) {
	if s.path == "" {
		return
	}
	sh.e.files.forget(s)
}

// reserveLocked makes sure n more offsets lie below the persisted reservation, so that a crash
// never lets numbering restart below a number already handed out.
func (sh *shard) reserveLocked(n int) error {
	if sh.dir == "" || sh.next+uint64(n) <= sh.state.Reserved {
		return nil
	}
	st := sh.state
	st.Reserved = sh.next + uint64(n) + reserveStep
	if err := sh.e.writeShardState(sh.dir, st); err != nil {
		return unavailable(fmt.Errorf("shard %s: reserve sequence numbers: %w", sh.id, err))
	}
	sh.state = st
	return nil
}

// pendingRecord is a validated record routed to this shard.
type pendingRecord struct {
	key  string
	data []byte
	size int64 // key + data bytes, what the limits count
}

// appendBatch appends recs in order. offs[i] receives each record's offset, or 0 when the write
// limits refused it. It returns the offset the caller must see acknowledged (0: nothing to wait for
// or already acknowledged) and the epoch to wait in. The caller holds the stream's read lock.
// A storage failure discards every record not yet acknowledged and returns a retryable
// ServiceUnavailable error; the shard keeps working once the disk does.
func (sh *shard) appendBatch(now time.Time, recs []pendingRecord, offs []uint64) (uint64, uint64, error) {
	e := sh.e
	sh.mu.Lock()
	defer sh.mu.Unlock()
	switch {
	case sh.deleted:
		return 0, 0, errorf(ErrResourceNotFound, "shard %s was deleted", sh.id)
	case sh.closed:
		return 0, 0, errorf(ErrResourceInUse, "shard %s is closed by a reshard; retry to reach its children", sh.id)
	case sh.err != nil:
		return 0, 0, sh.err
	}
	if sh.dirtyTail {
		if err := sh.cleanTailLocked(); err != nil {
			return 0, 0, err
		}
	}
	if err := sh.reserveLocked(len(recs)); err != nil {
		return 0, 0, err
	}
	if now.Sub(sh.lastRetention) >= time.Second {
		sh.retainLocked(now, sh.st.retentionDur())
	}
	// Arrival times are monotonic per shard even if the wall clock steps back, so that
	// AT_TIMESTAMP can binary-search them.
	ts := max(now.UnixNano(), sh.lastTS)
	sh.lastTS = ts
	limits := !e.opts.LimitsOff
	rollAt := e.opts.SegmentBytes
	if sh.dir == "" {
		// Memory segments stay small so that growing one never copies much.
		rollAt = min(rollAt, memSegmentBytes)
	}
	appended := 0
	for i, r := range recs {
		if limits {
			if !sh.wRecs.fits(now, 1) || !sh.wBytes.fits(now, float64(r.size)) {
				offs[i] = 0
				sh.wThrottles.Add(1)
				continue
			}
			sh.wRecs.take(1)
			sh.wBytes.take(float64(r.size))
		}
		flen := int64(frameHeaderLen + bodyFixedLen + len(r.key) + len(r.data))
		seg := sh.segs[len(sh.segs)-1]
		if seg.size > 0 && (seg.size+flen > rollAt || sh.dir == "" && seg.chunk == nil && seg.size+flen > int64(cap(seg.mem)) && cap(seg.mem) >= memGrowBytes) {
			if err := sh.createSegmentLocked(sh.next); err != nil {
				return 0, 0, sh.rewindLocked(err)
			}
			if seg.flushed == seg.size { // else sealed once its pending frames are written
				sh.sealLocked(seg)
			}
			seg = sh.segs[len(sh.segs)-1]
		}
		off := sh.next
		if sh.dir == "" {
			if need := seg.size + flen; int64(cap(seg.mem)) < need {
				held := int64(cap(seg.mem))
				switch {
				case seg.size == 0 && len(sh.segs) > 1 && rollAt == int64(e.chunks.size) && need <= rollAt:
					// A shard that has filled a segment gets pool chunks from then on.
					sh.evictLocked(int64(e.chunks.size))
					seg.chunk = e.chunks.get()
					seg.mem = seg.chunk.buf
				case len(sh.segs) > 1: // smaller segments (Options.SegmentBytes), or a record larger than a chunk
					sh.evictLocked(max(rollAt, need) - held)
					grown := make([]byte, len(seg.mem), max(rollAt, need))
					copy(grown, seg.mem)
					seg.mem = grown
				default: // the first segment grows by doubling, copying at most memGrowBytes
					c := min(max(need, 2*int64(cap(seg.mem)), memInitialBytes), max(rollAt, need))
					grown := make([]byte, len(seg.mem), c)
					copy(grown, seg.mem)
					seg.mem = grown
				}
				e.memBytes.Add(int64(cap(seg.mem)) - held)
			}
			seg.mem = appendFrame(seg.mem, e.crc, off, ts, r.key, r.data)
		} else {
			n := len(sh.pending)
			if n == 0 || sh.pending[n-1].seg != seg {
				buf := sh.spare[:0]
				sh.spare = nil
				if buf == nil {
					// Size a fresh buffer like the last batch so that it rarely grows.
					buf = make([]byte, 0, max(sh.lastBatch, 64<<10))
				}
				sh.pending = append(sh.pending, chunk{seg: seg, buf: buf})
				n++
			}
			sh.pending[n-1].buf = appendFrame(sh.pending[n-1].buf, e.crc, off, ts, r.key, r.data)
		}
		seg.pos = append(seg.pos, seg.size)
		seg.ts = append(seg.ts, ts)
		seg.size += flen
		sh.bytes += r.size
		sh.next++
		offs[i] = off
		appended++
	}
	if appended == 0 {
		return 0, 0, nil
	}
	sh.appended.Add(int64(appended))
	switch {
	case sh.dir == "":
		sh.advanceLocked(sh.next)
		return 0, 0, nil
	case e.opts.Fsync == FsyncInterval:
		return sh.next, sh.epoch, nil
	}
	if err := sh.flushLocked(e.opts.Fsync == FsyncAlways); err != nil {
		return 0, 0, err
	}
	return 0, 0, nil
}

// evictLocked makes room for need more bytes of segment memory within Options.MaxMemoryBytes
// by dropping this shard's oldest segments (never the one being written), as retention
// would: reads from TRIM_HORIZON start after them. It counts their records as evicted and
// logs the first eviction of the engine.
func (sh *shard) evictLocked(need int64) {
	e := sh.e
	limit := e.opts.MaxMemoryBytes
	if limit <= 0 {
		return
	}
	n, records := 0, int64(0)
	for n < len(sh.segs)-1 && e.memBytes.Load()+need > limit {
		s := sh.segs[n]
		records += int64(s.count())
		sh.dropSegmentLocked(s)
		n++
	}
	if n == 0 {
		return
	}
	sh.segs = sh.segs[n:]
	sh.first = sh.segs[0].base
	sh.evicted.Add(records)
	if e.evicting.CompareAndSwap(false, true) {
		e.log.Warn("in-memory engine at its memory limit: shards now drop their oldest records before their retention ends",
			"max_memory_bytes", limit, "shard", sh.id, "evicted_records", records)
	}
}

// advanceLocked makes records below v visible and wakes watchers.
func (sh *shard) advanceLocked(v uint64) {
	if v > sh.visible {
		sh.visible = v
		sh.wakeLocked()
	}
}

// wakeLocked wakes everything waiting in watchLocked.
func (sh *shard) wakeLocked() {
	if sh.notify != nil {
		close(sh.notify)
		sh.notify = nil
	}
}

// watchLocked returns a channel closed when visible next advances (or the shard is deleted).
func (sh *shard) watchLocked() <-chan struct{} {
	if sh.notify == nil {
		sh.notify = make(chan struct{})
	}
	return sh.notify
}

// writeChunks writes chunks to their segment files and, if sync, fdatasyncs every file touched.
func (e *Engine) writeChunks(chunks []chunk, flushed func(*segment) int64, sync bool) error {
	var last *segment
	for i, c := range chunks {
		if err := e.writeSegment(c.seg, c.buf, flushed(c.seg)); err != nil {
			return fmt.Errorf("write segment %s: %w", c.seg.path, err)
		}
		if sync && (i == len(chunks)-1 || chunks[i+1].seg != c.seg) && c.seg != last {
			if err := e.syncSegment(c.seg); err != nil {
				return fmt.Errorf("sync segment %s: %w", c.seg.path, err)
			}
			last = c.seg
		}
	}
	return nil
}

// flushLocked writes all pending frames (and syncs if asked) while holding the lock. On failure
// the unacknowledged records are discarded (see rewindLocked).
func (sh *shard) flushLocked(sync bool) error {
	chunks := sh.pending
	sh.pending = nil
	if err := sh.e.writeChunks(chunks, func(s *segment) int64 { return s.flushed }, sync); err != nil {
		return sh.rewindLocked(err)
	}
	sh.finishFlushLocked(chunks, sync)
	sh.advanceLocked(sh.next)
	return nil
}

func (sh *shard) finishFlushLocked(chunks []chunk, synced bool) {
	n := 0
	active := sh.segs[len(sh.segs)-1]
	for _, c := range chunks {
		c.seg.flushed += int64(len(c.buf))
		c.seg.unsynced = c.seg.unsynced || !synced
		n += len(c.buf)
		if c.seg != active && c.seg.flushed == c.seg.size {
			sh.sealLocked(c.seg)
		}
	}
	sh.lastBatch = min(n+n/4, 8<<20)
	if len(chunks) > 0 && (sh.spare == nil || cap(chunks[0].buf) > cap(sh.spare)) && cap(chunks[0].buf) <= 8<<20 {
		sh.spare = chunks[0].buf[:0]
	}
}

// rewindLocked handles a failed segment write or segment creation: it waits for a group-commit
// leader to finish, then discards every record at or above the visible offset (none of them was
// acknowledged), cuts the files back to the acknowledged bytes, and starts a new epoch so that the
// puts waiting for the discarded records fail. It returns the retryable error they get.
func (sh *shard) rewindLocked(cause error) error {
	for sh.flushing {
		sh.cond.Wait()
	}
	sh.writeFailures.Add(1)
	keep := sh.visible
	sh.pending = nil
	for len(sh.segs) > 1 && sh.segs[len(sh.segs)-1].base > keep {
		s := sh.segs[len(sh.segs)-1]
		sh.segs = sh.segs[:len(sh.segs)-1]
		sh.bytes -= s.size - int64(s.count())*(frameHeaderLen+bodyFixedLen)
		sh.e.files.forget(s)
		if err := os.Remove(s.path); err != nil && !os.IsNotExist(err) {
			sh.e.log.Warn("rewind: cannot remove a segment of unacknowledged records", "path", s.path, "err", err)
		}
	}
	active := sh.segs[len(sh.segs)-1]
	if keep > active.base {
		n := int(keep - active.base)
		if n < len(active.pos) {
			cut := active.pos[n]
			sh.bytes -= (active.size - cut) - int64(len(active.pos)-n)*(frameHeaderLen+bodyFixedLen)
			active.pos, active.ts, active.size = active.pos[:n], active.ts[:n], cut
		}
	} else {
		sh.bytes -= active.size - int64(active.count())*(frameHeaderLen+bodyFixedLen)
		active.pos, active.ts, active.size = active.pos[:0], active.ts[:0], 0
	}
	active.flushed = min(active.flushed, active.size)
	sh.next = keep
	sh.epoch++
	ee := unavailable(fmt.Errorf("shard %s: %w", sh.id, cause))
	sh.rewinds = append(sh.rewinds, rewind{epoch: sh.epoch, from: keep, cause: ee})
	if len(sh.rewinds) > maxRewinds {
		sh.rewinds = sh.rewinds[len(sh.rewinds)-maxRewinds:]
	}
	sh.dirtyTail = true
	if err := sh.cleanTailLocked(); err != nil {
		sh.e.log.Warn("rewind: cannot cut the segment back yet; retried on the next put", "shard", sh.id, "err", err)
	}
	sh.e.log.Warn("write failed: unacknowledged records discarded, shard continues", "stream", sh.st.name,
		"shard", sh.id, "from_offset", keep, "err", cause)
	sh.cond.Broadcast()
	return ee
}

// cleanTailLocked truncates the active segment's file to its acknowledged bytes after a rewind.
func (sh *shard) cleanTailLocked() error {
	active := sh.segs[len(sh.segs)-1]
	if active.path != "" {
		if err := sh.e.truncateSegment(active, active.size); err != nil {
			return unavailable(fmt.Errorf("shard %s: cut segment %s back to %d bytes after a failed write: %w", sh.id, active.path, active.size, err))
		}
		active.flushed = active.size
	}
	sh.dirtyTail = false
	return nil
}

// outcome tells a put waiting in epoch whether its records below target survived, by the first
// rewind since: records below its from were acknowledged before it.
func (sh *shard) outcomeLocked(target, epoch uint64) (done bool, err error) {
	if epoch == sh.epoch {
		return sh.visible >= target, nil
	}
	for _, r := range sh.rewinds {
		if r.epoch == epoch+1 {
			if target <= r.from {
				return true, nil
			}
			return true, r.cause
		}
	}
	return true, unavailable(fmt.Errorf("shard %s: a write failed while the put waited; it was not acknowledged", sh.id))
}

// commit waits until records below target are written and fdatasynced (group commit): the first
// waiter becomes the leader, waits until FsyncInterval has passed since the previous sync began so
// that more puts can join, then writes everything pending with one fdatasync per file.
func (sh *shard) commit(target, epoch uint64) error {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for {
		if done, err := sh.outcomeLocked(target, epoch); done {
			return err
		}
		switch {
		case sh.err != nil:
			return sh.err
		case sh.deleted:
			return errorf(ErrResourceNotFound, "shard %s was deleted before the put was acknowledged", sh.id)
		case sh.flushing:
			sh.cond.Wait()
			continue
		}
		sh.flushing = true
		if wait := time.Until(sh.lastSync.Add(sh.e.opts.FsyncInterval)); wait > 0 {
			sh.mu.Unlock()
			time.Sleep(wait)
			sh.mu.Lock()
		}
		chunks, upto := sh.pending, sh.next
		sh.pending = nil
		sh.lastSync = time.Now()
		// Only the leader appends to flushed offsets, so reading them without the lock is safe.
		flushed := make(map[*segment]int64, 1)
		for _, c := range chunks {
			if _, ok := flushed[c.seg]; !ok {
				flushed[c.seg] = c.seg.flushed
			}
		}
		sh.mu.Unlock()
		err := sh.e.writeChunks(chunks, func(s *segment) int64 { return flushed[s] }, true)
		sh.mu.Lock()
		sh.flushing = false
		if err != nil {
			_ = sh.rewindLocked(err)
		} else {
			sh.finishFlushLocked(chunks, true)
			sh.advanceLocked(upto)
		}
		sh.cond.Broadcast()
	}
}

// drain writes the shard's pending records, so that next is final before a reshard closes it.
func (sh *shard) drain() error {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for sh.flushing {
		sh.cond.Wait()
	}
	if sh.dirtyTail {
		if err := sh.cleanTailLocked(); err != nil {
			return err
		}
	}
	if len(sh.pending) == 0 {
		return nil
	}
	return sh.flushLocked(sh.e.opts.Fsync != FsyncNever)
}

// retainLocked deletes whole segments whose newest record is older than keep, after persisting
// the new first offset (so that recovery tells retention from loss).
func (sh *shard) retainLocked(now time.Time, keep time.Duration) {
	sh.lastRetention = now
	cutoff := now.Add(-keep).UnixNano()
	n := 0
	for n < len(sh.segs) {
		s := sh.segs[n]
		last := n == len(sh.segs)-1
		if s.count() > 0 && (s.ts[len(s.ts)-1] >= cutoff || s.flushed < s.size && s.path != "") {
			break
		}
		if s.count() == 0 && last {
			break
		}
		n++
	}
	if n == 0 {
		return
	}
	if n == len(sh.segs) && !sh.closed {
		if err := sh.createSegmentLocked(sh.next); err != nil {
			sh.e.log.Warn("retention: cannot roll segment", "shard", sh.id, "err", err)
			return
		}
	}
	first := sh.next
	if n < len(sh.segs) {
		first = sh.segs[n].base
	}
	if sh.dir != "" {
		st := sh.state
		st.First = first
		if err := sh.e.writeShardState(sh.dir, st); err != nil {
			sh.e.log.Warn("retention: cannot save shard state; nothing deleted", "shard", sh.id, "err", err)
			return
		}
		sh.state = st
		sh.state.prune()
	}
	for _, s := range sh.segs[:n] {
		sh.dropSegmentLocked(s)
	}
	sh.segs = sh.segs[n:]
	sh.first = first
}

func (sh *shard) dropSegmentLocked(s *segment) {
	n := s.count()
	sh.bytes -= s.size - int64(n)*(frameHeaderLen+bodyFixedLen)
	if s.path == "" {
		sh.e.memBytes.Add(-int64(cap(s.mem)))
	}
	if s.chunk != nil { // every access to s.mem holds the shard's lock, as we do
		sh.e.chunks.put(s.chunk)
		s.chunk = nil
	}
	s.mem = nil
	if s.path != "" {
		sh.e.files.forget(s)
		if err := os.Remove(s.path); err != nil {
			sh.e.log.Warn("retention: cannot remove segment", "path", s.path, "err", err)
		}
	}
	sh.e.log.Debug("retention: segment deleted", "shard", sh.id, "base", s.base, "records", n)
}

// readResult is what one read returned.
type readResult struct {
	recs     []StoredRecord
	next     uint64 // offset after the last returned record
	bytes    int64  // key + data bytes returned
	visible  uint64 // shard's visible offset at the time of the read
	latestTS int64  // arrival of the newest visible record (0 if none)
	done     bool   // the shard is closed and next reached its end
	children []string
}

// read returns up to maxCount records (at least one if any is visible) from offset from, stopping
// before maxBytes of frames would be exceeded. Offsets in a gap (numbers skipped after a crash or
// quarantined by repair) are passed over. A frame that fails its checksum at runtime is counted
// and logged, and the read returns the valid records before it; only when it is the first record
// to return does the read fail, naming the file, the offset and the way out. With into set, the
// records and their bytes are placed in its buffers (grown as needed) instead of fresh memory.
func (sh *shard) read(from uint64, maxCount int, maxBytes int64, into *ReadBuffers) (readResult, error) {
	type span struct {
		seg      *segment
		i, j     int // record indexes [i, j) within seg
		from, to int64
	}
	var spans []span
	var bufs [][]byte
	sh.mu.RLock()
	from = max(from, sh.first)
	res := readResult{visible: sh.visible}
	if ts, ok := sh.tsLocked(sh.visible - 1); ok {
		res.latestTS = ts
	}
	count, size := 0, int64(0)
	pos := from
	k := sort.Search(len(sh.segs), func(k int) bool { return sh.segs[k].base+sh.segs[k].count() > pos })
	for ; k < len(sh.segs) && pos < sh.visible && count < maxCount; k++ {
		s := sh.segs[k]
		if pos < s.base { // a gap: no record has these numbers
			pos = min(s.base, sh.visible)
			if pos == sh.visible {
				break
			}
		}
		i := int(pos - s.base)
		j := i
		lim := int(min(s.count(), sh.visible-s.base))
		for j < lim && count < maxCount {
			fl := s.end(j) - s.pos[j]
			if count > 0 && size+fl > maxBytes {
				break
			}
			size += fl
			count++
			j++
		}
		if j > i {
			spans = append(spans, span{s, i, j, s.pos[i], s.end(j - 1)})
			pos = s.base + uint64(j)
		}
		if j < lim {
			break
		}
	}
	if k == len(sh.segs) && pos < sh.visible {
		pos = sh.visible // a gap at the end (a closed shard whose tail was lost)
	}
	var total int64
	for _, sp := range spans {
		total += sp.to - sp.from
	}
	var data []byte
	if into != nil {
		data = grow(into.Data, int(total))
		into.Data = data
	} else {
		data = make([]byte, total)
	}
	var rerr error
	for n, sp := range spans {
		b := data[:sp.to-sp.from]
		data = data[len(b):]
		if err := sp.seg.readAt(sh.e.files, sp.from, b); err != nil {
			rerr = err
			pos = sp.seg.base + uint64(sp.i)
			spans = spans[:n]
			break
		}
		bufs = append(bufs, b)
	}
	res.next = pos
	res.done = sh.closed && pos >= sh.endOff && rerr == nil
	if res.done {
		res.children = sh.children
	}
	sh.mu.RUnlock()
	if into != nil {
		res.recs = slices.Grow(into.Records[:0], count)
		into.Records = res.recs
	} else {
		res.recs = make([]StoredRecord, 0, count)
	}
	var frames []frame
	for n, b := range bufs {
		var err error
		frames, err = decodeFrames(b, sh.e.crc, frames[:0])
		for _, f := range frames {
			res.recs = append(res.recs, StoredRecord{
				SequenceNumber: sh.seq.format(f.off),
				PartitionKey:   f.key,
				Data:           f.data,
				ArrivalTime:    time.Unix(0, f.ts),
			})
			res.bytes += int64(len(f.key) + len(f.data))
		}
		if err == nil && len(frames) != spans[n].j-spans[n].i {
			err = fmt.Errorf("%w: %d of %d frames decoded", errCorrupt, len(frames), spans[n].j-spans[n].i)
		}
		if err != nil {
			sp := spans[n]
			bad := sp.i + len(frames)
			off := sp.seg.base + uint64(bad)
			rerr = fmt.Errorf("segment %s at byte %d (record offset %d): %w", sp.seg.path, sp.seg.pos[bad], off, err)
			sh.corruptFrames.Add(1)
			sh.e.log.Error("corrupt frame at runtime: returning the records before it", "stream", sh.st.name, "shard", sh.id,
				"file", sp.seg.path, "byte", sp.seg.pos[bad], "offset", off, "err", err)
			pos = off
			break
		}
	}
	if into != nil {
		into.Records = res.recs[:0]
	}
	if rerr != nil {
		if len(res.recs) > 0 {
			// The valid records before the damage are returned; the next read starts at it.
			res.next, res.done, res.children = pos, false, nil
			return res, nil
		}
		return readResult{}, fmt.Errorf("shard %s of stream %s: %w; stop the engine and run `streamcap engine repair --data-dir %s`",
			sh.id, sh.st.name, rerr, sh.e.opts.Dir)
	}
	return res, nil
}

// grow returns b resliced to n bytes, reallocated (with room to spare) when its capacity is short.
func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n, n+n/4)
	}
	return b[:n]
}

// retainedLocked counts the visible records retained (numbers in gaps are not records).
func (sh *shard) retainedLocked() int64 {
	var n int64
	for _, s := range sh.segs {
		if s.base >= sh.visible {
			break
		}
		n += int64(min(s.count(), sh.visible-s.base))
	}
	return n
}

// tsLocked returns the arrival time of record off, if it is retained.
func (sh *shard) tsLocked(off uint64) (int64, bool) {
	k := sort.Search(len(sh.segs), func(k int) bool { return sh.segs[k].base+sh.segs[k].count() > off })
	if k == len(sh.segs) || off < sh.segs[k].base {
		return 0, false
	}
	return sh.segs[k].ts[off-sh.segs[k].base], true
}

// offsetAtTime returns the offset of the first visible record that arrived at or after t.
func (sh *shard) offsetAtTime(t time.Time) uint64 {
	ns := t.UnixNano()
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	for _, s := range sh.segs {
		n := int(min(s.count(), sh.visible-min(sh.visible, s.base)))
		if i := sort.Search(n, func(i int) bool { return s.ts[i] >= ns }); i < n {
			return s.base + uint64(i)
		}
	}
	return sh.visible
}

// closeFiles waits for any flush, writes what is pending with a final fdatasync, syncs segments
// written without one, and closes the files. It returns the shard's next offset when every record
// reached the disk (ok), for the clean-shutdown record.
func (sh *shard) closeFiles(reason string) (next uint64, ok bool, err error) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for sh.flushing {
		sh.cond.Wait()
	}
	var errs []error
	if sh.err == nil && sh.dir != "" {
		if sh.dirtyTail {
			errs = append(errs, sh.cleanTailLocked())
		}
		if len(sh.pending) > 0 {
			errs = append(errs, sh.flushLocked(true))
		}
		for _, s := range sh.segs {
			if s.unsynced {
				if err := sh.e.syncSegment(s); err != nil {
					errs = append(errs, err)
				} else {
					s.unsynced = false
				}
			}
		}
	}
	for _, s := range sh.segs {
		if s.path != "" {
			sh.e.files.forget(s)
		}
	}
	err = errors.Join(errs...)
	ok = sh.err == nil && err == nil && !sh.dirtyTail
	if sh.err == nil {
		sh.err = errorf(ErrResourceNotFound, "%s", reason)
	}
	sh.cond.Broadcast()
	sh.wakeLocked()
	return sh.next, ok, err
}
