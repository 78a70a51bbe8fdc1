package kafka

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/driver"
)

// newCluster starts a one-broker kfake cluster on 127.0.0.1 for the test.
func newCluster(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	if err != nil {
		t.Fatalf("kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

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
	ok := Options{Brokers: []string{"127.0.0.1:9092"}}
	tests := []struct {
		name   string
		mutate func(*Options)
		want   string // substring of the error; "" means valid
	}{
		{"defaults", func(*Options) {}, ""},
		{"every codec", func(o *Options) { o.Compression = "zstd"; o.Acks = "none"; o.Linger = 5 * time.Millisecond }, ""},
		{"no brokers", func(o *Options) { o.Brokers = nil }, `option Brokers "": must be at least one host:port`},
		{"broker without port", func(o *Options) { o.Brokers = []string{"localhost"} }, `option Brokers "localhost": must be host:port`},
		{"bad acks", func(o *Options) { o.Acks = "most" }, `kafka: option Acks "most": must be one of all, leader, none`},
		{"bad compression", func(o *Options) { o.Compression = "brotli" }, `option Compression "brotli": must be one of none, gzip, snappy, lz4, zstd`},
		{"negative linger", func(o *Options) { o.Linger = -time.Millisecond }, `option Linger "-1ms": must be between 0s and 1m0s`},
		{"linger too long", func(o *Options) { o.Linger = 2 * time.Minute }, `option Linger "2m0s": must be between 0s and 1m0s`},
		{"batch too small", func(o *Options) { o.BatchMaxBytes = 100 }, `option BatchMaxBytes "100": must be between 1024 and 1073741824`},
		{"partitions negative", func(o *Options) { o.Partitions = -3 }, `option Partitions "-3": must be between 1 and 100000`},
		{"replication zero is default", func(o *Options) { o.ReplicationFactor = 0 }, ""},
		{"replication negative", func(o *Options) { o.ReplicationFactor = -2 }, `option ReplicationFactor "-2": must be -1 (broker default) or between 1 and 32767`},
		{"delivery timeout tiny", func(o *Options) { o.DeliveryTimeout = time.Millisecond }, `option DeliveryTimeout "1ms": must be between 1s and 1h0m0s`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := ok
			tc.mutate(&o)
			d, err := New(o)
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
	d := newDriver(t, Options{Brokers: []string{"127.0.0.1:1", "127.0.0.1:2"}, Acks: "leader", Compression: "lz4", Linger: 10 * time.Millisecond})
	info := d.Info()
	if info.Name != "kafka" || info.Endpoint != "127.0.0.1:1,127.0.0.1:2" {
		t.Errorf("Info name/endpoint = %q/%q", info.Name, info.Endpoint)
	}
	// go.mod pins franz-go v1.22.2; the test binary's build info says so.
	if info.Version != "github.com/twmb/franz-go@v1.22.2" {
		t.Errorf("Info.Version = %q, want github.com/twmb/franz-go@v1.22.2", info.Version)
	}
	want := map[string]string{"acks": "leader", "idempotent": "false", "compression": "lz4", "linger": "10ms", "topic": DefaultTopic, "batch_max_bytes": "1000012"}
	for k, v := range want {
		if info.Settings[k] != v {
			t.Errorf("Settings[%q] = %q, want %q", k, info.Settings[k], v)
		}
	}
}

func TestSetupCreatesTopicWithPartitions(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	d := newDriver(t, Options{Brokers: c.ListenAddrs()})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := d.Setup(ctx, bench.Topology{Stream: "orders", Shards: 6}); err != nil {
		t.Fatalf("Setup: %v", err)
	}
	// A second Setup on the existing topic keeps it as it is.
	if err := d.Setup(ctx, bench.Topology{Stream: "orders", Shards: 2}); err != nil {
		t.Fatalf("second Setup: %v", err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	topics, err := kadm.NewClient(cl).ListTopics(ctx, "orders")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(topics["orders"].Partitions); got != 6 {
		t.Errorf("topic orders has %d partitions, want 6", got)
	}
	if got := d.Info().Settings; got["topic"] != "orders" || got["partitions"] != "6" {
		t.Errorf("Info topic/partitions = %q/%q, want orders/6", got["topic"], got["partitions"])
	}
}

// payload encodes id and a send timestamp the way an end-to-end measurement
// would: 8 bytes of UnixNano, 8 bytes of id, then filler.
func payload(id int, sent time.Time) []byte {
	p := make([]byte, 64)
	binary.BigEndian.PutUint64(p[0:], uint64(sent.UnixNano()))
	binary.BigEndian.PutUint64(p[8:], uint64(id))
	return p
}

func TestSendAndConsumeEndToEnd(t *testing.T) {
	t.Parallel()
	const n = 1000
	c := newCluster(t)
	d := newDriver(t, Options{Brokers: c.ListenAddrs(), Linger: 2 * time.Millisecond, Compression: "snappy"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := d.Setup(ctx, bench.Topology{Stream: "e2e", Shards: 4, Consumers: 1}); err != nil {
		t.Fatalf("Setup: %v", err)
	}

	// A record produced before Setup's snapshot would be seen if consumers
	// started from the beginning; they must not see it.
	got := make(chan bench.Delivery, n+10)
	cctx, cstop := context.WithCancel(ctx)
	consumeErr := make(chan error, 1)
	go func() {
		consumeErr <- d.Consume(cctx, 0, func(dl bench.Delivery) {
			dl.Payload = append([]byte(nil), dl.Payload...)
			got <- dl
		})
	}()

	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := w; id < n; id += 8 {
				if err := d.Send(ctx, "key-"+strconv.Itoa(id%37), payload(id, time.Now())); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Send: %v", err)
	}
	if s := d.Stats(); s.Acked != n || s.Failed != 0 {
		t.Fatalf("Stats = %+v, want %d acked and none failed", s, n)
	}

	seen := make(map[uint64]bool, n)
	for len(seen) < n {
		select {
		case dl := <-got:
			sent := time.Unix(0, int64(binary.BigEndian.Uint64(dl.Payload)))
			id := binary.BigEndian.Uint64(dl.Payload[8:])
			if id >= n || seen[id] {
				t.Fatalf("unexpected or duplicate record id %d", id)
			}
			seen[id] = true
			if sent.Before(start) || dl.ReceivedAt.Before(sent) {
				t.Fatalf("record %d: sent %v (run start %v), received %v: e2e timestamp not readable", id, sent, start, dl.ReceivedAt)
			}
		case <-ctx.Done():
			t.Fatalf("consumer saw %d of %d records before timeout", len(seen), n)
		}
	}
	// Nothing beyond the n records arrives.
	select {
	case dl := <-got:
		t.Fatalf("extra record %x", dl.Payload[:16])
	case <-time.After(200 * time.Millisecond):
	}
	cstop()
	if err := <-consumeErr; err != nil {
		t.Errorf("Consume returned %v, want nil after ctx end", err)
	}
}

func TestConsumeStartsAtSetupEnd(t *testing.T) {
	t.Parallel()
	c := newCluster(t, kfake.SeedTopics(2, "old"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Records from an earlier run are in the topic already.
	early := newDriver(t, Options{Brokers: c.ListenAddrs(), Topic: "old"})
	for i := range 5 {
		if err := early.Send(ctx, "k", payload(1000+i, time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	d := newDriver(t, Options{Brokers: c.ListenAddrs()})
	if err := d.Setup(ctx, bench.Topology{Stream: "old"}); err != nil {
		t.Fatal(err)
	}
	if err := d.Send(ctx, "k", payload(7, time.Now())); err != nil {
		t.Fatal(err)
	}
	got := make(chan uint64, 10)
	cctx, cstop := context.WithCancel(ctx)
	defer cstop()
	go func() {
		_ = d.Consume(cctx, 1, func(dl bench.Delivery) { got <- binary.BigEndian.Uint64(dl.Payload[8:]) })
	}()
	select {
	case id := <-got:
		if id != 7 {
			t.Fatalf("first consumed record id %d, want 7 (records before Setup must be skipped)", id)
		}
	case <-ctx.Done():
		t.Fatal("record sent after Setup never consumed")
	}
}

func TestSendUnreachableFailsBounded(t *testing.T) {
	t.Parallel()
	// A port that was just closed: nothing listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	d := newDriver(t, Options{Brokers: []string{addr}, DeliveryTimeout: time.Second, DialTimeout: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = d.Send(ctx, "k", []byte("x"))
	if err == nil {
		t.Fatal("Send to a closed port succeeded")
	}
	if ctx.Err() != nil {
		t.Fatalf("Send only returned when the test's 20s context ended: %v", err)
	}
	if errors.Is(err, bench.ErrThrottled) {
		t.Errorf("connection failure %v must not count as a throttle", err)
	}
}

func TestWrapThrottle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		err       error
		throttled bool
	}{
		{"quota exceeded", kerr.ThrottlingQuotaExceeded, true},
		{"wrapped quota exceeded", fmt.Errorf("create: %w", kerr.ThrottlingQuotaExceeded), true},
		{"record timeout", kgo.ErrRecordTimeout, false},
		{"not leader", kerr.NotLeaderForPartition, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := wrapThrottle(tc.err)
			if errors.Is(got, bench.ErrThrottled) != tc.throttled {
				t.Errorf("wrapThrottle(%v) = %v; wraps ErrThrottled = %v, want %v", tc.err, got, !tc.throttled, tc.throttled)
			}
			if !errors.Is(got, tc.err) {
				t.Errorf("wrapThrottle(%v) = %v lost the original error", tc.err, got)
			}
		})
	}
}

// TestBrokerThrottleCounted has the broker answer every produce with a
// quota throttle time, as Kafka does when a client exceeds its produce quota:
// the send is still acknowledged (Kafka enforces quotas by delay), and the
// driver counts the throttle.
func TestBrokerThrottleCounted(t *testing.T) {
	t.Parallel()
	c := newCluster(t, kfake.SeedTopics(1, "quota"))
	c.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		preq := req.(*kmsg.ProduceRequest)
		resp := preq.ResponseKind().(*kmsg.ProduceResponse)
		resp.ThrottleMillis = 20
		for _, rt := range preq.Topics {
			st := kmsg.NewProduceResponseTopic()
			st.Topic = rt.Topic
			st.TopicID = rt.TopicID
			for _, rp := range rt.Partitions {
				sp := kmsg.NewProduceResponseTopicPartition()
				sp.Partition = rp.Partition
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil, true
	})
	d := newDriver(t, Options{Brokers: c.ListenAddrs(), Topic: "quota"})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for range 3 {
		if err := d.Send(ctx, "k", []byte("x")); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	s := d.Stats()
	if s.Acked != 3 || s.BrokerThrottles < 1 || s.BrokerThrottleTime < 20*time.Millisecond {
		t.Errorf("Stats = %+v, want 3 acked and at least one 20ms broker throttle", s)
	}
	if got := d.Info().Settings["stats.broker_throttles"]; got == "0" {
		t.Errorf("Info stats.broker_throttles = %q, want > 0", got)
	}
}

// BenchmarkSend measures one acknowledged send through franz-go to an
// in-process kfake broker, from GOMAXPROCS goroutines (run on demand:
// go test -run '^$' -bench Send ./bench/driver/kafka/).
func BenchmarkSend(b *testing.B) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(4, "bench"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	d, err := New(Options{Brokers: c.ListenAddrs(), Topic: "bench", Linger: time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	p := make([]byte, 1024)
	b.SetBytes(int64(len(p)))
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if err := d.Send(ctx, strconv.Itoa(i%100), p); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
