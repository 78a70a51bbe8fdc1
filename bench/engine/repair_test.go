package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// ackedRecord is one acknowledged put, for checking after damage and repair.
type ackedRecord struct {
	stream, shard string
	off           uint64
	data          string
}

// checkAcked asserts that every acknowledged record is either readable with its data, or
// listed as lost by one of the repair reports (or skipped by recovery). It returns how many
// were readable and how many listed.
func checkAcked(t *testing.T, e *Engine, acked []ackedRecord, reports []RepairReport) (readable, listed int) {
	t.Helper()
	byShard := map[string]map[uint64]string{}
	skipped := map[string][][2]uint64{}
	for _, s := range e.Recovery().Shards {
		if s.SkippedTo > s.SkippedFrom {
			k := s.Stream + "/" + s.ShardID
			skipped[k] = append(skipped[k], [2]uint64{s.SkippedFrom, s.SkippedTo})
		}
	}
	for _, a := range acked {
		k := a.stream + "/" + a.shard
		m, ok := byShard[k]
		if !ok {
			m = map[uint64]string{}
			recs, _ := readAll(t, e, mustIter(t, e, a.stream, a.shard, TrimHorizon, "", time.Time{}))
			for _, r := range recs {
				_, off, _ := parseSeq(r.SequenceNumber)
				m[off] = string(r.Data)
			}
			byShard[k] = m
		}
		if d, ok := m[a.off]; ok {
			if d != a.data {
				t.Fatalf("%s offset %d: data %q, want %q", k, a.off, d, a.data)
			}
			readable++
			continue
		}
		found := false
		for _, r := range reports {
			if r.Lost(a.stream, a.shard, a.off) {
				found = true
			}
		}
		for _, g := range skipped[k] {
			if a.off >= g[0] && a.off < g[1] {
				found = true
			}
		}
		if !found {
			t.Fatalf("acknowledged record %s offset %d (%q) is neither readable nor listed in a repair report", k, a.off, a.data)
		}
		listed++
	}
	return readable, listed
}

// writeSegments creates stream s with one shard and n records of ~1 KiB in segments of 3 records.
func writeSegments(t *testing.T, opts Options, n int) []ackedRecord {
	t.Helper()
	e, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, e, "s", 1)
	var acked []ackedRecord
	for i := 0; i < n; i++ {
		d := fmt.Sprintf("%04d-%s", i, strings.Repeat("d", 995))
		r := mustPut(t, e, "s", "k", d)
		_, off, _ := parseSeq(r.SequenceNumber)
		acked = append(acked, ackedRecord{"s", r.ShardID, off, d})
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	return acked
}

func shardSegments(t *testing.T, dir string) []string {
	t.Helper()
	segs, _ := filepath.Glob(filepath.Join(dir, "streams", "s", "shard-000000000000", "*.seg"))
	sort.Strings(segs)
	return segs
}

