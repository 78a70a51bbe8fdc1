package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/streamcap/streamcap/loadgen"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// Defaults of a benchmark run, defined here and nowhere else: Options.Resolve
// applies them for the CLI, verify and library callers alike.
const (
	// DefaultDuration is the measured time when neither Options, the
	// scenario's bench block nor a record count bounds the run.
	DefaultDuration = 60 * time.Second
	// DefaultWarmup runs before measurement when neither Options nor the
	// scenario set one (NoWarmup asks for none).
	DefaultWarmup = 5 * time.Second
	// DefaultSetupTimeout bounds driver.Setup.
	DefaultSetupTimeout = 2 * time.Minute
	// DefaultE2EDrain bounds the wait for consumers to see the last records.
	DefaultE2EDrain = 5 * time.Second
	// DefaultStream is the stream (Kinesis, embedded) or topic (Kafka) every
	// driver uses when none is named.
	DefaultStream = "streamcap-bench"
	// DefaultRecordSize is the record size of a workload that sets none.
	DefaultRecordSize = 1000
	// consumerStopWait bounds the wait for Consume calls to return after
	// their context is canceled.
	consumerStopWait = 5 * time.Second
)

// NoWarmup as Options.Warmup asks for no warm-up (the zero value selects
// DefaultWarmup).
const NoWarmup time.Duration = -1

// ErrInvalidOptions wraps every error Run returns for options it rejects
// before touching the target (the CLI exits 2 on it).
var ErrInvalidOptions = errors.New("invalid benchmark options")

// Options configure one benchmark run. Zero values take the scenario's
// bench block (Workload.Bench: target, duration, warm-up, shards, max
// in-flight) when it sets them, else the documented defaults;
// Workload.Rate (or Profile) is the only required field.
type Options struct {
	// Target names the target in the result (embedded, kinesis, kafka).
	Target string
	// Workload supplies the rate, record sizes and partition keys.
	Workload model.Workload
	// Profile overrides the constant rate Workload.Rate (ramp, steps,
	// max); zero means loadgen.Constant(Workload.Rate).
	Profile loadgen.Profile
	// Duration is the measured time (default: the scenario's, else
	// DefaultDuration; 0 with Records > 0 means until Records are sent).
	// Warmup runs before it (default: the scenario's, else DefaultWarmup;
	// NoWarmup for none).
	Duration time.Duration
	Warmup   time.Duration
	// Records stops after this many measured sends (0 = no limit).
	Records int64
	// MaxInflight bounds concurrent sends (default
	// loadgen.DefaultMaxInflight).
	MaxInflight int
	// CatchUp bounds the send rate while behind to CatchUp × the target
	// (default 2; +Inf unbounded).
	CatchUp float64
	// Interval is the timeline resolution (default 1 s).
	Interval time.Duration
	// Consumers is the number of end-to-end consumers (default 0: no
	// end-to-end latency).
	Consumers int
	// Stream is the stream or topic ("": the driver's own, whose default
	// is DefaultStream); Shards the shard or partition count to create
	// when it is missing (0: the scenario's, else the driver's choice).
	Stream string
	Shards int
	// Consumer describes how the end-to-end consumers read ("polling
	// every 1s", "push (subscribe)"); it is recorded in the result so every
	// report says where the end-to-end figures come from.
	Consumer string
	// Seed fixes keys, sizes and payload content (default 0).
	Seed uint64
	// PayloadFile, when set, supplies the records (one per line) instead
	// of Workload.RecordSize.
	PayloadFile string
	// FailFast ends the run at the first send error.
	FailFast bool
	// NoSpin paces with sleeps only (loadgen.NoSpin): no busy-wait
	// before each send, for runs where that CPU matters more than
	// tens of microseconds of send lag.
	NoSpin bool
	// SetupTimeout bounds driver.Setup (default 2 min); E2EDrain bounds the
	// wait for consumers to see the last records (default 5 s);
	// DrainTimeout bounds the wait for in-flight sends (default 10 s).
	SetupTimeout time.Duration
	E2EDrain     time.Duration
	DrainTimeout time.Duration
	// Progress receives the live progress line when IsTTY and not Quiet.
	Progress io.Writer
	IsTTY    bool
	Quiet    bool
	// Clock is the time source (default loadgen.RealClock).
	Clock loadgen.Clock
	// Slice makes this run one worker's share of a schedule several
	// generators send together; StartAt is their shared t0 (see
	// loadgen.Config). Both zero: a whole run starting now.
	Slice   loadgen.Slice
	StartAt time.Time
}

