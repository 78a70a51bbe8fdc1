package loadgen

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	rtrace "runtime/trace"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/streamcap/streamcap/model"
)

// SendFunc writes one record and returns when the target acknowledged it
// (nil), refused it for capacity (an error wrapping ErrThrottled) or failed.
// It is called concurrently from up to Config.MaxInflight goroutines and
// must not retain payload after it returns. bench.Driver.Send has this
// signature.
type SendFunc func(ctx context.Context, key string, payload []byte) error

// Defaults applied by Config.withDefaults.
const (
	DefaultMaxInflight   = 1024
	DefaultCatchUp       = 2.0
	DefaultCatchUpBurst  = 10 * time.Millisecond
	DefaultLateThreshold = time.Millisecond
	DefaultStopGrace     = 100 * time.Millisecond
	DefaultInterval      = time.Second
	DefaultDrainTimeout  = 10 * time.Second
	// abortGrace is how long Run still waits for senders after canceling
	// their context at the end of the drain, before it gives up on them.
	abortGrace = time.Second
)

// Config is one generator run. The zero value of every field but Profile
// means its default.
type Config struct {
	// Profile is the rate over time (required).
	Profile Profile
	// Warmup runs at the profile's initial rate before measurement starts;
	// nothing sent during it is recorded (only counted). Default 0.
	Warmup time.Duration
	// Duration is the measured time after the warm-up; sends due later are
	// not made. 0 means no limit: Records, a steps profile's end or ctx
	// must end the run.
	Duration time.Duration
	// Records stops the run after this many measured sends; 0 = no limit.
	Records int64
	// MaxInflight bounds concurrent outstanding sends (the sender pool
	// grows up to it on demand). When every slot is busy the next send
	// waits and, if that makes it late, counts as in-flight-limited.
	// Default 1024. Ignored by ProfileMax (its Workers is the concurrency).
	MaxInflight int
	// CatchUp bounds the send rate while behind schedule to CatchUp × the
	// target rate. Default 2; math.Inf(1) removes the bound (owed sends
	// go back to back). Must be ≥ 1.
	CatchUp float64
	// CatchUpBurst is how far the catch-up schedule may lag the clock:
	// after a stall, CatchUpBurst × CatchUp × rate owed sends go back to
	// back before the CatchUp bound applies, and a sleep that wakes late
	// by less than this is made up instead of slowing the catch-up (it
	// absorbs timer and scheduler latency on a busy machine). Default
	// 10 ms.
	CatchUpBurst time.Duration
	// LateThreshold: a measured send issued more than this after its
	// intended time counts as late. Default 1 ms.
	LateThreshold time.Duration
	// StopGrace is how long past the end of the duration owed sends are
	// still issued; the rest count as missed. Default 100 ms.
	StopGrace time.Duration
	// Interval is the timeline resolution. Default 1 s.
	Interval time.Duration
	// DrainTimeout bounds the wait for in-flight sends once sending stops;
	// sends still outstanding then are canceled and counted unfinished.
	// Default 10 s.
	DrainTimeout time.Duration
	// Keys are the partition keys (default: NewKeys with model defaults).
	Keys *Keys
	// Payloads make the records (default: fixed 1000-byte records).
	Payloads *Payloads
	// Seed fixes keys and sizes chosen per sender. Default 0.
	Seed uint64
	// Clock is the time source. Default RealClock.
	Clock Clock
	// Shards is the number of recorders senders share (one per sender up
	// to this many). Default 2 × GOMAXPROCS.
	Shards int
	// MaxErrorKinds bounds the distinct error messages counted. Default
	// DefaultMaxErrorKinds.
	MaxErrorKinds int
	// FailFast ends the run at the first send error (throttles excepted);
	// Run then returns the partial result and that error.
	FailFast bool
	// E2E recorders are opened at the start of measurement, so records
	// sent during the warm-up are not recorded end to end.
	E2E []*E2E
	// OnInterval, when set, is called after each timeline interval from
	// the generator's snapshot goroutine (it must not block for long).
	OnInterval func(Progress)
	// Slice makes this run one worker's share of a schedule that several
	// generators send together (see Slice). Zero: the whole schedule.
	// Closed-loop profiles cannot be sliced.
	Slice Slice
	// StartAt, when set, is t0: the wall time the schedule (warm-up
	// included) starts, shared by every worker of a sliced run. Run waits
	// for it; a run that starts after it records the lateness (Result.
	// StartLag) and catches up within the CatchUp bound.
	StartAt time.Time
	// SpinWindow is the least stretch before a paced send's due time a
	// sender busy-waits on the monotonic clock (yielding every 10 µs),
	// after sleeping its thread until then; the pacing widens it to cover
	// how late the sleeps wake (wakeTracker). It buys send precision with
	// CPU (reported in Result.Pacing). Default DefaultSpinWindow, or
	// NoSpin on a one-CPU machine; NoSpin turns it off. At most 50 ms.
	SpinWindow time.Duration
	// TimerMargin: a paced sender waits on a Go timer only until this
	// long before its due time, then sleeps its thread (precise to the
	// timer slack) for the rest. Default DefaultTimerMargin; at least
	// SpinWindow and at most 50 ms. Both apply to the real clock only.
	TimerMargin time.Duration
}

