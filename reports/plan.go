package reports

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
	"github.com/streamcap/streamcap/model/version"
)

// RenderPlanJSON writes r as indented JSON with "schema":
// "streamcap.plan/v1" and "streamcap_version" (version.String) first
// (fields: docs/plan-json.md).
func RenderPlanJSON(w io.Writer, r *model.PlanResult) error {
	return writeJSON(w, struct {
		Schema  string `json:"schema"`
		Version string `json:"streamcap_version"`
		*model.PlanResult
	}{SchemaPlan, version.String(), r})
}

// compared is one row of the side-by-side cost table.
type compared struct {
	name   string
	role   string
	sizing string
	usd    float64
}

// comparison lists Kinesis modes and compared systems, cheapest first.
func comparison(r *model.PlanResult) []compared {
	var rows []compared
	if p := r.Kinesis.Provisioned; p != nil {
		rows = append(rows, compared{"Kinesis provisioned", model.RoleStream, units.Plural(int64(p.Shards), "shard"), p.MonthlyUSD})
	}
	if p := r.Kinesis.OnDemand; p != nil {
		rows = append(rows, compared{"Kinesis on-demand", model.RoleStream, "~" + units.Plural(int64(p.Shards), "shard") + " (AWS-managed)", p.MonthlyUSD})
	}
	for _, a := range alternatives(r) {
		rows = append(rows, compared{a.Title, a.Role, sizing(a.Sizing), a.MonthlyUSD})
	}
	// Streams first, cheapest first; add-ons (paid on top of a stream) after.
	slices.SortStableFunc(rows, func(a, b compared) int {
		if a.role != b.role {
			return cmp.Compare(b.role, a.role) // "stream" > "add-on"
		}
		return cmp.Compare(a.usd, b.usd)
	})
	return rows
}

// alternatives returns the compared systems in CompareSystems order.
func alternatives(r *model.PlanResult) []*model.Alternative {
	var out []*model.Alternative
	for _, s := range model.ReportSystems() {
		if a := r.Compare[s]; a != nil {
			out = append(out, a)
		}
	}
	return out
}

// sizing renders a sizing map in sorted key order: "brokers=3 partitions=3".
func sizing(m map[string]float64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + qty(m[k])
	}
	return strings.Join(parts, " ")
}

// loadText renders a limit's load and capacity.
func loadText(u model.LimitUse) (load, perShard string) {
	switch u.Limit {
	case model.LimitWriteRecords:
		return stepValue(u.Load, "records/s"), stepValue(u.PerShard, "records/s")
	case model.LimitReadCalls:
		return stepValue(u.Load, "calls/s per shard"), stepValue(u.PerShard, "calls/s")
	case model.LimitEFORead:
		if u.Load == 0 {
			return "no EFO consumers", si(u.PerShard, "B/s") + " per consumer"
		}
		return si(u.Load, "B/s") + " total", si(u.PerShard, "B/s") + " per consumer"
	default:
		return si(u.Load, "B/s"), si(u.PerShard, "B/s")
	}
}

// workloadLine summarises the planned workload in one sentence.
func workloadLine(w model.Workload) string {
	var shared, efo int
	for _, c := range w.Consumers {
		if c.Kind == model.ConsumerEFO {
			efo++
		} else {
			shared++
		}
	}
	return fmt.Sprintf("%s average × peak factor %s, %s records + %dB keys (%s), %d shared + %d EFO consumers, retention %s, headroom %s",
		w.Rate, qty(w.PeakFactor), sizeText(w.RecordSize), w.Keys.Length, keyText(w.Keys), shared, efo, w.Retention, pct(w.Headroom))
}

func sizeText(d model.SizeDist) string {
	switch d.Kind {
	case model.SizeUniform:
		return fmt.Sprintf("%s–%s", d.Min, d.Max)
	case model.SizeWeighted:
		parts := make([]string, len(d.Weighted))
		for i, ws := range d.Weighted {
			parts[i] = fmt.Sprintf("%s×%s", ws.Size, qty(ws.Weight))
		}
		return strings.Join(parts, ", ")
	default:
		return d.Fixed.String()
	}
}

