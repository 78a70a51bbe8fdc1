package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// readLineage reads every shard of a stream the way a KCL-style consumer does: a shard is read
// only after all its parents have been read to their end. It returns the data per partition key
// in the order read.
func readLineage(t *testing.T, e *Engine, stream string) map[string][]string {
	t.Helper()
	shards, err := e.ListShards(stream)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Shard{}
	for _, s := range shards {
		byID[s.ID] = s
	}
	done := map[string]bool{}
	ready := func(s Shard) bool {
		return (s.ParentShardID == "" || done[s.ParentShardID]) && (s.AdjacentParentShardID == "" || done[s.AdjacentParentShardID])
	}
	got := map[string][]string{}
	for round := 0; len(done) < len(shards) && round < len(shards)+1; round++ {
		for _, s := range shards {
			if done[s.ID] || !ready(s) {
				continue
			}
			recs, children := readAll(t, e, mustIter(t, e, stream, s.ID, TrimHorizon, "", time.Time{}))
			for _, r := range recs {
				got[r.PartitionKey] = append(got[r.PartitionKey], string(r.Data))
			}
			closed := s.EndingSequenceNumber != ""
			if closed && len(children) == 0 {
				t.Fatalf("closed shard %s ended without ChildShards", s.ID)
			}
			for _, c := range children {
				if c.ParentShardID != s.ID && c.AdjacentParentShardID != s.ID {
					t.Errorf("child %s of %s names parents %s/%s", c.ID, s.ID, c.ParentShardID, c.AdjacentParentShardID)
				}
			}
			done[s.ID] = true
		}
	}
	if len(done) != len(shards) {
		t.Fatalf("lineage walk read %d of %d shards", len(done), len(shards))
	}
	return got
}

func TestSplitMergeLineageKeepsPerKeyOrder(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"memory", "disk"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			opts := Options{LimitsOff: true, Clock: newFakeClock()}
			var e *Engine
			if mode == "memory" {
				e = openMem(t, opts)
			} else {
				opts.Dir = t.TempDir()
				e = openDisk(t, opts)
			}
			mustCreate(t, e, "s", 1)
			want := map[string][]string{}
			put := func(phase string) {
				for i := 0; i < 40; i++ {
					k := keyN(i % 10)
					d := fmt.Sprintf("%s-%d", phase, i)
					mustPut(t, e, "s", k, d)
					want[k] = append(want[k], d)
				}
			}
			put("a")
			// Split shard 0 at 2^127.
			if err := e.SplitShard("s", "shardId-000000000000", "170141183460469231731687303715884105728"); err != nil {
				t.Fatal(err)
			}
			put("b")
			if err := e.MergeShards("s", "shardId-000000000001", "shardId-000000000002"); err != nil {
				t.Fatal(err)
			}
			put("c")
			shards, _ := e.ListShards("s")
			type lin struct{ id, parent, adj, start, end string }
			var gotLin []lin
			for _, s := range shards {
				gotLin = append(gotLin, lin{s.ID, s.ParentShardID, s.AdjacentParentShardID, s.StartingHashKey, s.EndingHashKey})
			}
			wantLin := []lin{
				{"shardId-000000000000", "", "", "0", "340282366920938463463374607431768211455"},
				{"shardId-000000000001", "shardId-000000000000", "", "0", "170141183460469231731687303715884105727"},
				{"shardId-000000000002", "shardId-000000000000", "", "170141183460469231731687303715884105728", "340282366920938463463374607431768211455"},
				{"shardId-000000000003", "shardId-000000000001", "shardId-000000000002", "0", "340282366920938463463374607431768211455"},
			}
			if !reflect.DeepEqual(gotLin, wantLin) {
				t.Fatalf("lineage = %+v\nwant %+v", gotLin, wantLin)
			}
			for i, s := range shards {
				if open := s.EndingSequenceNumber == ""; open != (i == 3) {
					t.Errorf("shard %s: ending sequence number %q", s.ID, s.EndingSequenceNumber)
				}
			}
			// Parent 0 holds 40 records: its ending sequence number is its 40th record's.
			if shards[0].EndingSequenceNumber != formatSeq(0, 40) {
				t.Errorf("parent ending sequence number = %s, want %s", shards[0].EndingSequenceNumber, formatSeq(0, 40))
			}
			if got := readLineage(t, e, "s"); !reflect.DeepEqual(got, want) {
				t.Errorf("per-key order across reshard:\n got %v\nwant %v", got, want)
			}
			if d, _ := e.DescribeStream("s"); d.OpenShardCount != 1 || len(d.Shards) != 4 {
				t.Errorf("describe: open %d, all %d; want 1, 4", d.OpenShardCount, len(d.Shards))
			}
			if mode == "disk" { // lineage and data survive a restart
				if err := e.Close(); err != nil {
					t.Fatal(err)
				}
				e2 := openDisk(t, opts)
				if got := readLineage(t, e2, "s"); !reflect.DeepEqual(got, want) {
					t.Errorf("after reopen:\n got %v\nwant %v", got, want)
				}
				r := mustPut(t, e2, "s", "k", "after")
				if r.ShardID != "shardId-000000000003" {
					t.Errorf("put after reopen went to %s, want the merged child", r.ShardID)
				}
			}
		})
	}
}

