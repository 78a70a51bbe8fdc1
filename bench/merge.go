package bench

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/streamcap/streamcap/loadgen"
)

// Merge combines runs made at the same time from several machines (the
// way to drive load beyond one generator): histograms are added, counters
// and rates summed, timelines merged interval by interval (by offset from
// each run's start), error messages summed, pacing combined
// (loadgen.MergePacing). The elapsed window is the
// longest, StartedAt the earliest; Settings and Driver are the first
// result's. Inputs are not modified.
func Merge(results ...*Result) (*Result, error) {
	if len(results) == 0 {
		return nil, errors.New("merge: no results; need at least one")
	}
	for i, r := range results {
		if r == nil || r.Schema != SchemaVersion {
			return nil, fmt.Errorf("merge: result %d: schema must be %q", i+1, SchemaVersion)
		}
	}
	dist, err := checkSlices(results)
	if err != nil {
		return nil, err
	}
	first := results[0]
	out := &Result{
		Schema:    SchemaVersion,
		Target:    first.Target,
		Driver:    first.Driver,
		Settings:  first.Settings,
		StartedAt: first.StartedAt,
	}
	var targets, reasons []string
	errs := map[string]int64{}
	thr := map[string]int64{}
	hists := map[string]*hdr.Histogram{}
	for _, name := range []string{"response", "service", "send_lag", "e2e"} {
		hists[name] = loadgen.NewHistogram()
	}
	type ivAcc struct {
		iv             loadgen.Interval
		resp, svc, lag *hdr.Histogram
	}
	var timeline []*ivAcc
	var pacings []loadgen.PacingStats
	for i, r := range results {
		if r.Pacing != nil {
			pacings = append(pacings, *r.Pacing)
		}
		out.Runs += max(1, r.Runs)
		if r.StartedAt.Before(out.StartedAt) {
			out.StartedAt = r.StartedAt
		}
		out.ElapsedNS = max(out.ElapsedNS, r.ElapsedNS)
		out.TargetRate += r.TargetRate
		out.AchievedRate += r.AchievedRate
		targets = appendUnique(targets, r.Target)
		reasons = appendUnique(reasons, r.StopReason)
		addCounts(&out.Counts, r.Counts)
		addE2E(&out.E2ECounts, r.E2ECounts)
		for _, e := range r.Errors {
			errs[e.Message] += e.Count
		}
		for _, e := range r.Throttles {
			thr[e.Message] += e.Count
		}
		out.ConsumerErrors = append(out.ConsumerErrors, r.ConsumerErrors...)
		for name, l := range r.latencies() {
			h, err := l.Decode()
			if err != nil {
				return nil, fmt.Errorf("merge: result %d: %s: %w", i+1, name, err)
			}
			hists[name].Merge(h)
		}
		for k, iv := range r.Timeline {
			for len(timeline) <= k {
				timeline = append(timeline, &ivAcc{resp: loadgen.NewHistogram(), svc: loadgen.NewHistogram(), lag: loadgen.NewHistogram()})
			}
			a := timeline[k]
			if a.iv.Length == 0 {
				a.iv.Start = iv.Start
			}
			a.iv.Length = max(a.iv.Length, iv.Length)
			a.iv.Sent += iv.Sent
			a.iv.Acked += iv.Acked
			a.iv.Errors += iv.Errors
			a.iv.Throttles += iv.Throttles
			a.iv.TargetRate += iv.TargetRate
			a.iv.Rate += iv.Rate
			for _, x := range []struct {
				dst *hdr.Histogram
				enc string
			}{{a.resp, iv.Response}, {a.svc, iv.Service}, {a.lag, iv.SendLag}} {
				h, err := loadgen.Decode(x.enc)
				if err != nil {
					return nil, fmt.Errorf("merge: result %d: timeline interval %d: %w", i+1, k, err)
				}
				x.dst.Merge(h)
			}
		}
	}
	if len(pacings) > 0 {
		p := loadgen.MergePacing(pacings...)
		out.Pacing = &p
	}
	out.Target = strings.Join(targets, "+")
	out.StopReason = strings.Join(reasons, "+")
	out.Errors, out.Throttles = sortedCounts(errs), sortedCounts(thr)
	if dist != nil {
		// The slices share t0 and their windows: the achieved rate is the
		// summed sends over that one window, not a sum of rates.
		out.Distributed = dist
		if out.ElapsedNS > 0 {
			out.AchievedRate = float64(out.Counts.Sent) / time.Duration(out.ElapsedNS).Seconds()
		}
	}
	for name, l := range out.latencies() {
		if *l, err = summarize(hists[name]); err != nil {
			return nil, err
		}
	}
	out.Timeline = make([]loadgen.Interval, len(timeline))
	for k, a := range timeline {
		iv := a.iv
		if a.resp.TotalCount() > 0 {
			iv.P50 = time.Duration(a.resp.ValueAtQuantile(50))
			iv.P99 = time.Duration(a.resp.ValueAtQuantile(99))
			iv.Max = time.Duration(a.resp.Max())
		}
		if iv.Response, err = loadgen.Encode(a.resp); err != nil {
			return nil, err
		}
		if iv.Service, err = loadgen.Encode(a.svc); err != nil {
			return nil, err
		}
		if iv.SendLag, err = loadgen.Encode(a.lag); err != nil {
			return nil, err
		}
		out.Timeline[k] = iv
	}
	return out, nil
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func addCounts(c *loadgen.Counts, o loadgen.Counts) {
	c.Sent += o.Sent
	c.SentBytes += o.SentBytes
	c.Acked += o.Acked
	c.AckedBytes += o.AckedBytes
	c.Errors += o.Errors
	c.Throttles += o.Throttles
	c.Aborted += o.Aborted
	c.Unfinished += o.Unfinished
	c.Late += o.Late
	c.InflightLimited += o.InflightLimited
	c.Missed += o.Missed
	c.WarmupSent += o.WarmupSent
	c.PeakInflight += o.PeakInflight
	c.Clamps.Low += o.Clamps.Low
	c.Clamps.High += o.Clamps.High
}

func addE2E(c *loadgen.E2ECounts, o loadgen.E2ECounts) {
	c.Received += o.Received
	c.Warmup += o.Warmup
	c.Unstamped += o.Unstamped
	c.Clamps.Low += o.Clamps.Low
	c.Clamps.High += o.Clamps.High
}

func sortedCounts(m map[string]int64) []loadgen.ErrorCount {
	out := make([]loadgen.ErrorCount, 0, len(m))
	for k, v := range m {
		out = append(out, loadgen.ErrorCount{Message: k, Count: v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Message < out[j].Message
	})
	return out
}
