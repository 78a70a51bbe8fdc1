package kinesisapi

import (
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/streamcap/streamcap/bench/engine"
)

// TestKinesisMismatches checks the answers issue 9 (item 12) found to differ from Kinesis, each
// against the documentation it follows (API reference pages under
// https://docs.aws.amazon.com/kinesis/latest/APIReference/).
func TestKinesisMismatches(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	ts := newTestServer(t, serverConfig{engine: engine.Options{InMemory: true, LimitsOff: true, Clock: clk}})
	hc := ts.srv.Client()
	if r := rawCall(t, hc, ts.srv.URL, "CreateStream", []byte(`{"StreamName":"s","ShardCount":2}`)); r.Status != 200 {
		t.Fatalf("CreateStream: %d %s %s", r.Status, r.Type, r.Message)
	}
	it := rawCall(t, hc, ts.srv.URL, "GetShardIterator", []byte(`{"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}`))
	var iter struct{ ShardIterator string }
	if it.Status != 200 || jsonUnmarshal(it.Body, &iter) != nil {
		t.Fatalf("GetShardIterator: %d %s", it.Status, it.Body)
	}
	// A forged iterator: a real one with its issue time moved to 2100 (bytes 1..8), MAC kept.
	raw, err := base64.RawURLEncoding.DecodeString(iter.ShardIterator)
	if err != nil {
		t.Fatal(err)
	}
	forged := append([]byte(nil), raw...)
	issued2100 := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	for i := range 8 {
		forged[1+i] = byte(uint64(issued2100) >> (56 - 8*i))
	}
	forgedIter := base64.RawURLEncoding.EncodeToString(forged)
	const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s"
	cases := []struct {
		name, doc, op, body string
		status              int
		typ                 string
	}{
		{"GetRecords Limit 10001", "API_GetRecords: a Limit greater than 10,000 throws InvalidArgumentException",
			"GetRecords", `{"ShardIterator":"` + iter.ShardIterator + `","Limit":10001}`, 400, engine.ErrInvalidArgument},
		{"GetRecords Limit 10000", "API_GetRecords: Limit up to 10,000",
			"GetRecords", `{"ShardIterator":"` + iter.ShardIterator + `","Limit":10000}`, 200, ""},
		{"ExplicitHashKey 0007", "API_PutRecord: ExplicitHashKey Pattern 0|([1-9]\\d{0,38})",
			"PutRecord", `{"StreamName":"s","PartitionKey":"k","ExplicitHashKey":"0007","Data":"eA=="}`, 400, engine.ErrValidation},
		{"ExplicitHashKey +7", "API_PutRecord: ExplicitHashKey Pattern 0|([1-9]\\d{0,38})",
			"PutRecord", `{"StreamName":"s","PartitionKey":"k","ExplicitHashKey":"+7","Data":"eA=="}`, 400, engine.ErrValidation},
		{"ExplicitHashKey 0", "API_PutRecord: ExplicitHashKey Pattern 0|([1-9]\\d{0,38})",
			"PutRecord", `{"StreamName":"s","PartitionKey":"k","ExplicitHashKey":"0","Data":"eA=="}`, 200, ""},
		{"ExplicitHashKey 7", "API_PutRecord: ExplicitHashKey Pattern 0|([1-9]\\d{0,38})",
			"PutRecord", `{"StreamName":"s","PartitionKey":"k","ExplicitHashKey":"7","Data":"eA=="}`, 200, ""},
		{"ExplicitHashKey 2^128", "pattern fits, value beyond the 128-bit key space: InvalidArgumentException",
			"PutRecord", `{"StreamName":"s","PartitionKey":"k","ExplicitHashKey":"340282366920938463463374607431768211456","Data":"eA=="}`, 400, engine.ErrInvalidArgument},
		{"PutRecords entry ExplicitHashKey 0007", "API_PutRecordsRequestEntry: ExplicitHashKey Pattern 0|([1-9]\\d{0,38})",
			"PutRecords", `{"StreamName":"s","Records":[{"PartitionKey":"k","ExplicitHashKey":"7","Data":"eA=="},{"PartitionKey":"k","ExplicitHashKey":"0007","Data":"eA=="}]}`, 400, engine.ErrValidation},
		{"SplitShard NewStartingHashKey 01000", "API_SplitShard: NewStartingHashKey Pattern 0|([1-9]\\d{0,38})",
			"SplitShard", `{"StreamName":"s","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"01000"}`, 400, engine.ErrValidation},
		{"UpdateShardCount without ScalingType", "API_UpdateShardCount: ScalingType Required: Yes",
			"UpdateShardCount", `{"StreamName":"s","TargetShardCount":3}`, 400, engine.ErrValidation},
		{"UpdateShardCount with ScalingType", "API_UpdateShardCount: ScalingType UNIFORM_SCALING",
			"UpdateShardCount", `{"StreamName":"s","TargetShardCount":3,"ScalingType":"UNIFORM_SCALING"}`, 200, ""},
		{"StreamARN of this region and account", "ARN format arn:aws:kinesis:REGION:ACCOUNT:stream/NAME",
			"DescribeStreamSummary", `{"StreamARN":"` + arn + `"}`, 200, ""},
		{"StreamARN of another region", "InvalidArgumentException: a parameter that can't be used (another regional endpoint's stream)",
			"DescribeStreamSummary", `{"StreamARN":"arn:aws:kinesis:eu-west-1:000000000000:stream/s"}`, 400, engine.ErrInvalidArgument},
		{"StreamARN of another account", "ResourceNotFoundException: the requested resource could not be found",
			"DescribeStreamSummary", `{"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s"}`, 400, engine.ErrResourceNotFound},
		{"StreamARN of another account, PutRecord", "ResourceNotFoundException: the requested resource could not be found",
			"PutRecord", `{"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s","PartitionKey":"k","Data":"eA=="}`, 400, engine.ErrResourceNotFound},
		{"StreamARN of another partition", "ARN format arn:aws:kinesis:…",
			"DescribeStreamSummary", `{"StreamARN":"arn:aws-cn:kinesis:us-east-1:000000000000:stream/s"}`, 400, engine.ErrInvalidArgument},
		{"consumer on another account's stream", "ResourceNotFoundException: the requested resource could not be found",
			"RegisterStreamConsumer", `{"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s","ConsumerName":"c"}`, 400, engine.ErrResourceNotFound},
		{"forged iterator dated 2100", "API_GetRecords: InvalidArgumentException for an iterator this server did not issue",
			"GetRecords", `{"ShardIterator":"` + forgedIter + `"}`, 400, engine.ErrInvalidArgument},
	}
	for _, c := range cases {
		r := rawCall(t, hc, ts.srv.URL, c.op, []byte(c.body))
		if r.Status != c.status || r.Type != c.typ {
			t.Errorf("%s (%s): got %d %s (%s), want %d %s", c.name, c.doc, r.Status, r.Type, r.Message, c.status, c.typ)
		}
	}
	// API_GetRecords / API_GetShardIterator: an iterator expires 5 minutes after it is returned
	// (ExpiredIteratorException); the engine's fake clock moves past that.
	clk.Advance(5*time.Minute + time.Millisecond)
	r := rawCall(t, hc, ts.srv.URL, "GetRecords", []byte(`{"ShardIterator":"`+iter.ShardIterator+`"}`))
	if r.Status != 400 || r.Type != engine.ErrExpiredIterator {
		t.Errorf("iterator 5 min 1 ms old: got %d %s (%s), want 400 %s", r.Status, r.Type, r.Message, engine.ErrExpiredIterator)
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
