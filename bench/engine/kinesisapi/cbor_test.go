package kinesisapi

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/streamcap/streamcap/bench/engine"
)

// A request document in a form both wire encodings are written from: obj keeps member order (the
// SDKs write members in model order), blob is a Kinesis blob and time.Time a timestamp.
type (
	member struct {
		k string
		v any
	}
	obj  []member
	blob []byte
)

// javaCBOR encodes v as the AWS SDK for Java sends Kinesis requests: Jackson's CBORGenerator with
// the SDK's SdkCborGenerator on top. Structures and lists are indefinite-length (writeStartObject /
// writeStartArray without a size: 0xBF … 0xFF, 0x9F … 0xFF), names and strings definite text
// strings, blobs definite byte strings (writeBinary), Integer members the shortest integer
// (writeNumber(int)), and a timestamp is tag 1 (writeTag(1)) followed by writeNumber(long) of the
// epoch milliseconds, which Jackson writes as a full 8-byte integer (0x1B).
func javaCBOR(b []byte, v any) []byte {
	head := func(major byte, n uint64) {
		switch {
		case n < 24:
			b = append(b, major<<5|byte(n))
		case n <= math.MaxUint8:
			b = append(b, major<<5|24, byte(n))
		case n <= math.MaxUint16:
			b = binary.BigEndian.AppendUint16(append(b, major<<5|25), uint16(n))
		case n <= math.MaxUint32:
			b = binary.BigEndian.AppendUint32(append(b, major<<5|26), uint32(n))
		default:
			b = binary.BigEndian.AppendUint64(append(b, major<<5|27), n)
		}
	}
	switch x := v.(type) {
	case obj:
		b = append(b, 0xbf)
		for _, m := range x {
			b = javaCBOR(b, m.k)
			b = javaCBOR(b, m.v)
		}
		b = append(b, 0xff)
	case []any:
		b = append(b, 0x9f)
		for _, it := range x {
			b = javaCBOR(b, it)
		}
		b = append(b, 0xff)
	case string:
		head(3, uint64(len(x)))
		b = append(b, x...)
	case blob:
		head(2, uint64(len(x)))
		b = append(b, x...)
	case int:
		if x < 0 {
			head(1, uint64(-1-x))
		} else {
			head(0, uint64(x))
		}
	case bool:
		b = append(b, map[bool]byte{false: 0xf4, true: 0xf5}[x])
	case time.Time:
		b = append(b, 0xc1, 0x1b)
		b = binary.BigEndian.AppendUint64(b, uint64(x.UnixMilli()))
	default:
		panic(fmt.Sprintf("javaCBOR: unsupported %T", v))
	}
	return b
}

// awsJSON encodes v as the JSON 1.1 protocol does: blobs base64, timestamps epoch seconds.
func awsJSON(v any) any {
	switch x := v.(type) {
	case obj:
		m := map[string]any{}
		for _, mb := range x {
			m[mb.k] = awsJSON(mb.v)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = awsJSON(it)
		}
		return out
	case blob:
		return base64.StdEncoding.EncodeToString(x)
	case time.Time:
		return json.Number(fmt.Sprintf("%d.%03d", x.Unix(), x.Nanosecond()/1e6))
	}
	return v
}

func TestJavaCBOREncoderKnownBytes(t *testing.T) {
	// Hand-assembled: {"StreamName": "s", "Limit": 3, "Data": h'0102', "T": 1(1700000000123)}.
	got := javaCBOR(nil, obj{{"StreamName", "s"}, {"Limit", 3}, {"Data", blob{1, 2}}, {"T", time.UnixMilli(1700000000123)}})
	want := []byte{0xbf,
		0x6a, 'S', 't', 'r', 'e', 'a', 'm', 'N', 'a', 'm', 'e', 0x61, 's',
		0x65, 'L', 'i', 'm', 'i', 't', 0x03,
		0x64, 'D', 'a', 't', 'a', 0x42, 1, 2,
		0x61, 'T', 0xc1, 0x1b, 0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b,
		0xff}
	if !bytes.Equal(got, want) {
		t.Fatalf("javaCBOR = % x\nwant      % x", got, want)
	}
}

