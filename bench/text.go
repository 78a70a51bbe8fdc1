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
		s.Profile, units.Duration(r.ElapsedNS).String(), s.Warmup, s.MaxInflight, s.CatchUp, s.RecordSize, s.Keys)
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
	fmt.Fprintf(tw, "records\tsent %d (%s)\tacked %d (%s)\tunfinished %d, aborted %d\n",
		c.Sent, units.Bytes(c.SentBytes).String(), c.Acked, units.Bytes(c.AckedBytes).String(), c.Unfinished, c.Aborted)
	fmt.Fprintf(tw, "late\t%d sent > %s behind schedule\t%d of them in-flight-limited\tmissed %d, peak in-flight %d\n",
		c.Late, fmtDur(s.LateAfterNS), c.InflightLimited, c.Missed, c.PeakInflight)
	if r.Settings.Consumers > 0 || r.E2ECounts.Received > 0 {
		fmt.Fprintf(tw, "consumed\t%d records end to end\t%d warm-up, %d unstamped\t\n", r.E2ECounts.Received, r.E2ECounts.Warmup, r.E2ECounts.Unstamped)
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
			fmt.Fprintf(tw, "%s\t", fmtDur(v))
		}
		fmt.Fprintf(tw, "%s\t%d\t\n", fmtDur(row.l.MaxNS), row.l.Count)
	}
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
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

// fmtDur formats nanoseconds with 3–4 significant figures in the largest
// unit below the value: 812µs, 12.35ms, 1.235s.
func fmtDur(ns int64) string {
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
