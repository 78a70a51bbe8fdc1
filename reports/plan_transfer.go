package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
	"github.com/streamcap/streamcap/model/version"
)

// transferJSON is the one streamcap.transfer/v1 document: a transfer plan
// with an optional link sweep and, for `transfer --compare`, every device
// profile planned beside it.
type transferJSON struct {
	Schema  string `json:"schema"`
	Version string `json:"streamcap_version"`
	*model.TransferPlan
	Sweep   []model.TransferPoint `json:"sweep,omitempty"`
	Compare []model.DeviceLeg     `json:"compare,omitempty"`
}

// RenderTransferJSON writes t (and the sweep, when given) as indented JSON:
// schema ("streamcap.transfer/v1"), streamcap_version, network.seconds, network.days, device.days, device.count, device.usd,
// faster, crossover_bps, sweep[].
func RenderTransferJSON(w io.Writer, t *model.TransferPlan, sweep []model.TransferPoint) error {
	return writeJSON(w, transferJSON{Schema: SchemaTransfer, Version: version.String(), TransferPlan: t, Sweep: sweep})
}

// deviceDetail says how a device leg's time is made up, the same in text
// and Markdown: "2 × AWS Snowball Edge: 2 × 3 days shipping + 6.2 h copy
// at 500 MB/s + 1 day handling + 6.2 h ingest", or for a site device the
// travel and the upload.
func deviceDetail(d model.DeviceLeg) string {
	if d.Kind == model.DeviceSite {
		return fmt.Sprintf("%d × %s: %s travel + %s upload at %s (the upload is the ingest)",
			d.Count, d.Title, units.Count(d.ShippingDays, 3, "day"), units.SpanSeconds(d.CopySeconds), si(d.FillRate, "B/s"))
	}
	return fmt.Sprintf("%d × %s: 2 × %s shipping + %s copy at %s + %s handling + %s ingest",
		d.Count, d.Title, units.Count(d.ShippingDays, 3, "day"), units.SpanSeconds(d.CopySeconds), si(d.FillRate, "B/s"),
		units.Count(d.HandlingDays, 3, "day"), units.SpanSeconds(d.IngestSeconds))
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

// crossoverSentence says where the network starts to beat shipping, the
// same in Markdown and HTML.
func crossoverSentence(t *model.TransferPlan) string {
	if crossoverMeaningful(t.CrossoverBPS) {
		return fmt.Sprintf("Crossover: a %s link takes as long as shipping; faster links favour the network.", si(t.CrossoverBPS, "bps"))
	}
	return "Crossover: none; " + noCrossover + "."
}

// networkDetail says how the network leg is made up (Markdown and HTML).
func networkDetail(t *model.TransferPlan) string {
	return fmt.Sprintf("at %s goodput (utilisation %s, efficiency %s)", si(t.Network.GoodputBPS, "bps"), pct(t.Utilization), pct(t.Efficiency))
}

// crossoverMeaningful reports whether a crossover link speed names a link
// that could exist.
func crossoverMeaningful(bps float64) bool { return bps >= slowestLink }

func textTransfer(e *errWriter, t *model.TransferPlan) {
	d := t.Device
	e.printf("TRANSFER: %s over a %s link (utilisation %s, efficiency %s): %s is faster\n",
		si(t.DataBytes, "B"), si(t.LinkBPS, "bps"), pct(t.Utilization), pct(t.Efficiency), strings.ToUpper(t.Faster))
	tb := table{indent: "    ", right: []bool{false, true}}
	tb.add("network", daysShort(t.Network.Days), "at "+si(t.Network.GoodputBPS, "bps")+" goodput")
	tb.add("device", daysShort(d.Days), deviceDetail(d)+"; "+usd(d.USD)+" USD")
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
	e.printf("| network | %s | %s | |\n", daysShort(t.Network.Days), networkDetail(t))
	e.printf("| device | %s | %s | %s |\n", daysShort(d.Days), mdEscape(deviceDetail(d)), usd(d.USD))
	e.printf("\n%s\n", crossoverSentence(t))
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
