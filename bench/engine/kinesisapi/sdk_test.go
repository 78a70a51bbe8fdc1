package kinesisapi

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcap/streamcap/bench/engine"
)

// fakeClock is a settable engine.Clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Hash keys at both ends of the 128-bit space: with two shards, lowKey lands in shard 0 and
// highKey in shard 1.
const (
	lowKey   = "0"
	highKey  = "340282366920938463463374607431768211455"
	midKey   = "170141183460469231731687303715884105728" // 2^127, first key of shard 1 of 2
	shard0   = "shardId-000000000000"
	shard1   = "shardId-000000000001"
	shard2   = "shardId-000000000002"
	shard3   = "shardId-000000000003"
	shard4   = "shardId-000000000004"
	testARN0 = "arn:aws:kinesis:us-east-1:000000000000:stream/"
)

// readAll reads a shard from an iterator until it is caught up or closed, in at most 100 calls.
func readAll(t *testing.T, ts *testServer, iter *string) ([]types.Record, *kinesis.GetRecordsOutput) {
	t.Helper()
	var recs []types.Record
	var last *kinesis.GetRecordsOutput
	for i := 0; i < 100 && iter != nil; i++ {
		out, err := ts.kc.GetRecords(testCtx(t), &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatalf("GetRecords: %v", err)
		}
		recs = append(recs, out.Records...)
		last = out
		if len(out.Records) == 0 {
			break
		}
		iter = out.NextShardIterator
	}
	return recs, last
}

func iterator(t *testing.T, ts *testServer, in *kinesis.GetShardIteratorInput) *string {
	t.Helper()
	out, err := ts.kc.GetShardIterator(testCtx(t), in)
	if err != nil {
		t.Fatalf("GetShardIterator %s: %v", in.ShardIteratorType, err)
	}
	return out.ShardIterator
}

func dataOf(recs []types.Record) []string {
	var s []string
	for _, r := range recs {
		s = append(s, string(r.Data))
	}
	return s
}

