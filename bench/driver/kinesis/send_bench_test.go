package kinesis

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// cannedPuts is an HTTP client that answers every PutRecords at once with
// one success per record, without a server: what is left is the client's
// own work (the driver, the SDK's signing and response decoding). Other
// calls (Setup's) go to next.
type cannedPuts struct {
	next    *http.Client
	bufs    sync.Pool
	answers sync.Map // records → answer body
}

func (c *cannedPuts) Do(req *http.Request) (*http.Response, error) {
	if req.Header.Get("X-Amz-Target") != putRecordsTarget {
		return c.next.Do(req)
	}
	buf, _ := c.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	_, err := buf.ReadFrom(req.Body)
	_ = req.Body.Close()
	n := bytes.Count(buf.Bytes(), []byte(`"PartitionKey"`))
	c.bufs.Put(buf)
	if err != nil {
		return nil, err
	}
	a, ok := c.answers.Load(n)
	if !ok {
		entry := `{"SequenceNumber":"49650000000000000000000000000000000000000000000000000000","ShardId":"shardId-000000000000"}`
		s := `{"FailedRecordCount":0,"Records":[` + entry
		for range n - 1 {
			s += "," + entry
		}
		a, _ = c.answers.LoadOrStore(n, []byte(s+"]}"))
	}
	body := a.([]byte)
	return &http.Response{StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {awsJSON11}}, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}

// BenchmarkSendMaxRate is `streamcap bench --target kinesis --profile
// max:2000 --batch-size 500 --record-size 1000B` in a test: 2000 senders
// send 1000-byte records back to back through one batching driver (500
// records per PutRecords, 16 calls in flight), b.N records in all. It
// reports records/s, allocations per record (allocs/op), CPU time per record
// and the mean batch:
//
//   - server=none answers every PutRecords at once without a server
//     (cannedPuts): the figures are the client's alone, the one the
//     `make perf` table compares with the raw SDK's (issue 14: bench must
//     reach 80 % of the raw SDK's records/s against the same server);
//   - server=engine sends over loopback HTTP to the in-memory engine's
//     Kinesis API in this process (limits off, 4 shards): CPU and
//     allocations then count both sides.
//
// go test -run '^$' -bench SendMaxRate -benchtime 200000x ./bench/driver/kinesis/
func BenchmarkSendMaxRate(b *testing.B) {
	for _, server := range []string{"none", "engine"} {
		b.Run("server="+server, func(b *testing.B) {
			srv := newEngineAPI(b)
			o := Options{Endpoint: srv.URL, BatchSize: 500, NoRetries: true, Seed: 1}
			if server == "none" {
				o.HTTPClient = &cannedPuts{next: srv.Client()}
			}
			d := newBenchDriver(b, o)
			ctx := context.Background()
			const senders = 2000
			var next atomic.Int64
			var failed atomic.Value
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					p := make([]byte, 1000)
					p[0] = byte(i)
					<-start
					for {
						n := next.Add(1)
						if n > int64(b.N) {
							return
						}
						if err := d.Send(ctx, "key-"+strconv.FormatInt(n%10000, 10), p); err != nil {
							failed.CompareAndSwap(nil, err)
							return
						}
					}
				}()
			}
			calls0 := d.Stats().Calls
			cpu0 := processCPU(b)
			b.ReportAllocs()
			b.ResetTimer()
			t0 := time.Now()
			close(start)
			wg.Wait()
			elapsed := time.Since(t0)
			b.StopTimer()
			if err, _ := failed.Load().(error); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "records/s")
			b.ReportMetric(float64(processCPU(b)-cpu0)/1e3/float64(b.N), "cpu-µs/record")
			if calls := d.Stats().Calls - calls0; calls > 0 {
				b.ReportMetric(float64(b.N)/float64(calls), "records/call")
			}
		})
	}
}

// processCPU is the CPU time (user + system) this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(fmt.Errorf("getrusage: %w", err))
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
