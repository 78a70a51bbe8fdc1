package main

import (
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/streamcap/streamcap/bench/verify"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/reports"
)

// reportOptions is what `streamcap report` needs.
type reportOptions struct {
	inputs     []string
	output     string
	title      string
	pricesFile string
}

func newReportCmd(io *streams) *cobra.Command {
	o := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report INPUT... [-o report.html|report.md|report.json|-]",
		Short: "Render plans, transfers and benchmark results as HTML, Markdown or JSON reports",
		Long: `Render any mix of plan JSON, transfer JSON and bench result JSON files (several
results are compared side by side), or scenario files and bundled scenario names
(planned first), into one report. The format follows -o's extension: .html is a
single self-contained file with the charts inline, .md writes PNG charts beside it,
.json the report data; - writes Markdown (without charts) to standard output.`,
		Example: `  streamcap report kds-3000x1kb -o plan.html
  streamcap report scenarios/bundled/bulk-80tb.yaml -o transfer.html
  streamcap report embedded.json kinesis.json kafka.json -o compare.md --title "Targets at 3000 msg/s"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("report needs at least one input: a scenario, or plan, transfer or bench result JSON")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.inputs = args
			return reportRun(io, o)
		},
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "report.html", "report file (.html, .md, .json) or - for Markdown on standard output")
	cmd.Flags().StringVar(&o.title, "title", "", "report title (default: from the inputs)")
	cmd.Flags().StringVar(&o.pricesFile, "prices", "", "price and quota table (YAML) replacing the embedded one")
	return cmd
}

func reportRun(io *streams, o *reportOptions) error {
	if o.output != "-" {
		if _, err := reportTarget(o.output); err != nil {
			return err
		}
	}
	prices, err := loadPrices(o.pricesFile)
	if err != nil {
		return err
	}
	rep := &reports.Report{Title: o.title}
	for _, in := range o.inputs {
		if err := rep.AddInput(in, prices); err != nil {
			return asUsage(err)
		}
	}
	return writeReport(io, o.output, rep)
}

// writeReport writes rep to path (format from its extension), or Markdown
// to standard output for "-".
func writeReport(io *streams, path string, rep *reports.Report) error {
	if path == "-" {
		return reports.Render(io.Out, reports.FormatMarkdown, rep, reports.RenderOptions{})
	}
	return reports.WriteFile(path, rep)
}

// reportTarget returns the report file -o names ("" for text or json on
// standard output).
func reportTarget(output string) (string, error) {
	switch output {
	case "text", "json", "":
		return "", nil
	}
	ext := strings.ToLower(filepath.Ext(output))
	if ext != ".html" && ext != ".htm" && ext != ".md" && ext != ".json" {
		return "", usagef("-o %q: must be text, json, or a report file ending in .html, .md or .json", output)
	}
	return output, nil
}

// writeVerifyReport renders the verify outcome as a report file.
func writeVerifyReport(path string, o *verify.Outcome, prices *model.Prices) error {
	rep := &reports.Report{Title: "streamcap verify: " + o.Plan.Workload.Name}
	if err := rep.AddVerify(o, prices); err != nil {
		return err
	}
	return reports.WriteFile(path, rep)
}
