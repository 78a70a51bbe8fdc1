package kafka

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
)

// RemoveCreated deletes the topic Setup created; a topic that already
// existed is never touched. It implements bench.Remover.
func (d *Driver) RemoveCreated(ctx context.Context) (string, error) {
	d.mu.Lock()
	topic := d.created
	d.created = ""
	d.mu.Unlock()
	if topic == "" {
		return "", nil
	}
	ctx, cancel := context.WithTimeout(ctx, d.opts.SetupTimeout)
	defer cancel()
	resp, err := kadm.NewClient(d.cl).DeleteTopic(ctx, topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil {
		return topic, fmt.Errorf("kafka: delete topic %q: %w", topic, err)
	}
	return topic, nil
}
