package kinesis

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcap/streamcap/bench"
)

// capturedPut is an HTTP client that keeps the last request's body and
// headers and answers every PutRecords with one success per record.
type capturedPut struct {
	body   []byte
	header http.Header
}

func (c *capturedPut) Do(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	c.body, c.header = body, req.Header.Clone()
	n := strings.Count(string(body), `"PartitionKey"`)
	out := `{"FailedRecordCount":0,"Records":[` + strings.TrimSuffix(strings.Repeat(`{"SequenceNumber":"1","ShardId":"shardId-000000000000"},`, n), ",") + `]}`
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {awsJSON11}}, Body: io.NopCloser(strings.NewReader(out)), ContentLength: int64(len(out)), Request: req}, nil
}

// TestPutRecordsBodyMatchesSDK sends the same PutRecords through a client
// with the SDK's own encoder and one with putRecordsProtocol and a reusable
// body: the bytes on the wire, and the headers that describe and sign them,
// must be the same. Inputs the fast encoder does not take (escapes, an
// explicit hash key, a stream ARN) must still go out, encoded by the SDK.
func TestPutRecordsBodyMatchesSDK(t *testing.T) {
	t.Parallel()
	data := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i * 7)
		}
		return b
	}
	tests := []struct {
		name string
		in   kinesis.PutRecordsInput
		fast bool // encoded by encodePutRecords
	}{
		{"one record", kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{{Data: data(1000), PartitionKey: aws.String("k-1")}}}, true},
		{"three records, sizes 1, 2, 3 (base64 padding)", kinesis.PutRecordsInput{StreamName: aws.String("perf-bench"), Records: []types.PutRecordsRequestEntry{
			{Data: data(1), PartitionKey: aws.String("a")}, {Data: data(2), PartitionKey: aws.String("b b")}, {Data: data(3), PartitionKey: aws.String("~!#$%&'()*+,-./:;<=>?@[]^_`{|}")},
		}}, true},
		{"empty data", kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{{Data: []byte{}, PartitionKey: aws.String("k")}}}, true},
		{"key with a quote", kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{{Data: data(5), PartitionKey: aws.String(`a"b`)}}}, false},
		{"key with a backslash", kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{{Data: data(5), PartitionKey: aws.String(`a\b`)}}}, false},
		{"non-ASCII key", kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{{Data: data(5), PartitionKey: aws.String("clé")}}}, false},
		{"control character", kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{{Data: data(5), PartitionKey: aws.String("a\tb")}}}, false},
		{"explicit hash key", kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{{Data: data(5), PartitionKey: aws.String("k"), ExplicitHashKey: aws.String("42")}}}, false},
		{"stream ARN", kinesis.PutRecordsInput{StreamName: aws.String("s"), StreamARN: aws.String("arn:aws:kinesis:us-east-1:123456789012:stream/s"), Records: []types.PutRecordsRequestEntry{{Data: data(5), PartitionKey: aws.String("k")}}}, false},
	}
	newClient := func(hc *capturedPut, fast bool) *kinesis.Client {
		cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("id", "secret", ""), HTTPClient: hc, Retryer: func() aws.Retryer { return aws.NopRetryer{} }}
		return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
			o.BaseEndpoint = aws.String("http://127.0.0.1:1")
			if fast {
				o.Protocol = putRecordsProtocol{ClientProtocol: o.Protocol}
			}
		})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			sdkHC, fastHC := &capturedPut{}, &capturedPut{}
			in := tc.in
			if _, err := newClient(sdkHC, false).PutRecords(ctx, &in); err != nil {
				t.Fatalf("SDK encoder: %v", err)
			}
			var pool bodyPool
			pb, bctx := pool.get(ctx)
			in = tc.in
			if _, err := newClient(fastHC, true).PutRecords(bctx, &in); err != nil {
				t.Fatalf("fast encoder: %v", err)
			}
			if !bytes.Equal(fastHC.body, sdkHC.body) {
				t.Errorf("body\n got %s\nwant %s", fastHC.body, sdkHC.body)
			}
			for _, h := range []string{"X-Amz-Target", "Content-Type", "Content-Length", "X-Amz-Content-Sha256"} {
				if g, w := fastHC.header.Get(h), sdkHC.header.Get(h); g != w {
					t.Errorf("header %s = %q; want %q", h, g, w)
				}
			}
			if pb.used != tc.fast {
				t.Errorf("encoded by the fast encoder: %v; want %v", pb.used, tc.fast)
			}
			if tc.fast && !pb.r.eof.Load() {
				t.Error("body read to its end, but not marked so: it would never be reused")
			}
		})
	}
}

