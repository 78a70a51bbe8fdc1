package targets

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/streamcap/streamcap/bench/driver"
	"github.com/streamcap/streamcap/bench/driver/embedded"
	"github.com/streamcap/streamcap/bench/driver/kinesis"
	"github.com/streamcap/streamcap/model"
)

// FlagError is a setting given for a target or mode it does not apply to.
// It wraps driver.ErrInvalidOption (the CLI exits 2 on it).
type FlagError struct {
	// Flag is the flag as typed ("--acks"); Applies says where it applies
	// ("--target kafka"); Target is the chosen target.
	Flag, Applies, Target string
}

// Error names the flag, where it applies and what was chosen.
func (e *FlagError) Error() string {
	return fmt.Sprintf("%s applies only to %s (the target is %s)", e.Flag, e.Applies, e.Target)
}

// Unwrap makes errors.Is(err, driver.ErrInvalidOption) true.
func (e *FlagError) Unwrap() error { return driver.ErrInvalidOption }

// flagRule says where one CLI flag applies: the targets that read it, and
// a further condition on the settings (nil: none) described by needs.
type flagRule struct {
	flag    string
	targets []string
	needs   string
	ok      func(o Options) bool
}

// flagRules is the one table of which bench flag applies where.
var flagRules = []flagRule{
	{flag: "brokers", targets: []string{Kafka}},
	{flag: "acks", targets: []string{Kafka}},
	{flag: "compression", targets: []string{Kafka}},
	{flag: "batch-max-bytes", targets: []string{Kafka}},
	{flag: "replication-factor", targets: []string{Kafka}},
	{flag: "partitions", targets: []string{Kafka}},
	{flag: "endpoint", targets: []string{Kinesis}},
	{flag: "region", targets: []string{Kinesis}},
	{flag: "batch-size", targets: []string{Kinesis}},
	{flag: "max-retries", targets: []string{Kinesis}},
	{flag: "linger", targets: []string{Kinesis, Kafka}, needs: "--target kinesis with --batch-size above 1, or --target kafka",
		ok: func(o Options) bool { return o.Target != Kinesis || o.BatchSize > 1 }},
	{flag: "data-dir", targets: []string{Embedded}},
	{flag: "limits", targets: []string{Embedded}},
	{flag: "fsync", targets: []string{Embedded}, needs: "--target embedded with --data-dir",
		ok: func(o Options) bool { return o.DataDir != "" }},
	{flag: "consumer", targets: []string{Embedded, Kinesis}},
	{flag: "poll-interval", targets: []string{Embedded, Kinesis}, needs: "polling consumers (--consumer polling, or a scenario whose consumers poll)",
		ok: func(o Options) bool { return o.Consumer == "" || o.Consumer == ConsumerPolling }},
}

// CheckFlags returns a *FlagError for the first flag set (set reports
// whether the user gave it) that does not apply to o.Target or o's mode,
// so a setting is never silently ignored.
func CheckFlags(o Options, set func(flag string) bool) error {
	target := strings.ToLower(o.Target)
	if target == "" {
		target = Embedded
	}
	o.Target = target
	for _, r := range flagRules {
		if !set(r.flag) {
			continue
		}
		applies := "--target " + strings.Join(r.targets, " or ")
		if r.needs != "" {
			applies = r.needs
		}
		if !slices.Contains(r.targets, target) || (r.ok != nil && !r.ok(o)) {
			return &FlagError{Flag: "--" + r.flag, Applies: applies, Target: target}
		}
	}
	return nil
}

// Consumer kinds, across targets.
const (
	// ConsumerPolling reads each shard every poll interval (GetRecords).
	ConsumerPolling = "polling"
	// ConsumerPush has records pushed to the consumer: the embedded
	// engine's subscription, Kinesis enhanced fan-out.
	ConsumerPush = "push"
)

// ScenarioConsumer is how a target's end-to-end consumers read to measure
// what the workload's consumers see: by polling every poll interval of the
// first shared (GetRecords) consumer when the workload has one — the same
// rule `verify` uses — else by push (every consumer is enhanced fan-out,
// or the workload names none). Kafka consumers always fetch.
func ScenarioConsumer(w model.Workload) (kind string, poll time.Duration) {
	for _, c := range w.Consumers {
		if c.Kind != model.ConsumerEFO {
			return ConsumerPolling, c.PollInterval.D()
		}
	}
	return ConsumerPush, 0
}

// DriverConsumer maps a consumer kind to the driver's own name for it
// (other names pass through for the driver to check).
func DriverConsumer(target, kind string) string {
	switch {
	case kind == ConsumerPush && target == Kinesis:
		return kinesis.ConsumerEFO
	case kind == ConsumerPush:
		return embedded.ConsumerSubscribe
	}
	return kind
}

// DescribeConsumer says where end-to-end figures come from:
// "polling every 1s", "push (subscribe)", "push (enhanced fan-out)",
// "fetch (Kafka consumer)".
func DescribeConsumer(target, kind string, poll time.Duration) string {
	switch {
	case strings.ToLower(target) == Kafka:
		return "fetch (Kafka consumer)"
	case kind == ConsumerPolling && poll > 0:
		return "polling every " + poll.String()
	case kind == ConsumerPolling:
		return "polling"
	case strings.ToLower(target) == Kinesis:
		return "push (enhanced fan-out)"
	}
	return "push (subscribe)"
}

// ScenarioShards is the shard (partition) count a run creates: the one
// given, else the scenario's bench block's, else — for the Kinesis-like
// targets — the count the plan chooses for w at prices. Kafka without a
// count keeps 0 (its driver's default). bench and bench search both ask it.
func ScenarioShards(given int, target string, w model.Workload, prices *model.Prices) (int, error) {
	if given > 0 {
		return given, nil
	}
	if w.Bench != nil && w.Bench.Shards > 0 {
		return w.Bench.Shards, nil
	}
	if target == Kafka {
		return 0, nil
	}
	p, err := model.PlanKinesis(w, prices)
	if err != nil {
		return 0, err
	}
	return p.Shards, nil
}
