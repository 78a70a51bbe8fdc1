package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/streamcap/streamcap/model/units"
)

// PipelineOptions are the settings of the systems and consumers a plan
// compares beside Kinesis. Zero fields take their defaults.
type PipelineOptions struct {
	PubSub PubSubOptions `json:"pubsub,omitempty" yaml:"pubsub,omitempty"`
	Flink  FlinkOptions  `json:"flink,omitempty" yaml:"flink,omitempty"`
}

// FlinkOptions size a Managed Service for Apache Flink application.
type FlinkOptions struct {
	// KPU is the application's KPU count (parallelism / parallelism per
	// KPU); 0 sizes it from throughput at the table's planning target.
	KPU int `json:"kpu,omitempty" yaml:"kpu,omitempty"`
	// BackupGB is the durable application backup (snapshot) storage;
	// 0 takes the table's default (the AWS calculator example's 100 GB).
	BackupGB float64 `json:"backup_gb,omitempty" yaml:"backup_gb,omitempty"`
}

// Pipeline is one complete pipeline of the comparison: a stream (Kinesis
// in one capacity mode, or a compared system) with every consumer of the
// workload that can attach to it, and the monthly total of all of them.
type Pipeline struct {
	// Name reads as the pipeline ("Kinesis provisioned → Lambda").
	Name string `json:"name"`
	// Stream is "kinesis-provisioned", "kinesis-on-demand" or a compared
	// system name ("dynamodb").
	Stream string `json:"stream"`
	// Includes says what MonthlyUSD covers, one priced part per entry.
	Includes []string `json:"includes"`
	// NotAttached lists consumers that cannot attach to this stream and
	// are not in its total.
	NotAttached []string `json:"not_attached,omitempty"`
	MonthlyUSD  float64  `json:"monthly_usd"`
	// VsCheapest is MonthlyUSD over the cheapest pipeline's (1 = cheapest).
	VsCheapest float64 `json:"vs_cheapest"`
	// Warnings are limits of this stream that no setting fixes.
	Warnings []string `json:"warnings,omitempty"`
}

// pipelineConsumers are the consumers priced on each stream: the
// workload's Lambda consumers (or one default Lambda when "lambda" is
// compared and none has settings) and Flink when "flink" is compared.
type pipelineConsumers struct {
	lambda   []string // names; empty = no Lambda consumer
	flink    *Alternative
	firehose *Alternative // delivery to S3 with a Kinesis or MSK source
}

func (c pipelineConsumers) lambdaText() string {
	return "Lambda (" + strings.Join(c.lambda, ", ") + ")"
}

