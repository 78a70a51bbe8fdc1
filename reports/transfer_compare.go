package reports

import (
	"fmt"
	"io"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
	"github.com/streamcap/streamcap/model/version"
)

// RenderTransferCompareJSON writes t and the per-device comparison as one
// streamcap.transfer/v1 document with a "compare" array (one DeviceLeg per
// profile, docs/plan-json.md).
func RenderTransferCompareJSON(w io.Writer, t *model.TransferPlan, devs []model.DeviceLeg) error {
	return writeJSON(w, transferJSON{Schema: SchemaTransfer, Version: version.String(), TransferPlan: t, Compare: devs})
}

// RenderTransferCompareText writes the network leg and every device
// profile side by side, fastest first as listed, then each profile's
// status and assumptions.
func RenderTransferCompareText(w io.Writer, t *model.TransferPlan, devs []model.DeviceLeg) error {
	e := &errWriter{w: w}
	e.printf("TRANSFER COMPARE: %s; network over %s: %s (%s goodput)\n", si(t.DataBytes, "B"), si(t.LinkBPS, "bps"), daysShort(t.Network.Days), si(t.Network.GoodputBPS, "bps"))
	tb := table{indent: "  ", right: []bool{false, true, true, true, true, true, false}}
	tb.add("device", "count", "fill rate", "copy", "end to end", "USD", "vs network")
	for _, d := range devs {
		vs := "slower"
		if d.Days < t.Network.Days {
			vs = "faster"
		}
		tb.add(d.Device, fmt.Sprint(d.Count), si(d.FillRate, "B/s"), units.SpanSeconds(d.CopySeconds), daysShort(d.Days), usd(d.USD), vs)
	}
	tb.write(e)
	for _, d := range devs {
		if d.Status == "" && len(d.Assumptions) == 0 {
			continue
		}
		e.printf("\n  %s (%s)\n", d.Title, d.Device)
		if d.Status != "" {
			e.printf("    ! %s\n", d.Status)
		}
		for _, a := range d.Assumptions {
			e.printf("    ~ %s\n", a)
		}
	}
	return e.err
}

// RenderTransferCompareMarkdown writes the comparison as a Markdown table.
func RenderTransferCompareMarkdown(w io.Writer, t *model.TransferPlan, devs []model.DeviceLeg) error {
	e := &errWriter{w: w}
	e.printf("# Transfer compare: %s\n\nNetwork over %s: %s.\n\n", si(t.DataBytes, "B"), si(t.LinkBPS, "bps"), daysShort(t.Network.Days))
	e.printf("| device | count | fill rate | copy | end to end | USD |\n|---|---:|---:|---:|---:|---:|\n")
	for _, d := range devs {
		e.printf("| %s | %d | %s | %s | %s | %s |\n", mdEscape(d.Title), d.Count, si(d.FillRate, "B/s"), units.SpanSeconds(d.CopySeconds), daysShort(d.Days), usd(d.USD))
	}
	for _, d := range devs {
		for _, s := range append([]string{d.Status}, d.Assumptions...) {
			if s != "" {
				e.printf("\n- %s: %s", mdEscape(d.Device), mdEscape(s))
			}
		}
	}
	e.printf("\n")
	return e.err
}
