package model

import (
	"fmt"
	"math"
	"time"

	"github.com/streamcap/streamcap/model/units"
)

// DefaultReshardStepTime is how long one UpdateShardCount call is assumed
// to take before the next may start. AWS says only "a few minutes,
// depending on the size of the stream"; 15 minutes is an assumption that
// sets the cost of the intermediate counts, not the step sequence.
const DefaultReshardStepTime = units.Duration(15 * time.Minute)

// ReshardOptions are the inputs of PlanReshard.
type ReshardOptions struct {
	// From is the stream's open shard count now; To the count wanted.
	From, To int
	// StepTime is how long one call takes (default DefaultReshardStepTime).
	StepTime units.Duration
}

// ReshardStep is one UpdateShardCount call.
type ReshardStep struct {
	// Call is the call number (1-based); Window the 24-hour window it
	// falls in (1-based: calls 1–10 in window 1 with the default quota).
	Call   int `json:"call"`
	Window int `json:"window"`
	// From and Shards are the open shard counts before and after the call.
	From   int `json:"from"`
	Shards int `json:"shards"`
	// Ratio is Shards / From; Multiple25 says whether it is a multiple of
	// 25 % (the targets AWS recommends; others "might take longer").
	Ratio      float64 `json:"ratio"`
	Multiple25 bool    `json:"multiple_of_25pct"`
	// StartHours is when the call is made, hours after the first call.
	StartHours float64 `json:"start_hours"`
	// HeldHours is how long the stream stays at Shards before the next
	// call (0 for the last: the target is kept).
	HeldHours float64 `json:"held_hours"`
	// USDPerHour is the shard-hour cost at Shards; USD the cost of the
	// held time (USDPerHour × HeldHours).
	USDPerHour float64 `json:"usd_per_hour"`
	USD        float64 `json:"usd"`
}

// ReshardPlan is the sequence of UpdateShardCount calls that takes a
// provisioned stream from From to To open shards within the API's rules.
type ReshardPlan struct {
	From int `json:"from"`
	To   int `json:"to"`
	// Steps lists the shard count after each call, ending at To (empty
	// when From == To).
	Steps []int `json:"steps"`
	// Calls is len(Steps); Windows24h the rolling 24-hour windows they
	// need (⌈calls / calls per 24 h⌉).
	Calls      int `json:"calls"`
	Windows24h int `json:"windows_24h"`
	// Details describes each call: window, ratio, timing and cost.
	Details []ReshardStep `json:"details"`
	// TransitionUSD is the cost of the intermediate counts while they last.
	TransitionUSD float64 `json:"transition_usd"`
	// Notes are facts about the sequence (non-recommended ratios, the
	// short-lived shards that count toward the account quota).
	Notes       []string    `json:"notes,omitempty"`
	Explanation Explanation `json:"explanation"`
}

