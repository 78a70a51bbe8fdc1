package kinesisapi

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// TestSDKSubscribeToShard reads a shard through the SDK's SubscribeToShard event stream: records
// written before and after subscribing arrive in order, and deregistering the consumer ends the
// stream with ResourceNotFoundException.
func TestSDKSubscribeToShard(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, serverConfig{})
	ctx := testCtx(t)
	kc := ts.kc
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("efo"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	rc, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(testARN0 + "efo"), ConsumerName: aws.String("c")})
	if err != nil {
		t.Fatal(err)
	}
	put := func(from, to int) {
		for i := from; i < to; i++ {
			if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("efo"), PartitionKey: aws.String("k"), Data: []byte(fmt.Sprintf("r%02d", i))}); err != nil {
				t.Fatal(err)
			}
		}
	}
	put(0, 5)
	sub, err := kc.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
		ConsumerARN: rc.Consumer.ConsumerARN, ShardId: aws.String(shard0),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon},
	})
	if err != nil {
		t.Fatal(err)
	}
	stream := sub.GetStream()
	defer stream.Close()
	var got []string
	var lastSeq string
	timeout := time.After(20 * time.Second)
	for len(got) < 10 {
		select {
		case ev, ok := <-stream.Events():
			if !ok {
				t.Fatalf("stream ended after %v: %v", got, stream.Err())
			}
			e, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !isEvent {
				t.Fatalf("unexpected event %T", ev)
			}
			for _, r := range e.Value.Records {
				got = append(got, string(r.Data))
				if s := aws.ToString(r.SequenceNumber); s <= lastSeq {
					t.Fatalf("sequence %s after %s", s, lastSeq)
				} else {
					lastSeq = s
				}
			}
			if aws.ToString(e.Value.ContinuationSequenceNumber) == "" {
				t.Error("event without ContinuationSequenceNumber")
			}
			if len(got) == 5 {
				put(5, 10) // pushed live
			}
		case <-timeout:
			t.Fatalf("only %v arrived within 20s", got)
		}
	}
	for i, d := range got {
		if want := fmt.Sprintf("r%02d", i); d != want {
			t.Fatalf("record %d = %s, want %s (all: %v)", i, d, want, got)
		}
	}
	if _, err := kc.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: rc.Consumer.ConsumerARN}); err != nil {
		t.Fatal(err)
	}
	for ended := false; !ended; {
		select {
		case _, ok := <-stream.Events():
			ended = !ok
		case <-time.After(20 * time.Second):
			t.Fatal("stream did not end within 20s of deregistering its consumer")
		}
	}
	if code := apiCode(t, stream.Err()); code != "ResourceNotFoundException" {
		t.Fatalf("stream error %v, want ResourceNotFoundException", stream.Err())
	}
}