func (c Config) withDefaults() (Config, error) {
	if err := c.Profile.Validate(); err != nil {
		return c, err
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.CatchUpBurst, DefaultCatchUpBurst)
	def(&c.LateThreshold, DefaultLateThreshold)
	def(&c.StopGrace, DefaultStopGrace)
	def(&c.Interval, DefaultInterval)
	def(&c.DrainTimeout, DefaultDrainTimeout)
	def(&c.TimerMargin, DefaultTimerMargin)
	if c.SpinWindow == 0 {
		c.SpinWindow = DefaultSpinWindow
		if runtime.NumCPU() == 1 {
			c.SpinWindow = NoSpin
		}
	}
	if c.MaxInflight == 0 {
		c.MaxInflight = DefaultMaxInflight
	}
	if c.CatchUp == 0 {
		c.CatchUp = DefaultCatchUp
	}
	if c.MaxErrorKinds == 0 {
		c.MaxErrorKinds = DefaultMaxErrorKinds
	}
	if c.Clock == nil {
		c.Clock = RealClock{}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"warmup", c.Warmup}, {"duration", c.Duration}, {"catch-up burst", c.CatchUpBurst}, {"late threshold", c.LateThreshold}, {"stop grace", c.StopGrace}, {"drain timeout", c.DrainTimeout}} {
		if d.v < 0 {
			return c, fmt.Errorf("%s %v: must be at least 0s", d.name, d.v)
		}
	}
	switch {
	case c.Interval < time.Millisecond:
		return c, fmt.Errorf("interval %v: must be at least 1ms", c.Interval)
	case c.Records < 0:
		return c, fmt.Errorf("records %d: must be at least 0", c.Records)
	case c.MaxInflight < 1 || c.MaxInflight > MaxWorkers:
		return c, fmt.Errorf("max inflight %d: must be between 1 and %d", c.MaxInflight, MaxWorkers)
	case !(c.CatchUp >= 1):
		return c, fmt.Errorf("catch-up factor %v: must be at least 1 (or +Inf for unbounded)", c.CatchUp)
	case c.MaxErrorKinds < 1:
		return c, fmt.Errorf("max error kinds %d: must be at least 1", c.MaxErrorKinds)
	case c.Shards < 0:
		return c, fmt.Errorf("shards %d: must be at least 0", c.Shards)
	case c.SpinWindow < NoSpin || c.SpinWindow > maxPacingWindow:
		return c, fmt.Errorf("spin window %v: must be between 0s and %v (or NoSpin)", c.SpinWindow, maxPacingWindow)
	case c.TimerMargin < 0 || c.TimerMargin > maxPacingWindow || c.TimerMargin < c.SpinWindow:
		return c, fmt.Errorf("timer margin %v: must be between the spin window (%v) and %v", c.TimerMargin, max(0, c.SpinWindow), maxPacingWindow)
	}
	if err := c.Slice.Validate(); err != nil {
		return c, err
	}
	if !c.Slice.Whole() && c.Profile.Kind == ProfileMax {
		return c, fmt.Errorf("workers %d: a %s (closed-loop) profile cannot be split exactly between workers; use constant, ramp or steps", c.Slice.Workers, ProfileMax)
	}
	if c.Keys == nil {
		k, err := NewKeys(model.KeySpec{})
		if err != nil {
			return c, err
		}
		c.Keys = k
	}
	if c.Payloads == nil {
		p, err := NewPayloads(model.SizeDist{Kind: model.SizeFixed, Fixed: 1000}, 0, c.Seed)
		if err != nil {
			return c, err
		}
		c.Payloads = p
	}
	conc := c.MaxInflight
	if c.Profile.Kind == ProfileMax {
		conc = c.Profile.Workers
	}
	if c.Shards == 0 {
		c.Shards = 2 * runtime.GOMAXPROCS(0)
	}
	c.Shards = max(1, min(c.Shards, conc))
	return c, nil
}