func TestUpdateShardCountUniformScaling(t *testing.T) {
	t.Parallel()
	e := openMem(t, Options{LimitsOff: true, Clock: newFakeClock()})
	mustCreate(t, e, "s", 2)
	want := map[string][]string{}
	put := func(phase string) {
		for i := 0; i < 60; i++ {
			k := keyN(i % 20)
			d := fmt.Sprintf("%s-%d", phase, i)
			mustPut(t, e, "s", k, d)
			want[k] = append(want[k], d)
		}
	}
	put("a")
	for _, step := range []struct{ target, prev int }{{4, 2}, {3, 4}, {6, 3}, {3, 6}} {
		prev, err := e.UpdateShardCount("s", step.target)
		if err != nil || prev != step.prev {
			t.Fatalf("UpdateShardCount(%d) = %d, %v; want %d", step.target, prev, err, step.prev)
		}
		d, _ := e.DescribeStream("s")
		if d.OpenShardCount != step.target {
			t.Fatalf("after UpdateShardCount(%d): %d open shards", step.target, d.OpenShardCount)
		}
		var open []Shard
		for _, s := range d.Shards {
			if s.EndingSequenceNumber == "" {
				open = append(open, s)
			}
		}
		for i, s := range open { // uniform ranges, ascending
			if want := uniformBoundary(i, step.target).String(); s.StartingHashKey != want {
				t.Errorf("target %d: open shard %d starts at %s, want %s", step.target, i, s.StartingHashKey, want)
			}
		}
		put(fmt.Sprintf("t%d", step.target))
	}
	if got := readLineage(t, e, "s"); !reflect.DeepEqual(got, want) {
		t.Errorf("per-key order across uniform scaling:\n got %v\nwant %v", got, want)
	}
	_, err := e.UpdateShardCount("s", 7)
	wantCode(t, err, ErrLimitExceeded, "target shard count 7", "between 2 and 6")
	_, err = e.UpdateShardCount("s", 1)
	wantCode(t, err, ErrLimitExceeded, "target shard count 1")
}