// PlanReshard plans UpdateShardCount calls from o.From to o.To open shards:
// each call at most doubles (T ≤ 2c) and at least halves (T ≥ ⌈c/2⌉) the
// current count c, no call goes above the per-stream ceiling (10,000 by
// default; a stream above it may only be scaled down to below it), and at
// most 10 calls fall in one rolling 24 hours. Greedy doubling (halving)
// until the target is within one call gives the fewest calls: every call
// can at most double, so ⌈log₂(To/From)⌉ calls are necessary and these
// suffice. Errors wrap ErrPlanInput.
func PlanReshard(o ReshardOptions, p *Prices) (ReshardPlan, error) {
	if p == nil {
		return ReshardPlan{}, fmt.Errorf("%w: prices: nil table", ErrPlanInput)
	}
	k := &p.Kinesis
	ceiling := int(k.UpdateShardCountMaxShards.Value)
	perDay := int(k.UpdateShardCountCalls24h.Value)
	quota := int(k.AccountShardQuota.Value)
	if o.From < 1 {
		return ReshardPlan{}, planInputErr("from", o.From, "at least 1 shard")
	}
	if o.To < 1 {
		return ReshardPlan{}, planInputErr("to", o.To, "at least 1 shard")
	}
	if o.To > ceiling && o.To != o.From {
		return ReshardPlan{}, planInputErr("to", o.To, "at most %d shards, the per-stream ceiling of UpdateShardCount (price table %s): request a limit increase or split the traffic over several streams", ceiling, p.Version)
	}
	if o.From > ceiling && o.To < o.From {
		if o.To >= ceiling {
			return ReshardPlan{}, planInputErr("to", o.To, "below %d: a stream above %d shards may only be scaled down to below %d with UpdateShardCount (use MergeShards)", ceiling, ceiling, ceiling)
		}
		if (o.From+1)/2 >= ceiling {
			return ReshardPlan{}, planInputErr("from", o.From, "at most %d shards to scale down with UpdateShardCount: a stream above %d shards may only be scaled to below %d, and one call at most halves it (use MergeShards)", 2*ceiling-2, ceiling, ceiling)
		}
	}
	if o.StepTime == 0 {
		o.StepTime = DefaultReshardStepTime
	}
	if o.StepTime < 0 || o.StepTime > units.Duration(24*time.Hour) {
		return ReshardPlan{}, planInputErr("step_time", o.StepTime, "between 0s and 24h")
	}
	x := explainer{}
	x.in("from", "%d open shards", o.From)
	x.in("to", "%d open shards", o.To)
	x.in("rules", "each call ≤ 2 × and ≥ ½ × the current count, ≤ %d shards per stream, %d calls per rolling 24 h (%s)", ceiling, perDay, k.UpdateShardCountCalls24h.Source)
	x.in("step_time", "%v per call (assumed; AWS: \"a few minutes\")", o.StepTime)

	r := ReshardPlan{From: o.From, To: o.To, Steps: []int{}}
	for c := o.From; c != o.To; {
		next := o.To
		if o.To > c {
			next = min(2*c, o.To)
		} else {
			next = max((c+1)/2, o.To)
		}
		r.Steps = append(r.Steps, next)
		c = next
	}
	r.Calls = len(r.Steps)
	r.Windows24h = (r.Calls + perDay - 1) / perDay
	if o.From != o.To {
		ratio := float64(max(o.From, o.To)) / float64(min(o.From, o.To))
		x.step("calls", "⌈log₂(max/min)⌉ (each call at most doubles or halves)", float64(r.Calls), "calls", "⌈log₂(%v)⌉", ratio)
		x.step("windows_24h", "⌈calls / calls per 24 h⌉", float64(r.Windows24h), "windows", "⌈%v / %v⌉", float64(r.Calls), float64(perDay))
	}

	step := o.StepTime.Hours()
	hour := k.ShardHourUSD.Value
	start := func(i int) float64 { return float64(i/perDay)*24 + float64(i%perDay)*step }
	prev := o.From
	for i, s := range r.Steps {
		d := ReshardStep{Call: i + 1, Window: i/perDay + 1, From: prev, Shards: s, Ratio: float64(s) / float64(prev), StartHours: start(i), USDPerHour: float64(s) * hour}
		q := 4 * float64(s) / float64(prev)
		d.Multiple25 = math.Abs(q-math.Round(q)) < 1e-9
		if i+1 < len(r.Steps) {
			d.HeldHours = start(i+1) - start(i)
		}
		d.USD = d.USDPerHour * d.HeldHours
		r.TransitionUSD += d.USD
		if !d.Multiple25 {
			r.Notes = append(r.Notes, fmt.Sprintf("call %d (%d → %d, %.2f %%) is not a multiple of 25 %% of the current count: AWS says such targets might take longer", d.Call, prev, s, 100*d.Ratio))
		}
		if s+prev > quota {
			r.Notes = append(r.Notes, fmt.Sprintf("call %d: the short-lived shards of %d → %d count toward the account quota of %d shards", d.Call, prev, s, quota))
		}
		r.Details = append(r.Details, d)
		prev = s
	}
	if r.Windows24h > 1 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d calls need %d rolling 24-hour windows (%d calls each): the stream holds %d shards until call %d, 24 h after call 1",
			r.Calls, r.Windows24h, perDay, r.Steps[perDay-1], perDay+1))
	}
	x.step("transition cost", "Σ shards × shard-hour price × hours held (intermediate counts only)", r.TransitionUSD, "USD", "%v USD/shard-hour", hour)
	r.Explanation = x.e
	return r, nil
}
