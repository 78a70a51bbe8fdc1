// Command latesends reads a Go execution trace of a streamcap run and says, for every send that
// went out LateSendTraceAfter (100 µs) or more after its due time, what its goroutine was doing:
//
//	streamcap bench --duration 10s --warmup 2s --trace run.trace
//	go run ./bench/perf/latesends run.trace
//
// The generator logs each such send into the trace (loadgen.LateSendTraceCategory). A late send
// is "queued" when it fell due before the previous late send went out (senders take turns, so it
// could not go earlier); otherwise its goroutine's last transitions before the send decide: it
// woke after the due time ("woke late", with what it waited on), it was runnable before the due
// time but got no processor until after it ("runnable"), or it was running at the due time and
// still late ("running": its spin was interrupted). docs/performance.md's breakdown of late sends
// comes from this command.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"golang.org/x/exp/trace"

	"github.com/streamcap/streamcap/loadgen"
	"github.com/streamcap/streamcap/model/units"
)

func main() {
	examples := flag.Int("examples", 3, "show this many examples of each kind")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: latesends [-examples N] TRACE\n\nTRACE is written by streamcap --trace FILE.\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "latesends:", err)
		os.Exit(1)
	}
	defer f.Close()
	rep, err := classify(f)
	if err != nil {
		fmt.Fprintf(os.Stderr, "latesends: %s: %v\n", flag.Arg(0), err)
		os.Exit(1)
	}
	rep.write(os.Stdout, *examples)
}

// Kinds of late send, in the order the report lists them.
const (
	kindQueued   = "queued behind an earlier late send"
	kindWokeLate = "woke after its due time"
	kindRunnable = "runnable before its due time, no processor until after"
	kindRunning  = "running at its due time (spin interrupted)"
	kindUnknown  = "no wait seen before it"
)

// kinds lists the kinds of late send in report order.
func kinds() []string {
	return []string{kindQueued, kindWokeLate, kindRunnable, kindRunning, kindUnknown}
}

// lateSend is one logged late send and what classify found about it.
type lateSend struct {
	at, due     trace.Time
	g           trace.GoID
	lag         time.Duration
	kind        string
	waitedOn    string        // the reason of the goroutine's last wait
	sleep, wake time.Duration // relative to the due time
	run         time.Duration
}

// report is every late send, classified.
type report struct {
	sends []lateSend
}

// transition is one state change of a goroutine.
type transition struct {
	at       trace.Time
	from, to trace.GoState
	reason   string
}

// classify reads a trace and classifies its late sends.
func classify(r io.Reader) (report, error) {
	tr, err := trace.NewReader(r)
	if err != nil {
		return report{}, fmt.Errorf("read trace: %w", err)
	}
	byG := map[trace.GoID][]transition{}
	var sends []lateSend
	for {
		ev, err := tr.ReadEvent()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return report{}, fmt.Errorf("read trace: %w", err)
		}
		switch ev.Kind() {
		case trace.EventLog:
			l := ev.Log()
			if l.Category != loadgen.LateSendTraceCategory {
				continue
			}
			ns, err := strconv.ParseInt(l.Message, 10, 64)
			if err != nil {
				return report{}, fmt.Errorf("late-send log %q: %w", l.Message, err)
			}
			sends = append(sends, lateSend{at: ev.Time(), due: ev.Time() - trace.Time(ns), g: ev.Goroutine(), lag: time.Duration(ns)})
		case trace.EventStateTransition:
			st := ev.StateTransition()
			if st.Resource.Kind != trace.ResourceGoroutine {
				continue
			}
			from, to := st.Goroutine()
			g := st.Resource.Goroutine()
			byG[g] = append(byG[g], transition{at: ev.Time(), from: from, to: to, reason: st.Reason})
		}
	}
	slices.SortFunc(sends, func(a, b lateSend) int { return int(a.at - b.at) })
	var prev trace.Time
	for i := range sends {
		s := &sends[i]
		if i > 0 && s.due < prev {
			s.kind = kindQueued
		} else {
			s.kindFrom(byG[s.g])
		}
		prev = s.at
	}
	return report{sends: sends}, nil
}

// kindFrom classifies a send that was not queued from its goroutine's last wait before it.
func (s *lateSend) kindFrom(ts []transition) {
	var wake, run, sleep *transition
	for i := len(ts) - 1; i >= 0 && sleep == nil; i-- {
		t := &ts[i]
		if t.at > s.at {
			continue
		}
		switch {
		case t.to == trace.GoRunning && run == nil:
			run = t
		case t.from == trace.GoWaiting && t.to == trace.GoRunnable && wake == nil:
			wake = t
		case t.to == trace.GoWaiting:
			sleep = t
		}
	}
	if sleep == nil || wake == nil || run == nil {
		s.kind = kindUnknown
		return
	}
	rel := func(t trace.Time) time.Duration { return time.Duration(t - s.due) }
	s.sleep, s.wake, s.run, s.waitedOn = rel(sleep.at), rel(wake.at), rel(run.at), sleep.reason
	switch {
	case wake.at > s.due:
		s.kind = kindWokeLate
	case run.at > s.due:
		s.kind = kindRunnable
	default:
		s.kind = kindRunning
	}
}

// write prints how many late sends of each kind there were, their lateness, and examples.
func (r report) write(w io.Writer, examples int) {
	fmt.Fprintf(w, "%s sends went out %s or more after their due time\n\n", units.Int(int64(len(r.sends))), units.Span(loadgen.LateSendTraceAfter))
	if len(r.sends) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "sends\tshare\tlate p50\tlate max\t  kind")
	for _, k := range kinds() {
		var lags []time.Duration
		for _, s := range r.sends {
			if s.kind == k {
				lags = append(lags, s.lag)
			}
		}
		if len(lags) == 0 {
			continue
		}
		slices.Sort(lags)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t  %s\n", units.Int(int64(len(lags))), units.Percent(float64(len(lags))/float64(len(r.sends))),
			units.Span(lags[len(lags)/2]), units.Span(lags[len(lags)-1]), k)
	}
	tw.Flush()
	for _, k := range kinds()[1:4] {
		n := 0
		for _, s := range r.sends {
			if s.kind != k || n >= examples {
				continue
			}
			if n == 0 {
				fmt.Fprintf(w, "\n%s (times from the due time):\n", k)
			}
			n++
			fmt.Fprintf(w, "  %s late: waited on %q from %s, runnable at %s, running at %s\n",
				units.Span(s.lag), s.waitedOn, signed(s.sleep), signed(s.wake), signed(s.run))
		}
	}
}

// signed formats d with its sign, as an offset from a due time.
func signed(d time.Duration) string {
	if d < 0 {
		return "-" + units.Span(-d)
	}
	return "+" + units.Span(d)
}
