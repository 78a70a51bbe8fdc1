package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// failingMeta returns a metadata writer that fails with ENOSPC for meta.json while fail is set.
func failingMeta(fail *atomic.Bool, calls *atomic.Int64) func(dir, name string, data []byte) error {
	return func(dir, name string, data []byte) error {
		if name == metaFileName && fail.Load() {
			calls.Add(1)
			return &os.PathError{Op: "write", Path: filepath.Join(dir, name), Err: syscall.ENOSPC}
		}
		return writeFileAtomic(dir, name, data)
	}
}

func TestMetadataFirst(t *testing.T) {
	t.Parallel()
	type op struct {
		name string
		run  func(e *Engine) error
	}
	ops := []op{
		{"split", func(e *Engine) error { return e.SplitShard("s", "shardId-000000000000", "1000") }},
		{"merge", func(e *Engine) error { return e.MergeShards("s", "shardId-000000000000", "shardId-000000000001") }},
		{"update shard count up", func(e *Engine) error { _, err := e.UpdateShardCount("s", 4); return err }},
		{"update shard count down", func(e *Engine) error { _, err := e.UpdateShardCount("s", 1); return err }},
		{"increase retention", func(e *Engine) error { return e.IncreaseRetention("s", 48) }},
		{"register consumer", func(e *Engine) error { _, err := e.RegisterConsumer("s", "c"); return err }},
		{"create another stream", func(e *Engine) error { return e.CreateStream(CreateStreamInput{Name: "t", ShardCount: 3}) }},
	}
	for _, o := range ops {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			var fail atomic.Bool
			var calls atomic.Int64
			opts := Options{Dir: t.TempDir(), LimitsOff: true, WriteMetadata: failingMeta(&fail, &calls)}
			e := openDisk(t, opts)
			mustCreate(t, e, "s", 2)
			mustPut(t, e, "s", "k", "before")
			before, _ := e.DescribeStream("s")
			streamsBefore := e.ListStreams()
			fail.Store(true)
			err := o.run(e)
			wantCode(t, err, ErrServiceUnavailable, "metadata not saved", "no space left on device")
			var ee *Error
			if !errors.As(err, &ee) || !ee.Retryable() || !errors.Is(err, syscall.ENOSPC) {
				t.Errorf("error %v: want retryable, wrapping ENOSPC", err)
			}
			if calls.Load() == 0 {
				t.Fatal("the metadata writer was never called")
			}
			// Memory is exactly as before, and writes go only to shards the metadata holds.
			if after, _ := e.DescribeStream("s"); !reflect.DeepEqual(after, before) {
				t.Errorf("after a failed %s:\n got %+v\nwant %+v", o.name, after, before)
			}
			if got := e.ListStreams(); !reflect.DeepEqual(got, streamsBefore) {
				t.Errorf("streams = %v, want %v", got, streamsBefore)
			}
			var want []string
			for i := 0; i < 100; i++ {
				d := fmt.Sprintf("after-failure-%03d", i)
				mustPut(t, e, "s", keyN(i), d)
				want = append(want, d)
			}
			fail.Store(false)
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			// After a restart every acknowledged record is readable and the layout is the old one.
			e2 := openDisk(t, opts)
			if after, _ := e2.DescribeStream("s"); !reflect.DeepEqual(after.Shards, before.Shards) || after.RetentionHours != before.RetentionHours || after.ConsumerCount != before.ConsumerCount {
				t.Errorf("after restart: %+v, want %+v", after, before)
			}
			got := 0
			for _, sh := range before.Shards {
				recs, _ := readAll(t, e2, mustIter(t, e2, "s", sh.ID, TrimHorizon, "", time.Time{}))
				got += len(recs)
			}
			if got != 101 {
				t.Errorf("after restart %d records readable, want 101 (1 + 100 acknowledged after the failure)", got)
			}
			// The operation succeeds once the metadata can be written.
			if err := o.run(e2); err != nil {
				t.Errorf("%s after the disk recovered: %v", o.name, err)
			}
		})
	}
}