// fixedClock is an engine clock standing still (with a millisecond part, to check timestamps).
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// wireCall posts a request in JSON or CBOR and returns the status and the answer as a generic
// document in JSON terms (CBOR byte strings as base64 strings, tag-1 epoch milliseconds as epoch
// seconds), read independently of the server's transcoder.
func wireCall(t *testing.T, url, op string, req any, useCBOR bool) (int, any, []byte) {
	t.Helper()
	var body []byte
	ct := contentType
	if useCBOR {
		body, ct = javaCBOR(nil, req), cborContentType
	} else {
		body = mustJSON(awsJSON(req))
	}
	hr, err := http.NewRequestWithContext(testCtx(t), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	hr.Header.Set("Content-Type", ct)
	hr.Header.Set("X-Amz-Target", targetPrefix+op)
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Header.Get("Content-Type"); got != ct {
		t.Fatalf("%s: answer Content-Type %q; want %q", op, got, ct)
	}
	var doc any
	if useCBOR {
		var v any
		if err := cbor.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s: answer is not CBOR: %v (% x)", op, err, raw)
		}
		doc = fromCBOR(v)
	} else if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: answer is not JSON: %v (%s)", op, err, raw)
	}
	return resp.StatusCode, doc, raw
}

// fromCBOR turns a generically decoded CBOR answer into its JSON-protocol equivalent. The library
// reads tag 1 as RFC 8949 epoch seconds, so the AWS milliseconds come back as the Unix seconds of
// that time.
func fromCBOR(v any) any {
	switch x := v.(type) {
	case map[any]any:
		m := map[string]any{}
		for k, e := range x {
			m[k.(string)] = fromCBOR(e)
		}
		return m
	case []any:
		for i := range x {
			x[i] = fromCBOR(x[i])
		}
		return x
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case uint64:
		return float64(x)
	case int64:
		return float64(x)
	case time.Time:
		return float64(x.Unix()) / 1000
	}
	return v
}