func TestSDKStreamLifecycle(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	ts := newTestServer(t, serverConfig{engine: engine.Options{Clock: clock, LimitsOff: true}})
	ctx := testCtx(t)
	kc := ts.kc
	name := aws.String("orders")

	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: name, ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	if err := kinesis.NewStreamExistsWaiter(kc).Wait(ctx, &kinesis.DescribeStreamInput{StreamName: name}, 10*time.Second); err != nil {
		t.Fatalf("wait for ACTIVE: %v", err)
	}
	d, err := kc.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: name})
	if err != nil {
		t.Fatal(err)
	}
	sd := d.StreamDescription
	if got, want := aws.ToString(sd.StreamARN), testARN0+"orders"; got != want {
		t.Errorf("StreamARN = %s, want %s", got, want)
	}
	if sd.StreamStatus != types.StreamStatusActive || len(sd.Shards) != 2 || aws.ToInt32(sd.RetentionPeriodHours) != 24 {
		t.Fatalf("DescribeStream = status %s, %d shards, retention %d; want ACTIVE, 2, 24", sd.StreamStatus, len(sd.Shards), aws.ToInt32(sd.RetentionPeriodHours))
	}
	if !sd.StreamCreationTimestamp.Equal(clock.Now()) {
		t.Errorf("StreamCreationTimestamp = %v, want %v", sd.StreamCreationTimestamp, clock.Now())
	}
	if got := aws.ToString(sd.Shards[1].HashKeyRange.StartingHashKey); got != midKey {
		t.Errorf("shard 1 starts at %s, want %s", got, midKey)
	}
	lst, err := kc.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil || len(lst.StreamNames) != 1 || lst.StreamNames[0] != "orders" || len(lst.StreamSummaries) != 1 {
		t.Fatalf("ListStreams = %+v, %v; want [orders]", lst, err)
	}

	// Writes: one PutRecord per shard by explicit hash key, then a PutRecords batch spanning both,
	// at distinct arrival times.
	p0, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("k"), ExplicitHashKey: aws.String(lowKey), Data: []byte("a0")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(p0.ShardId) != shard0 {
		t.Fatalf("PutRecord went to %s, want %s", aws.ToString(p0.ShardId), shard0)
	}
	clock.Advance(1500 * time.Millisecond)
	t1 := clock.Now()
	batch := []types.PutRecordsRequestEntry{
		{PartitionKey: aws.String("k"), ExplicitHashKey: aws.String(lowKey), Data: []byte("a1")},
		{PartitionKey: aws.String("k"), ExplicitHashKey: aws.String(highKey), Data: []byte("b0")},
		{PartitionKey: aws.String("k"), ExplicitHashKey: aws.String(lowKey), Data: []byte("a2")},
		{PartitionKey: aws.String("k"), ExplicitHashKey: aws.String(midKey), Data: []byte{0, 1, 2, 255}},
	}
	pr, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamARN: aws.String(testARN0 + "orders"), Records: batch})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(pr.FailedRecordCount) != 0 || len(pr.Records) != 4 {
		t.Fatalf("PutRecords: %d failed of %d, want 0 of 4", aws.ToInt32(pr.FailedRecordCount), len(pr.Records))
	}
	wantShards := []string{shard0, shard1, shard0, shard1}
	for i, r := range pr.Records {
		if aws.ToString(r.ShardId) != wantShards[i] {
			t.Errorf("PutRecords entry %d went to %s, want %s", i, aws.ToString(r.ShardId), wantShards[i])
		}
	}
	seqA1 := aws.ToString(pr.Records[0].SequenceNumber)

	// Every iterator type on shard 0.
	cases := []struct {
		name string
		in   kinesis.GetShardIteratorInput
		want []string
	}{
		{"trim horizon", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeTrimHorizon}, []string{"a0", "a1", "a2"}},
		{"latest", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeLatest}, nil},
		{"at sequence number", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(seqA1)}, []string{"a1", "a2"}},
		{"after sequence number", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAfterSequenceNumber, StartingSequenceNumber: aws.String(seqA1)}, []string{"a2"}},
		{"at timestamp", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(t1)}, []string{"a1", "a2"}},
	}
	for _, c := range cases {
		in := c.in
		in.StreamName, in.ShardId = name, aws.String(shard0)
		recs, _ := readAll(t, ts, iterator(t, ts, &in))
		if got := dataOf(recs); strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: read %q, want %q", c.name, got, c.want)
		}
	}
	recs, _ := readAll(t, ts, iterator(t, ts, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String(shard1), ShardIteratorType: types.ShardIteratorTypeTrimHorizon}))
	if len(recs) != 2 || string(recs[0].Data) != "b0" || !bytes.Equal(recs[1].Data, []byte{0, 1, 2, 255}) {
		t.Fatalf("shard 1 read %q, want [b0 \\x00\\x01\\x02\\xff]", dataOf(recs))
	}
	if !recs[0].ApproximateArrivalTimestamp.Equal(t1) || aws.ToString(recs[0].PartitionKey) != "k" {
		t.Errorf("record b0: arrival %v key %q, want %v and k", recs[0].ApproximateArrivalTimestamp, aws.ToString(recs[0].PartitionKey), t1)
	}
	if !(aws.ToString(recs[0].SequenceNumber) < aws.ToString(recs[1].SequenceNumber)) {
		t.Errorf("sequence numbers %s, %s do not increase", aws.ToString(recs[0].SequenceNumber), aws.ToString(recs[1].SequenceNumber))
	}

	// Reshard: split shard 0 in the middle of its range, merge shard 1 with the upper child.
	quarter := "85070591730234615865843651857942052864" // 2^126
	if _, err := kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: name, ShardToSplit: aws.String(shard0), NewStartingHashKey: aws.String(quarter)}); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: name, ShardToMerge: aws.String(shard3), AdjacentShardToMerge: aws.String(shard1)}); err != nil {
		t.Fatal(err)
	}
	ls, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: name})
	if err != nil {
		t.Fatal(err)
	}
	type lineage struct{ id, parent, adjacent, start string }
	var got []lineage
	for _, s := range ls.Shards {
		got = append(got, lineage{aws.ToString(s.ShardId), aws.ToString(s.ParentShardId), aws.ToString(s.AdjacentParentShardId), aws.ToString(s.HashKeyRange.StartingHashKey)})
	}
	want := []lineage{
		{shard0, "", "", "0"},
		{shard1, "", "", midKey},
		{shard2, shard0, "", "0"},
		{shard3, shard0, "", quarter},
		{shard4, shard3, shard1, quarter},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ListShards lineage\n got %v\nwant %v", got, want)
	}
	if ls.Shards[0].SequenceNumberRange.EndingSequenceNumber == nil || ls.Shards[4].SequenceNumberRange.EndingSequenceNumber != nil {
		t.Errorf("shard 0 should be closed and shard 4 open")
	}
	// Paging: one shard per page, five pages.
	var paged []string
	var tok *string
	for i := 0; i < 10; i++ {
		in := &kinesis.ListShardsInput{MaxResults: aws.Int32(2), NextToken: tok}
		if tok == nil {
			in.StreamName = name
		}
		page, err := kc.ListShards(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.Shards {
			paged = append(paged, aws.ToString(s.ShardId))
		}
		if tok = page.NextToken; tok == nil {
			break
		}
	}
	if strings.Join(paged, ",") != strings.Join([]string{shard0, shard1, shard2, shard3, shard4}, ",") {
		t.Errorf("paged ListShards = %v", paged)
	}
	open, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: name, ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}})
	if err != nil || len(open.Shards) != 2 {
		t.Fatalf("ListShards AT_LATEST = %d shards, %v; want 2 (shard 2 and 4)", len(open.Shards), err)
	}
	// Reading the closed parent to its end reports its children.
	_, last := readAll(t, ts, iterator(t, ts, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String(shard0), ShardIteratorType: types.ShardIteratorTypeTrimHorizon}))
	if last == nil || last.NextShardIterator != nil || len(last.ChildShards) != 2 || aws.ToString(last.ChildShards[1].ShardId) != shard3 {
		t.Fatalf("end of closed shard 0: %+v; want no next iterator and children [shard 2, shard 3]", last)
	}
	if p := last.ChildShards[0].ParentShards; len(p) != 1 || p[0] != shard0 {
		t.Errorf("child shard 2 parents = %v, want [%s]", p, shard0)
	}

	// Uniform rescale 2 → 4 open shards.
	us, err := kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: name, TargetShardCount: aws.Int32(4), ScalingType: types.ScalingTypeUniformScaling})
	if err != nil || aws.ToInt32(us.CurrentShardCount) != 2 || aws.ToInt32(us.TargetShardCount) != 4 {
		t.Fatalf("UpdateShardCount = %+v, %v; want 2 → 4", us, err)
	}

	// Retention.
	if _, err := kc.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(168)}); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(48)}); err != nil {
		t.Fatal(err)
	}
	sum, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: name})
	if err != nil {
		t.Fatal(err)
	}
	if s := sum.StreamDescriptionSummary; aws.ToInt32(s.RetentionPeriodHours) != 48 || aws.ToInt32(s.OpenShardCount) != 4 {
		t.Errorf("summary: retention %d, open shards %d; want 48 and 4", aws.ToInt32(s.RetentionPeriodHours), aws.ToInt32(s.OpenShardCount))
	}
	_, err = kc.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(9000)})
	var ia *types.InvalidArgumentException
	if !errors.As(err, &ia) {
		t.Errorf("retention 9000 h: %v, want InvalidArgumentException", err)
	}

	// Consumers.
	streamARN := aws.String(testARN0 + "orders")
	rc, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: streamARN, ConsumerName: aws.String("analytics")})
	if err != nil {
		t.Fatal(err)
	}
	carn := rc.Consumer.ConsumerARN
	if !strings.HasPrefix(aws.ToString(carn), testARN0+"orders/consumer/analytics:") || rc.Consumer.ConsumerStatus != types.ConsumerStatusActive {
		t.Errorf("consumer = %+v", rc.Consumer)
	}
	dc, err := kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: carn})
	if err != nil || aws.ToString(dc.ConsumerDescription.ConsumerName) != "analytics" || aws.ToString(dc.ConsumerDescription.StreamARN) != *streamARN {
		t.Fatalf("DescribeStreamConsumer by ARN = %+v, %v", dc, err)
	}
	if _, err := kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: streamARN, ConsumerName: aws.String("analytics")}); err != nil {
		t.Fatalf("DescribeStreamConsumer by name: %v", err)
	}
	lc, err := kc.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: streamARN})
	if err != nil || len(lc.Consumers) != 1 {
		t.Fatalf("ListStreamConsumers = %+v, %v; want one", lc, err)
	}
	_, err = kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: name})
	var inUse *types.ResourceInUseException
	if !errors.As(err, &inUse) {
		t.Errorf("DeleteStream with a consumer: %v, want ResourceInUseException", err)
	}
	if _, err := kc.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: carn}); err != nil {
		t.Fatal(err)
	}
	_, err = kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: carn})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("describe deregistered consumer: %v, want ResourceNotFoundException", err)
	}

	// Delete.
	if _, err := kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: name}); err != nil {
		t.Fatal(err)
	}
	_, err = kc.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: name})
	if !errors.As(err, &nf) {
		t.Errorf("DescribeStream after delete: %v, want ResourceNotFoundException", err)
	}
}