func TestDeleteStreamMetadataFirst(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := openDisk(t, Options{Dir: dir, LimitsOff: true})
	mustCreate(t, e, "s", 1)
	mustPut(t, e, "s", "k", "kept")
	// A file where the trash directory must go makes the delete fail before anything changes.
	if err := os.WriteFile(filepath.Join(dir, "trash"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.DeleteStream("s"), ErrServiceUnavailable, "nothing deleted")
	if recs, _ := readAll(t, e, mustIter(t, e, "s", "shardId-000000000000", TrimHorizon, "", time.Time{})); len(recs) != 1 {
		t.Fatalf("after a failed delete: %d records, want 1", len(recs))
	}
	mustPut(t, e, "s", "k", "still writable")
	if err := os.Remove(filepath.Join(dir, "trash")); err != nil {
		t.Fatal(err)
	}
	if err := e.DeleteStream("s"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "streams", "s")); !os.IsNotExist(err) {
		t.Errorf("stream directory after delete: %v", err)
	}
}

func TestReshardReadOnlyStreamDir(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	dir := t.TempDir()
	e := openDisk(t, Options{Dir: dir, LimitsOff: true})
	mustCreate(t, e, "s", 1)
	sdir := filepath.Join(dir, "streams", "s")
	if err := os.Chmod(sdir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(sdir, 0o700) })
	_, err := e.UpdateShardCount("s", 2)
	wantCode(t, err, ErrServiceUnavailable, "permission denied")
	if d, _ := e.DescribeStream("s"); len(d.Shards) != 1 || d.OpenShardCount != 1 {
		t.Errorf("after a failed rescale: %+v", d)
	}
	mustPut(t, e, "s", "k", "ok")
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	e := openDisk(t, Options{Dir: dir, LimitsOff: true, SegmentBytes: 4096})
	mustCreate(t, e, "s", 2)
	for i := 0; i < 20; i++ {
		mustPut(t, e, "s", keyN(i), strings.Repeat("x", 500))
	}
	if err := e.SplitShard("s", "shardId-000000000000", "1000"); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		want := filePerm
		if fi.IsDir() {
			want = dirPerm
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %o, want %o", p, got, want)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 15 { // data, streams, s, meta.json, clean.json, 4 shard dirs with state.json and segments
		t.Errorf("walked %d entries, want at least 15", n)
	}
}

func TestSequenceNumbersNeverReused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		clean bool // Close before the damage (else the process "crashes": no Close)
		cut   func(size int64, frame int64) int64
	}{
		{"clean close, last 3 frames cut at a frame boundary", true, func(size, f int64) int64 { return size - 3*f }},
		{"clean close, torn inside the last frame", true, func(size, f int64) int64 { return size - f/2 }},
		{"crash, last 3 frames cut at a frame boundary", false, func(size, f int64) int64 { return size - 3*f }},
		{"crash, whole segment emptied", false, func(int64, int64) int64 { return 0 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			opts := Options{Dir: t.TempDir(), Fsync: FsyncAlways, LimitsOff: true}
			e, err := Open(opts)
			if err != nil {
				t.Fatal(err)
			}
			mustCreate(t, e, "s", 1)
			var maxAcked string
			for i := 0; i < 10; i++ {
				maxAcked = mustPut(t, e, "s", "k", fmt.Sprintf("r%02d", i)).SequenceNumber // 36-byte frames
			}
			if c.clean {
				if err := e.Close(); err != nil {
					t.Fatal(err)
				}
			} else {
				crash(e) // release the files without Close's clean-shutdown record
			}
			path := lastSegment(t, opts.Dir)
			fi, _ := os.Stat(path)
			if err := os.Truncate(path, c.cut(fi.Size(), 36)); err != nil {
				t.Fatal(err)
			}
			e2 := openDisk(t, opts)
			rep := e2.Recovery().Shards[0]
			if rep.SkippedTo <= 10 {
				t.Errorf("recovery %+v: want offsets up to at least 10 skipped", rep)
			}
			for i := 0; i < 3; i++ {
				r := mustPut(t, e2, "s", "k", fmt.Sprintf("new%d", i))
				if r.SequenceNumber <= maxAcked {
					t.Fatalf("new record got %s, not above the acknowledged %s", r.SequenceNumber, maxAcked)
				}
			}
			// Reads pass over the skipped numbers; a third open keeps numbering above again.
			recs, _ := readAll(t, e2, mustIter(t, e2, "s", "shardId-000000000000", TrimHorizon, "", time.Time{}))
			if n := len(recs); n < 3 || string(recs[n-1].Data) != "new2" {
				t.Fatalf("records after recovery: %v", datas(recs))
			}
			last := recs[len(recs)-1].SequenceNumber
			if err := e2.Close(); err != nil {
				t.Fatal(err)
			}
			e3 := openDisk(t, opts)
			if r := mustPut(t, e3, "s", "k", "third"); r.SequenceNumber <= last {
				t.Errorf("after a clean reopen: %s, not above %s", r.SequenceNumber, last)
			}
		})
	}
}

