package kinesisapi

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcap/streamcap/bench/engine"
)

// GetRecords answers are read into pooled buffers that the next call reuses once the answer is
// written. Eight SDK readers page through the same shard at once, in pages of different sizes,
// and every record they get must be the one stored at its place: an answer encoded from a buffer
// another call had already reused would show another record's bytes.
func TestGetRecordsPooledBuffersOverHTTP(t *testing.T) {
	ts := newTestServer(t, serverConfig{engine: engineOptsLimitsOff()})
	ctx := testCtx(t)
	if _, err := ts.kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	const n = 1200
	for i := 0; i < n; i += 400 {
		var recs []types.PutRecordsRequestEntry
		for j := i; j < i+400; j++ {
			recs = append(recs, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte(fmt.Sprintf("record-%05d-%0*d", j, j%50, 0))})
		}
		out, err := ts.kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: recs})
		if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
			t.Fatalf("PutRecords: %v, %d failed", err, aws.ToInt32(out.FailedRecordCount))
		}
	}
	var wg sync.WaitGroup
	for r := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			it, err := ts.kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"),
				ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
			if err != nil {
				t.Error(err)
				return
			}
			iter, next := it.ShardIterator, 0
			for calls := 0; next < n && calls < 1000; calls++ {
				out, err := ts.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(int32(37 + 61*r))})
				if err != nil {
					t.Errorf("reader %d: GetRecords: %v", r, err)
					return
				}
				for _, rec := range out.Records {
					if want := fmt.Sprintf("record-%05d-%0*d", next, next%50, 0); string(rec.Data) != want {
						t.Errorf("reader %d: record %d = %q, want %q", r, next, rec.Data, want)
						return
					}
					next++
				}
				iter = out.NextShardIterator
			}
			if next != n {
				t.Errorf("reader %d read %d of %d records", r, next, n)
			}
		}()
	}
	wg.Wait()
}

// An answer's buffers go back to the pool only once it is written: two GetRecords calls whose
// answers are both still unwritten must not share memory, so the first answer still holds its
// own records after the second call read others.
func TestGetRecordsBuffersHeldUntilWritten(t *testing.T) {
	e, err := engine.Open(engineOptsLimitsOff())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	h := NewHandler(e, HandlerOptions{})
	if err := e.CreateStream(engine.CreateStreamInput{Name: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if _, err := e.PutRecord("s", engine.Record{PartitionKey: "k", Data: fmt.Appendf(nil, "record-%02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	it, err := e.GetShardIterator("s", "shardId-000000000000", engine.TrimHorizon, "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	get := func(iter string) (*request, getRecordsOutput) {
		t.Helper()
		rq := &request{ctx: context.Background(), body: mustJSON(map[string]any{"ShardIterator": iter, "Limit": 10}), codec: codecJSON}
		out, err := h.dispatch("GetRecords", rq)
		if err != nil || rq.written == nil {
			t.Fatalf("GetRecords: %v (written hook set: %v)", err, rq.written != nil)
		}
		return rq, out.(getRecordsOutput)
	}
	rq1, first := get(it)
	rq2, second := get(*first.NextShardIterator)
	for i, r := range first.Records {
		if want := fmt.Sprintf("record-%02d", i); string(r.Data) != want {
			t.Fatalf("first answer, record %d = %q after a second call, want %q", i, r.Data, want)
		}
	}
	if string(second.Records[0].Data) != "record-10" {
		t.Fatalf("second answer starts with %q, want record-10", second.Records[0].Data)
	}
	rq1.written()
	rq2.written()
}

// BenchmarkGetRecordsHandler is the server's own cost of a GetRecords call answering 500 records
// of 1000 bytes (JSON), without the network: in-memory engine, limits off, one shard read over
// and over from TRIM_HORIZON. Its bytes per call show the read buffers being reused.
func BenchmarkGetRecordsHandler(b *testing.B) {
	e, err := engine.Open(engineOptsLimitsOff())
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	if err := e.CreateStream(engine.CreateStreamInput{Name: "bench", ShardCount: 1}); err != nil {
		b.Fatal(err)
	}
	rs := make([]engine.Record, 500)
	for i := range rs {
		rs[i] = engine.Record{PartitionKey: "k", Data: make([]byte, 1000)}
	}
	if _, err := e.PutRecords("bench", rs); err != nil {
		b.Fatal(err)
	}
	h := NewHandler(e, HandlerOptions{})
	b.SetBytes(500 * 1000)
	b.ReportAllocs()
	for b.Loop() {
		it, err := e.GetShardIterator("bench", "shardId-000000000000", engine.TrimHorizon, "", time.Time{})
		if err != nil {
			b.Fatal(err)
		}
		if w := serveDirect(h, "GetRecords", contentType, mustJSON(map[string]any{"ShardIterator": it})); w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*500), "ns/record")
}