// TestPutBodyReusedAfterRealCall sends PutRecords over loopback HTTP to the
// bundled server: the transport reads the body to its end, so the buffer
// may go back to the pool (bodyPool.put keeps only such bodies).
func TestPutBodyReusedAfterRealCall(t *testing.T) {
	t.Parallel()
	d := newTestDriver(t, Options{Endpoint: newServer(t, false), BatchSize: 10})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := d.Setup(ctx, bench.Topology{Stream: "reuse", Shards: 1}); err != nil {
		t.Fatal(err)
	}
	var pool bodyPool
	for i := range 2 {
		pb, bctx := pool.get(ctx)
		in := &kinesis.PutRecordsInput{StreamName: aws.String("reuse"), Records: []types.PutRecordsRequestEntry{{Data: record(i, 0), PartitionKey: aws.String("k")}}}
		out, err := d.client.PutRecords(bctx, in)
		if err != nil {
			t.Fatalf("PutRecords %d: %v", i, err)
		}
		if len(out.Records) != 1 || aws.ToString(out.Records[0].SequenceNumber) == "" {
			t.Fatalf("PutRecords %d answered %+v; want one acknowledged record", i, out.Records)
		}
		if !pb.used || !pb.r.eof.Load() {
			t.Fatalf("call %d: body used %v, read to its end %v; want both", i, pb.used, pb.r.eof.Load())
		}
		pool.put(pb)
	}
}

// partialReads is an HTTP client that reads at most limit bytes of each
// request body (-1: all of it) and answers every PutRecords with success, as
// a transport does that got its answer before it had sent the whole body.
type partialReads struct{ limit int64 }

func (c partialReads) Do(req *http.Request) (*http.Response, error) {
	r := io.Reader(req.Body)
	if c.limit >= 0 {
		r = io.LimitReader(req.Body, c.limit)
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, err
	}
	out := `{"FailedRecordCount":0,"Records":[{"SequenceNumber":"1","ShardId":"shardId-000000000000"}]}`
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {awsJSON11}}, Body: io.NopCloser(strings.NewReader(out)), ContentLength: int64(len(out)), Request: req}, nil
}

// TestPutBodyReusableOnlyWhenRead: a body buffer goes back to the pool only
// when the transport read it to its end; one the transport stopped reading
// midway (it may still be reading it from another goroutine) is left to the
// collector, and one the SDK encoded (the fast encoder declined the input)
// was never used.
func TestPutBodyReusableOnlyWhenRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		limit    int64
		key      string
		reusable bool
	}{
		{"read to its end", -1, "k", true},
		{"read halfway", 100, "k", false},
		{"nothing read", 0, "k", false},
		{"SDK-encoded, read halfway", 100, `a"b`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("id", "secret", ""), HTTPClient: partialReads{tc.limit}, Retryer: func() aws.Retryer { return aws.NopRetryer{} }}
			kc := kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
				o.BaseEndpoint = aws.String("http://127.0.0.1:1")
				o.Protocol = putRecordsProtocol{ClientProtocol: o.Protocol}
			})
			var pool bodyPool
			pb, ctx := pool.get(context.Background())
			in := &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{{Data: bytes.Repeat([]byte("x"), 4000), PartitionKey: aws.String(tc.key)}}}
			if _, err := kc.PutRecords(ctx, in); err != nil {
				t.Fatalf("PutRecords: %v", err)
			}
			if got := pb.reusable(); got != tc.reusable {
				t.Errorf("reusable = %v (used %v, read to its end %v); want %v", got, pb.used, pb.r.eof.Load(), tc.reusable)
			}
		})
	}
}
