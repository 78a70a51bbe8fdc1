package reports

import (
	"fmt"
	"math"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

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
		how = fmt.Sprintf("%d heaviest keys hashed, %d bounded (+%s)", sk.HashedKeys, sk.TailKeys, units.PercentApart(sk.TailBound, 0))
	}
	s := fmt.Sprintf("keys: %s; busiest shard carries %s of traffic (at most %s allowed; %s); hottest key %s %s; sized by %s",
		sk.Distribution, units.PercentApart(sk.BusiestShardShare, sk.TargetShare), units.PercentApart(sk.TargetShare, sk.BusiestShardShare), how, sk.HottestKey, pct(sk.HottestKeyShare), kp.SizedBy)
	if kp.SizedBy == "skew" {
		s += fmt.Sprintf(" (the even spread's %d shards would put %s on the busiest)", sk.EvenShards, units.PercentApart(sk.EvenBusiestShare, sk.TargetShare))
	}
	if sk.BudgetExhausted {
		s += fmt.Sprintf("; the skew search stopped on its compute budget after %d counts without a fit", sk.Evaluations)
	}
	return s
}

// catchUpText renders a catch-up time in seconds (-1: never).
func catchUpText(s float64) string {
	if s < 0 {
		return "never (reads no faster than the stream is written)"
	}
	if s < 86400 {
		return durNS(s * 1e9)
	}
	return daysShort(s / 86400)
}

// replayLines renders the replay analysis of a provisioned plan.
func replayLines(r *model.Replay) []string {
	lines := []string{
		fmt.Sprintf("backlog %s of history: %s, %s records (%s)",
			daysShort(r.BacklogSeconds/86400), si(r.BacklogBytes, "B"), qty(math.Round(r.BacklogRecords)), oldestText(r.OldestLeftSeconds)),
		fmt.Sprintf("shared (GetRecords) consumer: reads %s against %s written (bound by %s): catches up in %s",
			si(r.SharedReadBytesPerSecond, "B/s"), si(r.WriteBytesPerSecond, "B/s"), r.SharedBoundBy, catchUpText(r.SharedSeconds)),
		fmt.Sprintf("one enhanced fan-out consumer: reads %s: catches up in %s", si(r.EFOReadBytesPerSecond, "B/s"), catchUpText(r.EFOSeconds)),
	}
	cliff := "fits retention: nothing expires unread (read > write)"
	if !r.FitsRetention {
		cliff = fmt.Sprintf("DOES NOT FIT retention: %s expire unread per day", si(r.ExpiresBytesPerDay, "B"))
	}
	lines = append(lines, cliff)
	cost := fmt.Sprintf("cost of one replay: shared %s USD (long-term retrieval %s USD)", usd(r.SharedUSD), usd(r.RetrievalUSD))
	if r.EFOSeconds >= 0 {
		cost += fmt.Sprintf("; a new EFO consumer %s USD (with EFO retrieval and consumer-shard-hours)", usd(r.EFOUSD))
	}
	lines = append(lines, cost)
	if r.WithinSeconds > 0 {
		shards := fmt.Sprintf("%d shards for a shared consumer", r.ShardsForShared)
		if r.ShardsForShared < 0 {
			shards = "no shard count for a shared consumer (the others use every GetRecords call)"
		}
		lines = append(lines, fmt.Sprintf("to replay within %s: %s, or %d EFO consumers (time slices) at the planned shards",
			catchUpText(r.WithinSeconds), shards, r.EFOConsumersNeeded))
	}
	return lines
}

// latencyLines renders each consumer's expected latency.
func latencyLines(ls []model.ConsumerLatency) []string {
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		out = append(out, fmt.Sprintf("%s (%s): ~%s expected end to end (%s)", l.Name, l.Kind, durNS(l.ExpectedSeconds*1e9), l.Basis))
	}
	return out
}