// buildPipelines returns the complete pipelines of r, cheapest first:
// Kinesis in each planned mode and every compared stream system, each
// with the consumers that attach to it (Lambda: Kinesis, DynamoDB
// Streams, MSK; Flink and Firehose delivery: Kinesis, MSK; none on
// Pub/Sub; Firehose Direct PUT is itself a delivery pipeline).
func buildPipelines(r *PlanResult, l kinesisLoad, p *Prices) []Pipeline {
	names, _, assumed := lambdaConsumers(l.w)
	var c pipelineConsumers
	if !assumed || r.Compare[SystemLambda] != nil {
		c.lambda = names
	}
	c.flink = r.Compare[SystemFlink]
	c.firehose = r.Compare[SystemFirehose]
	var out []Pipeline
	add := func(pl Pipeline) {
		if len(pl.NotAttached) > 0 {
			pl.Name += fmt.Sprintf(" (without %s)", strings.Join(pl.NotAttached, ", "))
		}
		out = append(out, pl)
	}
	onKinesis := func(name, stream string, kp *KinesisPlan) {
		pl := Pipeline{Name: name, Stream: stream, MonthlyUSD: kp.MonthlyUSD,
			Includes: []string{fmt.Sprintf("%s stream, %d shards: %s USD", name, kp.Shards, usdText(kp.MonthlyUSD))}}
		pl.Name = name
		attach(&pl, c, l, p, kp.Shards, "shards")
		add(pl)
	}
	if kp := r.Kinesis.Provisioned; kp != nil {
		onKinesis("Kinesis provisioned", "kinesis-provisioned", kp)
	}
	if kp := r.Kinesis.OnDemand; kp != nil {
		onKinesis("Kinesis on-demand", "kinesis-on-demand", kp)
	}
	for _, s := range reportSystems() {
		a := r.Compare[s]
		if a == nil || a.Role != RoleStream {
			continue
		}
		pl := Pipeline{Stream: s, MonthlyUSD: a.MonthlyUSD, Warnings: a.Warnings}
		switch s {
		case SystemDynamoDB:
			pl.Name = "DynamoDB + Streams"
			pl.Includes = []string{fmt.Sprintf("DynamoDB on-demand writes and storage with Streams → %s on %s stream shards: %s USD", c.lambdaTextOr("one default Lambda"), num(a.Sizing["stream_shards"]), usdText(a.MonthlyUSD))}
			if len(c.lambda) > 0 {
				pl.Name += " → Lambda"
			}
			if c.flink != nil {
				pl.NotAttached = append(pl.NotAttached, "Flink")
			}
			if c.firehose != nil {
				pl.NotAttached = append(pl.NotAttached, "Firehose delivery")
			}
		case SystemKafka, SystemKafkaExpress, SystemKafkaServerless:
			pl.Name = a.Title
			pl.Includes = []string{fmt.Sprintf("%s: %s USD", a.Title, usdText(a.MonthlyUSD))}
			attach(&pl, c, l, p, int(a.Sizing["partitions"]), "partitions")
		case SystemPubSub, SystemFirehose:
			pl.Name = a.Title
			pl.Includes = []string{fmt.Sprintf("%s: %s USD", a.Title, usdText(a.MonthlyUSD))}
			if len(c.lambda) > 0 {
				pl.NotAttached = append(pl.NotAttached, "Lambda")
			}
			if c.flink != nil {
				pl.NotAttached = append(pl.NotAttached, "Flink")
			}
			if s == SystemPubSub && c.firehose != nil {
				pl.NotAttached = append(pl.NotAttached, "Firehose delivery")
			}
		}
		add(pl)
	}
	if len(out) == 0 {
		return nil
	}
	slices.SortStableFunc(out, func(a, b Pipeline) int {
		switch {
		case len(a.NotAttached) != len(b.NotAttached):
			return len(a.NotAttached) - len(b.NotAttached) // complete pipelines first
		case a.MonthlyUSD < b.MonthlyUSD:
			return -1
		case a.MonthlyUSD > b.MonthlyUSD:
			return 1
		}
		return 0
	})
	cheapest := out[0].MonthlyUSD
	for i := range out {
		if cheapest > 0 {
			out[i].VsCheapest = round3(out[i].MonthlyUSD / cheapest)
		}
	}
	return out
}

func (c pipelineConsumers) lambdaTextOr(def string) string {
	if len(c.lambda) == 0 {
		return def
	}
	return c.lambdaText()
}

// attach prices the Lambda consumers (event source mapping over count
// shards or partitions) and Flink on a stream that both can read.
func attach(pl *Pipeline, c pipelineConsumers, l kinesisLoad, p *Prices, count int, what string) {
	if len(c.lambda) > 0 {
		lam := planLambda(l, p, max(1, count))
		pl.MonthlyUSD += lam.MonthlyUSD
		pl.Includes = append(pl.Includes, fmt.Sprintf("%s polling %d %s: %s USD", c.lambdaText(), max(1, count), what, usdText(lam.MonthlyUSD)))
		pl.Name += " → Lambda"
		pl.Warnings = append(pl.Warnings, lam.Warnings...)
	}
	if c.flink != nil {
		pl.MonthlyUSD += c.flink.MonthlyUSD
		pl.Includes = append(pl.Includes, fmt.Sprintf("Managed Flink, %s KPU: %s USD", num(c.flink.Sizing["kpus"]), usdText(c.flink.MonthlyUSD)))
		pl.Name += " → Flink"
	}
	if c.firehose != nil {
		pl.MonthlyUSD += c.firehose.MonthlyUSD
		pl.Includes = append(pl.Includes, fmt.Sprintf("Firehose delivery to S3 reading the stream (billed like Direct PUT ingestion, 5 KiB rounding): %s USD", usdText(c.firehose.MonthlyUSD)))
		pl.Name += " → Firehose"
	}
}