// Counts are the counters of a run; all but WarmupSent cover the measured
// window only.
type Counts struct {
	// Sent is the number of sends issued; SentBytes their payload bytes.
	Sent      int64 `json:"sent"`
	SentBytes int64 `json:"sent_bytes"`
	// Acked is the number acknowledged; AckedBytes their payload bytes.
	Acked      int64 `json:"acked"`
	AckedBytes int64 `json:"acked_bytes"`
	// Errors and Throttles are failed sends (see Result.Errors and
	// Result.Throttles for the messages).
	Errors    int64 `json:"errors"`
	Throttles int64 `json:"throttles"`
	// Aborted sends were canceled by the generator at the end of the drain;
	// Unfinished sends had not returned when Run gave up on them.
	Aborted    int64 `json:"aborted"`
	Unfinished int64 `json:"unfinished"`
	// Late is the number of sends issued more than LateThreshold after
	// their intended time; InflightLimited those of them that waited
	// because every in-flight slot was busy (the rest were late because the
	// generator itself was behind: a stall, catch-up, a starved CPU).
	Late            int64 `json:"late"`
	InflightLimited int64 `json:"inflight_limited"`
	// Missed is the number of sends due in the window never issued
	// (the generator was still behind StopGrace after the end).
	Missed int64 `json:"missed"`
	// WarmupSent is the number of sends issued during the warm-up.
	WarmupSent int64 `json:"warmup_sent"`
	// PeakInflight is the most sends outstanding at once.
	PeakInflight int64 `json:"peak_inflight"`
	// Clamps counts samples recorded at a histogram bound.
	Clamps Clamps `json:"clamps"`
}

// Interval is one entry of the timeline.
type Interval struct {
	// Start is the offset from the start of measurement; Length the
	// interval's length (the last one may be shorter).
	Start  time.Duration `json:"start_ns"`
	Length time.Duration `json:"length_ns"`
	// Sent counts sends issued in the interval; Acked, Errors and
	// Throttles sends completed in it.
	Sent      int64 `json:"sent"`
	Acked     int64 `json:"acked"`
	Errors    int64 `json:"errors"`
	Throttles int64 `json:"throttles"`
	// TargetRate is the intended rate and Rate the achieved send rate
	// (Sent / Length), in records per second.
	TargetRate float64 `json:"target_rate"`
	Rate       float64 `json:"rate"`
	// P50, P99 and Max summarise the response times completed in the
	// interval.
	P50 time.Duration `json:"p50_ns"`
	P99 time.Duration `json:"p99_ns"`
	Max time.Duration `json:"max_ns"`
	// Response, Service and SendLag are the interval's histograms in
	// HdrHistogram's base64 V2 compressed form ("" when empty).
	Response string `json:"response_hdr,omitempty"`
	Service  string `json:"service_hdr,omitempty"`
	SendLag  string `json:"send_lag_hdr,omitempty"`
}

// Progress is what OnInterval receives: the interval just closed and the
// totals so far.
type Progress struct {
	Interval Interval
	// Elapsed is the measured time so far.
	Elapsed time.Duration
	// Sent, Acked, Errors and Throttles are totals so far.
	Sent, Acked, Errors, Throttles int64
	// ResponseP99 is the response-time p99 so far.
	ResponseP99 time.Duration
}

