package kinesis

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// RemoveCreated deletes the stream Setup created (consumers included), so a
// trial's stream stops costing shard-hours; a stream that already existed
// is never touched. It implements bench.Remover.
func (d *Driver) RemoveCreated(ctx context.Context) (string, error) {
	d.mu.Lock()
	stream := d.created
	d.created = ""
	d.mu.Unlock()
	if stream == "" {
		return "", nil
	}
	ctx, cancel := context.WithTimeout(ctx, d.opts.RequestTimeout)
	defer cancel()
	if _, err := d.client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(stream), EnforceConsumerDeletion: aws.Bool(true)}); err != nil {
		return stream, fmt.Errorf("kinesis: delete stream %q at %s: %w", stream, d.endpoint(), err)
	}
	return stream, nil
}
