package kinesisapi

import (
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// BenchmarkPutRecordsSDK measures PutRecords over loopback HTTP through the Go SDK: 500 records of
// 1 KB per call, parallel callers, limits off, in-memory engine, 8 shards. It reports records/s.
// Client and server share the machine, so the figure includes the SDK's own encoding cost.
func BenchmarkPutRecordsSDK(b *testing.B) {
	ts := newTestServer(b, serverConfig{engine: engineOptsLimitsOff()})
	ctx := testCtx(b)
	if _, err := ts.kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("bench"), ShardCount: aws.Int32(8)}); err != nil {
		b.Fatal(err)
	}
	payload := make([]byte, 1024)
	for i := range payload {
		payload[i] = byte(i)
	}
	var keys atomic.Int64
	b.SetBytes(500 * 1024)
	cpu0 := cpuTime(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		recs := make([]types.PutRecordsRequestEntry, 500)
		base := keys.Add(500)
		for i := range recs {
			recs[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("key-" + strconv.FormatInt(base+int64(i), 10)), Data: payload}
		}
		for pb.Next() {
			out, err := ts.kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("bench"), Records: recs})
			if err != nil {
				b.Error(err)
				return
			}
			if n := aws.ToInt32(out.FailedRecordCount); n != 0 {
				b.Errorf("%d records failed: %s", n, aws.ToString(out.Records[0].ErrorCode))
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)*500/b.Elapsed().Seconds(), "records/s")
	// On a shared machine wall-clock rate depends on the neighbours; CPU time per record does not.
	// 2 / (cpu-s per record) is the rate the client+server pair would reach owning 2 cores.
	if cpu := cpuTime(b) - cpu0; cpu > 0 {
		b.ReportMetric(cpu.Seconds()*1e6/(float64(b.N)*500), "cpu-µs/record")
	}
}

// cpuTime is the CPU time (user + system) this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPutRecordsServer measures the server alone: a pre-encoded PutRecords body (500 × 1 KB)
// posted over loopback HTTP by a plain net/http client, so the SDK's serialization and payload
// hashing are not counted. Limits off, in-memory engine, 8 shards, parallel callers.
func BenchmarkPutRecordsServer(b *testing.B) {
	ts := newTestServer(b, serverConfig{engine: engineOptsLimitsOff()})
	hc := ts.srv.Client()
	if r := rawCall(b, hc, ts.srv.URL, "CreateStream", []byte(`{"StreamName":"bench","ShardCount":8}`)); r.Status != 200 {
		b.Fatalf("CreateStream: %d %s", r.Status, r.Body)
	}
	payload := make([]byte, 1024)
	for i := range payload {
		payload[i] = byte(i)
	}
	recs := make([]putRecordsRequestEntry, 500)
	for i := range recs {
		recs[i] = putRecordsRequestEntry{PartitionKey: "key-" + strconv.Itoa(i), Data: payload}
	}
	body := mustJSON(putRecordsInput{streamRef: streamRef{StreamName: "bench"}, Records: recs})
	cpu0 := cpuTime(b)
	b.SetBytes(500 * 1024)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if r := rawCall(b, hc, ts.srv.URL, "PutRecords", body); r.Status != 200 {
				b.Errorf("PutRecords: %d %s", r.Status, r.Body)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)*500/b.Elapsed().Seconds(), "records/s")
	if cpu := cpuTime(b) - cpu0; cpu > 0 {
		b.ReportMetric(cpu.Seconds()*1e6/(float64(b.N)*500), "cpu-µs/record")
	}
}