// Run benchmarks driver with opts: it sets the target up, starts
// opts.Consumers consumers that record end-to-end latency, drives
// driver.Send from the load generator, waits (bounded) for the consumers
// to see the last records, and returns the result. Errors from the target
// are counted, not fatal: the run ends at its duration (or at the first
// error with FailFast) and the partial result is returned together with
// the fail-fast error. A canceled ctx ends the run early with a partial
// result and no error. Run does not Close driver.
func Run(ctx context.Context, opts Options, driver Driver) (*Result, error) {
	cfg, settings, err := opts.loadgenConfig()
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidOptions, err)
	}
	clock := cfg.Clock

	setupCtx, cancelSetup := context.WithTimeout(ctx, opts.SetupTimeout)
	err = driver.Setup(setupCtx, Topology{Stream: opts.Stream, Shards: opts.Shards, Consumers: opts.Consumers})
	cancelSetup()
	if err != nil {
		return nil, fmt.Errorf("setup %s target: %w", opts.Target, err)
	}

	// Consumers run until the producer is done and they caught up.
	consCtx, stopConsumers := context.WithCancel(context.WithoutCancel(ctx))
	defer stopConsumers()
	recs := make([]*loadgen.E2E, opts.Consumers)
	var wg sync.WaitGroup
	var cmu sync.Mutex
	var consumerErrs []string
	for i := range recs {
		rec := loadgen.NewE2E()
		recs[i] = rec
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := driver.Consume(consCtx, i, func(d Delivery) { rec.Record(d.Payload, d.ReceivedAt) })
			if err != nil && !errors.Is(err, context.Canceled) {
				cmu.Lock()
				consumerErrs = append(consumerErrs, fmt.Sprintf("consumer %d: %v", i, err))
				cmu.Unlock()
			}
		}()
	}
	cfg.E2E = recs

	prog := newProgressLine(opts.Progress, opts.IsTTY && !opts.Quiet)
	cfg.OnInterval = prog.update
	lres, runErr := loadgen.Run(ctx, cfg, driver.Send)
	prog.finish()
	if lres == nil {
		stopConsumers()
		return nil, runErr
	}

	if opts.Consumers > 0 {
		waitE2E(ctx, clock, recs, lres.Counts.Acked*int64(opts.Consumers), opts.E2EDrain)
	}
	stopConsumers()
	waitGroup(&wg, clock, consumerStopWait)

	res, err := newResult(opts, settings, driver.Info(), lres, recs)
	if err != nil {
		return nil, err
	}
	cmu.Lock()
	res.ConsumerErrors = append([]string(nil), consumerErrs...)
	cmu.Unlock()
	return res, runErr
}

// waitE2E polls until the consumers recorded want measured records, the
// drain time is up, or ctx ends.
func waitE2E(ctx context.Context, clock loadgen.Clock, recs []*loadgen.E2E, want int64, drain time.Duration) {
	deadline := clock.Now().Add(drain)
	t := clock.NewTimer(0)
	defer t.Stop()
	for {
		var got int64
		for _, r := range recs {
			_, c := r.Snapshot()
			got += c.Received
		}
		if got >= want || !clock.Now().Before(deadline) {
			return
		}
		t.Reset(10 * time.Millisecond)
		select {
		case <-t.C():
		case <-ctx.Done():
			return
		}
	}
}

// waitGroup waits for wg at most d (a driver whose Consume ignores its
// context must not hang the run).
func waitGroup(wg *sync.WaitGroup, clock loadgen.Clock, d time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C():
	}
}

