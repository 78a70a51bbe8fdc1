package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/streamcap/streamcap/model"
)

// transferJSON is the JSON of a transfer plan with an optional sweep.
type transferJSON struct {
	*model.TransferPlan
	Sweep []model.TransferPoint `json:"sweep,omitempty"`
}

// RenderTransferJSON writes t (and the sweep, when given) as indented JSON:
// network.seconds, network.days, device.days, device.count, device.usd,
// faster, crossover_bps, sweep[].
func RenderTransferJSON(w io.Writer, t *model.TransferPlan, sweep []model.TransferPoint) error {
	return writeJSON(w, transferJSON{t, sweep})
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
			tb.add(si(p.LinkBPS, "bps"), days(p.NetworkDays), days(p.DeviceDays), p.Faster)
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
		e.printf("    %s = %s = %s = %s%s\n", s.Name, s.Formula, s.Numbers, qty(s.Value), unitSuffix(s.Unit))
	}
	return e.err
}

func textTransfer(e *errWriter, t *model.TransferPlan) {
	d := t.Device
	e.printf("TRANSFER: %s over a %s link (utilisation %s, efficiency %s): %s is faster\n",
		si(t.DataBytes, "B"), si(t.LinkBPS, "bps"), pct(t.Utilization), pct(t.Efficiency), strings.ToUpper(t.Faster))
	tb := table{indent: "    ", right: []bool{false, true}}
	tb.add("network", days(t.Network.Days), fmt.Sprintf("%s s at %s goodput", qty(t.Network.Seconds), si(t.Network.GoodputBPS, "bps")))
	if d.Kind == model.DeviceSite {
		tb.add("device", days(d.Days), fmt.Sprintf("%d × %s: %s days travel + %s s upload (%s h at %s), the upload is the ingest; %s USD",
			d.Count, d.Title, qty(d.ShippingDays), qty(d.CopySeconds), qty(round2(d.CopySeconds/3600)), si(d.FillRate, "B/s"), usd(d.USD)))
	} else {
		tb.add("device", days(d.Days), fmt.Sprintf("%d × %s: 2 × %s days shipping + %s s copy (%s h at %s) + %s days handling + %s s ingest; %s USD",
			d.Count, d.Title, qty(d.ShippingDays), qty(d.CopySeconds), qty(round2(d.CopySeconds/3600)), si(d.FillRate, "B/s"), qty(d.HandlingDays), qty(d.IngestSeconds), usd(d.USD)))
	}
	tb.add("crossover", si(t.CrossoverBPS, "bps"), "links faster than this beat shipping")
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
	e.printf("| network | %s | %s s at %s goodput (utilisation %s, efficiency %s) | |\n", days(t.Network.Days), qty(t.Network.Seconds), si(t.Network.GoodputBPS, "bps"), pct(t.Utilization), pct(t.Efficiency))
	e.printf("| device | %s | %d × %s: 2 × %s days shipping, %s s copy, %s s ingest | %s |\n", days(d.Days), d.Count, mdEscape(d.Title), qty(d.ShippingDays), qty(d.CopySeconds), qty(d.IngestSeconds), usd(d.USD))
	e.printf("\nCrossover: a %s link takes as long as shipping; faster links favour the network.\n", si(t.CrossoverBPS, "bps"))
	for _, s := range t.Warnings {
		e.printf("\n> **Note:** %s\n", mdEscape(s))
	}
	if len(sweep) > 0 {
		e.printf("\n| link | network | device | faster |\n|---:|---:|---:|---|\n")
		for _, p := range sweep {
			e.printf("| %s | %s | %s | %s |\n", si(p.LinkBPS, "bps"), days(p.NetworkDays), days(p.DeviceDays), p.Faster)
		}
	}
	if h == "#" {
		mdExplain(e, section{"Why", t.Explanation})
	}
}
