package engine

import (
	"fmt"
	"math/big"
	"reflect"
	"testing"
	"time"
)

func TestCreateStreamEqualRanges(t *testing.T) {
	t.Parallel()
	e := openMem(t, Options{LimitsOff: true})
	mustCreate(t, e, "s", 4)
	shards, err := e.ListShards("s")
	if err != nil {
		t.Fatal(err)
	}
	// 2^128 / 4 = 2^126 = 85070591730234615865843651857942052864, computed by hand.
	want := [][2]string{
		{"0", "85070591730234615865843651857942052863"},
		{"85070591730234615865843651857942052864", "170141183460469231731687303715884105727"},
		{"170141183460469231731687303715884105728", "255211775190703847597530955573826158591"},
		{"255211775190703847597530955573826158592", "340282366920938463463374607431768211455"},
	}
	for i, sh := range shards {
		if got := [2]string{sh.StartingHashKey, sh.EndingHashKey}; got != want[i] {
			t.Errorf("shard %d range = %v, want %v", i, got, want[i])
		}
		if sh.ID != fmt.Sprintf("shardId-%012d", i) || sh.EndingSequenceNumber != "" || sh.ParentShardID != "" {
			t.Errorf("shard %d = %+v", i, sh)
		}
	}
	d, err := e.DescribeStream("s")
	if err != nil {
		t.Fatal(err)
	}
	if d.ARN != "arn:aws:kinesis:us-east-1:000000000000:stream/s" || d.Status != "ACTIVE" || d.RetentionHours != 24 ||
		d.MaxRecordSize != 1<<20 || d.OpenShardCount != 4 {
		t.Errorf("DescribeStream = %+v", d)
	}
}

func TestRoutingByMD5AndExplicitHashKey(t *testing.T) {
	t.Parallel()
	e := openMem(t, Options{LimitsOff: true})
	mustCreate(t, e, "s", 4)
	// MD5("a") = 0cc175b9…, below 2^126: shard 0. MD5("b") = 92eb5ffe…: 0x92 is in [0x80, 0xc0): shard 2.
	// MD5("c") = 4a8a08f0…: 0x4a is in [0x40, 0x80): shard 1.
	cases := []struct {
		name, key, ehk, shard string
	}{
		{"md5 a", "a", "", "shardId-000000000000"},
		{"md5 b", "b", "", "shardId-000000000002"},
		{"md5 c", "c", "", "shardId-000000000001"},
		{"explicit max", "a", "340282366920938463463374607431768211455", "shardId-000000000003"},
		{"explicit zero", "b", "0", "shardId-000000000000"},
		{"explicit boundary", "a", "85070591730234615865843651857942052864", "shardId-000000000001"},
		{"explicit boundary-1", "a", "85070591730234615865843651857942052863", "shardId-000000000000"},
	}
	for _, c := range cases {
		r, err := e.PutRecord("s", Record{PartitionKey: c.key, ExplicitHashKey: c.ehk, Data: []byte("x")})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if r.ShardID != c.shard {
			t.Errorf("%s: shard = %s, want %s", c.name, r.ShardID, c.shard)
		}
	}
}

func TestSequenceNumbersAndOrdering(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	e := openMem(t, Options{LimitsOff: true, Clock: clk})
	mustCreate(t, e, "s", 3)
	want := map[string][]string{}
	for i := 0; i < 600; i++ {
		data := fmt.Sprintf("r%03d", i)
		r := mustPut(t, e, "s", keyN(i%17), data)
		want[r.ShardID] = append(want[r.ShardID], data)
		if _, off, _ := parseSeq(r.SequenceNumber); r.SequenceNumber != formatSeq(int(r.ShardID[len(r.ShardID)-1]-'0'), off) {
			t.Fatalf("fast and slow sequence formatting differ for %s", r.SequenceNumber)
		}
		if len(r.SequenceNumber) != 56 {
			t.Fatalf("sequence number %q has %d digits, want 56", r.SequenceNumber, len(r.SequenceNumber))
		}
	}
	for id, w := range want {
		recs, _ := readAll(t, e, mustIter(t, e, "s", id, TrimHorizon, "", time.Time{}))
		if got := datas(recs); !reflect.DeepEqual(got, w) {
			t.Errorf("%s: read %v, want %v", id, got, w)
		}
		for i := 1; i < len(recs); i++ {
			a, _ := new(big.Int).SetString(recs[i-1].SequenceNumber, 10)
			b, _ := new(big.Int).SetString(recs[i].SequenceNumber, 10)
			if recs[i-1].SequenceNumber >= recs[i].SequenceNumber || a.Cmp(b) >= 0 {
				t.Fatalf("%s: sequence numbers not increasing: %s then %s", id, recs[i-1].SequenceNumber, recs[i].SequenceNumber)
			}
		}
		if !recs[0].ArrivalTime.Equal(clk.Now()) {
			t.Errorf("arrival time = %v, want %v", recs[0].ArrivalTime, clk.Now())
		}
	}
}

