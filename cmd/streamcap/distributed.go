package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/kube"
	"github.com/streamcap/streamcap/loadgen"
	"github.com/streamcap/streamcap/model/units"
	"github.com/streamcap/streamcap/scenarios"
)

// indexEnvs are the variables schedulers set to a worker's index, in the
// order they are consulted: Kubernetes Indexed Jobs, then Nomad.
var indexEnvs = [...]string{kube.IndexEnv, "NOMAD_ALLOC_INDEX"}

// sliceFlags are bench's flags for running as one worker of N.
type sliceFlags struct {
	workers int
	index   int // -1: from the environment
	startAt string
	emit    bool
}

func (f *sliceFlags) register(fs *pflag.FlagSet) {
	fs.IntVar(&f.workers, "workers", 1, "run as one of this many workers that share the schedule exactly (worker I sends sends k ≡ I mod N)")
	fs.IntVar(&f.index, "worker-index", -1, "this worker's index, 0 to N-1 (default: $JOB_COMPLETION_INDEX, else $NOMAD_ALLOC_INDEX)")
	fs.StringVar(&f.startAt, "start-at", "", "shared start of the schedule, t0: RFC 3339 time, or +DURATION from now")
	fs.BoolVar(&f.emit, "emit-result", false, "also print the result JSON on marked log lines (for bench collect)")
}

// resolve turns the flags into the loadgen slice and t0, reading the
// worker index from the scheduler's variable when no flag gives it.
func (f *sliceFlags) resolve(getenv func(string) string, now time.Time) (loadgen.Slice, time.Time, error) {
	var t0 time.Time
	if f.startAt != "" {
		var err error
		if t0, err = parseStartAt(f.startAt, now); err != nil {
			return loadgen.Slice{}, t0, err
		}
	}
	if f.workers < 1 || f.workers > loadgen.MaxSliceWorkers {
		return loadgen.Slice{}, t0, usagef("--workers %d: must be between 1 and %d", f.workers, loadgen.MaxSliceWorkers)
	}
	s := loadgen.Slice{Workers: f.workers, Index: f.index}
	if f.workers == 1 {
		if f.index > 0 {
			return s, t0, usagef("--worker-index %d: needs --workers above %d", f.index, f.index)
		}
		return loadgen.Slice{}, t0, nil
	}
	if s.Index < 0 {
		for _, name := range indexEnvs {
			v := getenv(name)
			if v == "" {
				continue
			}
			i, err := strconv.Atoi(v)
			if err != nil {
				return s, t0, usagef("$%s %s: not a worker index (0 to %d)", name, units.Quote(v), f.workers-1)
			}
			s.Index = i
			break
		}
		if s.Index < 0 {
			return s, t0, usagef("--workers %d: this worker's index is unknown; give --worker-index or set $%s", f.workers, kube.IndexEnv)
		}
	}
	if err := s.Validate(); err != nil {
		return s, t0, usagef("--%w", err)
	}
	if t0.IsZero() {
		return s, t0, usagef("--workers %d: give every worker the same --start-at, so they share t0", f.workers)
	}
	return s, t0, nil
}

// parseStartAt reads an RFC 3339 time or +DURATION (from now).
func parseStartAt(v string, now time.Time) (time.Time, error) {
	if rest, ok := strings.CutPrefix(v, "+"); ok {
		var d units.Duration
		if err := d.Set(rest); err != nil || d.D() < 0 {
			return time.Time{}, usagef("--start-at %s: want an RFC 3339 time (2026-12-01T21:00:00Z) or +DURATION (+30s)", units.Quote(v))
		}
		return now.Add(d.D()).Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, usagef("--start-at %s: want an RFC 3339 time (2026-12-01T21:00:00Z) or +DURATION (+30s)", units.Quote(v))
	}
	return t, nil
}

// path puts the worker's index into a file name given with {index}.
func (f *sliceFlags) path(p string, s loadgen.Slice) string {
	return strings.ReplaceAll(p, "{index}", strconv.Itoa(s.Index))
}

