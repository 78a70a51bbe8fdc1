package main

import (
	"context"
	"encoding/json"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/streamcap/streamcap/bench/verify"
	"github.com/streamcap/streamcap/model/units"
	"github.com/streamcap/streamcap/scenarios"
)

// verifyOptions is what `streamcap verify` needs.
type verifyOptions struct {
	scenario   string
	duration   units.Duration
	warmup     units.Duration
	seed       uint64
	skipBelow  bool
	pricesFile string
	output     string
	out        string
	quiet      bool
}

func newVerifyCmd(io *streams) *cobra.Command {
	o := &verifyOptions{duration: units.Duration(verify.DefaultDuration), warmup: units.Duration(verify.DefaultWarmup)}
	cmd := &cobra.Command{
		Use:   "verify [SCENARIO.yaml | BUNDLED-NAME]",
		Short: "Plan a scenario, then prove the plan on the bundled engine with its limits on",
		Long: `Plan a scenario, start the bundled engine with the planned shard count and the
emulated Kinesis limits on, drive the scenario's peak rate, key distribution and
consumers against it, and again with one shard fewer. The plan holds when the
planned count shows no throttles and meets the scenario's SLOs. Exit 1 when it
does not. With no argument it verifies the bundled kds-3000x1kb scenario.`,
		Example: `  streamcap verify
  streamcap verify clickstream --duration 60s -o report.html`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.scenario = args[0]
			}
			return verifyRun(cmd.Context(), io, o)
		},
	}
	fs := cmd.Flags()
	fs.Var(&o.duration, "duration", "measured duration of each run")
	fs.Var(&o.warmup, "warmup", "warm-up before each run")
	fs.Uint64Var(&o.seed, "seed", 1, "seed for keys, sizes and payloads")
	fs.BoolVar(&o.skipBelow, "skip-below", false, "skip the run with one shard fewer")
	fs.StringVar(&o.pricesFile, "prices", "", "price and quota table (YAML) replacing the embedded one")
	fs.StringVarP(&o.output, "output", "o", "text", "output: text | json, or a report file (.html, .md, .json)")
	fs.StringVar(&o.out, "out", "", "also write the outcome JSON to this file")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no progress lines")
	return cmd
}

func verifyRun(ctx context.Context, io *streams, o *verifyOptions) error {
	ref := o.scenario
	if ref == "" {
		ref = defaultScenario
	}
	w, err := scenarios.Resolve(ref, scenarios.Overrides{})
	if err != nil {
		return asUsage(err)
	}
	prices, err := loadPrices(o.pricesFile)
	if err != nil {
		return err
	}
	report, err := reportTarget(o.output)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	outcome, runErr := verify.Verify(ctx, verify.Options{
		Workload: *w, Prices: prices,
		Duration: o.duration.D(), Warmup: o.warmup.D(), Seed: o.seed, SkipBelow: o.skipBelow,
		Progress: io.ErrOut, IsTTY: io.ErrTTY, Quiet: o.quiet,
	})
	if outcome == nil {
		return runErr
	}
	if o.out != "" {
		if err := writeFile(o.out, func(f *os.File) error { return verify.WriteJSON(f, outcome) }); err != nil {
			return err
		}
	}
	switch {
	case report != "":
		if err := writeVerifyReport(report, outcome, prices); err != nil {
			return err
		}
		if err := verify.WriteText(io.Out, outcome); err != nil {
			return err
		}
	case o.output == "json":
		if err := writeIndentJSON(io.Out, outcome); err != nil {
			return err
		}
	default:
		if err := verify.WriteText(io.Out, outcome); err != nil {
			return err
		}
	}
	if runErr != nil {
		return runErr
	}
	if !outcome.Holds {
		return &failureError{"the plan does not hold: see the findings above"}
	}
	return nil
}

// writeIndentJSON writes v as indented JSON.
func writeIndentJSON(f interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
