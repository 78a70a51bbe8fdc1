package reports

import (
	"fmt"
	"io"

	"github.com/streamcap/streamcap/model"
)

// ReshardSchema names the JSON document of `streamcap reshard -o json`.
const ReshardSchema = "streamcap.reshard/v1"

// RenderReshardJSON writes r as the streamcap.reshard/v1 document:
// {schema, from, to, steps, calls, windows_24h, details, ...}.
func RenderReshardJSON(w io.Writer, r *model.ReshardPlan) error {
	return writeJSON(w, struct {
		Schema string `json:"schema"`
		*model.ReshardPlan
	}{ReshardSchema, r})
}

// RenderReshardText writes r as a table of UpdateShardCount calls.
func RenderReshardText(w io.Writer, r *model.ReshardPlan) error {
	e := &errWriter{w: w}
	e.printf("streamcap reshard: %d → %d shards\n", r.From, r.To)
	textReshard(e, r)
	return e.err
}

// RenderReshardMarkdown writes r as Markdown.
func RenderReshardMarkdown(w io.Writer, r *model.ReshardPlan) error {
	e := &errWriter{w: w}
	e.printf("# Reshard %d → %d shards\n\n%s.\n\n", r.From, r.To, reshardSummary(r))
	if r.Calls > 0 {
		e.printf("| call | window | shards | ratio | starts (h) | held (h) | USD/hour | USD |\n|---:|---:|---|---:|---:|---:|---:|---:|\n")
		for _, d := range r.Details {
			e.printf("| %d | %d | %d → %d | %s | %s | %s | %s | %s |\n", d.Call, d.Window, d.From, d.Shards, ratioText(d), qty(round2(d.StartHours)), qty(round2(d.HeldHours)), usd(d.USDPerHour), usd(d.USD))
		}
	}
	for _, n := range r.Notes {
		e.printf("\n- %s", mdEscape(n))
	}
	if len(r.Notes) > 0 {
		e.printf("\n")
	}
	return e.err
}

func reshardSummary(r *model.ReshardPlan) string {
	if r.Calls == 0 {
		return "already there: no UpdateShardCount call"
	}
	return fmt.Sprintf("%d UpdateShardCount calls over %d rolling 24-hour window(s); intermediate counts cost %s USD while they last",
		r.Calls, r.Windows24h, usd(r.TransitionUSD))
}

func ratioText(d model.ReshardStep) string {
	s := pct(d.Ratio)
	if !d.Multiple25 {
		s += " (not a 25 % multiple)"
	}
	return s
}

// textReshard renders the calls table and notes (also used by the plan's
// reshard section).
func textReshard(e *errWriter, r *model.ReshardPlan) {
	e.printf("  %s\n", reshardSummary(r))
	if r.Calls > 0 {
		tb := table{indent: "    ", right: []bool{true, true, false, false, true, true, true, true}}
		tb.add("call", "window", "shards", "ratio", "starts (h)", "held (h)", "USD/hour", "USD")
		for _, d := range r.Details {
			tb.add(fmt.Sprint(d.Call), fmt.Sprint(d.Window), fmt.Sprintf("%d → %d", d.From, d.Shards), ratioText(d), qty(round2(d.StartHours)), qty(round2(d.HeldHours)), usd(d.USDPerHour), usd(d.USD))
		}
		tb.write(e)
	}
	for _, n := range r.Notes {
		e.printf("  note: %s\n", n)
	}
}