// usdText formats a monthly amount for an Includes line ("154.18").
func usdText(v float64) string { return units.USD(v) }

// checkPipelineOptions refuses settings outside their accepted ranges,
// naming the field, the value and the range.
func checkPipelineOptions(opts PlanOptions, p *Prices) error {
	if err := checkFirehoseBuffers(opts, &p.Firehose); err != nil {
		return err
	}
	var err error
	pipelineRanges(opts.Pipeline, func(field string, value any, accepted string) {
		if err == nil {
			err = planInputErr(strings.ReplaceAll(field, ".", " "), value, "%s", accepted)
		}
	})
	return err
}

// pipelineRanges reports every pipeline setting outside its accepted range
// to bad, with its field path under pipeline ("pubsub.batch_messages"): the
// one statement of those ranges, for plan --compare and scenario validation.
func pipelineRanges(o PipelineOptions, bad func(field string, value any, accepted string)) {
	if o.Flink.KPU < 0 || o.Flink.KPU > 10000 {
		bad("flink.kpu", o.Flink.KPU, "between 1 and 10000 (0 = sized from throughput)")
	}
	if o.Flink.BackupGB < 0 {
		bad("flink.backup_gb", o.Flink.BackupGB, ">= 0 (0 = the table's default)")
	}
	if o.PubSub.BatchMessages < 0 || o.PubSub.BatchMessages > 1000 {
		bad("pubsub.batch_messages", o.PubSub.BatchMessages, "between 1 and 1000 (0 = client default 100)")
	}
	if o.PubSub.BatchBytes < 0 || o.PubSub.BatchBytes > 10_000_000 {
		bad("pubsub.batch_bytes", o.PubSub.BatchBytes, "between 1B and 10MB (0 = client default 1MB)")
	}
	if o.PubSub.BatchDelay < 0 {
		bad("pubsub.batch_delay", o.PubSub.BatchDelay, ">= 0s (0 = client default 10ms)")
	}
	if o.PubSub.Publishers < 0 {
		bad("pubsub.publishers", o.PubSub.Publishers, ">= 1 (0 = one publisher)")
	}
	if o.PubSub.DeliveryBatch < 0 {
		bad("pubsub.delivery_batch", o.PubSub.DeliveryBatch, ">= 1 (0 = the publish batch)")
	}
}

// override sets *dst to v unless v is its type's zero ("not given").
func override[T comparable](dst *T, v T) {
	var zero T
	if v != zero {
		*dst = v
	}
}

// mergePipeline returns the scenario's pipeline settings with every
// non-zero field of flags taking precedence.
func mergePipeline(scenario *PipelineOptions, flags PipelineOptions) PipelineOptions {
	if scenario == nil {
		return flags
	}
	o := *scenario
	f := flags
	override(&o.PubSub.BatchMessages, f.PubSub.BatchMessages)
	override(&o.PubSub.BatchBytes, f.PubSub.BatchBytes)
	override(&o.PubSub.BatchDelay, f.PubSub.BatchDelay)
	override(&o.PubSub.Publishers, f.PubSub.Publishers)
	override(&o.PubSub.DeliveryBatch, f.PubSub.DeliveryBatch)
	override(&o.Flink.KPU, f.Flink.KPU)
	override(&o.Flink.BackupGB, f.Flink.BackupGB)
	return o
}