func keyText(k model.KeySpec) string {
	d := k.Distribution
	switch d.Kind {
	case model.KeysZipf:
		return fmt.Sprintf("%d keys, zipf s=%s", k.Count, qty(d.S))
	case model.KeysHot:
		return fmt.Sprintf("%d keys, %s of traffic on %d", k.Count, pct(d.HotFraction), d.HotKeys)
	default:
		return fmt.Sprintf("%d keys, uniform", k.Count)
	}
}

// RenderPlanText writes r as aligned plain text: a summary a person reads
// in ten seconds (shards, binding limit, monthly cost, cheapest option),
// then warnings (first, because no shard count fixes them), the limits
// table with the binding limit marked, line items and the explanation.
func RenderPlanText(w io.Writer, r *model.PlanResult) error {
	e := &errWriter{w: w}
	name := r.Workload.Name
	if name == "" {
		name = "workload"
	}
	e.printf("streamcap plan: %s\n  %s\n  prices: %s %s (%s, %s h/month)\n", name, workloadLine(r.Workload), r.Prices.Region, r.Prices.Version, r.Prices.Currency, qty(r.Prices.HoursPerMonth))
	warns := allWarnings(r)
	if len(warns) > 0 {
		e.printf("\nWARNINGS\n")
		for _, s := range warns {
			e.printf("  ! %s\n", s)
		}
	}
	for _, kp := range []*model.KinesisPlan{r.Kinesis.Provisioned, r.Kinesis.OnDemand} {
		if kp != nil {
			textKinesis(e, kp)
		}
	}
	if c := r.Kinesis.Crossover; c != nil {
		e.printf("  crossover: %s\n", crossoverText(c))
	}
	if rows := comparison(r); len(rows) > 1 {
		e.printf("\nSIDE BY SIDE (monthly USD; streams cheapest first, then add-ons paid on top of a stream)\n")
		tb := table{indent: "  ", right: []bool{false, false, true, false}}
		tb.add("system", "role", "monthly USD", "sizing")
		for _, c := range rows {
			tb.add(c.name, c.role, usd(c.usd), c.sizing)
		}
		tb.write(e)
		textPipelines(e, r)
		for _, a := range alternatives(r) {
			e.printf("\n%s: %s USD/month\n", strings.ToUpper(a.System), usd(a.MonthlyUSD))
			textSystemLimits(e, a)
			for _, n := range a.Notes {
				e.printf("  note: %s\n", n)
			}
			textItems(e, a.LineItems)
		}
	}
	if r.Transfer != nil {
		e.printf("\n")
		textTransfer(e, r.Transfer)
	}
	e.printf("\nWHY\n")
	for _, sec := range explanations(r) {
		e.printf("  %s\n", sec.title)
		for _, in := range sec.x.Inputs {
			e.printf("    %s: %s\n", in.Name, in.Value)
		}
		for _, s := range sec.x.Steps {
			e.printf("    %s = %s = %s = %s\n", s.Name, s.Formula, s.Numbers, stepValue(s.Value, s.Unit))
		}
	}
	return e.err
}

// textKinesis renders one Kinesis plan.
func textKinesis(e *errWriter, kp *model.KinesisPlan) {
	if kp.Mode == model.ModeProvisioned {
		e.printf("\nKINESIS PROVISIONED: %s, binding limit %s, %s USD/month\n", units.Plural(int64(kp.Shards), "shard"), kp.BindingLimit, usd(kp.MonthlyUSD))
		tb := table{indent: " ", right: []bool{false, true, true, true, true}}
		tb.add("   limit", "load at peak", "per shard", "shards needed", "utilisation")
		for _, u := range kp.Limits {
			load, per := loadText(u)
			mark, tag := "   ", ""
			if u.Binding {
				mark, tag = ">> ", "<< BINDING"
			}
			tb.add(mark+string(u.Limit), load, per, qty(round2(u.RequiredShards)), pct(u.Utilization), tag)
		}
		tb.write(e)
		e.printf("  %s\n", skewText(kp))
		textKinesisMore(e, kp)
	} else {
		e.printf("\nKINESIS ON-DEMAND: %s USD/month (AWS manages shards; the limits above need ~%d)\n", usd(kp.MonthlyUSD), kp.Shards)
	}
	textItems(e, kp.LineItems)
}

