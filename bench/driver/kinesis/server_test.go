package kinesis

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/engine"
	"github.com/streamcap/streamcap/bench/engine/kinesisapi"
)

// newServer starts the bundled engine in memory behind its Kinesis API on
// 127.0.0.1 and returns the endpoint URL.
func newServer(t *testing.T, limits bool) string {
	t.Helper()
	url, _ := newServerEngine(t, limits)
	return url
}

// newServerEngine is newServer that also returns the engine, for tests that
// reshard behind the API's back.
func newServerEngine(t *testing.T, limits bool) (string, *engine.Engine) {
	t.Helper()
	return newServerWith(t, engine.Options{InMemory: true, LimitsOff: !limits})
}

// frozenClock is an engine clock that never moves: token buckets never
// refill, so exactly one second's worth of records passes and every later
// one is throttled, however fast or slow the test machine is.
type frozenClock struct{ t time.Time }

func (c frozenClock) Now() time.Time { return c.t }

// newServerWith serves an engine opened with eo.
func newServerWith(t *testing.T, eo engine.Options) (string, *engine.Engine) {
	t.Helper()
	eng, err := engine.Open(eo)
	if err != nil {
		t.Fatalf("engine.Open: %v", err)
	}
	srv := httptest.NewServer(kinesisapi.NewHandler(eng, kinesisapi.HandlerOptions{}))
	t.Cleanup(func() {
		srv.Close()
		_ = eng.Close()
	})
	return srv.URL, eng
}

func newTestDriver(t *testing.T, o Options) *Driver {
	t.Helper()
	if o.Seed == 0 {
		o.Seed = 1
	}
	d, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// record encodes a key index and a per-key sequence in a 32-byte payload.
func record(key, seq int) []byte {
	p := make([]byte, 32)
	binary.BigEndian.PutUint32(p[0:], uint32(key))
	binary.BigEndian.PutUint32(p[4:], uint32(seq))
	return p
}

func TestSetupSendConsumeInOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    Options
		senders int // goroutines, each owning its keys and sending in sequence
	}{
		{"PutRecord", Options{}, 4},
		{"PutRecords batched", Options{BatchSize: 100, Linger: 2 * time.Millisecond}, 16},
		{"PutRecords batched, EFO consumer", Options{BatchSize: 100, Linger: 2 * time.Millisecond, Consumer: ConsumerEFO}, 16},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const perSender, keysPerSender = 50, 5
			o := tc.opts
			o.Endpoint = newServer(t, false)
			o.PollInterval = 20 * time.Millisecond
			d := newTestDriver(t, o)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := d.Setup(ctx, bench.Topology{Stream: "orders", Shards: 4, Consumers: 1}); err != nil {
				t.Fatalf("Setup: %v", err)
			}
			shards, err := d.openShards(ctx, "orders")
			if err != nil || len(shards) != 4 {
				t.Fatalf("open shards = %v, %v; want 4", shards, err)
			}

			got := make(chan []byte, tc.senders*perSender+10)
			cctx, cstop := context.WithCancel(ctx)
			consumeErr := make(chan error, 1)
			go func() {
				consumeErr <- d.Consume(cctx, 0, func(dl bench.Delivery) { got <- append([]byte(nil), dl.Payload...) })
			}()

			var wg sync.WaitGroup
			errs := make(chan error, tc.senders*perSender)
			for s := range tc.senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range perSender {
						key := s*keysPerSender + i%keysPerSender
						if err := d.Send(ctx, fmt.Sprintf("key-%d", key), record(key, i/keysPerSender)); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("Send: %v", err)
			}
			total := tc.senders * perSender
			if s := d.Stats(); s.Acked != int64(total) || s.Failed != 0 {
				t.Fatalf("Stats = %+v, want %d acked", s, total)
			}

			// Records of one key share a shard, so they must arrive in
			// the order their sends were acknowledged.
			next := map[uint32]uint32{}
			for n := 0; n < total; n++ {
				select {
				case p := <-got:
					key, seq := binary.BigEndian.Uint32(p), binary.BigEndian.Uint32(p[4:])
					if seq != next[key] {
						t.Fatalf("key %d: got seq %d, want %d (per-shard order broken)", key, seq, next[key])
					}
					next[key]++
				case <-ctx.Done():
					t.Fatalf("consumed %d of %d records before timeout", n, total)
				}
			}
			cstop()
			if err := <-consumeErr; err != nil {
				t.Errorf("Consume returned %v, want nil after ctx end", err)
			}
		})
	}
}

