package kinesis

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/streamcap/streamcap/bench"
)

// gatedPuts is an HTTP client that records how many records each PutRecords
// request carried and, with entered set, holds each one until the test
// releases it.
type gatedPuts struct {
	next    *http.Client
	entered chan int      // the size of each PutRecords as it arrives (nil: no gate)
	release chan struct{} // one receive per PutRecords let through
	stop    chan struct{} // closed: every PutRecords goes through (nil: never)
	mu      sync.Mutex
	sizes   []int
}

func (c *gatedPuts) Do(req *http.Request) (*http.Response, error) {
	n, ok, err := recordsInPut(req)
	if err != nil {
		return nil, err
	}
	if ok {
		c.mu.Lock()
		c.sizes = append(c.sizes, n)
		c.mu.Unlock()
		if c.entered != nil {
			c.entered <- n
			select {
			case <-c.release:
			case <-c.stop:
			}
		}
	}
	return c.next.Do(req)
}

// TestBatchFillsWhileSlotsBusy: with one call slot and linger 0, a record
// goes at once; the records that arrive while that call is in flight wait
// in ONE batch that keeps filling (as the KPL aggregates), not in a small
// batch formed early and then held; the batch-size distribution counts both.
func TestBatchFillsWhileSlotsBusy(t *testing.T) {
	t.Parallel()
	hc := &gatedPuts{next: &http.Client{}, entered: make(chan int, 8), release: make(chan struct{})}
	d := newTestDriver(t, Options{Endpoint: newServer(t, false), BatchSize: 500, MaxInflightBatches: 1, HTTPClient: hc})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := d.Setup(ctx, bench.Topology{Stream: "fill", Shards: 1}); err != nil {
		t.Fatal(err)
	}
	first := make(chan error, 1)
	go func() { first <- d.Send(ctx, "k0", record(0, 0)) }()
	if n := <-hc.entered; n != 1 {
		t.Fatalf("first PutRecords carried %d records; want 1", n)
	}
	// The only slot is busy: queue 40 entries and wait until the batch
	// loop has taken them all (into the open batch, the only place left).
	const more = 40
	entries := make([]*entry, more)
	for i := range entries {
		entries[i] = &entry{key: fmt.Sprintf("k%d", i+1), data: record(i+1, 0), done: make(chan error, 1)}
		d.batch.in <- entries[i]
	}
	for len(d.batch.in) > 0 {
		select {
		case <-ctx.Done():
			t.Fatal("batch loop did not take the queued records")
		default:
			time.Sleep(time.Millisecond)
		}
	}
	hc.release <- struct{}{}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := <-hc.entered; n != more {
		t.Fatalf("second PutRecords carried %d records; want all %d that arrived while the slot was busy", n, more)
	}
	hc.release <- struct{}{}
	for i, e := range entries {
		if err := <-e.done; err != nil {
			t.Fatalf("record %d: %v", i+1, err)
		}
	}
	s := d.Stats()
	want := [batchBuckets]int64{0: 1, 5: 1} // 1, and 40 in [32, 63]
	if s.BatchSizes != want || s.batchSizes() != "1:1 32-63:1" {
		t.Errorf("batch sizes %v (%q); want %v (\"1:1 32-63:1\")", s.BatchSizes, s.batchSizes(), want)
	}
}

// TestBatchSizesRendering checks the bucket labels of the distribution.
func TestBatchSizesRendering(t *testing.T) {
	var st stats
	for _, n := range []int{1, 2, 3, 4, 255, 256, 500, 511, 512, 5000} {
		st.noteBatch(n)
	}
	got := Stats{BatchSizes: st.batchSizesNow()}.batchSizes()
	if want := "1:1 2-3:2 4-7:1 128-255:1 256-511:3 512+:2"; got != want {
		t.Errorf("batchSizes = %q; want %q", got, want)
	}
}

// TestEarlySendLeavesItsEntry: a Send whose ctx ends while its record is in
// a call returns at once, and its entry (pooled) must not be reused while
// the call still holds it: the next Send, queued behind that call, returns
// only with its own call's answer, not the late answer to the first.
// (Checked against the mutation: releasing the entry on the early return
// fails this test in most rounds.)
func TestEarlySendLeavesItsEntry(t *testing.T) {
	t.Parallel()
	hc := &gatedPuts{next: &http.Client{}, entered: make(chan int, 64), release: make(chan struct{}), stop: make(chan struct{})}
	d := newTestDriver(t, Options{Endpoint: newServer(t, false), BatchSize: 500, MaxInflightBatches: 1, HTTPClient: hc})
	t.Cleanup(func() { close(hc.stop) }) // before the driver's Close: a failed round leaves a call held
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := d.Setup(ctx, bench.Topology{Stream: "early", Shards: 1}); err != nil {
		t.Fatal(err)
	}
	// The pool may hand the second Send a fresh entry (another P's), so
	// the scenario runs several times.
	for round := range 5 {
		actx, acancel := context.WithCancel(ctx)
		errA := make(chan error, 1)
		go func() { errA <- d.Send(actx, "a", record(1, round)) }()
		if n := <-hc.entered; n != 1 {
			t.Fatalf("first PutRecords carried %d records; want 1", n)
		}
		acancel()
		if err := <-errA; !errors.Is(err, context.Canceled) {
			t.Fatalf("Send with its ctx canceled in flight = %v; want context.Canceled", err)
		}
		errB := make(chan error, 1)
		// Whether the second record is queued before the first call ends or
		// after, it travels alone in the second call; were the first entry
		// back in the pool, the second Send would hold it and take the first
		// call's answer.
		go func() { errB <- d.Send(ctx, "b", record(2, round)) }()
		hc.release <- struct{}{} // the first call ends: its answer goes to the first entry
		if n := <-hc.entered; n != 1 {
			t.Fatalf("second PutRecords carried %d records; want 1", n)
		}
		select {
		case err := <-errB:
			t.Fatalf("second Send returned %v before its own call was answered: it took the first call's answer", err)
		default:
		}
		hc.release <- struct{}{}
		if err := <-errB; err != nil {
			t.Fatalf("second Send: %v", err)
		}
	}
}
