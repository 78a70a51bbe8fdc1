package engine

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestInputErrorsNameValueAndRange(t *testing.T) {
	t.Parallel()
	e := openMem(t, Options{LimitsOff: true})
	mustCreate(t, e, "s", 1)
	big := make([]byte, 1<<20)
	_, errPutUnknown := e.PutRecord("nope", Record{PartitionKey: "k"})
	_, errKeyEmpty := e.PutRecord("s", Record{PartitionKey: ""})
	_, errKeyLong := e.PutRecord("s", Record{PartitionKey: strings.Repeat("k", 257)})
	_, errTooBig := e.PutRecord("s", Record{PartitionKey: "k", Data: big})
	_, errHashBig := e.PutRecord("s", Record{PartitionKey: "k", ExplicitHashKey: "340282366920938463463374607431768211456"})
	_, errHashNeg := e.PutRecord("s", Record{PartitionKey: "k", ExplicitHashKey: "-1"})
	_, errBatch := e.PutRecords("s", make([]Record, 501))
	_, errBatchEmpty := e.PutRecords("s", nil)
	_, errIterShard := e.GetShardIterator("s", "shardId-000000000007", TrimHorizon, "", time.Time{})
	_, errIterType := e.GetShardIterator("s", "shardId-000000000000", "SOMEWHERE", "", time.Time{})
	_, errIterSeq := e.GetShardIterator("s", "shardId-000000000000", AtSequenceNumber, "123", time.Time{})
	_, errIterFuture := e.GetShardIterator("s", "shardId-000000000000", AtSequenceNumber, formatSeq(0, 50), time.Time{})
	_, errIterOther := e.GetShardIterator("s", "shardId-000000000000", AtSequenceNumber, formatSeq(3, 1), time.Time{})
	_, errIterTS := e.GetShardIterator("s", "shardId-000000000000", AtTimestamp, "", time.Time{})
	_, errLimit := e.GetRecords("x", 10001)
	cases := []struct {
		name string
		err  error
		code string
		frag []string
	}{
		{"unknown stream", errPutUnknown, ErrResourceNotFound, []string{"stream nope", "000000000000"}},
		{"empty key", errKeyEmpty, ErrValidation, []string{"partition key length 0", "between 1 and 256"}},
		{"key too long", errKeyLong, ErrValidation, []string{"partition key length 257", "between 1 and 256"}},
		{"record too big", errTooBig, ErrValidation, []string{"1048577 bytes", "data 1048576 + partition key 1", "at most 1048576"}},
		{"hash key 2^128", errHashBig, ErrInvalidArgument, []string{"340282366920938463463374607431768211456", "between 0 and 340282366920938463463374607431768211455"}},
		{"hash key negative", errHashNeg, ErrInvalidArgument, []string{`"-1"`}},
		{"501 records", errBatch, ErrValidation, []string{"501 entries", "between 1 and 500"}},
		{"0 records", errBatchEmpty, ErrValidation, []string{"0 entries"}},
		{"unknown shard", errIterShard, ErrResourceNotFound, []string{"shardId-000000000007", "stream s"}},
		{"bad iterator type", errIterType, ErrValidation, []string{`"SOMEWHERE"`, "TRIM_HORIZON"}},
		{"bad sequence number", errIterSeq, ErrInvalidArgument, []string{`"123"`, "56-digit"}},
		{"future sequence number", errIterFuture, ErrInvalidArgument, []string{"beyond the newest record"}},
		{"other shard's sequence number", errIterOther, ErrInvalidArgument, []string{"belongs to shardId-000000000003"}},
		{"timestamp missing", errIterTS, ErrInvalidArgument, []string{"timestamp"}},
		{"limit too big", errLimit, ErrInvalidArgument, []string{"limit 10001", "between 1 and 10000"}},
		{"shard count 0", e.CreateStream(CreateStreamInput{Name: "x", ShardCount: 0}), ErrInvalidArgument, []string{"shard count 0", "between 1 and 10000"}},
		{"retention 23h", e.CreateStream(CreateStreamInput{Name: "x", ShardCount: 1, RetentionHours: 23}), ErrInvalidArgument, []string{"retention 23 hours", "between 24 and 8760"}},
		{"max record 11 MiB", e.CreateStream(CreateStreamInput{Name: "x", ShardCount: 1, MaxRecordSize: 11 << 20}), ErrInvalidArgument, []string{"11534336", "10 MiB"}},
		{"bad stream name", e.CreateStream(CreateStreamInput{Name: "a/b", ShardCount: 1}), ErrValidation, []string{`"a/b"`, "[a-zA-Z0-9_.-]"}},
		{"dot name", e.CreateStream(CreateStreamInput{Name: "..", ShardCount: 1}), ErrValidation, []string{`".."`}},
		{"duplicate stream", e.CreateStream(CreateStreamInput{Name: "s", ShardCount: 1}), ErrResourceInUse, []string{"stream s", "already exists"}},
		{"retention increase below current", e.IncreaseRetention("s", 12), ErrInvalidArgument, []string{"retention 12 hours", "between the current 24 and 8760"}},
		{"retention decrease below 24", e.DecreaseRetention("s", 10), ErrInvalidArgument, []string{"retention 10 hours", "between 24 and the current 24"}},
		{"delete unknown", e.DeleteStream("zz"), ErrResourceNotFound, []string{"stream zz"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantCode(t, c.err, c.code, c.frag...) })
	}
}

