package engine

import (
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
