package reports

import (
	"fmt"
	"strings"

	"github.com/streamcap/streamcap/model"
)

// vsCheapest renders a pipeline's cost against the cheapest one.
func vsCheapest(pl model.Pipeline, cheapest float64) string {
	if len(pl.NotAttached) > 0 {
		return fmt.Sprintf("not comparable: lacks %s (×%s)", strings.Join(pl.NotAttached, ", "), qty(round2(pl.VsCheapest)))
	}
	if pl.VsCheapest <= 1 {
		return "cheapest"
	}
	return fmt.Sprintf("×%.2f (+%s)", pl.VsCheapest, usd(pl.MonthlyUSD-cheapest))
}

// pipelineVerdict is the one-sentence answer of a pipeline comparison:
// the cheapest complete pipeline and by how much each other one costs more.
func pipelineVerdict(pls []model.Pipeline) string {
	if len(pls) < 2 {
		return ""
	}
	c := pls[0]
	var parts []string
	for _, pl := range pls[1:] {
		if len(pl.NotAttached) > 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s costs %s× as much (+%s USD/month)", pl.Name, qty(round2(pl.VsCheapest)), usd(pl.MonthlyUSD-c.MonthlyUSD)))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("cheapest complete pipeline: %s at %s USD/month; %s", c.Name, usd(c.MonthlyUSD), strings.Join(parts, "; "))
}

// textPipelines renders the complete-pipeline table: each row a stream
// with the consumers that attach to it, its total, and what it includes.
func textPipelines(e *errWriter, r *model.PlanResult) {
	pls := r.Pipelines
	if len(pls) == 0 {
		return
	}
	e.printf("\nPIPELINES (stream + every consumer that can attach to it; monthly USD, cheapest first)\n")
	cheapest := pls[0].MonthlyUSD
	tb := table{indent: "  ", right: []bool{false, true, false}}
	tb.add("pipeline", "monthly USD", "vs cheapest")
	for _, pl := range pls {
		tb.add(pl.Name, usd(pl.MonthlyUSD), vsCheapest(pl, cheapest))
	}
	tb.write(e)
	for _, pl := range pls {
		e.printf("  %s includes: %s\n", pl.Name, strings.Join(pl.Includes, "; "))
		for _, w := range pl.Warnings {
			e.printf("    ! %s\n", w)
		}
	}
	if v := pipelineVerdict(pls); v != "" {
		e.printf("  => %s\n", v)
	}
}

// mdPipelines renders the complete-pipeline table as Markdown.
func mdPipelines(e *errWriter, r *model.PlanResult) {
	pls := r.Pipelines
	if len(pls) == 0 {
		return
	}
	cheapest := pls[0].MonthlyUSD
	e.printf("\n## Pipelines (stream + every consumer that can attach to it)\n\n| pipeline | monthly USD | vs cheapest | includes | warnings |\n|---|---:|---|---|---|\n")
	for _, pl := range pls {
		e.printf("| %s | %s | %s | %s | %s |\n", mdEscape(pl.Name), usd(pl.MonthlyUSD), mdEscape(vsCheapest(pl, cheapest)), mdEscape(strings.Join(pl.Includes, "; ")), mdEscape(strings.Join(pl.Warnings, "; ")))
	}
	if v := pipelineVerdict(pls); v != "" {
		e.printf("\n%s.\n", mdEscape(strings.ToUpper(v[:1])+v[1:]))
	}
}

// textSystemLimits renders a compared system's sizing limits like the
// Kinesis limits table, the binding one marked.
func textSystemLimits(e *errWriter, a *model.Alternative) {
	if len(a.Limits) == 0 {
		return
	}
	tb := table{indent: " ", right: []bool{false, true, true, true}}
	tb.add("   limit", "load at peak", "per broker", "brokers needed")
	for _, l := range a.Limits {
		mark, tag := "   ", ""
		if l.Binding {
			mark, tag = ">> ", "<< BINDING"
		}
		tb.add(mark+l.Limit, l.Load, l.PerUnit, qty(round2(l.Required)), tag)
	}
	tb.write(e)
}
