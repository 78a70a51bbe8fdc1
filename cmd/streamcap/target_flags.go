package main

import (
	"strings"

	"github.com/spf13/pflag"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/targets"
)

// targetFlags are the flags that choose and configure a benchmark target,
// shared by `bench` and `bench search` so each idea has one spelling.
type targetFlags struct {
	drv     targets.Options
	brokers string
	limits  string
}

// register adds the target flags to fs; stream describes --stream.
func (f *targetFlags) register(fs *pflag.FlagSet, stream string) {
	fs.StringVar(&f.drv.Target, "target", targets.Embedded, "target: "+strings.Join(targets.Names(), " | "))
	fs.StringVar(&f.drv.Stream, "stream", "", stream)
	fs.IntVar(&f.drv.Shards, "shards", 0, "shards to create (default: scenario, else the plan's count)")
	fs.IntVar(&f.drv.Shards, "partitions", 0, "partitions to create (Kafka; same as --shards)")
	fs.StringVar(&f.drv.Consumer, "consumer", "", "embedded, kinesis: how end-to-end consumers read, polling | push (default: as the scenario's consumers, like verify)")
	fs.DurationVar(&f.drv.PollInterval, "poll-interval", 0, "embedded, kinesis: pause between polls of one shard (default: the scenario consumer's)")
	fs.StringVar(&f.drv.DataDir, "data-dir", "", "embedded: keep the log on disk here (default: in memory)")
	fs.StringVar(&f.drv.Fsync, "fsync", "", "embedded with --data-dir: always | interval | never")
	fs.StringVar(&f.limits, "limits", "on", "embedded: emulated per-shard Kinesis limits, on | off")
	fs.StringVar(&f.drv.Endpoint, "endpoint", "", "kinesis: API endpoint (bundled server, kinesalite, LocalStack); empty = AWS")
	fs.StringVar(&f.drv.Region, "region", "", "kinesis: region")
	fs.IntVar(&f.drv.BatchSize, "batch-size", 0, "kinesis: records per PutRecords call (1 = PutRecord)")
	fs.DurationVar(&f.drv.Linger, "linger", 0, "kinesis (with --batch-size > 1), kafka: wait this long to fill a batch")
	fs.IntVar(&f.drv.MaxRetries, "max-retries", 0, "kinesis: retries after throttling, 0 for none (default 3)")
	fs.StringVar(&f.brokers, "brokers", "127.0.0.1:9092", "kafka: seed brokers, comma separated")
	fs.StringVar(&f.drv.Acks, "acks", "", "kafka: all | leader | none")
	fs.StringVar(&f.drv.Compression, "compression", "", "kafka: none | gzip | snappy | lz4 | zstd")
	fs.IntVar(&f.drv.BatchMaxBytes, "batch-max-bytes", 0, "kafka: producer batch size in bytes")
	fs.IntVar(&f.drv.ReplicationFactor, "replication-factor", 0, "kafka: replication factor of a created topic")
}

// resolve turns the flags into driver options: --limits on|off,
// --max-retries 0 (the one way to turn retries off), brokers split, and a
// flag that does not apply to the chosen target refused (exit 2).
func (f *targetFlags) resolve(set func(string) bool) (targets.Options, error) {
	d := f.drv
	if f.brokers != "" {
		d.Brokers = strings.Split(f.brokers, ",")
	}
	switch f.limits {
	case "on", "off":
		d.LimitsOff = f.limits == "off"
	default:
		return d, usagef("--limits %q: must be on or off", f.limits)
	}
	if set("max-retries") && d.MaxRetries == 0 {
		d.NoRetries = true
	}
	if set("poll-interval") && !set("consumer") {
		d.Consumer = targets.ConsumerPolling
	}
	if err := targets.CheckFlags(d, set); err != nil {
		return d, asUsage(err)
	}
	return d, nil
}

// defaultStreamHelp describes --stream for a single run.
const defaultStreamHelp = "stream or topic name (default " + bench.DefaultStream + ")"
