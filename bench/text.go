package bench

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/streamcap/streamcap/loadgen"
	"github.com/streamcap/streamcap/model/units"
)

// maxListedErrors is how many error messages the text report lists per
// kind; the JSON result has them all (up to the generator's limit).
const maxListedErrors = 5

// WriteText renders r for a terminal: what ran, achieved vs target rate,
// records and bytes sent and acknowledged, errors and throttles by
// message, late and missed sends, and a percentile table for response
// time, service time, send lag and end-to-end latency.
func WriteText(w io.Writer, r *Result) error {
	var b strings.Builder
	drv := r.Driver.Name
	if r.Driver.Version != "" {
		drv += " (" + r.Driver.Version + ")"
	}
	if r.Driver.Endpoint != "" {
		drv += " at " + r.Driver.Endpoint
	}
	fmt.Fprintf(&b, "streamcap bench: %s via %s", orDash(r.Target), orDash(drv))
	if r.Runs > 1 {
		fmt.Fprintf(&b, ", %d runs merged", r.Runs)
	}
	b.WriteString("\n")
	s := r.Settings
	fmt.Fprintf(&b, "profile %s, %s measured after %s warm-up, max in-flight %d, catch-up %s, records %s, keys %s\n",
		s.Profile, units.Duration(roundElapsed(r.Elapsed())).String(), s.Warmup, s.MaxInflight, s.CatchUp, s.RecordSize, s.Keys)
	fmt.Fprintf(&b, "stopped: %s\n", r.StopReason)
	writeDistributedText(&b, r)
	b.WriteString("\n")

	c := r.Counts
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	pct := "-"
	if r.TargetRate > 0 {
		pct = strconv.FormatFloat(100*r.AchievedRate/r.TargetRate, 'f', 2, 64) + "%"
	}
	fmt.Fprintf(tw, "rate\tachieved %s/s\ttarget %s/s\t(%s)\n", fmtRate(r.AchievedRate), fmtRate(r.TargetRate), pct)
	sentB, ackedB := formatBytesPair(c.SentBytes, c.AckedBytes)
	fmt.Fprintf(tw, "records\tsent %d (%s)\tacked %d (%s)\t\n", c.Sent, sentB, c.Acked, ackedB)
	fmt.Fprintf(tw, "failed\t%d of %d sends (%s)\t%d errors, %d throttled\t%d aborted, %d unfinished\n",
		r.Failed(), c.Sent, FormatPercent(r.FailureRate()), c.Errors, c.Throttles, c.Aborted, c.Unfinished)
	fmt.Fprintf(tw, "late\t%d sent > %s behind schedule\t%d of them in-flight-limited\tmissed %d, peak in-flight %d\n",
		c.Late, FormatDuration(s.LateAfterNS), c.InflightLimited, c.Missed, c.PeakInflight)
	if r.Settings.Consumers > 0 || r.E2ECounts.Received > 0 {
		via := ""
		if s.Consumer != "" {
			via = ", read by " + s.Consumer
		}
		fmt.Fprintf(tw, "consumed\t%d records end to end%s\t%d warm-up, %d unstamped\t\n", r.E2ECounts.Received, via, r.E2ECounts.Warmup, r.E2ECounts.Unstamped)
	}
	tw.Flush()
	writeErrors(&b, "errors", c.Errors, c.Sent, r.Errors)
	writeErrors(&b, "throttles", c.Throttles, c.Sent, r.Throttles)
	for _, e := range r.ConsumerErrors {
		fmt.Fprintf(&b, "  consumer failed: %s\n", e)
	}
	if cl := c.Clamps.Low + c.Clamps.High + r.E2ECounts.Clamps.Low + r.E2ECounts.Clamps.High; cl > 0 {
		fmt.Fprintf(&b, "clamped samples: %d below 1µs or non-positive, %d above 1h (recorded at the bound)\n",
			c.Clamps.Low+r.E2ECounts.Clamps.Low, c.Clamps.High+r.E2ECounts.Clamps.High)
	}

	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "latency\t")
	for _, p := range Percentiles {
		fmt.Fprintf(tw, "p%s\t", strconv.FormatFloat(p, 'f', -1, 64))
	}
	fmt.Fprint(tw, "max\tcount\t\n")
	for _, row := range []struct {
		name string
		l    Latency
	}{{"response (corrected)", r.Response}, {"service", r.Service}, {"send lag", r.SendLag}, {"end-to-end", r.E2E}} {
		fmt.Fprintf(tw, "%s\t", row.name)
		if row.l.Count == 0 {
			for range Percentiles {
				fmt.Fprint(tw, "-\t")
			}
			fmt.Fprint(tw, "-\t0\t\n")
			continue
		}
		for _, p := range Percentiles {
			v, _ := row.l.Quantile(p)
			fmt.Fprintf(tw, "%s\t", FormatDuration(v))
		}
		fmt.Fprintf(tw, "%s\t%d\t\n", FormatDuration(row.l.MaxNS), row.l.Count)
	}
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
}

