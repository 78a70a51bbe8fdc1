package reports

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// The Markdown and HTML renderers walk one document built from a Report,
// so both show the same figures, formatted the same way, in the same order.

// document is a report laid out for people.
type document struct {
	title    string
	summary  []string
	status   string // "ok", "bad" or "" (no checks)
	failed   int    // failed checks
	badge    string // the status in words
	stats    []stat // key figures, most important first
	sections []docSection
}

// docSection is one titled part of the document.
type docSection struct {
	id, heading string
	blocks      []docBlock
}

// docBlock is one of a paragraph, a table, a chart or a warning.
type docBlock struct {
	text  string
	warn  string
	table *docTable
	chart *docChart
}

// docTable is a table; right marks right-aligned (numeric) columns. Cells
// starting with "✓" or "✗" are pass/fail marks.
type docTable struct {
	caption string
	head    []string
	right   []bool
	rows    [][]string
}

// docChart is a plot with a file-name stem unique in the report.
type docChart struct {
	name, title string
	plot        *plot.Plot
}

// Marks used in pass/fail cells.
const (
	markOK  = "✓ pass"
	markBad = "✗ FAIL"
)

func mark(ok bool) string {
	if ok {
		return markOK
	}
	return markBad
}

var slugRe = regexp.MustCompile(`[^a-z0-9]+`)