// Data written by an older engine with 0755/0644 is made private when opened.
func TestPermissionsTightenedOnOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := openDisk(t, Options{Dir: dir, LimitsOff: true})
	mustCreate(t, e, "s", 1)
	mustPut(t, e, "s", "k", "v")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	var paths []string
	_ = filepath.Walk(filepath.Join(dir, "streams"), func(p string, fi os.FileInfo, err error) error {
		if err == nil {
			mode := os.FileMode(0o644)
			if fi.IsDir() {
				mode = 0o755
			}
			_ = os.Chmod(p, mode)
			paths = append(paths, p)
		}
		return err
	})
	openDisk(t, Options{Dir: dir, LimitsOff: true})
	for _, p := range paths {
		fi, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue // clean.json, consumed by Open
		}
		want := filePerm
		if fi.IsDir() {
			want = dirPerm
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %o after Open, want %o", p, fi.Mode().Perm(), want)
		}
	}
}

// crash releases an engine's files and lock without Close: no clean-shutdown record, like a
// kill -9.
func crash(e *Engine) {
	for _, s := range *e.streams.Load() {
		for _, sh := range s.shards {
			for _, seg := range sh.segs {
				e.files.forget(seg)
			}
		}
	}
	e.unlock()
}

// One engine or repair at a time per data directory.
func TestDataDirLock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := openDisk(t, Options{Dir: dir, LimitsOff: true})
	if _, err := Open(Options{Dir: dir}); err == nil || !strings.Contains(err.Error(), "in use by another engine") {
		t.Fatalf("second Open = %v, want an in-use error", err)
	}
	if _, err := Repair(RepairOptions{Dir: dir}); err == nil || !strings.Contains(err.Error(), "in use by another engine") {
		t.Fatalf("Repair while open = %v, want an in-use error", err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Repair(RepairOptions{Dir: dir}); err != nil {
		t.Fatalf("Repair after Close: %v", err)
	}
	openDisk(t, Options{Dir: dir})
}

// A closed shard's ending sequence number is what its metadata recorded, across crashes; an
// open shard resumes above its reservation, and Stats counts records, not skipped numbers.
func TestClosedShardEndSurvivesCrash(t *testing.T) {
	t.Parallel()
	opts := Options{Dir: t.TempDir(), LimitsOff: true}
	e, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, e, "s", 1)
	for i := 0; i < 5; i++ {
		mustPut(t, e, "s", "k", fmt.Sprint(i))
	}
	if err := e.SplitShard("s", "shardId-000000000000", "1000"); err != nil {
		t.Fatal(err)
	}
	before, _ := e.DescribeStream("s")
	mustPut(t, e, "s", "k", "child")
	crash(e)
	e2 := openDisk(t, opts)
	after, _ := e2.DescribeStream("s")
	if after.Shards[0].EndingSequenceNumber != before.Shards[0].EndingSequenceNumber || before.Shards[0].EndingSequenceNumber != formatSeq(0, 5) {
		t.Errorf("parent ends at %s after a crash, %s before; want %s", after.Shards[0].EndingSequenceNumber, before.Shards[0].EndingSequenceNumber, formatSeq(0, 5))
	}
	st, _ := e2.Stats("s")
	var total int64
	for _, s := range st.Shards {
		total += s.Records
	}
	if total != 6 {
		t.Errorf("Stats counts %d records, want 6", total)
	}
	if got := readLineage(t, e2, "s"); len(got["k"]) != 6 {
		t.Errorf("lineage read after a crash: %v", got)
	}
}

