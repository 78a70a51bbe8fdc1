package engine

import (
	"encoding/binary"
	"strings"
	"testing"
	"time"
)

// putChunked writes n 1000-byte records to stream "s" (one shard), each carrying its number
// in its first 8 bytes, in PutRecords calls of 500.
func putChunked(t *testing.T, e *Engine, from, n int) {
	t.Helper()
	for i := from; i < from+n; {
		batch := make([]Record, 0, 500)
		for ; i < from+n && len(batch) < 500; i++ {
			d := make([]byte, 1000)
			binary.BigEndian.PutUint64(d, uint64(i))
			batch = append(batch, Record{PartitionKey: "k", Data: d})
		}
		res, err := e.PutRecords("s", batch)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.ErrorCode != "" {
				t.Fatalf("put: %s %s", r.ErrorCode, r.ErrorMessage)
			}
		}
	}
}

// memSegments returns the one shard's segments, under its lock.
func memSegments(t *testing.T, e *Engine) []*segment {
	t.Helper()
	s, err := e.lookup("s")
	if err != nil {
		t.Fatal(err)
	}
	sh := s.shards[0]
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return append([]*segment(nil), sh.segs...)
}

// checkNumbers reads every record from TRIM_HORIZON and checks they are from..to-1 in order.
func checkNumbers(t *testing.T, e *Engine, from, to int) {
	t.Helper()
	recs, _ := readAll(t, e, mustIter(t, e, "s", "shardId-000000000000", TrimHorizon, "", time.Time{}))
	if len(recs) != to-from {
		t.Fatalf("read %d records, want %d", len(recs), to-from)
	}
	for i, r := range recs {
		if got := binary.BigEndian.Uint64(r.Data); got != uint64(from+i) || len(r.Data) != 1000 {
			t.Fatalf("record %d: number %d (%d bytes), want %d (1000 bytes)", i, got, len(r.Data), from+i)
		}
	}
}

// An in-memory shard's first segment grows on the heap without ever copying more than
// memGrowBytes; every later segment is a pool chunk, filled to the segment size; records
// read back whole across every boundary.
func TestMemorySegmentsComeFromChunks(t *testing.T) {
	e := openMem(t, Options{LimitsOff: true})
	mustCreate(t, e, "s", 1)
	const n = 12_000 // 12.3 MB of frames: the first segment, then three chunks
	putChunked(t, e, 0, n)
	segs := memSegments(t, e)
	if len(segs) < 4 {
		t.Fatalf("%d segments, want at least 4", len(segs))
	}
	if first := segs[0]; first.chunk != nil || cap(first.mem) > memGrowBytes || first.size > memGrowBytes {
		t.Errorf("first segment: chunk %v, cap %d, size %d; want heap, at most %d", first.chunk != nil, cap(first.mem), first.size, memGrowBytes)
	}
	for i, s := range segs[1:] {
		if s.chunk == nil || cap(s.mem) != memSegmentBytes || s.size > memSegmentBytes {
			t.Errorf("segment %d: chunk %v, cap %d, size %d; want a %d-byte chunk", i+1, s.chunk != nil, cap(s.mem), s.size, memSegmentBytes)
		}
		if i+2 < len(segs) && s.size < memSegmentBytes-2*1027 { // all but the last are full
			t.Errorf("segment %d holds %d bytes, want about %d", i+1, s.size, memSegmentBytes)
		}
	}
	checkNumbers(t, e, 0, n)
}

// Retention hands an expired chunk back to the pool and the next segment reuses it: a
// long run in memory stops asking the operating system for fresh memory.
func TestRetentionReusesChunks(t *testing.T) {
	clk := newFakeClock()
	e := openMem(t, Options{LimitsOff: true, Clock: clk})
	mustCreate(t, e, "s", 1)
	putChunked(t, e, 0, 12_000)
	chunked := len(memSegments(t, e)) - 1
	clk.Advance(25 * time.Hour)
	putChunked(t, e, 12_000, 12_000) // the first put expires everything before it
	checkNumbers(t, e, 12_000, 24_000)
	e.chunks.mu.Lock()
	st := e.chunks.stats
	e.chunks.mu.Unlock()
	if st.Returned != int64(chunked) {
		t.Errorf("returned %d chunks, want the %d expired ones", st.Returned, chunked)
	}
	if st.Reused < int64(chunked)-1 {
		t.Errorf("reused %d chunks, want at least %d (stats %+v)", st.Reused, chunked-1, st)
	}
	// Each of the two runs needs `chunked` chunks; the pool prepares up to memChunkFree ahead
	// (its target doubles when rolls outrun the fill, as on a loaded machine), and one may be
	// lazy (the first roll, before any fill finished).
	if max := int64(chunked + memChunkFree + 1); st.Allocated > max {
		t.Errorf("allocated %d chunks for two runs of %d, want at most %d: expired chunks not reused (stats %+v)", st.Allocated, chunked, max, st)
	}
}

