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
	output      string
	out         string
	hlog        string
	quiet       bool
	drv         targets.Options
	brokers     string
	set         func(string) bool
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
			if o.set("max-retries") && o.drv.MaxRetries == 0 {
				o.drv.NoRetries = true // an explicit 0 means no retries, not the default
			}
			if o.brokers != "" {
				o.drv.Brokers = strings.Split(o.brokers, ",")
			}
			return benchRun(cmd.Context(), io, o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.drv.Target, "target", targets.Embedded, "target: "+strings.Join(targets.Names(), " | "))
	o.traffic.registerTraffic(fs)
	fs.Var(&o.profile, "profile", "rate profile instead of a constant --rate: ramp:FROM:TO:OVER, steps:R@D,R@D..., max:WORKERS")
	fs.Var(&o.interval, "interval", "timeline interval (default 1s)")
	fs.Var(&o.duration, "duration", "measured duration (default: scenario, else 60s)")
	fs.Var(&o.warmup, "warmup", "warm-up before measuring (default: scenario, else 5s)")
	fs.Int64Var(&o.records, "records", 0, "stop after this many measured records (0 = duration only)")
	fs.IntVar(&o.maxInflight, "max-inflight", 0, "most concurrent sends (default 1024)")
	fs.Float64Var(&o.catchUp, "catch-up", 2, "after a stall, send at most this × the target rate until back on schedule")
	fs.IntVar(&o.consumers, "consumers", -1, "end-to-end consumers (default: the scenario's consumer count)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed for keys, sizes and payloads")
	fs.StringVar(&o.payloadFile, "payload-file", "", "send these records (one per line) instead of generated payloads")
	fs.BoolVar(&o.failFast, "fail-fast", false, "stop at the first send error")
	fs.StringVarP(&o.output, "output", "o", "text", "output format: text | json")
	fs.StringVar(&o.out, "out", "", "also write the result JSON (with encoded histograms) to this file")
	fs.StringVar(&o.hlog, "hlog", "", "also write an HdrHistogram interval log (v1.3) to this file")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no live progress line")
	// target settings
	fs.StringVar(&o.drv.Stream, "stream", "", "stream or topic name (default streamcap-bench)")
	fs.IntVar(&o.drv.Shards, "shards", 0, "shards to create (default: scenario, else the plan's count)")
	fs.IntVar(&o.drv.Shards, "partitions", 0, "partitions to create (Kafka; same as --shards)")
	fs.StringVar(&o.drv.Consumer, "consumer", "", "consumer mode: embedded subscribe|polling, kinesis polling|efo")
	fs.DurationVar(&o.drv.PollInterval, "poll-interval", 0, "pause between GetRecords polls of one shard")
	fs.StringVar(&o.drv.DataDir, "data-dir", "", "embedded: keep the log on disk here (default: in memory)")
	fs.StringVar(&o.drv.Fsync, "fsync", "", "embedded with --data-dir: always | interval | never")
	fs.BoolVar(&o.drv.LimitsOff, "no-limits", false, "embedded: switch the emulated per-shard limits off")
	fs.StringVar(&o.drv.Endpoint, "endpoint", "", "kinesis: API endpoint (bundled server, kinesalite, LocalStack); empty = AWS")
	fs.StringVar(&o.drv.Region, "region", "", "kinesis: region")
	fs.IntVar(&o.drv.BatchSize, "batch-size", 0, "kinesis: records per PutRecords call (1 = PutRecord)")
	fs.DurationVar(&o.drv.Linger, "linger", 0, "kinesis/kafka: wait this long to fill a batch")
	fs.IntVar(&o.drv.MaxRetries, "max-retries", 0, "kinesis: retries after throttling (default 3; 0 = none)")
	fs.BoolVar(&o.drv.NoRetries, "no-retries", false, "kinesis: never retry throttled records")
	fs.StringVar(&o.brokers, "brokers", "127.0.0.1:9092", "kafka: seed brokers, comma separated")
	fs.StringVar(&o.drv.Acks, "acks", "", "kafka: all | leader | none")
	fs.StringVar(&o.drv.Compression, "compression", "", "kafka: none | gzip | snappy | lz4 | zstd")
	fs.IntVar(&o.drv.BatchMaxBytes, "batch-max-bytes", 0, "kafka: producer batch size in bytes")
	fs.IntVar(&o.drv.ReplicationFactor, "replication-factor", 0, "kafka: replication factor of a created topic")
	cmd.AddCommand(newBenchMergeCmd(io), newBenchSearchCmd(io))
	return cmd
}

func benchRun(ctx context.Context, io *streams, o *benchOptions) error {
	if err := checkOutput(o.output, "text", "json"); err != nil {
		return err
	}
	ref := o.scenario
	if ref == "" && !o.set("rate") {
		ref = defaultScenario
	}
	w, err := scenarios.Resolve(ref, o.ov)
	if err != nil {
		return asUsage(err)
	}
	spec := model.BenchSpec{}
	if w.Bench != nil {
		spec = *w.Bench
	}
	if !o.set("target") && spec.Target != "" {
		o.drv.Target = spec.Target
	}
	if o.drv.Shards == 0 {
		o.drv.Shards = spec.Shards
	}
	if o.drv.Shards == 0 && o.drv.Target != targets.Kafka {
		// bench what the plan chose
		p, err := model.PlanKinesis(*w, model.DefaultPrices())
		if err != nil {
			return asUsage(err)
		}
		o.drv.Shards = p.Shards
	}
	opts := bench.Options{
		Target:      o.drv.Target,
		Workload:    *w,
		Duration:    pick(o.set("duration"), o.duration.D(), spec.Duration.D(), 60*time.Second),
		Warmup:      pick(o.set("warmup"), o.warmup.D(), spec.Warmup.D(), 5*time.Second),
		Records:     o.records,
		MaxInflight: o.maxInflight,
		CatchUp:     o.catchUp,
		Consumers:   o.consumers,
		Stream:      o.drv.Stream,
		Shards:      o.drv.Shards,
		Seed:        o.seed,
		PayloadFile: o.payloadFile,
		FailFast:    o.failFast,
		Progress:    io.ErrOut,
		IsTTY:       io.ErrTTY,
		Quiet:       o.quiet,
	}
	if o.set("profile") {
		opts.Profile = o.profile
	}
	if o.set("interval") {
		opts.Interval = o.interval.D()
	}
	if opts.MaxInflight == 0 {
		opts.MaxInflight = spec.MaxInflight
	}
	if opts.Consumers < 0 {
		opts.Consumers = len(w.Consumers)
	}
	if o.set("records") && !o.set("duration") {
		opts.Duration = 0
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
	if err := writeBenchResult(io, o.output, o.out, o.hlog, res); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	return sloFailure(bench.CheckSLO(res, w.SLO))
}

// pick returns the flag value when set, else the scenario value when
// non-zero, else the default.
func pick(flagSet bool, flagV, scenarioV, def time.Duration) time.Duration {
	switch {
	case flagSet:
		return flagV
	case scenarioV > 0:
		return scenarioV
	default:
		return def
	}
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

// writeFile writes path through fn, syncing before close so a result that
// was reported as written is on disk.
func writeFile(path string, fn func(*os.File) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := fn(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// sloFailure turns SLO violations into a failureError (exit 1).
func sloFailure(v []bench.SLOViolation) error {
	if len(v) == 0 {
		return nil
	}
	msgs := make([]string, len(v))
	for i, x := range v {
		msgs[i] = x.String()
	}
	return &failureError{strings.Join(msgs, "; ")}
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
