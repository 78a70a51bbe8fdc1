package engine

import (
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the process's user+system CPU time. The benchmarks report CPU per record beside
// records/s because the machine they run on is shared: CPU per record does not depend on how many
// cores other processes take.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportRate reports records/s and CPU ns per record for n records since cpu0.
func reportRate(b *testing.B, n int, cpu0 time.Duration) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/record")
}

// benchRecords returns n records of size data bytes with distinct keys.
func benchRecords(n, size int) []Record {
	data := make([]byte, size)
	rs := make([]Record, n)
	for i := range rs {
		rs[i] = Record{PartitionKey: fmt.Sprintf("pk-%06d", i), Data: data}
	}
	return rs
}

func putBatches(b *testing.B, e *Engine, pb *testing.PB, rs []Record) {
	for pb.Next() {
		out, err := e.PutRecords("bench", rs)
		if err != nil {
			b.Error(err)
			return
		}
		if out[0].ErrorCode != "" {
			b.Errorf("%s: %s", out[0].ErrorCode, out[0].ErrorMessage)
			return
		}
	}
}

// BenchmarkAppendInMemory measures in-process appends of 100-byte records in memory mode with
// limits off: PutRecords batches of 500 over 4 shards, and single PutRecord calls.
// Target: ≥ 2M records/s.
func BenchmarkAppendInMemory(b *testing.B) {
	b.Run("PutRecords500", func(b *testing.B) {
		e := openMem(b, Options{LimitsOff: true, SegmentBytes: 256 << 20})
		mustCreate(b, e, "bench", 4)
		rs := benchRecords(500, 100)
		b.SetBytes(int64(len(rs) * 100))
		b.ReportAllocs()
		b.ResetTimer()
		cpu0 := cpuTime()
		b.RunParallel(func(pb *testing.PB) { putBatches(b, e, pb, rs) })
		reportRate(b, b.N*len(rs), cpu0)
	})
	b.Run("PutRecord", func(b *testing.B) {
		e := openMem(b, Options{LimitsOff: true, SegmentBytes: 256 << 20})
		mustCreate(b, e, "bench", 4)
		rs := benchRecords(1024, 100)
		var n atomic.Int64
		b.SetBytes(100)
		b.ReportAllocs()
		b.ResetTimer()
		cpu0 := cpuTime()
		b.RunParallel(func(pb *testing.PB) {
			i := int(n.Add(1)) * 7919
			for pb.Next() {
				if _, err := e.PutRecord("bench", rs[i%len(rs)]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
		reportRate(b, b.N, cpu0)
	})
}

// BenchmarkAppendDurableGroupCommit measures durable appends of 1 KB records with the interval
// (group commit) fsync policy: many goroutines each put 100-record batches, each acknowledged
// only after an fdatasync covers it. Compare MB/s with
// `dd if=/dev/zero of=/tmp/ddtest bs=1M count=1000 conv=fdatasync`; target ≥ 80 % of it.
func BenchmarkAppendDurableGroupCommit(b *testing.B) {
	for _, batch := range []int{1, 100} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			e := openDisk(b, Options{Dir: b.TempDir(), LimitsOff: true, Fsync: FsyncInterval})
			mustCreate(b, e, "bench", 2)
			rs := benchRecords(batch, 1024)
			b.SetBytes(int64(batch * 1024))
			b.SetParallelism(32)
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			b.RunParallel(func(pb *testing.PB) { putBatches(b, e, pb, rs) })
			reportRate(b, b.N*batch, cpu0)
		})
	}
}

// BenchmarkGetRecords measures reading 1000-record pages of 100-byte records from memory and from
// segment files (page cache), limits off: "fresh" with GetRecords (new memory for every page) and
// "lent" with GetRecordsInto and one set of ReadBuffers, as the embedded driver's polling
// consumer reads.
func BenchmarkGetRecords(b *testing.B) {
	for _, mode := range []string{"memory", "disk"} {
		for _, lend := range []bool{false, true} {
			name := mode + "/fresh"
			if lend {
				name = mode + "/lent"
			}
			b.Run(name, func(b *testing.B) {
				opts := Options{LimitsOff: true, Fsync: FsyncNever}
				var e *Engine
				if mode == "memory" {
					e = openMem(b, opts)
				} else {
					opts.Dir = b.TempDir()
					e = openDisk(b, opts)
				}
				mustCreate(b, e, "bench", 1)
				rs := benchRecords(500, 100)
				for i := 0; i < 200; i++ { // 100 000 records
					if _, err := e.PutRecords("bench", rs); err != nil {
						b.Fatal(err)
					}
				}
				it := mustIter(b, e, "bench", "shardId-000000000000", TrimHorizon, "", time.Time{})
				start := it
				var bufs *ReadBuffers
				if lend {
					bufs = new(ReadBuffers)
				}
				b.SetBytes(1000 * 100)
				b.ReportAllocs()
				b.ResetTimer()
				cpu0 := cpuTime()
				for b.Loop() {
					res, err := e.GetRecordsInto(it, 1000, bufs)
					if err != nil {
						b.Fatal(err)
					}
					it = res.NextShardIterator
					if len(res.Records) < 1000 {
						it = start
					}
				}
				reportRate(b, b.N*1000, cpu0)
			})
		}
	}
}

// BenchmarkAppendMemoryCost measures what storing 1 KB records costs an in-memory engine, in
// CPU per record: "retain" keeps every record, so every byte lands in memory fresh from the
// operating system (pre-faulted huge-page chunks; on a virtual machine first touch dominates);
// "bounded" runs at MaxMemoryBytes (256 MiB, filled before the timer starts), where each new
// segment reuses the memory of one its shard dropped. The difference is the fresh-memory cost
// docs/performance.md discusses.
func BenchmarkAppendMemoryCost(b *testing.B) {
	for _, c := range []struct {
		name  string
		limit int64
	}{{"retain", 0}, {"bounded", 256 << 20}} {
		b.Run(c.name, func(b *testing.B) {
			e := openMem(b, Options{LimitsOff: true, MaxMemoryBytes: c.limit})
			mustCreate(b, e, "bench", 4)
			rs := benchRecords(500, 1000)
			if c.limit > 0 {
				for range 2 * int(c.limit) / (500 * 1000) { // fill past the limit
					if _, err := e.PutRecords("bench", rs); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.SetBytes(int64(len(rs) * 1000))
			b.ResetTimer()
			cpu0 := cpuTime()
			b.RunParallel(func(pb *testing.PB) { putBatches(b, e, pb, rs) })
			reportRate(b, b.N*len(rs), cpu0)
		})
	}
}
