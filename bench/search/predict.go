package search

import (
	"fmt"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// Prediction is the write capacity the planner's model gives a stream of
// Shards shards for a workload's keys and record sizes: the rate at which
// the busiest shard (by the real MD5 placement of the keys) reaches its
// per-shard write limit.
type Prediction struct {
	// Rate is the predicted capacity, records/s.
	Rate float64 `json:"rate"`
	// Shards is the shard count; BusiestShare the busiest shard's share
	// of the traffic (model.ShardShares).
	Shards       int     `json:"shards"`
	BusiestShare float64 `json:"busiest_share"`
	// Binding is the per-shard limit reached first: write_records or
	// write_bytes.
	Binding string `json:"binding"`
}

// Predict returns the capacity the model predicts for w's keys and record
// sizes on shards shards under prices' per-shard write limits (nil: the
// embedded table): min(records limit, bytes limit / mean record bytes
// with key) / busiest share.
func Predict(w model.Workload, shards int, prices *model.Prices) (Prediction, error) {
	if prices == nil {
		prices = model.DefaultPrices()
	}
	shares, err := model.ShardShares(w.Keys, shards)
	if err != nil {
		return Prediction{}, fmt.Errorf("predict capacity: %w", err)
	}
	busiest := 0.0
	for _, s := range shares {
		busiest = max(busiest, s)
	}
	if !(busiest > 0) {
		return Prediction{}, fmt.Errorf("predict capacity: keys %+v place no traffic", w.Keys)
	}
	recBytes := bench.RecordSize(w).Mean() + float64(w.Keys.Length)
	perShard, binding := prices.Kinesis.ShardWriteRecords.Value, "write_records"
	if recBytes > 0 {
		if b := prices.Kinesis.ShardWriteBytes.Value / recBytes; b < perShard {
			perShard, binding = b, "write_bytes"
		}
	}
	return Prediction{Rate: perShard / busiest, Shards: shards, BusiestShare: busiest, Binding: binding}, nil
}

// Headroom says how far a measured sustainable rate goes beyond a plan's
// peak: "4 shards sustain up to 3,940/s: 31 % above the peak of 3,000/s"
// (or below it). verify can quote it beside its verdict.
func Headroom(shards int, sustained, peak float64) string {
	verb := "sustain"
	if shards == 1 {
		verb = "sustains"
	}
	s := fmt.Sprintf("%s %s up to %s", units.Plural(int64(shards), "shard"), verb, units.Rate(sustained)+"/s")
	switch {
	case !(peak > 0):
		return s
	case sustained >= peak:
		return fmt.Sprintf("%s: %s above the peak of %s", s, units.Percent(sustained/peak-1), units.Rate(peak)+"/s")
	default:
		return fmt.Sprintf("%s: %s below the peak of %s", s, units.Percent(1-sustained/peak), units.Rate(peak)+"/s")
	}
}