// Result is what a run measured.
type Result struct {
	// Profile is the profile that ran.
	Profile Profile
	// Start is the wall time measurement began (after the warm-up).
	Start time.Time
	// Elapsed is the measured window the rates divide by.
	Elapsed time.Duration
	// TargetRate is the profile's average rate over the window and
	// AchievedRate Sent / Elapsed, in records per second.
	TargetRate, AchievedRate float64
	// Counts are the run's counters.
	Counts Counts
	// Response, Service and SendLag are the merged latency histograms in
	// nanoseconds (see the package doc for what each measures).
	Response, Service, SendLag *hdr.Histogram
	// Intervals is the timeline.
	Intervals []Interval
	// Errors and Throttles count failed sends by message, largest first.
	Errors, Throttles []ErrorCount
	// StopReason says what ended the run: duration, records, profile-end,
	// behind-at-end, canceled or fail-fast.
	StopReason string
	// Slice is the share of the schedule this run sent.
	Slice Slice
	// T0 is when the schedule (warm-up included) started: Config.StartAt,
	// or the wall time Run began. StartLag is how late Run began after
	// StartAt (0 without StartAt, or when it began on time).
	T0       time.Time
	StartLag time.Duration
	// Pacing is what waiting precisely for the paced sends cost.
	Pacing PacingStats
}

// Validate reports the first setting of c that Run would reject, so a
// caller can refuse bad options before preparing a target.
func (c Config) Validate() error {
	_, err := c.withDefaults()
	return err
}

// Run drives send according to cfg until the duration, record count or
// profile ends, ctx is canceled, or (FailFast) a send fails. It always
// returns the (possibly partial) result when the configuration is valid;
// the error is non-nil for a bad configuration or a fail-fast stop.
func Run(ctx context.Context, cfg Config, send SendFunc) (*Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	g := &gen{cfg: cfg, send: send, clock: cfg.Clock, stopped: make(chan struct{})}
	g.measureFrom = cfg.Warmup
	g.end = time.Duration(math.MaxInt64)
	if cfg.Duration > 0 {
		g.end = cfg.Warmup + cfg.Duration
	}
	g.maxRecords = math.MaxInt64
	if cfg.Records > 0 {
		g.maxRecords = cfg.Records
	}
	if cfg.Profile.Kind != ProfileMax {
		sched, err := NewSchedule(cfg.Profile, cfg.Warmup)
		if err != nil {
			return nil, err
		}
		g.sched = sched
		maxN := int64(math.MaxInt64)
		if cfg.Records > 0 {
			maxN = int64(math.Ceil(sched.Count(cfg.Warmup))) + cfg.Records
		}
		hardStop := time.Duration(math.MaxInt64)
		if cfg.Duration > 0 {
			hardStop = g.end + cfg.StopGrace
		}
		g.pacer = pacer{
			sched: sched, catchUp: cfg.CatchUp, burst: cfg.CatchUpBurst, lateAfter: cfg.LateThreshold,
			measureFrom: cfg.Warmup, end: g.end, hardStop: hardStop, maxN: maxN,
			n: cfg.Slice.first(0), stride: cfg.Slice.stride(),
		}
		if math.IsInf(cfg.CatchUp, 1) {
			g.pacer.catchUp = 0
		}
	}
	g.shards = make([]*shard, cfg.Shards)
	for i := range g.shards {
		g.shards[i] = newShard(cfg.MaxErrorKinds)
	}
	g.snap = newSnapshotter(g)
	g.pacing = newPacing(cfg)
	g.turn = make(chan struct{}, 1)

	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	g.stopCtx = runCtx
	sendCtx, cancelSends := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSends()
	g.sendCtx = sendCtx

	// Senders notice the end when they come for a slot; if every one of
	// them is stuck in a send to a dead target, this deadline ends the run.
	deadline, deadlineReason := g.deadline()
	if err := g.waitStart(ctx); err != nil {
		return nil, err
	}
	for _, e := range cfg.E2E {
		e.Open(g.start.Add(cfg.Warmup))
	}
	snapDone := make(chan struct{})
	finish := make(chan time.Duration, 1)
	go func() {
		defer close(snapDone)
		g.snap.run(finish)
	}()

	if cfg.Profile.Kind == ProfileMax {
		for i := 0; i < cfg.Profile.Workers; i++ {
			g.workers.Add(1)
			g.wg.Add(1)
			go g.closedLoop(i)
		}
	} else {
		g.workers.Add(1)
		g.wg.Add(1)
		go g.paced(0)
	}

	allDone := make(chan struct{})
	go func() { g.wg.Wait(); close(allDone) }()
	var deadlineC <-chan time.Time
	if deadline < time.Duration(math.MaxInt64) {
		dt := g.clock.NewTimer(max(0, deadline-g.since()))
		defer dt.Stop()
		deadlineC = dt.C()
	}
	select {
	case <-g.stopped:
	case <-allDone:
	case <-deadlineC:
		g.halt(deadlineReason, g.since())
	case <-ctx.Done():
		g.halt(stopCanceled, g.since())
	}
	g.mu.Lock()
	abort := g.reason == stopCanceled || g.reason == stopFailFast
	g.mu.Unlock()
	if abort {
		cancelRun() // wake sleeping senders; in-flight sends keep sendCtx
	}
	g.drain(allDone, cancelSends)
	g.pacing.close()

	finish <- g.since()
	<-snapDone
	return g.result(), g.failErr()
}