func TestSetupExistingStreamKeepsShards(t *testing.T) {
	t.Parallel()
	d := newTestDriver(t, Options{Endpoint: newServer(t, false)})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, shards := range []int{3, 7} {
		if err := d.Setup(ctx, bench.Topology{Stream: "s", Shards: shards}); err != nil {
			t.Fatalf("Setup(%d shards): %v", shards, err)
		}
	}
	shards, err := d.openShards(ctx, "s")
	if err != nil || len(shards) != 3 {
		t.Fatalf("open shards = %v, %v; want the 3 of the first Setup", shards, err)
	}
	if got := d.Info().Settings["shards"]; got != "3" {
		t.Errorf("Info shards = %q, want 3", got)
	}
}

// TestThrottling drives one shard with limits on (1000 records/s) well past
// its limit.
func TestThrottling(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opts  Options
		batch int
		size  int // payload bytes
		acked int64
	}{
		// 16-byte records: the 1000 records/s limit binds.
		// Exactly one second's worth, 1000 records, is acknowledged.
		{"PutRecords without retries", Options{BatchSize: 500, NoRetries: true}, 500, 16, 1000},
		{"PutRecords with retries", Options{BatchSize: 500, MaxRetries: 2, Backoff: 20 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}, 500, 16, 1000},
		// 256 KiB records make the 1 MiB/s byte limit bind instead.
		// 3 × (256 KiB + key) fit in 1 MiB; the 4th does not.
		{"PutRecord without retries", Options{NoRetries: true}, 1, 256 << 10, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := tc.opts
			// The engine's clock is frozen so the shard's buckets never
			// refill: the first second's worth of records passes, every
			// later one (and every retry) is throttled, whatever the
			// machine's speed.
			o.Endpoint, _ = newServerWith(t, engine.Options{InMemory: true, Clock: frozenClock{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}})
			d := newTestDriver(t, o)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := d.Setup(ctx, bench.Topology{Stream: "hot", Shards: 1}); err != nil {
				t.Fatalf("Setup: %v", err)
			}
			// Records as fast as the senders go, at most 6000: with the
			// clock frozen the shard takes one second's burst (1000
			// records, 1 MiB) and refuses the rest. Sending stops early
			// once 3000 records (or 40 MiB) were sent and throttles were
			// seen.
			maxSends, enough := 6000, min(3000, (40<<20)/tc.size)
			workers := 8
			if tc.batch > 1 {
				workers = 600 // enough concurrent sends to fill batches
			}
			payload := make([]byte, tc.size)
			var wg sync.WaitGroup
			var mu sync.Mutex
			var sent, throttled, other int
			var firstOther error
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						mu.Lock()
						if sent >= maxSends || sent >= enough && throttled > 0 || ctx.Err() != nil {
							mu.Unlock()
							return
						}
						sent++
						i := sent
						mu.Unlock()
						err := d.Send(ctx, fmt.Sprintf("k%d", i), payload)
						mu.Lock()
						switch {
						case err == nil:
						case errors.Is(err, bench.ErrThrottled):
							throttled++
						default:
							other++
							firstOther = err
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			s := d.Stats()
			t.Logf("stats %+v; throttled sends %d", s, throttled)
			if other != 0 {
				t.Fatalf("%d sends failed with non-throttle errors, e.g. %v", other, firstOther)
			}
			if s.Acked+int64(throttled) != int64(sent) || s.ThrottledFinal != int64(throttled) {
				t.Errorf("acked %d + throttled %d != %d sends (stats %+v)", s.Acked, throttled, sent, s)
			}
			if s.Throttled == 0 {
				t.Fatalf("no throttles counted pushing %d records at one shard", sent)
			}
			if s.Acked != tc.acked {
				t.Errorf("acked %d records, want exactly %d (one second of the shard's limit)", s.Acked, tc.acked)
			}
			if o.NoRetries {
				if throttled == 0 || s.Retries != 0 {
					t.Errorf("without retries: %d sends wrapped ErrThrottled and %d retries; want > 0 and 0", throttled, s.Retries)
				}
				if s.Throttled != int64(throttled) {
					t.Errorf("without retries every refusal fails its send: throttles %d, failed sends %d", s.Throttled, throttled)
				}
			} else if s.Retries == 0 {
				t.Errorf("with retries enabled the retry counter stayed 0 (stats %+v)", s)
			}
		})
	}
}