// slug makes a file-name-safe stem: "embedded, 3 shards" → "embedded-3-shards".
func slug(s string) string {
	s = strings.Trim(slugRe.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if s == "" {
		return "x"
	}
	return s
}

// build lays rep out as a document, drawing its charts.
func build(rep *Report) (*document, error) {
	d := &document{title: rep.title(), summary: append(rep.Summary(), searchSummary(rep)...)}
	if cs := rep.checks(); len(cs) > 0 {
		for _, c := range cs {
			if !c.OK && !c.Informational {
				d.failed++
			}
		}
		d.status, d.badge = "ok", "✓ every check passed"
		if d.failed > 0 {
			d.status, d.badge = "bad", fmt.Sprintf("✗ %s failed", units.Plural(int64(d.failed), "check"))
		}
	}
	if v := rep.Verify; v != nil {
		// The verdict decides, whatever the informational checks say.
		d.status, d.badge = "ok", "✓ plan holds"
		if !v.Holds {
			d.status, d.badge = "bad", "✗ plan does not hold"
		}
	}
	d.stats = append(stats(rep), searchStats(rep)...)
	if s := checksSection(rep); s != nil {
		d.sections = append(d.sections, *s)
	}
	if rep.Search != nil {
		s, err := searchSection(rep)
		if err != nil {
			return nil, err
		}
		d.sections = append(d.sections, s)
	}
	if len(rep.Runs) > 0 {
		s, err := runsSection(rep)
		if err != nil {
			return nil, err
		}
		d.sections = append(d.sections, s)
	}
	if rep.Plan != nil {
		s, err := planSection(rep)
		if err != nil {
			return nil, err
		}
		d.sections = append(d.sections, s)
	}
	if rep.Transfer != nil {
		s, err := transferSection(rep.Transfer)
		if err != nil {
			return nil, err
		}
		d.sections = append(d.sections, s)
	}
	return d, nil
}

func checksSection(rep *Report) *docSection {
	cs := rep.checks()
	if len(cs) == 0 {
		return nil
	}
	heading := "SLO checks"
	s := docSection{id: "checks"}
	if v := rep.Verify; v != nil {
		heading = "Verdict"
		verdict := fmt.Sprintf("The plan holds: %s met every check.", units.Plural(int64(v.PlannedShards), "shard"))
		if !v.Holds {
			verdict = fmt.Sprintf("The plan does not hold at %s: see the failed checks below.", units.Plural(int64(v.PlannedShards), "shard"))
		}
		s.blocks = append(s.blocks, docBlock{text: verdict})
		if rep.Reach != "" {
			s.blocks = append(s.blocks, docBlock{text: "How far the planned shards go: " + rep.Reach + "."})
		}
	}
	s.heading = heading
	t := &docTable{head: []string{"run", "check", "bound", "measured", "result"}, right: []bool{false, false, true, true, false}}
	for _, c := range cs {
		m := mark(c.OK)
		if !c.OK && c.Informational {
			m = "note (does not decide)"
		}
		t.rows = append(t.rows, []string{c.Run, c.What, c.Want, c.Got, m})
	}
	s.blocks = append(s.blocks, docBlock{table: t})
	return &s
}

func runsSection(rep *Report) (docSection, error) {
	s := docSection{id: "runs", heading: "Benchmark runs"}
	if len(rep.Runs) > 1 {
		s.blocks = append(s.blocks, docBlock{text: fmt.Sprintf("%d runs side by side.", len(rep.Runs))})
	}
	head := []string{""}
	right := []bool{false}
	for _, r := range rep.Runs {
		head = append(head, r.Name)
		right = append(right, true)
	}
	t := &docTable{head: head, right: right}
	row := func(name string, f func(r Run) string) {
		cells := []string{name}
		for _, r := range rep.Runs {
			cells = append(cells, f(r))
		}
		t.rows = append(t.rows, cells)
	}
	row("target", func(r Run) string { return r.Target })
	row("shards", func(r Run) string {
		if r.Shards == 0 {
			return "–"
		}
		return strconv.Itoa(r.Shards)
	})
	row("duration", func(r Run) string { return dur(r.Duration) })
	row("target rate", func(r Run) string { return rate(r.TargetRate, "msg/s") })
	row("achieved rate", func(r Run) string { return rate(r.AchievedRate, "msg/s") })
	row("sent", func(r Run) string { return count(r.Counts.Sent) })
	row("acknowledged", func(r Run) string { return count(r.Counts.Acked) })
	row("not acknowledged", func(r Run) string {
		if r.Counts.Sent == 0 {
			return "0"
		}
		return count(r.Failed()) + " (" + units.Percent(float64(r.Failed())/float64(r.Counts.Sent)) + ")"
	})
	row("throttled", func(r Run) string { return count(r.Counts.Throttles) })
	row("errors", func(r Run) string { return count(r.Counts.Errors) })
	row("aborted", func(r Run) string { return count(r.Counts.Aborted) })
	row("unfinished", func(r Run) string { return count(r.Counts.Unfinished) })
	if slices.ContainsFunc(rep.Runs, func(r Run) bool { return r.Consumer != "" }) {
		row("end-to-end consumer", func(r Run) string {
			if r.Consumer == "" {
				return "–"
			}
			return r.Consumer
		})
	}
	if slices.ContainsFunc(rep.Runs, func(r Run) bool { return r.Pacing != nil }) {
		// The bench text report's pacing line, as rows.
		row("pacing: spin", func(r Run) string {
			switch p := r.Pacing; {
			case p == nil:
				return "–"
			case p.SpinOff():
				return "off (sleeps only)"
			default:
				return units.Percent(p.SpinShare) + " of a core"
			}
		})
		row("pacing: spin interrupted", func(r Run) string {
			if p := r.Pacing; p != nil && p.Spin > 0 {
				return units.Percent(p.InterruptedShare) + " of the spin"
			}
			return "–"
		})
	}
	for _, name := range []string{LatencyResponse, LatencyService, LatencySendLag, LatencyE2E} {
		for _, q := range []struct {
			label string
			get   func(Latency) string
		}{
			{"p50", func(l Latency) string { return dur(l.P50) }},
			{"p99", func(l Latency) string { return dur(l.P99) }},
			{"p99.9", func(l Latency) string { return dur(l.P999) }},
			{"max", func(l Latency) string { return dur(l.Max) }},
		} {
			if !slices.ContainsFunc(rep.Runs, func(r Run) bool { _, ok := r.Latency(name); return ok }) {
				continue
			}
			row(name+" "+q.label, func(r Run) string {
				if l, ok := r.Latency(name); ok {
					return q.get(l)
				}
				return "–"
			})
		}
	}
	s.blocks = append(s.blocks, docBlock{table: t})

	if len(rep.Runs) > 1 {
		var hs []NamedHistogram
		for _, r := range rep.Runs {
			if l, ok := r.Latency(LatencyResponse); ok && l.Hist != nil {
				hs = append(hs, NamedHistogram{Name: r.Name, Hist: l.Hist})
			}
		}
		if len(hs) > 1 {
			p, err := LatencySpectrum("Response time by run", hs)
			if err != nil {
				return s, err
			}
			s.blocks = append(s.blocks, docBlock{chart: &docChart{name: "latency-compare", title: "Response time percentiles, every run", plot: p}})
		}
	}
	var slo *model.SLO
	if rep.SLO != nil {
		slo = rep.SLO
	}
	for _, r := range rep.Runs {
		var hs []NamedHistogram
		for _, l := range r.Latencies {
			if l.Hist != nil && l.Count > 0 {
				hs = append(hs, NamedHistogram{Name: l.Name, Hist: l.Hist})
			}
		}
		if len(hs) > 0 {
			p, err := LatencySpectrum("Latency percentiles: "+r.Name, hs)
			if err != nil {
				return s, err
			}
			s.blocks = append(s.blocks, docBlock{chart: &docChart{name: "latency-" + slug(r.Name), title: "Latency percentiles, " + r.Name, plot: p}})
		}
		if len(r.Timeline) > 0 {
			p, err := ThroughputOverTime("Throughput: "+r.Name, r.Timeline)
			if err != nil {
				return s, err
			}
			s.blocks = append(s.blocks, docBlock{chart: &docChart{name: "throughput-" + slug(r.Name), title: "Throughput over time, " + r.Name, plot: p}})
			var bound time.Duration
			if slo != nil {
				bound = time.Duration(slo.PublishP99)
			}
			if p, err := P99OverTime("p99 response time: "+r.Name, r.Timeline, bound); err == nil {
				s.blocks = append(s.blocks, docBlock{chart: &docChart{name: "p99-" + slug(r.Name), title: "p99 over time, " + r.Name, plot: p}})
			}
		}
	}
	return s, nil
}

func planSection(rep *Report) (docSection, error) {
	p := rep.Plan
	name := p.Workload.Name
	heading := "Capacity plan"
	if name != "" {
		heading += ": " + name
	}
	s := docSection{id: "plan", heading: heading}
	s.blocks = append(s.blocks, docBlock{text: "Workload: " + workloadLine(p.Workload) + "."})
	if kp := p.Kinesis.Provisioned; kp != nil {
		s.blocks = append(s.blocks, docBlock{text: fmt.Sprintf("Kinesis provisioned needs %s; %s binds (sized by %s); %s/month.",
			units.Plural(int64(kp.Shards), "shard"), kp.BindingLimit, kp.SizedBy, money(kp.MonthlyUSD))})
		t := &docTable{caption: "Per-shard limits at peak", head: []string{"limit", "load", "per shard", "shards needed", "utilisation", ""}, right: []bool{false, true, true, true, true, false}}
		for _, u := range kp.Limits {
			load, per := loadText(u)
			b := ""
			if u.Binding {
				b = "binding"
			}
			t.rows = append(t.rows, []string{string(u.Limit), load, per, qty(round2(u.RequiredShards)), pct(u.Utilization), b})
		}
		s.blocks = append(s.blocks, docBlock{table: t})
		if sk := kp.Skew; sk.Distribution != "" && sk.BusiestShardShare > 0 {
			s.blocks = append(s.blocks, docBlock{text: fmt.Sprintf("Key skew (%s): hottest key %s carries %s of traffic; the busiest shard carries %s (at most %s allowed).",
				sk.Distribution, sk.HottestKey, pct(sk.HottestKeyShare), pct(sk.BusiestShardShare), pct(sk.TargetShare))})
		}
	}
	rows := comparison(p)
	if len(rows) > 0 {
		t := &docTable{caption: "Monthly cost", head: []string{"option", "role", "sizing", "USD/month"}, right: []bool{false, false, false, true}}
		for _, c := range rows {
			t.rows = append(t.rows, []string{c.name, c.role, c.sizing, money(c.usd)})
		}
		s.blocks = append(s.blocks, docBlock{table: t})
	}
	for _, w := range allWarnings(p) {
		s.blocks = append(s.blocks, docBlock{warn: w})
	}
	if len(rep.CostCurves) > 0 {
		pl, cross, err := CostVsRate("Monthly cost vs write rate", rep.CostCurves, rep.CostCrossings)
		if err != nil {
			return s, err
		}
		s.blocks = append(s.blocks, docBlock{chart: &docChart{name: "cost", title: "Monthly cost against write rate", plot: pl}})
		if len(cross) > 0 {
			t := &docTable{caption: "Crossovers (numbered as on the chart)", head: []string{"#", "write rate", "cheaper below", "cheaper above", "USD/month there"}, right: []bool{true, true, false, false, true}}
			for i, c := range cross {
				t.rows = append(t.rows, []string{strconv.Itoa(i + 1), rate(c.X, "records/s"), c.A, c.B, money(c.Y)})
			}
			s.blocks = append(s.blocks, docBlock{table: t})
		}
	}
	if len(rep.ShardSteps) > 0 {
		pl, err := ShardsVsRate("Provisioned shards vs write rate", rep.ShardSteps, rep.ShardSweepMax)
		if err != nil {
			return s, err
		}
		s.blocks = append(s.blocks, docBlock{chart: &docChart{name: "shards", title: "Provisioned shards against write rate, by binding limit", plot: pl}})
	}
	if sl := rep.ShardLoads; sl != nil && len(sl.Loads) > 0 {
		pl, err := ShardLoadBars("Load per shard", *sl)
		if err != nil {
			return s, err
		}
		s.blocks = append(s.blocks, docBlock{chart: &docChart{name: "shard-load", title: "Load per shard, busiest against the limit", plot: pl}})
	}
	return s, nil
}

func transferSection(ts *TransferSection) (docSection, error) {
	t := ts.Plan
	s := docSection{id: "transfer", heading: fmt.Sprintf("Transfer: %s over %s", si(t.DataBytes, "B"), bitRate(t.LinkBPS))}
	tb := &docTable{head: []string{"path", "time", "detail", "USD"}, right: []bool{false, true, false, true}}
	tb.rows = append(tb.rows,
		[]string{"network", daysShort(t.Network.Days), networkDetail(&t), "–"},
		[]string{"devices", daysShort(t.Device.Days), deviceDetail(t.Device), money(t.Device.USD)})
	s.blocks = append(s.blocks, docBlock{table: tb})
	s.blocks = append(s.blocks, docBlock{text: fmt.Sprintf("The %s is faster. %s", t.Faster, crossoverSentence(&t))})
	for _, w := range t.Warnings {
		s.blocks = append(s.blocks, docBlock{warn: w})
	}
	if len(ts.Sweep.LinkBPS) > 0 {
		pl, err := TransferTime("Transfer time vs link speed", ts.Sweep)
		if err != nil {
			return s, err
		}
		s.blocks = append(s.blocks, docBlock{chart: &docChart{name: "transfer", title: "Transfer time against link speed", plot: pl}})
	}
	return s, nil
}

// stats picks the report's key figures: planned shards and cost, the
// headline run's p99, rate and throttles, the transfer times.
func stats(rep *Report) []stat {
	var out []stat
	if p := rep.Plan; p != nil {
		if kp := p.Kinesis.Provisioned; kp != nil {
			out = append(out, stat{"shards (" + string(kp.BindingLimit) + " binds)", strconv.Itoa(kp.Shards)},
				stat{"per month, provisioned", moneyShort(kp.MonthlyUSD)})
		}
		if kp := p.Kinesis.OnDemand; kp != nil {
			out = append(out, stat{"per month, on-demand", moneyShort(kp.MonthlyUSD)})
		}
	}
	if r := rep.headlineRun(); r != nil {
		if l, ok := r.Latency(LatencyResponse); ok {
			out = append(out, stat{"p99 response, " + r.Name, dur(l.P99)})
		}
		if l, ok := r.Latency(LatencyE2E); ok {
			out = append(out, stat{"p99 end-to-end", dur(l.P99)})
		}
		out = append(out, stat{"achieved rate", rate(r.AchievedRate, "msg/s")}, stat{"throttled sends", count(r.Counts.Throttles)})
	}
	if t := rep.Transfer; t != nil {
		out = append(out, stat{"over the network", daysShort(t.Plan.Network.Days)}, stat{"with shipped devices", daysShort(t.Plan.Device.Days)})
	}
	return out
}
