package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// A reshard is planned on a copy of the stream's shard layout (vshards), written to meta.json, and
// only then applied to the live shards: metadata first. Appends hold the stream's read lock and a
// reshard its write lock, so no record reaches a shard the metadata does not yet hold, and a failed
// metadata write leaves memory exactly as it was.

// vshard is a shard as a reshard plan sees it.
type vshard struct {
	index       int
	start, end  hashKey
	parent, adj string
	closed      bool
	children    []string
}

func (v *vshard) id() string { return shardID(v.index) }

// reshardPlan is a stream's layout with the planned splits and merges applied.
type reshardPlan struct {
	s    *stream
	base int       // shards that exist; plan.all[base:] are new
	all  []*vshard // by index
	open []*vshard // sorted by start
}

// planLocked copies the stream's layout. Caller holds s.mu for writing.
func (s *stream) planLocked() *reshardPlan {
	p := &reshardPlan{s: s, base: len(s.shards)}
	for _, sh := range s.shards {
		sh.mu.RLock()
		p.all = append(p.all, &vshard{
			index: sh.index, start: sh.start, end: sh.end, parent: sh.parent, adj: sh.adjParent,
			closed: sh.closed, children: sh.children,
		})
		sh.mu.RUnlock()
	}
	p.rebuildOpen()
	return p
}

func (p *reshardPlan) rebuildOpen() {
	p.open = p.open[:0]
	for _, v := range p.all {
		if !v.closed {
			p.open = append(p.open, v)
		}
	}
	sort.Slice(p.open, func(i, j int) bool { return p.open[i].start.less(p.open[j].start) })
}

func (p *reshardPlan) route(h hashKey) *vshard {
	i := sort.Search(len(p.open), func(i int) bool { return h.less(p.open[i].start) })
	return p.open[i-1]
}

func (p *reshardPlan) add(start, end hashKey, parent, adj string) *vshard {
	v := &vshard{index: len(p.all), start: start, end: end, parent: parent, adj: adj}
	p.all = append(p.all, v)
	return v
}

// split splits v at key k (start < k <= end) into two children.
func (p *reshardPlan) split(v *vshard, k hashKey) {
	a := p.add(v.start, k.sub1(), v.id(), "")
	b := p.add(k, v.end, v.id(), "")
	v.closed, v.children = true, []string{a.id(), b.id()}
	p.rebuildOpen()
}

// merge merges adjacent open shards a and b (in the caller's order) into one child.
func (p *reshardPlan) merge(a, b *vshard) error {
	lo, hi := a, b
	if b.start.less(a.start) {
		lo, hi = b, a
	}
	if lo.end.add1() != hi.start {
		return errorf(ErrInvalidArgument, "shards %s [%s, %s] and %s [%s, %s] are not adjacent: one must start right after the other ends",
			a.id(), a.start, a.end, b.id(), b.start, b.end)
	}
	c := p.add(lo.start, hi.end, a.id(), b.id())
	a.closed, a.children = true, []string{c.id()}
	b.closed, b.children = true, []string{c.id()}
	p.rebuildOpen()
	return nil
}

// rescale splits and merges open shards until there are target of them with equal ranges, the
// way Kinesis uniform scaling does.
func (p *reshardPlan) rescale(target int) error {
	// 1. Split wherever a target boundary falls inside an open shard.
	for i := 1; i < target; i++ {
		b := uniformBoundary(i, target)
		if v := p.route(b); v.start != b {
			p.split(v, b)
		}
	}
	// 2. Merge, left to right, the open shards that now tile each target range.
	for i := 0; i < target; i++ {
		start := uniformBoundary(i, target)
		for {
			first := p.route(start)
			if first.end == maxHashKey() || (i+1 < target && first.end.add1() == uniformBoundary(i+1, target)) {
				break
			}
			if err := p.merge(first, p.route(first.end.add1())); err != nil {
				return err
			}
		}
	}
	return nil
}

