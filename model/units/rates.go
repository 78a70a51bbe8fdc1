package units

import (
	"math"
	"math/big"
	"strings"
)

// ByteRate is a throughput in bytes per second (shard limits, ingest rates).
// Parse it with ParseByteRate ("100MB/s", "1MiB/s", "512KBps").
type ByteRate float64

// ParseByteRate parses a byte rate. A bit rate ("1Gbps") is rejected with the
// equivalent byte rate suggested, so a link speed is never misread.
func ParseByteRate(s string) (ByteRate, error) {
	v, base, per, err := parseAmount(s, "byte rate", acceptedByteRate)
	if err != nil {
		return 0, err
	}
	if base == "b" {
		bits := BitRate(ratToFloat(v))
		return 0, &ParseError{"byte rate", s, "a bit rate given where a byte rate is wanted (" + s + " = " + ByteRate(float64(bits)/8).String() + "; B is bytes, b is bits)", acceptedByteRate}
	}
	if !per || base == "" {
		return 0, &ParseError{"byte rate", s, "missing B/s (a byte rate is a size per second)", acceptedByteRate}
	}
	return ByteRate(ratToFloat(v)), nil
}

// BytesPerSecond returns r as a float64.
func (r ByteRate) BytesPerSecond() float64 { return float64(r) }

// String formats r in the shortest exact form ("1MiB/s", "125MB/s").
func (r ByteRate) String() string { return formatFloat(float64(r), "B/s") }

