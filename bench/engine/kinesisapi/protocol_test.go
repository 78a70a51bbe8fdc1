package kinesisapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/streamcap/streamcap/bench/engine"
)

func TestEpochSecondsJSON(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		t    time.Time
		want string
	}{
		{"whole second", time.Unix(1700000000, 0), "1700000000"},
		{"milliseconds", time.Unix(1700000000, 123e6), "1700000000.123"},
		{"trailing zero trimmed", time.Unix(1700000000, 500e6), "1700000000.5"},
		{"sub-millisecond truncated", time.Unix(1700000000, 1_999_999), "1700000000.001"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(epochSeconds(c.t))
			if err != nil || string(b) != c.want {
				t.Fatalf("marshal = %s, %v; want %s", b, err, c.want)
			}
			var back epochSeconds
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if d := time.Time(back).Sub(c.t.Truncate(time.Millisecond)).Abs(); d > time.Microsecond {
				t.Fatalf("round trip off by %v", d)
			}
		})
	}
	for _, bad := range []string{`"2024-01-01"`, `-1`, `1e300`, `true`} {
		var v epochSeconds
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("unmarshal %s: no error", bad)
		}
	}
}

// TestRawProtocolErrors sends hand-made requests and checks the status, __type and headers.
func TestRawProtocolErrors(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, serverConfig{opts: HandlerOptions{MaxBodyBytes: 4096}})
	hc := ts.srv.Client()
	if r := rawCall(t, hc, ts.srv.URL, "CreateStream", []byte(`{"StreamName":"s","ShardCount":1}`)); r.Status != 200 {
		t.Fatalf("CreateStream: %d %s", r.Status, r.Body)
	}
	cases := []struct {
		name   string
		op     string
		body   string
		status int
		typ    string
	}{
		{"malformed JSON", "PutRecord", `{"StreamName":`, 400, "SerializationException"},
		{"not an object", "ListStreams", `[1,2]`, 400, "SerializationException"},
		{"wrong member type", "CreateStream", `{"StreamName":"x","ShardCount":"one"}`, 400, "SerializationException"},
		{"bad base64", "PutRecord", `{"StreamName":"s","PartitionKey":"k","Data":"!!!"}`, 400, "SerializationException"},
		{"bad timestamp", "GetShardIterator", `{"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AT_TIMESTAMP","Timestamp":"yesterday"}`, 400, "SerializationException"},
		{"oversize body", "PutRecord", `{"StreamName":"s","PartitionKey":"k","Data":"` + strings.Repeat("A", 8000) + `"}`, 413, "RequestEntityTooLargeException"},
		{"unknown operation", "FlyToTheMoon", `{}`, 400, "UnknownOperationException"},
		{"no target", "", `{}`, 400, "UnknownOperationException"},
		{"subscribe without consumer", "SubscribeToShard", `{"ShardId":"shardId-000000000000"}`, 400, "ValidationException"},
		{"subscribe unknown consumer", "SubscribeToShard", `{"ConsumerARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1","ShardId":"shardId-000000000000","StartingPosition":{"Type":"LATEST"}}`, 400, "ResourceNotFoundException"},
		{"no stream named", "DescribeStream", `{}`, 400, "ValidationException"},
		{"name and ARN disagree", "DescribeStream", `{"StreamName":"a","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/b"}`, 400, "InvalidArgumentException"},
		{"missing data", "PutRecord", `{"StreamName":"s","PartitionKey":"k"}`, 400, "ValidationException"},
		{"empty partition key", "PutRecord", `{"StreamName":"s","PartitionKey":"","Data":"eA=="}`, 400, "ValidationException"},
		{"bad explicit hash key", "PutRecord", `{"StreamName":"s","PartitionKey":"k","ExplicitHashKey":"-5","Data":"eA=="}`, 400, "ValidationException"},
		{"no records", "PutRecords", `{"StreamName":"s","Records":[]}`, 400, "ValidationException"},
		{"bad shard id", "GetShardIterator", `{"StreamName":"s","ShardId":"shard-zero","ShardIteratorType":"LATEST"}`, 400, "ResourceNotFoundException"},
		{"bad iterator type", "GetShardIterator", `{"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"SOMEWHERE"}`, 400, "ValidationException"},
		{"at sequence without one", "GetShardIterator", `{"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AT_SEQUENCE_NUMBER"}`, 400, "InvalidArgumentException"},
		{"bad iterator", "GetRecords", `{"ShardIterator":"AAAAAAAAAAAA"}`, 400, "InvalidArgumentException"},
		{"missing iterator", "GetRecords", `{}`, 400, "ValidationException"},
		{"limit too big", "GetRecords", `{"ShardIterator":"x","Limit":10001}`, 400, "InvalidArgumentException"},
		{"limit zero", "GetRecords", `{"ShardIterator":"x","Limit":0}`, 400, "ValidationException"},
		{"bad next token", "ListShards", `{"NextToken":"%%%"}`, 400, "InvalidArgumentException"},
		{"bad shard filter", "ListShards", `{"StreamName":"s","ShardFilter":{"Type":"SIDEWAYS"}}`, 400, "ValidationException"},
		{"on-demand mode", "CreateStream", `{"StreamName":"od","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}`, 400, "InvalidArgumentException"},
		{"merge non-adjacent", "MergeShards", `{"StreamName":"s","ShardToMerge":"shardId-000000000000","AdjacentShardToMerge":"shardId-000000000000"}`, 400, "InvalidArgumentException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rawCall(t, hc, ts.srv.URL, c.op, []byte(c.body))
			if r.Status != c.status || r.Type != c.typ {
				t.Fatalf("got %d %s (%s), want %d %s", r.Status, r.Type, r.Message, c.status, c.typ)
			}
			if r.Message == "" {
				t.Error("empty message")
			}
			if h := r.Header.Get("X-Amzn-Errortype"); h != c.typ {
				t.Errorf("x-amzn-ErrorType = %q, want %q", h, c.typ)
			}
			if ct := r.Header.Get("Content-Type"); ct != contentType {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
	t.Run("other body type refused", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, ts.srv.URL, bytes.NewReader([]byte("<ListStreams/>")))
		req.Header.Set("Content-Type", "application/xml")
		req.Header.Set("X-Amz-Target", targetPrefix+"ListStreams")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-Errortype") != "SerializationException" {
			t.Fatalf("got %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"))
		}
	})
	t.Run("GET", func(t *testing.T) {
		resp, err := hc.Get(ts.srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-Errortype") != "UnknownOperationException" {
			t.Fatalf("got %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"))
		}
	})
}

