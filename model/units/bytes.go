package units

import (
	"math/big"
	"strings"
)

// Bytes is a size in bytes (record sizes, data to transfer, storage).
// Its zero value is 0 B. Parse it with ParseBytes; it prints in the shortest
// exact form ("1KB", "64KiB", "80TB").
type Bytes int64

// Common sizes.
const (
	Byte Bytes = 1
	KB   Bytes = 1000
	MB   Bytes = 1000 * KB
	GB   Bytes = 1000 * MB
	TB   Bytes = 1000 * GB
	PB   Bytes = 1000 * TB
	KiB  Bytes = 1024
	MiB  Bytes = 1024 * KiB
	GiB  Bytes = 1024 * MiB
	TiB  Bytes = 1024 * GiB
)

// ParseBytes parses a size such as "512B", "1.5KB", "64KiB" or "80TB".
// A bare number is bytes. Bits ("1Gb") are rejected: a size is in bytes.
func ParseBytes(s string) (Bytes, error) {
	v, base, per, err := parseAmount(s, "size", acceptedSize)
	switch {
	case err != nil:
		return 0, err
	case base == "b":
		return 0, &ParseError{"size", s, "bits given where a size in bytes is wanted (B is bytes, b is bits)", acceptedSize}
	case per:
		return 0, &ParseError{"size", s, "a rate given where a size is wanted", acceptedSize}
	}
	n, ok := ratToInt64(v)
	if !ok {
		return 0, &ParseError{"size", s, "not a whole number of bytes within ±9.2 EB", acceptedSize}
	}
	return Bytes(n), nil
}

// parseAmount parses number + prefix + base unit + optional "per second".
// base is "B" (bytes), "b" (bits) or "" (bare number); perSecond reports a
// "/s", "/sec" or "ps" suffix.
func parseAmount(s, kind, accepted string) (v *big.Rat, base string, perSecond bool, err error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return nil, "", false, &ParseError{kind, s, "empty", accepted}
	}
	if strings.HasPrefix(in, "-") {
		return nil, "", false, &ParseError{kind, s, "negative", accepted}
	}
	num, unit, ok := splitNumber(in)
	if !ok {
		return nil, "", false, &ParseError{kind, s, "no number", accepted}
	}
	for _, suf := range []string{"/sec", "/s", "ps"} {
		if strings.HasSuffix(unit, suf) && len(unit) > len(suf) {
			unit, perSecond = strings.TrimSuffix(unit, suf), true
			break
		}
	}
	if strings.HasPrefix(unit, "m") {
		return nil, "", false, &ParseError{kind, s, "ambiguous lower-case m prefix (use M for mega)", accepted}
	}
	p, rest := matchPrefix(unit)
	switch rest {
	case "B", "byte", "bytes":
		base = "B"
	case "b", "bit", "bits":
		base = "b"
	case "":
		if p.sym != "" {
			return nil, "", false, &ParseError{kind, s, "prefix " + p.sym + " without a unit (B for bytes, b for bits)", accepted}
		}
	default:
		return nil, "", false, &ParseError{kind, s, "unknown unit " + quote(unit), accepted}
	}
	v, ok = parseScaled(num, ratOf(p))
	if !ok {
		return nil, "", false, &ParseError{kind, s, "malformed number", accepted}
	}
	return v, base, perSecond, nil
}

func quote(s string) string { return "\"" + s + "\"" }

// String formats b in the shortest exact form ("1KB", "1MiB", "1500B" → "1.5KB").
func (b Bytes) String() string {
	if b < 0 {
		return "-" + Bytes(-b).String()
	}
	return formatExact(big.NewInt(int64(b)), "B")
}

// Float returns b as a float64 number of bytes, for arithmetic.
func (b Bytes) Float() float64 { return float64(b) }

// Set implements pflag.Value.
func (b *Bytes) Set(s string) error {
	v, err := ParseBytes(s)
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// Type implements pflag.Value.
func (Bytes) Type() string { return "size" }

// IsZero reports whether b is 0 B. A flag holding a zero quantity is "not
// set": help shows no default for it (see cmd/streamcap's help rule).
func (b Bytes) IsZero() bool { return b == 0 }

// UnmarshalText implements encoding.TextUnmarshaler (YAML, JSON strings).
func (b *Bytes) UnmarshalText(t []byte) error { return b.Set(string(t)) }

// MarshalText implements encoding.TextMarshaler.
func (b Bytes) MarshalText() ([]byte, error) { return []byte(b.String()), nil }
