package bench

import (
	"fmt"
	"io"
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
		pct = units.Percent(r.AchievedRate / r.TargetRate)
	}
	fmt.Fprintf(tw, "rate\tachieved %s/s\ttarget %s/s\t(%s)\n", units.Rate(r.AchievedRate), units.Rate(r.TargetRate), pct)
	fmt.Fprintf(tw, "records\tsent %s (%s)\tacked %s (%s)\t\n", units.Int(c.Sent), units.SI(float64(c.SentBytes), "B"), units.Int(c.Acked), units.SI(float64(c.AckedBytes), "B"))
	fmt.Fprintf(tw, "failed\t%s of %s sends (%s)\t%s errors, %s throttled\t%s aborted, %s unfinished\n",
		units.Int(r.Failed()), units.Int(c.Sent), units.Percent(r.FailureRate()), units.Int(c.Errors), units.Int(c.Throttles), units.Int(c.Aborted), units.Int(c.Unfinished))
	fmt.Fprintf(tw, "late\t%s sent > %s behind schedule\t%s of them in-flight-limited\tmissed %s, peak in-flight %s\n",
		units.Int(c.Late), units.Span(time.Duration(s.LateAfterNS)), units.Int(c.InflightLimited), units.Int(c.Missed), units.Int(c.PeakInflight))
	if r.Settings.Consumers > 0 || r.E2ECounts.Received > 0 {
		via := ""
		if s.Consumer != "" {
			via = ", read by " + s.Consumer
		}
		fmt.Fprintf(tw, "consumed\t%s records end to end%s\t%s warm-up, %s unstamped\t\n", units.Int(r.E2ECounts.Received), via, units.Int(r.E2ECounts.Warmup), units.Int(r.E2ECounts.Unstamped))
	}
	if p := r.Pacing; p != nil {
		if p.SpinOff() {
			why := "one CPU" // loadgen's default there
			if r.Settings.NoSpin {
				why = "--no-spin"
			}
			fmt.Fprintf(tw, "pacing\tno spin (%s): sleeps only\t\tprecise sleeps wake late by %s (p99)\n", why, units.Span(p.WakeLate))
		} else {
			fmt.Fprintf(tw, "pacing\tspin %s of a core\tspin window %s–%s\tprecise sleeps wake late by %s (p99)\n",
				units.Percent(p.SpinShare), units.Span(p.SpinWindow), units.Span(p.SpinWindowMax), units.Span(p.WakeLate))
		}
		if p.Interruptions > 0 {
			fmt.Fprintf(tw, "\tspin interrupted %s× ≥ %s\t%s of the spin\tthe machine took the CPU (or a GC paused it)\n",
				units.Int(p.Interruptions), units.Span(loadgen.InterruptGap), units.Percent(p.InterruptedShare))
		}
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
			fmt.Fprintf(tw, "%s\t", units.Span(time.Duration(v)))
		}
		fmt.Fprintf(tw, "%s\t%s\t\n", units.Span(time.Duration(row.l.MaxNS)), units.Int(row.l.Count))
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

func writeErrors(b *strings.Builder, kind string, n, sent int64, list []loadgen.ErrorCount) {
	share := 0.0
	if sent > 0 {
		share = float64(n) / float64(sent)
	}
	fmt.Fprintf(b, "%s: %s (%s of sent)\n", kind, units.Int(n), units.Percent(share))
	for i, e := range list {
		if i == maxListedErrors {
			fmt.Fprintf(b, "  … %s more messages (see the JSON result)\n", units.Int(int64(len(list)-i)))
			break
		}
		fmt.Fprintf(b, "  %8s × %s\n", units.Int(e.Count), e.Message)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
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
		fmt.Fprintf(&b, "SLO missed: %s failed\n", units.Plural(int64(n), "check"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteChecks renders checks one per line, passed ones included:
// "ok   publish p99 met: 3.1 ms (want ≤ 50 ms)", "FAIL ...", "note ..." for a
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
