package main

import (
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
	output   string
}

func newPlanCmd(io *streams) *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan [SCENARIO.yaml | BUNDLED-NAME] [flags]",
		Short: "Size and price a stream: shards, the binding limit, cost, alternatives",
		Example: `  streamcap plan kds-3000x1kb
  streamcap plan --rate 3000/s --record-size 1KB --consumers 1
  streamcap plan clickstream --compare kafka,pubsub,firehose,dynamodb -o json`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.scenario = args[0]
			}
			o.ov = o.flags.overrides(cmd.Flags())
			return planRun(io, o)
		},
	}
	fs := cmd.Flags()
	o.flags.register(fs)
	fs.StringVar(&o.flags.pricesFile, "prices", "", "price and quota table (YAML) replacing the embedded one")
	fs.StringVar(&o.mode, "mode", "both", "Kinesis capacity mode: provisioned | on-demand | both")
	fs.StringSliceVar(&o.compare, "compare", nil, "systems to compare: kafka,pubsub,firehose,dynamodb,lambda,flink or all")
	fs.StringVarP(&o.output, "output", "o", "text", "output format: text | markdown | json")
	return cmd
}

func planRun(io *streams, o *planOptions) error {
	if err := checkOutput(o.output, "text", "markdown", "json"); err != nil {
		return err
	}
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
	switch o.output {
	case "json":
		return reports.RenderPlanJSON(io.Out, res)
	case "markdown":
		return reports.RenderPlanMarkdown(io.Out, res)
	default:
		return reports.RenderPlanText(io.Out, res)
	}
}
