package engine

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestReopenKeepsRecords(t *testing.T) {
	t.Parallel()
	for _, p := range []FsyncPolicy{FsyncAlways, FsyncInterval, FsyncNever} {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			opts := Options{Dir: t.TempDir(), Fsync: p, LimitsOff: true, SegmentBytes: 8192}
			e := openDisk(t, opts)
			mustCreate(t, e, "s", 2)
			if _, err := e.RegisterConsumer("s", "c1"); err != nil {
				t.Fatal(err)
			}
			want := map[string][]string{}
			for i := 0; i < 300; i++ {
				d := fmt.Sprintf("rec-%03d-%s", i, strings.Repeat("x", i%50))
				r := mustPut(t, e, "s", keyN(i), d)
				want[r.ShardID] = append(want[r.ShardID], d)
			}
			// Full segments are sealed: only each shard's newest segment keeps a file open.
			for _, sh := range (*e.streams.Load())["s"].shards {
				sh.mu.RLock()
				for i, seg := range sh.segs {
					if open := seg.f != nil; open != (i == len(sh.segs)-1) {
						t.Errorf("%s segment %d of %d: file open = %v", sh.id, i, len(sh.segs), open)
					}
				}
				if len(sh.segs) < 2 {
					t.Errorf("%s has %d segments, want several", sh.id, len(sh.segs))
				}
				sh.mu.RUnlock()
			}
			if err := e.IncreaseRetention("s", 48); err != nil {
				t.Fatal(err)
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			e2 := openDisk(t, opts)
			rep := e2.Recovery()
			var n int64
			for _, s := range rep.Shards {
				n += s.Records
			}
			if n != 300 || rep.DroppedBytes() != 0 || len(rep.Shards) != 2 {
				t.Errorf("recovery = %+v, want 300 records, nothing dropped", rep)
			}
			for id, w := range want {
				recs, _ := readAll(t, e2, mustIter(t, e2, "s", id, TrimHorizon, "", time.Time{}))
				if !reflect.DeepEqual(datas(recs), w) {
					t.Errorf("%s after reopen: %d records, want %d", id, len(recs), len(w))
				}
			}
			d, _ := e2.DescribeStream("s")
			if d.RetentionHours != 48 || d.ConsumerCount != 1 {
				t.Errorf("metadata after reopen: retention %d, consumers %d; want 48, 1", d.RetentionHours, d.ConsumerCount)
			}
			// Numbering continues after the recovered records.
			r := mustPut(t, e2, "s", keyN(0), "next")
			if _, off, _ := parseSeq(r.SequenceNumber); off != uint64(len(want[r.ShardID])+1) {
				t.Errorf("offset after reopen = %d, want %d", off, len(want[r.ShardID])+1)
			}
		})
	}
}

// lastSegment returns the path of the newest segment of shard 0 of stream s.
func lastSegment(t *testing.T, dir string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "streams", "s", "shard-000000000000", "*.seg"))
	if err != nil || len(m) == 0 {
		t.Fatalf("no segments: %v", err)
	}
	return m[len(m)-1]
}