// When a shard must reserve more sequence numbers and state.json cannot be written, the put fails
// retryably and nothing is appended; once the write works the reservation is durable.
func TestReservationWriteFailure(t *testing.T) {
	t.Parallel()
	var fail atomic.Bool
	opts := Options{Dir: t.TempDir(), LimitsOff: true, WriteMetadata: func(dir, name string, data []byte) error {
		if name == stateFileName && fail.Load() {
			return &os.PathError{Op: "write", Path: filepath.Join(dir, name), Err: syscall.ENOSPC}
		}
		return writeFileAtomic(dir, name, data)
	}}
	e := openDisk(t, opts)
	mustCreate(t, e, "s", 1)
	mustPut(t, e, "s", "k", "a")
	sh := (*e.streams.Load())["s"].shards[0]
	sh.mu.Lock()
	sh.state.Reserved = sh.next // the reservation is used up
	sh.mu.Unlock()
	fail.Store(true)
	_, err := e.PutRecord("s", Record{PartitionKey: "k", Data: []byte("b")})
	wantCode(t, err, ErrServiceUnavailable, "reserve sequence numbers", "no space left on device")
	fail.Store(false)
	r := mustPut(t, e, "s", "k", "c")
	if _, off, _ := parseSeq(r.SequenceNumber); off != 2 {
		t.Errorf("offset after the failed reservation = %d, want 2 (nothing was appended)", off)
	}
	st, err := readShardState(sh.dir)
	if err != nil || st.Reserved <= 2 {
		t.Errorf("state.json after the reservation: %+v, %v; want reserved above 2", st, err)
	}
}

// A real filesystem failure (no hook; works as root, unlike a read-only directory): meta.json
// cannot be replaced because a non-empty directory stands in its place.
func TestReshardRealFilesystemFailure(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	opts := Options{Dir: dir, LimitsOff: true}
	e := openDisk(t, opts)
	mustCreate(t, e, "s", 2)
	meta := filepath.Join(dir, "streams", "s", metaFileName)
	saved, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	mustRemove(t, meta)
	if err := os.MkdirAll(filepath.Join(meta, "blocker"), 0o700); err != nil {
		t.Fatal(err)
	}
	before, _ := e.DescribeStream("s")
	_, err = e.UpdateShardCount("s", 4)
	wantCode(t, err, ErrServiceUnavailable, "metadata not saved")
	if after, _ := e.DescribeStream("s"); !reflect.DeepEqual(after, before) {
		t.Fatalf("after a failed rescale: %+v", after)
	}
	if shardDirs, _ := filepath.Glob(filepath.Join(dir, "streams", "s", "shard-*")); len(shardDirs) != 2 {
		t.Errorf("shard directories after the failed rescale: %v, want the 2 that the metadata holds", shardDirs)
	}
	for i := 0; i < 100; i++ {
		mustPut(t, e, "s", keyN(i), fmt.Sprint(i))
	}
	if err := os.RemoveAll(meta); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(meta, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2 := openDisk(t, opts)
	n := 0
	for _, sh := range before.Shards {
		recs, _ := readAll(t, e2, mustIter(t, e2, "s", sh.ID, TrimHorizon, "", time.Time{}))
		n += len(recs)
	}
	if n != 100 {
		t.Errorf("after restart %d of 100 acknowledged records readable", n)
	}
}
