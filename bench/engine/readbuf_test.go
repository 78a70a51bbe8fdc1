package engine

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestGetRecordsIntoReusesBuffers reads a shard in pages with GetRecordsInto and with
// GetRecords: the pages must be the same records, the lent buffers must come back holding
// them, and once grown they must be reused (no new backing array) by every later page, on an
// in-memory engine and on one whose segments are files.
func TestGetRecordsIntoReusesBuffers(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T) *Engine
	}{
		{"in-memory", func(t *testing.T) *Engine { return openMem(t, Options{LimitsOff: true}) }},
		{"disk", func(t *testing.T) *Engine { return openDisk(t, Options{Dir: t.TempDir(), LimitsOff: true}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.open(t)
			mustCreate(t, e, "s", 1)
			const n, page = 300, 50
			for i := range n {
				// Sizes vary so that pages need different amounts of memory.
				mustPut(t, e, "s", "k", fmt.Sprintf("record-%04d-%s", i, string(make([]byte, i%7*100))))
			}
			itA := mustIter(t, e, "s", "shardId-000000000000", TrimHorizon, "", time.Time{})
			itB := itA
			var bufs ReadBuffers
			var dataBase *byte
			var recsBase *StoredRecord
			var gotInto []string
			for k := 0; k < n/page; k++ {
				want, err := e.GetRecords(itA, page)
				if err != nil {
					t.Fatalf("GetRecords page %d: %v", k, err)
				}
				got, err := e.GetRecordsInto(itB, page, &bufs)
				if err != nil {
					t.Fatalf("GetRecordsInto page %d: %v", k, err)
				}
				if len(got.Records) != page {
					t.Fatalf("page %d: %d records, want %d", k, len(got.Records), page)
				}
				for i, r := range got.Records {
					w := want.Records[i]
					if r.SequenceNumber != w.SequenceNumber || r.PartitionKey != w.PartitionKey ||
						string(r.Data) != string(w.Data) || !r.ArrivalTime.Equal(w.ArrivalTime) {
						t.Fatalf("page %d record %d = %+v, want %+v", k, i, r, w)
					}
				}
				if &got.Records[0] != &bufs.Records[:1][0] {
					t.Fatalf("page %d: records are not in the lent buffer", k)
				}
				// The widest page (records of up to 600 bytes) comes first, so the buffers
				// grown for it serve every later page.
				if k == 0 {
					dataBase, recsBase = &bufs.Data[:1][0], &bufs.Records[:1][0]
				} else if &bufs.Data[:1][0] != dataBase || &bufs.Records[:1][0] != recsBase {
					t.Fatalf("page %d: buffers were reallocated (cap data %d, records %d)", k, cap(bufs.Data), cap(bufs.Records))
				}
				gotInto = append(gotInto, datas(got.Records)...)
				// The records' bytes are the lent buffer's: overwriting it shows through.
				clear(bufs.Data)
				if d := got.Records[page-1].Data; d[0] != 0 {
					t.Fatalf("page %d: data is not in the lent buffer", k)
				}
				itA, itB = want.NextShardIterator, got.NextShardIterator
			}
			if len(gotInto) != n || gotInto[0][:11] != "record-0000" || gotInto[n-1][:11] != "record-0299" {
				t.Fatalf("read %d records, first %.11q last %.11q", len(gotInto), gotInto[0], gotInto[len(gotInto)-1])
			}
			if !slices.IsSortedFunc(gotInto, func(a, b string) int { return strings.Compare(a[:11], b[:11]) }) {
				t.Fatal("records out of order")
			}
		})
	}
}