// commitLocked makes the plan durable and then applies it: (1) every shard the plan closes has its
// pending records written, so its end offset is final; (2) the new shards' directories are created
// and synced; (3) meta.json naming them is written durably; (4) memory changes. A failure at
// (1)–(3) changes nothing in memory (new, empty directories are removed) and returns a retryable
// error. Caller holds s.mu for writing.
func (p *reshardPlan) commitLocked() error {
	s := p.s
	if len(p.all) == p.base {
		return nil
	}
	for i := 0; i < p.base; i++ {
		if sh := s.shards[i]; p.all[i].closed && !sh.closed {
			if err := sh.drain(); err != nil {
				return fmt.Errorf("reshard stream %s: %w", s.name, err)
			}
		}
	}
	if s.dir != "" {
		if err := s.stageLocked(p); err != nil {
			return fmt.Errorf("reshard stream %s: nothing changed: %w", s.name, err)
		}
	}
	s.applyPlanLocked(p)
	return nil
}

// stageWorkers is how many shard directories are made at once.
const stageWorkers = 16

// stageLocked makes the plan durable in s.dir: the new shards' directories, then meta.json. On
// failure it removes the (empty) directories it created and returns a retryable error.
func (s *stream) stageLocked(p *reshardPlan) error {
	var (
		mu      sync.Mutex
		created []string
		first   error
	)
	undo := func(err error) error {
		for _, d := range created {
			_ = os.RemoveAll(d)
		}
		if _, ok := err.(*Error); ok {
			return err
		}
		return unavailable(err)
	}
	// Shard directories are made by a few workers: their fsyncs share journal commits, so a
	// 10 000-shard stream takes seconds rather than minutes.
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(stageWorkers, len(p.all)-p.base) {
		wg.Go(func() {
			for idx := range work {
				dir := filepath.Join(s.dir, shardDirName(idx))
				made, err := s.e.initShardDir(dir)
				mu.Lock()
				if made {
					created = append(created, dir)
				}
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
			}
		})
	}
	for _, v := range p.all[p.base:] {
		mu.Lock()
		failed := first != nil
		mu.Unlock()
		if failed {
			break
		}
		work <- v.index
	}
	close(work)
	wg.Wait()
	if first != nil {
		return undo(first)
	}
	if err := syncDir(s.dir); err != nil {
		return undo(err)
	}
	m := s.metaLocked()
	m.Shards = m.Shards[:0]
	for i, v := range p.all {
		sm := shardMeta{Parent: v.parent, AdjacentParent: v.adj, StartHashKey: v.start.String(),
			EndHashKey: v.end.String(), Closed: v.closed, Children: v.children}
		switch {
		case i < p.base:
			sh := s.shards[i]
			sh.mu.RLock()
			sm.EndOffset = sh.endOff
			if v.closed && !sh.closed {
				sm.EndOffset = sh.next
			}
			sh.mu.RUnlock()
		case v.closed:
			sm.EndOffset = 1 // created and closed by the same rescale: never held a record
		}
		m.Shards = append(m.Shards, sm)
	}
	if err := s.writeMeta(m); err != nil {
		return undo(err)
	}
	return nil
}

// applyPlanLocked applies a durable plan in memory.
func (s *stream) applyPlanLocked(p *reshardPlan) {
	now := s.e.clock.Now()
	for _, v := range p.all[p.base:] {
		dir := ""
		if s.dir != "" {
			dir = filepath.Join(s.dir, shardDirName(v.index))
		}
		sh := newShard(s.e, s, v.index, dir, v.start, v.end, now)
		sh.parent, sh.adjParent = v.parent, v.adj
		sh.segs = []*segment{newSegment(dir, 1)}
		sh.state = newShardState()
		if v.closed {
			sh.closed, sh.endOff, sh.children = true, 1, v.children
		}
		s.shards = append(s.shards, sh)
		s.byID[sh.id] = sh
	}
	for i := 0; i < p.base; i++ {
		if v, sh := p.all[i], s.shards[i]; v.closed && !sh.closed {
			s.closeShardLocked(sh, v.children...)
		}
	}
	s.rebuildOpenLocked()
}