func TestRepair(t *testing.T) {
	t.Parallel()
	const frameLen = 1027 // 8 + 18 + "k" + 1000
	cases := []struct {
		name       string
		damage     func(t *testing.T, dir string, segs []string)
		kind       string
		wantLost   int64 // records listed as lost
		wantMoved  int64 // bytes moved to quarantine
		unrepaired bool
	}{
		{"corrupt mid-segment 1 of 7", func(t *testing.T, dir string, segs []string) {
			flipByte(t, segs[0], frameLen+500) // record 2 of 3: record 1 stays
		}, DamageCorruptFrame, 2, 2 * frameLen, false},
		{"corrupt mid-segment 4 of 7", func(t *testing.T, dir string, segs []string) {
			flipByte(t, segs[3], 2*frameLen+10)
		}, DamageCorruptFrame, 1, frameLen, false},
		{"newest segment corrupt with an intact frame after", func(t *testing.T, dir string, segs []string) {
			flipByte(t, segs[6], 30) // record 19 of 21; records 20 and 21 intact after it
		}, DamageCorruptFrame, 3, 3 * frameLen, false},
		{"first segment deleted", func(t *testing.T, dir string, segs []string) {
			mustRemove(t, segs[0])
		}, DamageMissingSegments, 3, 0, false},
		{"middle segment deleted", func(t *testing.T, dir string, segs []string) {
			mustRemove(t, segs[3])
		}, DamageMissingSegments, 3, 0, false},
		{"two middle segments deleted", func(t *testing.T, dir string, segs []string) {
			mustRemove(t, segs[2])
			mustRemove(t, segs[3])
		}, DamageMissingSegments, 6, 0, false},
		{"orphan shard directory with records", func(t *testing.T, dir string, segs []string) {
			orphan := filepath.Join(dir, "streams", "s", "shard-000000000005")
			if err := os.MkdirAll(orphan, 0o700); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(segs[0])
			if err := os.WriteFile(filepath.Join(orphan, segmentName(1)), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}, DamageOrphanShard, 3, 3 * frameLen, false},
		{"state.json deleted and first segment gone", func(t *testing.T, dir string, segs []string) {
			mustRemove(t, filepath.Join(filepath.Dir(segs[0]), stateFileName))
			mustRemove(t, segs[0])
		}, DamageMissingState, -1, 0, false},
		{"meta.json deleted", func(t *testing.T, dir string, segs []string) {
			mustRemove(t, filepath.Join(dir, "streams", "s", metaFileName))
		}, DamageMissingMetadata, 0, 0, true},
		{"meta.json unreadable", func(t *testing.T, dir string, segs []string) {
			if err := os.WriteFile(filepath.Join(dir, "streams", "s", metaFileName), []byte("{\"version\": 1, \"shards\": [tr"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, DamageUnreadableMetadata, 0, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			opts := Options{Dir: t.TempDir(), Fsync: FsyncNever, LimitsOff: true, SegmentBytes: 4096}
			acked := writeSegments(t, opts, 21) // 7 segments of 3 records
			segs := shardSegments(t, opts.Dir)
			if len(segs) != 7 {
				t.Fatalf("%d segments, want 7", len(segs))
			}
			c.damage(t, opts.Dir, segs)
			_, err := Open(opts)
			var de *DamageError
			if !errors.As(err, &de) || len(de.Damage) != 1 || de.Damage[0].Kind != c.kind {
				t.Fatalf("Open = %v; want a DamageError with one %s", err, c.kind)
			}
			before := snapshot(t, opts.Dir)
			dry, derr := Repair(RepairOptions{Dir: opts.Dir, DryRun: true})
			if after := snapshot(t, opts.Dir); !reflect.DeepEqual(after, before) {
				t.Fatalf("a dry run changed the data directory")
			}
			rep, rerr := Repair(RepairOptions{Dir: opts.Dir})
			if (derr != nil) != c.unrepaired || (rerr != nil) != c.unrepaired {
				t.Fatalf("repair errors: dry %v, real %v; want errors = %v", derr, rerr, c.unrepaired)
			}
			if c.unrepaired {
				if len(rep.Unrepaired) != 1 || len(rep.Items) != 0 || !strings.Contains(rerr.Error(), "backup") {
					t.Fatalf("report %+v, error %v: want one unrepaired item pointing at a backup", rep, rerr)
				}
				// Never wipe: the segments and everything else stay as they were.
				after := snapshot(t, opts.Dir)
				for k, v := range before {
					if strings.HasSuffix(k, ".seg") && after[k] != v {
						t.Errorf("%s changed by a refused repair", k)
					}
				}
				if _, err := Open(opts); !errors.As(err, &de) {
					t.Errorf("Open after a refused repair = %v, want the DamageError again", err)
				}
				return
			}
			if len(dry.Items) != len(rep.Items) || dry.RecordsLost != rep.RecordsLost {
				t.Errorf("dry run %+v differs from the repair %+v", dry, rep)
			}
			if len(rep.Items) != 1 {
				t.Fatalf("repair items = %+v, want 1", rep.Items)
			}
			it := rep.Items[0]
			if it.LostRecords != c.wantLost || it.BytesMoved != c.wantMoved {
				t.Errorf("repair item: lost %d records, moved %d bytes; want %d, %d (%+v)", it.LostRecords, it.BytesMoved, c.wantLost, c.wantMoved, it)
			}
			if it.Moved != "" {
				if fi, err := os.Stat(it.Moved); err != nil || !strings.HasPrefix(it.Moved, filepath.Join(opts.Dir, "quarantine")) {
					t.Errorf("moved to %s: %v", it.Moved, err)
				} else if !fi.IsDir() && fi.Size() != c.wantMoved {
					t.Errorf("quarantined file holds %d bytes, want %d", fi.Size(), c.wantMoved)
				}
			}
			var fromFile RepairReport
			b, err := os.ReadFile(filepath.Join(rep.Quarantine, "report.json"))
			if err != nil || json.Unmarshal(b, &fromFile) != nil || fromFile.Schema != RepairSchema || len(fromFile.Items) != 1 {
				t.Fatalf("report.json: %v %s", err, b)
			}
			if txt, err := os.ReadFile(filepath.Join(rep.Quarantine, "report.txt")); err != nil || !strings.Contains(string(txt), it.Damage.Path) {
				t.Errorf("report.txt: %v %s", err, txt)
			}
			e := openDisk(t, opts)
			readable, listed := checkAcked(t, e, acked, []RepairReport{rep})
			if c.kind == DamageOrphanShard {
				c.wantLost = 0 // the orphan's records were never acknowledged in a shard the metadata holds
			}
			if c.wantLost >= 0 && int64(listed) != c.wantLost {
				t.Errorf("%d records listed as lost, want %d", listed, c.wantLost)
			}
			if readable+listed != len(acked) {
				t.Errorf("%d readable + %d listed != %d acknowledged", readable, listed, len(acked))
			}
			// Writing continues above every number acknowledged before.
			r := mustPut(t, e, "s", "k", "after repair")
			if r.SequenceNumber <= formatSeq(0, acked[len(acked)-1].off) {
				t.Errorf("after repair: %s, not above %d", r.SequenceNumber, acked[len(acked)-1].off)
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			if again, err := Repair(RepairOptions{Dir: opts.Dir, DryRun: true}); err != nil || len(again.Items) != 0 {
				t.Errorf("second repair finds %+v, %v; want nothing", again.Items, err)
			}
		})
	}
}

func flipByte(t *testing.T, path string, at int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, at); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0xff
	if _, err := f.WriteAt(b, at); err != nil {
		t.Fatal(err)
	}
}

func mustRemove(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

// Retention decides from the records' own arrival times, never from a file's absence: a first
// segment missing while younger than retention is refused, but one whose records are provably
// past retention (the next segment's first record is) is retention's to delete.
func TestRetentionDecidesFromTimestamps(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		advance time.Duration // between the old and the new records
		refuse  bool
	}{
		{"missing segment younger than retention", time.Hour, true},
		{"missing segment past retention", 30 * time.Hour, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			opts := Options{Dir: t.TempDir(), Fsync: FsyncNever, LimitsOff: true, SegmentBytes: 4096, Clock: clock}
			e := openDisk(t, opts)
			mustCreate(t, e, "s", 1)
			// A long retention while writing keeps the engine's own retention out of the way.
			if err := e.IncreaseRetention("s", 48); err != nil {
				t.Fatal(err)
			}
			data := strings.Repeat("d", 1000)
			for i := 0; i < 9; i++ { // segments 1-3 of 3 records
				mustPut(t, e, "s", "k", data)
				if i == 6 {
					clock.Advance(c.advance) // the first record of segment 3 is as old as the others
				}
			}
			clock.Advance(time.Minute)
			if err := e.DecreaseRetention("s", 24); err != nil {
				t.Fatal(err)
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			segs := shardSegments(t, opts.Dir)
			mustRemove(t, segs[1]) // the middle one: segment 1 stays, older still
			e1, err := Open(opts)
			var de *DamageError
			if c.refuse {
				if !errors.As(err, &de) || de.Damage[0].Kind != DamageMissingSegments {
					t.Fatalf("Open = %v, want a missing-segments refusal", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open = %v, want retention to take the expired segments", err)
			}
			if rep := e1.Recovery().Shards[0]; rep.ExpiredSegments != 1 || rep.Records != 3 {
				t.Errorf("first open: %+v, want segment 1 expired and the 3 records of segment 3", rep)
			}
			if err := e1.Close(); err != nil {
				t.Fatal(err)
			}
			e2 := openDisk(t, opts)
			if rep := e2.Recovery().Shards[0]; rep.ExpiredSegments != 0 || rep.Records != 3 {
				t.Errorf("second open: %+v, want the 3 records of segment 3 and nothing more to expire", rep)
			}
			if _, err := os.Stat(segs[0]); !os.IsNotExist(err) {
				t.Errorf("segment 1 (past retention) still exists: %v", err)
			}
			recs, _ := readAll(t, e2, mustIter(t, e2, "s", "shardId-000000000000", TrimHorizon, "", time.Time{}))
			if len(recs) != 3 {
				t.Errorf("%d records readable, want 3", len(recs))
			}
		})
	}
}

// What repair moved away and recorded is not reported again: after a repair that empties the
// newest segment (its first frame was damaged, two intact ones followed), Open neither calls the
// empty file a torn tail nor the quarantined numbers a fresh skip, logs nothing, and a second
// Open says the same. The records repair listed as lost stay listed; the rest stay readable.
func TestOpenAfterRepairReportsNothingNew(t *testing.T) {
	t.Parallel()
	opts := Options{Dir: t.TempDir(), Fsync: FsyncNever, LimitsOff: true, SegmentBytes: 4096}
	acked := writeSegments(t, opts, 21) // 7 segments of 3 records
	segs := shardSegments(t, opts.Dir)
	flipByte(t, segs[6], 30) // the newest segment's first frame
	rep, err := Repair(RepairOptions{Dir: opts.Dir})
	if err != nil || rep.RecordsLost != 3 {
		t.Fatalf("repair: %v, %d records lost; want 3", err, rep.RecordsLost)
	}
	for i := range 2 {
		var logs bytes.Buffer
		o := opts
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		e, err := Open(o)
		if err != nil {
			t.Fatalf("open %d: %v", i+1, err)
		}
		sh := e.Recovery().Shards[0]
		if sh.TornFile != "" || sh.DroppedBytes != 0 || sh.SkippedTo > sh.SkippedFrom || logs.Len() != 0 {
			t.Errorf("open %d after repair reports %+v and logs %q; want nothing new", i+1, sh, logs.String())
		}
		readable, listed := checkAcked(t, e, acked, []RepairReport{rep})
		if readable != 18 || listed != 3 {
			t.Errorf("open %d: %d readable, %d listed lost; want 18 and 3", i+1, readable, listed)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