// roundElapsed rounds a measured window for display: to the millisecond
// from one second up, else to the microsecond.
func roundElapsed(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Microsecond)
}

// formatBytesPair formats two byte counts in one decimal unit (the one
// that suits the larger), so they compare at a glance: "30.0MB", "29.9MB".
func formatBytesPair(a, b int64) (string, string) {
	m := max(a, b)
	unit, div := "B", 1.0
	for _, u := range []struct {
		name string
		v    float64
	}{{"kB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}} {
		if float64(m) >= u.v {
			unit, div = u.name, u.v
		}
	}
	f := func(n int64) string {
		if unit == "B" {
			return strconv.FormatInt(n, 10) + "B"
		}
		return strconv.FormatFloat(float64(n)/div, 'f', 1, 64) + unit
	}
	return f(a), f(b)
}

func writeErrors(b *strings.Builder, kind string, n, sent int64, list []loadgen.ErrorCount) {
	share := 0.0
	if sent > 0 {
		share = 100 * float64(n) / float64(sent)
	}
	fmt.Fprintf(b, "%s: %d (%.3f%% of sent)\n", kind, n, share)
	for i, e := range list {
		if i == maxListedErrors {
			fmt.Fprintf(b, "  … %d more messages (see the JSON result)\n", len(list)-i)
			break
		}
		fmt.Fprintf(b, "  %8d × %s\n", e.Count, e.Message)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// FormatDuration formats nanoseconds with 3–4 significant figures in the
// largest unit below the value: 812µs, 12.35ms, 1.235s. It is the one
// latency format of bench's text and of every Check's figures.
func FormatDuration(ns int64) string {
	d := time.Duration(ns)
	switch {
	case d < time.Microsecond:
		return strconv.FormatInt(ns, 10) + "ns"
	case d < time.Millisecond:
		return trimFloat(float64(ns)/1e3, 1) + "µs"
	case d < time.Second:
		return trimFloat(float64(ns)/1e6, 2) + "ms"
	}
	return trimFloat(float64(ns)/1e9, 3) + "s"
}

func trimFloat(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// fmtRate formats a rate in records per second with one decimal.
func fmtRate(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "-"
	}
	return strconv.FormatFloat(r, 'f', 1, 64)
}

// WriteVerdict renders v check by check, passed checks included, then the
// overall line: "run failed" when nothing was acknowledged, else whether
// the SLO was met ("no SLO" when v has only the run check).
func WriteVerdict(w io.Writer, v Verdict) error {
	var b strings.Builder
	b.WriteString("\n")
	writeChecks(&b, v.Checks)
	switch {
	case v.RunFailed():
		b.WriteString("run failed: nothing was acknowledged\n")
	case len(v.Checks) <= 1:
		b.WriteString("no SLO to check\n")
	case v.OK:
		b.WriteString("SLO met: every check passed\n")
	default:
		n := len(v.Failed())
		fmt.Fprintf(&b, "SLO missed: %d %s failed\n", n, Plural(n, "check", "checks"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteChecks renders checks one per line, passed ones included:
// "ok   publish p99 met: 3.1ms (want ≤ 50ms)", "FAIL ...", "note ..." for a
// failed informational check.
func WriteChecks(w io.Writer, checks []Check) error {
	var b strings.Builder
	writeChecks(&b, checks)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeChecks(b *strings.Builder, checks []Check) {
	for _, c := range checks {
		mark := "ok  "
		switch {
		case !c.OK && c.Informational:
			mark = "note"
		case !c.OK:
			mark = "FAIL"
		}
		fmt.Fprintf(b, "%s %s\n", mark, c.String())
	}
}

// Plural returns one when n is 1, else many.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
