// Package bench runs a workload against a target through a Driver and
// collects the results (histograms, timeline, counters) that reports render.
package bench

import (
	"context"
	"errors"
	"time"

	"github.com/streamcap/streamcap/loadgen"
)

// ErrThrottled marks a send or read the target refused for capacity
// (Kinesis ProvisionedThroughputExceededException, Kafka quota throttling).
// Drivers wrap it (fmt.Errorf("...: %w", bench.ErrThrottled)) so runs count
// throttles apart from other errors. It is the same value as
// loadgen.ErrThrottled, which the load generator (it cannot import bench)
// classifies sends by.
var ErrThrottled = loadgen.ErrThrottled

// ErrInvalidResponse marks an answer that lacks what the target's API
// promises for an acknowledged write (a PutRecord answer without
// SequenceNumber or ShardId, a PutRecords entry with neither those nor an
// ErrorCode, a Kafka ack without an offset). Drivers wrap it; such a send
// is an error, never an acknowledgement.
var ErrInvalidResponse = errors.New("invalid response")

// Topology is what a run asks a driver to prepare before it sends.
type Topology struct {
	// Stream is the stream (Kinesis) or topic (Kafka) name.
	Stream string
	// Shards is the shard or partition count to create when the stream does
	// not exist yet; 0 lets the driver pick (an existing stream is used as is).
	Shards int
	// Consumers is how many end-to-end consumers the run will start.
	Consumers int
}

// Or returns the stream name and shard count to set up: the topology's
// where given, else the driver's own defaults.
func (t Topology) Or(stream string, shards int) (string, int) {
	if t.Stream != "" {
		stream = t.Stream
	}
	if t.Shards > 0 {
		shards = t.Shards
	}
	return stream, shards
}

// DriverInfo describes a driver for the result file: what it is, which
// client library and version it uses, and every setting that shaped the run.
type DriverInfo struct {
	Name     string            `json:"name"`
	Version  string            `json:"version"`
	Endpoint string            `json:"endpoint,omitempty"`
	Settings map[string]string `json:"settings,omitempty"`
}

// Delivery is one record seen by a consumer: its payload (which carries the
// producer's send timestamp) and when the consumer received it.
type Delivery struct {
	Payload    []byte
	ReceivedAt time.Time
}

// Driver adapts one target (embedded engine, Kinesis API, Kafka) to the
// benchmark. Send is called concurrently from many goroutines; a batching
// driver groups concurrent sends and returns from each Send once that
// record's batch is acknowledged (or failed).
type Driver interface {
	// Info reports what the driver is and its settings.
	Info() DriverInfo
	// Setup prepares the target (creates the stream when missing and waits
	// until it is usable).
	Setup(ctx context.Context, topo Topology) error
	// Send writes one record and returns when it is acknowledged. Capacity
	// refusals wrap ErrThrottled. Send must not retain payload after return.
	Send(ctx context.Context, key string, payload []byte) error
	// Consume reads the stream from its current end as consumer number
	// index and calls fn for every record until ctx is done; fn is called
	// from one goroutine per Consume call. It returns nil when ctx ends.
	Consume(ctx context.Context, index int, fn func(Delivery)) error
	// Close releases the driver's clients and connections.
	Close() error
}

// Remover is implemented by drivers that can delete the stream or topic
// their Setup created (and only that: one that already existed is left
// alone). bench search removes each trial's fresh stream after the trial,
// so a search leaves nothing behind to pay for.
type Remover interface {
	// RemoveCreated deletes what Setup created and returns its name, or ""
	// when Setup created nothing.
	RemoveCreated(ctx context.Context) (string, error)
}
