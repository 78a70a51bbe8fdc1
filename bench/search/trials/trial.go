package trials

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/driver/embedded"
	"github.com/streamcap/streamcap/bench/engine"
	"github.com/streamcap/streamcap/bench/search"
	"github.com/streamcap/streamcap/bench/targets"
	"github.com/streamcap/streamcap/model/units"
)

// DefaultLagSample is how often TargetTrial samples consumer backlog, and
// the bucket it keeps the lowest backlog of (see lagDriver).
const DefaultLagSample = 100 * time.Millisecond

// TrialOptions configure TargetTrial.
type TrialOptions struct {
	// Bench is the template of every trial's benchmark: workload (its
	// rate is replaced by the trial's), consumers, shards, seed, max
	// in-flight. Its Duration, Warmup, Profile and Stream are set per
	// trial.
	Bench bench.Options
	// Driver selects and configures the target (targets.Options). The
	// embedded target gets a fresh engine per trial (in memory, or a
	// trial-N directory under DataDir) whose shards start without burst
	// credit, as `verify` does; the others get a fresh stream or topic
	// named Stream-RunID-N.
	Driver targets.Options
	// RunID makes the per-trial stream names unique across searches
	// (default: the start time in base 36).
	RunID string
	// KeepStreams leaves each trial's stream or topic in place; by default
	// a trial deletes the one its driver created (bench.Remover) once it
	// has run, so a search against a paid service leaves nothing behind.
	KeepStreams bool
	// LagSample is the backlog sampling period (default
	// DefaultLagSample).
	LagSample time.Duration
}

// TargetTrial returns a Trial that benchmarks a fresh target per trial
// with bench.Run: a new engine (embedded) or a new stream or topic
// (kinesis, kafka), so no trial inherits another's backlog or spent
// credit. When the template runs consumers, it counts acknowledged sends
// and each consumer's deliveries and samples the slowest consumer's
// backlog every LagSample.
func TargetTrial(o TrialOptions) search.Trial {
	if o.RunID == "" {
		o.RunID = strconv.FormatInt(time.Now().Unix(), 36)
	}
	if o.LagSample <= 0 {
		o.LagSample = DefaultLagSample
	}
	var n atomic.Int64
	return func(ctx context.Context, rate units.EventRate, d search.Durations) (*search.Measurement, error) {
		return runTrial(ctx, o, int(n.Add(1)), rate, d)
	}
}

// runTrial runs trial number n.
func runTrial(ctx context.Context, o TrialOptions, n int, rate units.EventRate, d search.Durations) (*search.Measurement, error) {
	bo := o.Bench
	bo.Workload.Rate = rate
	bo.Profile.Kind = ""
	bo.Duration, bo.Warmup, bo.Records = d.Measure, d.Warmup, 0
	drv, err := freshDriver(o, n)
	if err != nil {
		return nil, err
	}
	defer drv.Close()
	if bo.Target == "" {
		bo.Target = drv.Info().Name
	}
	if bo.Stream == "" {
		bo.Stream = o.Driver.Stream
	}
	if o.Driver.Target != "" && o.Driver.Target != targets.Embedded {
		bo.Stream = trialStream(o.Driver.Stream, o.RunID, n)
	}
	ld := &lagDriver{Driver: drv}
	stop := func() []timedLag { return nil }
	if bo.Consumers > 0 {
		ld.recv = make([]atomic.Int64, bo.Consumers)
		stop = ld.sample(o.LagSample)
	}
	res, err := bench.Run(ctx, bo, ld)
	samples := stop()
	if rm, ok := drv.(bench.Remover); ok && !o.KeepStreams {
		// Deleted even when the trial failed or was cancelled: a fresh context, bounded by the driver.
		if name, rerr := rm.RemoveCreated(context.WithoutCancel(ctx)); rerr != nil {
			// The run's own error, if any, is kept beside the cleanup's.
			return nil, errors.Join(err, fmt.Errorf("trial %d: %w (delete %q yourself, or it keeps costing)", n, rerr, name))
		}
	}
	if res == nil {
		return nil, err
	}
	if err != nil && ctx.Err() == nil {
		return nil, err
	}
	m := &search.Measurement{Result: res}
	end := res.StartedAt.Add(res.Elapsed())
	for _, s := range samples {
		if !s.at.Before(res.StartedAt) && !s.at.After(end) {
			m.Lag = append(m.Lag, search.LagSample{At: s.at.Sub(res.StartedAt), Records: s.lag})
		}
	}
	return m, ctx.Err()
}

// trialStream names trial n's stream or topic.
func trialStream(base, run string, n int) string {
	if base == "" {
		base = bench.DefaultStream
	}
	return fmt.Sprintf("%s-%s-%d", base, run, n)
}

// freshDriver builds trial n's driver: a new engine for the embedded
// target, a new stream name for the others.
func freshDriver(o TrialOptions, n int) (bench.Driver, error) {
	do := o.Driver
	if do.Target != "" && do.Target != targets.Embedded {
		do.Stream = trialStream(do.Stream, o.RunID, n)
		d, err := targets.New(do)
		if err != nil {
			return nil, fmt.Errorf("trial %d: %w", n, err)
		}
		return d, nil
	}
	eo := engine.Options{InMemory: do.DataDir == "", LimitsOff: do.LimitsOff, NoBurstCredit: true}
	if do.DataDir != "" {
		eo.Dir = filepath.Join(do.DataDir, "trial-"+strconv.Itoa(n))
		fs, err := engine.ParseFsyncPolicy(do.Fsync)
		if err != nil {
			return nil, fmt.Errorf("fsync %q: %w", do.Fsync, err)
		}
		eo.Fsync = fs
	}
	eng, err := engine.Open(eo)
	if err != nil {
		return nil, fmt.Errorf("trial %d: %w", n, err)
	}
	d, err := embedded.New(embedded.Options{Engine: eng, Stream: do.Stream, Shards: do.Shards, Consumer: targets.DriverConsumer(targets.Embedded, do.Consumer), PollInterval: do.PollInterval})
	if err != nil {
		eng.Close()
		return nil, fmt.Errorf("trial %d: %w", n, err)
	}
	return ownedEngine{d, eng}, nil
}

// ownedEngine closes the trial's engine with its driver.
type ownedEngine struct {
	*embedded.Driver
	eng *engine.Engine
}

func (o ownedEngine) Close() error {
	err := o.Driver.Close()
	if cerr := o.eng.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close trial engine: %w", cerr)
	}
	return err
}

// lagDriver counts acknowledged sends and each consumer's deliveries, and
// keeps the slowest consumer's backlog at its lowest in each bucket of
// time: observed at every delivery (so the backlog just after a poll is
// seen exactly, not wherever a sampling tick falls in a poll's saw-tooth)
// and by a periodic sampler (so a consumer that stopped receiving still
// shows its backlog growing).
type lagDriver struct {
	bench.Driver
	acked  atomic.Int64
	recv   []atomic.Int64
	bucket time.Duration

	mu   sync.Mutex
	t0   time.Time
	mins []timedLag // one per bucket observed, in time order
}

type timedLag struct {
	at  time.Time
	lag int64
}

func (d *lagDriver) Send(ctx context.Context, key string, payload []byte) error {
	err := d.Driver.Send(ctx, key, payload)
	if err == nil {
		d.acked.Add(1)
	}
	return err
}

func (d *lagDriver) Consume(ctx context.Context, index int, fn func(bench.Delivery)) error {
	if index < 0 || index >= len(d.recv) {
		return d.Driver.Consume(ctx, index, fn)
	}
	c := &d.recv[index]
	return d.Driver.Consume(ctx, index, func(dl bench.Delivery) {
		c.Add(1)
		d.observe(time.Now())
		fn(dl)
	})
}

// observe records the slowest consumer's backlog now, keeping the lowest
// per bucket.
func (d *lagDriver) observe(now time.Time) {
	acked := d.acked.Load()
	var worst int64
	for i := range d.recv {
		worst = max(worst, acked-d.recv[i].Load())
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.t0.IsZero() {
		d.t0 = now
	}
	n := len(d.mins)
	if n > 0 && now.Sub(d.t0)/d.bucket == d.mins[n-1].at.Sub(d.t0)/d.bucket {
		if worst < d.mins[n-1].lag {
			d.mins[n-1] = timedLag{now, worst}
		}
		return
	}
	d.mins = append(d.mins, timedLag{now, worst})
}

// sample observes the backlog every period until the returned function is
// called; that function returns the per-bucket minima.
func (d *lagDriver) sample(period time.Duration) func() []timedLag {
	d.bucket = period
	d.observe(time.Now())
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				d.observe(now)
			}
		}
	}()
	return func() []timedLag {
		close(done)
		wg.Wait()
		d.mu.Lock()
		defer d.mu.Unlock()
		return append([]timedLag(nil), d.mins...)
	}
}