func TestIteratorTypes(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	e := openMem(t, Options{LimitsOff: true, Clock: clk})
	mustCreate(t, e, "s", 1)
	const sh = "shardId-000000000000"
	t0 := clk.Now()
	var seqs []string
	for i := 0; i < 5; i++ {
		seqs = append(seqs, mustPut(t, e, "s", "k", fmt.Sprintf("r%d", i)).SequenceNumber)
		clk.Advance(time.Second)
	}
	cases := []struct {
		name string
		typ  IteratorType
		seq  string
		ts   time.Time
		want []string
	}{
		{"trim horizon", TrimHorizon, "", time.Time{}, []string{"r0", "r1", "r2", "r3", "r4"}},
		{"latest", Latest, "", time.Time{}, nil},
		{"at sequence number", AtSequenceNumber, seqs[2], time.Time{}, []string{"r2", "r3", "r4"}},
		{"after sequence number", AfterSequenceNumber, seqs[2], time.Time{}, []string{"r3", "r4"}},
		{"after last", AfterSequenceNumber, seqs[4], time.Time{}, nil},
		{"at starting sequence number", AtSequenceNumber, "4900000000000000000000000000000000000000000000000000000000"[:56], time.Time{}, []string{"r0", "r1", "r2", "r3", "r4"}},
		{"at timestamp exact", AtTimestamp, "", t0.Add(2 * time.Second), []string{"r2", "r3", "r4"}},
		{"at timestamp between", AtTimestamp, "", t0.Add(2500 * time.Millisecond), []string{"r3", "r4"}},
		{"at timestamp before all", AtTimestamp, "", t0.Add(-time.Hour), []string{"r0", "r1", "r2", "r3", "r4"}},
		{"at timestamp after all", AtTimestamp, "", t0.Add(time.Hour), nil},
	}
	for _, c := range cases {
		recs, _ := readAll(t, e, mustIter(t, e, "s", sh, c.typ, c.seq, c.ts))
		if got := datas(recs); !reflect.DeepEqual(got, append([]string{}, c.want...)) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("%s: read %v, want %v", c.name, got, c.want)
		}
	}
	// LATEST sees records put after the iterator was issued.
	it := mustIter(t, e, "s", sh, Latest, "", time.Time{})
	mustPut(t, e, "s", "k", "r5")
	if recs, _ := readAll(t, e, it); !reflect.DeepEqual(datas(recs), []string{"r5"}) {
		t.Errorf("latest after put: read %v, want [r5]", datas(recs))
	}
}

func TestIteratorExpiryAndMalformed(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	e := openMem(t, Options{LimitsOff: true, Clock: clk})
	mustCreate(t, e, "s", 1)
	mustPut(t, e, "s", "k", "v")
	it := mustIter(t, e, "s", "shardId-000000000000", TrimHorizon, "", time.Time{})
	clk.Advance(5 * time.Minute)
	res, err := e.GetRecords(it, 0)
	if err != nil {
		t.Fatalf("GetRecords at exactly 5 minutes: %v", err)
	}
	// The returned iterator is fresh: it lives 5 minutes from now.
	clk.Advance(5*time.Minute + time.Nanosecond)
	_, err = e.GetRecords(it, 0)
	wantCode(t, err, ErrExpiredIterator, "300000 milliseconds")
	_, err = e.GetRecords(res.NextShardIterator, 0)
	wantCode(t, err, ErrExpiredIterator)

	fresh := mustIter(t, e, "s", "shardId-000000000000", TrimHorizon, "", time.Time{})
	flipped := []byte(fresh)
	flipped[10] ^= 1
	for name, bad := range map[string]string{
		"empty":     "",
		"garbage":   "not-an-iterator!",
		"truncated": fresh[:len(fresh)-3],
		"edited":    string(flipped),
	} {
		_, err := e.GetRecords(bad, 0)
		wantCode(t, err, ErrInvalidArgument, "shard iterator")
		_ = name
	}
}

