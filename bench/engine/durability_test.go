package engine

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
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
			// Full segments are sealed: no older segment keeps a file open.
			for _, sh := range (*e.streams.Load())["s"].shards {
				sh.mu.RLock()
				for i, seg := range sh.segs[:len(sh.segs)-1] {
					if seg.f != nil {
						t.Errorf("%s segment %d of %d: sealed but its file is open", sh.id, i, len(sh.segs))
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
			// A clean Close recorded each shard's next offset: numbering continues without a gap.
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
			if c.wantReason == "" && (rep.Reason != "" || rep.TornFile != "") {
				t.Errorf("intact segment: reason %q, torn file %q", rep.Reason, rep.TornFile)
			}
			if c.wantReason != "" && (rep.TornFile != path || rep.TornOffset != int64(c.wantRecords*frameLen)) {
				t.Errorf("torn tail reported in %s at byte %d, want %s at %d", rep.TornFile, rep.TornOffset, path, c.wantRecords*frameLen)
			}
			// Offsets wantRecords+1..n were acknowledged: they are skipped, never reused.
			if wantSkip := c.wantRecords < n; wantSkip != (rep.SkippedFrom == uint64(c.wantRecords+1) && rep.SkippedTo == n+1) {
				t.Errorf("skipped offsets [%d, %d), want [%d, %d) when records were dropped", rep.SkippedFrom, rep.SkippedTo, c.wantRecords+1, n+1)
			}
			recs, _ := readAll(t, e2, mustIter(t, e2, "s", "shardId-000000000000", TrimHorizon, "", time.Time{}))
			var want []string
			for i := 0; i < c.wantRecords; i++ {
				want = append(want, fmt.Sprintf("record-%02d", i))
			}
			if !reflect.DeepEqual(datas(recs), append([]string{}, want...)) && len(want)+len(recs) > 0 {
				t.Errorf("records after recovery = %v, want %v", datas(recs), want)
			}
			// The file was truncated to the good prefix (an emptied newest segment gives way to one
			// starting at the resumed number) and new records get numbers above every number
			// acknowledged before: n+1.
			if fi, err := os.Stat(path); c.wantRecords > 0 && (err != nil || fi.Size() != int64(c.wantRecords*frameLen)) {
				t.Errorf("segment after recovery: %v, want %d bytes", err, c.wantRecords*frameLen)
			}
			r := mustPut(t, e2, "s", "k", "after")
			if _, off, _ := parseSeq(r.SequenceNumber); off != n+1 {
				t.Errorf("next offset = %d, want %d (strictly above the %d acknowledged)", off, n+1, n)
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

func TestRecoveryRefusesCorruptionMidLog(t *testing.T) {
	t.Parallel()
	const frameLen = 1027 // 8 + 18 + key "k" + 1000 bytes
	cases := []struct {
		name    string
		seg     int // which of the 3 segments to damage
		at      func(size int) int
		wantOff int64
	}{
		{"last record of the middle segment", 1, func(size int) int { return size - 5 }, 2 * frameLen},
		{"first record of the first segment", 0, func(int) int { return 30 }, 0},
		{"middle of the newest segment, intact frames after", 2, func(int) int { return frameLen + 40 }, frameLen},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
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
			b, _ := os.ReadFile(segs[c.seg])
			b[c.at(len(b))] ^= 0xff
			if err := os.WriteFile(segs[c.seg], b, 0o600); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, opts.Dir)
			_, err := Open(opts)
			var de *DamageError
			if !errors.As(err, &de) {
				t.Fatalf("Open = %v, want a *DamageError", err)
			}
			if len(de.Damage) != 1 || de.Damage[0].Path != segs[c.seg] || de.Damage[0].Offset != c.wantOff || de.Damage[0].Kind != DamageCorruptFrame {
				t.Fatalf("damage = %+v, want one corrupt frame in %s at byte %d", de.Damage, segs[c.seg], c.wantOff)
			}
			for _, frag := range []string{segs[c.seg], fmt.Sprintf("at byte %d", c.wantOff), "streamcap engine repair --data-dir " + opts.Dir} {
				if !strings.Contains(err.Error(), frag) {
					t.Errorf("error %q does not name %q", err, frag)
				}
			}
			if after := snapshot(t, opts.Dir); !reflect.DeepEqual(after, before) {
				t.Errorf("a refused Open changed the data directory:\n before %v\n after %v", before, after)
			}
		})
	}
}

// snapshot maps every file under dir to its size and a checksum of its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = fmt.Sprintf("%d:%08x", len(b), crc32.ChecksumIEEE(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
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

// A crash right after a roll leaves an empty (or wholly torn) newest segment and an older one that
// ends early or torn: that is a torn tail, not damage.
func TestTornTailAcrossARoll(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		newest []byte // content of the segment created by the roll
		cut    int64  // bytes cut from the end of the segment before it
	}{
		{"empty newest, previous ends on a frame boundary", nil, 0},
		{"empty newest, previous torn", nil, 500},
		{"zeros in newest, previous torn", make([]byte, 300), 700},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			opts := Options{Dir: t.TempDir(), Fsync: FsyncNever, LimitsOff: true, SegmentBytes: 4096}
			e, err := Open(opts)
			if err != nil {
				t.Fatal(err)
			}
			mustCreate(t, e, "s", 1)
			var last string
			for i := 0; i < 6; i++ { // 2 segments of 3 records
				last = mustPut(t, e, "s", "k", strings.Repeat("d", 1000)).SequenceNumber
			}
			crash(e)
			segs, _ := filepath.Glob(filepath.Join(opts.Dir, "streams", "s", "shard-000000000000", "*.seg"))
			prev := segs[len(segs)-1]
			fi, _ := os.Stat(prev)
			if err := os.Truncate(prev, fi.Size()-c.cut); err != nil {
				t.Fatal(err)
			}
			rolled := filepath.Join(filepath.Dir(prev), segmentName(9))
			if err := os.WriteFile(rolled, c.newest, 0o600); err != nil {
				t.Fatal(err)
			}
			e2 := openDisk(t, opts)
			rep := e2.Recovery().Shards[0]
			// What is left of the cut 1027-byte frame, plus the newest segment's bytes.
			if want := (1027-c.cut)%1027 + int64(len(c.newest)); rep.DroppedBytes != want || rep.Records != 6-(c.cut+1026)/1027 {
				t.Errorf("recovery %+v: dropped %d bytes, %d records kept; want %d, %d", rep, rep.DroppedBytes, rep.Records, want, 6-(c.cut+1026)/1027)
			}
			if _, err := os.Stat(rolled); !os.IsNotExist(err) {
				t.Errorf("the record-less newest segment is still there: %v", err)
			}
			if r := mustPut(t, e2, "s", "k", "after"); r.SequenceNumber <= last {
				t.Errorf("after recovery: %s, not above %s", r.SequenceNumber, last)
			}
		})
	}
}