// Resolve returns opts with every unset field filled, in one order for
// every caller: the field as given, else the scenario's bench block
// (Workload.Bench: target, duration, warm-up, shards, max in-flight), else
// the defaults above. It rejects values outside their range. Run calls it;
// callers that print or record the settings may call it first.
func (opts Options) Resolve() (Options, error) {
	if b := opts.Workload.Bench; b != nil {
		if opts.Target == "" {
			opts.Target = b.Target
		}
		if opts.Duration == 0 && opts.Records == 0 {
			opts.Duration = b.Duration.D()
		}
		if opts.Warmup == 0 {
			opts.Warmup = b.Warmup.D()
		}
		if opts.Shards == 0 {
			opts.Shards = b.Shards
		}
		if opts.MaxInflight == 0 {
			opts.MaxInflight = b.MaxInflight
		}
	}
	if opts.Profile.Kind == "" {
		opts.Profile = loadgen.Constant(opts.Workload.Rate)
	}
	if opts.Duration == 0 && opts.Records == 0 && opts.Profile.Kind != loadgen.ProfileSteps {
		opts.Duration = DefaultDuration
	}
	switch {
	case opts.Warmup == 0:
		opts.Warmup = DefaultWarmup
	case opts.Warmup == NoWarmup:
		opts.Warmup = 0
	case opts.Warmup < 0:
		return opts, fmt.Errorf("warmup %v: must be at least 0s", opts.Warmup)
	}
	if opts.Duration < 0 {
		return opts, fmt.Errorf("duration %v: must be more than 0s (or 0 with a record count)", opts.Duration)
	}
	if opts.SetupTimeout == 0 {
		opts.SetupTimeout = DefaultSetupTimeout
	}
	if opts.E2EDrain == 0 {
		opts.E2EDrain = DefaultE2EDrain
	}
	if opts.Clock == nil {
		opts.Clock = loadgen.RealClock{}
	}
	if opts.Consumers < 0 || opts.Consumers > 64 {
		return opts, fmt.Errorf("consumers %d: must be between 0 and 64", opts.Consumers)
	}
	if opts.Shards < 0 {
		return opts, fmt.Errorf("shards %d: must be at least 0", opts.Shards)
	}
	if opts.SetupTimeout < 0 || opts.E2EDrain < 0 {
		return opts, fmt.Errorf("setup timeout %v and e2e drain %v: must be at least 0s", opts.SetupTimeout, opts.E2EDrain)
	}
	if err := opts.checkSlice(); err != nil {
		return opts, err
	}
	return opts, nil
}

// loadgenConfig resolves opts in place and builds the generator
// configuration.
func (opts *Options) loadgenConfig() (loadgen.Config, Settings, error) {
	resolved, err := opts.Resolve()
	if err != nil {
		return loadgen.Config{}, Settings{}, err
	}
	*opts = resolved
	keys, err := loadgen.NewKeys(opts.Workload.Keys)
	if err != nil {
		return loadgen.Config{}, Settings{}, err
	}
	var payloads *loadgen.Payloads
	if opts.PayloadFile != "" {
		payloads, err = loadgen.PayloadsFromFile(opts.PayloadFile, opts.Workload.MaxRecordSize)
	} else {
		payloads, err = loadgen.NewPayloads(RecordSize(opts.Workload), opts.Workload.MaxRecordSize, opts.Seed)
	}
	if err != nil {
		return loadgen.Config{}, Settings{}, err
	}
	cfg := loadgen.Config{
		Profile: opts.Profile, Warmup: opts.Warmup, Duration: opts.Duration, Records: opts.Records,
		MaxInflight: opts.MaxInflight, CatchUp: opts.CatchUp, Interval: opts.Interval,
		DrainTimeout: opts.DrainTimeout, Keys: keys, Payloads: payloads, Seed: opts.Seed,
		Clock: opts.Clock, FailFast: opts.FailFast, Slice: opts.Slice, StartAt: opts.StartAt,
	}
	if opts.NoSpin {
		cfg.SpinWindow = loadgen.NoSpin
	}
	st := Settings{
		Profile:      opts.Profile.String(),
		Duration:     units.Duration(opts.Duration).String(),
		Warmup:       units.Duration(opts.Warmup).String(),
		Records:      opts.Records,
		MaxInflight:  orDefault(opts.MaxInflight, loadgen.DefaultMaxInflight),
		CatchUp:      catchUpString(opts.CatchUp),
		Interval:     units.Duration(orDefaultDur(opts.Interval, loadgen.DefaultInterval)).String(),
		Consumers:    opts.Consumers,
		Consumer:     consumerOf(opts),
		Stream:       opts.Stream,
		Shards:       opts.Shards,
		Seed:         opts.Seed,
		RecordSize:   sizeString(opts.Workload.RecordSize),
		Keys:         keysString(opts.Workload.Keys),
		PayloadFile:  opts.PayloadFile,
		FailFast:     opts.FailFast,
		NoSpin:       opts.NoSpin,
		LateAfterNS:  int64(loadgen.DefaultLateThreshold),
		GeneratorCPU: runtime.GOMAXPROCS(0),
	}
	if opts.PayloadFile != "" {
		st.RecordSize = "file"
	}
	return cfg, st, nil
}

