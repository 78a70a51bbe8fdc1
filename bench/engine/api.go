package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// checkName validates a stream or consumer name: 1–128 characters of [a-zA-Z0-9_.-], not "." or "..".
func checkName(field, name string) error {
	if len(name) < 1 || len(name) > maxNameLen {
		return errorf(ErrValidation, "%s %q: length %d must be between 1 and %d", field, name, len(name), maxNameLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return errorf(ErrValidation, "%s %q: character %q at %d: must match [a-zA-Z0-9_.-]+", field, name, c, i)
		}
	}
	if name == "." || name == ".." {
		return errorf(ErrValidation, "%s %q: must not be \".\" or \"..\"", field, name)
	}
	return nil
}

func (e *Engine) checkOpen() error {
	if e.closed.Load() {
		return errorf(ErrResourceInUse, "engine is closed")
	}
	return nil
}

// lookup returns a live stream by name.
func (e *Engine) lookup(name string) (*stream, error) {
	if err := e.checkOpen(); err != nil {
		return nil, err
	}
	if s, ok := (*e.streams.Load())[name]; ok {
		return s, nil
	}
	return nil, errorf(ErrResourceNotFound, "stream %s under account %s not found", name, accountID)
}

// CreateStream creates a stream whose shards split the hash-key space into equal ranges (the last
// one ends at 2^128-1). It is ACTIVE when CreateStream returns.
func (e *Engine) CreateStream(in CreateStreamInput) error {
	if err := checkName("stream name", in.Name); err != nil {
		return err
	}
	if in.ShardCount < 1 || in.ShardCount > maxOpenShards {
		return errorf(ErrInvalidArgument, "shard count %d: must be between 1 and %d", in.ShardCount, maxOpenShards)
	}
	if in.MaxRecordSize == 0 {
		in.MaxRecordSize = defaultMaxRecord
	}
	if in.MaxRecordSize < defaultMaxRecord || in.MaxRecordSize > maxMaxRecord {
		return errorf(ErrInvalidArgument, "max record size %d bytes: must be between %d (1 MiB) and %d (10 MiB)", in.MaxRecordSize, defaultMaxRecord, maxMaxRecord)
	}
	if in.RetentionHours == 0 {
		in.RetentionHours = minRetentionHours
	}
	if in.RetentionHours < minRetentionHours || in.RetentionHours > maxRetentionHours {
		return errorf(ErrInvalidArgument, "retention %d hours: must be between %d and %d", in.RetentionHours, minRetentionHours, maxRetentionHours)
	}
	if err := e.checkOpen(); err != nil {
		return err
	}
	done, err := e.admitControl("CreateStream")
	defer done()
	if err != nil {
		return err
	}
	if e.quotasOn() {
		if err := e.checkShardQuota(e.openShardsTotal(), in.ShardCount); err != nil {
			return err
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	old := *e.streams.Load()
	if _, ok := old[in.Name]; ok {
		return errorf(ErrResourceInUse, "stream %s under account %s already exists", in.Name, accountID)
	}
	s := &stream{
		e: e, name: in.Name, arn: arnPrefix + in.Name, createdAt: e.clock.Now(),
		maxRecord: in.MaxRecordSize, byID: map[string]*shard{},
	}
	s.retention.Store(int64(time.Duration(in.RetentionHours) * time.Hour))
	p := s.planLocked()
	for i := 0; i < in.ShardCount; i++ {
		end := maxHashKey()
		if i+1 < in.ShardCount {
			end = uniformBoundary(i+1, in.ShardCount).sub1()
		}
		p.add(uniformBoundary(i, in.ShardCount), end, "", "")
	}
	if e.opts.Dir != "" {
		// Metadata first: the stream is built in a staging directory (shard directories, then
		// meta.json) and renamed into place; a crash before the rename leaves only staging,
		// which Open clears, and a stream directory never lacks its metadata.
		final := filepath.Join(e.streamsDir(), in.Name)
		if _, err := os.Lstat(final); err == nil {
			return fmt.Errorf("create stream %s: %s exists but no such stream is open: run `streamcap engine repair --data-dir %s`", in.Name, final, e.opts.Dir)
		}
		if err := os.MkdirAll(e.stagingDir(), dirPerm); err != nil {
			return unavailable(fmt.Errorf("create stream %s: %w", in.Name, err))
		}
		stage, err := os.MkdirTemp(e.stagingDir(), in.Name+".")
		if err != nil {
			return unavailable(fmt.Errorf("create stream %s: %w", in.Name, err))
		}
		s.dir = stage
		err = s.stageLocked(p)
		if err == nil {
			if err = os.Rename(stage, final); err == nil {
				if err = syncDir(e.streamsDir()); err != nil {
					_ = os.Rename(final, stage) // not durably there: take it back
				}
			}
		}
		if err != nil {
			_ = os.RemoveAll(stage)
			return unavailable(fmt.Errorf("create stream %s: nothing created: %w", in.Name, err))
		}
		s.dir = final
	}
	s.applyPlanLocked(p)
	m := make(map[string]*stream, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[in.Name] = s
	e.streams.Store(&m)
	return nil
}

// DeleteStream deletes a stream, its consumers and its data. Puts waiting for their fsync fail and
// open subscriptions end with ResourceNotFoundException.
func (e *Engine) DeleteStream(name string) error {
	if err := e.checkOpen(); err != nil {
		return err
	}
	done, err := e.admitControl("DeleteStream")
	defer done()
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	old := *e.streams.Load()
	s, ok := old[name]
	if !ok {
		return errorf(ErrResourceNotFound, "stream %s under account %s not found", name, accountID)
	}
	// Metadata first: the stream directory leaves streams/ durably before the stream leaves memory.
	s.mu.Lock()
	var trash string
	if s.dir != "" {
		if err := os.MkdirAll(e.trashDir(), dirPerm); err != nil {
			s.mu.Unlock()
			return unavailable(fmt.Errorf("delete stream %s: nothing deleted: %w", name, err))
		}
		trash = filepath.Join(e.trashDir(), name+"."+strconv.FormatInt(time.Now().UnixNano(), 10))
		err := os.Rename(s.dir, trash)
		if err == nil {
			err = syncDir(e.streamsDir())
		}
		if err != nil {
			if _, serr := os.Stat(trash); serr == nil { // renamed but not synced: put it back
				_ = os.Rename(trash, s.dir)
			}
			s.mu.Unlock()
			return unavailable(fmt.Errorf("delete stream %s: nothing deleted: %w", name, err))
		}
	}
	m := make(map[string]*stream, len(old))
	for k, v := range old {
		if k != name {
			m[k] = v
		}
	}
	e.streams.Store(&m)
	e.forgetStream(name)
	s.deleted = true
	for _, sh := range s.shards {
		_, _, _ = sh.closeFiles(fmt.Sprintf("stream %s was deleted", name))
		sh.mu.Lock()
		sh.deleted = true
		sh.wakeLocked()
		sh.mu.Unlock()
	}
	s.mu.Unlock()
	if trash != "" {
		if err := os.RemoveAll(trash); err != nil {
			e.log.Warn("delete stream: cannot remove data", "dir", trash, "err", err)
		}
	}
	return nil
}

// ListStreams returns the names of all streams, sorted.
func (e *Engine) ListStreams() []string {
	m := *e.streams.Load()
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// DescribeStream describes a stream and all its shards, open and closed.
func (e *Engine) DescribeStream(name string) (StreamDescription, error) {
	s, err := e.lookup(name)
	if err != nil {
		return StreamDescription{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d := StreamDescription{
		Name: s.name, ARN: s.arn, Status: "ACTIVE", RetentionHours: s.retentionHours(),
		CreatedAt: s.createdAt, MaxRecordSize: s.maxRecord, OpenShardCount: len(s.open),
		ConsumerCount: len(s.consumers),
	}
	for _, sh := range s.shards {
		d.Shards = append(d.Shards, sh.description())
	}
	return d, nil
}

// ListShards returns all shards of a stream, open and closed, in creation order.
func (e *Engine) ListShards(name string) ([]Shard, error) {
	d, err := e.DescribeStream(name)
	return d.Shards, err
}

// SplitShard closes an open shard and creates two children: [start, newStartingHashKey-1] and
// [newStartingHashKey, end]. The key must lie strictly inside the parent's range.
func (e *Engine) SplitShard(stream, shardID, newStartingHashKey string) error {
	s, err := e.lookup(stream)
	if err != nil {
		return err
	}
	done, err := e.admitControl("SplitShard")
	defer done()
	if err != nil {
		return err
	}
	if e.quotasOn() {
		if err := e.checkShardQuota(e.openShardsTotal(), 1); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sh, err := s.openShardLocked(shardID, "shard")
	if err != nil {
		return err
	}
	k, ok := parseHashKey(newStartingHashKey)
	if !ok || !sh.start.less(k) || sh.end.less(k) {
		return errorf(ErrInvalidArgument, "new starting hash key %q: must be a decimal integer in (%s, %s], inside shard %s's range",
			newStartingHashKey, sh.start, sh.end, sh.id)
	}
	if len(s.open)+1 > maxOpenShards {
		return errorf(ErrLimitExceeded, "stream %s would have %d open shards: at most %d", s.name, len(s.open)+1, maxOpenShards)
	}
	p := s.planLocked()
	p.split(p.all[sh.index], k)
	return p.commitLocked()
}

// MergeShards closes two adjacent open shards and creates one child covering both ranges.
func (e *Engine) MergeShards(stream, shardID, adjacentShardID string) error {
	s, err := e.lookup(stream)
	if err != nil {
		return err
	}
	done, err := e.admitControl("MergeShards")
	defer done()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.openShardLocked(shardID, "shard")
	if err != nil {
		return err
	}
	b, err := s.openShardLocked(adjacentShardID, "adjacent shard")
	if err != nil {
		return err
	}
	if a == b {
		return errorf(ErrInvalidArgument, "shard %s cannot be merged with itself", shardID)
	}
	p := s.planLocked()
	if err := p.merge(p.all[a.index], p.all[b.index]); err != nil {
		return err
	}
	return p.commitLocked()
}

// UpdateShardCount rescales a stream to target open shards with equal hash-key ranges, the way
// Kinesis uniform scaling does: by splitting and merging, so every new shard records its parents.
// The target must be between half and double the current open count and at most 10 000.
func (e *Engine) UpdateShardCount(stream string, target int) (int, error) {
	s, err := e.lookup(stream)
	if err != nil {
		return 0, err
	}
	done, err := e.admitControl("UpdateShardCount")
	defer done()
	if err != nil {
		return 0, err
	}
	now, total := e.clock.Now(), 0
	if e.quotasOn() {
		if err := e.checkScalingRate(stream, now); err != nil {
			return 0, err
		}
		total = e.openShardsTotal()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := len(s.open)
	// Kinesis answers these bounds with LimitExceededException (API_UpdateShardCount: "Scale up
	// to more than double ... Scale down below half ... Scale up to more than 10000 shards").
	ceiling := min(e.opts.Quotas.UpdateShardCountMaxShards, maxOpenShards)
	lo, hi := (cur+1)/2, min(2*cur, ceiling)
	if target < lo || target > hi {
		return cur, errorf(ErrLimitExceeded, "target shard count %d: must be between %d and %d (half to double the current %d open shards, at most %d)",
			target, lo, hi, cur, ceiling)
	}
	if err := e.checkShardQuota(total, target-cur); err != nil {
		return cur, err
	}
	e.recordScaling(stream, now)
	if target == cur && s.isUniformLocked() {
		return cur, nil
	}
	p := s.planLocked()
	if err := p.rescale(target); err != nil {
		return cur, err
	}
	return cur, p.commitLocked()
}

func (s *stream) isUniformLocked() bool {
	for i, sh := range s.open {
		if sh.start != uniformBoundary(i, len(s.open)) {
			return false
		}
	}
	return true
}

// IncreaseRetention raises the retention period to hours (more than the current, at most 8760).
func (e *Engine) IncreaseRetention(stream string, hours int) error {
	return e.setRetention(stream, hours, true)
}

// DecreaseRetention lowers the retention period to hours (less than the current, at least 24).
// Segments past the new retention are deleted on the next access to each shard.
func (e *Engine) DecreaseRetention(stream string, hours int) error {
	return e.setRetention(stream, hours, false)
}

func (e *Engine) setRetention(name string, hours int, increase bool) error {
	s, err := e.lookup(name)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.retentionHours()
	switch {
	case increase && (hours < cur || hours > maxRetentionHours):
		return errorf(ErrInvalidArgument, "retention %d hours: increase must be between the current %d and %d", hours, cur, maxRetentionHours)
	case !increase && (hours > cur || hours < minRetentionHours):
		return errorf(ErrInvalidArgument, "retention %d hours: decrease must be between %d and the current %d", hours, minRetentionHours, cur)
	}
	m := s.metaLocked()
	m.RetentionHours = hours
	if err := s.writeMeta(m); err != nil {
		return err
	}
	s.retention.Store(int64(time.Duration(hours) * time.Hour))
	for _, sh := range s.shards {
		sh.mu.Lock()
		sh.lastRetention = time.Time{} // re-check on the next access
		sh.mu.Unlock()
	}
	return nil
}

// prepared is a validated record with its shard.
type prepared struct {
	sh  *shard
	rec pendingRecord
}

// prepareLocked validates r and routes it. Caller holds s.mu for reading.
func (s *stream) prepareLocked(i int, r *Record) (prepared, error) {
	k := r.PartitionKey
	if n := len(k); n < 1 || n > 256 && utf8.RuneCountInString(k) > 256 {
		return prepared{}, errorf(ErrValidation, "record %d: partition key length %d: must be between 1 and 256 characters", i, utf8.RuneCountInString(k))
	}
	size := int64(len(k) + len(r.Data))
	if size > s.maxRecord {
		return prepared{}, errorf(ErrValidation, "record %d: size %d bytes (data %d + partition key %d): must be at most %d bytes, the stream's max record size",
			i, size, len(r.Data), len(k), s.maxRecord)
	}
	var h hashKey
	if r.ExplicitHashKey != "" {
		var ok bool
		if h, ok = parseHashKey(r.ExplicitHashKey); !ok {
			return prepared{}, errorf(ErrInvalidArgument, "record %d: explicit hash key %q: must be a decimal integer between 0 and %s", i, r.ExplicitHashKey, maxHashKey())
		}
	} else {
		h = partitionHash(k)
	}
	return prepared{sh: s.route(h), rec: pendingRecord{key: k, data: r.Data, size: size}}, nil
}

// PutRecord appends one record to the shard its hash key falls in. With limits on, it fails with
// ProvisionedThroughputExceededException when the shard's write buckets are empty. It returns once
// the fsync policy is met.
func (e *Engine) PutRecord(stream string, r Record) (PutResult, error) {
	s, err := e.lookup(stream)
	if err != nil {
		return PutResult{}, err
	}
	now := e.clock.Now()
	s.mu.RLock()
	if s.deleted {
		s.mu.RUnlock()
		return PutResult{}, errorf(ErrResourceNotFound, "stream %s under account %s not found", stream, accountID)
	}
	p, err := s.prepareLocked(0, &r)
	if err != nil {
		s.mu.RUnlock()
		return PutResult{}, err
	}
	var off [1]uint64
	wait, epoch, err := p.sh.appendBatch(now, []pendingRecord{p.rec}, off[:])
	s.mu.RUnlock()
	if err == nil && wait > 0 {
		err = p.sh.commit(wait, epoch)
	}
	if err != nil {
		return PutResult{}, err
	}
	if off[0] == 0 {
		return PutResult{}, throttled(p.sh, s.name)
	}
	return PutResult{ShardID: p.sh.id, SequenceNumber: p.sh.seq.format(off[0])}, nil
}

func throttled(sh *shard, stream string) *Error {
	return errorf(ErrThroughputExceeded, "Rate exceeded for shard %s in stream %s under account %s.", sh.id, stream, accountID)
}

// PutRecords appends 1–500 records (at most 10 MiB in all). Records that the write limits refuse
// fail individually with ProvisionedThroughputExceededException in their entry, as in Kinesis;
// invalid input fails the whole call. Records for the same shard keep their order.
func (e *Engine) PutRecords(stream string, rs []Record) ([]PutRecordsEntry, error) {
	if len(rs) < 1 || len(rs) > maxPutRecordsCount {
		return nil, errorf(ErrValidation, "records: %d entries: must be between 1 and %d", len(rs), maxPutRecordsCount)
	}
	s, err := e.lookup(stream)
	if err != nil {
		return nil, err
	}
	now := e.clock.Now()
	// Group by shard, keeping request order within each shard.
	type group struct {
		sh    *shard
		idx   []int
		recs  []pendingRecord
		offs  []uint64
		wait  uint64
		epoch uint64
		err   error
	}
	var groups []*group
	var byShard map[*shard]*group // used once there are many groups; a scan is cheaper before
	s.mu.RLock()
	if s.deleted {
		s.mu.RUnlock()
		return nil, errorf(ErrResourceNotFound, "stream %s under account %s not found", stream, accountID)
	}
	var total int64
	for i := range rs {
		p, err := s.prepareLocked(i, &rs[i])
		if err != nil {
			s.mu.RUnlock()
			return nil, err
		}
		total += p.rec.size
		var g *group
		if byShard == nil {
			for _, c := range groups {
				if c.sh == p.sh {
					g = c
					break
				}
			}
		} else {
			g = byShard[p.sh]
		}
		if g == nil {
			n := len(rs)/len(s.open) + 1
			g = &group{sh: p.sh, idx: make([]int, 0, n), recs: make([]pendingRecord, 0, n)}
			groups = append(groups, g)
			if byShard != nil {
				byShard[p.sh] = g
			} else if len(groups) > 8 {
				byShard = make(map[*shard]*group, len(s.open))
				for _, c := range groups {
					byShard[c.sh] = c
				}
			}
		}
		g.idx = append(g.idx, i)
		g.recs = append(g.recs, p.rec)
	}
	if total > maxPutRecordsBytes {
		s.mu.RUnlock()
		return nil, errorf(ErrInvalidArgument, "records: %d bytes in all: must be at most %d (10 MiB)", total, maxPutRecordsBytes)
	}
	for _, g := range groups {
		g.offs = make([]uint64, len(g.recs))
		g.wait, g.epoch, g.err = g.sh.appendBatch(now, g.recs, g.offs)
	}
	s.mu.RUnlock()
	// Wait for every shard's group commit at once, so a call spanning shards waits for the
	// slowest fdatasync rather than the sum of them.
	var waiting []*group
	for _, g := range groups {
		if g.err == nil && g.wait > 0 {
			waiting = append(waiting, g)
		}
	}
	if len(waiting) == 1 {
		waiting[0].err = waiting[0].sh.commit(waiting[0].wait, waiting[0].epoch)
	} else if len(waiting) > 1 {
		var wg sync.WaitGroup
		for _, g := range waiting {
			wg.Go(func() { g.err = g.sh.commit(g.wait, g.epoch) })
		}
		wg.Wait()
	}
	out := make([]PutRecordsEntry, len(rs))
	for _, g := range groups {
		for j, i := range g.idx {
			switch {
			case g.err != nil:
				// Kinesis reports a failed entry as InternalFailure (which clients retry) or a
				// throttle; a storage failure is the former.
				out[i] = PutRecordsEntry{ErrorCode: "InternalFailure", ErrorMessage: g.err.Error()}
				if ee, ok := g.err.(*Error); ok && ee.Code != ErrServiceUnavailable {
					out[i].ErrorCode, out[i].ErrorMessage = ee.Code, ee.Message
				}
			case g.offs[j] == 0:
				t := throttled(g.sh, s.name)
				out[i] = PutRecordsEntry{ErrorCode: t.Code, ErrorMessage: t.Message}
			default:
				out[i] = PutRecordsEntry{ShardID: g.sh.id, SequenceNumber: g.sh.seq.format(g.offs[j])}
			}
		}
	}
	return out, nil
}

// Stats returns per-shard counters of a stream, in shard creation order.
func (e *Engine) Stats(name string) (StreamStats, error) {
	s, err := e.lookup(name)
	if err != nil {
		return StreamStats{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := StreamStats{Stream: s.name}
	for _, sh := range s.shards {
		sh.mu.RLock()
		st.Shards = append(st.Shards, ShardStats{
			ShardID: sh.id, Open: !sh.closed, Records: sh.retainedLocked(), Bytes: sh.bytes,
			Appended: sh.appended.Load(), WriteThrottles: sh.wThrottles.Load(),
			ReadThrottles: sh.rThrottles.Load(), EFOThrottles: sh.efoThrottles.Load(),
			CorruptFrames: sh.corruptFrames.Load(), WriteFailures: sh.writeFailures.Load(), Evicted: sh.evicted.Load(),
		})
		sh.mu.RUnlock()
	}
	return st, nil
}

// EnforceRetention deletes, in every shard of every stream, the segments whose newest record is
// older than the stream's retention. The engine also does this lazily, at most once a second of
// engine time per shard, when a shard is written or read; a server calls this periodically so that
// idle and closed shards free their space too.
func (e *Engine) EnforceRetention() {
	if e.closed.Load() {
		return
	}
	now := e.clock.Now()
	for _, s := range *e.streams.Load() {
		s.mu.RLock()
		for _, sh := range s.shards {
			sh.mu.Lock()
			if !sh.deleted && sh.err == nil && !sh.flushing {
				sh.retainLocked(now, s.retentionDur())
			}
			sh.mu.Unlock()
		}
		s.mu.RUnlock()
	}
}