// splitLines renders the SplitShard-only alternative.
func splitLines(s *model.SplitAlternative, planned int) []string {
	verdict := fmt.Sprintf("%d shards, %s USD/month less than %d", s.Shards, usd(s.MonthlyUSDSaved), planned)
	if !s.Cheaper {
		verdict = fmt.Sprintf("%d shards, not cheaper than %d", s.Shards, planned)
	}
	if !s.Fits {
		verdict += " (some range does not fit even split 64 ways)"
	}
	out := []string{fmt.Sprintf("alternative: SplitShard the %d hot range(s) only, %d splits → %s", len(s.Ranges), s.Splits, verdict)}
	for i, r := range s.Ranges {
		if i == 8 {
			out = append(out, fmt.Sprintf("  … %d more ranges (JSON lists all)", len(s.Ranges)-i))
			break
		}
		out = append(out, fmt.Sprintf("  shard %d [%s .. %s] carries %s → %d children", r.Shard, r.StartingHashKey, r.EndingHashKey, pct(r.Share), r.Children))
	}
	return out
}

// textKinesisMore renders the replay, reshard and latency sections of a
// provisioned plan (text).
func textKinesisMore(e *errWriter, kp *model.KinesisPlan) {
	if kp.Mode != model.ModeProvisioned {
		return
	}
	if r := kp.Replay; r != nil && showReplay(r) {
		e.printf("  REPLAY\n")
		for _, l := range replayLines(r) {
			e.printf("    %s\n", l)
		}
	}
	if rs := kp.Reshard; rs != nil {
		e.printf("  RESHARD %d → %d\n", rs.Current, rs.Planned)
		if rs.UpdateShardCount != nil {
			sub := &errWriter{w: e.w}
			textReshard(sub, rs.UpdateShardCount)
			if sub.err != nil && e.err == nil {
				e.err = sub.err
			}
		}
		if rs.Split != nil {
			for _, l := range splitLines(rs.Split, rs.Planned) {
				e.printf("    %s\n", l)
			}
		}
	}
	if len(kp.Latency) > 0 {
		e.printf("  LATENCY\n")
		for _, l := range latencyLines(kp.Latency) {
			e.printf("    %s\n", l)
		}
	}
}

// mdKinesisMore renders the same sections as Markdown lists.
func mdKinesisMore(e *errWriter, kp *model.KinesisPlan) {
	if kp.Mode != model.ModeProvisioned {
		return
	}
	list := func(title string, lines []string) {
		e.printf("\n### %s\n\n", title)
		for _, l := range lines {
			e.printf("- %s\n", mdEscape(l))
		}
	}
	if r := kp.Replay; r != nil && showReplay(r) {
		list("Replay", replayLines(r))
	}
	if rs := kp.Reshard; rs != nil {
		var lines []string
		if u := rs.UpdateShardCount; u != nil {
			lines = append(lines, fmt.Sprintf("UpdateShardCount: %s; steps %v", reshardSummary(u), u.Steps))
			lines = append(lines, u.Notes...)
		}
		if rs.Split != nil {
			lines = append(lines, splitLines(rs.Split, rs.Planned)...)
		}
		list(fmt.Sprintf("Reshard %d → %d", rs.Current, rs.Planned), lines)
	}
	if len(kp.Latency) > 0 {
		list("Latency", latencyLines(kp.Latency))
	}
}

// showReplay: the replay section is printed for streams that keep more
// than the default 24 hours or plan a replay target (it is always in JSON).
func showReplay(r *model.Replay) bool {
	return r.BacklogSeconds > 86400 || r.WithinSeconds > 0 || !r.FitsRetention
}

func oldestText(left float64) string {
	if left <= 0 {
		return "the oldest record is at the retention edge"
	}
	return "the oldest record has " + catchUpText(left) + " left"
}

// moreExplanations returns the WHY sections of replay and reshard.
func moreExplanations(kp *model.KinesisPlan) []section {
	var out []section
	if kp == nil {
		return nil
	}
	if r := kp.Replay; r != nil && showReplay(r) {
		out = append(out, section{"Kinesis replay (one consumer re-reads the history while live traffic continues)", r.Explanation})
	}
	if rs := kp.Reshard; rs != nil && rs.UpdateShardCount != nil {
		out = append(out, section{fmt.Sprintf("Reshard %d → %d (UpdateShardCount)", rs.Current, rs.Planned), rs.UpdateShardCount.Explanation})
	}
	return out
}