func TestTornTailRecovery(t *testing.T) {
	t.Parallel()
	const n = 10
	// Each record: key "k" + 9 bytes "record-0N" -> frame = 8 + 18 + 1 + 9 = 36 bytes.
	const frameLen = 36
	cases := []struct {
		name        string
		damage      func(b []byte) []byte
		wantRecords int
		wantDropped int64
		wantReason  string
	}{
		{"intact", func(b []byte) []byte { return b }, n, 0, ""},
		{"last frame cut by one byte", func(b []byte) []byte { return b[:len(b)-1] }, n - 1, frameLen - 1, "torn frame"},
		{"cut inside the last header", func(b []byte) []byte { return b[:len(b)-frameLen+3] }, n - 1, 3, "torn frame header"},
		{"bit flip in last record's data", func(b []byte) []byte { b[len(b)-1] ^= 0x10; return b }, n - 1, frameLen, "checksum mismatch"},
		{"bit flip in last record's length", func(b []byte) []byte { b[len(b)-frameLen] ^= 0x80; return b }, n - 1, frameLen, "body length"},
		{"bit flip in the middle", func(b []byte) []byte { b[4*frameLen+20] ^= 1; return b }, 4, 6 * frameLen, "checksum mismatch"},
		{"zeros appended (preallocated tail)", func(b []byte) []byte { return append(b, make([]byte, 100)...) }, n, 100, "body length 0"},
		{"all zeros", func(b []byte) []byte { return make([]byte, len(b)) }, 0, n * frameLen, "body length 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			opts := Options{Dir: t.TempDir(), Fsync: FsyncAlways, LimitsOff: true}
			e := openDisk(t, opts)
			mustCreate(t, e, "s", 1)
			for i := 0; i < n; i++ {
				mustPut(t, e, "s", "k", fmt.Sprintf("record-%02d", i))
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			path := lastSegment(t, opts.Dir)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != n*frameLen {
				t.Fatalf("segment is %d bytes, want %d", len(b), n*frameLen)
			}
			if err := os.WriteFile(path, c.damage(b), 0o644); err != nil {
				t.Fatal(err)
			}
			e2 := openDisk(t, opts)
			rep := e2.Recovery().Shards[0]
			if rep.Records != int64(c.wantRecords) || rep.DroppedBytes != c.wantDropped || !strings.Contains(rep.Reason, c.wantReason) {
				t.Errorf("recovery = %+v; want %d records, %d bytes dropped, reason containing %q", rep, c.wantRecords, c.wantDropped, c.wantReason)
			}
			if c.wantReason == "" && rep.Reason != "" {
				t.Errorf("intact segment: reason %q", rep.Reason)
			}
			recs, _ := readAll(t, e2, mustIter(t, e2, "s", "shardId-000000000000", TrimHorizon, "", time.Time{}))
			var want []string
			for i := 0; i < c.wantRecords; i++ {
				want = append(want, fmt.Sprintf("record-%02d", i))
			}
			if !reflect.DeepEqual(datas(recs), append([]string{}, want...)) && len(want)+len(recs) > 0 {
				t.Errorf("records after recovery = %v, want %v", datas(recs), want)
			}
			// The file was truncated to the good prefix and new records continue the numbering.
			if fi, _ := os.Stat(path); fi.Size() != int64(c.wantRecords*frameLen) {
				t.Errorf("segment size after recovery = %d, want %d", fi.Size(), c.wantRecords*frameLen)
			}
			r := mustPut(t, e2, "s", "k", "after")
			if _, off, _ := parseSeq(r.SequenceNumber); off != uint64(c.wantRecords+1) {
				t.Errorf("next offset = %d, want %d", off, c.wantRecords+1)
			}
			if err := e2.Close(); err != nil {
				t.Fatal(err)
			}
			e3 := openDisk(t, opts) // a second recovery finds a clean log
			if rep := e3.Recovery().Shards[0]; rep.DroppedBytes != 0 || rep.Records != int64(c.wantRecords+1) {
				t.Errorf("second recovery = %+v", rep)
			}
		})
	}
}

