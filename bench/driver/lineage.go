package driver

import (
	"context"
	"sync"
)

// Child is a shard found when its parent closed: its id and its parents
// (one after a split, two after a merge).
type Child struct {
	ID      string
	Parents []string
}

// ShardReaders runs one reader goroutine per shard of a stream and follows
// resharding the way a Kinesis consumer must: when a reader returns the
// children of its closed shard, each child starts (at childPos) only once
// every parent this consumer reads has been read to its end, so per-key
// order holds across a split or a merge. P is the driver's starting
// position type. Safe for concurrent use.
type ShardReaders[P any] struct {
	read     func(ctx context.Context, id string, pos P) []Child
	childPos P
	wg       sync.WaitGroup

	mu       sync.Mutex
	started  map[string]bool
	finished map[string]bool
}

// NewShardReaders returns readers that read a shard with read, which
// returns the shard's children once it is read to its end (nil when ctx
// ended first); children start at childPos.
func NewShardReaders[P any](read func(ctx context.Context, id string, pos P) []Child, childPos P) *ShardReaders[P] {
	return &ShardReaders[P]{read: read, childPos: childPos, started: map[string]bool{}, finished: map[string]bool{}}
}

// Start launches the reader of shard id at pos unless it already runs.
func (r *ShardReaders[P]) Start(ctx context.Context, id string, pos P) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started[id] {
		return
	}
	r.started[id] = true
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		children := r.read(ctx, id, pos)
		r.finish(ctx, id, children) // before Done: Wait never sees a gap
	}()
}

// finish marks shard id read to its end and starts each child whose
// parents being read are all finished.
func (r *ShardReaders[P]) finish(ctx context.Context, id string, children []Child) {
	if ctx.Err() != nil {
		return
	}
	r.mu.Lock()
	r.finished[id] = true
	var ready []string
	for _, ch := range children {
		ok := ch.ID != ""
		for _, p := range ch.Parents {
			if p != "" && r.started[p] && !r.finished[p] {
				ok = false
			}
		}
		if ok {
			ready = append(ready, ch.ID)
		}
	}
	r.mu.Unlock()
	for _, id := range ready {
		r.Start(ctx, id, r.childPos)
	}
}

// Done returns a channel closed once every reader (and every child it
// started) has returned.
func (r *ShardReaders[P]) Done() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	return done
}
