package search

import (
	"fmt"
	"math"
	"time"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// Defaults of Criteria.
const (
	// DefaultMinAchieved is the share of the offered rate the generator
	// must reach: below it, sends were missed or issued late.
	DefaultMinAchieved = 0.99
	// DefaultMaxErrorRate bounds failed sends (throttled, errors, aborted,
	// unfinished) / sent when the scenario's SLO sets no bound.
	DefaultMaxErrorRate = 0.001
	// DefaultMaxBacklogSlope bounds the growth of consumer backlog, as a
	// share of the offered rate: at 4,000/s a backlog may grow by at most
	// 40 records/s over the window (the regression slope, as Theodolite's
	// lag-trend SLO has it).
	DefaultMaxBacklogSlope = 0.01
	// DefaultBacklogWindow is the window over which backlog is reduced to
	// its minimum before the regression: a polling consumer's backlog is a
	// saw-tooth (it rises between polls and drops at each), whose shape
	// would otherwise read as growth or decline over a short trial.
	DefaultBacklogWindow = time.Second
)

// Criteria decide whether a trial passed. Zero fields take the defaults;
// zero latency bounds are not checked.
type Criteria struct {
	// MinAchieved is the least achieved / offered rate, in (0, 1].
	MinAchieved float64 `json:"min_achieved"`
	// MaxErrorRate bounds (throttles + errors + aborted + unfinished) /
	// sent, in (0, 1).
	MaxErrorRate float64 `json:"max_error_rate"`
	// PublishP99 bounds the corrected response-time p99; E2EP99 the
	// end-to-end p99 when consumers run.
	PublishP99 time.Duration `json:"publish_p99_ns,omitempty"`
	E2EP99     time.Duration `json:"e2e_p99_ns,omitempty"`
	// MaxBacklogSlope bounds the consumer backlog's growth over the
	// window as a share of the offered rate, in (0, 1].
	MaxBacklogSlope float64 `json:"max_backlog_slope"`
	// BacklogWindow is the length of the windows backlog is reduced to
	// its minimum over (see DefaultBacklogWindow); it should exceed the
	// consumers' poll interval.
	BacklogWindow time.Duration `json:"backlog_window_ns"`
	// BacklogJitter is how far the backlog may swing without growing,
	// as time of traffic: a polling consumer's backlog just after a poll
	// of the whole stream still varies by up to one poll interval's
	// records as the shards' polls drift apart. A trial may grow its
	// backlog by rate × BacklogJitter over the window on top of
	// MaxBacklogSlope, so short trials tolerate the swing and long ones
	// (the confirmation) judge the slope tightly. 0 for push consumers.
	BacklogJitter time.Duration `json:"backlog_jitter_ns,omitempty"`
}

// CriteriaFromSLO returns the criteria a scenario's SLO sets (nil: the
// defaults alone).
func CriteriaFromSLO(slo *model.SLO) Criteria {
	if slo == nil {
		return Criteria{}
	}
	return Criteria{MaxErrorRate: slo.MaxErrorRate, PublishP99: slo.PublishP99.D(), E2EP99: slo.E2EP99.D()}
}

func (c Criteria) withDefaults() (Criteria, error) {
	if c.MinAchieved == 0 {
		c.MinAchieved = DefaultMinAchieved
	}
	if c.MaxErrorRate == 0 {
		c.MaxErrorRate = DefaultMaxErrorRate
	}
	if c.MaxBacklogSlope == 0 {
		c.MaxBacklogSlope = DefaultMaxBacklogSlope
	}
	if c.BacklogWindow == 0 {
		c.BacklogWindow = DefaultBacklogWindow
	}
	switch {
	case !(c.MinAchieved > 0 && c.MinAchieved <= 1):
		return c, fmt.Errorf("min achieved %v: must be above 0 and at most 1", c.MinAchieved)
	case !(c.MaxErrorRate > 0 && c.MaxErrorRate < 1):
		return c, fmt.Errorf("max error rate %v: must be above 0 and below 1", c.MaxErrorRate)
	case !(c.MaxBacklogSlope > 0 && c.MaxBacklogSlope <= 1):
		return c, fmt.Errorf("max backlog slope %v: must be above 0 and at most 1", c.MaxBacklogSlope)
	case c.BacklogWindow < 0 || c.BacklogJitter < 0:
		return c, fmt.Errorf("backlog window %v and jitter %v: must be at least 0s", c.BacklogWindow, c.BacklogJitter)
	case c.PublishP99 < 0 || c.E2EP99 < 0:
		return c, fmt.Errorf("publish p99 %v and e2e p99 %v: must be at least 0s", c.PublishP99, c.E2EP99)
	}
	return c, nil
}

// Judge decides whether a trial at the offered rate passed under c
// (defaults filled) and reduces it to a TrialRecord. It holds when the
// achieved rate is at least MinAchieved × rate, failed sends (throttled,
// errors, aborted, unfinished) are at most MaxErrorRate of those sent, the
// p99 bounds hold (bench.CheckSLO decides those), and, when consumers ran,
// the backlog's regression slope over the window is at most
// MaxBacklogSlope × rate.
func Judge(rate float64, m *Measurement, c Criteria) TrialRecord {
	r := m.Result
	cnt := r.Counts
	rec := TrialRecord{
		Rate: rate, AchievedRate: r.AchievedRate, ResponseP99NS: r.Response.P99NS,
		Throttles: cnt.Throttles, Errors: cnt.Errors, Sent: cnt.Sent, E2EP99NS: r.E2E.P99NS,
		DurationNS: r.ElapsedNS, Reasons: []string{},
	}
	if min := c.MinAchieved * rate; r.AchievedRate < min {
		rec.Reasons = append(rec.Reasons, fmt.Sprintf("achieved %s < %s of %s", units.Rate(r.AchievedRate)+"/s", units.Percent(c.MinAchieved), units.Rate(rate)+"/s"))
	}
	if cnt.Sent == 0 {
		rec.Reasons = append(rec.Reasons, "no sends in the measured window")
	}
	// Failed sends and the p99 bounds are bench's checks (one owner).
	slo := &model.SLO{PublishP99: units.Duration(c.PublishP99), MaxErrorRate: c.MaxErrorRate}
	if r.Settings.Consumers > 0 {
		slo.E2EP99 = units.Duration(c.E2EP99)
	}
	for _, v := range bench.CheckSLO("", r, slo) {
		if v.OK || (v.What == "failed sends" && cnt.Sent == 0) {
			continue
		}
		reason := v.String()
		if v.What == "failed sends" {
			reason += ": " + failedDetail(cnt.Throttles, cnt.Errors, cnt.Aborted, cnt.Unfinished)
		}
		rec.Reasons = append(rec.Reasons, reason)
	}
	if r.Settings.Consumers > 0 {
		if slope, span, ok := BacklogSlope(m.Lag, c.BacklogWindow); ok {
			rec.BacklogSlope = &slope
			lim, why := c.MaxBacklogSlope*rate, units.Percent(c.MaxBacklogSlope)+" of offered"
			if c.BacklogJitter > 0 && span > 0 {
				lim += rate * c.BacklogJitter.Seconds() / span.Seconds()
				why += " + " + units.Span(c.BacklogJitter) + " of records over " + units.Span(span)
			}
			if slope > lim {
				rec.Reasons = append(rec.Reasons, fmt.Sprintf("backlog grows %s > %s (%s)", units.Rate(slope)+"/s", units.Rate(lim)+"/s", why))
			}
		}
	}
	rec.Passed = len(rec.Reasons) == 0
	return rec
}

// failedDetail names the non-zero failed-send counts.
func failedDetail(throttles, errs, aborted, unfinished int64) string {
	s := ""
	for _, x := range []struct {
		n    int64
		what string
	}{{throttles, "throttled"}, {errs, "errors"}, {aborted, "aborted"}, {unfinished, "unfinished"}} {
		if x.n == 0 {
			continue
		}
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("%s %s", units.Int(x.n), x.what)
	}
	return s
}

// BacklogSlope returns how fast backlog grew over the samples, records/s:
// the least-squares slope (Slope) of each complete window's lowest sample
// (window ≤ 0: of every sample), and the time between the first and last
// point fitted. With fewer than two complete windows it uses every sample.
func BacklogSlope(lag []LagSample, window time.Duration) (float64, time.Duration, bool) {
	if window <= 0 || len(lag) == 0 {
		return slopeSpan(lag)
	}
	start, end := lag[0].At, lag[len(lag)-1].At
	var mins []LagSample
	for w0 := start; w0+window <= end; w0 += window {
		var m *LagSample
		for i := range lag {
			if l := &lag[i]; l.At >= w0 && l.At < w0+window && (m == nil || l.Records < m.Records) {
				m = l
			}
		}
		if m != nil {
			mins = append(mins, *m)
		}
	}
	if len(mins) < 2 {
		return slopeSpan(lag)
	}
	return slopeSpan(mins)
}

func slopeSpan(lag []LagSample) (float64, time.Duration, bool) {
	s, ok := Slope(lag)
	if !ok {
		return 0, 0, false
	}
	return s, lag[len(lag)-1].At - lag[0].At, true
}

// Slope returns the least-squares slope of backlog against time, records
// per second (false with fewer than two samples or all at one instant).
func Slope(lag []LagSample) (float64, bool) {
	n := float64(len(lag))
	if n < 2 {
		return 0, false
	}
	var sx, sy float64
	for _, l := range lag {
		sx += l.At.Seconds()
		sy += float64(l.Records)
	}
	mx, my := sx/n, sy/n
	var sxy, sxx float64
	for _, l := range lag {
		dx := l.At.Seconds() - mx
		sxy += dx * (float64(l.Records) - my)
		sxx += dx * dx
	}
	if sxx == 0 {
		return 0, false
	}
	s := sxy / sxx
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return 0, false
	}
	return s, true
}
