package search

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/streamcap/streamcap/model/units"
)

// Bracket states what a search found in one sentence: "sustains
// 3,940/s; fails at 4,020/s (precision 2 %)", and whether the highest
// passing rate was confirmed at full length. Text output and the report
// both quote it.
func (o *Outcome) Bracket() string {
	var s string
	switch {
	case o.SustainableRate == 0 && o.FailingRate > 0:
		s = "fails even at " + units.Rate(o.FailingRate) + "/s"
	case o.SustainableRate == 0:
		s = "no trial completed"
	case o.FailingRate == 0:
		s = fmt.Sprintf("sustains %s, the highest rate tried", units.Rate(o.SustainableRate)+"/s")
	default:
		s = fmt.Sprintf("sustains %s; fails at %s (precision %s)", units.Rate(o.SustainableRate)+"/s", units.Rate(o.FailingRate)+"/s", units.Percent(o.Precision))
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
		what = append(what, units.Plural(int64(o.Shards), "shard"))
	}
	if o.Workload != "" {
		what = append(what, "workload "+o.Workload)
	}
	if len(what) > 0 {
		b.WriteString(": " + strings.Join(what, ", "))
	}
	fmt.Fprintf(&b, "\n%s\n", o.Bracket())
	if o.PredictedRate > 0 {
		fmt.Fprintf(&b, "the plan's model predicts %s for these shards and keys", units.Rate(o.PredictedRate)+"/s")
		if o.SustainableRate > 0 {
			fmt.Fprintf(&b, " (measured %s of it)", units.Percent(o.SustainableRate/o.PredictedRate))
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
			slope = units.Rate(*t.BacklogSlope) + "/s"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t  %s\n", i+1, t.Phase, units.Rate(t.Rate)+"/s", res, units.Rate(t.AchievedRate)+"/s",
			p99Cell(t.ResponseP99NS), units.Int(t.Throttles), units.Int(t.Errors), slope, cond)
	}
	tw.Flush()
	fmt.Fprintf(&b, "\n%s in %s (stopped: %s)\n", units.Plural(int64(len(o.Trials)), "trial"),
		units.Span(time.Duration(o.ElapsedNS)), o.StopReason)
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	_, err := io.WriteString(w, strings.Join(lines, "\n"))
	return err
}

// p99Cell is a trial's p99 in the table: "–" when nothing was measured.
func p99Cell(ns int64) string {
	if ns <= 0 {
		return "–"
	}
	return units.Span(time.Duration(ns))
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
