package units

import (
	"math"
	"math/big"
	"strings"
	"time"
)

// Duration is a non-negative span of time (retention, run length, SLO
// latency). Unlike time.ParseDuration it accepts days and weeks ("7d",
// "365d", "2w") and rejects negative values.
type Duration time.Duration

// Day and Week are the calendar-free spans used by retention settings.
const (
	Day  = 24 * time.Hour
	Week = 7 * Day
)

var durationUnits = []struct {
	sym string
	d   time.Duration
}{
	{"ns", time.Nanosecond}, {"us", time.Microsecond}, {"µs", time.Microsecond}, {"ms", time.Millisecond},
	{"s", time.Second}, {"m", time.Minute}, {"min", time.Minute}, {"h", time.Hour}, {"d", Day}, {"w", Week},
}

// ParseDuration parses a duration made of one or more number+unit parts
// ("90s", "1h30m", "7d", "1.5h"). "0" alone means zero.
func ParseDuration(s string) (Duration, error) {
	const kind = "duration"
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, &ParseError{kind, s, "empty", acceptedDuration}
	}
	if strings.HasPrefix(in, "-") {
		return 0, &ParseError{kind, s, "negative", acceptedDuration}
	}
	if in == "0" {
		return 0, nil
	}
	total := new(big.Rat)
	for rest := in; rest != ""; {
		num, tail, ok := splitNumber(rest)
		if !ok {
			return 0, &ParseError{kind, s, "expected a number at " + quote(rest), acceptedDuration}
		}
		// the unit runs until the next digit
		i := 0
		for i < len(tail) && (tail[i] < '0' || tail[i] > '9') && tail[i] != '.' {
			i++
		}
		unit := strings.TrimSpace(tail[:i])
		if unit == "" {
			return 0, &ParseError{kind, s, "missing unit after " + num, acceptedDuration}
		}
		var d time.Duration
		for _, u := range durationUnits {
			if unit == u.sym {
				d = u.d
			}
		}
		if d == 0 {
			return 0, &ParseError{kind, s, "unknown unit " + quote(unit), acceptedDuration}
		}
		v, ok := parseScaled(num, new(big.Rat).SetInt64(int64(d)))
		if !ok {
			return 0, &ParseError{kind, s, "malformed number", acceptedDuration}
		}
		total.Add(total, v)
		rest = tail[i:]
	}
	f, _ := total.Float64()
	if f > math.MaxInt64 {
		return 0, &ParseError{kind, s, "longer than 290 years", acceptedDuration}
	}
	// sub-nanosecond fractions round to the nearest nanosecond
	return Duration(math.Round(f)), nil
}

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Seconds returns d in seconds.
func (d Duration) Seconds() float64 { return time.Duration(d).Seconds() }

// Hours returns d in hours.
func (d Duration) Hours() float64 { return time.Duration(d).Hours() }

// String formats d in the shortest exact form: "7d", "90s", "36h", "1h30m1s".
func (d Duration) String() string {
	if d == 0 {
		return "0s"
	}
	if d < 0 {
		return "-" + Duration(-d).String()
	}
	td := time.Duration(d)
	best := compound(td)
	for _, u := range durationUnits {
		if u.sym == "min" || u.sym == "µs" {
			continue
		}
		if td%u.d == 0 {
			cand := big.NewInt(int64(td/u.d)).String() + u.sym
			if len(cand) < len(best) || (len(cand) == len(best) && u.d >= time.Second) {
				best = cand
			}
		}
	}
	return best
}

// compound prints d as days+hours+minutes+seconds(+fraction), the fallback
// when no single unit is exact.
func compound(td time.Duration) string {
	var b strings.Builder
	for _, u := range []struct {
		sym string
		d   time.Duration
	}{{"d", Day}, {"h", time.Hour}, {"m", time.Minute}} {
		if td >= u.d {
			b.WriteString(big.NewInt(int64(td / u.d)).String())
			b.WriteString(u.sym)
			td %= u.d
		}
	}
	if td > 0 {
		b.WriteString(td.String()) // under a minute: time.Duration prints s, ms, µs or ns
	}
	return strings.ReplaceAll(b.String(), "µs", "us")
}

// Set implements pflag.Value.
func (d *Duration) Set(s string) error {
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Type implements pflag.Value.
func (Duration) Type() string { return "duration" }

// IsZero reports whether d is 0 s (for a flag: not set, no default shown).
func (d Duration) IsZero() bool { return d == 0 }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(t []byte) error { return d.Set(string(t)) }

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }
