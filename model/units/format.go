package units

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// The functions below are streamcap's one owner of number formats for
// people: plan, transfer and price text, bench text and reports all print
// through them, so a figure reads the same everywhere. None prints an
// exponent ("1.07374e+09"); counts get their plural right.

// Group inserts thousands separators into a string of digits:
// Group("1234567") = "1,234,567".
func Group(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	pre := len(digits) % 3
	if pre > 0 {
		b.WriteString(digits[:pre])
	}
	for i := pre; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// Int formats an integer count with separators: Int(29894) = "29,894".
func Int(n int64) string {
	if n < 0 {
		return "-" + Group(strconv.FormatUint(uint64(-n), 10))
	}
	return Group(strconv.FormatInt(n, 10))
}

// Exact prints v exactly — the shortest decimal that reads back as v —
// with thousands separators and never in exponent form, for figures whose
// every digit matters (prices, quotas): Exact(1073741824) =
// "1,073,741,824", Exact(0.0000166667) = "0.0000166667".
func Exact(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', -1, 64)
	whole, frac, hasFrac := strings.Cut(s, ".")
	s = Group(whole)
	if hasFrac {
		s += "." + frac
	}
	if v < 0 {
		s = "-" + s
	}
	return s
}

// Sig prints v with at most n significant digits, never in exponent form
// and without trailing zeros: Sig(4.2049, 3) = "4.2", Sig(0.00001218, 3) =
// "0.0000122". Integer parts are never rounded away: Sig(1234.6, 3) = "1235".
func Sig(v float64, n int) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	digits := n - 1 - int(math.Floor(math.Log10(math.Abs(v))))
	if digits < 0 {
		digits = 0
	}
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// Quantity formats a computed quantity: whole numbers exactly with
// separators ("7,884,000,000"), others from 1000 up rounded to a whole
// number with separators, below 1000 with 4 significant digits ("3.633",
// "0.0000122").
func Quantity(v float64) string {
	a := math.Abs(v)
	sign := ""
	if v < 0 {
		sign = "-"
	}
	switch {
	case a == math.Trunc(a) && a < 1e15:
		return sign + Group(strconv.FormatFloat(a, 'f', 0, 64))
	case a >= 1000:
		return sign + Group(strconv.FormatFloat(math.Round(a), 'f', 0, 64))
	default:
		return Sig(v, 4)
	}
}

// RoundSig rounds v to n significant digits (a number, for formats and
// chart steps): RoundSig(2999.5, 4) = 3000, RoundSig(0.012345, 2) = 0.012.
func RoundSig(v float64, n int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	p := math.Pow(10, float64(n-1)-math.Floor(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

// Rate formats a measured or planned rate (records, messages or bytes per
// second; the caller adds the unit) with 4 significant digits and
// separators: Rate(2999.5) = "3,000", Rate(3938) = "3,938", Rate(2.5) =
// "2.5"; "–" when it is not a number.
func Rate(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	return Quantity(RoundSig(v, 4))
}

// USD formats an amount of US dollars with separators and cents, without
// the sign (callers write "$" or "USD"): USD(12345.678) = "12,345.68",
// USD(-3) = "-3.00".
func USD(v float64) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', 2, 64)
	whole, frac, _ := strings.Cut(s, ".")
	s = Group(whole) + "." + frac
	if v < 0 && s != "0.00" {
		s = "-" + s
	}
	return s
}

// Percent formats a fraction as a percentage with up to 3 significant
// digits, a space before the sign as before any unit: Percent(0.31) =
// "31 %", Percent(0.0012) = "0.12 %", Percent(1.0526) = "105 %".
func Percent(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "– %"
	}
	return Sig(f*100, 3) + " %"
}

// PercentApart formats f as a percentage like Percent, but with at least
// two significant digits and as many more decimals (up to six) as it takes
// not to read the same as other when the two differ, so that "busiest
// 33.65 % (at most 33.33 %)" never prints as "33.3 % (at most 33.3 %)".
func PercentApart(f, other float64) string {
	d := 1
	if v := math.Abs(f * 100); v > 0 && v < 10 {
		d = max(1, 1-int(math.Floor(math.Log10(v))))
	}
	for end := d + 6; d < end; d++ {
		a := strconv.FormatFloat(f*100, 'f', d, 64)
		if f == other || a != strconv.FormatFloat(other*100, 'f', d, 64) {
			return a + " %"
		}
	}
	return strconv.FormatFloat(f*100, 'f', d, 64) + " %"
}

// SI formats v with a decimal SI prefix and 3 significant digits:
// SI(3048000, "B/s") = "3.05 MB/s", SI(760e6, "bps") = "760 Mbps".
func SI(v float64, unit string) string {
	prefixes := []string{"", "k", "M", "G", "T", "P", "E"}
	i := 0
	for math.Abs(v) >= 999.5 && i < len(prefixes)-1 {
		v /= 1000
		i++
	}
	return Sig(v, 3) + " " + prefixes[i] + unit
}

// Span formats a duration for reading, rounded to 3 significant digits in
// the largest unit that keeps the number ≥ 1: "850 ns", "4.2 ms", "6 s"
// (not "6.000173501s"), "10 min", "4.5 h", "9.26 days".
func Span(d time.Duration) string { return SpanNS(float64(d)) }

// SpanSeconds is Span for seconds held in a float64 (computed times such
// as a transfer's, which may be below a nanosecond or beyond 290 years).
func SpanSeconds(s float64) string { return SpanNS(s * 1e9) }

// SpanNS is Span for nanoseconds held in a float64 (chart axes).
func SpanNS(ns float64) string {
	a := math.Abs(ns)
	switch {
	case a < 1e3:
		return Sig(ns, 3) + " ns"
	case a < 1e6:
		return Sig(ns/1e3, 3) + " µs"
	case a < 1e9:
		return Sig(ns/1e6, 3) + " ms"
	case a < 600e9:
		return Sig(ns/1e9, 3) + " s"
	case a < 3*3600e9:
		return Sig(ns/60e9, 3) + " min"
	case a < 48*3600e9:
		return Sig(ns/3600e9, 3) + " h"
	default:
		return Count(ns/86400e9, 3, "day")
	}
}

// Count formats v things with n significant digits and the noun's plural
// when v is not exactly 1: Count(1, 3, "day") = "1 day", Count(9.259, 3,
// "day") = "9.26 days".
func Count(v float64, n int, noun string) string {
	s := Sig(v, n)
	if s == "1" {
		return s + " " + noun
	}
	return s + " " + plural(noun)
}

// Plural phrases n things: Plural(1, "shard") = "1 shard", Plural(4,
// "shard") = "4 shards", Plural(1, "shared consumer") = "1 shared consumer".
func Plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return Int(n) + " " + plural(noun)
}

// plural returns the plural of an English noun phrase (its last word):
// shard → shards, entry → entries, process → processes.
func plural(noun string) string {
	switch {
	case strings.HasSuffix(noun, "s"), strings.HasSuffix(noun, "x"), strings.HasSuffix(noun, "ch"), strings.HasSuffix(noun, "sh"):
		return noun + "es"
	case strings.HasSuffix(noun, "y") && len(noun) > 1 && !strings.ContainsRune("aeiou", rune(noun[len(noun)-2])):
		return noun[:len(noun)-1] + "ies"
	default:
		return noun + "s"
	}
}

// Singular turns a plural unit into its singular for an amount of exactly
// one: Singular(1, "shards") = "shard", Singular(1, "records/s") =
// "record/s", Singular(2, "shards") = "shards". Only the first word
// changes, and only a lower-case word of four letters or more in a regular
// plural (so "bps", "GB" and "status" stay as they are).
func Singular(v float64, unit string) string {
	if v != 1 {
		return unit
	}
	end := strings.IndexAny(unit, " /")
	if end < 0 {
		end = len(unit)
	}
	w := unit[:end]
	if len(w) < 4 || strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") != "" || !strings.HasSuffix(w, "s") {
		return unit
	}
	switch {
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
		return unit
	case strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y" + unit[end:]
	default:
		return w[:len(w)-1] + unit[end:]
	}
}