// gen is the state of one run.
type gen struct {
	cfg   Config
	send  SendFunc
	clock Clock
	start time.Time
	sched *Schedule
	// t0 is the wall time of the schedule's start; startLag how late the
	// run began after Config.StartAt.
	t0       time.Time
	startLag time.Duration

	measureFrom, end time.Duration
	maxRecords       int64

	mu      sync.Mutex
	pacer   pacer // paced profiles
	closedN int64 // closed loop: measured sends handed out
	reason  stopReason
	stopAt  time.Duration
	failure error
	stopped chan struct{}

	stopCtx, sendCtx context.Context

	// turn is held (a token in it taken) by the paced sender claiming and
	// waiting for the next slot, so only one sender at a time waits (and
	// spins). A channel, not a mutex: waiting on it is durably blocking
	// in a testing/synctest bubble.
	turn   chan struct{}
	pacing *pacing

	shards              []*shard
	workers, busy, peak atomic.Int64
	warmupSent          atomic.Int64
	wg                  sync.WaitGroup
	snap                *snapshotter
}

func (g *gen) since() time.Duration { return g.clock.Now().Sub(g.start) }

// waitStart sets the run's t0: now, or Config.StartAt after waiting for
// it. A start after StartAt keeps t0 = StartAt (so the schedule stays
// shared with the other workers) and records the lateness. g.start keeps
// the clock's monotonic reading either way.
func (g *gen) waitStart(ctx context.Context) error {
	now := g.clock.Now()
	if g.cfg.StartAt.IsZero() {
		g.start, g.t0 = now, now
		return nil
	}
	if wait := g.cfg.StartAt.Sub(now); wait > 0 {
		t := g.clock.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C():
		case <-ctx.Done():
			return fmt.Errorf("waiting for start at %s: %w", g.cfg.StartAt.Format(time.RFC3339Nano), ctx.Err())
		}
		now = g.clock.Now()
	}
	g.startLag = max(0, now.Sub(g.cfg.StartAt))
	g.start, g.t0 = now.Add(-g.startLag), g.cfg.StartAt
	return nil
}

// deadline is the offset by which the run must have stopped issuing: the
// end of the duration (closed loop) or, for a paced profile, the intended
// time of the last send plus StopGrace. MaxInt64 means none.
func (g *gen) deadline() (time.Duration, stopReason) {
	if g.sched == nil {
		return g.end, stopDuration
	}
	end := min(g.end, g.sched.end())
	if g.maxRecords < math.MaxInt64 {
		if at, ok := g.sched.At(g.pacer.maxN); ok {
			end = min(end, at)
		}
	}
	if end == time.Duration(math.MaxInt64) {
		return end, stopNone
	}
	return end + g.cfg.StopGrace, stopBehind
}

// halt ends the run (first reason wins) at offset now. Callers hold no lock.
func (g *gen) halt(r stopReason, now time.Duration) {
	g.mu.Lock()
	g.haltLocked(r, now)
	g.mu.Unlock()
}

func (g *gen) haltLocked(r stopReason, now time.Duration) {
	if g.reason != stopNone {
		return
	}
	g.reason, g.stopAt = r, now
	if g.pacer.stop == stopNone {
		g.pacer.stop = r
	}
	close(g.stopped)
}

func (g *gen) failErr() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.failure
}

// drain waits for in-flight sends: up to DrainTimeout, then cancels them
// and waits abortGrace more before giving up on senders that ignore ctx.
func (g *gen) drain(allDone <-chan struct{}, cancelSends context.CancelFunc) {
	t := g.clock.NewTimer(g.cfg.DrainTimeout)
	defer t.Stop()
	select {
	case <-allDone:
		return
	case <-t.C():
	}
	cancelSends()
	t.Reset(abortGrace)
	select {
	case <-allDone:
	case <-t.C():
	}
}

