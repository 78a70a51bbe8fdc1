package kinesisapi

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcap/streamcap/bench/engine"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveOnce runs Serve on dir in the background and returns an SDK client for it and a stop
// function that cancels it and returns Serve's error.
func serveOnce(t *testing.T, opts ServeOptions) (*kinesis.Client, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan net.Addr, 1)
	opts.Addr = "127.0.0.1:0"
	opts.OnListen = func(a net.Addr) { addrs <- a }
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, opts) }()
	var addr net.Addr
	select {
	case addr = <-addrs:
	case err := <-done:
		cancel()
		t.Fatalf("Serve returned before listening: %v", err)
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("Serve did not listen within 20s")
	}
	stop := func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(20 * time.Second):
			t.Fatal("Serve did not stop within 20s")
			return nil
		}
	}
	return newSDKClient("http://"+addr.String(), "x", "y"), stop
}

// TestServeRestart serves a data directory, writes a record, shuts down gracefully, serves the
// same directory again and reads the record back; the start and stop lines are logged.
func TestServeRestart(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "engine")
	logs := &syncBuffer{}
	opts := ServeOptions{DataDir: dir, Fsync: engine.FsyncAlways, Logger: slog.New(slog.NewTextHandler(logs, nil))}
	ctx := testCtx(t)

	kc, stop := serveOnce(t, opts)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("keep"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	put, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("keep"), PartitionKey: aws.String("k"), Data: []byte("durable")})
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}

	kc, stop = serveOnce(t, opts)
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("keep"), ShardId: aws.String(shard0), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	got, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Records) != 1 || string(got.Records[0].Data) != "durable" || aws.ToString(got.Records[0].SequenceNumber) != aws.ToString(put.SequenceNumber) {
		t.Fatalf("after restart read %+v, want the one record %q at %s", got.Records, "durable", aws.ToString(put.SequenceNumber))
	}
	out := logs.String()
	for _, want := range []string{"kinesis engine serving", "data_dir=" + dir, "recovered_records=1", "kinesis engine stopped"} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %q:\n%s", want, out)
		}
	}
}

func TestServeBadAddr(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	err := Serve(testCtx(t), ServeOptions{Addr: "127.0.0.1:notaport", DataDir: dir})
	if err == nil || !strings.Contains(err.Error(), "listen on 127.0.0.1:notaport") {
		t.Fatalf("Serve = %v, want a listen error naming the address", err)
	}
	// The engine was closed: the directory opens again.
	e, err := engine.Open(engine.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultDataDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/var/cache/test")
	got, err := DefaultDataDir()
	if err != nil || got != "/var/cache/test/streamcap/engine" {
		t.Fatalf("DefaultDataDir = %q, %v; want /var/cache/test/streamcap/engine", got, err)
	}
}

// TestServeEndsSubscriptions checks that a graceful stop does not wait for an open
// SubscribeToShard stream: the stream ends and Serve returns well within its shutdown timeout.
func TestServeEndsSubscriptions(t *testing.T) {
	t.Parallel()
	kc, stop := serveOnce(t, ServeOptions{InMemory: true, ShutdownTimeout: time.Minute})
	ctx := testCtx(t)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	rc, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(testARN0 + "s"), ConsumerName: aws.String("c")})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := kc.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: rc.Consumer.ConsumerARN, ShardId: aws.String(shard0),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.GetStream().Close()
	start := time.Now()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("shutdown took %v with a subscription open", d)
	}
	deadline := time.After(20 * time.Second)
	for open := true; open; {
		select {
		case _, open = <-sub.GetStream().Events():
		case <-deadline:
			t.Fatal("subscription still open 20s after shutdown")
		}
	}
}

// TestServeH2C checks that Serve speaks cleartext HTTP/2 with prior knowledge besides HTTP/1.1.
func TestServeH2C(t *testing.T) {
	t.Parallel()
	var url string
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, ServeOptions{Addr: "127.0.0.1:0", InMemory: true, OnListen: func(a net.Addr) { addrs <- a }})
	}()
	select {
	case a := <-addrs:
		url = "http://" + a.String()
	case err := <-done:
		cancel()
		t.Fatal(err)
	}
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	protocols := new(http.Protocols)
	protocols.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: protocols}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(testCtx(t), http.MethodPost, url, strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", targetPrefix+"ListStreams")
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
		t.Fatalf("got %d over %s, want 200 over HTTP/2", resp.StatusCode, resp.Proto)
	}
}

// TestServeBurstCredit: on a frozen clock a new shard with its one second
// of burst credit takes a record at once; with NoBurstCredit (engine serve
// --burst-credit off) it has earned nothing yet and refuses it as Kinesis
// would a shard over its limit. The start line says which.
func TestServeBurstCredit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		noCredit bool
		failed   int32
		log      string
	}{
		{"credit", false, 0, "burst_credit=true"},
		{"no credit", true, 1, "burst_credit=false"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			logs := &syncBuffer{}
			kc, stop := serveOnce(t, ServeOptions{InMemory: true, NoBurstCredit: c.noCredit, Clock: newFakeClock(), Logger: slog.New(slog.NewTextHandler(logs, nil))})
			defer func() {
				if err := stop(); err != nil {
					t.Error(err)
				}
			}()
			ctx := testCtx(t)
			if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
				t.Fatal(err)
			}
			out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"),
				Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("k"), Data: []byte("x")}}})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToInt32(out.FailedRecordCount); got != c.failed {
				t.Errorf("failed %d of 1 record, want %d (%+v)", got, c.failed, out.Records)
			}
			if c.failed == 1 && aws.ToString(out.Records[0].ErrorCode) != "ProvisionedThroughputExceededException" {
				t.Errorf("error code %q, want ProvisionedThroughputExceededException", aws.ToString(out.Records[0].ErrorCode))
			}
			if !strings.Contains(logs.String(), c.log) {
				t.Errorf("start line lacks %q:\n%s", c.log, logs.String())
			}
		})
	}
}
