package kinesis

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/streamcap/streamcap/bench"
)

// gatedPuts is an HTTP client that holds every PutRecords request until the
// test releases it, and records how many records each carried.
type gatedPuts struct {
	next    *http.Client
	entered chan int      // the size of each PutRecords as it arrives
	release chan struct{} // one receive per PutRecords let through
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
		c.entered <- n
		<-c.release
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