func TestReshardErrors(t *testing.T) {
	t.Parallel()
	e := openMem(t, Options{LimitsOff: true})
	mustCreate(t, e, "s", 4)
	cases := []struct {
		name string
		err  error
		code string
		frag []string
	}{
		{"split key at start", e.SplitShard("s", "shardId-000000000001", "85070591730234615865843651857942052864"), ErrInvalidArgument,
			[]string{"85070591730234615865843651857942052864", "(85070591730234615865843651857942052864, 170141183460469231731687303715884105727]"}},
		{"split key outside", e.SplitShard("s", "shardId-000000000000", "340282366920938463463374607431768211455"), ErrInvalidArgument, []string{"shardId-000000000000"}},
		{"split key not a number", e.SplitShard("s", "shardId-000000000000", "12x"), ErrInvalidArgument, []string{`"12x"`}},
		{"split unknown shard", e.SplitShard("s", "shardId-000000000099", "1"), ErrResourceNotFound, []string{"shardId-000000000099"}},
		{"merge not adjacent", e.MergeShards("s", "shardId-000000000000", "shardId-000000000002"), ErrInvalidArgument, []string{"not adjacent"}},
		{"merge with itself", e.MergeShards("s", "shardId-000000000000", "shardId-000000000000"), ErrInvalidArgument, []string{"itself"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantCode(t, c.err, c.code, c.frag...) })
	}
	if err := e.MergeShards("s", "shardId-000000000001", "shardId-000000000000"); err != nil {
		t.Fatal(err)
	}
	err := e.SplitShard("s", "shardId-000000000000", "5")
	wantCode(t, err, ErrResourceInUse, "closed")
	if !strings.Contains(err.Error(), "shardId-000000000000") {
		t.Errorf("error %v does not name the shard", err)
	}
}

func TestUpdateShardCountSameTarget(t *testing.T) {
	t.Parallel()
	e := openMem(t, Options{LimitsOff: true})
	mustCreate(t, e, "s", 2)
	if prev, err := e.UpdateShardCount("s", 2); err != nil || prev != 2 {
		t.Fatalf("UpdateShardCount(2) on uniform 2 = %d, %v", prev, err)
	}
	if shards, _ := e.ListShards("s"); len(shards) != 2 {
		t.Fatalf("no-op rescale created shards: %d", len(shards))
	}
	// Split shard 0 at 2^125: three open shards with unequal ranges; rescaling to 3 equalizes them.
	if err := e.SplitShard("s", "shardId-000000000000", "42535295865117307932921825928971026432"); err != nil {
		t.Fatal(err)
	}
	if prev, err := e.UpdateShardCount("s", 3); err != nil || prev != 3 {
		t.Fatalf("UpdateShardCount(3) = %d, %v", prev, err)
	}
	d, _ := e.DescribeStream("s")
	var starts []string
	for _, sh := range d.Shards {
		if sh.EndingSequenceNumber == "" {
			starts = append(starts, sh.StartingHashKey)
		}
	}
	sort.Strings(starts) // these three happen to sort the same as strings and as numbers
	// floor(i * 2^128 / 3) for i = 0, 1, 2, computed by hand.
	want := []string{"0", "113427455640312821154458202477256070485", "226854911280625642308916404954512140970"}
	if !reflect.DeepEqual(starts, want) {
		t.Errorf("open shard starts = %v, want %v", starts, want)
	}
}

func TestFailedSplitRollsBack(t *testing.T) {
	t.Parallel()
	opts := Options{Dir: t.TempDir(), LimitsOff: true}
	e := openDisk(t, opts)
	mustCreate(t, e, "s", 1)
	mustPut(t, e, "s", "k", "before")
	// A file where the second child's directory must go makes the split fail half-way.
	blocker := filepath.Join(opts.Dir, "streams", "s", "shard-000000000002")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.SplitShard("s", "shardId-000000000000", "1000"); err == nil {
		t.Fatal("split succeeded despite the blocked directory")
	}
	if shards, _ := e.ListShards("s"); len(shards) != 1 || shards[0].EndingSequenceNumber != "" {
		t.Fatalf("after a failed split: %+v, want the parent alone and open", shards)
	}
	if _, err := os.Stat(filepath.Join(opts.Dir, "streams", "s", "shard-000000000001")); !os.IsNotExist(err) {
		t.Errorf("first child's directory left behind: %v", err)
	}
	mustPut(t, e, "s", "k", "between")
	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	if err := e.SplitShard("s", "shardId-000000000000", "1000"); err != nil {
		t.Fatal(err)
	}
	if got := readLineage(t, e, "s"); !reflect.DeepEqual(got["k"], []string{"before", "between"}) {
		t.Errorf("records = %v", got)
	}
}
