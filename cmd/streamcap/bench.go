package main

import (
	"context"

	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/targets"
	"github.com/streamcap/streamcap/loadgen"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
	"github.com/streamcap/streamcap/scenarios"
)

// defaultScenario is what bench, verify and make run use when no scenario
// and no rate is given: the seed workload, 3000 messages of 1 KB per second.
const defaultScenario = "kds-3000x1kb"

// benchOptions is what `streamcap bench` needs.
type benchOptions struct {
	scenario    string
	traffic     workloadFlags
	ov          scenarios.Overrides
	profile     loadgen.Profile
	interval    units.Duration
	duration    units.Duration
	warmup      units.Duration
	records     int64
	maxInflight int
	catchUp     float64
	consumers   int
	seed        uint64
	payloadFile string
	failFast    bool
	noSpin      bool
	output      string
	out         string
	hlog        string
	quiet       bool
	targetFlags
	dist sliceFlags
	set  func(string) bool
}

func newBenchCmd(io *streams) *cobra.Command {
	o := &benchOptions{}
	cmd := &cobra.Command{
		Use:   "bench [SCENARIO.yaml | BUNDLED-NAME] [flags]",
		Short: "Drive a target at an exact open-loop rate and record corrected latencies",
		Long: `Drive a target at an exact open-loop rate and record coordinated-omission-corrected
latencies (HdrHistogram). With no arguments it runs the bundled kds-3000x1kb scenario
(3000 msg/s of 1 KB) against the embedded engine with the plan's shard count.
Exit 1 when the scenario's SLO is missed, 2 on bad flags.`,
		Example: `  streamcap bench
  streamcap bench --rate 3000/s --record-size 1KB --duration 5m --out result.json
  streamcap bench --target kinesis --endpoint http://127.0.0.1:4567 --shards 3
  streamcap bench --target kafka --brokers 127.0.0.1:9092 --partitions 6`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.scenario = args[0]
			}
			o.set = cmd.Flags().Changed
			o.ov = o.traffic.overrides(cmd.Flags())
			return benchRun(cmd.Context(), io, o)
		},
	}
	fs := cmd.Flags()
	o.traffic.registerTraffic(fs)
	fs.Var(&o.profile, "profile", "rate profile instead of a constant --rate: ramp:FROM:TO:OVER, steps:R@D,R@D..., max:WORKERS")
	fs.Var(&o.interval, "interval", "timeline interval (default 1s)")
	fs.Var(&o.duration, "duration", "measured duration, more than 0 (default: scenario, else "+bench.DefaultDuration.String()+"; --records alone: until that many are sent)")
	fs.Var(&o.warmup, "warmup", "warm-up before measuring, 0s for none (default: scenario, else "+bench.DefaultWarmup.String()+")")
	fs.Int64Var(&o.records, "records", 0, "stop after this many measured records (0 = duration only)")
	fs.IntVar(&o.maxInflight, "max-inflight", 0, "most concurrent sends (default 1024)")
	fs.Float64Var(&o.catchUp, "catch-up", 2, "after a stall, send at most this × the target rate until back on schedule")
	fs.IntVar(&o.consumers, "consumers", -1, "end-to-end consumers (default: the scenario's consumer count)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed for keys, sizes and payloads")
	fs.StringVar(&o.payloadFile, "payload-file", "", "send these records (one per line) instead of generated payloads")
	fs.BoolVar(&o.failFast, "fail-fast", false, "stop at the first send error")
	fs.BoolVar(&o.noSpin, "no-spin", false, "pace with sleeps only, no busy-wait: gives back the spin's CPU (the pacing line shows it) for sends tens to hundreds of µs later")
	fs.StringVarP(&o.output, "output", "o", "text", "output format: text | json")
	fs.StringVar(&o.out, "out", "", "also write the result JSON (with encoded histograms) to this file")
	fs.StringVar(&o.hlog, "hlog", "", "also write an HdrHistogram interval log (v1.3) to this file")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no live progress line")
	o.targetFlags.add(fs, "stream or topic name (default "+bench.DefaultStream+")")
	o.dist.register(fs)
	cmd.AddCommand(newBenchMergeCmd(io), newBenchSearchCmd(io), newBenchKubeCmd(io), newBenchCollectCmd(io))
	return cmd
}