func round2(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }

// textItems renders line items with a total.
func textItems(e *errWriter, items []model.LineItem) {
	tb := table{indent: "    ", right: []bool{false, true, false, true, true}}
	tb.add("line item", "quantity", "unit", "unit USD", "monthly USD")
	var sum float64
	for _, it := range items {
		sum += it.MonthlyUSD
		tb.add(it.Name, qty(it.Quantity), it.Unit, unitPrice(it.UnitUSD), usd(it.MonthlyUSD))
	}
	tb.add("total", "", "", "", usd(sum))
	tb.write(e)
}

// crossoverText says where on-demand becomes the cheaper mode.
func crossoverText(c *model.Crossover) string {
	if !c.Found {
		return fmt.Sprintf("%s is cheaper at every average rate up to this peak (%s records/s)", c.Cheaper, qty(c.PeakRate))
	}
	return fmt.Sprintf("at this peak (%s records/s) on-demand is cheaper when the average falls below %s records/s (peak-to-average above %s); both cost %s USD/month there",
		qty(c.PeakRate), qty(c.AverageRate), qty(c.PeakFactor), usd(c.MonthlyUSD))
}

// section is one titled explanation.
type section struct {
	title string
	x     model.Explanation
}

func explanations(r *model.PlanResult) []section {
	var out []section
	if p := r.Kinesis.Provisioned; p != nil {
		out = append(out, section{"Kinesis provisioned", p.Explanation})
		out = append(out, moreExplanations(p)...)
	}
	if p := r.Kinesis.OnDemand; p != nil {
		x := p.Explanation
		if r.Kinesis.Provisioned != nil {
			// The shard analysis is shared; show only the on-demand steps.
			x = model.Explanation{Steps: onDemandSteps(p.Explanation.Steps, r.Kinesis.Provisioned.Explanation.Steps)}
		}
		out = append(out, section{"Kinesis on-demand", x})
	}
	if c := r.Kinesis.Crossover; c != nil {
		out = append(out, section{"On-demand vs provisioned crossover", c.Explanation})
	}
	for _, a := range alternatives(r) {
		out = append(out, section{a.Title, a.Explanation})
	}
	if r.Transfer != nil {
		out = append(out, section{"Transfer", r.Transfer.Explanation})
	}
	return out
}

// onDemandSteps drops the steps an on-demand explanation shares with the
// provisioned one.
func onDemandSteps(od, prov []model.Step) []model.Step {
	seen := map[string]bool{}
	for _, s := range prov {
		seen[s.Name] = true
	}
	var out []model.Step
	for _, s := range od {
		if !seen[s.Name] {
			out = append(out, s)
		}
	}
	return out
}

