package engine

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// diskFull returns a SegmentWriteFault hook that, while full is set, writes half of each buffer
// and then fails with ENOSPC, like a disk that fills up mid-write.
func diskFull(full *atomic.Bool) func(path string, off int64, n int) (int, error) {
	return func(path string, off int64, n int) (int, error) {
		if full.Load() {
			return n / 2, syscall.ENOSPC
		}
		return n, nil
	}
}

func TestDiskFullIsRetryableAndRecovers(t *testing.T) {
	t.Parallel()
	for _, p := range []FsyncPolicy{FsyncAlways, FsyncInterval, FsyncNever} {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			var full atomic.Bool
			opts := Options{Dir: t.TempDir(), Fsync: p, LimitsOff: true, SegmentBytes: 4096, SegmentWriteFault: diskFull(&full)}
			e := openDisk(t, opts)
			mustCreate(t, e, "s", 1)
			var acked []string
			put := func(d string) error {
				_, err := e.PutRecord("s", Record{PartitionKey: "k", Data: []byte(d)})
				if err == nil {
					acked = append(acked, d)
				}
				return err
			}
			for i := 0; i < 30; i++ { // several segments
				if err := put(fmt.Sprintf("before-%02d-%s", i, strings.Repeat("x", 300))); err != nil {
					t.Fatal(err)
				}
			}
			full.Store(true)
			for i := 0; i < 3; i++ {
				err := put(fmt.Sprintf("full-%d", i))
				wantCode(t, err, ErrServiceUnavailable, "no space left on device", "retry")
				var ee *Error
				if !errors.As(err, &ee) || !ee.Retryable() || !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("error %v: want retryable, wrapping ENOSPC", err)
				}
			}
			out, err := e.PutRecords("s", []Record{{PartitionKey: "k", Data: []byte("batch-a")}, {PartitionKey: "k", Data: []byte("batch-b")}})
			if err != nil || out[0].ErrorCode != "InternalFailure" || out[1].ErrorCode != "InternalFailure" {
				t.Fatalf("PutRecords on a full disk = %+v, %v; want InternalFailure entries", out, err)
			}
			full.Store(false) // space is back: no restart needed
			for i := 0; i < 30; i++ {
				if err := put(fmt.Sprintf("after-%02d-%s", i, strings.Repeat("y", 300))); err != nil {
					t.Fatalf("put after space came back: %v", err)
				}
			}
			check := func(e *Engine, when string) {
				t.Helper()
				recs, _ := readAll(t, e, mustIter(t, e, "s", "shardId-000000000000", TrimHorizon, "", time.Time{}))
				if got := datas(recs); strings.Join(got, ",") != strings.Join(acked, ",") {
					t.Fatalf("%s: %d records, want exactly the %d acknowledged:\n got %v", when, len(got), len(acked), got)
				}
			}
			check(e, "before restart")
			st, _ := e.Stats("s")
			if st.Shards[0].WriteFailures < 3 {
				t.Errorf("WriteFailures = %d, want at least 3", st.Shards[0].WriteFailures)
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			e2 := openDisk(t, opts)
			if rep := e2.Recovery().Shards[0]; rep.DroppedBytes != 0 || rep.TornFile != "" {
				t.Errorf("recovery found debris of the failed writes: %+v", rep)
			}
			check(e2, "after restart")
		})
	}
}

