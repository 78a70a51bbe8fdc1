package main

import (
	"strings"

	"github.com/spf13/pflag"

	"github.com/streamcap/streamcap/bench/targets"
)

// targetFlags are the target settings `bench` and `bench search` share:
// one set of flags, one spelling and one meaning for both.
type targetFlags struct {
	drv     targets.Options
	brokers string
	limits  string
}

// add registers the target flags on fs; stream is the --stream help (a
// stream name for bench, a name prefix for a search's fresh streams).
func (t *targetFlags) add(fs *pflag.FlagSet, stream string) {
	fs.StringVar(&t.drv.Target, "target", targets.Embedded, "target: "+strings.Join(targets.Names(), " | "))
	fs.StringVar(&t.drv.Stream, "stream", "", stream)
	fs.IntVar(&t.drv.Shards, "shards", 0, "shards to create (default: scenario, else the plan's count)")
	fs.IntVar(&t.drv.Shards, "partitions", 0, "partitions to create (Kafka; same as --shards)")
	fs.StringVar(&t.drv.Consumer, "consumer", "", "embedded, kinesis: how end-to-end consumers read, polling | push (default: as the scenario's consumers, like verify)")
	fs.DurationVar(&t.drv.PollInterval, "poll-interval", 0, "embedded, kinesis: pause between polls of one shard (default: the scenario consumer's)")
	fs.StringVar(&t.drv.DataDir, "data-dir", "", "embedded: keep the log on disk here (default: in memory)")
	fs.StringVar(&t.drv.Fsync, "fsync", "", "embedded with --data-dir: always | interval | never")
	fs.StringVar(&t.limits, "limits", "on", "embedded: emulated per-shard Kinesis limits, on | off")
	fs.StringVar(&t.drv.Endpoint, "endpoint", "", "kinesis: API endpoint (bundled server, kinesalite, LocalStack); empty = AWS")
	fs.StringVar(&t.drv.Region, "region", "", "kinesis: region")
	fs.IntVar(&t.drv.BatchSize, "batch-size", 0, "kinesis: records per PutRecords call (1 = PutRecord)")
	fs.DurationVar(&t.drv.Linger, "linger", 0, "kinesis (with --batch-size > 1), kafka: wait this long to fill a batch")
	fs.IntVar(&t.drv.MaxRetries, "max-retries", 0, "kinesis: retries after throttling, 0 for none (default 3)")
	fs.StringVar(&t.brokers, "brokers", "127.0.0.1:9092", "kafka: seed brokers, comma separated")
	fs.StringVar(&t.drv.Acks, "acks", "", "kafka: all | leader | none")
	fs.StringVar(&t.drv.Compression, "compression", "", "kafka: none | gzip | snappy | lz4 | zstd")
	fs.IntVar(&t.drv.BatchMaxBytes, "batch-max-bytes", 0, "kafka: producer batch size in bytes")
	fs.IntVar(&t.drv.ReplicationFactor, "replication-factor", 0, "kafka: replication factor of a created topic")
}

// resolve turns the string-valued flags into t.drv (set reports whether
// the user gave a flag) and checks every flag given applies to the target
// (targets.CheckFlags), once the target is final.
func (t *targetFlags) resolve(set func(string) bool) error {
	if t.brokers != "" {
		t.drv.Brokers = strings.Split(t.brokers, ",")
	}
	switch t.limits {
	case "on", "off":
		t.drv.LimitsOff = t.limits == "off"
	default:
		return usagef("--limits %q: must be on or off", t.limits)
	}
	if set("max-retries") && t.drv.MaxRetries == 0 {
		t.drv.NoRetries = true // --max-retries 0 is the one way to turn retries off
	}
	if set("poll-interval") && !set("consumer") {
		t.drv.Consumer = targets.ConsumerPolling
	}
	return asUsage(targets.CheckFlags(t.drv, set))
}