func TestSDKErrors(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	ts := newTestServer(t, serverConfig{engine: engine.Options{Clock: clock, LimitsOff: true}})
	ctx := testCtx(t)
	kc := ts.kc
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	expired := iterator(t, ts, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String(shard0), ShardIteratorType: types.ShardIteratorTypeLatest})
	clock.Advance(5*time.Minute + time.Second)

	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"unknown stream", func() error {
			_, err := kc.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("nope")})
			var nf *types.ResourceNotFoundException
			if err != nil && !errors.As(err, &nf) {
				return fmt.Errorf("not *types.ResourceNotFoundException: %w", err)
			}
			return err
		}, "ResourceNotFoundException"},
		{"put to unknown stream", func() error {
			_, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("nope"), PartitionKey: aws.String("k"), Data: []byte("x")})
			return err
		}, "ResourceNotFoundException"},
		{"stream exists", func() error {
			_, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
			return err
		}, "ResourceInUseException"},
		{"zero shards", func() error {
			_, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("z"), ShardCount: aws.Int32(0)})
			return err
		}, "ValidationException"},
		{"oversize record", func() error {
			_, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: make([]byte, 1<<20)})
			return err
		}, "ValidationException"},
		{"partition key too long", func() error {
			_, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String(strings.Repeat("k", 257)), Data: []byte("x")})
			return err
		}, "ValidationException"},
		{"bad iterator", func() error {
			_, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("not-an-iterator")})
			return err
		}, "InvalidArgumentException"},
		{"expired iterator", func() error {
			_, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: expired})
			var ei *types.ExpiredIteratorException
			if err != nil && !errors.As(err, &ei) {
				return fmt.Errorf("not *types.ExpiredIteratorException: %w", err)
			}
			return err
		}, "ExpiredIteratorException"},
		{"bad shard id", func() error {
			_, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000009"), ShardIteratorType: types.ShardIteratorTypeLatest})
			return err
		}, "ResourceNotFoundException"},
		{"split outside range", func() error {
			_, err := kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String(shard0), NewStartingHashKey: aws.String("0")})
			return err
		}, "InvalidArgumentException"},
		{"bad stream ARN", func() error {
			_, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:s3:::bucket")})
			return err
		}, "InvalidArgumentException"},
		{"bad next token", func() error {
			_, err := kc.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(testARN0 + "s"), NextToken: aws.String("garbage")})
			return err
		}, "InvalidArgumentException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if got := apiCode(t, err); got != c.want {
				t.Fatalf("error = %v, want %s", err, c.want)
			}
		})
	}
}

