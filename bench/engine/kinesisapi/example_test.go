package kinesisapi_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/streamcap/streamcap/bench/engine"
	"github.com/streamcap/streamcap/bench/engine/kinesisapi"
)

// An in-memory engine served on loopback and driven by the unmodified AWS SDK.
func ExampleNewHandler() {
	e, err := engine.Open(engine.Options{InMemory: true})
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	srv := httptest.NewServer(kinesisapi.NewHandler(e, kinesisapi.HandlerOptions{}))
	defer srv.Close()

	kc := kinesis.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("x", "y", ""),
	}, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	ctx := context.Background()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(2)}); err != nil {
		log.Fatal(err)
	}
	out, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{
		StreamName: aws.String("orders"), PartitionKey: aws.String("customer-42"), Data: []byte(`{"total":12.5}`),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(aws.ToString(out.ShardId))
	// Output: shardId-000000000001
}