func TestRetentionDeletesWholeSegments(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"memory", "disk"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock()
			opts := Options{LimitsOff: true, Clock: clk, SegmentBytes: 4096}
			var e *Engine
			if mode == "memory" {
				e = openMem(t, opts)
			} else {
				opts.Dir = t.TempDir()
				e = openDisk(t, opts)
			}
			mustCreate(t, e, "s", 1)
			const sh = "shardId-000000000000"
			data := string(make([]byte, 1000))
			// Frames are 8 + 18 + 1 + 1000 = 1027 bytes: 3 per 4096-byte segment.
			for i := 0; i < 6; i++ {
				mustPut(t, e, "s", "k", fmt.Sprintf("old%d", i)+data[4:])
			}
			clk.Advance(23 * time.Hour)
			for i := 0; i < 2; i++ {
				mustPut(t, e, "s", "k", fmt.Sprintf("new%d", i)+data[4:])
			}
			clk.Advance(time.Hour) // old records are exactly 24 h old: still kept
			if recs, _ := readAll(t, e, mustIter(t, e, "s", sh, TrimHorizon, "", time.Time{})); len(recs) != 8 {
				t.Fatalf("at 24h: %d records, want 8", len(recs))
			}
			clk.Advance(time.Second)
			recs, _ := readAll(t, e, mustIter(t, e, "s", sh, TrimHorizon, "", time.Time{}))
			// Segments 1 (old0-2) and 2 (old3-5) go; segment 3 (new0-1) stays.
			got := []string{}
			for _, r := range recs {
				got = append(got, string(r.Data[:4]))
			}
			if !reflect.DeepEqual(got, []string{"new0", "new1"}) {
				t.Fatalf("after 24h1s: %v, want [new0 new1]", got)
			}
			st, _ := e.Stats("s")
			if st.Shards[0].Records != 2 || st.Shards[0].Bytes != 2*1001 {
				t.Errorf("stats = %+v, want 2 records of 1001 bytes", st.Shards[0])
			}
			// Everything expires: the shard stays writable and numbering continues.
			clk.Advance(48 * time.Hour)
			r := mustPut(t, e, "s", "k", "later")
			if _, off, _ := parseSeq(r.SequenceNumber); off != 9 {
				t.Errorf("offset after expiry = %d, want 9", off)
			}
			recs, _ = readAll(t, e, mustIter(t, e, "s", sh, TrimHorizon, "", time.Time{}))
			if !reflect.DeepEqual(datas(recs), []string{"later"}) {
				t.Errorf("after full expiry: %v, want [later]", datas(recs))
			}
		})
	}
}

func TestSequenceNumberFormat(t *testing.T) {
	t.Parallel()
	cases := []struct {
		index int
		off   uint64
		want  string
	}{
		{0, 0, "49" + "00000000000000" + "0000000000000000000000000000000000000000"},
		{3, 1, "49" + "00000000000003" + "0000000000000000000000000000000000000001"},
		{12, 1234567890123456789, "49" + "00000000000012" + "0000000000000000000001234567890123456789"},
	}
	for _, c := range cases {
		h := newSeqHead(c.index)
		if got := formatSeq(c.index, c.off); got != c.want {
			t.Errorf("formatSeq(%d, %d) = %s, want %s", c.index, c.off, got, c.want)
		}
		if got := h.format(c.off); got != c.want {
			t.Errorf("seqHead.format(%d, %d) = %s, want %s", c.index, c.off, got, c.want)
		}
		idx, off, ok := parseSeq(c.want)
		if !ok || idx != c.index || off != c.off {
			t.Errorf("parseSeq(%s) = %d, %d, %v", c.want, idx, off, ok)
		}
	}
	for _, bad := range []string{"", "123", "59" + cases[0].want[2:], cases[0].want[:55] + "x", "49" + "00000000000000" + "1000000000000000000000000000000000000000"} {
		if _, _, ok := parseSeq(bad); ok {
			t.Errorf("parseSeq(%q) accepted", bad)
		}
	}
}
