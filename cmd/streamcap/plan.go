package main

import (
	goio "io"

	"github.com/spf13/cobra"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
	"github.com/streamcap/streamcap/reports"
	"github.com/streamcap/streamcap/scenarios"
)

// planOptions is what `streamcap plan` needs; flags fill it.
type planOptions struct {
	scenario string
	flags    workloadFlags
	ov       scenarios.Overrides
	mode     string
	compare  []string
	out      outputOptions
	format   string
	// Settings of compared systems (zero = the scenario's, else defaults).
	pipeline       model.PipelineOptions
	firehoseSize   units.Bytes
	firehoseWindow units.Duration
}

func newPlanCmd(io *streams) *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan [SCENARIO.yaml | BUNDLED-NAME] [flags]",
		Short: "Size and price a stream: shards, the binding limit, cost, alternatives",
		Example: `  streamcap plan kds-3000x1kb
  streamcap plan --rate 3000/s --record-size 1KB --consumers 1
  streamcap plan clickstream --compare kafka,pubsub,firehose,dynamodb -o json
  streamcap plan kds-3000x1kb --out plan.md
  streamcap plan kds-3000x1kb --compare dynamodb
  streamcap plan iot-fleet --compare pubsub --pubsub-publishers 100
  streamcap plan clickstream --compare flink,firehose --kpu 4 --firehose-buffer-size 64MiB`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.scenario = args[0]
			}
			o.ov = o.flags.overrides(cmd.Flags())
			format, err := o.out.resolve(cmd.Flags())
			if err != nil {
				return err
			}
			o.format = format
			return planRun(io, o)
		},
	}
	fs := cmd.Flags()
	o.flags.register(fs)
	fs.StringVar(&o.flags.pricesFile, "prices", "", "price and quota table (YAML) replacing the embedded one")
	fs.StringVar(&o.mode, "mode", "both", "Kinesis capacity mode: provisioned | on-demand | both")
	fs.StringSliceVar(&o.compare, "compare", nil, "systems to compare: kafka,pubsub,firehose,dynamodb,lambda,flink or all")
	o.out.register(fs, "text", "markdown", "json")
	fs.IntVar(&o.pipeline.Flink.KPU, "kpu", 0, "Flink KPUs (default: sized from throughput at 1 MiB/s per KPU, an assumption)")
	fs.Float64Var(&o.pipeline.Flink.BackupGB, "flink-backup-gb", 0, "Flink durable application backup GB (default 100, the AWS calculator example)")
	fs.IntVar(&o.pipeline.PubSub.BatchMessages, "pubsub-batch-messages", 0, "Pub/Sub messages per publish request at most (default 100, the client libraries')")
	fs.Var(&o.pipeline.PubSub.BatchBytes, "pubsub-batch-bytes", "Pub/Sub bytes per publish request at most (default 1MB)")
	fs.Var(&o.pipeline.PubSub.BatchDelay, "pubsub-batch-delay", "Pub/Sub publisher wait to fill a batch (default 10ms)")
	fs.IntVar(&o.pipeline.PubSub.Publishers, "pubsub-publishers", 0, "Pub/Sub publishers sharing the rate, each batching its own messages (default 1)")
	fs.IntVar(&o.pipeline.PubSub.DeliveryBatch, "pubsub-delivery-batch", 0, "Pub/Sub messages per pull response (default: the publish batch)")
	fs.Var(&o.firehoseSize, "firehose-buffer-size", "Firehose buffer size hint, 1MiB..128MiB (default 5MiB)")
	fs.Var(&o.firehoseWindow, "firehose-buffer-interval", "Firehose buffer interval hint, 0s..900s (default 300s)")
	return cmd
}

func planRun(io *streams, o *planOptions) error {
	w, err := scenarios.Resolve(o.scenario, o.ov)
	if err != nil {
		return asUsage(err)
	}
	prices, err := loadPrices(o.flags.pricesFile)
	if err != nil {
		return err
	}
	res, err := model.Plan(*w, prices, model.PlanOptions{Mode: o.mode, Compare: o.compare, Pipeline: o.pipeline,
		FirehoseBufferSize: o.firehoseSize, FirehoseBufferInterval: o.firehoseWindow})
	if err != nil {
		return asUsage(err)
	}
	return o.out.emit(io, func(w goio.Writer) error {
		switch o.format {
		case "json":
			return reports.RenderPlanJSON(w, res)
		case "markdown":
			return reports.RenderPlanMarkdown(w, res)
		default:
			return reports.RenderPlanText(w, res)
		}
	})
}