// TestCBORMatchesJSON runs every operation against two identical engines (same fixed clock), one
// spoken to in JSON 1.1 and the other in CBOR as the Java SDK sends it, and checks that the status
// and the content of every answer, errors included, are the same.
func TestCBORMatchesJSON(t *testing.T) {
	now := time.Date(2026, 12, 1, 20, 0, 0, 123e6, time.UTC)
	newSrv := func() *testServer {
		return newTestServer(t, serverConfig{engine: engine.Options{InMemory: true, LimitsOff: true, Clock: fixedClock{now}}})
	}
	js, cs := newSrv(), newSrv()
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/s"
	var consumerARN string
	iter := map[bool]string{}
	steps := []struct {
		op  string
		req func(useCBOR bool) any
		// keep extracts state from the answer (the iterator of each side).
		keep func(useCBOR bool, doc map[string]any)
	}{
		{op: "CreateStream", req: func(bool) any { return obj{{"StreamName", "s"}, {"ShardCount", 2}} }},
		{op: "CreateStream", req: func(bool) any { return obj{{"StreamName", "u"}, {"ShardCount", 1}} }},
		{op: "CreateStream", req: func(bool) any { return obj{{"StreamName", "s"}, {"ShardCount", 2}} }}, // in use
		{op: "DescribeStream", req: func(bool) any { return obj{{"StreamName", "s"}, {"Limit", 1}} }},
		{op: "DescribeStreamSummary", req: func(bool) any { return obj{{"StreamARN", arn}} }},
		{op: "ListStreams", req: func(bool) any { return obj{{"Limit", 1}} }},
		{op: "ListShards", req: func(bool) any { return obj{{"StreamName", "s"}, {"StreamCreationTimestamp", now}} }},
		{op: "PutRecord", req: func(bool) any {
			return obj{{"StreamName", "s"}, {"Data", blob("héllo \x00\xff")}, {"PartitionKey", "k1"}}
		}},
		{op: "PutRecords", req: func(bool) any {
			recs := []any{}
			for i := range 5 {
				recs = append(recs, obj{{"Data", blob(fmt.Sprintf("rec-%d", i))}, {"PartitionKey", fmt.Sprintf("key-%d", i)}})
			}
			recs = append(recs, obj{{"Data", blob{}}, {"PartitionKey", "x"}, {"ExplicitHashKey", "0"}})
			return obj{{"Records", recs}, {"StreamName", "s"}}
		}},
		{op: "GetShardIterator", req: func(bool) any {
			return obj{{"StreamName", "s"}, {"ShardId", "shardId-000000000000"}, {"ShardIteratorType", "AT_TIMESTAMP"}, {"Timestamp", now.Add(-time.Second)}}
		}, keep: func(c bool, doc map[string]any) { iter[c] = doc["ShardIterator"].(string) }},
		{op: "GetRecords", req: func(c bool) any { return obj{{"ShardIterator", iter[c]}, {"Limit", 100}} }},
		{op: "GetRecords", req: func(bool) any { return obj{{"ShardIterator", "not-an-iterator"}} }},
		{op: "SplitShard", req: func(bool) any {
			return obj{{"StreamName", "s"}, {"ShardToSplit", "shardId-000000000000"}, {"NewStartingHashKey", "85070591730234615865843651857942052864"}}
		}},
		{op: "MergeShards", req: func(bool) any {
			return obj{{"StreamName", "s"}, {"ShardToMerge", "shardId-000000000002"}, {"AdjacentShardToMerge", "shardId-000000000003"}}
		}},
		{op: "ListShards", req: func(bool) any { return obj{{"StreamName", "s"}, {"ShardFilter", obj{{"Type", "AT_LATEST"}}}} }},
		{op: "UpdateShardCount", req: func(bool) any {
			return obj{{"StreamName", "u"}, {"TargetShardCount", 2}, {"ScalingType", "UNIFORM_SCALING"}}
		}},
		{op: "IncreaseStreamRetentionPeriod", req: func(bool) any { return obj{{"StreamName", "s"}, {"RetentionPeriodHours", 48}} }},
		{op: "DecreaseStreamRetentionPeriod", req: func(bool) any { return obj{{"StreamName", "s"}, {"RetentionPeriodHours", 24}} }},
		{op: "RegisterStreamConsumer", req: func(bool) any { return obj{{"StreamARN", arn}, {"ConsumerName", "c1"}} },
			keep: func(_ bool, doc map[string]any) {
				consumerARN = doc["Consumer"].(map[string]any)["ConsumerARN"].(string)
			}},
		{op: "DescribeStreamConsumer", req: func(bool) any { return obj{{"ConsumerARN", consumerARN}} }},
		{op: "ListStreamConsumers", req: func(bool) any { return obj{{"StreamARN", arn}, {"MaxResults", 10}} }},
		{op: "SubscribeToShard", req: func(bool) any {
			return obj{{"ConsumerARN", consumerARN + "x"}, {"ShardId", "shardId-000000000001"}, {"StartingPosition", obj{{"Type", "LATEST"}}}}
		}},
		{op: "DeregisterStreamConsumer", req: func(bool) any { return obj{{"ConsumerARN", consumerARN}} }},
		{op: "DeleteStream", req: func(bool) any { return obj{{"StreamName", "u"}, {"EnforceConsumerDeletion", true}} }},
		{op: "DescribeStream", req: func(bool) any { return obj{{"StreamName", "u"}} }}, // gone
		{op: "PutRecords", req: func(bool) any { return obj{{"StreamName", "s"}, {"Records", "not a list"}} }},
	}
	for i, st := range steps {
		t.Run(fmt.Sprintf("%02d-%s", i, st.op), func(t *testing.T) {
			jStatus, jDoc, jRaw := wireCall(t, js.srv.URL, st.op, st.req(false), false)
			cStatus, cDoc, _ := wireCall(t, cs.srv.URL, st.op, st.req(true), true)
			if st.keep != nil && jStatus == http.StatusOK {
				st.keep(false, jDoc.(map[string]any))
				st.keep(true, cDoc.(map[string]any))
			}
			// Iterators are MACs under each engine's own random key: compare
			// them as present or absent, not byte for byte.
			opaqueIterators(jDoc)
			opaqueIterators(cDoc)
			if jStatus != cStatus || !reflect.DeepEqual(jDoc, cDoc) {
				t.Fatalf("%s: JSON answer %d %s\nCBOR answer %d %v", st.op, jStatus, jRaw, cStatus, cDoc)
			}
		})
	}
}

// opaqueIterators replaces the iterator members of an answer with a marker.
func opaqueIterators(doc any) {
	m, ok := doc.(map[string]any)
	if !ok {
		return
	}
	for _, k := range []string{"ShardIterator", "NextShardIterator"} {
		if v, ok := m[k].(string); ok && v != "" {
			m[k] = "<iterator>"
		}
	}
}