// TestPanicRecovered checks the recover middleware: a handler over a nil engine panics inside the
// operation and must answer 500 InternalFailure instead of dropping the connection.
func TestPanicRecovered(t *testing.T) {
	t.Parallel()
	h := NewHandler(nil, HandlerOptions{})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"StreamName":"s","ShardCount":1}`))
	req.Header.Set("X-Amz-Target", targetPrefix+"CreateStream")
	h.ServeHTTP(rec, req)
	if rec.Code != 500 || rec.Header().Get("x-amzn-ErrorType") != "InternalFailure" {
		t.Fatalf("got %d %q %s, want 500 InternalFailure", rec.Code, rec.Header().Get("x-amzn-ErrorType"), rec.Body)
	}
}

var fuzzOps = []string{
	"CreateStream", "DeleteStream", "DescribeStream", "DescribeStreamSummary", "ListStreams", "ListShards",
	"PutRecord", "PutRecords", "GetShardIterator", "GetRecords", "SplitShard", "MergeShards",
	"UpdateShardCount", "IncreaseStreamRetentionPeriod", "DecreaseStreamRetentionPeriod",
	"RegisterStreamConsumer", "DescribeStreamConsumer", "ListStreamConsumers", "DeregisterStreamConsumer",
	"SubscribeToShard", "Nope",
}

// FuzzDecodeRequest feeds arbitrary bodies to every operation of a live in-memory engine: the
// handler must never panic and must answer 200, or 400/413 with a JSON error whose __type matches
// the x-amzn-ErrorType header; never a 500.
func FuzzDecodeRequest(f *testing.F) {
	seeds := []struct {
		op   uint8
		body string
	}{
		{0, `{"StreamName":"f2","ShardCount":2}`},
		{6, `{"StreamName":"f","PartitionKey":"k","Data":"aGVsbG8="}`},
		{7, `{"StreamName":"f","Records":[{"PartitionKey":"k","Data":"aGVsbG8="},{"PartitionKey":"j","ExplicitHashKey":"7","Data":""}]}`},
		{8, `{"StreamName":"f","ShardId":"shardId-000000000000","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1.5e9}`},
		{9, `{"ShardIterator":"AAAA","Limit":5}`},
		{10, `{"StreamName":"f","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"99999999999999999999999999999999999999999"}`},
		{5, `{"StreamName":"f","MaxResults":1,"ShardFilter":{"Type":"AFTER_SHARD_ID","ShardId":"shardId-000000000000"}}`},
		{12, `{"StreamName":"f","TargetShardCount":2}`},
		{15, `{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/f","ConsumerName":"c"}`},
		{4, `{"Limit":0}`},
		{1, `{"StreamARN":"arn:aws:kinesis:x:y:stream/"}`},
		{2, `{"StreamName":"f","Limit":-1,"ExclusiveStartShardId":"\u0000"}`},
		{3, `{"StreamName":{}}`},
		{6, `{"StreamName":"f","PartitionKey":"k","Data":"aGVsbG8"}`},
		{7, `{"StreamName":"f","Records":[null]}`},
		{0, ``},
		{9, `{"ShardIterator":null}`},
		{13, `{"StreamName":"f","RetentionPeriodHours":1e20}`},
	}
	for _, s := range seeds {
		f.Add(s.op, []byte(s.body))
	}
	e, err := engine.Open(engine.Options{InMemory: true, LimitsOff: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = e.Close() })
	if err := e.CreateStream(engine.CreateStreamInput{Name: "f", ShardCount: 1}); err != nil {
		f.Fatal(err)
	}
	h := NewHandler(e, HandlerOptions{MaxBodyBytes: 1 << 16})
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		name := fuzzOps[int(op)%len(fuzzOps)]
		if name == "CreateStream" && bytes.Contains(body, []byte("ShardCount")) {
			// Keep the fuzzer off multi-thousand-shard streams: they are valid, just slow.
			var in struct{ ShardCount json.Number }
			if json.Unmarshal(body, &in) == nil && len(in.ShardCount) > 2 {
				return
			}
		}
		rec := httptest.NewRecorder()
		// A valid SubscribeToShard streams until its context ends: keep that short.
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", targetPrefix+name)
		req.Header.Set("Content-Type", contentType)
		h.ServeHTTP(rec, req)
		if rec.Code == 200 && rec.Header().Get("Content-Type") == eventStreamContentType {
			return
		}
		switch rec.Code {
		case 200:
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%s: 200 with invalid JSON %q", name, rec.Body)
			}
		case 400, 413:
			var eb struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Type == "" || eb.Type != rec.Header().Get("x-amzn-ErrorType") {
				t.Fatalf("%s: error body %q (header %q): %v", name, rec.Body, rec.Header().Get("x-amzn-ErrorType"), err)
			}
		default:
			t.Fatalf("%s %q: status %d %s", name, body, rec.Code, rec.Body)
		}
	})
}