// Set implements pflag.Value.
func (r *ByteRate) Set(s string) error {
	v, err := ParseByteRate(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Type implements pflag.Value.
func (ByteRate) Type() string { return "byterate" }

// IsZero reports whether r is 0 B/s (for a flag: not set, no default shown).
func (r ByteRate) IsZero() bool { return r == 0 }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *ByteRate) UnmarshalText(t []byte) error { return r.Set(string(t)) }

// MarshalText implements encoding.TextMarshaler.
func (r ByteRate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// BitRate is a link speed in bits per second. Parse it with ParseBitRate
// ("1Gbps", "100Mbps", "10Gbit/s").
type BitRate float64

// Common link speeds.
const (
	Kbps BitRate = 1e3
	Mbps BitRate = 1e6
	Gbps BitRate = 1e9
)

// ParseBitRate parses a bit rate. A byte rate ("100MB/s") is rejected with
// the equivalent bit rate suggested.
func ParseBitRate(s string) (BitRate, error) {
	v, base, per, err := parseAmount(s, "bit rate", acceptedBitRate)
	if err != nil {
		return 0, err
	}
	if base == "B" {
		return 0, &ParseError{"bit rate", s, "a byte rate given where a bit rate is wanted (" + s + " = " + BitRate(ratToFloat(v)*8).String() + "; b is bits, B is bytes)", acceptedBitRate}
	}
	if !per || base == "" {
		return 0, &ParseError{"bit rate", s, "missing bps (a bit rate is bits per second)", acceptedBitRate}
	}
	return BitRate(ratToFloat(v)), nil
}

// BitsPerSecond returns r as a float64.
func (r BitRate) BitsPerSecond() float64 { return float64(r) }

// BytesPerSecond returns r / 8.
func (r BitRate) BytesPerSecond() float64 { return float64(r) / 8 }

// String formats r in the shortest exact form ("1Gbps", "1.5Gbps").
func (r BitRate) String() string { return formatFloat(float64(r), "bps") }

// Set implements pflag.Value.
func (r *BitRate) Set(s string) error {
	v, err := ParseBitRate(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Type implements pflag.Value.
func (BitRate) Type() string { return "bitrate" }

// IsZero reports whether r is 0 bps (for a flag: not set, no default shown).
func (r BitRate) IsZero() bool { return r == 0 }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *BitRate) UnmarshalText(t []byte) error { return r.Set(string(t)) }

// MarshalText implements encoding.TextMarshaler.
func (r BitRate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// EventRate is a rate of events (records, messages, requests) per second.
// Parse it with ParseEventRate ("3000/s", "3k/s", "180000/min").
type EventRate float64

// eventPer maps the accepted time units of an event rate to seconds.
var eventPer = []struct {
	sym string
	sec float64
}{
	{"/s", 1}, {"/sec", 1}, {"/min", 60}, {"/h", 3600}, {"/hr", 3600}, {"/d", 86400}, {"/day", 86400},
}

// ParseEventRate parses an event rate: a count with an optional k (10³) or
// M (10⁶) multiplier, a slash and a time unit (s, min, h, d). "1m/s" and
// "/m" are rejected as ambiguous.
func ParseEventRate(s string) (EventRate, error) {
	const kind = "event rate"
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, &ParseError{kind, s, "empty", acceptedEventRate}
	}
	if strings.HasPrefix(in, "-") {
		return 0, &ParseError{kind, s, "negative", acceptedEventRate}
	}
	num, unit, ok := splitNumber(in)
	if !ok {
		return 0, &ParseError{kind, s, "no number", acceptedEventRate}
	}
	mult := 1.0
	switch {
	case strings.HasPrefix(unit, "k"), strings.HasPrefix(unit, "K"):
		mult, unit = 1e3, unit[1:]
	case strings.HasPrefix(unit, "M"):
		mult, unit = 1e6, unit[1:]
	case strings.HasPrefix(unit, "m"):
		return 0, &ParseError{kind, s, "ambiguous lower-case m (use k or M for multipliers, /min for minutes)", acceptedEventRate}
	}
	if unit == "" {
		return 0, &ParseError{kind, s, "missing time unit (did you mean " + in + "/s?)", acceptedEventRate}
	}
	if unit == "/m" {
		return 0, &ParseError{kind, s, "ambiguous /m (use /min for minutes)", acceptedEventRate}
	}
	per := 0.0
	for _, p := range eventPer {
		if unit == p.sym {
			per = p.sec
		}
	}
	if per == 0 {
		return 0, &ParseError{kind, s, "unknown unit " + quote(unit), acceptedEventRate}
	}
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, &ParseError{kind, s, "malformed number", acceptedEventRate}
	}
	v := ratToFloat(r) * mult / per
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, &ParseError{kind, s, "out of range", acceptedEventRate}
	}
	return EventRate(v), nil
}

// PerSecond returns r in events per second.
func (r EventRate) PerSecond() float64 { return float64(r) }

// String formats r as events per second ("3000/s", "2.5/s"); rates below
// one per second use /min or /h when that is exact.
func (r EventRate) String() string {
	v := float64(r)
	if v == math.Trunc(v) {
		return formatCount(v) + "/s"
	}
	for _, p := range []struct {
		sym string
		sec float64
	}{{"/min", 60}, {"/h", 3600}, {"/d", 86400}} {
		if w := v * p.sec; math.Abs(w-math.Round(w)) < 1e-9*math.Max(1, w) {
			return formatCount(math.Round(w)) + p.sym
		}
	}
	return formatFloat(v, "/s")
}

// formatCount prints an integral count, with k or M when exact and shorter.
func formatCount(v float64) string {
	s := big.NewFloat(v).Text('f', 0)
	if v >= 1e6 && math.Mod(v, 1e5) == 0 {
		return trimZeros(big.NewFloat(v/1e6).Text('f', 1)) + "M"
	}
	if v >= 1e3 && math.Mod(v, 100) == 0 && len(s) > 4 {
		return trimZeros(big.NewFloat(v/1e3).Text('f', 1)) + "k"
	}
	return s
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// Set implements pflag.Value.
func (r *EventRate) Set(s string) error {
	v, err := ParseEventRate(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Type implements pflag.Value.
func (EventRate) Type() string { return "rate" }

// IsZero reports whether r is 0/s (for a flag: not set, no default shown).
func (r EventRate) IsZero() bool { return r == 0 }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *EventRate) UnmarshalText(t []byte) error { return r.Set(string(t)) }

// MarshalText implements encoding.TextMarshaler.
func (r EventRate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }
