// Package search finds the highest constant open-loop rate a target
// sustains, as a bracket: the highest rate that passed and the lowest that
// failed, narrower than a chosen precision and confirmed by a full-length
// run. The search itself (Search) depends on the benchmark only through a
// Trial function, so it runs as well against a fake with a known capacity
// as against the embedded engine, the Kinesis API or Kafka (TargetTrial).
package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/model/units"
)

// SchemaVersion identifies the JSON layout of an Outcome.
const SchemaVersion = "streamcap.bench.search/v1"

// ErrInvalidOptions wraps every error Search returns for options it
// rejects before running a trial (the CLI exits 2 on it).
var ErrInvalidOptions = errors.New("invalid search options")

// Defaults of Options.
const (
	// DefaultPrecision is the widest bracket the search stops at:
	// (failing − sustained) ≤ 2 % of the failing rate.
	DefaultPrecision = 0.02
	// DefaultTrial is the measured length of a search trial and
	// DefaultWarmup the warm-up before every trial.
	DefaultTrial  = 10 * time.Second
	DefaultWarmup = 5 * time.Second
	// DefaultConfirm is the measured length of the confirmation run.
	DefaultConfirm = 60 * time.Second
	// DefaultCeilingFactor sets To, when not given, to From × 1024 (ten
	// doublings).
	DefaultCeilingFactor = 1024
	// DefaultMaxTrials bounds the trials of one search (short and
	// confirmation runs together).
	DefaultMaxTrials = 40
	// DefaultMaxConfirms bounds the confirmation runs: after that many
	// failed, the result is reported unconfirmed.
	DefaultMaxConfirms = 3
	// MinRate is the lowest rate the search tries when even From fails.
	MinRate = 1.0
)

// Phases of a trial, in TrialRecord.Phase.
const (
	PhaseDouble  = "double"
	PhaseBelow   = "halve"
	PhaseBisect  = "bisect"
	PhaseConfirm = "confirm"
)

// Why a search stopped, in Outcome.StopReason.
const (
	StopBracket     = "bracket"     // the bracket is narrower than the precision
	StopCeiling     = "ceiling"     // every rate up to To passed
	StopFloor       = "floor"       // even MinRate failed
	StopMaxTrials   = "max-trials"  // the trial budget ran out
	StopUnconfirmed = "unconfirmed" // MaxConfirms confirmation runs failed
	StopCanceled    = "canceled"    // the context ended the search
)

// Durations are the warm-up and the measured window of one trial.
type Durations struct {
	Warmup  time.Duration
	Measure time.Duration
}

// LagSample is a consumer backlog reading: how many acknowledged records
// the slowest consumer had not yet received, At after measurement began.
type LagSample struct {
	At      time.Duration `json:"at_ns"`
	Records int64         `json:"records"`
}

// Measurement is what one trial measured: the benchmark result and, when
// consumers ran, the backlog sampled over the measured window.
type Measurement struct {
	Result *bench.Result
	Lag    []LagSample
}

// Trial runs the target at a constant rate for d and returns what it
// measured. A trial must start from a fresh (or drained) stream so one
// trial's backlog does not carry into the next. An error ends the search.
type Trial func(ctx context.Context, rate units.EventRate, d Durations) (*Measurement, error)

// Options configure Search.
type Options struct {
	// From is the first rate tried (required, > 0); To the highest
	// (default From × DefaultCeilingFactor).
	From, To units.EventRate
	// Precision is the relative bracket width to stop at, in (0, 0.5]
	// (default DefaultPrecision).
	Precision float64
	// Warmup precedes every trial; Trial is the measured length of
	// search trials; Confirm of the confirmation run at the highest
	// passing rate (negative: no confirmation). Zero takes the defaults.
	Warmup, Trial, Confirm time.Duration
	// MaxTrials and MaxConfirms bound the work (defaults above).
	MaxTrials, MaxConfirms int
	// Criteria decide whether a trial passed (zero fields take their
	// defaults: see Criteria).
	Criteria Criteria
	// OnTrial, when set, is called after every trial (progress).
	OnTrial func(TrialRecord)
}

// withDefaults fills o's zero fields and checks the rest.
func (o Options) withDefaults() (Options, error) {
	if !(o.From > 0) || math.IsInf(float64(o.From), 0) {
		return o, fmt.Errorf("from %v: must be a rate above 0/s", float64(o.From))
	}
	if o.To == 0 {
		o.To = o.From * DefaultCeilingFactor
	}
	if !(o.To >= o.From) || math.IsInf(float64(o.To), 0) {
		return o, fmt.Errorf("to %v: must be a finite rate at least from (%v)", o.To, o.From)
	}
	if o.Precision == 0 {
		o.Precision = DefaultPrecision
	}
	if !(o.Precision > 0 && o.Precision <= 0.5) {
		return o, fmt.Errorf("precision %v: must be above 0 and at most 0.5 (50 %%)", o.Precision)
	}
	if o.Warmup == 0 {
		o.Warmup = DefaultWarmup
	}
	if o.Trial == 0 {
		o.Trial = DefaultTrial
	}
	if o.Confirm == 0 {
		o.Confirm = DefaultConfirm
	}
	if o.Warmup < 0 || o.Trial < 0 {
		return o, fmt.Errorf("warm-up %v and trial %v: must be at least 0s and above 0s", o.Warmup, o.Trial)
	}
	if o.MaxTrials == 0 {
		o.MaxTrials = DefaultMaxTrials
	}
	if o.MaxConfirms == 0 {
		o.MaxConfirms = DefaultMaxConfirms
	}
	if o.MaxTrials < 1 || o.MaxConfirms < 1 {
		return o, fmt.Errorf("max trials %d and max confirms %d: must be at least 1", o.MaxTrials, o.MaxConfirms)
	}
	c, err := o.Criteria.withDefaults()
	if err != nil {
		return o, err
	}
	o.Criteria = c
	return o, nil
}

