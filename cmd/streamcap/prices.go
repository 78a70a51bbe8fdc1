package main

import (
	"github.com/spf13/cobra"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/reports"
)

func newPricesCmd(io *streams) *cobra.Command {
	var file, output string
	cmd := &cobra.Command{
		Use:   "prices",
		Short: "Show the price and quota table (each figure with its source and date)",
		Args:  maxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output, "text", "markdown", "json", "yaml"); err != nil {
				return err
			}
			if output == "yaml" && file == "" {
				// the embedded table as shipped: a starting point for --prices
				_, err := io.Out.Write(model.DefaultPricesYAML())
				return err
			}
			p, err := loadPrices(file)
			if err != nil {
				return err
			}
			switch output {
			case "json", "yaml":
				return reports.RenderPricesJSON(io.Out, p)
			case "markdown":
				return reports.RenderPricesMarkdown(io.Out, p)
			default:
				return reports.RenderPricesText(io.Out, p)
			}
		},
	}
	cmd.Flags().StringVar(&file, "prices", "", "price and quota table (YAML) to show instead of the embedded one")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text | markdown | json")
	return cmd
}