// TestConsumeFollowsSplit splits the stream's only shard halfway through
// the sends: the consumer (polling or EFO) finishes the parent (polling:
// NextShardIterator empty; both: ChildShards set), then reads both
// children, and each key's records still arrive in send order.
func TestConsumeFollowsSplit(t *testing.T) {
	t.Parallel()
	for _, consumer := range []string{ConsumerPolling, ConsumerEFO} {
		t.Run(consumer, func(t *testing.T) {
			t.Parallel()
			testConsumeFollowsSplit(t, consumer)
		})
	}
}

func testConsumeFollowsSplit(t *testing.T, consumer string) {
	const keys, perKey = 10, 20
	url, eng := newServerEngine(t, false)
	d := newTestDriver(t, Options{Endpoint: url, PollInterval: 20 * time.Millisecond, Consumer: consumer})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := d.Setup(ctx, bench.Topology{Stream: "split", Shards: 1}); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, keys*perKey)
	cctx, cstop := context.WithCancel(ctx)
	defer cstop()
	go func() { _ = d.Consume(cctx, 0, func(dl bench.Delivery) { got <- append([]byte(nil), dl.Payload...) }) }()
	send := func(i int) {
		for k := range keys {
			if err := d.Send(ctx, fmt.Sprintf("key-%d", k), record(k, i)); err != nil {
				t.Fatalf("Send: %v", err)
			}
		}
	}
	for i := range perKey / 2 {
		send(i)
	}
	shards, err := eng.ListShards("split")
	if err != nil {
		t.Fatal(err)
	}
	// 2^127: the middle of the 128-bit hash-key space.
	if err := eng.SplitShard("split", shards[0].ID, "170141183460469231731687303715884105728"); err != nil {
		t.Fatalf("SplitShard: %v", err)
	}
	for i := perKey / 2; i < perKey; i++ {
		send(i)
	}
	next := map[uint32]uint32{}
	for n := 0; n < keys*perKey; n++ {
		select {
		case p := <-got:
			key, seq := binary.BigEndian.Uint32(p), binary.BigEndian.Uint32(p[4:])
			if seq != next[key] {
				t.Fatalf("key %d: got seq %d, want %d", key, seq, next[key])
			}
			next[key]++
		case <-ctx.Done():
			t.Fatalf("consumed %d of %d records across the split before timeout", n, keys*perKey)
		}
	}
}

