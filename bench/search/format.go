package search

import (
	"math"
	"strconv"
	"strings"
)

// fmtRate formats a rate in records/s with thousands separators: whole
// above 100/s ("3,940/s"), three significant digits below ("2.5/s").
func fmtRate(r float64) string { return fmtCount(r) + "/s" }

// fmtCount formats a count or rate with thousands separators.
func fmtCount(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "–"
	case math.Abs(v) < 100 && v != math.Trunc(v):
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	s := strconv.FormatFloat(math.Abs(math.Round(v)), 'f', 0, 64)
	var b strings.Builder
	if v < 0 && s != "0" {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// fmtPct formats a fraction as a percentage: whole from 10 % ("99 %",
// "100 %"), 2 significant digits below ("0.1 %", "1.5 %", "9.1 %").
func fmtPct(f float64) string {
	p := f * 100
	if math.Abs(p) >= 9.95 {
		return strconv.FormatFloat(p, 'f', 0, 64) + " %"
	}
	return strconv.FormatFloat(p, 'g', 2, 64) + " %"
}
