package model

import (
	"fmt"
	"math/big"
)

// PlanReshardSection is the way from a scenario's current_shards to the
// planned count: UpdateShardCount steps and, when skew set the count, the
// cheaper SplitShard-only alternative.
type PlanReshardSection struct {
	Current int `json:"current"`
	Planned int `json:"planned"`
	// UpdateShardCount is nil when its rules cannot reach the planned
	// count (a warning says why).
	UpdateShardCount *ReshardPlan `json:"update_shard_count,omitempty"`
	// Split is set when some of today's shards are over what one shard
	// may carry: SplitShard on those hash ranges only.
	Split *SplitAlternative `json:"split,omitempty"`
}

// SplitAlternative splits only the hot hash ranges of today's shards
// (UpdateShardCount scales every shard uniformly).
type SplitAlternative struct {
	// Splits is the number of SplitShard calls; Shards the open shard
	// count after them.
	Splits int `json:"splits"`
	Shards int `json:"shards"`
	// Ranges lists each hot shard of today's equal ranges and the children
	// it is split into (equal sub-ranges).
	Ranges []HotRange `json:"ranges"`
	// Cheaper is true when Shards < the planned count; MonthlyUSDSaved
	// is the shard-hour difference per month.
	Cheaper         bool    `json:"cheaper"`
	MonthlyUSDSaved float64 `json:"monthly_usd_saved"`
	// Fits is false when some range could not be split to fit (a single
	// key over the target, or 64 children not enough).
	Fits bool `json:"fits"`
}

// HotRange is one shard of today's equal ranges whose share is over target.
type HotRange struct {
	// Shard is the 0-based index among today's equal ranges.
	Shard int `json:"shard"`
	// StartingHashKey and EndingHashKey bound the range (decimal 128-bit,
	// as the Kinesis API writes them).
	StartingHashKey string  `json:"starting_hash_key"`
	EndingHashKey   string  `json:"ending_hash_key"`
	Share           float64 `json:"share"`
	// Children is how many equal sub-ranges it is split into (Children−1
	// SplitShard calls).
	Children int `json:"children"`
}

// maxSplitChildren bounds how finely one hot range is split.
const maxSplitChildren = 64

// planReshardSection plans the move from l.w.CurrentShards to planned.
func planReshardSection(l kinesisLoad, p *Prices, planned int, target float64) (*PlanReshardSection, []string) {
	cur := l.w.CurrentShards
	s := &PlanReshardSection{Current: cur, Planned: planned}
	var warn []string
	r, err := PlanReshard(ReshardOptions{From: cur, To: planned}, p)
	if err != nil {
		warn = append(warn, fmt.Sprintf("reshard %d → %d: UpdateShardCount cannot do it: %v", cur, planned, err))
	} else {
		s.UpdateShardCount = &r
	}
	if planned <= cur || l.km.random {
		return s, warn
	}
	// Today's shards over target, split into equal sub-ranges until each fits.
	km := l.km
	n := uint64(cur)
	sa := &SplitAlternative{Fits: true}
	shares := make([]float64, cur)
	prev := 0.0
	for j := uint64(0); j < n; j++ {
		next := km.below(0, true)
		if j+1 < n {
			next = km.below(rangeStart(j+1, n), false)
		}
		shares[j] = next - prev + km.tailMass/float64(cur) + km.tailBound(cur)
		prev = next
	}
	for j, sh := range shares {
		if sh <= target*(1+1e-9) {
			continue
		}
		children := 0
		for c := 2; c <= maxSplitChildren && children == 0; c++ {
			if subRangesFit(km, uint64(j), n, uint64(c), target) {
				children = c
			}
		}
		if children == 0 {
			sa.Fits, children = false, maxSplitChildren
		}
		lo, hi := hashKeyBounds(uint64(j), n)
		sa.Ranges = append(sa.Ranges, HotRange{Shard: j, StartingHashKey: lo, EndingHashKey: hi, Share: sh, Children: children})
		sa.Splits += children - 1
	}
	if len(sa.Ranges) == 0 {
		return s, warn
	}
	sa.Shards = cur + sa.Splits
	sa.Cheaper = sa.Fits && sa.Shards < planned
	sa.MonthlyUSDSaved = float64(planned-sa.Shards) * p.Kinesis.ShardHourUSD.Value * p.month()
	s.Split = sa
	return s, warn
}

// subRangesFit reports whether shard j of n equal ranges, cut into c
// equal sub-ranges, has every sub-range within target (tail bounded as
// for a stream of n·c equal shards).
func subRangesFit(km *keyModel, j, n, c uint64, target float64) bool {
	total := n * c
	prev := km.below(rangeStart(j*c, total), false)
	for i := uint64(1); i <= c; i++ {
		var next float64
		if j*c+i == total {
			next = km.below(0, true)
		} else {
			next = km.below(rangeStart(j*c+i, total), false)
		}
		if next-prev+km.tailMass/float64(total)+km.tailBound(int(total)) > target*(1+1e-9) {
			return false
		}
		prev = next
	}
	return true
}

// hashKeyBounds returns the decimal 128-bit starting and ending hash keys
// of shard j of n equal ranges: ⌊j·2¹²⁸/n⌋ .. ⌊(j+1)·2¹²⁸/n⌋ − 1.
func hashKeyBounds(j, n uint64) (string, string) {
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	at := func(i uint64) *big.Int {
		v := new(big.Int).Mul(space, new(big.Int).SetUint64(i))
		return v.Div(v, new(big.Int).SetUint64(n))
	}
	end := at(j + 1)
	end.Sub(end, big.NewInt(1))
	return at(j).String(), end.String()
}
