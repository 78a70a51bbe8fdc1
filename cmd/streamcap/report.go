package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/streamcap/streamcap/bench/verify"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/reports"
	"github.com/streamcap/streamcap/scenarios"
)

// reportOptions is what `streamcap report` needs.
type reportOptions struct {
	inputs     []string
	output     string
	out        string
	title      string
	pricesFile string
}

func newReportCmd(io *streams) *cobra.Command {
	o := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report INPUT... [-o markdown|html|json] [--out FILE]",
		Short: "Render plans, transfers, verify outcomes and benchmark results as HTML, Markdown or JSON reports",
		Long: `Render any mix of streamcap JSON documents — plan, transfer, prices, bench result
and verify outcome, told apart by their "schema" field (several results are compared
side by side) — or scenario files and bundled scenario names (planned first), into one
report. -o is the format (markdown, html or json); --out writes it to a file (format
from -o, else from the extension: .html is a single self-contained file with the charts
inline, .md writes PNG charts beside it). Without --out the report goes to standard
output (Markdown without charts unless -o says otherwise).`,
		Example: `  streamcap report kds-3000x1kb --out plan.html
  streamcap report scenarios/bundled/bulk-80tb.yaml --out transfer.html
  streamcap report verify.json --out verify.html
  streamcap report embedded.json kinesis.json kafka.json --out compare.md --title "Targets at 3000 msg/s"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("report needs at least one input: a scenario, or plan, transfer, prices, verify or bench result JSON")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.inputs = args
			if !cmd.Flags().Changed("output") {
				o.output = ""
			}
			return reportRun(io, o)
		},
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "markdown", "format: markdown | html | json (default: from --out's extension, else markdown)")
	cmd.Flags().StringVar(&o.out, "out", "", "write the report to this file (.html, .md or .json) instead of standard output")
	cmd.Flags().StringVar(&o.title, "title", "", "report title (default: from the inputs)")
	cmd.Flags().StringVar(&o.pricesFile, "prices", "", "price and quota table (YAML) replacing the embedded one")
	return cmd
}

func reportRun(io *streams, o *reportOptions) error {
	format, err := reportFormat(o.output, o.out)
	if err != nil {
		return err
	}
	prices, err := loadPrices(o.pricesFile)
	if err != nil {
		return err
	}
	rep := &reports.Report{Title: o.title}
	var docs []string
	for _, in := range o.inputs {
		if strings.EqualFold(filepath.Ext(in), ".json") {
			docs = append(docs, in)
			continue
		}
		if err := addScenario(rep, in, prices); err != nil {
			return asUsage(err)
		}
	}
	if err := rep.AddFiles(docs, prices); err != nil {
		return asUsage(err)
	}
	return writeReport(io, format, o.out, rep)
}

// addScenario plans a scenario with every compared system and adds the
// plan with its sweeps.
func addScenario(rep *reports.Report, ref string, prices *model.Prices) error {
	w, err := scenarios.Resolve(ref, scenarios.Overrides{})
	if err != nil {
		return err
	}
	p, err := model.Plan(*w, prices, model.PlanOptions{Compare: []string{"all"}})
	if err != nil {
		return err
	}
	sweep, err := model.SweepPlan(p, prices)
	if err != nil {
		return err
	}
	return rep.AddPlan(p, sweep)
}

// reportFormat resolves -o (a format) and --out (a file): -o when given,
// else the file's extension, else Markdown.
func reportFormat(output, out string) (reports.Format, error) {
	if output != "" {
		if ext := filepath.Ext(output); ext != "" {
			return "", usagef("-o %q: -o is a format (markdown, html or json); write a file with --out %s", output, output)
		}
		f, err := reports.ParseFormat(output)
		if err != nil {
			return "", usagef("-o %q: must be markdown, html or json", output)
		}
		return f, nil
	}
	if out == "" {
		return reports.FormatMarkdown, nil
	}
	f, err := reports.FormatFromPath(out)
	if err != nil {
		return "", asUsage(err)
	}
	return f, nil
}

// writeReport writes rep in format f to path, or to standard output when
// path is empty.
func writeReport(io *streams, f reports.Format, path string, rep *reports.Report) error {
	if path == "" {
		return reports.Render(io.Out, f, rep, reports.RenderOptions{})
	}
	return reports.WriteFileAs(path, f, rep)
}

// verifyReport is the report of a verify outcome: its plan with the sweeps,
// both runs, and the verdict verify computed.
func verifyReport(o *verify.Outcome, prices *model.Prices) (*reports.Report, error) {
	rep := &reports.Report{Title: "streamcap verify: " + o.Plan.Workload.Name}
	sweep, err := model.SweepPlan(o.Plan, prices)
	if err != nil {
		return nil, err
	}
	if err := rep.AddVerify(reports.VerifyInputOf(o, sweep)); err != nil {
		return nil, err
	}
	return rep, nil
}

// writeVerifyFile writes the verify document to path in format f: the
// streamcap.verify/v1 JSON, the text, or a Markdown or HTML report.
func writeVerifyFile(path, f string, o *verify.Outcome, prices *model.Prices) error {
	switch f {
	case "json":
		return writeFile(path, func(fh *os.File) error { return verify.WriteJSON(fh, o) })
	case "text":
		return writeFile(path, func(fh *os.File) error { return verify.WriteText(fh, o) })
	}
	rf, err := reports.ParseFormat(f)
	if err != nil {
		return usagef("verify format %q: must be text, json, markdown or html", f)
	}
	rep, err := verifyReport(o, prices)
	if err != nil {
		return err
	}
	return reports.WriteFileAs(path, rf, rep)
}