func benchRun(ctx context.Context, io *streams, o *benchOptions) error {
	opts, w, err := o.resolve(io)
	if err != nil {
		return err
	}
	drv, err := targets.New(o.drv)
	if err != nil {
		return asUsage(err)
	}
	defer drv.Close()

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, runErr := bench.Run(ctx, opts, drv)
	if res == nil {
		return runErr
	}
	if err := writeBenchResult(io, o.output, o.dist.path(o.out, opts.Slice), o.dist.path(o.hlog, opts.Slice), res); err != nil {
		return err
	}
	if o.dist.emit {
		if err := bench.WriteLogLines(io.Out, res, opts.Slice.Index); err != nil {
			return err
		}
	}
	v := bench.Judge("", res, w.SLO)
	if o.output != "json" {
		if err := bench.WriteVerdict(io.Out, v); err != nil {
			return err
		}
	}
	if runErr != nil {
		return runErr
	}
	return verdictFailure(v)
}

// resolve builds the run's settings once, from the scenario and the flags
// (a flag given wins, then the scenario, then bench's defaults, applied by
// bench.Options.Resolve): the workload, the driver options and the bench
// options. A flag that does not apply to the target or mode, or a zero
// where zero means nothing, is a usage error.
func (o *benchOptions) resolve(io *streams) (bench.Options, *model.Workload, error) {
	if err := checkOutput(o.output, "text", "json"); err != nil {
		return bench.Options{}, nil, err
	}
	ref := o.scenario
	if ref == "" && !o.set("rate") && !o.set("profile") {
		ref = defaultScenario
	}
	ov := o.ov
	if ref == "" {
		// A workload from flags alone: no scenario, so no SLO.
		if ov.RecordSize == nil {
			size := units.Bytes(bench.DefaultRecordSize)
			ov.RecordSize = &size
		}
		if ov.Rate == nil {
			// Only the profile paces; the workload's rate sizes the stream.
			r := units.EventRate(max(profilePeak(o.profile), 1))
			ov.Rate = &r
		}
	}
	w, err := scenarios.Resolve(ref, ov)
	if err != nil {
		return bench.Options{}, nil, asUsage(err)
	}
	spec := model.BenchSpec{}
	if w.Bench != nil {
		spec = *w.Bench
	}
	if !o.set("target") && spec.Target != "" {
		o.drv.Target = spec.Target
	}
	if err := o.targetFlags.resolve(o.set); err != nil {
		return bench.Options{}, nil, err
	}
	// A zero that would silently become a default is refused.
	switch {
	case o.set("duration") && o.duration.D() <= 0:
		return bench.Options{}, nil, usagef("--duration %v: must be more than 0s (use --records N alone to stop after N records)", o.duration)
	case o.set("interval") && o.interval.D() <= 0:
		return bench.Options{}, nil, usagef("--interval %v: must be more than 0s", o.interval)
	case o.set("max-inflight") && o.maxInflight == 0:
		return bench.Options{}, nil, usagef("--max-inflight 0: must be at least 1")
	case o.set("records") && o.records <= 0:
		return bench.Options{}, nil, usagef("--records %d: must be at least 1", o.records)
	}
	// bench what the plan chose, unless told otherwise
	if o.drv.Shards, err = targets.ScenarioShards(o.drv.Shards, o.drv.Target, *w, model.DefaultPrices()); err != nil {
		return bench.Options{}, nil, asUsage(err)
	}
	// The scenario's consumers, read as verify reads them, unless chosen.
	kind, poll := targets.ScenarioConsumer(*w)
	if o.drv.Consumer == "" {
		o.drv.Consumer = kind
	}
	if o.drv.PollInterval == 0 && o.drv.Consumer == targets.ConsumerPolling {
		o.drv.PollInterval = poll
	}
	opts := bench.Options{
		Target:      o.drv.Target,
		Workload:    *w,
		Records:     o.records,
		MaxInflight: o.maxInflight,
		CatchUp:     o.catchUp,
		Consumers:   o.consumers,
		Consumer:    targets.DescribeConsumer(o.drv.Target, o.drv.Consumer, o.drv.PollInterval),
		Stream:      o.drv.Stream,
		Shards:      o.drv.Shards,
		Seed:        o.seed,
		PayloadFile: o.payloadFile,
		FailFast:    o.failFast,
		NoSpin:      o.noSpin,
		Progress:    io.ErrOut,
		IsTTY:       io.ErrTTY,
		Quiet:       o.quiet,
	}
	if o.set("duration") {
		opts.Duration = o.duration.D()
	}
	if o.set("warmup") {
		opts.Warmup = o.warmup.D()
		if opts.Warmup == 0 {
			opts.Warmup = bench.NoWarmup
		}
	}
	if o.set("profile") {
		opts.Profile = o.profile
	}
	if o.set("interval") {
		opts.Interval = o.interval.D()
	}
	if opts.Slice, opts.StartAt, err = o.dist.resolve(os.Getenv, time.Now()); err != nil {
		return bench.Options{}, nil, err
	}
	if opts.Consumers < 0 {
		opts.Consumers = len(w.Consumers)
		if !opts.Slice.Whole() {
			// Workers measure publishing; a consumer on every worker would
			// read every worker's records (bench.Options.Resolve refuses it).
			opts.Consumers = 0
		}
	}
	return opts, w, nil
}

