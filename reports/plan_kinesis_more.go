package reports

import (
	"fmt"
	"strconv"

	"github.com/streamcap/streamcap/model"
)

// pctApart formats f as a percentage with enough decimals (up to 4) that
// it does not read the same as other when the two differ, so "busiest
// 33.65 % (at most 33.33 %)" never prints as "33.3 % (at most 33.3 %)".
func pctApart(f, other float64) string {
	for d := 1; d <= 4; d++ {
		a := strconv.FormatFloat(f*100, 'f', d, 64)
		if f == other || a != strconv.FormatFloat(other*100, 'f', d, 64) {
			return a + "%"
		}
	}
	return strconv.FormatFloat(f*100, 'f', 4, 64) + "%"
}

// skewText is the plan's one-line key analysis: the busiest shard's share
// against what one shard may carry, how it was found, and what set the
// count.
func skewText(kp *model.KinesisPlan) string {
	sk := kp.Skew
	how := fmt.Sprintf("all %d keys hashed", sk.HashedKeys)
	switch sk.Method {
	case "random":
		how = "a fresh random key per record: 1/N each"
	case "exact+bound":
		how = fmt.Sprintf("%d heaviest keys hashed, %d bounded (+%s)", sk.HashedKeys, sk.TailKeys, pctApart(sk.TailBound, 0))
	}
	s := fmt.Sprintf("keys: %s; busiest shard carries %s of traffic (at most %s allowed; %s); hottest key %s %s; sized by %s",
		sk.Distribution, pctApart(sk.BusiestShardShare, sk.TargetShare), pctApart(sk.TargetShare, sk.BusiestShardShare), how, sk.HottestKey, pct(sk.HottestKeyShare), kp.SizedBy)
	if kp.SizedBy == "skew" {
		s += fmt.Sprintf(" (the even spread's %d shards would put %s on the busiest)", sk.EvenShards, pctApart(sk.EvenBusiestShare, sk.TargetShare))
	}
	if sk.BudgetExhausted {
		s += fmt.Sprintf("; the skew search stopped on its compute budget after %d counts without a fit", sk.Evaluations)
	}
	return s
}
