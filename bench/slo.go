package bench

import (
	"fmt"
	"time"

	"github.com/streamcap/streamcap/model"
)

// SLOViolation is one SLO the run missed.
type SLOViolation struct {
	// Name is the SLO field: publish_p99, e2e_p99 or max_error_rate.
	Name string `json:"name"`
	// Limit and Actual are the bound and the measured value, formatted.
	Limit  string `json:"limit"`
	Actual string `json:"actual"`
}

// String says which SLO was missed and by how much.
func (v SLOViolation) String() string {
	return fmt.Sprintf("SLO %s missed: %s (limit %s)", v.Name, v.Actual, v.Limit)
}

// CheckSLO returns the SLOs r misses (nil when slo is nil or all hold).
// publish_p99 bounds the corrected response-time p99; e2e_p99 the
// end-to-end p99 (a run with no end-to-end samples misses it);
// max_error_rate bounds (errors + throttles + unfinished) / sent. A zero
// field is not set and not checked.
func CheckSLO(r *Result, slo *model.SLO) []SLOViolation {
	if slo == nil {
		return nil
	}
	var out []SLOViolation
	if lim := slo.PublishP99.D(); lim > 0 {
		if got := time.Duration(r.Response.P99NS); r.Response.Count == 0 || got > lim {
			out = append(out, SLOViolation{"publish_p99", fmtDur(int64(lim)), p99Text(r.Response)})
		}
	}
	if lim := slo.E2EP99.D(); lim > 0 {
		if got := time.Duration(r.E2E.P99NS); r.E2E.Count == 0 || got > lim {
			out = append(out, SLOViolation{"e2e_p99", fmtDur(int64(lim)), p99Text(r.E2E)})
		}
	}
	if slo.MaxErrorRate > 0 {
		c := r.Counts
		failed := c.Errors + c.Throttles + c.Unfinished
		rate := 0.0
		if c.Sent > 0 {
			rate = float64(failed) / float64(c.Sent)
		}
		if rate > slo.MaxErrorRate {
			out = append(out, SLOViolation{"max_error_rate", fmt.Sprintf("%g", slo.MaxErrorRate),
				fmt.Sprintf("%.6g (%d of %d sends failed)", rate, failed, c.Sent)})
		}
	}
	return out
}

func p99Text(l Latency) string {
	if l.Count == 0 {
		return "no samples"
	}
	return "p99 " + fmtDur(l.P99NS)
}
