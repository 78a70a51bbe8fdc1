package kinesis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/driver"
)

func TestOptionsValidation(t *testing.T) {
	t.Parallel()
	base := Options{Endpoint: "http://127.0.0.1:1"}
	tests := []struct {
		name   string
		mutate func(*Options)
		want   string // substring of the error; "" means valid
	}{
		{"defaults", func(*Options) {}, ""},
		{"batching", func(o *Options) { o.BatchSize = 500; o.Linger = 50 * time.Millisecond; o.Consumer = "efo" }, ""},
		{"batch size too big", func(o *Options) { o.BatchSize = 501 }, `kinesis: option BatchSize "501": must be between 0 and 500`},
		{"batch size negative", func(o *Options) { o.BatchSize = -1 }, `option BatchSize "-1": must be between 0 and 500`},
		{"linger too long", func(o *Options) { o.BatchSize = 10; o.Linger = time.Minute }, `option Linger "1m0s": must be between 0s and 10s`},
		{"bad consumer", func(o *Options) { o.Consumer = "kcl" }, `option Consumer "kcl": must be one of polling, efo`},
		{"shards too many", func(o *Options) { o.Shards = 20_000 }, `option Shards "20000": must be between 1 and 10000`},
		{"retries too many", func(o *Options) { o.MaxRetries = 1000 }, `option MaxRetries "1000": must be between 0 and 100`},
		{"negative retries", func(o *Options) { o.MaxRetries = -1 }, `option MaxRetries "-1": must be between 0 and 100`},
		{"no retries", func(o *Options) { o.NoRetries = true }, ""},
		{"backoff too small", func(o *Options) { o.Backoff = time.Microsecond }, `option Backoff "1µs": must be between 1ms and 1m0s`},
		{"max backoff below backoff", func(o *Options) { o.Backoff = time.Second; o.MaxBackoff = 10 * time.Millisecond }, `option MaxBackoff "10ms": must be between 1s and 5m0s`},
		{"poll interval too fast", func(o *Options) { o.PollInterval = time.Millisecond }, `option PollInterval "1ms": must be between 10ms and 1m0s`},
		{"request timeout too small", func(o *Options) { o.RequestTimeout = time.Millisecond }, `option RequestTimeout "1ms": must be between 10ms and 5m0s`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := base
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
	d, err := New(Options{Endpoint: "http://127.0.0.1:1", Stream: "s1", BatchSize: 100, NoRetries: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	info := d.Info()
	if info.Name != "kinesis" || info.Endpoint != "http://127.0.0.1:1" {
		t.Errorf("Info name/endpoint = %q/%q", info.Name, info.Endpoint)
	}
	if info.Version != "github.com/aws/aws-sdk-go-v2/service/kinesis@v1.56.11" {
		t.Errorf("Info.Version = %q", info.Version)
	}
	want := map[string]string{
		"stream": "s1", "region": DefaultEndpointRegion, "put": "PutRecords", "batch_size": "100",
		"linger": "0s", "max_retries": "0", "consumer": "polling", "poll_interval": "200ms", "stats.acked": "0",
	}
	for k, v := range want {
		if info.Settings[k] != v {
			t.Errorf("Settings[%q] = %q, want %q", k, info.Settings[k], v)
		}
	}
}

func TestEndpointCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		env    map[string]string
		wantID string
	}{
		{"dummy when unset", nil, "streamcap"},
		{"dummy when only id set", map[string]string{"AWS_ACCESS_KEY_ID": "AKIDX"}, "streamcap"},
		{"environment when both set", map[string]string{"AWS_ACCESS_KEY_ID": "AKIDX", "AWS_SECRET_ACCESS_KEY": "s"}, "AKIDX"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := endpointCredentials(func(k string) string { return tc.env[k] })
			c, err := p.Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if c.AccessKeyID != tc.wantID {
				t.Errorf("AccessKeyID = %q, want %q", c.AccessKeyID, tc.wantID)
			}
		})
	}
}

// closedPort returns 127.0.0.1:PORT where nothing listens any more.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

func TestUnreachableEndpointFailsFast(t *testing.T) {
	t.Parallel()
	for _, batch := range []int{1, 50} {
		t.Run(fmt.Sprintf("batch=%d", batch), func(t *testing.T) {
			t.Parallel()
			d, err := New(Options{Endpoint: "http://" + closedPort(t), BatchSize: batch, RequestTimeout: time.Second, DialTimeout: 500 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err = d.Send(ctx, "k", []byte("payload"))
			if err == nil {
				t.Fatal("Send to a closed port succeeded")
			}
			if ctx.Err() != nil {
				t.Fatalf("Send only returned when the test's 20s context ended: %v", err)
			}
			if errors.Is(err, bench.ErrThrottled) {
				t.Errorf("connection failure %v counted as a throttle", err)
			}
			if s := d.Stats(); s.Failed != 1 || s.Retries != 0 {
				t.Errorf("Stats = %+v, want 1 failed and no retries", s)
			}
			if err := d.Setup(ctx, bench.Topology{Stream: "x", Shards: 1}); err == nil || ctx.Err() != nil {
				t.Errorf("Setup against a closed port = %v, want a prompt error", err)
			}
			if err := d.Consume(ctx, 0, func(bench.Delivery) {}); err == nil || ctx.Err() != nil {
				t.Errorf("Consume against a closed port = %v, want a prompt error", err)
			}
		})
	}
}

// TestRealAWSConfig builds a client for real AWS (no Endpoint): the region
// given wins, and nothing is contacted until the first call.
func TestRealAWSConfig(t *testing.T) {
	t.Parallel()
	d, err := New(Options{Region: "eu-west-1"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer d.Close()
	if info := d.Info(); info.Endpoint != "aws:eu-west-1" || info.Settings["region"] != "eu-west-1" {
		t.Errorf("Info endpoint/region = %q/%q, want aws:eu-west-1/eu-west-1", info.Endpoint, info.Settings["region"])
	}
}

func TestIsTransient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"closed under a read", &net.OpError{Op: "read", Net: "tcp", Err: errors.New("use of closed network connection")}, true},
		{"reset", fmt.Errorf("send: %w", syscall.ECONNRESET), true},
		{"unexpected EOF", fmt.Errorf("deserialize: %w", io.ErrUnexpectedEOF), true},
		{"refused dial", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, false},
		{"canceled", fmt.Errorf("call: %w", context.Canceled), false},
		{"other", errors.New("ValidationException"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := isTransient(tc.err); got != tc.want {
				t.Errorf("isTransient(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