// kubeOptions is what `streamcap bench kube` needs.
type kubeOptions struct {
	kube.Options
	startAt string
	runFor  units.Duration
	output  string
}

func newBenchKubeCmd(io *streams) *cobra.Command {
	o := &kubeOptions{}
	cmd := &cobra.Command{
		Use:   "kube [SCENARIO.yaml | BUNDLED-NAME] --workers N --image IMAGE [-- BENCH FLAGS...]",
		Short: "Print the Kubernetes manifests that run a benchmark as N exact slices (an Indexed Job)",
		Long: `Print a ConfigMap holding the scenario and an Indexed Job whose N pods each run
'streamcap bench' as one worker: pod I (JOB_COMPLETION_INDEX) sends the global sends
k ≡ I (mod N) at their intended times from one shared t0, so together they send exactly
the schedule one generator would. Each worker prints its result on marked log lines;
'streamcap bench collect --job NAME' gathers and merges them (histograms added).
Flags after -- are passed to every worker's bench unchanged. See docs/distributed.md.`,
		Example: `  streamcap bench kube kds-3000x1kb --workers 3 --image registry.example/streamcap:1.0 \
      -- --target kinesis --endpoint http://kinesis.load.svc:4567 > job.yaml
  kubectl apply -f job.yaml
  streamcap bench collect --job streamcap-bench --namespace default`,
		RunE: func(cmd *cobra.Command, args []string) error {
			dash := cmd.ArgsLenAtDash()
			pos := args
			if dash >= 0 {
				pos, o.Args = args[:dash], args[dash:]
			}
			if len(pos) > 1 {
				return usagef("bench kube takes at most 1 scenario before --, got %d: %q", len(pos), pos)
			}
			if len(pos) == 1 {
				if err := o.loadScenario(pos[0]); err != nil {
					return err
				}
			}
			return kubeRun(io, o, time.Now())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Name, "name", kube.DefaultName, "Job and ConfigMap name")
	fs.StringVar(&o.Namespace, "namespace", kube.DefaultNamespace, "namespace")
	fs.StringVar(&o.Image, "image", "", "container image whose entry point is streamcap (required; see Dockerfile)")
	fs.IntVar(&o.Workers, "workers", 0, "number of workers (the Job's completions and parallelism; required)")
	fs.StringVar(&o.startAt, "start-at", "+60s", "t0 for every worker: RFC 3339, or +DURATION resolved now (leave time to pull images and schedule pods)")
	fs.Var(&o.runFor, "run-for", "longest the run may take after t0, for the Job's deadline (default 10m)")
	fs.StringVar(&o.CPU, "cpu", kube.DefaultCPU, "CPU request and limit per worker")
	fs.StringVar(&o.Memory, "memory", kube.DefaultMemory, "memory request and limit per worker")
	fs.StringVar(&o.ResultsClaim, "results-claim", "", "also write each result to this PersistentVolumeClaim (results always come back in the logs)")
	fs.StringVarP(&o.output, "output", "o", "yaml", "manifest format: yaml | json")
	return cmd
}

// loadScenario reads a scenario file or bundled name for the ConfigMap,
// validating it first so a bad scenario fails here, not in N pods.
func (o *kubeOptions) loadScenario(ref string) error {
	if _, err := scenarios.Resolve(ref, scenarios.Overrides{}); err != nil {
		return asUsage(err)
	}
	if data, err := scenarios.Source(ref); err == nil {
		o.Scenario, o.ScenarioFile = data, ref+".yaml"
		return nil
	}
	data, err := os.ReadFile(ref)
	if err != nil {
		return asUsage(fmt.Errorf("scenario %s: %w", units.Quote(ref), err))
	}
	o.Scenario, o.ScenarioFile = data, filepath.Base(ref)
	return nil
}

func kubeRun(io *streams, o *kubeOptions, now time.Time) error {
	if err := checkOutput(o.output, "yaml", "json"); err != nil {
		return err
	}
	t0, err := parseStartAt(o.startAt, now)
	if err != nil {
		return err
	}
	o.StartAt, o.Now = t0, now
	o.RunFor = o.runFor.D()
	if o.RunFor == 0 {
		o.RunFor = 10 * time.Minute
	}
	objs, err := kube.Manifests(o.Options)
	if err != nil {
		return asUsage(err)
	}
	if o.output == "json" {
		return kube.WriteJSON(io.Out, objs)
	}
	return kube.WriteYAML(io.Out, objs)
}

// collectOptions is what `streamcap bench collect` needs.
type collectOptions struct {
	job, namespace, dir, output, out, kubectl string
}

func newBenchCollectCmd(io *streams) *cobra.Command {
	o := &collectOptions{}
	cmd := &cobra.Command{
		Use:   "collect [LOG-FILE | -]... | --job NAME",
		Short: "Gather the workers' results from their logs and merge them (histograms added)",
		Long: `Read the marked result lines that 'bench --emit-result' workers print — from log
files, standard input (-), or the pods of an Indexed Job through 'kubectl logs' — write
each worker's result, and merge them: counts summed, histograms added whole and per
interval aligned on t0. Refuses results of different schedules and names missing workers.`,
		Example: `  streamcap bench collect --job streamcap-bench --namespace load --dir results/
  kubectl logs -l app.kubernetes.io/instance=streamcap-bench --tail=-1 | streamcap bench collect -`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if (len(args) == 0) == (o.job == "") {
				return usagef("bench collect: give log files (or - for standard input), or --job, not both")
			}
			return collectRun(cmd.Context(), io, o, args)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.job, "job", "", "read the logs of this Indexed Job's pods with kubectl")
	fs.StringVar(&o.namespace, "namespace", kube.DefaultNamespace, "the Job's namespace (with --job)")
	fs.StringVar(&o.kubectl, "kubectl", "kubectl", "kubectl command (with --job)")
	fs.StringVar(&o.dir, "dir", "", "also write each worker's result here as result-INDEX.json")
	fs.StringVarP(&o.output, "output", "o", "text", "output format: text | json")
	fs.StringVar(&o.out, "out", "", "also write the merged result JSON to this file")
	return cmd
}

func collectRun(ctx context.Context, io *streams, o *collectOptions, files []string) error {
	if err := checkOutput(o.output, "text", "json"); err != nil {
		return err
	}
	var logs bytes.Buffer
	if o.job != "" {
		out, err := kube.JobLogs(ctx, o.kubectl, o.namespace, o.job, io.ErrOut)
		if err != nil {
			return err
		}
		logs.Write(out)
	}
	for _, f := range files {
		var err error
		if f == "-" {
			_, err = logs.ReadFrom(io.In)
		} else {
			var data []byte
			data, err = os.ReadFile(f)
			logs.Write(data)
		}
		if err != nil {
			return asUsage(fmt.Errorf("read %s: %w", f, err))
		}
		logs.WriteByte('\n')
	}
	got, err := bench.ReadLogLines(&logs)
	if err != nil {
		return asUsage(err)
	}
	if len(got) == 0 {
		return usagef("no %q lines found: were the workers run with --emit-result?", bench.LogLinePrefix)
	}
	rs := make([]*bench.Result, 0, len(got))
	for _, i := range slices.Sorted(maps.Keys(got)) {
		r := got[i]
		if o.dir != "" {
			path := filepath.Join(o.dir, fmt.Sprintf("result-%d.json", i))
			if err := writeFile(path, func(f *os.File) error { return bench.WriteJSON(f, r) }); err != nil {
				return err
			}
		}
		rs = append(rs, r)
	}
	m, err := bench.Merge(rs...)
	if err != nil {
		return asUsage(fmt.Errorf("workers %s: %w", bench.Workers(got), err))
	}
	return writeBenchResult(io, o.output, o.out, "", m)
}