// TestEFORegistersAndDeregisters reads through enhanced fan-out: Consume
// registers consumer streamcap-INDEX (ACTIVE before it subscribes), the
// records arrive pushed, and Close deregisters what the driver registered.
func TestEFORegistersAndDeregisters(t *testing.T) {
	t.Parallel()
	url, eng := newServerEngine(t, true)
	d := newTestDriver(t, Options{Endpoint: url, Consumer: ConsumerEFO})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := d.Setup(ctx, bench.Topology{Stream: "efo", Shards: 2, Consumers: 1}); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 10)
	cctx, cstop := context.WithCancel(ctx)
	consumeErr := make(chan error, 1)
	go func() {
		consumeErr <- d.Consume(cctx, 3, func(dl bench.Delivery) { got <- append([]byte(nil), dl.Payload...) })
	}()
	for i := range 10 {
		if err := d.Send(ctx, fmt.Sprintf("k%d", i), record(i, 0)); err != nil {
			t.Fatal(err)
		}
	}
	for n := range 10 {
		select {
		case <-got:
		case <-ctx.Done():
			t.Fatalf("EFO consumer saw %d of 10 records", n)
		}
	}
	cs, err := eng.ListConsumers("efo")
	if err != nil || len(cs) != 1 || cs[0].Name != "streamcap-3" {
		t.Fatalf("registered consumers = %+v, %v; want streamcap-3", cs, err)
	}
	cstop()
	if err := <-consumeErr; err != nil {
		t.Errorf("Consume returned %v, want nil after ctx end", err)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if cs, err := eng.ListConsumers("efo"); err != nil || len(cs) != 0 {
		t.Errorf("consumers after Close = %+v, %v; want none", cs, err)
	}
}

// TestEFOUnknownStreamEndsConsume: a Consume whose stream is gone must
// return the API's error promptly rather than retry until its context ends.
func TestEFOUnknownStreamEndsConsume(t *testing.T) {
	t.Parallel()
	for _, consumer := range []string{ConsumerPolling, ConsumerEFO} {
		t.Run(consumer, func(t *testing.T) {
			t.Parallel()
			d := newTestDriver(t, Options{Endpoint: newServer(t, false), Consumer: consumer, Stream: "missing"})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err := d.Consume(ctx, 0, func(bench.Delivery) {})
			if err == nil || ctx.Err() != nil {
				t.Fatalf("Consume = %v, want a prompt error", err)
			}
			if !strings.Contains(err.Error(), "ResourceNotFoundException") {
				t.Errorf("Consume error %q does not name ResourceNotFoundException", err)
			}
		})
	}
}

// recordsInPut returns how many records a PutRecords request carries (ok
// false for any other request), leaving the body readable again.
func recordsInPut(req *http.Request) (n int, ok bool, err error) {
	if req.Header.Get("X-Amz-Target") != "Kinesis_20131202.PutRecords" || req.Body == nil {
		return 0, false, nil
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return 0, false, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	var in struct{ Records []json.RawMessage }
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, false, err
	}
	return len(in.Records), true, nil
}

// TestBatchingGathersConcurrentSends sends 95 records concurrently with
// BatchSize 10 and a long linger: they must travel in PutRecords calls of
// at most 10 records, full batches among them.
func TestBatchingGathersConcurrentSends(t *testing.T) {
	t.Parallel()
	hc := &gatedPuts{next: &http.Client{}} // no gate: sizes only
	d := newTestDriver(t, Options{Endpoint: newServer(t, false), BatchSize: 10, Linger: 300 * time.Millisecond, HTTPClient: hc})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := d.Setup(ctx, bench.Topology{Stream: "batch", Shards: 2}); err != nil {
		t.Fatal(err)
	}
	const sends = 95
	var wg sync.WaitGroup
	for i := range sends {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.Send(ctx, fmt.Sprintf("k%d", i), record(i, 0)); err != nil {
				t.Errorf("Send: %v", err)
			}
		}()
	}
	wg.Wait()
	hc.mu.Lock()
	sizes := append([]int(nil), hc.sizes...)
	hc.mu.Unlock()
	total, full := 0, 0
	for _, n := range sizes {
		if n < 1 || n > 10 {
			t.Errorf("PutRecords call carried %d records, want 1..10", n)
		}
		total += n
		if n == 10 {
			full++
		}
	}
	if total != sends || len(sizes) < 10 {
		t.Errorf("PutRecords calls %v carried %d records in %d calls; want %d in at least 10", sizes, total, len(sizes), sends)
	}
	if full == 0 {
		t.Errorf("no full batch among %v: concurrent sends were not gathered", sizes)
	}
	if s := d.Stats(); s.Acked != sends || s.Calls != int64(len(sizes)) {
		t.Errorf("Stats = %+v, want %d acked in %d calls", s, sends, len(sizes))
	}
}