// profilePeak is the highest rate a profile asks for (0 for max:N, which
// sends as fast as it can).
func profilePeak(p loadgen.Profile) float64 {
	switch p.Kind {
	case loadgen.ProfileConstant:
		return p.Rate.PerSecond()
	case loadgen.ProfileRamp:
		return max(p.From.PerSecond(), p.To.PerSecond())
	case loadgen.ProfileSteps:
		peak := 0.0
		for _, s := range p.Steps {
			peak = max(peak, s.Rate.PerSecond())
		}
		return peak
	}
	return 0
}

// writeBenchResult prints res and writes the --out and --hlog files.
func writeBenchResult(io *streams, output, out, hlog string, res *bench.Result) error {
	var err error
	if output == "json" {
		err = bench.WriteJSON(io.Out, res)
	} else {
		err = bench.WriteText(io.Out, res)
	}
	if err != nil {
		return err
	}
	if out != "" {
		if err := writeFile(out, func(f *os.File) error { return bench.WriteJSON(f, res) }); err != nil {
			return err
		}
	}
	if hlog != "" {
		if err := writeFile(hlog, func(f *os.File) error { return bench.WriteHlog(f, res) }); err != nil {
			return err
		}
	}
	return nil
}

// verdictFailure turns a failed verdict into a failureError (exit 1):
// "run failed: ..." when nothing was acknowledged, else the missed SLO
// checks.
func verdictFailure(v bench.Verdict) error {
	failed := v.Failed()
	if len(failed) == 0 {
		return nil
	}
	msgs := make([]string, len(failed))
	for i, c := range failed {
		msgs[i] = c.String()
	}
	prefix := "SLO missed: "
	if v.RunFailed() {
		prefix = "run failed: "
	}
	return &failureError{prefix + strings.Join(msgs, "; ")}
}

func newBenchMergeCmd(io *streams) *cobra.Command {
	var output, out string
	cmd := &cobra.Command{
		Use:   "merge RESULT.json RESULT.json...",
		Short: "Merge results from several load generators into one (histograms added)",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 {
				return usagef("bench merge needs at least one result file")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output, "text", "json"); err != nil {
				return err
			}
			var rs []*bench.Result
			for _, path := range args {
				f, err := os.Open(path)
				if err != nil {
					return asUsage(err)
				}
				r, err := bench.ReadJSON(f)
				f.Close()
				if err != nil {
					return asUsage(fmt.Errorf("%s: %w", path, err))
				}
				rs = append(rs, r)
			}
			m, err := bench.Merge(rs...)
			if err != nil {
				return asUsage(err)
			}
			return writeBenchResult(io, output, out, "", m)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text | json")
	cmd.Flags().StringVar(&out, "out", "", "also write the merged result JSON to this file")
	return cmd
}
