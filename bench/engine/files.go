package engine

import (
	"container/list"
	"fmt"
	"os"
	"sync"
)

// fileCache bounds the segment files an engine keeps open: a least-recently-used list of open
// files, each pinned while a read, write or fdatasync uses it. Without it every open shard would
// hold its newest segment open, and a 10 000-shard stream would exhaust the default 1024
// descriptors. Only pinned files can push the count over max (briefly).
type fileCache struct {
	max int
	mu  sync.Mutex // guards lru and every segment's f, refs, elem and forgotten
	lru list.List  // *segment; most recently used at the front
}

// Defaults of the file cache.
const (
	// DefaultMaxOpenFiles is the default bound on open segment files.
	DefaultMaxOpenFiles = 256
	minMaxOpenFiles     = 8
)

func newFileCache(max int) *fileCache {
	return &fileCache{max: max}
}

// acquire returns s's open file, opening it (and closing the least recently used unpinned file
// if the cache is full); release must follow.
func (c *fileCache) acquire(s *segment) (*os.File, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.f != nil {
		s.refs++
		c.lru.MoveToFront(s.elem)
		return s.f, nil
	}
	for c.lru.Len() >= c.max {
		var victim *segment
		for el := c.lru.Back(); el != nil; el = el.Prev() {
			if v := el.Value.(*segment); v.refs == 0 {
				victim = v
				break
			}
		}
		if victim == nil {
			break // every open file is in use: go over the bound until one is released
		}
		c.closeLocked(victim)
	}
	f, err := os.OpenFile(s.path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("open segment: %w", err)
	}
	s.f, s.refs, s.elem = f, 1, c.lru.PushFront(s)
	return f, nil
}

// release unpins s's file.
func (c *fileCache) release(s *segment) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s.refs--
	if s.refs == 0 && s.forgotten {
		c.closeLocked(s)
	}
}

// forget closes s's file now, or when its last user releases it (for a segment sealed, deleted
// or closed with the engine).
func (c *fileCache) forget(s *segment) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.f == nil {
		return
	}
	if s.refs > 0 {
		s.forgotten = true
		return
	}
	c.closeLocked(s)
}

func (c *fileCache) closeLocked(s *segment) {
	_ = s.f.Close() // data already written reaches the file whether or not this fails
	c.lru.Remove(s.elem)
	s.f, s.elem, s.forgotten = nil, nil, false
}

// open returns the number of open segment files.
func (c *fileCache) open() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// writeSegment writes b at byte off of s's file, through the SegmentWriteFault hook if set.
func (e *Engine) writeSegment(s *segment, b []byte, off int64) error {
	f, err := e.files.acquire(s)
	if err != nil {
		return err
	}
	defer e.files.release(s)
	if hook := e.opts.SegmentWriteFault; hook != nil {
		if n, ferr := hook(s.path, off, len(b)); ferr != nil {
			if n > 0 {
				_, _ = f.WriteAt(b[:min(n, len(b))], off)
			}
			return &os.PathError{Op: "write", Path: s.path, Err: ferr}
		}
	}
	if _, err := f.WriteAt(b, off); err != nil {
		return err
	}
	return nil
}

// syncSegment fdatasyncs s's file.
func (e *Engine) syncSegment(s *segment) error {
	f, err := e.files.acquire(s)
	if err != nil {
		return err
	}
	defer e.files.release(s)
	return fdatasync(f)
}

// truncateSegment cuts s's file to size bytes and syncs it.
func (e *Engine) truncateSegment(s *segment, size int64) error {
	f, err := e.files.acquire(s)
	if err != nil {
		return err
	}
	defer e.files.release(s)
	if err := f.Truncate(size); err != nil {
		return err
	}
	return fdatasync(f)
}
