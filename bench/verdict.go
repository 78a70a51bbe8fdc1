package bench

import (
	"fmt"
	"slices"
	"time"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// Check is one pass/fail comparison of a measured figure with its bound.
// Every judgement streamcap makes on a run — the run check, each SLO, the
// plan verdict's checks — is a Check built here or in bench/verify; reports
// and the CLI only display them.
type Check struct {
	// Run names the run checked ("" for a lone bench run).
	Run string `json:"run,omitempty"`
	// What is the figure checked: "acknowledged sends", "publish p99",
	// "end-to-end p99", "failed sends", "throttled sends", ...
	What string `json:"what"`
	// Want is the bound and Got the measured figure, as people read them.
	Want string `json:"want"`
	Got  string `json:"got"`
	// OK is true when the figure is within its bound.
	OK bool `json:"ok"`
	// Informational checks are shown but do not decide a verdict.
	Informational bool `json:"informational,omitempty"`
}

// String says what was checked, whether it passed and by how much:
// "publish p99 met: 3.1 ms (want ≤ 50 ms)".
func (c Check) String() string {
	state := "met"
	if !c.OK {
		state = "missed"
	}
	s := fmt.Sprintf("%s %s: %s (want %s)", c.What, state, c.Got, c.Want)
	if c.Run != "" {
		s = c.Run + ": " + s
	}
	return s
}

// Verdict is the judgement of one run: it passes when every deciding check
// passes. The first check is always "acknowledged sends" (a run with
// nothing acknowledged failed, SLO or not); the SLO's checks follow.
type Verdict struct {
	// OK is true when every non-informational check passed.
	OK bool `json:"ok"`
	// Checks in the order they were made.
	Checks []Check `json:"checks"`
}

// Failed returns the deciding checks that did not pass.
func (v Verdict) Failed() []Check { return failedChecks(v.Checks) }

// RunFailed reports whether the run itself failed (nothing acknowledged),
// as opposed to missing an SLO.
func (v Verdict) RunFailed() bool { return len(v.Checks) > 0 && !v.Checks[0].OK }

func failedChecks(cs []Check) []Check {
	var out []Check
	for _, c := range cs {
		if !c.OK && !c.Informational {
			out = append(out, c)
		}
	}
	return out
}

// AllOK reports whether every deciding check in cs passed.
func AllOK(cs []Check) bool {
	return !slices.ContainsFunc(cs, func(c Check) bool { return !c.OK && !c.Informational })
}

// Failed is the number of sends that did not end acknowledged: errors,
// throttles, aborted and unfinished sends. Every one counts against
// max_error_rate and in the printed failure rate.
func (r *Result) Failed() int64 {
	c := r.Counts
	return c.Errors + c.Throttles + c.Aborted + c.Unfinished
}

// FailureRate is Failed / Sent (0 when nothing was sent).
func (r *Result) FailureRate() float64 {
	if r.Counts.Sent == 0 {
		return 0
	}
	return float64(r.Failed()) / float64(r.Counts.Sent)
}

// Judge is the one verdict on a run: the run check (at least one send
// acknowledged) followed by CheckSLO's checks. run labels the checks.
func Judge(run string, r *Result, slo *model.SLO) Verdict {
	c := r.Counts
	checks := []Check{{
		Run: run, What: "acknowledged sends", Want: "> 0",
		Got: units.Int(c.Acked) + " of " + units.Int(c.Sent), OK: c.Acked > 0,
	}}
	checks = append(checks, CheckSLO(run, r, slo)...)
	return Verdict{OK: AllOK(checks), Checks: checks}
}

// CheckSLO checks r against slo, one Check per bound set (nil or zero
// fields are not checked): publish p99 bounds the corrected response-time
// p99; end-to-end p99 the end-to-end p99 (a run whose consumers delivered
// no samples misses it; a run with no consumers is told it was not
// measured, informationally); failed sends bounds Failed / Sent — errors, throttles,
// aborted and unfinished sends alike — by max_error_rate.
func CheckSLO(run string, r *Result, slo *model.SLO) []Check {
	if slo == nil {
		return nil
	}
	var out []Check
	p99 := func(what string, lim time.Duration, l Latency) Check {
		c := Check{Run: run, What: what, Want: "≤ " + units.Span(lim), Got: "no samples"}
		if l.Count > 0 {
			c.Got, c.OK = units.Span(time.Duration(l.P99NS)), time.Duration(l.P99NS) <= lim
		}
		return c
	}
	if lim := slo.PublishP99.D(); lim > 0 {
		c := p99("publish p99", lim, r.Response)
		if !c.OK && r.Response.Count > 0 && r.SendLag.P99NS*2 >= r.Response.P99NS && r.Counts.InflightLimited == 0 {
			// The corrected figure is mostly the generator's own lateness
			// (woken late by a busy CPU), not the target's answer time.
			c.Got += fmt.Sprintf(", mostly send lag (p99 %s; service p99 %s): the load generator woke late, no send waited for an in-flight slot",
				units.Span(time.Duration(r.SendLag.P99NS)), units.Span(time.Duration(r.Service.P99NS)))
		}
		out = append(out, c)
	}
	if lim := slo.E2EP99.D(); lim > 0 {
		if r.Settings.Consumers == 0 {
			// A run without consumers measures no end-to-end latency (a
			// distributed worker, say): say so, without passing or failing it.
			out = append(out, Check{Run: run, What: "end-to-end p99", Want: "≤ " + units.Span(lim),
				Got: "no consumers ran, so not measured", Informational: true})
		} else {
			out = append(out, p99("end-to-end p99", lim, r.E2E))
		}
	}
	if slo.MaxErrorRate > 0 {
		rate := r.FailureRate()
		out = append(out, Check{Run: run, What: "failed sends",
			Want: "≤ " + units.Percent(slo.MaxErrorRate),
			Got:  fmt.Sprintf("%s (%s of %s)", units.Percent(rate), units.Int(r.Failed()), units.Int(r.Counts.Sent)),
			OK:   rate <= slo.MaxErrorRate})
	}
	return out
}

// SchemaVerify names the JSON document `streamcap verify` writes (its
// verdict is a PlanVerdict); bench/verify writes it and reports reads it,
// both by this one name.
const SchemaVerify = "streamcap.verify/v1"

// PlanVerdict is the verdict on a capacity plan proven by measurement
// (computed once, by bench/verify; reports and the CLI display it): whether
// the plan holds, and each check behind it.
type PlanVerdict struct {
	// Holds is true when every deciding check passed.
	Holds bool `json:"holds"`
	// PlannedShards is the shard count the plan chose.
	PlannedShards int `json:"planned_shards"`
	// Checks in the order they were made; the run below the plan adds an
	// informational one.
	Checks []Check `json:"checks"`
}