// TestPollingReadThrottlesRecovered runs three polling consumers every
// 20ms on one shard with limits on (5 reads/s per shard): reads are refused
// and counted, and every consumer still sees every record.
func TestPollingReadThrottlesRecovered(t *testing.T) {
	t.Parallel()
	const consumers, sends = 3, 30
	d := newTestDriver(t, Options{Endpoint: newServer(t, true), PollInterval: 20 * time.Millisecond, Backoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := d.Setup(ctx, bench.Topology{Stream: "reads", Shards: 1, Consumers: consumers}); err != nil {
		t.Fatal(err)
	}
	cctx, cstop := context.WithCancel(ctx)
	defer cstop()
	counts := make([]chan struct{}, consumers)
	for i := range consumers {
		counts[i] = make(chan struct{}, sends)
		go func() { _ = d.Consume(cctx, i, func(bench.Delivery) { counts[i] <- struct{}{} }) }()
	}
	for i := range sends {
		if err := d.Send(ctx, fmt.Sprintf("k%d", i), record(i, 0)); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	for i := range consumers {
		for n := 0; n < sends; n++ {
			select {
			case <-counts[i]:
			case <-ctx.Done():
				t.Fatalf("consumer %d saw %d of %d records", i, n, sends)
			}
		}
	}
	// 3 consumers × 50 polls/s = 150 reads/s against a limit of 5: the
	// refusals are certain while they keep polling, though on a loaded
	// machine the records may all have been read before the first one, so
	// the polling goes on (for up to 5 s) until one is counted.
	for i := 0; d.Stats().ReadThrottles == 0; i++ {
		if i == 500 {
			t.Fatalf("no read throttles counted in 5 s of polling (stats %+v)", d.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkSend measures acknowledged sends through the SDK to the bundled
// server on 127.0.0.1, limits off (run on demand:
// go test -run '^$' -bench Send ./bench/driver/kinesis/).
func BenchmarkSend(b *testing.B) {
	for _, batch := range []int{1, 100} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			srv := newEngineAPI(b)
			d := newBenchDriver(b, Options{Endpoint: srv.URL, BatchSize: batch, Seed: 1})
			ctx := context.Background()
			p := make([]byte, 1024)
			b.SetBytes(int64(len(p)))
			b.SetParallelism(32)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					i++
					if err := d.Send(ctx, strconv.Itoa(i), p); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// newEngineAPI serves a fresh in-memory engine (limits off) over the Kinesis
// API on 127.0.0.1; both stop when tb ends.
func newEngineAPI(tb testing.TB) *httptest.Server {
	tb.Helper()
	eng, err := engine.Open(engine.Options{InMemory: true, LimitsOff: true})
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(kinesisapi.NewHandler(eng, kinesisapi.HandlerOptions{}))
	tb.Cleanup(func() { srv.Close(); eng.Close() })
	return srv
}

// newBenchDriver builds a driver with o and sets up stream "bench" with 4
// shards; the driver closes when tb ends.
func newBenchDriver(tb testing.TB, o Options) *Driver {
	tb.Helper()
	d, err := New(o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = d.Close() })
	if err := d.Setup(context.Background(), bench.Topology{Stream: "bench", Shards: 4}); err != nil {
		tb.Fatal(err)
	}
	return d
}
