// Package verifydoc is the streamcap.verify/v1 document: what
// `streamcap verify` found, written by bench/verify and read by reports.
// It is apart from bench/verify so that its readers do not link the
// engine and the drivers verify runs.
package verifydoc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/search"
	"github.com/streamcap/streamcap/model"
)

// Schema identifies the JSON document Verify's Outcome is written as
// (`streamcap verify --out`); `streamcap report` dispatches on it.
const Schema = bench.SchemaVerify

// Run is one benchmark of the plan at a shard count.
type Run struct {
	// Label names the run in checks and reports ("planned: 4 shards").
	Label string `json:"label"`
	// Shards is the shard count the stream had.
	Shards int `json:"shards"`
	// Result is the full benchmark result.
	Result *bench.Result `json:"result"`
	// Throttles counts sends the emulated limits refused.
	Throttles int64 `json:"throttles"`
	// Verdict is bench's verdict on the run (sends acknowledged, SLO).
	Verdict bench.Verdict `json:"verdict"`
	// Held is true when the run's verdict passed and every send was
	// acknowledged (no error, throttle, aborted or unfinished send).
	Held bool `json:"held"`
}

// Outcome is what Verify found; it is the streamcap.verify/v1 document.
type Outcome struct {
	// Schema is Schema.
	Schema string `json:"schema"`
	// Plan is the capacity plan that was tested.
	Plan *model.PlanResult `json:"plan"`
	// PeakRate is the rate the runs drove (rate × peak factor), records/s.
	PeakRate float64 `json:"peak_rate"`
	// Planned is the run at the planned shard count; Below the run with
	// one shard fewer (nil when the plan has one shard or SkipBelow).
	Planned Run  `json:"planned"`
	Below   *Run `json:"below,omitempty"`
	// Verdict is the plan verdict, computed once by Judge: the planned
	// count held; one shard fewer breaking is an informational check
	// (headroom can make one fewer hold too; that does not fail the plan).
	Verdict bench.PlanVerdict `json:"verdict"`
	// Holds is Verdict.Holds.
	Holds bool `json:"holds"`
	// Findings explain the verdict, one sentence each.
	Findings []string `json:"findings"`
	// Reach is how far the planned shards go (Options.Reach; nil when
	// not measured).
	Reach *Reach `json:"reach,omitempty"`
	// Latency sets the planned run's measured end-to-end latency beside
	// what the plan expects of its consumers (nil without consumers).
	Latency *Latency `json:"latency,omitempty"`
}

// Latency is the plan's expected end-to-end latency beside the measured
// one. The plan's figures are averages, so the mean is what compares; it
// informs and does not decide the verdict.
type Latency struct {
	// Expected is the plan's figure per consumer (model.ConsumerLatency).
	Expected []model.ConsumerLatency `json:"expected"`
	// MeasuredMeanNS and MeasuredP99NS summarise the planned run's
	// end-to-end latency over all its consumers.
	MeasuredMeanNS float64 `json:"measured_mean_ns"`
	MeasuredP99NS  int64   `json:"measured_p99_ns"`
	// Summary says both in one sentence.
	Summary string `json:"summary"`
}

// Reach is how far the planned shard count goes beyond the peak: the
// capacity search at that count and what it says against the peak.
type Reach struct {
	// Summary is the one sentence ("4 shards sustain up to 3,940/s: 31 %
	// above the peak of 3,000/s"), from search.Headroom.
	Summary string `json:"summary"`
	// Search is the search's outcome (streamcap.bench.search/v1): the
	// bracket, the trials and the model's prediction.
	Search *search.Outcome `json:"search"`
}

// ReadJSON reads an Outcome written as JSON, checking its schema and the
// runs' results.
func ReadJSON(rd io.Reader) (*Outcome, error) {
	var o Outcome
	if err := json.NewDecoder(rd).Decode(&o); err != nil {
		return nil, fmt.Errorf("read verify json: %w", err)
	}
	if o.Schema != Schema {
		return nil, fmt.Errorf("read verify json: schema %q: must be %q", o.Schema, Schema)
	}
	if o.Plan == nil || o.Plan.Kinesis.Provisioned == nil {
		return nil, errors.New("read verify json: no provisioned plan")
	}
	return &o, nil
}

// WriteJSON writes o as indented JSON.
func WriteJSON(w io.Writer, o *Outcome) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(o); err != nil {
		return fmt.Errorf("write verify json: %w", err)
	}
	return nil
}
