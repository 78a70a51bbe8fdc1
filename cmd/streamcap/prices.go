package main

import (
	"bytes"
	goio "io"
	"os"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/reports"
)

func newPricesCmd(io *streams) *cobra.Command {
	var file string
	var out outputOptions
	cmd := &cobra.Command{
		Use:   "prices",
		Short: "Show the price and quota table (each figure with its source and date)",
		Long: `Show the price and quota table, each figure with its source and date.
-o yaml prints the table as written (the embedded one, or --prices FILE after
checking it loads): a starting point for a table of your own.`,
		Example: `  streamcap prices
  streamcap prices -o yaml --out my-prices.yaml
  streamcap plan kds-3000x1kb --prices my-prices.yaml`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := out.resolve(cmd.Flags())
			if err != nil {
				return err
			}
			p, err := loadPrices(file)
			if err != nil {
				return err
			}
			return out.emit(io, func(w goio.Writer) error {
				switch format {
				case "yaml":
					return writePricesYAML(w, file, p)
				case "json":
					return reports.RenderPricesJSON(w, p)
				case "markdown":
					return reports.RenderPricesMarkdown(w, p)
				default:
					return reports.RenderPricesText(w, p)
				}
			})
		},
	}
	cmd.Flags().StringVar(&file, "prices", "", "price and quota table (YAML) to show instead of the embedded one")
	out.register(cmd.Flags(), "text", "markdown", "json", "yaml")
	return cmd
}

// writePricesYAML writes the price table as YAML: the embedded table or the
// --prices file as written (comments kept), or p re-encoded when the file
// is JSON (`prices -o json` output), so -o yaml never prints JSON.
func writePricesYAML(w goio.Writer, file string, p *model.Prices) error {
	data := model.DefaultPricesYAML()
	if file != "" {
		var err error
		if data, err = os.ReadFile(file); err != nil {
			return asUsage(err)
		}
		if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
			if data, err = yaml.Marshal(p); err != nil {
				return err
			}
		}
	}
	_, err := w.Write(data)
	return err
}
