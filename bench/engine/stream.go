package engine

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Kinesis-compatible bounds.
const (
	minRetentionHours   = 24
	maxRetentionHours   = 8760
	maxOpenShards       = 10000
	maxConsumers        = 20
	defaultMaxRecord    = 1 << 20
	maxMaxRecord        = 10 << 20
	maxNameLen          = 128
	arnPrefix           = "arn:aws:kinesis:" + ARNRegion + ":" + accountID + ":stream/"
	accountID           = "000000000000"
	metaFileName        = "meta.json"
	metaVersion         = 1
	maxPutRecordsCount  = 500
	maxPutRecordsBytes  = 10 << 20
	iteratorLifetime    = 5 * time.Minute
	retentionCheckEvery = time.Second
)

// stream is one stream: its shards (open and closed), consumers and settings.
type stream struct {
	e         *Engine
	name      string
	arn       string
	dir       string // "" in memory mode
	createdAt time.Time
	maxRecord int64
	retention atomic.Int64 // nanoseconds

	mu        sync.RWMutex
	shards    []*shard // all shards; shards[i].index == i
	byID      map[string]*shard
	open      []*shard // open shards sorted by start hash key; they tile the key space
	consumers []Consumer
	deleted   bool
}

func (s *stream) retentionDur() time.Duration { return time.Duration(s.retention.Load()) }

func (s *stream) retentionHours() int { return int(s.retentionDur() / time.Hour) }

// route returns the open shard owning hash key h. Caller holds s.mu.
func (s *stream) route(h hashKey) *shard {
	i := sort.Search(len(s.open), func(i int) bool { return h.less(s.open[i].start) })
	return s.open[i-1]
}

func (s *stream) rebuildOpenLocked() {
	s.open = s.open[:0]
	for _, sh := range s.shards {
		if !sh.closed {
			s.open = append(s.open, sh)
		}
	}
	sort.Slice(s.open, func(i, j int) bool { return s.open[i].start.less(s.open[j].start) })
}

// addShardLocked creates a new open shard covering [start, end].
func (s *stream) addShardLocked(start, end hashKey, parent, adj string) (*shard, error) {
	idx := len(s.shards)
	dir := ""
	if s.dir != "" {
		dir = filepath.Join(s.dir, shardDirName(idx))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create shard directory: %w", err)
		}
	}
	sh := newShard(s.e, s, idx, dir, start, end, s.e.clock.Now())
	sh.parent, sh.adjParent = parent, adj
	if err := sh.createSegmentLocked(1); err != nil {
		return nil, err
	}
	s.shards = append(s.shards, sh)
	s.byID[sh.id] = sh
	return sh, nil
}

// closeShardLocked closes sh at its current end and records its children.
func (s *stream) closeShardLocked(sh *shard, children ...string) {
	sh.mu.Lock()
	sh.closed = true
	sh.endOff = sh.next
	sh.children = children
	sh.wakeLocked()
	sh.mu.Unlock()
}

// shardLocked finds a shard by ID. Caller holds s.mu.
func (s *stream) shardLocked(id string) (*shard, error) {
	sh, ok := s.byID[id]
	if !ok {
		return nil, errorf(ErrResourceNotFound, "shard %s in stream %s under account %s not found", id, s.name, accountID)
	}
	return sh, nil
}

func (s *stream) openShardLocked(id, field string) (*shard, error) {
	sh, err := s.shardLocked(id)
	if err != nil {
		return nil, err
	}
	if sh.closed {
		return nil, errorf(ErrResourceInUse, "%s %s is closed: only open shards can be resharded", field, id)
	}
	return sh, nil
}