// TestCBORRoundTrip puts records in CBOR and reads them back in CBOR, checking the wire types the
// Java SDK expects: Data a byte string with the exact bytes, ApproximateArrivalTimestamp tag 1
// wrapping the epoch milliseconds.
func TestCBORRoundTrip(t *testing.T) {
	now := time.Date(2026, 12, 1, 20, 0, 0, 456e6, time.UTC)
	ts := newTestServer(t, serverConfig{engine: engine.Options{InMemory: true, LimitsOff: true, Clock: fixedClock{now}}})
	status, _, _ := wireCall(t, ts.srv.URL, "CreateStream", obj{{"StreamName", "r"}, {"ShardCount", 1}}, true)
	if status != http.StatusOK {
		t.Fatalf("CreateStream: status %d", status)
	}
	var recs []any
	var want [][]byte
	for i := range 50 {
		d := bytes.Repeat([]byte{byte(i), 0xff, 0x00}, i+1)
		want = append(want, d)
		recs = append(recs, obj{{"Data", blob(d)}, {"PartitionKey", fmt.Sprintf("pk-%d", i)}})
	}
	status, put, _ := wireCall(t, ts.srv.URL, "PutRecords", obj{{"Records", recs}, {"StreamName", "r"}}, true)
	if status != http.StatusOK || put.(map[string]any)["FailedRecordCount"] != float64(0) {
		t.Fatalf("PutRecords: status %d, answer %v", status, put)
	}
	_, it, _ := wireCall(t, ts.srv.URL, "GetShardIterator", obj{{"StreamName", "r"}, {"ShardId", "shardId-000000000000"}, {"ShardIteratorType", "TRIM_HORIZON"}}, true)
	_, _, raw := wireCall(t, ts.srv.URL, "GetRecords", obj{{"ShardIterator", it.(map[string]any)["ShardIterator"]}}, true)

	var got struct {
		Records []struct {
			Data                        cbor.RawMessage
			ApproximateArrivalTimestamp cbor.RawTag
			PartitionKey                string
			SequenceNumber              string
		}
	}
	if err := cbor.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Records) != len(want) {
		t.Fatalf("got %d records; want %d", len(got.Records), len(want))
	}
	for i, r := range got.Records {
		if r.Data[0]>>5 != 2 {
			t.Fatalf("record %d: Data is CBOR major type %d; want 2 (byte string)", i, r.Data[0]>>5)
		}
		var d []byte
		if err := cbor.Unmarshal(r.Data, &d); err != nil || !bytes.Equal(d, want[i]) {
			t.Fatalf("record %d: Data % x (%v); want % x", i, d, err, want[i])
		}
		var ms int64
		if err := cbor.Unmarshal(r.ApproximateArrivalTimestamp.Content, &ms); r.ApproximateArrivalTimestamp.Number != 1 || err != nil || ms != now.UnixMilli() {
			t.Fatalf("record %d: timestamp tag %d content %d (%v); want tag 1 content %d", i, r.ApproximateArrivalTimestamp.Number, ms, err, now.UnixMilli())
		}
		if r.PartitionKey != fmt.Sprintf("pk-%d", i) || r.SequenceNumber == "" {
			t.Fatalf("record %d: key %q seq %q", i, r.PartitionKey, r.SequenceNumber)
		}
	}
}

func TestCBORBadBodies(t *testing.T) {
	ts := newTestServer(t, serverConfig{engine: engineOptsLimitsOff()})
	for _, c := range []struct {
		name string
		body []byte
		want string
	}{
		{"truncated", []byte{0xbf, 0x6a, 'S'}, "not valid CBOR"},
		{"integer keys", []byte{0xa1, 0x01, 0x02}, "text names"},
		{"NaN", []byte{0xa1, 0x61, 'x', 0xf9, 0x7e, 0x00}, "finite"},
		{"tag 1 on a string", []byte{0xa1, 0x61, 'x', 0xc1, 0x61, 'y'}, "tag number 1 must be followed by integer or floating-point number"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(testCtx(t), http.MethodPost, ts.srv.URL, bytes.NewReader(c.body))
			req.Header.Set("Content-Type", cborContentType)
			req.Header.Set("X-Amz-Target", targetPrefix+"ListStreams")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var e struct {
				Type    string `cbor:"__type"`
				Message string `cbor:"message"`
			}
			raw, _ := io.ReadAll(resp.Body)
			if err := cbor.Unmarshal(raw, &e); err != nil {
				t.Fatalf("error body is not CBOR: %v (% x)", err, raw)
			}
			if resp.StatusCode != http.StatusBadRequest || e.Type != ErrSerialization || !strings.Contains(e.Message, c.want) {
				t.Fatalf("status %d %s: %s; want 400 %s containing %q", resp.StatusCode, e.Type, e.Message, ErrSerialization, c.want)
			}
		})
	}
}