func TestRecoveryDropsSegmentsAfterCorruption(t *testing.T) {
	t.Parallel()
	opts := Options{Dir: t.TempDir(), Fsync: FsyncNever, LimitsOff: true, SegmentBytes: 4096}
	e := openDisk(t, opts)
	mustCreate(t, e, "s", 1)
	data := strings.Repeat("d", 1000)
	for i := 0; i < 9; i++ { // 3 segments of 3 records
		mustPut(t, e, "s", "k", data)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	segs, _ := filepath.Glob(filepath.Join(opts.Dir, "streams", "s", "shard-000000000000", "*.seg"))
	if len(segs) != 3 {
		t.Fatalf("%d segments, want 3", len(segs))
	}
	b, _ := os.ReadFile(segs[1])
	b[len(b)-5] ^= 0xff // last record of the middle segment
	if err := os.WriteFile(segs[1], b, 0o644); err != nil {
		t.Fatal(err)
	}
	e2 := openDisk(t, opts)
	rep := e2.Recovery().Shards[0]
	if rep.Records != 5 || rep.DroppedBytes != 1027+3*1027 {
		t.Errorf("recovery = %+v, want 5 records and 4 frames dropped", rep)
	}
	if _, err := os.Stat(segs[2]); !os.IsNotExist(err) {
		t.Errorf("segment after the corruption still exists: %v", err)
	}
}

func TestConcurrentDurablePuts(t *testing.T) {
	t.Parallel()
	opts := Options{Dir: t.TempDir(), LimitsOff: true, FsyncInterval: time.Millisecond, SegmentBytes: 16 << 10}
	e := openDisk(t, opts)
	mustCreate(t, e, "s", 2)
	const writers, each = 8, 100
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if i%10 == 0 {
					rs := make([]Record, 5)
					for j := range rs {
						rs[j] = Record{PartitionKey: fmt.Sprintf("w%d", w), Data: fmt.Appendf(nil, "%d-%d-%d", w, i, j)}
					}
					out, err := e.PutRecords("s", rs)
					if err == nil {
						for _, o := range out {
							if o.ErrorCode != "" {
								err = fmt.Errorf("%s: %s", o.ErrorCode, o.ErrorMessage)
							}
						}
					}
					if err != nil {
						errs <- err
						return
					}
					continue
				}
				if _, err := e.PutRecord("s", Record{PartitionKey: fmt.Sprintf("w%d", w), Data: fmt.Appendf(nil, "%d-%d", w, i)}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2 := openDisk(t, opts)
	got := map[string][]string{}
	for _, sh := range []string{"shardId-000000000000", "shardId-000000000001"} {
		recs, _ := readAll(t, e2, mustIter(t, e2, "s", sh, TrimHorizon, "", time.Time{}))
		for _, r := range recs {
			got[r.PartitionKey] = append(got[r.PartitionKey], string(r.Data))
		}
	}
	for w := 0; w < writers; w++ {
		var want []string
		for i := 0; i < each; i++ {
			if i%10 == 0 {
				for j := 0; j < 5; j++ {
					want = append(want, fmt.Sprintf("%d-%d-%d", w, i, j))
				}
				continue
			}
			want = append(want, fmt.Sprintf("%d-%d", w, i))
		}
		if k := fmt.Sprintf("w%d", w); !reflect.DeepEqual(got[k], want) {
			t.Errorf("writer %d: %d records in order?\n got %v\nwant %v", w, len(got[k]), got[k], want)
		}
	}
}

func FuzzSegmentReader(f *testing.F) {
	tab := newCRCTable()
	var seg []byte
	for i := uint64(1); i <= 3; i++ {
		seg = appendFrame(seg, tab, i, int64(i)*1e9, fmt.Sprintf("key%d", i), bytes.Repeat([]byte{byte(i)}, int(i)*10))
	}
	f.Add(seg)
	f.Add(seg[:len(seg)-1])
	f.Add(seg[:5])
	f.Add([]byte{})
	f.Add(make([]byte, 64))
	flipped := append([]byte(nil), seg...)
	flipped[30] ^= 4
	f.Add(flipped)
	f.Add([]byte{0, 0, 0, 19, 0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5})
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := scanSegment(bytes.NewReader(b), 1, tab)
		if err != nil {
			t.Fatalf("scan of in-memory bytes returned a read error: %v", err)
		}
		if res.valid > int64(len(b)) || res.valid < 0 {
			t.Fatalf("valid = %d outside [0, %d]", res.valid, len(b))
		}
		if (res.problem == "") != (res.valid == int64(len(b))) {
			t.Fatalf("problem %q with valid %d of %d", res.problem, res.valid, len(b))
		}
		if res.next != 1+uint64(len(res.pos)) {
			t.Fatalf("next %d after %d records", res.next, len(res.pos))
		}
		// The valid prefix scans clean, and decodes to the same records with the read path.
		again, _ := scanSegment(bytes.NewReader(b[:res.valid]), 1, tab)
		if again.problem != "" || len(again.pos) != len(res.pos) {
			t.Fatalf("rescan of valid prefix: %d records, problem %q; want %d, none", len(again.pos), again.problem, len(res.pos))
		}
		frames, err := decodeFrames(b[:res.valid], tab, nil)
		if err != nil || len(frames) != len(res.pos) {
			t.Fatalf("decodeFrames of valid prefix: %d frames, %v; want %d", len(frames), err, len(res.pos))
		}
		_, _ = decodeFrames(b, tab, nil) // must not panic on anything
	})
}