// spawnIfNeeded grows the pool when every sender is busy.
func (g *gen) spawnIfNeeded(busy int64) {
	for {
		w := g.workers.Load()
		if busy < w || w >= int64(g.cfg.MaxInflight) {
			return
		}
		if g.workers.CompareAndSwap(w, w+1) {
			g.wg.Add(1)
			go g.paced(int(w))
			return
		}
	}
}

func (g *gen) notePeak(busy int64) {
	for {
		p := g.peak.Load()
		if busy <= p || g.peak.CompareAndSwap(p, busy) {
			return
		}
	}
}

// sender holds one goroutine's reusable state, so a send does not allocate.
type sender struct {
	id    int
	shard *shard
	pcg   *rand.PCG
	rng   *rand.Rand // draws from pcg, reseeded for every send
	buf   []byte
}

func (g *gen) newSender(id int) *sender {
	pcg := rand.NewPCG(g.cfg.Seed, uint64(id)+1)
	return &sender{
		id:    id,
		shard: g.shards[id%len(g.shards)],
		pcg:   pcg,
		rng:   rand.New(pcg),
		buf:   make([]byte, g.cfg.Payloads.MaxSize()),
	}
}

// paced is one sender of an open-loop profile. Senders take turns: the
// one holding g.turn claims the next slot and waits for it, and passes the
// turn on when it issues, so one sender at a time waits however many are
// idle (slots are issued in order anyway).
func (g *gen) paced(id int) {
	defer g.wg.Done()
	s := g.newSender(id)
	timer := g.clock.NewTimer(time.Hour)
	timer.Stop()
	for {
		sl, now, ok := g.claim(timer)
		if !ok {
			return
		}
		g.sendOne(s, sl.n, sl.intended, now, sl.measured, true)
	}
}

// claim takes the turn, the next slot and waits for its issue time; it
// returns the slot and the offset it is issued at, or false when the run
// is over.
func (g *gen) claim(timer Timer) (slot, time.Duration, bool) {
	g.turn <- struct{}{}
	defer func() { <-g.turn }()
	now := g.since()
	g.mu.Lock()
	sl, ok := g.pacer.next(now)
	if !ok {
		g.haltLocked(g.pacer.stop, now)
	}
	g.mu.Unlock()
	if !ok {
		return sl, now, false
	}
	if sl.issue > now {
		now, ok = g.pacing.until(g, timer, sl.issue, now)
		return sl, now, ok
	}
	g.pacing.passed(sl.issue)
	return sl, now, g.stopCtx.Err() == nil
}

// closedLoop is one sender of ProfileMax: it sends again as soon as the
// previous send returns.
func (g *gen) closedLoop(id int) {
	defer g.wg.Done()
	s := g.newSender(id)
	for g.stopCtx.Err() == nil {
		now := g.since()
		measured := now >= g.measureFrom
		g.mu.Lock()
		switch {
		case g.reason != stopNone:
		case now >= g.end:
			g.haltLocked(stopDuration, now)
		case measured && g.closedN >= g.maxRecords:
			g.haltLocked(stopRecords, now)
		}
		stop := g.reason != stopNone
		n := g.closedN
		if measured && !stop {
			g.closedN++
		}
		g.mu.Unlock()
		if stop {
			return
		}
		g.sendOne(s, n, now, now, measured, false)
	}
}

// LateSendTraceCategory is the category of the log event an execution
// trace (streamcap --trace) gets for every measured send issued at least
// LateSendTraceAfter after its due time; the message is how late, in
// nanoseconds. bench/perf/latesends reads them back and says what each
// late sender was doing.
const (
	LateSendTraceCategory = "streamcap.late-send"
	LateSendTraceAfter    = 100 * time.Microsecond
)