// splitLocked splits sh at key k (start < k <= end) into two children. checkLimit enforces the
// open-shard limit (uniform scaling passes through more shards than it ends with).
func (s *stream) splitLocked(sh *shard, k hashKey, checkLimit bool) error {
	if checkLimit && len(s.open)+1 > maxOpenShards {
		return errorf(ErrLimitExceeded, "stream %s would have %d open shards: at most %d", s.name, len(s.open)+1, maxOpenShards)
	}
	mark := len(s.shards)
	a, err := s.addShardLocked(sh.start, k.sub1(), sh.id, "")
	if err != nil {
		return s.rollbackLocked(mark, err)
	}
	b, err := s.addShardLocked(k, sh.end, sh.id, "")
	if err != nil {
		return s.rollbackLocked(mark, err)
	}
	s.closeShardLocked(sh, a.id, b.id)
	s.rebuildOpenLocked()
	return nil
}

// mergeLocked merges adjacent open shards a and b (in the caller's order) into one child.
func (s *stream) mergeLocked(a, b *shard) error {
	lo, hi := a, b
	if b.start.less(a.start) {
		lo, hi = b, a
	}
	if lo.end.add1() != hi.start {
		return errorf(ErrInvalidArgument, "shards %s [%s, %s] and %s [%s, %s] are not adjacent: one must start right after the other ends",
			a.id, a.start, a.end, b.id, b.start, b.end)
	}
	mark := len(s.shards)
	c, err := s.addShardLocked(lo.start, hi.end, a.id, b.id)
	if err != nil {
		return s.rollbackLocked(mark, err)
	}
	s.closeShardLocked(a, c.id)
	s.closeShardLocked(b, c.id)
	s.rebuildOpenLocked()
	return nil
}

// rollbackLocked forgets shards created from index mark on (a reshard that failed half-way, e.g.
// on a full disk) and returns err.
func (s *stream) rollbackLocked(mark int, err error) error {
	for _, sh := range s.shards[mark:] {
		_ = sh.closeFiles("reshard failed")
		delete(s.byID, sh.id)
		if sh.dir != "" {
			_ = os.RemoveAll(sh.dir)
		}
	}
	s.shards = s.shards[:mark]
	return fmt.Errorf("reshard stream %s: %w", s.name, err)
}

// streamMeta is the persisted form of a stream (meta.json).
type streamMeta struct {
	Version        int         `json:"version"`
	Name           string      `json:"name"`
	CreatedAt      time.Time   `json:"created_at"`
	RetentionHours int         `json:"retention_hours"`
	MaxRecordSize  int64       `json:"max_record_size"`
	Shards         []shardMeta `json:"shards"`
	Consumers      []Consumer  `json:"consumers"`
}

type shardMeta struct {
	Parent         string   `json:"parent,omitempty"`
	AdjacentParent string   `json:"adjacent_parent,omitempty"`
	StartHashKey   string   `json:"start_hash_key"`
	EndHashKey     string   `json:"end_hash_key"`
	Closed         bool     `json:"closed,omitempty"`
	EndOffset      uint64   `json:"end_offset,omitempty"`
	Children       []string `json:"children,omitempty"`
}

// saveLocked persists the stream's metadata atomically. Caller holds s.mu for writing.
func (s *stream) saveLocked() error {
	if s.dir == "" {
		return nil
	}
	m := streamMeta{
		Version: metaVersion, Name: s.name, CreatedAt: s.createdAt,
		RetentionHours: s.retentionHours(), MaxRecordSize: s.maxRecord, Consumers: s.consumers,
	}
	for _, sh := range s.shards {
		sh.mu.RLock()
		m.Shards = append(m.Shards, shardMeta{
			Parent: sh.parent, AdjacentParent: sh.adjParent,
			StartHashKey: sh.start.String(), EndHashKey: sh.end.String(),
			Closed: sh.closed, EndOffset: sh.endOff, Children: sh.children,
		})
		sh.mu.RUnlock()
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(s.dir, metaFileName, b)
}

// writeFileAtomic replaces dir/name with data: write a temporary file, fsync it, rename it over
// the old one and fsync the directory, so a crash leaves either the old or the new content.
func writeFileAtomic(dir, name string, data []byte) error {
	f, err := os.CreateTemp(dir, name+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s in %s: %w", name, dir, err)
	}
	return syncDir(dir)
}

// syncDir fsyncs a directory so that entries created or renamed in it survive a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
