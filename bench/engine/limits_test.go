package engine

import (
	"strings"
	"testing"
	"time"
)

// putN puts n records of size bytes (key "k" + size-1 data bytes) with PutRecords and returns how
// many succeeded and how many were throttled.
func putN(t *testing.T, e *Engine, n, size int) (ok, throttled int) {
	t.Helper()
	data := make([]byte, size-1)
	for n > 0 {
		batch := min(n, 500)
		rs := make([]Record, batch)
		for i := range rs {
			rs[i] = Record{PartitionKey: "k", Data: data}
		}
		out, err := e.PutRecords("s", rs)
		if err != nil {
			t.Fatalf("PutRecords: %v", err)
		}
		for _, r := range out {
			switch r.ErrorCode {
			case "":
				ok++
			case ErrThroughputExceeded:
				throttled++
				if !strings.Contains(r.ErrorMessage, "shardId-000000000000") {
					t.Errorf("throttle message %q does not name the shard", r.ErrorMessage)
				}
			default:
				t.Fatalf("unexpected entry error %s: %s", r.ErrorCode, r.ErrorMessage)
			}
		}
		n -= batch
	}
	return ok, throttled
}

func TestWriteLimitsAtTheBoundary(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name           string
		n, size        int
		wantOK, wantTh int
	}{
		// 1000 records/s with a one-second burst: 1000 pass, the 1001st fails.
		{"records: 1000 pass", 1000, 1, 1000, 0},
		{"records: 1001st fails", 1001, 1, 1000, 1},
		// 1 MiB/s including the key: 512 records of 2048 bytes are exactly 1 MiB.
		{"bytes: exactly 1 MiB passes", 512, 2048, 512, 0},
		{"bytes: one more record fails", 513, 2048, 512, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock()
			e := openMem(t, Options{Clock: clk})
			mustCreate(t, e, "s", 1)
			ok, th := putN(t, e, c.n, c.size)
			if ok != c.wantOK || th != c.wantTh {
				t.Fatalf("ok %d, throttled %d; want %d, %d", ok, th, c.wantOK, c.wantTh)
			}
			// The bucket refills continuously: after 1 ms, 1 record (or 1048.576 bytes) is back.
			clk.Advance(time.Millisecond)
			if c.size == 1 {
				if ok, th := putN(t, e, 2, 1); ok != 1 || th != 1 {
					t.Errorf("after 1ms: ok %d, throttled %d; want 1, 1", ok, th)
				}
			}
			// After a full second the whole burst is available again.
			clk.Advance(time.Second)
			if ok, th := putN(t, e, c.wantOK, c.size); ok != c.wantOK || th != 0 {
				t.Errorf("after 1s: ok %d, throttled %d; want %d, 0", ok, th, c.wantOK)
			}
			st, _ := e.Stats("s")
			if st.Shards[0].WriteThrottles < int64(c.wantTh) {
				t.Errorf("stats write throttles = %d, want ≥ %d", st.Shards[0].WriteThrottles, c.wantTh)
			}
		})
	}
}

func TestPutRecordThrottleError(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	e := openMem(t, Options{Clock: clk})
	mustCreate(t, e, "s", 1)
	putN(t, e, 1000, 1)
	_, err := e.PutRecord("s", Record{PartitionKey: "k", Data: []byte("x")})
	wantCode(t, err, ErrThroughputExceeded, "shardId-000000000000", "stream s")
}

func TestLimitsOff(t *testing.T) {
	t.Parallel()
	e := openMem(t, Options{Clock: newFakeClock(), LimitsOff: true})
	mustCreate(t, e, "s", 1)
	if ok, th := putN(t, e, 5000, 2048); ok != 5000 || th != 0 {
		t.Fatalf("limits off: ok %d, throttled %d; want 5000, 0", ok, th)
	}
}

