package main

import (
	goio "io"

	"github.com/spf13/cobra"

	"github.com/streamcap/streamcap/model"
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
}

func newPlanCmd(io *streams) *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan [SCENARIO.yaml | BUNDLED-NAME] [flags]",
		Short: "Size and price a stream: shards, the binding limit, cost, alternatives",
		Example: `  streamcap plan kds-3000x1kb
  streamcap plan --rate 3000/s --record-size 1KB --consumers 1
  streamcap plan clickstream --compare kafka,pubsub,firehose,dynamodb -o json
  streamcap plan kds-3000x1kb --out plan.md`,
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
	res, err := model.Plan(*w, prices, model.PlanOptions{Mode: o.mode, Compare: o.compare})
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
