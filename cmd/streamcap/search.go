package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/search"
	"github.com/streamcap/streamcap/bench/search/trials"
	"github.com/streamcap/streamcap/bench/targets"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
	"github.com/streamcap/streamcap/scenarios"
)

// searchOptions is what `streamcap bench search` needs.
type searchOptions struct {
	scenario    string
	traffic     workloadFlags
	from, to    units.EventRate
	precision   precisionFlag
	warmup      units.Duration
	trial       units.Duration
	confirm     units.Duration
	maxTrials   int
	maxInflight int
	consumers   int
	seed        uint64
	pricesFile  string
	output      string
	out         string
	quiet       bool
	keepStreams bool
	targetFlags
}

// precisionFlag is a relative precision given as a percentage ("2%") or a
// fraction ("0.02").
type precisionFlag float64

func (p *precisionFlag) String() string {
	return strconv.FormatFloat(float64(*p)*100, 'g', -1, 64) + "%"
}

func (p *precisionFlag) Set(s string) error {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(t, "%")), 64)
	if err != nil {
		return fmt.Errorf("want a percentage (2%%) or a fraction (0.02)")
	}
	if pct {
		v /= 100
	}
	if !(v > 0 && v <= 0.5) {
		return fmt.Errorf("must be above 0 and at most 50%%")
	}
	*p = precisionFlag(v)
	return nil
}

func (*precisionFlag) Type() string { return "percent" }

func newBenchSearchCmd(io *streams) *cobra.Command {
	o := &searchOptions{
		precision: search.DefaultPrecision, warmup: units.Duration(search.DefaultWarmup),
		trial: units.Duration(search.DefaultTrial), confirm: units.Duration(search.DefaultConfirm),
	}
	cmd := &cobra.Command{
		Use:   "search [SCENARIO.yaml | BUNDLED-NAME] [flags]",
		Short: "Find the highest constant rate a target sustains, as a bracket",
		Long: `Find the highest constant open-loop rate a target sustains. A trial at rate R passes
when the generator achieved 99 % of R, at most 0.1 % of sends failed (throttled, errors,
aborted, unfinished; or the scenario's max_error_rate), the corrected response p99 met the
scenario's publish_p99 and, with consumers, their backlog did not keep growing and the
end-to-end p99 met e2e_p99. Trials double from --from until one fails, then bisect until
the bracket is narrower than --precision; the highest passing rate is confirmed by a
--confirm run (when it fails, the search continues below it). Every trial uses a fresh
engine (embedded, shards without burst credit) or a fresh stream or topic.`,
		Example: `  streamcap bench search kds-3000x1kb --shards 1 --from 250/s
  streamcap bench search --rate 1000/s --record-size 1KB --shards 4 -o json --out search.json
  streamcap bench search --target kinesis --endpoint http://127.0.0.1:4567 --shards 2
  streamcap bench search --target kafka --brokers 127.0.0.1:9092 --partitions 6 --trial 20s`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.scenario = args[0]
			}
			return searchRun(cmd.Context(), io, o, o.traffic.overrides(cmd.Flags()), cmd.Flags().Changed)
		},
	}
	fs := cmd.Flags()
	o.traffic.registerTraffic(fs)
	fs.Var(&o.from, "from", "first rate tried (default: the scenario's rate)")
	fs.Var(&o.to, "to", "highest rate tried (default: 1024 × --from)")
	fs.Var(&o.precision, "precision", "stop when the bracket is narrower than this, e.g. 2% or 0.02")
	fs.Var(&o.warmup, "warmup", "warm-up before every trial")
	fs.Var(&o.trial, "trial", "measured length of each search trial")
	fs.Var(&o.confirm, "confirm", "measured length of the confirmation run (0: none)")
	fs.IntVar(&o.maxTrials, "max-trials", search.DefaultMaxTrials, "most trials in one search")
	fs.IntVar(&o.maxInflight, "max-inflight", 0, "most concurrent sends (default 1024)")
	fs.IntVar(&o.consumers, "consumers", -1, "end-to-end consumers (default: the scenario's consumer count)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed for keys, sizes and payloads")
	fs.StringVar(&o.pricesFile, "prices", "", "price and quota table (YAML) for the shard count and the prediction")
	fs.StringVarP(&o.output, "output", "o", "text", "output format: text | json")
	fs.StringVar(&o.out, "out", "", "also write the search JSON to this file")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no per-trial progress lines")
	fs.BoolVar(&o.keepStreams, "keep-streams", false, "keep each trial's stream or topic (by default a trial deletes the one it created)")
	o.targetFlags.add(fs, "stream or topic name prefix (each trial appends its own suffix)")
	return cmd
}

func searchRun(ctx context.Context, io *streams, o *searchOptions, ov scenarios.Overrides, set func(string) bool) error {
	if err := checkOutput(o.output, "text", "json"); err != nil {
		return err
	}
	ref := o.scenario
	if ref == "" && !set("rate") {
		ref = defaultScenario
	}
	w, err := scenarios.Resolve(ref, ov)
	if err != nil {
		return asUsage(err)
	}
	prices, err := loadPrices(o.pricesFile)
	if err != nil {
		return err
	}
	spec := model.BenchSpec{}
	if w.Bench != nil {
		spec = *w.Bench
	}
	if !set("target") && spec.Target != "" {
		o.drv.Target = spec.Target
	}
	if err := o.targetFlags.resolve(set); err != nil {
		return err
	}
	if o.drv.Shards, err = targets.ScenarioShards(o.drv.Shards, o.drv.Target, *w, prices); err != nil {
		return asUsage(err)
	}
	if !set("max-inflight") {
		o.maxInflight = spec.MaxInflight
	}
	if o.consumers < 0 {
		o.consumers = len(w.Consumers)
	}
	confirm := o.confirm.D()
	if confirm == 0 {
		confirm = -1 // --confirm 0: no confirmation run
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	outcome, runErr := trials.Run(ctx, trials.RunOptions{
		Workload: *w,
		Search: search.Options{
			From: o.from, To: o.to, Precision: float64(o.precision),
			Warmup: o.warmup.D(), Trial: o.trial.D(), Confirm: confirm, MaxTrials: o.maxTrials,
		},
		Bench:       bench.Options{MaxInflight: o.maxInflight, Consumers: o.consumers, Seed: o.seed},
		Driver:      o.drv,
		Prices:      prices,
		Progress:    io.ErrOut,
		Quiet:       o.quiet,
		KeepStreams: o.keepStreams,
	})
	if errors.Is(runErr, search.ErrInvalidOptions) || errors.Is(runErr, bench.ErrInvalidOptions) {
		return asUsage(runErr)
	}
	if outcome == nil {
		return runErr
	}
	if o.output == "json" {
		err = search.WriteJSON(io.Out, outcome)
	} else {
		err = search.WriteText(io.Out, outcome)
	}
	if err != nil {
		return err
	}
	if o.out != "" {
		if err := writeFile(o.out, func(f *os.File) error { return search.WriteJSON(f, outcome) }); err != nil {
			return err
		}
	}
	return runErr
}
