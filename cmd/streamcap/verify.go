package main

import (
	"context"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/streamcap/streamcap/bench/search"
	"github.com/streamcap/streamcap/bench/verify"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
	"github.com/streamcap/streamcap/reports"
	"github.com/streamcap/streamcap/scenarios"
)

// verifyOptions is what `streamcap verify` needs.
type verifyOptions struct {
	scenario  string
	duration  units.Duration
	warmup    units.Duration
	seed      uint64
	skipBelow bool
	// reach asks for the capacity search at the planned count, with
	// reachTrial-long search trials and a reachConfirm-long confirmation.
	reach        bool
	reachTrial   units.Duration
	reachConfirm units.Duration
	pricesFile   string
	out          outputOptions
	format       string // resolved by out.resolve: -o, else --out's extension
	quiet        bool
}

func newVerifyCmd(io *streams) *cobra.Command {
	o := &verifyOptions{duration: units.Duration(verify.DefaultDuration), warmup: units.Duration(verify.DefaultWarmup),
		reachTrial: units.Duration(verify.DefaultReachTrial), reachConfirm: units.Duration(verify.DefaultDuration)}
	cmd := &cobra.Command{
		Use:   "verify [SCENARIO.yaml | BUNDLED-NAME]",
		Short: "Plan a scenario, then prove the plan on the bundled engine with its limits on",
		Long: `Plan a scenario, start the bundled engine with the planned shard count and the
emulated Kinesis limits on, drive the scenario's peak rate, key distribution and
consumers against it, and again with one shard fewer. The plan holds when the
planned count shows no throttles and meets the scenario's SLOs. Exit 1 when it
does not. With no argument it verifies the bundled kds-3000x1kb scenario.

With --reach it also measures how far the planned shards go: a capacity search
(as 'bench search') from the peak at the planned count, with short trials and a
full-length confirmation, ending in e.g. "4 shards sustain up to 3,938/s: 31 %
above the peak of 3,000/s". It is off by default: the search runs a dozen
trials, several minutes, while verify itself takes under one.`,
		Example: `  streamcap verify
  streamcap verify clickstream --duration 60s --out report.html
  streamcap verify --out verify.json && streamcap report verify.json --out verify.html
  streamcap verify --reach --reach-trial 3s --reach-confirm 10s`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.scenario = args[0]
			}
			f, err := o.out.resolve(cmd.Flags())
			if err != nil {
				return err
			}
			o.format = f
			if cmd.Flags().Changed("duration") && o.duration.D() <= 0 {
				return usagef("--duration %v: must be more than 0s", o.duration)
			}
			if o.reachTrial.D() <= 0 {
				return usagef("--reach-trial %v: must be more than 0s", o.reachTrial)
			}
			return verifyRun(cmd.Context(), io, o)
		},
	}
	fs := cmd.Flags()
	fs.Var(&o.duration, "duration", "measured duration of each run")
	fs.Var(&o.warmup, "warmup", "warm-up before each run")
	fs.Uint64Var(&o.seed, "seed", 1, "seed for keys, sizes and payloads")
	fs.BoolVar(&o.skipBelow, "skip-below", false, "skip the run with one shard fewer")
	fs.BoolVar(&o.reach, "reach", false, "also search how far the planned shards go (a dozen trials: minutes)")
	fs.Var(&o.reachTrial, "reach-trial", "measured length of each --reach search trial")
	fs.Var(&o.reachConfirm, "reach-confirm", "length of the --reach confirmation run (0s: none)")
	fs.StringVar(&o.pricesFile, "prices", "", "price and quota table (YAML) replacing the embedded one")
	o.out.register(fs, "text", "json", "markdown", "html")
	fs.Lookup("out").Usage = "write the outcome to this file (format: -o, else from the extension " + strings.Join(o.out.extensions(), ", ") + "); standard output then gets the text"
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
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	var reach *search.Options
	if o.reach {
		confirm := o.reachConfirm.D()
		if confirm == 0 {
			confirm = -1 // search.Options: negative is no confirmation
		}
		reach = &search.Options{Warmup: o.warmup.D(), Trial: o.reachTrial.D(), Confirm: confirm}
	}
	outcome, runErr := verify.Verify(ctx, verify.Options{
		Workload: *w, Prices: prices,
		Duration: o.duration.D(), Warmup: o.warmup.D(), Seed: o.seed, SkipBelow: o.skipBelow, Reach: reach,
		Progress: io.ErrOut, IsTTY: io.ErrTTY, Quiet: o.quiet,
	})
	if outcome == nil {
		return runErr
	}
	if o.out.file != "" {
		if err := writeVerifyFile(o.out.file, o.format, outcome, prices); err != nil {
			return err
		}
		if err := verify.WriteText(io.Out, outcome); err != nil {
			return err
		}
	} else if err := writeVerifyOutput(io, o.format, outcome, prices); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	if !outcome.Holds {
		return &failureError{"the plan does not hold: see the findings above"}
	}
	return nil
}

// writeVerifyOutput writes the outcome to standard output in format f.
func writeVerifyOutput(io *streams, f string, o *verify.Outcome, prices *model.Prices) error {
	switch f {
	case "json":
		return verify.WriteJSON(io.Out, o)
	case "markdown", "md", "html":
		rep, err := verifyReport(o, prices)
		if err != nil {
			return err
		}
		rf, err := reports.ParseFormat(f)
		if err != nil {
			return err
		}
		return reports.Render(io.Out, rf, rep, reports.RenderOptions{})
	}
	return verify.WriteText(io.Out, o)
}