func orDefault(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

func orDefaultDur(v, d time.Duration) time.Duration {
	if v == 0 {
		return d
	}
	return v
}

func catchUpString(f float64) string {
	switch {
	case f == 0:
		f = loadgen.DefaultCatchUp
	case math.IsInf(f, 1):
		return "unbounded"
	}
	return strconv.FormatFloat(f, 'g', -1, 64) + "x"
}

func sizeString(d model.SizeDist) string {
	switch d.Kind {
	case model.SizeUniform:
		return fmt.Sprintf("uniform:%v-%v", d.Min, d.Max)
	case model.SizeWeighted:
		s := "weighted:"
		for i, w := range d.Weighted {
			if i > 0 {
				s += ","
			}
			s += fmt.Sprintf("%v@%g", w.Size, w.Weight)
		}
		return s
	}
	if d.Fixed == 0 {
		return units.Bytes(DefaultRecordSize).String()
	}
	return d.Fixed.String()
}

func keysString(k model.KeySpec) string {
	n := orDefault(k.Count, 10000)
	d := k.Distribution
	switch d.Kind {
	case model.KeysZipf:
		return fmt.Sprintf("%d zipf:%g", n, d.S)
	case model.KeysHot:
		return fmt.Sprintf("%d hot:%g:%d", n, d.HotFraction, d.HotKeys)
	}
	return fmt.Sprintf("%d uniform", n)
}

// newResult converts the generator's result and the consumers' recorders
// into a Result.
func newResult(opts Options, st Settings, info DriverInfo, lr *loadgen.Result, recs []*loadgen.E2E) (*Result, error) {
	r := &Result{
		Schema:       SchemaVersion,
		Target:       opts.Target,
		Driver:       info,
		Settings:     st,
		Runs:         1,
		StartedAt:    lr.Start.UTC(),
		ElapsedNS:    int64(lr.Elapsed),
		TargetRate:   lr.TargetRate,
		AchievedRate: lr.AchievedRate,
		StopReason:   lr.StopReason,
		Counts:       lr.Counts,
		Errors:       nonNil(lr.Errors),
		Throttles:    nonNil(lr.Throttles),
		Timeline:     lr.Intervals,
	}
	if r.Timeline == nil {
		r.Timeline = []loadgen.Interval{}
	}
	r.Distributed = distributedOf(opts.Target, st, lr)
	if lr.Pacing.Hybrid && lr.Pacing.Waits > 0 {
		p := lr.Pacing
		r.Pacing = &p
	}
	e2e, ec := loadgen.MergeE2E(recs...)
	r.E2ECounts = ec
	var err error
	for _, x := range []struct {
		dst *Latency
		h   *hdr.Histogram
	}{{&r.Response, lr.Response}, {&r.Service, lr.Service}, {&r.SendLag, lr.SendLag}, {&r.E2E, e2e}} {
		if *x.dst, err = summarize(x.h); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// consumerOf is how the run read its records: none when no consumer ran,
// whatever reading the target would have used.
func consumerOf(opts *Options) string {
	if opts.Consumers == 0 {
		return ""
	}
	return opts.Consumer
}

func nonNil(e []loadgen.ErrorCount) []loadgen.ErrorCount {
	if e == nil {
		return []loadgen.ErrorCount{}
	}
	return e
}

// RecordSize is the size distribution a benchmark of w sends: w's, or
// DefaultRecordSize when w sets none (the one place that default applies).
func RecordSize(w model.Workload) model.SizeDist {
	if rs := w.RecordSize; rs.Kind != "" || rs.Fixed != 0 {
		return rs
	}
	return model.SizeDist{Kind: model.SizeFixed, Fixed: DefaultRecordSize}
}