func TestPutRecordsEntriesAndOrder(t *testing.T) {
	t.Parallel()
	e := openMem(t, Options{LimitsOff: true})
	mustCreate(t, e, "s", 4)
	var rs []Record
	for i := 0; i < 500; i++ {
		rs = append(rs, Record{PartitionKey: keyN(i % 7), Data: fmt.Appendf(nil, "%d", i)})
	}
	out, err := e.PutRecords("s", rs)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, sh := range []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003"} {
		recs, _ := readAll(t, e, mustIter(t, e, "s", sh, TrimHorizon, "", time.Time{}))
		for _, r := range recs {
			got[r.PartitionKey] = append(got[r.PartitionKey], string(r.Data))
		}
	}
	want := map[string][]string{}
	for i, o := range out {
		if o.ErrorCode != "" || o.SequenceNumber == "" {
			t.Fatalf("entry %d = %+v", i, o)
		}
		if r, _ := e.PutRecord("s", Record{PartitionKey: rs[i].PartitionKey, Data: []byte("probe")}); r.ShardID != o.ShardID {
			t.Fatalf("entry %d shard %s, but key %s routes to %s", i, o.ShardID, rs[i].PartitionKey, r.ShardID)
		}
		want[rs[i].PartitionKey] = append(want[rs[i].PartitionKey], string(rs[i].Data))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("per-key order in PutRecords lost")
	}
}

func TestDeleteAndRecreate(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"memory", "disk"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock()
			opts := Options{LimitsOff: true, Clock: clk}
			var e *Engine
			if mode == "memory" {
				e = openMem(t, opts)
			} else {
				opts.Dir = t.TempDir()
				e = openDisk(t, opts)
			}
			mustCreate(t, e, "b", 1)
			mustCreate(t, e, "a", 1)
			if got := e.ListStreams(); !reflect.DeepEqual(got, []string{"a", "b"}) {
				t.Fatalf("ListStreams = %v", got)
			}
			mustPut(t, e, "a", "k", "old")
			it := mustIter(t, e, "a", "shardId-000000000000", TrimHorizon, "", time.Time{})
			if err := e.DeleteStream("a"); err != nil {
				t.Fatal(err)
			}
			_, err := e.GetRecords(it, 0)
			wantCode(t, err, ErrResourceNotFound, "stream a")
			clk.Advance(time.Second)
			mustCreate(t, e, "a", 1)
			_, err = e.GetRecords(it, 0)
			wantCode(t, err, ErrResourceNotFound, "created again")
			recs, _ := readAll(t, e, mustIter(t, e, "a", "shardId-000000000000", TrimHorizon, "", time.Time{}))
			if len(recs) != 0 {
				t.Errorf("recreated stream holds %d old records", len(recs))
			}
			if got := e.ListStreams(); !reflect.DeepEqual(got, []string{"a", "b"}) {
				t.Fatalf("ListStreams = %v", got)
			}
		})
	}
}