// TrialRecord is one trial as the outcome reports it.
type TrialRecord struct {
	// Rate is the offered rate, records/s.
	Rate float64 `json:"rate"`
	// Passed is true when every criterion held; Reasons name each one
	// that did not ("failed sends 1.5% > 0.1%").
	Passed  bool     `json:"passed"`
	Reasons []string `json:"reasons"`
	// AchievedRate is the send rate the generator reached, records/s.
	AchievedRate float64 `json:"achieved_rate"`
	// ResponseP99NS is the corrected response-time p99.
	ResponseP99NS int64 `json:"response_p99_ns"`
	// Throttles and Errors count refused and failed sends; Sent all sends
	// issued in the measured window.
	Throttles int64 `json:"throttles"`
	Errors    int64 `json:"errors"`
	Sent      int64 `json:"sent"`
	// E2EP99NS is the end-to-end p99 (0 without consumers).
	E2EP99NS int64 `json:"e2e_p99_ns,omitempty"`
	// BacklogSlope is the regression slope of consumer backlog over the
	// window, records/s (absent without consumers).
	BacklogSlope *float64 `json:"backlog_slope,omitempty"`
	// Phase says why the trial ran (double, halve, bisect, confirm);
	// DurationNS is its measured window.
	Phase      string `json:"phase"`
	DurationNS int64  `json:"duration_ns"`
}

// Outcome is what a search found.
type Outcome struct {
	// Schema is SchemaVersion.
	Schema string `json:"schema"`
	// Target, Workload and Shards describe what was searched (set by Run;
	// empty from Search alone).
	Target   string `json:"target,omitempty"`
	Workload string `json:"workload,omitempty"`
	Shards   int    `json:"shards,omitempty"`
	// SustainableRate is the highest passing rate (0: none passed);
	// FailingRate the lowest failing rate above it (0: none failed up to
	// the ceiling), records/s.
	SustainableRate float64 `json:"sustainable_rate"`
	FailingRate     float64 `json:"failing_rate"`
	// Confirmed is true when a full-length run at SustainableRate passed.
	Confirmed bool `json:"confirmed"`
	// Precision is the relative bracket width aimed for; StopReason why
	// the search ended (bracket, ceiling, floor, max-trials, unconfirmed,
	// canceled).
	Precision  float64 `json:"precision"`
	StopReason string  `json:"stop_reason"`
	// Criteria are the pass conditions used.
	Criteria Criteria `json:"criteria"`
	// PredictedRate is the capacity the planner's model predicts for the
	// same shards and keys (0: no prediction), records/s.
	PredictedRate float64 `json:"predicted_rate,omitempty"`
	// ElapsedNS is how long the whole search took (wall clock).
	ElapsedNS int64 `json:"elapsed_ns"`
	// Trials in the order run.
	Trials []TrialRecord `json:"trials"`
}

// searcher holds one search's state.
type searcher struct {
	trial Trial
	opts  Options
	out   *Outcome
}

// errBudget ends a search whose trial budget is spent.
var errBudget = errors.New("trial budget spent")

// run runs one trial and records it.
func (s *searcher) run(ctx context.Context, rate float64, phase string, measure time.Duration) (TrialRecord, error) {
	if len(s.out.Trials) >= s.opts.MaxTrials {
		return TrialRecord{}, errBudget
	}
	m, err := s.trial(ctx, units.EventRate(rate), Durations{Warmup: s.opts.Warmup, Measure: measure})
	if err != nil {
		return TrialRecord{}, fmt.Errorf("trial at %s: %w", units.Rate(rate)+"/s", err)
	}
	if m == nil || m.Result == nil {
		return TrialRecord{}, fmt.Errorf("trial at %s: no result", units.Rate(rate)+"/s")
	}
	rec := Judge(rate, m, s.opts.Criteria)
	rec.Phase = phase
	s.out.Trials = append(s.out.Trials, rec)
	if s.opts.OnTrial != nil {
		s.opts.OnTrial(rec)
	}
	return rec, nil
}

