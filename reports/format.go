// Package reports renders streamcap results for people (aligned text,
// Markdown, a self-contained HTML page with charts) and machines (JSON).
// Renderers are pure: they write to the io.Writer they are given and
// return its first error. Charts are pure functions returning a gonum
// *plot.Plot, written as PNG or SVG by WritePNG and WriteSVG.
//
// A Report gathers any mix of a plan, a transfer plan, benchmark runs and
// a verify verdict (AddJSON, AddPlan, AddTransfer, AddBenchResult); Render
// writes it as Markdown, HTML or JSON.
package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/streamcap/streamcap/model/units"
)

// errWriter remembers the first write error so renderers can print
// freely and check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}

// writeJSON writes v as indented JSON with a trailing newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// usd formats dollars with thousands separators and cents: 12,345.67
// (units.USD).
func usd(v float64) string { return units.USD(v) }

// unitPrice formats a figure of the price table exactly, every digit
// kept: 1,073,741,824 and 0.0000166667, never 1.07374e+09.
func unitPrice(v float64) string { return units.Exact(v) }

// group inserts thousands separators into a string of digits.
func group(d string) string { return units.Group(d) }

// qty formats a quantity (units.Quantity): integers with separators,
// others with 4 significant digits (or separators when ≥ 1000).
func qty(v float64) string { return units.Quantity(v) }

// si formats v with a decimal SI prefix and 3 significant digits:
// si(3048000, "B/s") = "3.05 MB/s".
func si(v float64, unit string) string { return units.SI(v, unit) }

// stepValue formats the result of an explanation step: seconds as a
// rounded duration ("10.5 ns", "9.26 days"), anything else as a quantity
// with its unit, singular for exactly one ("1 shard", "4 shards").
func stepValue(v float64, unit string) string {
	switch unit {
	case "":
		return qty(v)
	case "s":
		return units.SpanSeconds(v)
	}
	return qty(v) + " " + units.Singular(v, unit)
}

// pct formats a fraction as a percentage (units.Percent): "12.3 %".
func pct(f float64) string { return units.Percent(f) }

// mdEscape escapes the characters that break a Markdown table cell.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// table is a plain-text table: columns padded to their widest cell (by
// rune count), numbers right-aligned where right[i] is set.
type table struct {
	indent string
	right  []bool
	rows   [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// write renders the table; a row's trailing empty cells print nothing.
func (t *table) write(e *errWriter) {
	var width []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range t.rows {
		var b strings.Builder
		b.WriteString(t.indent)
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < len(t.right) && t.right[i] {
				b.WriteString(pad + c)
			} else if i < len(r)-1 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(c)
			}
		}
		e.printf("%s\n", strings.TrimRight(b.String(), " "))
	}
}

// The helpers below are the report-wide formatting used by the Markdown,
// HTML and JSON-summary renderers and by plot labels, so one figure reads
// the same everywhere.

// money formats US dollars with a sign, separators and cents: "$1,234.56",
// "-$3.00".
func money(v float64) string {
	s := usd(v)
	if strings.HasPrefix(s, "-") {
		return "-$" + s[1:]
	}
	return "$" + s
}

// moneyShort formats dollars for headlines and axis labels: whole dollars
// from $100 up ("$143", "$12,345") and for whole amounts ("$10"), cents
// otherwise ("$4.20").
func moneyShort(v float64) string {
	if math.Abs(v) < 100 && v != math.Trunc(v) {
		return money(v)
	}
	s := group(strconv.FormatFloat(math.Abs(math.Round(v)), 'f', 0, 64))
	if v < 0 {
		return "-$" + s
	}
	return "$" + s
}

// sig formats v with at most n significant digits, never in exponent
// form (units.Sig).
func sig(v float64, n int) string { return units.Sig(v, n) }

// dur formats a latency or run length with 3 significant digits and the
// largest unit that keeps the number ≥ 1: "850 ns", "4.2 ms", "1.25 s",
// "10 min", "2.5 h", "9.26 days" (units.Span).
func dur(d time.Duration) string { return units.Span(d) }

// durNS is dur for nanoseconds held in a float64.
func durNS(ns float64) string { return units.SpanNS(ns) }

// rate formats an event rate: "3,000 msg/s", "2,999.5 msg/s" is shown as
// "3,000 msg/s" (rates carry 4 significant digits, separators from 1000).
func rate(v float64, unit string) string { return units.Rate(v) + " " + unit }

// count formats an integer count with separators: "1,234,567".
func count(n int64) string { return units.Int(n) }

// bitRate formats a link speed in decimal bit/s: "1 Gbps", "250 Mbps".
func bitRate(bps float64) string { return si(bps, "bps") }

// daysShort formats a transfer time given in days with 3 significant
// digits in the largest fitting unit: "9.26 days", "6.5 h", "10.5 ns".
func daysShort(d float64) string { return units.SpanSeconds(d * 86400) }