// TestSDKThrottling checks the emulated write limit through the API: with the clock frozen the
// shard's 1000-record bucket does not refill, so records 1–1000 pass and 1001 onwards fail with
// ProvisionedThroughputExceededException entries, exactly as Kinesis reports them.
func TestSDKThrottling(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	ts := newTestServer(t, serverConfig{engine: engine.Options{Clock: clock}})
	ctx := testCtx(t)
	kc := ts.kc
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	batch := func(n int) []types.PutRecordsRequestEntry {
		rs := make([]types.PutRecordsRequestEntry, n)
		for i := range rs {
			rs[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte("x")}
		}
		return rs
	}
	for i, c := range []struct{ n, failed int }{{500, 0}, {499, 0}, {2, 1}, {500, 500}} {
		out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: batch(c.n)})
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if got := int(aws.ToInt32(out.FailedRecordCount)); got != c.failed {
			t.Fatalf("call %d of %d records: %d failed, want %d", i, c.n, got, c.failed)
		}
		for j, r := range out.Records {
			wantFail := j >= c.n-c.failed
			if failed := r.ErrorCode != nil; failed != wantFail {
				t.Fatalf("call %d entry %d: error code %q, want failed=%v", i, j, aws.ToString(r.ErrorCode), wantFail)
			}
			if wantFail && (aws.ToString(r.ErrorCode) != "ProvisionedThroughputExceededException" || r.SequenceNumber != nil) {
				t.Fatalf("call %d entry %d: %q %q, want ProvisionedThroughputExceededException and no sequence number", i, j, aws.ToString(r.ErrorCode), aws.ToString(r.ErrorMessage))
			}
		}
	}
	_, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")})
	var pt *types.ProvisionedThroughputExceededException
	if !errors.As(err, &pt) {
		t.Fatalf("PutRecord past the limit: %v, want *types.ProvisionedThroughputExceededException", err)
	}
	clock.Advance(time.Second) // a full second refills the bucket
	if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")}); err != nil {
		t.Fatalf("PutRecord after refill: %v", err)
	}
}

