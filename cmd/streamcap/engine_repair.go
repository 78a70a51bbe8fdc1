package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/streamcap/streamcap/bench/engine"
)

// engineRepairOptions is what `streamcap engine repair` needs.
type engineRepairOptions struct {
	dataDir string
	dryRun  bool
	output  string
}

func newEngineRepairCmd(io *streams) *cobra.Command {
	o := &engineRepairOptions{}
	cmd := &cobra.Command{
		Use:   "repair --data-dir DIR",
		Short: "Quarantine damaged engine files so the engine opens again, and report what was lost",
		Long: `When the engine refuses to open a data directory (a corrupt frame mid-log, a
missing segment, a shard directory the metadata does not name), repair moves the
damaged files, or the damaged part of a segment, into DIR/quarantine/<time>/ and
writes report.json and report.txt there: every problem, the file and byte range,
and the records lost. Nothing is deleted; every intact record stays readable.
A missing or unreadable meta.json is not repaired (restore it from a backup).
Stop the engine first. See docs/engine.md.`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.dataDir == "" {
				return usagef("--data-dir: required (the engine's data directory)")
			}
			if o.output != "text" && o.output != "json" {
				return usagef("--output %q: must be text or json", o.output)
			}
			rep, err := engine.Repair(engine.RepairOptions{Dir: o.dataDir, DryRun: o.dryRun})
			if err != nil && len(rep.Items)+len(rep.Unrepaired) == 0 {
				return err // nothing was inspected: no report to show
			}
			if o.output == "json" {
				b, jerr := json.MarshalIndent(rep, "", "  ")
				if jerr != nil {
					return jerr
				}
				fmt.Fprintln(io.Out, string(b))
			} else {
				rep.WriteText(io.Out)
			}
			return err
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.dataDir, "data-dir", "", "the engine's data directory")
	fs.BoolVar(&o.dryRun, "dry-run", false, "report what would be moved and change nothing")
	fs.StringVarP(&o.output, "output", "o", "text", "output format: text | json")
	return cmd
}
