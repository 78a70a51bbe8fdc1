package engine

import (
	"runtime"
	"sync"
)

// In memory mode a shard's first segment lives on the Go heap and grows by doubling from
// memInitialBytes, so that an idle shard costs little; it rolls once growing would copy more
// than memGrowBytes (the copy cannot be preempted, and on a virtual machine whose fresh pages
// fault slowly a large one stalls the process for milliseconds). Every later segment is a
// fixed memSegmentBytes chunk from the engine's chunkPool.
const memGrowBytes = 256 << 10

// memFillAhead is how many pre-faulted chunks the pool's background fill keeps ready at first:
// shards fed evenly fill their segments at the same pace and roll within microseconds of each
// other, so one ready chunk served the first of them and left the rest to fault their pages one
// by one. Four cover the engine a bench run drives (the plan's shard count for 3000/s of 1 KB)
// for 16 MiB held back; each roll that still finds none ready once a fill has completed doubles
// the target, up to memChunkFree, so an engine written faster or with more shards keeps more
// ready.
const memFillAhead = 4

// memChunkFree is how many dropped chunks the pool keeps for reuse: retention that trims a
// segment hands its memory to the next one instead of to the operating system.
const memChunkFree = 16

// memChunk is one fixed-size buffer for an in-memory segment. Its memory is released (for
// mapped chunks, unmapped) only once nothing refers to the chunk, by a cleanup the garbage
// collector runs, so no reader can ever see freed memory.
type memChunk struct {
	buf []byte
}

// chunkPool hands out memChunks for in-memory segments. Fresh chunks are mapped with
// transparent huge pages and pre-faulted where the platform allows (chunk_linux.go): on the
// machines streamcap is measured on, first touch of fresh memory costs several microseconds
// per kilobyte page by page, and a pre-faulted huge-page chunk costs a third of that. Dropped
// chunks are kept for reuse (their pages are already resident), and a background fill keeps
// one chunk ready so that a segment roll does not fault 4 MiB while holding a shard's lock.
type chunkPool struct {
	size    int
	mu      sync.Mutex
	free    []*memChunk
	ahead   int  // how many chunks the fill keeps ready
	filled  bool // a fill has completed (before that, an empty pool is just cold)
	filling bool
	stats   chunkStats
}

// chunkStats counts the pool's work (for tests and the engine's stats).
type chunkStats struct {
	Allocated, Reused, Returned int64
	// Lazy counts the chunks allocated without pre-faulting because none was ready.
	Lazy int64
}

func newChunkPool(size int) *chunkPool { return &chunkPool{size: size, ahead: memFillAhead} }

// get returns a chunk with len 0 and cap p.size.
func (p *chunkPool) get() *memChunk {
	p.mu.Lock()
	var c *memChunk
	if n := len(p.free); n > 0 {
		c = p.free[n-1]
		p.free = p.free[:n-1]
		p.stats.Reused++
	}
	if c == nil && p.filled {
		p.ahead = min(2*p.ahead, memChunkFree)
	}
	refill := len(p.free) < p.ahead && !p.filling
	if refill {
		p.filling = true
	}
	p.mu.Unlock()
	if refill {
		go p.fill()
	}
	if c == nil {
		// None is ready (shards fed evenly roll together, faster than one fill): a lazily
		// faulted chunk now, rather than a pre-faulted one in milliseconds with the shard's
		// lock held and every send to it waiting.
		c = p.alloc(false)
	}
	return c
}

// fill prepares chunks ahead of need until p.ahead are ready.
func (p *chunkPool) fill() {
	for {
		c := p.alloc(true)
		p.mu.Lock()
		if len(p.free) < memChunkFree {
			p.free = append(p.free, c)
		}
		if len(p.free) >= p.ahead {
			p.filling, p.filled = false, true
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
	}
}

// alloc makes a fresh chunk (pre-faulted or not, see allocChunk) and arranges for its memory
// to be released when it becomes unreachable.
func (p *chunkPool) alloc(prefault bool) *memChunk {
	p.mu.Lock()
	p.stats.Allocated++
	if !prefault {
		p.stats.Lazy++
	}
	p.mu.Unlock()
	buf, release := allocChunk(p.size, prefault)
	c := &memChunk{buf: buf[:0]}
	if release != nil {
		runtime.AddCleanup(c, func(b []byte) { release(b) }, buf)
	}
	return c
}

// put returns a chunk whose segment was dropped; the caller must hold no slice of it.
func (p *chunkPool) put(c *memChunk) {
	if c == nil {
		return
	}
	c.buf = c.buf[:0]
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.Returned++
	if len(p.free) < memChunkFree {
		p.free = append(p.free, c)
	}
}