// allWarnings gathers every warning once, in section order.
func allWarnings(r *model.PlanResult) []string {
	var out []string
	seen := map[string]bool{}
	add := func(ws []string) {
		for _, s := range ws {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	if p := r.Kinesis.Provisioned; p != nil {
		add(p.Warnings)
	}
	if p := r.Kinesis.OnDemand; p != nil {
		add(p.Warnings)
	}
	for _, a := range alternatives(r) {
		add(a.Warnings)
	}
	if r.Transfer != nil {
		add(r.Transfer.Warnings)
	}
	return out
}

// RenderPlanMarkdown writes r as Markdown for a design review: a summary,
// the limits table with the binding limit in bold, line items, the
// side-by-side table, warnings and the explanation.
func RenderPlanMarkdown(w io.Writer, r *model.PlanResult) error {
	e := &errWriter{w: w}
	name := r.Workload.Name
	if name == "" {
		name = "workload"
	}
	e.printf("# Capacity plan: %s\n\n%s.\n\nPrices: %s, table %s (%s, %s hours per month).\n", mdEscape(name), mdEscape(workloadLine(r.Workload)), r.Prices.Region, r.Prices.Version, r.Prices.Currency, qty(r.Prices.HoursPerMonth))
	if kp := r.Kinesis.Provisioned; kp != nil {
		e.printf("\n## Kinesis provisioned: %s, %s USD/month\n\nBinding limit: **%s**; sized by %s.\n\n", units.Plural(int64(kp.Shards), "shard"), usd(kp.MonthlyUSD), kp.BindingLimit, kp.SizedBy)
		e.printf("| limit | load at peak | per shard | shards needed | utilisation |\n|---|---:|---:|---:|---:|\n")
		for _, u := range kp.Limits {
			load, per := loadText(u)
			lim := string(u.Limit)
			if u.Binding {
				lim = "**" + lim + " (binding)**"
			}
			e.printf("| %s | %s | %s | %s | %s |\n", lim, load, per, qty(round2(u.RequiredShards)), pct(u.Utilization))
		}
		e.printf("\n%s.\n", mdEscape(skewText(kp)))
		mdItems(e, kp.LineItems)
		mdKinesisMore(e, kp)
	}
	if kp := r.Kinesis.OnDemand; kp != nil {
		e.printf("\n## Kinesis on-demand: %s USD/month\n\nAWS manages the shards (the per-shard limits need about %d).\n", usd(kp.MonthlyUSD), kp.Shards)
		mdItems(e, kp.LineItems)
	}
	if c := r.Kinesis.Crossover; c != nil {
		e.printf("\nCrossover: %s.\n", crossoverText(c))
	}
	if rows := comparison(r); len(rows) > 1 {
		e.printf("\n## Side by side (monthly USD; streams cheapest first, then add-ons paid on top of a stream)\n\n| system | role | monthly USD | sizing |\n|---|---|---:|---|\n")
		for _, c := range rows {
			e.printf("| %s | %s | %s | %s |\n", mdEscape(c.name), c.role, usd(c.usd), mdEscape(c.sizing))
		}
		mdPipelines(e, r)
		for _, a := range alternatives(r) {
			e.printf("\n### %s: %s USD/month\n", mdEscape(a.Title), usd(a.MonthlyUSD))
			for _, n := range a.Notes {
				e.printf("\n- %s", mdEscape(n))
			}
			if len(a.Notes) > 0 {
				e.printf("\n")
			}
			mdItems(e, a.LineItems)
		}
	}
	if r.Transfer != nil {
		e.printf("\n")
		mdTransfer(e, r.Transfer, nil, "##")
	}
	if warns := allWarnings(r); len(warns) > 0 {
		e.printf("\n## Warnings\n\n")
		for _, s := range warns {
			e.printf("- %s\n", mdEscape(s))
		}
	}
	e.printf("\n## Why\n")
	for _, sec := range explanations(r) {
		mdExplain(e, sec)
	}
	return e.err
}

func mdItems(e *errWriter, items []model.LineItem) {
	e.printf("\n| line item | quantity | unit | unit USD | monthly USD |\n|---|---:|---|---:|---:|\n")
	var sum float64
	for _, it := range items {
		sum += it.MonthlyUSD
		e.printf("| %s | %s | %s | %s | %s |\n", mdEscape(it.Name), qty(it.Quantity), mdEscape(it.Unit), unitPrice(it.UnitUSD), usd(it.MonthlyUSD))
	}
	e.printf("| **total** | | | | **%s** |\n", usd(sum))
}

func mdExplain(e *errWriter, sec section) {
	e.printf("\n### %s\n\n", mdEscape(sec.title))
	for _, in := range sec.x.Inputs {
		e.printf("- %s: %s\n", mdEscape(in.Name), mdEscape(in.Value))
	}
	if len(sec.x.Inputs) > 0 {
		e.printf("\n")
	}
	e.printf("| quantity | formula | numbers | value |\n|---|---|---|---:|\n")
	for _, s := range sec.x.Steps {
		e.printf("| %s | %s | %s | %s |\n", mdEscape(s.Name), mdEscape(s.Formula), mdEscape(s.Numbers), mdEscape(stepValue(s.Value, s.Unit)))
	}
}
