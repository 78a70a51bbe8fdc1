package engine

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
)

var faultCycles = flag.Int("fault-cycles", 8, "cycles of TestFaultInjectionSuite, one fault each (make soak raises it)")

// The faults the suite injects, one per cycle in turn.
var suiteFaults = []string{
	"corrupt-mid-segment", "delete-first-segment", "delete-middle-segment", "delete-meta",
	"unreadable-meta", "meta-write-fails-in-reshard", "disk-full", "truncate-tail",
}

// TestFaultInjectionSuite runs cycles of writes, a fault, a restart (and a repair when the engine
// refuses to open) on one data directory, and after each cycle checks that every record ever
// acknowledged is readable with its data or listed as lost in a repair report (or, for a tail cut
// by hand, in the recovery report), and that sequence numbers keep rising.
func TestFaultInjectionSuite(t *testing.T) {
	t.Parallel()
	cycles := *faultCycles
	dir := t.TempDir()
	var metaFail, diskFullFlag atomic.Bool
	var metaCalls atomic.Int64
	opts := Options{
		Dir: dir, LimitsOff: true, SegmentBytes: 4096, FsyncInterval: 100_000,
		WriteMetadata: failingMeta(&metaFail, &metaCalls), SegmentWriteFault: diskFull(&diskFullFlag),
	}
	rng := rand.New(rand.NewPCG(9, uint64(cycles)))
	e := openDisk(t, opts)
	mustCreate(t, e, "s", 2)
	var acked []ackedRecord
	var reports []RepairReport
	maxSeq := map[string]string{} // shard -> highest sequence number acknowledged
	seq := 0
	write := func(n int) int {
		ok := 0
		for i := 0; i < n; i++ {
			seq++
			d := fmt.Sprintf("r%06d-%s", seq, strings.Repeat("p", rng.IntN(200)))
			r, err := e.PutRecord("s", Record{PartitionKey: fmt.Sprintf("key-%d", rng.IntN(50)), Data: []byte(d)})
			if err != nil {
				var ee *Error
				if !errors.As(err, &ee) || !ee.Retryable() {
					t.Fatalf("put: %v", err)
				}
				continue
			}
			if m, ok := maxSeq[r.ShardID]; ok && r.SequenceNumber <= m {
				t.Fatalf("shard %s: sequence number %s not above %s, acknowledged before", r.ShardID, r.SequenceNumber, m)
			}
			maxSeq[r.ShardID] = r.SequenceNumber
			_, off, _ := parseSeq(r.SequenceNumber)
			acked = append(acked, ackedRecord{"s", r.ShardID, off, d})
			ok++
		}
		return ok
	}
	// segments lists, per shard directory, the non-empty segment files.
	segments := func() map[string][]string {
		out := map[string][]string{}
		shards, _ := filepath.Glob(filepath.Join(dir, "streams", "s", "shard-*"))
		for _, sd := range shards {
			segs, _ := filepath.Glob(filepath.Join(sd, "*.seg"))
			sort.Strings(segs)
			for _, p := range segs {
				if fi, err := os.Stat(p); err == nil && fi.Size() > 0 {
					out[sd] = append(out[sd], p)
				}
			}
		}
		return out
	}
	pick := func(min int) []string {
		var cands [][]string
		m := segments()
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if len(m[k]) >= min {
				cands = append(cands, m[k])
			}
		}
		if len(cands) == 0 {
			return nil
		}
		return cands[rng.IntN(len(cands))]
	}
	reopen := func(wantKind string) {
		t.Helper()
		e2, err := Open(opts)
		var de *DamageError
		switch {
		case err == nil && wantKind == "":
		case errors.As(err, &de) && wantKind != "":
			kinds := map[string]bool{}
			for _, d := range de.Damage {
				kinds[d.Kind] = true
			}
			if !kinds[wantKind] {
				t.Fatalf("Open refused with %v, want a %s", err, wantKind)
			}
			rep, rerr := Repair(RepairOptions{Dir: dir})
			if rerr != nil {
				t.Fatalf("repair: %v", rerr)
			}
			reports = append(reports, rep)
			if e2, err = Open(opts); err != nil {
				t.Fatalf("Open after repair: %v", err)
			}
		default:
			t.Fatalf("Open = %v, want damage %q", err, wantKind)
		}
		t.Cleanup(func() { _ = e2.Close() })
		// Numbers skipped by recovery (a tail cut by hand) are listed in its report.
		skip := RepairReport{}
		for _, s := range e2.Recovery().Shards {
			if s.SkippedTo > s.SkippedFrom {
				skip.Items = append(skip.Items, RepairItem{Damage: Damage{Stream: s.Stream, Shard: s.ShardID}, LostFrom: s.SkippedFrom, LostTo: s.SkippedTo})
			}
		}
		reports = append(reports, skip)
		e = e2
	}
	var checked, listedTotal, faultsApplied int
	for c := 0; c < cycles; c++ {
		fault := suiteFaults[c%len(suiteFaults)]
		write(120)
		if c%3 == 2 { // reshard now and then, so damage also hits closed shards and children
			d, _ := e.DescribeStream("s")
			target := 2 + rng.IntN(3)
			if target < (d.OpenShardCount+1)/2 || target > 2*d.OpenShardCount {
				target = d.OpenShardCount
			}
			if _, err := e.UpdateShardCount("s", target); err != nil {
				t.Fatalf("cycle %d: UpdateShardCount(%d): %v", c, target, err)
			}
			write(60)
		}
		wantKind := ""
		switch fault {
		case "meta-write-fails-in-reshard":
			before, _ := e.DescribeStream("s")
			metaFail.Store(true)
			_, err := e.UpdateShardCount("s", before.OpenShardCount*2)
			if err == nil {
				err = e.SplitShard("s", before.Shards[len(before.Shards)-1].ID, "1")
			}
			wantCode(t, err, ErrServiceUnavailable)
			write(50) // acknowledged on the old shards only
			metaFail.Store(false)
		case "disk-full":
			diskFullFlag.Store(true)
			if n := write(20); n != 0 {
				t.Fatalf("cycle %d: %d puts acknowledged on a full disk", c, n)
			}
			diskFullFlag.Store(false)
			write(20)
			faultsApplied++
		}
		if err := e.Close(); err != nil {
			t.Fatalf("cycle %d: close: %v", c, err)
		}
		meta := filepath.Join(dir, "streams", "s", metaFileName)
		switch fault {
		case "corrupt-mid-segment":
			if segs := pick(2); segs != nil {
				p := segs[rng.IntN(len(segs)-1)] // not the newest
				fi, _ := os.Stat(p)
				flipByte(t, p, rng.Int64N(fi.Size()))
				wantKind = DamageCorruptFrame
			}
		case "delete-first-segment":
			if segs := pick(2); segs != nil {
				mustRemove(t, segs[0])
				wantKind = DamageMissingSegments
			}
		case "delete-middle-segment":
			if segs := pick(3); segs != nil {
				mustRemove(t, segs[1+rng.IntN(len(segs)-2)])
				wantKind = DamageMissingSegments
			}
		case "delete-meta", "unreadable-meta":
			b, err := os.ReadFile(meta)
			if err != nil {
				t.Fatal(err)
			}
			if fault == "delete-meta" {
				mustRemove(t, meta)
			} else if err := os.WriteFile(meta, b[:len(b)/2], 0o600); err != nil {
				t.Fatal(err)
			}
			_, err = Open(opts)
			var de *DamageError
			if !errors.As(err, &de) {
				t.Fatalf("cycle %d: Open without a readable meta.json = %v, want a refusal", c, err)
			}
			if _, rerr := Repair(RepairOptions{Dir: dir}); rerr == nil || !strings.Contains(rerr.Error(), "backup") {
				t.Fatalf("cycle %d: repair of a missing meta.json = %v, want a refusal pointing at a backup", c, rerr)
			}
			if err := os.WriteFile(meta, b, 0o600); err != nil { // the operator restores the backup
				t.Fatal(err)
			}
		case "truncate-tail":
			if segs := pick(1); segs != nil {
				p := segs[len(segs)-1]
				fi, _ := os.Stat(p)
				if err := os.Truncate(p, max(0, fi.Size()-1-rng.Int64N(600))); err != nil {
					t.Fatal(err)
				}
			}
		}
		if wantKind != "" || strings.Contains(fault, "meta") || fault == "truncate-tail" {
			faultsApplied++
		}
		reopen(wantKind)
		write(40) // numbers keep rising past everything acknowledged (checked in write)
		if cycles > 16 && c%8 != 7 && c != cycles-1 {
			continue // a long run checks every 8th cycle: a check reads the whole log
		}
		readable, listed := checkAcked(t, e, acked, reports)
		checked += readable + listed
		listedTotal = listed
		if testing.Verbose() {
			t.Logf("cycle %d %-28s acknowledged %d: readable %d, listed lost %d", c, fault, len(acked), readable, listed)
		}
	}
	var moved, lostCounted int64
	for _, r := range reports {
		moved += r.BytesMoved
		lostCounted += r.RecordsLost
	}
	t.Logf("fault suite: %d cycles, %d faults applied, %d metadata writes failed; %d acknowledged records, all readable or listed (%d listed lost); %d record checks in all; %d repairs moved %d bytes",
		cycles, faultsApplied, metaCalls.Load(), len(acked), listedTotal, checked, countRepairs(reports), moved)
}

func countRepairs(rs []RepairReport) int {
	n := 0
	for _, r := range rs {
		if r.Schema != "" && len(r.Items) > 0 {
			n++
		}
	}
	return n
}
