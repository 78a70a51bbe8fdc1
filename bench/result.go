package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/streamcap/streamcap/loadgen"
)

// SchemaVersion identifies the JSON layout of a Result (see
// docs/bench-result-schema.md). It changes when a field changes meaning.
const SchemaVersion = "streamcap.bench.result/v1"

// Result is everything a benchmark run measured, in the documented JSON
// layout. Every histogram is kept in HdrHistogram's base64 V2 compressed
// form, so results can be merged and re-reported later without the raw
// samples. Times are nanoseconds unless a field name says otherwise.
type Result struct {
	// Schema is SchemaVersion.
	Schema string `json:"schema"`
	// Target is the target name (embedded, kinesis, kafka).
	Target string `json:"target"`
	// Driver describes the driver and its settings.
	Driver DriverInfo `json:"driver"`
	// Settings are the run's settings.
	Settings Settings `json:"settings"`
	// Runs is how many runs this result holds (1, or the count merged).
	Runs int `json:"runs"`
	// StartedAt is when measurement began (after the warm-up), UTC.
	StartedAt time.Time `json:"started_at"`
	// ElapsedNS is the measured window length.
	ElapsedNS int64 `json:"elapsed_ns"`
	// TargetRate and AchievedRate are records per second over the window.
	TargetRate   float64 `json:"target_rate"`
	AchievedRate float64 `json:"achieved_rate"`
	// StopReason says what ended the run (duration, records, profile-end,
	// behind-at-end, canceled, fail-fast).
	StopReason string `json:"stop_reason"`
	// Counts are the producer counters.
	Counts loadgen.Counts `json:"counts"`
	// E2ECounts are the consumer-side counters.
	E2ECounts loadgen.E2ECounts `json:"e2e_counts"`
	// Errors and Throttles count failed sends by message, largest first.
	Errors    []loadgen.ErrorCount `json:"errors"`
	Throttles []loadgen.ErrorCount `json:"throttles"`
	// ConsumerErrors lists errors consumers returned (one per consumer
	// that failed).
	ConsumerErrors []string `json:"consumer_errors,omitempty"`
	// Response, Service, SendLag and E2E are the latency distributions.
	Response Latency `json:"response"`
	Service  Latency `json:"service"`
	SendLag  Latency `json:"send_lag"`
	E2E      Latency `json:"e2e"`
	// Timeline is one entry per interval.
	Timeline []loadgen.Interval `json:"timeline"`
	// Distributed is set when the run was one worker's slice of a shared
	// schedule (or a merge of all of them).
	Distributed *Distributed `json:"distributed,omitempty"`
	// Pacing is what sending on time cost the generator (its busy-wait's
	// share of a core, the spin window it needed and why); set when the
	// generator waited precisely for paced sends.
	Pacing *loadgen.PacingStats `json:"pacing,omitempty"`
}

// Settings are the knobs a run used, as given (durations as text).
type Settings struct {
	Profile     string `json:"profile"`
	Duration    string `json:"duration"`
	Warmup      string `json:"warmup"`
	Records     int64  `json:"records,omitempty"`
	MaxInflight int    `json:"max_inflight"`
	CatchUp     string `json:"catch_up"`
	Interval    string `json:"interval"`
	Consumers   int    `json:"consumers"`
	// Consumer says how the end-to-end consumers read, the source of the
	// end-to-end figures: "polling every 1s", "subscribe (push)", ...
	Consumer     string `json:"consumer,omitempty"`
	Stream       string `json:"stream,omitempty"`
	Shards       int    `json:"shards,omitempty"`
	Seed         uint64 `json:"seed"`
	RecordSize   string `json:"record_size"`
	Keys         string `json:"keys"`
	PayloadFile  string `json:"payload_file,omitempty"`
	FailFast     bool   `json:"fail_fast,omitempty"`
	NoSpin       bool   `json:"no_spin,omitempty"`
	LateAfterNS  int64  `json:"late_threshold_ns"`
	GeneratorCPU int    `json:"generator_gomaxprocs"`
}

// Latency summarises one latency histogram. Percentiles are nanoseconds
// (HdrHistogram's highest equivalent value at that percentile, 3
// significant digits).
type Latency struct {
	Count   int64   `json:"count"`
	MinNS   int64   `json:"min_ns"`
	MeanNS  float64 `json:"mean_ns"`
	P50NS   int64   `json:"p50_ns"`
	P90NS   int64   `json:"p90_ns"`
	P99NS   int64   `json:"p99_ns"`
	P999NS  int64   `json:"p99_9_ns"`
	P9999NS int64   `json:"p99_99_ns"`
	MaxNS   int64   `json:"max_ns"`
	// Histogram is the full distribution, base64 V2 compressed ("" when
	// empty); decode it with Histogram.
	Histogram string `json:"hdr"`
}

// Percentiles are the percentiles every report shows, in the order shown.
var Percentiles = []float64{50, 90, 99, 99.9, 99.99}

// summarize builds a Latency from h.
func summarize(h *hdr.Histogram) (Latency, error) {
	enc, err := loadgen.Encode(h)
	if err != nil {
		return Latency{}, err
	}
	if h.TotalCount() == 0 {
		return Latency{}, nil
	}
	return Latency{
		Count:     h.TotalCount(),
		MinNS:     h.Min(),
		MeanNS:    h.Mean(),
		P50NS:     h.ValueAtQuantile(50),
		P90NS:     h.ValueAtQuantile(90),
		P99NS:     h.ValueAtQuantile(99),
		P999NS:    h.ValueAtQuantile(99.9),
		P9999NS:   h.ValueAtQuantile(99.99),
		MaxNS:     h.Max(),
		Histogram: enc,
	}, nil
}

// Decode returns the histogram of l (empty when l has none).
func (l Latency) Decode() (*hdr.Histogram, error) { return loadgen.Decode(l.Histogram) }

// Quantile returns percentile q (0–100) of l in nanoseconds, from the
// summary when q is one of Percentiles, else from the histogram.
func (l Latency) Quantile(q float64) (int64, error) {
	switch q {
	case 50:
		return l.P50NS, nil
	case 90:
		return l.P90NS, nil
	case 99:
		return l.P99NS, nil
	case 99.9:
		return l.P999NS, nil
	case 99.99:
		return l.P9999NS, nil
	case 100:
		return l.MaxNS, nil
	}
	h, err := l.Decode()
	if err != nil {
		return 0, err
	}
	return h.ValueAtQuantile(q), nil
}

// Elapsed returns ElapsedNS as a time.Duration.
func (r *Result) Elapsed() time.Duration { return time.Duration(r.ElapsedNS) }

// WriteJSON writes r as indented JSON.
func WriteJSON(w io.Writer, r *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write result json: %w", err)
	}
	return nil
}

// ReadJSON reads a Result WriteJSON wrote, checking its schema version and
// that every histogram decodes.
func ReadJSON(rd io.Reader) (*Result, error) {
	var r Result
	dec := json.NewDecoder(rd)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("read result json: %w", err)
	}
	if r.Schema != SchemaVersion {
		return nil, fmt.Errorf("read result json: schema %q: must be %q", r.Schema, SchemaVersion)
	}
	for name, l := range r.latencies() {
		if _, err := l.Decode(); err != nil {
			return nil, fmt.Errorf("read result json: %s.hdr: %w", name, err)
		}
	}
	return &r, nil
}

// latencies names the result's latency fields as they appear in JSON.
func (r *Result) latencies() map[string]*Latency {
	return map[string]*Latency{"response": &r.Response, "service": &r.Service, "send_lag": &r.SendLag, "e2e": &r.E2E}
}
