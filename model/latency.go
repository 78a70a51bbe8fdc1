package model

import "fmt"

// ConsumerLatency is the expected put-to-consume latency of one consumer.
//
// AWS gives the average propagation delay as about 200 ms with one shared
// (GetRecords) consumer and about 1000 ms with five, and about 70 ms for
// enhanced fan-out. The two shared rows equal the poll interval of
// consumers sharing a shard's 5 GetRecords calls/s (one polling every
// 0.2 s, five every 1 s), so a shared consumer is planned at the larger of
// the table (interpolated linearly between its rows by the number of
// shared consumers) and its effective poll interval (stretched when the
// consumers together poll more than 5 times a second). A Lambda event
// source mapping adds the wait for its batch: half of the shorter of the
// batching window and the time a shard takes to fill a batch.
type ConsumerLatency struct {
	Name string       `json:"name"`
	Kind ConsumerKind `json:"kind"`
	// ExpectedSeconds is the expected average end-to-end latency.
	ExpectedSeconds float64 `json:"expected_seconds"`
	// PropagationSeconds is the stream's part; BatchWaitSeconds the
	// Lambda batching part (0 without Lambda).
	PropagationSeconds float64 `json:"propagation_seconds"`
	BatchWaitSeconds   float64 `json:"batch_wait_seconds"`
	// Basis says how the figure was reached.
	Basis string `json:"basis"`
}

// planLatency returns the expected latency of each consumer of l on n shards.
func planLatency(l kinesisLoad, p *Prices, n int) []ConsumerLatency {
	k := &p.Kinesis
	one, five, efo := k.SharedPropagationSeconds.Value, k.SharedPropagation5Seconds.Value, k.EFOPropagationSeconds.Value
	table := one + float64(max(0, l.shared-1))*(five-one)/4
	stretch := max(1, l.callsShard/k.ShardReadCalls.Value)
	perShard := l.avgRecords / float64(max(1, n))
	out := make([]ConsumerLatency, 0, len(l.w.Consumers))
	for _, c := range l.w.Consumers {
		cl := ConsumerLatency{Name: c.Name, Kind: c.Kind}
		if c.Kind == ConsumerEFO {
			cl.PropagationSeconds = efo
			cl.Basis = fmt.Sprintf("enhanced fan-out push: ~%v s average (AWS)", num(efo))
		} else {
			poll := c.PollInterval.Seconds() * stretch
			cl.PropagationSeconds = max(table, poll)
			cl.Basis = fmt.Sprintf("shared polling: max(AWS ~%v s for %d shared consumer(s), poll interval %v s)", num(round3(table)), l.shared, num(round3(poll)))
		}
		if lc := c.Lambda; lc != nil {
			fill := float64(lc.BatchSize) / max(perShard, 1e-9) / float64(max(1, lc.ParallelizationFactor))
			wait := min(lc.BatchingWindow.Seconds(), fill) / 2
			cl.BatchWaitSeconds = wait
			cl.Basis += fmt.Sprintf(" + Lambda batch wait min(window %v s, fill %v s) / 2", num(lc.BatchingWindow.Seconds()), num(round3(fill)))
		}
		cl.ExpectedSeconds = cl.PropagationSeconds + cl.BatchWaitSeconds
		out = append(out, cl)
	}
	return out
}