// Past MaxMemoryBytes a shard drops its own oldest segments, as retention would: memory stays
// bounded, the dropped memory is reused, the newest records all remain in order, and the
// dropped ones are counted.
func TestMaxMemoryEvictsOldest(t *testing.T) {
	const limit = MinMaxMemoryBytes // 64 MiB: 16 chunks
	e := openMem(t, Options{LimitsOff: true, MaxMemoryBytes: limit})
	mustCreate(t, e, "s", 1)
	const n = 200_000 // 205 MB of frames
	putChunked(t, e, 0, n)
	if got := e.memBytes.Load(); got > limit || got < limit-2*memSegmentBytes {
		t.Errorf("segment memory %d bytes, want just under the %d limit", got, limit)
	}
	st, err := e.Stats("s")
	if err != nil {
		t.Fatal(err)
	}
	sh := st.Shards[0]
	if sh.Evicted+sh.Records != n || sh.Evicted < n/2 || sh.Appended != n {
		t.Errorf("evicted %d + retained %d, appended %d; want %d in all, most evicted", sh.Evicted, sh.Records, sh.Appended, n)
	}
	checkNumbers(t, e, int(sh.Evicted), n) // TRIM_HORIZON starts right after the evicted
	e.chunks.mu.Lock()
	pool := e.chunks.stats
	e.chunks.mu.Unlock()
	// At most the chunks in use, what the pool may keep ready (the fill's target doubles, up to
	// memChunkFree, when rolls outrun it, as on a loaded machine) and one being filled; without
	// reuse the 200 MB written would take about 49.
	if max := int64(limit/memSegmentBytes + memChunkFree + 1); pool.Allocated > max {
		t.Errorf("allocated %d chunks for a %d-chunk limit: evicted memory not reused (%+v)", pool.Allocated, limit/memSegmentBytes, pool)
	}
}

func TestMaxMemoryOptions(t *testing.T) {
	for _, c := range []struct {
		opts Options
		want string
	}{
		{Options{InMemory: true, MaxMemoryBytes: 1 << 20}, "max memory 1048576 bytes: must be at least 67108864 (64 MiB), or 0 for unbounded"},
		{Options{Dir: "/nonexistent", MaxMemoryBytes: 1 << 30}, "max memory 1073741824 bytes: applies only to an in-memory engine"},
	} {
		if _, err := Open(c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%+v) = %v, want %q", c.opts, err, c.want)
		}
	}
}

// A roll that finds no chunk ready gets a lazily faulted one at once instead of waiting for a
// pre-faulted one (milliseconds, with the shard's lock held); the background fill then keeps
// memFillAhead ready, and a roll that drains them all doubles that, for shards fed evenly that
// roll together.
func TestChunkPoolNeverWaitsForAFill(t *testing.T) {
	p := newChunkPool(1 << 20)
	waitFilled := func(want int) {
		t.Helper()
		for i := 0; i < 2000; i++ { // at most 2 s
			p.mu.Lock()
			ready := !p.filling && len(p.free) == want
			p.mu.Unlock()
			if ready {
				return
			}
			time.Sleep(time.Millisecond)
		}
		t.Fatalf("the background fill never made %d chunks ready", want)
	}
	stats := func() (chunkStats, int) {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.stats, p.ahead
	}
	first := p.get() // nothing ready yet (a cold pool): lazy, and a fill starts
	if cap(first.buf) != 1<<20 || len(first.buf) != 0 {
		t.Fatalf("chunk len %d cap %d, want 0 and %d", len(first.buf), cap(first.buf), 1<<20)
	}
	waitFilled(memFillAhead)
	second := p.get() // a filled one; the fill tops the pool up again
	waitFilled(memFillAhead)
	if st, ahead := stats(); st.Lazy != 1 || st.Reused != 1 || st.Allocated != 1+memFillAhead+1 || ahead != memFillAhead {
		t.Errorf("stats %+v, fill target %d; want 1 lazy chunk, 1 taken from the fill, %d allocated (lazy, %d filled, 1 refilled), target %d",
			st, ahead, 1+memFillAhead+1, memFillAhead, memFillAhead)
	}
	second.buf = append(second.buf, "written"...)
	if string(second.buf) != "written" {
		t.Errorf("the filled chunk is not writable memory")
	}
	// memFillAhead+1 rolls at once: the last finds none ready, and the target doubles. (The
	// pool is marked as filling meanwhile, so no fill can slip a chunk in between the rolls.)
	p.mu.Lock()
	p.filling = true
	p.mu.Unlock()
	for range memFillAhead + 1 {
		p.get()
	}
	go p.fill()
	waitFilled(2 * memFillAhead)
	if st, ahead := stats(); st.Lazy != 2 || ahead != 2*memFillAhead {
		t.Errorf("after draining the pool: stats %+v, fill target %d; want 2 lazy chunks, target %d", st, ahead, 2*memFillAhead)
	}
}