func TestConsumers(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	e := openMem(t, Options{LimitsOff: true, Clock: clk})
	mustCreate(t, e, "s", 1)
	c, err := e.RegisterConsumer("s", "app")
	if err != nil {
		t.Fatal(err)
	}
	wantARN := fmt.Sprintf("arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/app:%d", clk.Now().Unix())
	if c.ARN != wantARN || c.Status != "ACTIVE" || c.StreamARN != "arn:aws:kinesis:us-east-1:000000000000:stream/s" {
		t.Fatalf("consumer = %+v, want ARN %s", c, wantARN)
	}
	_, err = e.RegisterConsumer("s", "app")
	wantCode(t, err, ErrResourceInUse, "app")
	for i := 1; i < 20; i++ {
		if _, err := e.RegisterConsumer("s", fmt.Sprintf("c%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	_, err = e.RegisterConsumer("s", "c20")
	wantCode(t, err, ErrLimitExceeded, "20 consumers", "at most 20")
	if got, _ := e.DescribeConsumer("", "", c.ARN); got != c {
		t.Errorf("describe by ARN = %+v", got)
	}
	if got, _ := e.DescribeConsumer("s", "app", ""); got != c {
		t.Errorf("describe by name = %+v", got)
	}
	if err := e.DeregisterConsumer("", "", c.ARN); err != nil {
		t.Fatal(err)
	}
	_, err = e.DescribeConsumer("s", "app", "")
	wantCode(t, err, ErrResourceNotFound, "app")
	if cs, _ := e.ListConsumers("s"); len(cs) != 19 {
		t.Errorf("%d consumers listed, want 19", len(cs))
	}
	_, err = e.DescribeConsumer("", "", "arn:nope")
	wantCode(t, err, ErrInvalidArgument, "arn:nope")
}

func TestSubscribe(t *testing.T) {
	t.Parallel()
	e := openMem(t, Options{LimitsOff: true})
	mustCreate(t, e, "s", 1)
	c, err := e.RegisterConsumer("s", "app")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	mustPut(t, e, "s", "k", "r0")
	ch, err := e.Subscribe(ctx, c.ARN, "shardId-000000000000", TrimHorizon, "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Subscribe(ctx, c.ARN, "shardId-000000000000", Latest, "", time.Time{})
	wantCode(t, err, ErrResourceInUse, "already has a subscription")
	var got []string
	next := func() SubscribeEvent {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatal("subscription closed early")
			}
			return ev
		case <-ctx.Done():
			t.Fatal("timed out waiting for an event")
		}
		return SubscribeEvent{}
	}
	ev := next()
	got = append(got, datas(ev.Records)...)
	go func() {
		for i := 1; i < 5; i++ {
			_, _ = e.PutRecord("s", Record{PartitionKey: "k", Data: fmt.Appendf(nil, "r%d", i)})
		}
	}()
	for len(got) < 5 {
		ev = next()
		if ev.Err != nil {
			t.Fatal(ev.Err)
		}
		got = append(got, datas(ev.Records)...)
	}
	if !reflect.DeepEqual(got, []string{"r0", "r1", "r2", "r3", "r4"}) {
		t.Errorf("pushed %v", got)
	}
	if ev.ContinuationSequenceNumber != formatSeq(0, 5) {
		t.Errorf("continuation = %s, want %s", ev.ContinuationSequenceNumber, formatSeq(0, 5))
	}
	// Closing the shard ends the subscription with its children.
	if err := e.SplitShard("s", "shardId-000000000000", "1000"); err != nil {
		t.Fatal(err)
	}
	ev = next()
	if len(ev.ChildShards) != 2 {
		t.Errorf("end event = %+v, want 2 child shards", ev)
	}
	select {
	case _, ok := <-ch:
		if ok {
			t.Error("event after the end of the shard")
		}
	case <-ctx.Done():
		t.Error("channel still open after the end of the shard")
	}
}

func TestSubscribePacedByEFOLimit(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	l := DefaultLimits()
	l.EFOBytesPerSec = 1000
	e := openMem(t, Options{Clock: clk, Limits: l})
	mustCreate(t, e, "s", 1)
	c, _ := e.RegisterConsumer("s", "app")
	for i := 0; i < 3; i++ {
		mustPut(t, e, "s", "k", strings.Repeat("x", 999)) // 1000 bytes each
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch, err := e.Subscribe(ctx, c.ARN, "shardId-000000000000", TrimHorizon, "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var ev SubscribeEvent
	select { // the 1000-byte bucket lets one event through; it holds all 3 records (debt 2000)
	case ev = <-ch:
	case <-ctx.Done():
		t.Fatal("no first event")
	}
	if len(ev.Records) != 3 {
		t.Fatalf("first event: %d records, want 3", len(ev.Records))
	}
	mustPut(t, e, "s", "k", "more")
	select {
	case ev := <-ch:
		t.Fatalf("event delivered while the consumer is 2000 bytes in debt: %+v", ev)
	case <-time.After(150 * time.Millisecond):
	}
	clk.Advance(2*time.Second + time.Millisecond)
	select {
	case ev := <-ch:
		if len(ev.Records) != 1 {
			t.Fatalf("after repayment: %d records", len(ev.Records))
		}
	case <-ctx.Done():
		t.Fatal("no event after the debt was repaid")
	}
	if st, _ := e.Stats("s"); st.Shards[0].EFOThrottles == 0 {
		t.Error("no EFO throttles counted")
	}
}

func TestEnforceRetentionAndCloseEndSubscriptions(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	e, err := Open(Options{Dir: t.TempDir(), LimitsOff: true, Clock: clk, SegmentBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, e, "s", 1)
	for i := 0; i < 5; i++ {
		mustPut(t, e, "s", "k", strings.Repeat("x", 1500)) // 2 frames per segment
	}
	if err := e.SplitShard("s", "shardId-000000000000", "1000"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(25 * time.Hour)
	e.EnforceRetention() // the closed parent is never written again: only this frees it
	st, _ := e.Stats("s")
	if st.Shards[0].Records != 0 || st.Shards[0].Bytes != 0 {
		t.Errorf("closed parent after retention: %+v", st.Shards[0])
	}
	c, _ := e.RegisterConsumer("s", "app")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch, err := e.Subscribe(ctx, c.ARN, "shardId-000000000001", Latest, "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-ch:
		wantCode(t, ev.Err, ErrResourceNotFound, "engine is closed")
	case <-ctx.Done():
		t.Fatal("subscription not ended by Close")
	}
	_, err = e.PutRecord("s", Record{PartitionKey: "k"})
	wantCode(t, err, ErrResourceInUse, "closed")
}
