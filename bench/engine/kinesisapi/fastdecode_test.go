package kinesisapi

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestPutRecordsFastDecode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		body string
		ok   bool // the fast path takes it
		recs int
	}{
		{"typical", `{"StreamName":"s","Records":[{"Data":"aGVsbG8=","PartitionKey":"k"},{"Data":"","PartitionKey":"j","ExplicitHashKey":"5"}]}`, true, 2},
		{"spaces and ARN", " {\n \"Records\" : [ ] , \"StreamARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/s\" } ", true, 0},
		{"empty object", `{}`, true, 0},
		{"escaped key", `{"StreamName":"s\u0041","Records":[]}`, false, 0},
		{"other member", `{"StreamName":"s","Records":[],"Extra":1}`, false, 0},
		{"lower-case key", `{"streamname":"s","Records":[]}`, false, 0},
		{"null data", `{"Records":[{"Data":null,"PartitionKey":"k"}]}`, false, 0},
		{"bad base64", `{"Records":[{"Data":"a","PartitionKey":"k"}]}`, false, 0},
		{"newline in data", "{\"Records\":[{\"Data\":\"aGVs\nbG8=\",\"PartitionKey\":\"k\"}]}", false, 0},
		{"trailing garbage", `{"Records":[]} x`, false, 0},
		{"trailing comma", `{"Records":[],}`, false, 0},
		{"duplicate records", `{"Records":[],"Records":[]}`, false, 0},
		{"invalid utf-8 key", "{\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"\xff\"}]}", false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, ok := decodePutRecordsFast([]byte(c.body))
			if ok != c.ok {
				t.Fatalf("fast path took it: %v, want %v", ok, c.ok)
			}
			if ok && len(in.Records) != c.recs {
				t.Fatalf("%d records, want %d", len(in.Records), c.recs)
			}
			if ok && c.recs > 0 && string(in.Records[0].Data) != "hello" {
				t.Fatalf("record 0 data %q, want hello", in.Records[0].Data)
			}
		})
	}
}

// FuzzPutRecordsFastDecode checks that the fast PutRecords decoder only accepts bodies that
// encoding/json accepts too, and reads them identically.
func FuzzPutRecordsFastDecode(f *testing.F) {
	for _, s := range []string{
		`{"StreamName":"s","Records":[{"Data":"aGVsbG8=","PartitionKey":"k"},{"Data":"","PartitionKey":"j","ExplicitHashKey":"5"}]}`,
		`{"Records":[{"PartitionKey":"k","Data":"AAEC/w=="}],"StreamARN":"a"}`,
		`{"Records":[{"Data":"QQ==","Data":"Qg==","PartitionKey":"k"}]}`,
		`{"Records":[{}],"StreamName":"x","StreamName":"y"}`,
		`{"Records":[{"Data":"aGVsbG8","PartitionKey":"k"}]}`,
		"{\"Records\":[{\"Data\":\"aGVs\\u006Cbw==\",\"PartitionKey\":\"k\"}]}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, ok := decodePutRecordsFast(body)
		if !ok {
			return
		}
		var ref putRecordsInput
		if err := json.Unmarshal(body, &ref); err != nil {
			t.Fatalf("fast path accepted %q, encoding/json rejects it: %v", body, err)
		}
		if fast.StreamName != ref.StreamName || fast.StreamARN != ref.StreamARN || len(fast.Records) != len(ref.Records) {
			t.Fatalf("%q: fast %+v, encoding/json %+v", body, fast, ref)
		}
		for i := range fast.Records {
			a, b := fast.Records[i], ref.Records[i]
			if a.PartitionKey != b.PartitionKey || a.ExplicitHashKey != b.ExplicitHashKey || !bytes.Equal(a.Data, b.Data) || (a.Data == nil) != (b.Data == nil) {
				t.Fatalf("%q record %d: fast %+v, encoding/json %+v", body, i, a, b)
			}
		}
	})
}
