package embedded

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/driver"
	"github.com/streamcap/streamcap/bench/engine"
)

func newDriver(t *testing.T, o Options) *Driver {
	t.Helper()
	d, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func TestOptionsValidation(t *testing.T) {
	t.Parallel()
	shared, err := engine.Open(engine.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	tests := []struct {
		name string
		opts Options
		want string // substring of the error; "" means valid
	}{
		{"defaults", Options{}, ""},
		{"polling without limits", Options{Consumer: "polling", LimitsOff: true, PollInterval: 50 * time.Millisecond}, ""},
		{"shared engine", Options{Engine: shared}, ""},
		{"bad consumer", Options{Consumer: "efo"}, `embedded: option Consumer "efo": must be one of subscribe, polling`},
		{"bad fsync", Options{Fsync: "sometimes"}, `option Fsync "sometimes": must be one of always, interval, never`},
		{"shards too many", Options{Shards: 10_001}, `option Shards "10001": must be between 1 and 10000`},
		{"poll interval negative", Options{PollInterval: -time.Second}, `option PollInterval "-1s": must be between 1ms and 1m0s`},
		{"engine with dir", Options{Engine: shared, Dir: "/tmp/x"}, `option Engine "set": must be alone`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := New(tc.opts)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("New: unexpected error %v", err)
				}
				_ = d.Close()
				return
			}
			if err == nil {
				_ = d.Close()
				t.Fatalf("New: want error containing %q, got nil", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if !errors.Is(err, driver.ErrInvalidOption) {
				t.Errorf("error %v does not wrap driver.ErrInvalidOption", err)
			}
		})
	}
}

func TestInfo(t *testing.T) {
	t.Parallel()
	d := newDriver(t, Options{Shards: 3, LimitsOff: true, Consumer: ConsumerPolling})
	info := d.Info()
	want := map[string]string{"stream": DefaultStream, "shards": "3", "storage": "memory", "fsync": "interval", "limits": "false", "consumer": "polling"}
	if info.Name != "embedded" || info.Endpoint != "in-process" || !strings.HasPrefix(info.Version, "github.com/streamcap/streamcap@") {
		t.Errorf("Info = %+v", info)
	}
	for k, v := range want {
		if info.Settings[k] != v {
			t.Errorf("Settings[%q] = %q, want %q", k, info.Settings[k], v)
		}
	}
}

// appended sums the records the engine appended to stream since it opened.
func appended(t *testing.T, eng *engine.Engine, stream string) (total, throttles int64) {
	t.Helper()
	st, err := eng.Stats(stream)
	if err != nil {
		t.Fatalf("engine Stats: %v", err)
	}
	for _, s := range st.Shards {
		total += s.Appended
		throttles += s.WriteThrottles
	}
	return total, throttles
}

func TestSendsLandAndAreConsumed(t *testing.T) {
	t.Parallel()
	for _, consumer := range []string{ConsumerSubscribe, ConsumerPolling} {
		t.Run(consumer, func(t *testing.T) {
			t.Parallel()
			const senders, perSender = 8, 125
			const total = senders * perSender
			d := newDriver(t, Options{LimitsOff: true, Consumer: consumer, PollInterval: 10 * time.Millisecond})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := d.Setup(ctx, bench.Topology{Stream: "orders", Shards: 4, Consumers: 1}); err != nil {
				t.Fatalf("Setup: %v", err)
			}
			desc, err := d.Engine().DescribeStream("orders")
			if err != nil || desc.OpenShardCount != 4 {
				t.Fatalf("DescribeStream = %d open shards, %v; want 4", desc.OpenShardCount, err)
			}
			if got := d.Info().Settings; got["shards"] != "4" || got["stream"] != "orders" {
				t.Errorf("Info stream/shards = %q/%q, want orders/4", got["stream"], got["shards"])
			}

			got := make(chan []byte, total+10)
			cctx, cstop := context.WithCancel(ctx)
			consumeErr := make(chan error, 1)
			go func() {
				consumeErr <- d.Consume(cctx, 0, func(dl bench.Delivery) { got <- append([]byte(nil), dl.Payload...) })
			}()

			var wg sync.WaitGroup
			buf := make([][]byte, senders)
			for s := range senders {
				buf[s] = make([]byte, 8)
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range perSender {
						// The same buffer is reused for every send: the
						// driver must not keep it.
						binary.BigEndian.PutUint32(buf[s], uint32(s))
						binary.BigEndian.PutUint32(buf[s][4:], uint32(i))
						if err := d.Send(ctx, fmt.Sprintf("key-%d", s), buf[s]); err != nil {
							t.Errorf("Send: %v", err)
							return
						}
					}
				}()
			}
			wg.Wait()
			if n, _ := appended(t, d.Engine(), "orders"); n != total || d.Stats().Acked != total {
				t.Fatalf("engine appended %d records, driver acked %d; want %d each", n, d.Stats().Acked, total)
			}
			// One key per sender: its records share a shard and arrive in
			// send order.
			next := make([]uint32, senders)
			for n := 0; n < total; n++ {
				select {
				case p := <-got:
					s, i := binary.BigEndian.Uint32(p), binary.BigEndian.Uint32(p[4:])
					if i != next[s] {
						t.Fatalf("sender %d: got record %d, want %d", s, i, next[s])
					}
					next[s]++
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

func TestConsumeSkipsRecordsBeforeSetup(t *testing.T) {
	t.Parallel()
	eng, err := engine.Open(engine.Options{InMemory: true, LimitsOff: true})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	earlier := newDriver(t, Options{Engine: eng, Stream: "s"})
	if err := earlier.Setup(ctx, bench.Topology{}); err != nil {
		t.Fatal(err)
	}
	if err := earlier.Send(ctx, "k", []byte("old")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond) // the old record's arrival precedes Setup
	d := newDriver(t, Options{Engine: eng, Stream: "s"})
	if err := d.Setup(ctx, bench.Topology{}); err != nil {
		t.Fatal(err)
	}
	if err := d.Send(ctx, "k", []byte("new")); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 4)
	cctx, cstop := context.WithCancel(ctx)
	defer cstop()
	go func() { _ = d.Consume(cctx, 0, func(dl bench.Delivery) { got <- string(dl.Payload) }) }()
	select {
	case p := <-got:
		if p != "new" {
			t.Fatalf("first consumed record %q, want %q", p, "new")
		}
	case <-ctx.Done():
		t.Fatal("record sent after Setup never consumed")
	}
}

func TestThrottleWithLimitsOn(t *testing.T) {
	t.Parallel()
	d := newDriver(t, Options{}) // limits on: 1000 records/s per shard
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := d.Setup(ctx, bench.Topology{Stream: "hot", Shards: 1}); err != nil {
		t.Fatal(err)
	}
	// The bucket holds one second of rate (1000 records); 3000 sends in
	// a tight loop exceed it long before it refills.
	const sends = 3000
	var throttled int64
	for i := range sends {
		err := d.Send(ctx, fmt.Sprintf("k%d", i), make([]byte, 10))
		switch {
		case err == nil:
		case errors.Is(err, bench.ErrThrottled):
			throttled++
		default:
			t.Fatalf("Send %d: %v", i, err)
		}
	}
	s := d.Stats()
	n, engThrottles := appended(t, d.Engine(), "hot")
	if throttled == 0 || s.Throttled != throttled || s.Acked+throttled != sends {
		t.Errorf("throttled sends %d, stats %+v; want some throttles and acked + throttled = %d", throttled, s, sends)
	}
	if n != s.Acked || engThrottles != throttled {
		t.Errorf("engine appended %d and refused %d; driver acked %d and saw %d throttles", n, engThrottles, s.Acked, throttled)
	}
}

// TestConsumeFollowsSplit splits the only shard halfway through the sends:
// the consumer finishes the parent, then reads both children, and every
// key's records still arrive in send order.
func TestConsumeFollowsSplit(t *testing.T) {
	t.Parallel()
	for _, consumer := range []string{ConsumerSubscribe, ConsumerPolling} {
		t.Run(consumer, func(t *testing.T) {
			t.Parallel()
			const keys, perKey = 10, 20
			d := newDriver(t, Options{LimitsOff: true, Consumer: consumer, PollInterval: 10 * time.Millisecond})
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
					p := make([]byte, 8)
					binary.BigEndian.PutUint32(p, uint32(k))
					binary.BigEndian.PutUint32(p[4:], uint32(i))
					if err := d.Send(ctx, fmt.Sprintf("key-%d", k), p); err != nil {
						t.Fatalf("Send: %v", err)
					}
				}
			}
			for i := range perKey / 2 {
				send(i)
			}
			shards, err := d.Engine().ListShards("split")
			if err != nil {
				t.Fatal(err)
			}
			// 2^127: the middle of the 128-bit hash-key space.
			if err := d.Engine().SplitShard("split", shards[0].ID, "170141183460469231731687303715884105728"); err != nil {
				t.Fatalf("SplitShard: %v", err)
			}
			for i := perKey / 2; i < perKey; i++ {
				send(i)
			}
			next := make([]uint32, keys)
			for n := 0; n < keys*perKey; n++ {
				select {
				case p := <-got:
					k, i := binary.BigEndian.Uint32(p), binary.BigEndian.Uint32(p[4:])
					if i != next[k] {
						t.Fatalf("key %d: got record %d, want %d", k, i, next[k])
					}
					next[k]++
				case <-ctx.Done():
					t.Fatalf("consumed %d of %d records across the split before timeout", n, keys*perKey)
				}
			}
		})
	}
}

// TestDataDirDurable sends with a data directory and fsync=always, closes
// the driver (and so its engine), and reopens the directory: every
// acknowledged record is there.
func TestDataDirDurable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d, err := New(Options{Dir: dir, Fsync: "always", Shards: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := d.Setup(ctx, bench.Topology{Stream: "durable"}); err != nil {
		t.Fatal(err)
	}
	const sends = 40
	for i := range sends {
		if err := d.Send(ctx, fmt.Sprintf("k%d", i), []byte("payload")); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	if got := d.Info().Settings["storage"]; got != dir {
		t.Errorf("Info storage = %q, want %q", got, dir)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	eng, err := engine.Open(engine.Options{Dir: dir})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer eng.Close()
	st, err := eng.Stats("durable")
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, s := range st.Shards {
		n += s.Records
	}
	if len(st.Shards) != 2 || n != sends {
		t.Errorf("reopened engine holds %d records in %d shards, want %d in 2", n, len(st.Shards), sends)
	}
}

// BenchmarkSend measures one in-process PutRecord through the driver with
// limits off, from parallel goroutines (run on demand:
// go test -run '^$' -bench Send ./bench/driver/embedded/).
func BenchmarkSend(b *testing.B) {
	d, err := New(Options{LimitsOff: true, Shards: 4})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if err := d.Setup(ctx, bench.Topology{}); err != nil {
		b.Fatal(err)
	}
	p := make([]byte, 1024)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if err := d.Send(ctx, "key", p); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// A polling reader reuses its read buffers only once the Consume goroutine has handed every
// record of the previous poll to fn: here fn holds the first poll's records while more are
// sent and the reader polls again (every millisecond), and every payload must still arrive
// intact and in order.
func TestPollingBuffersOutliveTheirRecords(t *testing.T) {
	t.Parallel()
	d := newDriver(t, Options{LimitsOff: true, Consumer: ConsumerPolling, PollInterval: time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := d.Setup(ctx, bench.Topology{Stream: "s", Shards: 1, Consumers: 1}); err != nil {
		t.Fatalf("Setup: %v", err)
	}
	send := func(prefix string) {
		for i := range 100 {
			if err := d.Send(ctx, "k", fmt.Appendf(nil, "%s-%03d", prefix, i)); err != nil {
				t.Fatalf("Send: %v", err)
			}
		}
	}
	send("a")
	holding, released := make(chan struct{}), make(chan struct{})
	var got []string
	done := make(chan struct{})
	cctx, cstop := context.WithCancel(ctx)
	defer cstop()
	go func() {
		_ = d.Consume(cctx, 0, func(dl bench.Delivery) {
			if len(got) == 0 {
				close(holding)
				<-released // hold the first poll's records while the second batch lands
			}
			got = append(got, string(dl.Payload))
			if len(got) == 200 {
				close(done)
			}
		})
	}()
	select {
	case <-holding:
	case <-ctx.Done():
		t.Fatal("the first poll's records never reached fn")
	}
	send("b")
	time.Sleep(20 * time.Millisecond) // about 20 polling intervals
	close(released)
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatalf("consumed %d of 200 records", len(got))
	}
	for i, p := range got {
		want := fmt.Sprintf("%s-%03d", map[bool]string{true: "a", false: "b"}[i < 100], i%100)
		if p != want {
			t.Fatalf("record %d = %q, want %q", i, p, want)
		}
	}
}
