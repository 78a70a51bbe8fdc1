package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
	"github.com/streamcap/streamcap/model/version"
)

// transferJSON is the JSON of a transfer plan with an optional sweep.
type transferJSON struct {
	Schema  string `json:"schema"`
	Version string `json:"streamcap_version"`
	*model.TransferPlan
	Sweep []model.TransferPoint `json:"sweep,omitempty"`
}

// RenderTransferJSON writes t (and the sweep, when given) as indented JSON:
// schema ("streamcap.transfer/v1"), streamcap_version, network.seconds, network.days, device.days, device.count, device.usd,
// faster, crossover_bps, sweep[].
func RenderTransferJSON(w io.Writer, t *model.TransferPlan, sweep []model.TransferPoint) error {
	return writeJSON(w, transferJSON{SchemaTransfer, version.String(), t, sweep})
}

// RenderTransferText writes t as aligned text: network vs device time and
// cost, which is faster, the crossover link speed, the device's
// availability note, the sweep (when given) and the explanation.
func RenderTransferText(w io.Writer, t *model.TransferPlan, sweep []model.TransferPoint) error {
	e := &errWriter{w: w}
	textTransfer(e, t)
	if len(sweep) > 0 {
		e.printf("\n  link sweep\n")
		tb := table{indent: "    ", right: []bool{true, true, true, false}}
		tb.add("link", "network", "device", "faster")
		for _, p := range sweep {
			tb.add(si(p.LinkBPS, "bps"), daysShort(p.NetworkDays), daysShort(p.DeviceDays), p.Faster)
		}
		tb.write(e)
	}
	for _, s := range t.Warnings {
		e.printf("\n  ! %s\n", s)
	}
	for _, s := range t.Device.Assumptions {
		e.printf("  ~ %s\n", s)
	}
	e.printf("\nWHY\n")
	for _, in := range t.Explanation.Inputs {
		e.printf("    %s: %s\n", in.Name, in.Value)
	}
	for _, s := range t.Explanation.Steps {
		e.printf("    %s = %s = %s = %s\n", s.Name, s.Formula, s.Numbers, stepValue(s.Value, s.Unit))
	}
	return e.err
}

// slowestLink is the slowest link speed a crossover is worth naming: below
// 1 kbps no real link exists, so a crossover there means every link beats
// shipping (1 B over any link is faster than a device's round trip).
const slowestLink = 1e3

// noCrossover is what the text says when the crossover is below slowestLink.
const noCrossover = "every link of 1 kbps or more beats shipping"

// crossoverMeaningful reports whether a crossover link speed names a link
// that could exist.
func crossoverMeaningful(bps float64) bool { return bps >= slowestLink }

func textTransfer(e *errWriter, t *model.TransferPlan) {
	d := t.Device
	e.printf("TRANSFER: %s over a %s link (utilisation %s, efficiency %s): %s is faster\n",
		si(t.DataBytes, "B"), si(t.LinkBPS, "bps"), pct(t.Utilization), pct(t.Efficiency), strings.ToUpper(t.Faster))
	tb := table{indent: "    ", right: []bool{false, true}}
	tb.add("network", daysShort(t.Network.Days), "at "+si(t.Network.GoodputBPS, "bps")+" goodput")
	if d.Kind == model.DeviceSite {
		tb.add("device", daysShort(d.Days), fmt.Sprintf("%d × %s: %s travel + %s upload at %s (the upload is the ingest); %s USD",
			d.Count, d.Title, units.Count(d.ShippingDays, 3, "day"), units.SpanSeconds(d.CopySeconds), si(d.FillRate, "B/s"), usd(d.USD)))
	} else {
		tb.add("device", daysShort(d.Days), fmt.Sprintf("%d × %s: 2 × %s shipping + %s copy at %s + %s handling + %s ingest; %s USD",
			d.Count, d.Title, units.Count(d.ShippingDays, 3, "day"), units.SpanSeconds(d.CopySeconds), si(d.FillRate, "B/s"),
			units.Count(d.HandlingDays, 3, "day"), units.SpanSeconds(d.IngestSeconds), usd(d.USD)))
	}
	if crossoverMeaningful(t.CrossoverBPS) {
		tb.add("crossover", si(t.CrossoverBPS, "bps"), "links faster than this beat shipping")
	} else {
		tb.add("crossover", "none", noCrossover)
	}
	tb.write(e)
}

// RenderTransferMarkdown writes t (and the sweep, when given) as Markdown.
func RenderTransferMarkdown(w io.Writer, t *model.TransferPlan, sweep []model.TransferPoint) error {
	e := &errWriter{w: w}
	mdTransfer(e, t, sweep, "#")
	return e.err
}

func mdTransfer(e *errWriter, t *model.TransferPlan, sweep []model.TransferPoint, h string) {
	d := t.Device
	e.printf("%s Transfer: %s over %s — %s is faster\n\n", h, si(t.DataBytes, "B"), si(t.LinkBPS, "bps"), t.Faster)
	e.printf("| path | time | detail | USD |\n|---|---:|---|---:|\n")
	e.printf("| network | %s | at %s goodput (utilisation %s, efficiency %s) | |\n", daysShort(t.Network.Days), si(t.Network.GoodputBPS, "bps"), pct(t.Utilization), pct(t.Efficiency))
	e.printf("| device | %s | %d × %s: 2 × %s shipping, %s copy, %s ingest | %s |\n", daysShort(d.Days), d.Count, mdEscape(d.Title), units.Count(d.ShippingDays, 3, "day"), units.SpanSeconds(d.CopySeconds), units.SpanSeconds(d.IngestSeconds), usd(d.USD))
	if crossoverMeaningful(t.CrossoverBPS) {
		e.printf("\nCrossover: a %s link takes as long as shipping; faster links favour the network.\n", si(t.CrossoverBPS, "bps"))
	} else {
		e.printf("\nCrossover: none; %s.\n", noCrossover)
	}
	for _, s := range t.Warnings {
		e.printf("\n> **Note:** %s\n", mdEscape(s))
	}
	if len(sweep) > 0 {
		e.printf("\n| link | network | device | faster |\n|---:|---:|---:|---|\n")
		for _, p := range sweep {
			e.printf("| %s | %s | %s | %s |\n", si(p.LinkBPS, "bps"), daysShort(p.NetworkDays), daysShort(p.DeviceDays), p.Faster)
		}
	}
	if h == "#" {
		mdExplain(e, section{"Why", t.Explanation})
	}
}