// sendOne makes one send and records it. It is the hot path: no
// allocation unless the send fails (or a trace is being written).
func (g *gen) sendOne(s *sender, n int64, intended, actual time.Duration, measured, paced bool) {
	if lag := actual - intended; lag >= LateSendTraceAfter && measured && rtrace.IsEnabled() {
		rtrace.Log(g.sendCtx, LateSendTraceCategory, strconv.FormatInt(int64(lag), 10))
	}
	// Send n's key, size and payload depend on n alone, not on the sender
	// or worker that makes it (so a sliced run sends what one would).
	s.pcg.Seed(sendSeed(g.cfg.Seed, n))
	key := g.cfg.Keys.Key(g.cfg.Keys.Index(s.rng))
	payload := g.cfg.Payloads.Next(s.rng, s.buf, g.start.UnixNano()+int64(intended), uint64(n))
	if measured {
		s.shard.issued.Add(1)
		s.shard.issuedBytes.Add(int64(len(payload)))
	} else {
		g.warmupSent.Add(1)
	}
	busy := g.busy.Add(1)
	g.notePeak(busy)
	if paced {
		g.spawnIfNeeded(busy)
		if busy == int64(g.cfg.MaxInflight) { // the pool just filled up
			g.mu.Lock()
			g.pacer.poolFilled(actual)
			g.mu.Unlock()
		}
	}
	err := g.send(g.sendCtx, key, payload)
	done := g.since()
	if g.busy.Add(-1) == int64(g.cfg.MaxInflight)-1 && paced {
		g.mu.Lock()
		g.pacer.poolFreed(done)
		g.mu.Unlock()
	}
	class := classify(err, g.sendCtx)
	if measured {
		s.shard.complete(intended, actual, done, len(payload), class, err, paced)
	}
	if class == classError && g.cfg.FailFast {
		g.mu.Lock()
		if g.failure == nil {
			g.failure = fmt.Errorf("fail-fast: send %d: %w", n, err)
		}
		g.haltLocked(stopFailFast, done)
		g.mu.Unlock()
	}
}

// result assembles the Result after the snapshotter's final flush.
func (g *gen) result() *Result {
	sn := g.snap
	g.mu.Lock()
	reason, stopAt := g.reason, g.stopAt
	if reason == stopNone {
		reason, stopAt = g.pacer.stop, sn.endAt
	}
	late, inflightLimited := g.pacer.late, g.pacer.inflightLimited
	nextDue, nextOK := g.pacer.due, g.pacer.dueOK
	g.mu.Unlock()

	r := &Result{
		Profile:    g.cfg.Profile,
		Start:      g.start.Add(g.measureFrom),
		Response:   sn.total.resp,
		Service:    sn.total.svc,
		SendLag:    sn.total.lag,
		Intervals:  sn.intervals,
		Errors:     sn.total.errs.sorted(),
		Throttles:  sn.total.throttleMsgs.sorted(),
		StopReason: string(reason),
		Slice:      g.cfg.Slice,
		T0:         g.t0,
		StartLag:   g.startLag,
	}
	t := &sn.total.tally
	c := &r.Counts
	c.Sent, c.SentBytes = sn.issued, sn.issuedBytes
	c.Acked, c.AckedBytes = t.acked, t.ackedBytes
	c.Errors, c.Throttles, c.Aborted = t.errors, t.throttles, t.aborted
	c.Unfinished = max(0, c.Sent-c.Acked-c.Errors-c.Throttles-c.Aborted)
	c.Late, c.InflightLimited = late, inflightLimited
	c.WarmupSent = g.warmupSent.Load()
	c.PeakInflight = g.peak.Load()
	c.Clamps = t.clamps

	// The measured window: up to the intended end of the run, or later
	// when the generator was still issuing owed sends.
	windowEnd := stopAt
	switch reason {
	case stopDuration:
		windowEnd = max(stopAt, g.end)
	case stopRecords:
		if g.sched != nil && nextOK {
			windowEnd = max(stopAt, nextDue)
		}
	case stopProfile:
		if g.sched != nil {
			windowEnd = max(stopAt, g.sched.end())
		}
	}
	r.Elapsed = max(0, windowEnd-g.measureFrom)
	r.Pacing = g.pacing.stats(windowEnd)
	if r.Elapsed > 0 {
		secs := r.Elapsed.Seconds()
		r.AchievedRate = float64(c.Sent) / secs
		if g.sched != nil {
			// A slice's share of the schedule's rate.
			r.TargetRate = (g.sched.Count(g.measureFrom+r.Elapsed) - g.sched.Count(g.measureFrom)) / secs / float64(g.cfg.Slice.stride())
		}
	}
	if g.sched != nil && (reason == stopDuration || reason == stopBehind) && g.end < time.Duration(math.MaxInt64) {
		lo, hi := wholeSends(g.sched, g.measureFrom, g.end)
		if g.maxRecords < math.MaxInt64 {
			hi = min(hi, lo+g.maxRecords)
		}
		c.Missed = max(0, g.cfg.Slice.Count(lo, hi)-c.Sent)
	}
	return r
}
