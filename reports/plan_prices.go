package reports

import (
	"io"
	"strings"

	"github.com/streamcap/streamcap/model"
)

// RenderPricesJSON writes the whole price table as JSON with "schema":
// "streamcap.prices/v1" first. The JSON is YAML too: --prices loads it back.
func RenderPricesJSON(w io.Writer, p *model.Prices) error {
	return writeJSON(w, struct {
		Schema string `json:"schema"`
		*model.Prices
	}{SchemaPrices, p})
}

// RenderPricesText writes every figure of the table, one per line: path,
// value, unit, read date and source; notes follow on their own line.
func RenderPricesText(w io.Writer, p *model.Prices) error {
	e := &errWriter{w: w}
	e.printf("price table %s, region %s, %s\n", p.Version, p.Region, p.Currency)
	tb := table{indent: "  ", right: []bool{false, true}}
	for _, f := range p.Figures() {
		unit := f.Unit
		if f.Assumption() {
			unit += " [ASSUMPTION, not sourced]"
		}
		tb.add(f.Path, unitPrice(f.Value), unit, f.Read, f.Source)
	}
	tb.write(e)
	for _, name := range p.DeviceNames() {
		d := p.Devices[name]
		if d.Status != "" {
			e.printf("\n%s: %s\n  successors: %s\n  (%s)\n", d.Name, d.Status, strings.Join(d.Successors, "; "), d.StatusSource)
		}
	}
	return e.err
}

// RenderPricesMarkdown writes the table as Markdown with notes.
func RenderPricesMarkdown(w io.Writer, p *model.Prices) error {
	e := &errWriter{w: w}
	e.printf("# Price table %s (%s, %s)\n\n| figure | value | unit | read | source | note |\n|---|---:|---|---|---|---|\n", p.Version, p.Region, p.Currency)
	for _, f := range p.Figures() {
		e.printf("| %s | %s | %s | %s | %s | %s |\n", f.Path, unitPrice(f.Value), mdEscape(f.Unit), f.Read, f.Source, mdEscape(f.Note))
	}
	for _, name := range p.DeviceNames() {
		d := p.Devices[name]
		if d.Status != "" {
			e.printf("\n> **%s:** %s Successors: %s.\n", mdEscape(d.Name), mdEscape(d.Status), mdEscape(strings.Join(d.Successors, "; ")))
		}
	}
	return e.err
}
