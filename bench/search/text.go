package search

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Bracket states what a search found in one sentence: "sustains
// 3,940/s; fails at 4,020/s (precision 2 %)", and whether the highest
// passing rate was confirmed at full length. Text output and the report
// both quote it.
func (o *Outcome) Bracket() string {
	var s string
	switch {
	case o.SustainableRate == 0 && o.FailingRate > 0:
		s = "fails even at " + fmtRate(o.FailingRate)
	case o.SustainableRate == 0:
		s = "no trial completed"
	case o.FailingRate == 0:
		s = fmt.Sprintf("sustains %s, the highest rate tried", fmtRate(o.SustainableRate))
	default:
		s = fmt.Sprintf("sustains %s; fails at %s (precision %s)", fmtRate(o.SustainableRate), fmtRate(o.FailingRate), fmtPct(o.Precision))
	}
	switch o.StopReason {
	case StopMaxTrials:
		s += "; trial budget spent before the bracket was within the precision"
	case StopCanceled:
		s += "; search canceled"
	}
	if o.SustainableRate > 0 {
		if o.Confirmed {
			s += "; confirmed by a full-length run"
		} else {
			s += "; not confirmed at full length"
		}
	}
	return s
}

// WriteText renders o for a terminal: what was searched, the bracket, the
// plan's prediction when known, and a table of every trial.
func WriteText(w io.Writer, o *Outcome) error {
	var b strings.Builder
	b.WriteString("streamcap bench search")
	var what []string
	if o.Target != "" {
		what = append(what, o.Target)
	}
	if o.Shards > 0 {
		what = append(what, fmt.Sprintf("%d %s", o.Shards, map[bool]string{true: "shard", false: "shards"}[o.Shards == 1]))
	}
	if o.Workload != "" {
		what = append(what, "workload "+o.Workload)
	}
	if len(what) > 0 {
		b.WriteString(": " + strings.Join(what, ", "))
	}
	fmt.Fprintf(&b, "\n%s\n", o.Bracket())
	if o.PredictedRate > 0 {
		fmt.Fprintf(&b, "the plan's model predicts %s for these shards and keys", fmtRate(o.PredictedRate))
		if o.SustainableRate > 0 {
			fmt.Fprintf(&b, " (measured %s %% of it)", strconv.FormatFloat(100*o.SustainableRate/o.PredictedRate, 'f', 1, 64))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "#\tphase\trate\tresult\tachieved\tp99\tthrottled\terrors\tbacklog slope\t  failing condition")
	for i, t := range o.Trials {
		res, cond := "pass", ""
		if !t.Passed {
			res, cond = "FAIL", strings.Join(t.Reasons, "; ")
		}
		slope := "–"
		if t.BacklogSlope != nil {
			slope = fmtRate(*t.BacklogSlope)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t  %s\n", i+1, t.Phase, fmtRate(t.Rate), res, fmtRate(t.AchievedRate),
			fmtLatency(t.ResponseP99NS), fmtCount(float64(t.Throttles)), fmtCount(float64(t.Errors)), slope, cond)
	}
	tw.Flush()
	fmt.Fprintf(&b, "\n%d %s in %s (stopped: %s)\n", len(o.Trials), map[bool]string{true: "trial", false: "trials"}[len(o.Trials) == 1],
		time.Duration(o.ElapsedNS).Round(time.Second), o.StopReason)
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	_, err := io.WriteString(w, strings.Join(lines, "\n"))
	return err
}

// fmtLatency formats nanoseconds with 3 significant digits ("1.02µs",
// "4.2ms", "1.31s"); "–" for 0.
func fmtLatency(ns int64) string {
	if ns <= 0 {
		return "–"
	}
	v, unit := float64(ns), "ns"
	for _, u := range []struct {
		div  float64
		unit string
	}{{1e9, "s"}, {1e6, "ms"}, {1e3, "µs"}} {
		if v >= u.div {
			v, unit = v/u.div, u.unit
			break
		}
	}
	return strconv.FormatFloat(roundSig(v, 3), 'f', -1, 64) + unit
}

func roundSig(v float64, n int) float64 {
	if v == 0 {
		return 0
	}
	p := math.Pow(10, float64(n)-math.Ceil(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

// WriteJSON writes o as indented JSON.
func WriteJSON(w io.Writer, o *Outcome) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(o); err != nil {
		return fmt.Errorf("write search json: %w", err)
	}
	return nil
}

// ReadJSON reads an Outcome WriteJSON wrote, checking its schema.
func ReadJSON(r io.Reader) (*Outcome, error) {
	var o Outcome
	if err := json.NewDecoder(r).Decode(&o); err != nil {
		return nil, fmt.Errorf("read search json: %w", err)
	}
	if o.Schema != SchemaVersion {
		return nil, fmt.Errorf("read search json: schema %q: must be %q", o.Schema, SchemaVersion)
	}
	return &o, nil
}