// Search finds the highest rate trial sustains: constant-rate trials
// doubling from From until one fails (or To passes), halving instead when
// From itself fails, then bisecting until the bracket is narrower than
// Precision, then one run of Confirm at the highest passing rate. When that
// fails, the search goes on below it with full-length trials (short ones
// proved optimistic there), until a rate passes at full length or
// MaxConfirms confirmations failed. A
// canceled ctx, a trial error or the trial budget end the search early:
// the outcome so far is returned, with the error for the first two.
func Search(ctx context.Context, trial Trial, opts Options) (*Outcome, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidOptions, err)
	}
	start := time.Now()
	s := &searcher{trial: trial, opts: o, out: &Outcome{Schema: SchemaVersion, Precision: o.Precision, Criteria: o.Criteria, Trials: []TrialRecord{}}}
	err = s.search(ctx)
	out := s.out
	out.ElapsedNS = int64(time.Since(start))
	switch {
	case errors.Is(err, errBudget):
		out.StopReason = StopMaxTrials
		err = nil
	case err != nil && ctx.Err() != nil:
		out.StopReason = StopCanceled
	}
	return out, err
}

// search runs the phases; it sets the bracket and stop reason as it goes.
func (s *searcher) search(ctx context.Context) error {
	o, out := s.opts, s.out
	from, to := float64(o.From), float64(o.To)
	var lo, hi float64 // highest passing (0: none), lowest failing (0: none)
	for r := from; ; r = math.Min(2*r, to) {
		rec, err := s.run(ctx, r, PhaseDouble, o.Trial)
		if err != nil {
			return err
		}
		if !rec.Passed {
			hi = r
			break
		}
		lo = r
		s.set(lo, hi)
		if r >= to {
			break
		}
	}
	// Short trials until a confirmation fails; from then on every trial
	// runs at full length, since short ones proved optimistic here.
	measure, phase, down := o.Trial, PhaseBisect, PhaseBelow
	for confirms := 0; ; {
		var err error
		if lo, hi, err = s.below(ctx, lo, hi, measure, down); err != nil || lo == 0 {
			return err
		}
		if lo, hi, err = s.bisect(ctx, lo, hi, measure, phase); err != nil {
			return err
		}
		out.StopReason = StopBracket
		if hi == 0 {
			out.StopReason = StopCeiling
		}
		if o.Confirm < 0 {
			return nil
		}
		if s.passedFull(lo) {
			out.Confirmed = true
			return nil
		}
		if confirms == o.MaxConfirms {
			out.StopReason = StopUnconfirmed
			return nil
		}
		confirms++
		rec, err := s.run(ctx, lo, PhaseConfirm, o.Confirm)
		if err != nil {
			return err
		}
		if rec.Passed {
			out.Confirmed = true
			return nil
		}
		// Continue below the rate that failed at full length.
		hi, lo = lo, s.highestPassBelow(lo)
		s.set(lo, hi)
		measure, phase, down = o.Confirm, PhaseConfirm, PhaseConfirm
	}
}

// passedFull reports whether a full-length (confirmation) trial passed at
// rate r.
func (s *searcher) passedFull(r float64) bool {
	for _, t := range s.out.Trials {
		if t.Rate == r && t.Passed && t.Phase == PhaseConfirm {
			return true
		}
	}
	return false
}

// below halves from hi until a trial passes when nothing passed yet; it
// returns the new bracket (lo 0 with StopFloor when even MinRate failed).
func (s *searcher) below(ctx context.Context, lo, hi float64, measure time.Duration, phase string) (float64, float64, error) {
	for lo == 0 {
		r := hi / 2
		if r < MinRate {
			s.out.StopReason = StopFloor
			s.set(0, hi)
			return 0, hi, nil
		}
		rec, err := s.run(ctx, r, phase, measure)
		if err != nil {
			return 0, hi, err
		}
		if rec.Passed {
			lo = r
		} else {
			hi = r
		}
		s.set(lo, hi)
	}
	return lo, hi, nil
}

// bisect narrows [lo, hi] until it is within the precision (hi == 0: no
// failing rate, nothing to narrow).
func (s *searcher) bisect(ctx context.Context, lo, hi float64, measure time.Duration, phase string) (float64, float64, error) {
	for hi > 0 && hi-lo > s.opts.Precision*hi {
		mid, ok := midpoint(lo, hi)
		if !ok {
			break
		}
		rec, err := s.run(ctx, mid, phase, measure)
		if err != nil {
			return lo, hi, err
		}
		if rec.Passed {
			lo = mid
		} else {
			hi = mid
		}
		s.set(lo, hi)
	}
	return lo, hi, nil
}

// midpoint returns the rate halfway between lo and hi, rounded to a whole
// record per second when the bracket is wide enough; false when no rate
// lies strictly between them.
func midpoint(lo, hi float64) (float64, bool) {
	mid := (lo + hi) / 2
	if hi-lo >= 4 {
		mid = math.Round(mid)
	}
	return mid, mid > lo && mid < hi
}

// highestPassBelow returns the highest rate below r that passed a trial
// (0: none).
func (s *searcher) highestPassBelow(r float64) float64 {
	best := 0.0
	for _, t := range s.out.Trials {
		if t.Passed && t.Rate < r && t.Rate > best {
			best = t.Rate
		}
	}
	return best
}

// set records the current bracket in the outcome.
func (s *searcher) set(lo, hi float64) {
	s.out.SustainableRate, s.out.FailingRate = lo, hi
}
