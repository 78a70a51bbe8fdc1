package main

import (
	"github.com/spf13/cobra"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
	"github.com/streamcap/streamcap/reports"
)

// reshardOptions is what `streamcap reshard` needs; flags fill it.
type reshardOptions struct {
	from, to   int
	stepTime   units.Duration
	pricesFile string
	output     string
}

func newReshardCmd(io *streams) *cobra.Command {
	o := &reshardOptions{stepTime: model.DefaultReshardStepTime}
	cmd := &cobra.Command{
		Use:   "reshard --from N --to M",
		Short: "Plan the UpdateShardCount calls from N to M shards within the API's rules",
		Long: `Plan the UpdateShardCount calls that take a provisioned stream from --from to --to
open shards: each call at most doubles and at least halves the count, no stream
goes above 10,000 shards this way, and at most 10 calls fit in a rolling 24 hours.
Prints the shard count after each call, the 24-hour windows needed and what the
intermediate counts cost while they last.`,
		Example: `  streamcap reshard --from 4 --to 54
  streamcap reshard --from 2 --to 3000 -o json`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("from") || !cmd.Flags().Changed("to") {
				return usagef("reshard needs --from and --to (open shard counts, ≥ 1)")
			}
			return reshardRun(io, o)
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&o.from, "from", 0, "open shards now (count, ≥ 1)")
	fs.IntVar(&o.to, "to", 0, "open shards wanted (count, 1..10000)")
	fs.Var(&o.stepTime, "step-time", "assumed duration of one UpdateShardCount call (AWS: \"a few minutes\"), e.g. 15m")
	fs.StringVar(&o.pricesFile, "prices", "", "price and quota table (YAML) replacing the embedded one")
	fs.StringVarP(&o.output, "output", "o", "text", "output format: text | markdown | json")
	return cmd
}

func reshardRun(io *streams, o *reshardOptions) error {
	if err := checkOutput(o.output, "text", "markdown", "json"); err != nil {
		return err
	}
	prices, err := loadPrices(o.pricesFile)
	if err != nil {
		return err
	}
	r, err := model.PlanReshard(model.ReshardOptions{From: o.from, To: o.to, StepTime: o.stepTime}, prices)
	if err != nil {
		return asUsage(err)
	}
	switch o.output {
	case "json":
		return reports.RenderReshardJSON(io.Out, &r)
	case "markdown":
		return reports.RenderReshardMarkdown(io.Out, &r)
	default:
		return reports.RenderReshardText(io.Out, &r)
	}
}
