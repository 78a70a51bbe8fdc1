package kinesisapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/streamcap/streamcap/bench/engine"
)

// BenchmarkPutRecordsHandler is the server's own cost of a PutRecords call, without the network:
// a pre-encoded body of n 1000-byte records with distinct partition keys handed to the Handler
// (JSON, and CBOR as the Java SDK sends it), in-memory engine, limits off, 4 shards. It reports
// ns per record: the figure the engine's server CPU per record in docs/performance.md follows.
func BenchmarkPutRecordsHandler(b *testing.B) {
	for _, useCBOR := range []bool{false, true} {
		for _, n := range []int{50, 100, 500} {
			name := fmt.Sprintf("json/batch=%d", n)
			if useCBOR {
				name = fmt.Sprintf("cbor/batch=%d", n)
			}
			b.Run(name, func(b *testing.B) {
				e, err := engine.Open(engine.Options{InMemory: true, LimitsOff: true})
				if err != nil {
					b.Fatal(err)
				}
				defer e.Close()
				if err := e.CreateStream(engine.CreateStreamInput{Name: "bench", ShardCount: 4}); err != nil {
					b.Fatal(err)
				}
				h := NewHandler(e, HandlerOptions{})
				payload := bytes.Repeat([]byte("0123456789"), 100)
				recs := make([]any, n)
				for i := range recs {
					recs[i] = obj{{"Data", blob(payload)}, {"PartitionKey", "key-" + strconv.Itoa(i)}}
				}
				req := obj{{"Records", recs}, {"StreamName", "bench"}}
				body, ct := mustJSON(awsJSON(req)), contentType
				if useCBOR {
					body, ct = javaCBOR(nil, req), cborContentType
				}
				b.SetBytes(int64(n * len(payload)))
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if w := serveDirect(h, "PutRecords", ct, body); w.Code != http.StatusOK {
							b.Errorf("status %d: %s", w.Code, w.Body)
							return
						}
					}
				})
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
			})
		}
	}
}