// TestSDKPaging pages through ListStreams, DescribeStream and ListStreamConsumers.
func TestSDKPaging(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, serverConfig{})
	ctx := testCtx(t)
	kc := ts.kc
	for _, n := range []string{"c", "a", "b"} {
		if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(n), ShardCount: aws.Int32(3)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	p := kinesis.NewListStreamsPaginator(kc, &kinesis.ListStreamsInput{Limit: aws.Int32(2)})
	for pages := 0; p.HasMorePages() && pages < 10; pages++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.StreamNames) > 2 {
			t.Fatalf("page of %d names, limit 2", len(out.StreamNames))
		}
		names = append(names, out.StreamNames...)
	}
	if strings.Join(names, ",") != "a,b,c" {
		t.Fatalf("ListStreams pages = %v, want [a b c]", names)
	}
	d, err := kc.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("a"), Limit: aws.Int32(2)})
	if err != nil || len(d.StreamDescription.Shards) != 2 || !aws.ToBool(d.StreamDescription.HasMoreShards) {
		t.Fatalf("DescribeStream limit 2 = %+v, %v; want 2 shards and more", d, err)
	}
	d, err = kc.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("a"), ExclusiveStartShardId: aws.String(shard1)})
	if err != nil || len(d.StreamDescription.Shards) != 1 || aws.ToString(d.StreamDescription.Shards[0].ShardId) != shard2 || aws.ToBool(d.StreamDescription.HasMoreShards) {
		t.Fatalf("DescribeStream after shard 1 = %+v, %v; want only shard 2", d, err)
	}
	arn := aws.String(testARN0 + "a")
	for _, c := range []string{"x", "y", "z"} {
		if _, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String(c)}); err != nil {
			t.Fatal(err)
		}
	}
	var consumers []string
	cp := kinesis.NewListStreamConsumersPaginator(kc, &kinesis.ListStreamConsumersInput{StreamARN: arn, MaxResults: aws.Int32(2)})
	for pages := 0; cp.HasMorePages() && pages < 10; pages++ {
		out, err := cp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range out.Consumers {
			consumers = append(consumers, aws.ToString(c.ConsumerName))
		}
	}
	if strings.Join(consumers, ",") != "x,y,z" {
		t.Fatalf("ListStreamConsumers pages = %v, want [x y z]", consumers)
	}
}

// TestSDKThrottlingBytesAndReads checks the byte limit (1 MiB/s of data plus partition key per
// shard: ten 100 KiB records fit in the burst, the eleventh does not) and the read call limit
// (5 GetRecords calls per second per shard: the sixth fails) with the clock frozen.
func TestSDKThrottlingBytesAndReads(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	ts := newTestServer(t, serverConfig{engine: engine.Options{Clock: clock}})
	ctx := testCtx(t)
	kc := ts.kc
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("b"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	recs := make([]types.PutRecordsRequestEntry, 11)
	for i := range recs {
		recs[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: make([]byte, 100<<10-1)} // 102 400 bytes with the key
	}
	out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("b"), Records: recs})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(out.FailedRecordCount) != 1 || aws.ToString(out.Records[10].ErrorCode) != "ProvisionedThroughputExceededException" || out.Records[9].ErrorCode != nil {
		t.Fatalf("11 × 100 KiB: %d failed (last entry %q); want only the 11th to fail", aws.ToInt32(out.FailedRecordCount), aws.ToString(out.Records[10].ErrorCode))
	}
	it := iterator(t, ts, &kinesis.GetShardIteratorInput{StreamName: aws.String("b"), ShardId: aws.String(shard0), ShardIteratorType: types.ShardIteratorTypeLatest})
	for call := 1; call <= 6; call++ {
		res, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})
		if call <= 5 {
			if err != nil {
				t.Fatalf("GetRecords call %d: %v", call, err)
			}
			it = res.NextShardIterator
			continue
		}
		var pt *types.ProvisionedThroughputExceededException
		if !errors.As(err, &pt) {
			t.Fatalf("GetRecords call 6 in one second: %v, want ProvisionedThroughputExceededException", err)
		}
	}
}
