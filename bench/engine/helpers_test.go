package engine

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for deterministic tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// openMem opens an in-memory engine with limits off unless opts say otherwise.
func openMem(t testing.TB, opts Options) *Engine {
	t.Helper()
	opts.InMemory = true
	e, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func openDisk(t testing.TB, opts Options) *Engine {
	t.Helper()
	e, err := Open(opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", opts.Dir, err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func mustCreate(t testing.TB, e *Engine, name string, shards int) {
	t.Helper()
	if err := e.CreateStream(CreateStreamInput{Name: name, ShardCount: shards}); err != nil {
		t.Fatalf("CreateStream(%s, %d): %v", name, shards, err)
	}
}

func mustPut(t testing.TB, e *Engine, stream, key, data string) PutResult {
	t.Helper()
	r, err := e.PutRecord(stream, Record{PartitionKey: key, Data: []byte(data)})
	if err != nil {
		t.Fatalf("PutRecord(%s, %s): %v", stream, key, err)
	}
	return r
}

func mustIter(t testing.TB, e *Engine, stream, shard string, typ IteratorType, seq string, ts time.Time) string {
	t.Helper()
	it, err := e.GetShardIterator(stream, shard, typ, seq, ts)
	if err != nil {
		t.Fatalf("GetShardIterator(%s, %s, %s): %v", stream, shard, typ, err)
	}
	return it
}

// readAll reads a shard from an iterator until it is caught up (or, for a closed shard, ended),
// returning the records and the children reported at the end.
func readAll(t testing.TB, e *Engine, it string) ([]StoredRecord, []Shard) {
	t.Helper()
	var out []StoredRecord
	for i := 0; i < 10000; i++ {
		res, err := e.GetRecords(it, 0)
		if err != nil {
			t.Fatalf("GetRecords: %v", err)
		}
		out = append(out, res.Records...)
		if res.NextShardIterator == "" {
			return out, res.ChildShards
		}
		if len(res.Records) == 0 {
			return out, nil
		}
		it = res.NextShardIterator
	}
	t.Fatal("readAll: no end after 10000 calls")
	return nil, nil
}

func datas(recs []StoredRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r.Data)
	}
	return out
}

// wantCode checks err is an *Error with the code and a message containing every fragment.
func wantCode(t testing.TB, err error, code string, fragments ...string) {
	t.Helper()
	var ee *Error
	if !errors.As(err, &ee) {
		t.Fatalf("error = %v (%T), want *Error with code %s", err, err, code)
	}
	if ee.Code != code {
		t.Fatalf("error code = %s (%s), want %s", ee.Code, ee.Message, code)
	}
	for _, f := range fragments {
		if !strings.Contains(ee.Message, f) {
			t.Errorf("error message %q does not contain %q", ee.Message, f)
		}
	}
}

func keyN(i int) string { return fmt.Sprintf("key-%d", i) }