func TestDiskFullConcurrentGroupCommit(t *testing.T) {
	t.Parallel()
	var full atomic.Bool
	opts := Options{Dir: t.TempDir(), Fsync: FsyncInterval, FsyncInterval: time.Millisecond, LimitsOff: true, SegmentBytes: 8192, SegmentWriteFault: diskFull(&full)}
	e := openDisk(t, opts)
	mustCreate(t, e, "s", 1)
	var mu sync.Mutex
	acked := map[string]bool{}
	var failed atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Go(func() {
			for i := 0; i < 150; i++ {
				if i == 50 && w == 0 {
					full.Store(true)
				}
				if i == 90 && w == 0 {
					full.Store(false)
				}
				d := fmt.Sprintf("w%d-%03d", w, i)
				if _, err := e.PutRecord("s", Record{PartitionKey: "k", Data: []byte(d)}); err != nil {
					wantCode(t, err, ErrServiceUnavailable)
					failed.Add(1)
					continue
				}
				mu.Lock()
				acked[d] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2 := openDisk(t, opts)
	recs, _ := readAll(t, e2, mustIter(t, e2, "s", "shardId-000000000000", TrimHorizon, "", time.Time{}))
	seen := map[string]bool{}
	for _, r := range recs {
		if seen[string(r.Data)] {
			t.Fatalf("record %s twice", r.Data)
		}
		seen[string(r.Data)] = true
	}
	for d := range acked {
		if !seen[d] {
			t.Errorf("acknowledged record %s missing", d)
		}
	}
	if failed.Load() == 0 {
		t.Error("no put failed while the disk was full")
	}
	t.Logf("%d acknowledged, %d failed, %d on disk", len(acked), failed.Load(), len(recs))
}

func TestRuntimeCorruptFrame(t *testing.T) {
	t.Parallel()
	opts := Options{Dir: t.TempDir(), Fsync: FsyncAlways, LimitsOff: true}
	e := openDisk(t, opts)
	mustCreate(t, e, "s", 1)
	for i := 0; i < 10; i++ {
		mustPut(t, e, "s", "k", fmt.Sprintf("record-%02d", i)) // 36-byte frames
	}
	// The disk changes under the running engine: record 6 (offset 7) fails its checksum.
	path := lastSegment(t, opts.Dir)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{'X'}, 6*36+30); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	res, err := e.GetRecords(mustIter(t, e, "s", "shardId-000000000000", TrimHorizon, "", time.Time{}), 0)
	if err != nil {
		t.Fatalf("GetRecords over a corrupt frame: %v, want the records before it", err)
	}
	if got := datas(res.Records); len(got) != 6 || got[5] != "record-05" {
		t.Fatalf("records = %v, want record-00..record-05", got)
	}
	_, err = e.GetRecords(res.NextShardIterator, 0)
	for _, frag := range []string{path, "at byte 216", "record offset 7", "checksum mismatch", "streamcap engine repair"} {
		if err == nil || !strings.Contains(err.Error(), frag) {
			t.Errorf("read at the corrupt frame: %v; want it to name %q", err, frag)
		}
	}
	// Records after it are still readable from an iterator past it.
	it := mustIter(t, e, "s", "shardId-000000000000", AfterSequenceNumber, formatSeq(0, 7), time.Time{})
	if res, err := e.GetRecords(it, 0); err != nil || len(res.Records) != 3 {
		t.Errorf("after the corrupt frame: %d records, %v; want 3", len(res.Records), err)
	}
	if st, _ := e.Stats("s"); st.Shards[0].CorruptFrames != 2 {
		t.Errorf("CorruptFrames = %d, want 2", st.Shards[0].CorruptFrames)
	}
}

// openFDs counts this process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(ents)
}

func TestFileDescriptorsBounded(t *testing.T) {
	t.Parallel()
	const shards, maxOpen = 100, 16
	e := openDisk(t, Options{Dir: t.TempDir(), Fsync: FsyncNever, LimitsOff: true, MaxOpenFiles: maxOpen})
	mustCreate(t, e, "s", shards)
	for i := 0; i < shards; i++ {
		// An explicit hash key at each shard's start reaches every shard.
		if _, err := e.PutRecord("s", Record{PartitionKey: "k", ExplicitHashKey: uniformBoundary(i, shards).String(), Data: []byte("x")}); err != nil {
			t.Fatal(err)
		}
		if n := e.files.open(); n > maxOpen {
			t.Fatalf("after writing %d shards: %d segment files open, want at most %d", i+1, n, maxOpen)
		}
	}
	for i := 0; i < shards; i++ {
		recs, _ := readAll(t, e, mustIter(t, e, "s", shardID(i), TrimHorizon, "", time.Time{}))
		if len(recs) != 1 {
			t.Fatalf("shard %d: %d records, want 1", i, len(recs))
		}
	}
	if n := e.files.open(); n > maxOpen {
		t.Errorf("after reading: %d segment files open, want at most %d", n, maxOpen)
	}
}

const fdChildEnv = "STREAMCAP_ENGINE_FD_CHILD"

// TestFileDescriptorsChild is the child of TestManyShardsUnderLowFileLimit: it lowers its own
// RLIMIT_NOFILE, then creates a stream of many shards, writes to and reads from every one.
func TestFileDescriptorsChild(t *testing.T) {
	spec := os.Getenv(fdChildEnv)
	if spec == "" {
		t.Skip("child process of TestManyShardsUnderLowFileLimit")
	}
	var dir string
	var shards int
	var limit uint64
	if _, err := fmt.Sscanf(spec, "%d %d %s", &shards, &limit, &dir); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
		t.Fatal(err)
	}
	e, err := Open(Options{Dir: dir, Fsync: FsyncNever, LimitsOff: true})
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, e, "s", shards)
	for i := 0; i < shards; i++ {
		if _, err := e.PutRecord("s", Record{PartitionKey: "k", ExplicitHashKey: uniformBoundary(i, shards).String(), Data: []byte(strconv.Itoa(i))}); err != nil {
			t.Fatalf("put to shard %d: %v", i, err)
		}
	}
	for i := 0; i < shards; i++ {
		recs, _ := readAll(t, e, mustIter(t, e, "s", shardID(i), TrimHorizon, "", time.Time{}))
		if len(recs) != 1 || string(recs[0].Data) != strconv.Itoa(i) {
			t.Fatalf("shard %d: %v", i, datas(recs))
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2, err := Open(Options{Dir: dir, Fsync: FsyncNever, LimitsOff: true})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if n := len(e2.Recovery().Shards); n != shards {
		t.Fatalf("reopened %d shards, want %d", n, shards)
	}
	_ = e2.Close()
	fmt.Printf("fd-child ok: %d shards under RLIMIT_NOFILE %d\n", shards, limit)
}

// manyShards is the shard count of TestManyShardsUnderLowFileLimit; the soak raises it to 10 000
// under the default limit of 1024.
func manyShards() (shards int, limit uint64) {
	if os.Getenv("STREAMCAP_ENGINE_SOAK") != "" {
		return 10000, 1024
	}
	return 600, 384
}

func TestManyShardsUnderLowFileLimit(t *testing.T) {
	if os.Getenv(fdChildEnv) != "" {
		t.Skip("inside the child")
	}
	t.Parallel()
	shards, limit := manyShards()
	dir := filepath.Join(t.TempDir(), "data")
	cmd := exec.Command(os.Args[0], "-test.run=^TestFileDescriptorsChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d %d %s", fdChildEnv, shards, limit, dir))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "fd-child ok") {
		t.Fatalf("child with %d shards under RLIMIT_NOFILE %d: %v\n%s", shards, limit, err, out)
	}
	t.Logf("%d shards written, read and reopened under RLIMIT_NOFILE %d", shards, limit)
}
