package bench

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/streamcap/streamcap/loadgen"
	"github.com/streamcap/streamcap/model/units"
)

// Distributed describes a run that was one worker's slice of a schedule
// several generators sent together (loadgen.Slice), or — in a merged
// result — the whole of one.
type Distributed struct {
	// Workers is how many generators shared the schedule.
	Workers int `json:"workers"`
	// Index is this worker's slice (absent in a merged result).
	Index *int `json:"index,omitempty"`
	// T0 is the shared start of the schedule (warm-up included), UTC.
	T0 time.Time `json:"t0"`
	// Schedule names everything that fixes the global schedule and what
	// each send carries; results merge only when it is the same.
	Schedule string `json:"schedule"`
	// StartLagNS is how late this worker began after T0 (0 when on time).
	StartLagNS int64 `json:"start_lag_ns"`
	// Host is the machine (pod) the worker ran on.
	Host string `json:"host,omitempty"`
	// Worker lists each worker of a merged result, by index.
	Worker []WorkerRun `json:"worker,omitempty"`
}

// WorkerRun is one worker's share of a merged distributed result.
type WorkerRun struct {
	Index      int       `json:"index"`
	Host       string    `json:"host,omitempty"`
	StartLagNS int64     `json:"start_lag_ns"`
	StartedAt  time.Time `json:"started_at"`
	Sent       int64     `json:"sent"`
	Acked      int64     `json:"acked"`
}

// ErrScheduleMismatch is returned by Merge for results that did not slice
// the same schedule.
var ErrScheduleMismatch = errors.New("results are not slices of one schedule")

// scheduleKey names what fixes the global schedule and every send's
// content: the target, profile, windows, record limit, seed, sizes, keys
// and stream. Workers that agree on it (and on N and t0) send the slices
// of one run.
func scheduleKey(target string, st Settings) string {
	return strings.Join([]string{
		"target=" + target, "profile=" + st.Profile, "warmup=" + st.Warmup, "duration=" + st.Duration,
		fmt.Sprintf("records=%d", st.Records), fmt.Sprintf("seed=%d", st.Seed), "size=" + st.RecordSize,
		"keys=" + st.Keys, "payload_file=" + st.PayloadFile, "stream=" + st.Stream,
	}, " ")
}

// distributedOf returns the Distributed section of a sliced run (nil for
// a whole one).
func distributedOf(target string, st Settings, lr *loadgen.Result) *Distributed {
	if lr.Slice.Whole() {
		return nil
	}
	idx := lr.Slice.Index
	host, _ := os.Hostname()
	return &Distributed{
		Workers: lr.Slice.Workers, Index: &idx, T0: lr.T0.UTC(), Schedule: scheduleKey(target, st),
		StartLagNS: int64(lr.StartLag), Host: host,
	}
}

// checkSlices verifies that results are the N distinct slices of one
// schedule and returns the merged Distributed section; nil when none of
// them is a slice. A missing worker is an error naming it.
func checkSlices(results []*Result) (*Distributed, error) {
	var sliced int
	for _, r := range results {
		if r.Distributed != nil {
			sliced++
		}
	}
	if sliced == 0 {
		return nil, nil
	}
	if sliced != len(results) {
		return nil, fmt.Errorf("merge: %w: %d of %d results are worker slices and the rest whole runs", ErrScheduleMismatch, sliced, len(results))
	}
	first := results[0].Distributed
	out := &Distributed{Workers: first.Workers, T0: first.T0, Schedule: first.Schedule}
	seen := map[int]int{}
	for i, r := range results {
		d := r.Distributed
		switch {
		case d.Index == nil:
			return nil, fmt.Errorf("merge: result %d is already a merge of %d workers; merge worker results", i+1, d.Workers)
		case d.Workers != first.Workers:
			return nil, fmt.Errorf("merge: %w: result %d has %d workers, result 1 has %d", ErrScheduleMismatch, i+1, d.Workers, first.Workers)
		case !d.T0.Equal(first.T0):
			return nil, fmt.Errorf("merge: %w: result %d starts at t0 %s, result 1 at %s", ErrScheduleMismatch, i+1, d.T0.Format(time.RFC3339Nano), first.T0.Format(time.RFC3339Nano))
		case d.Schedule != first.Schedule:
			return nil, fmt.Errorf("merge: %w: result %d ran %q, result 1 ran %q", ErrScheduleMismatch, i+1, d.Schedule, first.Schedule)
		}
		if j, dup := seen[*d.Index]; dup {
			return nil, fmt.Errorf("merge: results %d and %d are both worker %d", j+1, i+1, *d.Index)
		}
		seen[*d.Index] = i
		out.Worker = append(out.Worker, WorkerRun{
			Index: *d.Index, Host: d.Host, StartLagNS: d.StartLagNS, StartedAt: r.StartedAt,
			Sent: r.Counts.Sent, Acked: r.Counts.Acked,
		})
		out.StartLagNS = max(out.StartLagNS, d.StartLagNS)
	}
	var missing []string
	for i := range first.Workers {
		if _, ok := seen[i]; !ok {
			missing = append(missing, fmt.Sprint(i))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("merge: %d of %d workers missing (index %s): give every worker's result", len(missing), first.Workers, strings.Join(missing, ", "))
	}
	slices.SortFunc(out.Worker, func(a, b WorkerRun) int { return a.Index - b.Index })
	return out, nil
}

// checkSlice refuses worker slices that could not add up to one run: an
// embedded engine lives inside each worker (there is no shared target to
// count), and consumers on every worker would each read every worker's
// records.
func (opts *Options) checkSlice() error {
	if opts.Slice.Whole() {
		return nil
	}
	switch {
	case opts.Target == "embedded":
		return fmt.Errorf("workers %d: target embedded runs inside each worker; split a run only against a shared target (kinesis or kafka)", opts.Slice.Workers)
	case opts.Consumers > 0:
		return fmt.Errorf("workers %d with consumers %d: consumers cannot be split between workers; run them with 0 consumers (measure end-to-end latency from one machine)", opts.Slice.Workers, opts.Consumers)
	}
	return nil
}

// writeDistributedText renders the distributed section of r: which slice
// a worker ran, or, for a merge, each worker's start lag and counts.
func writeDistributedText(b *strings.Builder, r *Result) {
	d := r.Distributed
	if d == nil {
		return
	}
	t0 := d.T0.Format(time.RFC3339Nano)
	if d.Index != nil {
		fmt.Fprintf(b, "worker %d of %d, t0 %s, started %s late\n", *d.Index, d.Workers, t0, units.Span(time.Duration(d.StartLagNS)))
		return
	}
	fmt.Fprintf(b, "%d workers from t0 %s (clock offsets between machines are not measured: keep them synced)\n", d.Workers, t0)
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "worker\thost\tstart lag\tsent\tacked\t\n")
	for _, w := range d.Worker {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t\n", w.Index, orDash(w.Host), units.Span(time.Duration(w.StartLagNS)), units.Int(w.Sent), units.Int(w.Acked))
	}
	tw.Flush()
}