func TestReadLimits(t *testing.T) {
	t.Parallel()
	t.Run("5 calls per second", func(t *testing.T) {
		t.Parallel()
		clk := newFakeClock()
		e := openMem(t, Options{Clock: clk})
		mustCreate(t, e, "s", 1)
		it := mustIter(t, e, "s", "shardId-000000000000", TrimHorizon, "", time.Time{})
		for i := 0; i < 5; i++ {
			if _, err := e.GetRecords(it, 0); err != nil {
				t.Fatalf("call %d: %v", i+1, err)
			}
		}
		_, err := e.GetRecords(it, 0)
		wantCode(t, err, ErrThroughputExceeded, "shardId-000000000000")
		clk.Advance(200 * time.Millisecond) // one call's worth
		if _, err := e.GetRecords(it, 0); err != nil {
			t.Fatalf("after 200ms: %v", err)
		}
		_, err = e.GetRecords(it, 0)
		wantCode(t, err, ErrThroughputExceeded)
	})
	t.Run("bytes: a big read puts the shard in debt", func(t *testing.T) {
		t.Parallel()
		clk := newFakeClock()
		l := DefaultLimits()
		l.ReadBytesPerSec = 1000
		e := openMem(t, Options{Clock: clk, Limits: l})
		mustCreate(t, e, "s", 1)
		putN(t, e, 3, 1000) // 3000 bytes: three seconds of the read rate
		it := mustIter(t, e, "s", "shardId-000000000000", TrimHorizon, "", time.Time{})
		res, err := e.GetRecords(it, 0)
		if err != nil || len(res.Records) != 3 {
			t.Fatalf("first read: %d records, %v; want 3", len(res.Records), err)
		}
		// Balance 1000-3000 = -2000 bytes: refilled to 0 after exactly 2 s, which is not enough.
		clk.Advance(2 * time.Second)
		_, err = e.GetRecords(res.NextShardIterator, 0)
		wantCode(t, err, ErrThroughputExceeded)
		clk.Advance(time.Millisecond)
		if _, err := e.GetRecords(res.NextShardIterator, 0); err != nil {
			t.Fatalf("after the debt is repaid: %v", err)
		}
		st, _ := e.Stats("s")
		if st.Shards[0].ReadThrottles != 1 {
			t.Errorf("read throttles = %d, want 1", st.Shards[0].ReadThrottles)
		}
	})
	t.Run("response caps", func(t *testing.T) {
		t.Parallel()
		l := DefaultLimits()
		l.MaxGetRecordsCount, l.MaxGetRecordsBytes = 7, 5000
		e := openMem(t, Options{Clock: newFakeClock(), Limits: l, LimitsOff: true})
		mustCreate(t, e, "s", 1)
		putN(t, e, 20, 100)
		it := mustIter(t, e, "s", "shardId-000000000000", TrimHorizon, "", time.Time{})
		if res, _ := e.GetRecords(it, 0); len(res.Records) != 7 {
			t.Errorf("count cap: %d records, want 7", len(res.Records))
		}
		if res, _ := e.GetRecords(it, 3); len(res.Records) != 3 {
			t.Errorf("limit 3: %d records, want 3", len(res.Records))
		}
		putN(t, e, 10, 2000) // frames of 2026 bytes: two fit in 5000
		it = mustIter(t, e, "s", "shardId-000000000000", AtSequenceNumber, formatSeq(0, 21), time.Time{})
		if res, _ := e.GetRecords(it, 0); len(res.Records) != 2 {
			t.Errorf("byte cap: %d records, want 2", len(res.Records))
		}
	})
}

// TestNoBurstCredit: with NoBurstCredit a new shard starts with empty write
// buckets and earns credit at the limit rate, up to one second's worth.
func TestNoBurstCredit(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	e := openMem(t, Options{Clock: clk, NoBurstCredit: true})
	mustCreate(t, e, "s", 1)
	// No credit at t=0: the first record is refused.
	if ok, th := putN(t, e, 1, 1); ok != 0 || th != 1 {
		t.Fatalf("at t=0: ok %d, throttled %d; want 0, 1", ok, th)
	}
	// 100 ms earns 100 records (1000/s × 0.1 s).
	clk.Advance(100 * time.Millisecond)
	if ok, th := putN(t, e, 101, 1); ok != 100 || th != 1 {
		t.Fatalf("after 100ms: ok %d, throttled %d; want 100, 1", ok, th)
	}
	// Credit caps at one second's worth, as without the option.
	clk.Advance(5 * time.Second)
	if ok, th := putN(t, e, 1001, 1); ok != 1000 || th != 1 {
		t.Fatalf("after 5s: ok %d, throttled %d; want 1000, 1", ok, th)
	}
}

// TestDefaultLimitsComeFromTheQuotaTable: the emulated limits are the
// model's sourced figures, the same numbers plans are computed with.
func TestDefaultLimitsComeFromTheQuotaTable(t *testing.T) {
	t.Parallel()
	want := Limits{
		WriteBytesPerSec: 1 << 20, WriteRecordsPerSec: 1000,
		ReadBytesPerSec: 2 << 20, ReadCallsPerSec: 5, EFOBytesPerSec: 2 << 20,
		MaxGetRecordsCount: 10000, MaxGetRecordsBytes: 10 << 20,
	}
	if got := DefaultLimits(); got != want {
		t.Fatalf("DefaultLimits() = %+v, want %+v", got, want)
	}
}
