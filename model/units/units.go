// Package units holds the quantity types streamcap parses once at the edge
// (flags and YAML share one parser): sizes in bytes, byte rates, bit rates,
// event rates and durations.
//
// The rules are strict where popular unit libraries disagree:
//   - SI prefixes are decimal (1KB = 1000 B, 80TB = 80×10¹² B); binary
//     multiples need the "i" (1KiB = 1024 B).
//   - Upper-case B is bytes, lower-case b is bits: 1Gbps is a bit rate,
//     100MB/s a byte rate, and "1Gb" is rejected where a size is wanted.
//   - A lower-case m prefix ("1m/s", "5mB") is ambiguous (milli? mega?
//     minutes?) and rejected.
//
// Every type implements pflag.Value, encoding.TextUnmarshaler and
// encoding.TextMarshaler, and formats to the shortest exact form, so a value
// printed by streamcap parses back to the same value.
package units

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// ErrSyntax is wrapped by every parse error, so callers can tell a malformed
// quantity from other failures with errors.Is.
var ErrSyntax = errors.New("invalid quantity")

// ParseError reports a quantity that could not be parsed: the kind of
// quantity wanted, the input, what was wrong, and the accepted forms.
type ParseError struct {
	Kind     string // "size", "byte rate", "bit rate", "event rate", "duration"
	Input    string
	Reason   string
	Accepted string
}

// Error implements error.
func (e *ParseError) Error() string {
	return fmt.Sprintf("invalid %s %s: %s (accepted: %s)", e.Kind, Quote(e.Input), e.Reason, e.Accepted)
}

// Unwrap lets errors.Is(err, ErrSyntax) match.
func (e *ParseError) Unwrap() error { return ErrSyntax }

// Accepted forms, listed in every parse error of that kind.
const (
	acceptedSize      = "a non-negative number with a byte unit: 512B, 1.5KB, 64KiB, 10MiB, 80TB (SI k/K M G T P E = 1000ⁿ; Ki Mi Gi Ti Pi Ei = 1024ⁿ; B = bytes, b = bits is not a size)"
	acceptedByteRate  = "a size per second: 100MB/s, 1MiB/s, 512KBps, 2GB/s (B = bytes; use a bit rate such as 1Gbps for links)"
	acceptedBitRate   = "bits per second: 1Gbps, 100Mbps, 10Gbit/s, 1.5Gb/s, 64kbps (SI prefixes k M G T P; Ki Mi Gi Ti allowed)"
	acceptedEventRate = "events per unit of time: 3000/s, 3k/s, 1.5M/s, 180000/min, 50/h, 1M/d (k = thousand, M = million; lower-case m is ambiguous)"
	acceptedDuration  = "a non-negative duration: 500ms, 90s, 15m, 24h, 7d, 2w, 365d, 1h30m (ns us ms s m h d w)"
)

// prefix is one multiplier a number may carry.
type prefix struct {
	sym  string
	mult float64
	exp  int // power of 1000 or 1024, for exact formatting
	bin  bool
}

// sizePrefixes lists the multipliers of bytes and bits, longest first so
// "Ki" matches before "K".
var sizePrefixes = []prefix{
	{"Ki", 1 << 10, 1, true}, {"Mi", 1 << 20, 2, true}, {"Gi", 1 << 30, 3, true},
	{"Ti", 1 << 40, 4, true}, {"Pi", 1 << 50, 5, true}, {"Ei", 1 << 60, 6, true},
	{"k", 1e3, 1, false}, {"K", 1e3, 1, false}, {"M", 1e6, 2, false}, {"G", 1e9, 3, false},
	{"T", 1e12, 4, false}, {"P", 1e15, 5, false}, {"E", 1e18, 6, false},
	{"", 1, 0, false},
}

// splitNumber separates the leading decimal number of s from its unit.
// It rejects signs, exponents, hex and other forms strconv would accept.
func splitNumber(s string) (num, unit string, ok bool) {
	i := 0
	dot := false
	digits := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		case c == '_' || c == ',':
			// thousands separators are accepted between digits
			if digits == 0 || i+1 >= len(s) || s[i+1] < '0' || s[i+1] > '9' {
				return "", "", false
			}
		default:
			goto done
		}
		i++
	}
done:
	if digits == 0 {
		return "", "", false
	}
	num = strings.NewReplacer("_", "", ",", "").Replace(s[:i])
	return num, strings.TrimSpace(s[i:]), true
}

// parseScaled parses a decimal number and multiplies it by mult exactly
// (using rational arithmetic, so 1.1TB is exactly 1.1e12 bytes).
func parseScaled(num string, mult *big.Rat) (*big.Rat, bool) {
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return nil, false
	}
	return r.Mul(r, mult), true
}

func ratOf(p prefix) *big.Rat {
	if p.bin {
		return new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(10*p.exp)))
	}
	return new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(3*p.exp)), nil))
}

// matchPrefix finds the multiplier at the start of unit and returns the rest.
func matchPrefix(unit string) (prefix, string) {
	for _, p := range sizePrefixes {
		if p.sym != "" && strings.HasPrefix(unit, p.sym) {
			return p, unit[len(p.sym):]
		}
	}
	return prefix{"", 1, 0, false}, unit
}

// formatExact renders v (an exact non-negative integer amount of base units)
// as the shortest number+unit string that parses back to exactly v. Ties go
// to decimal SI, then to the larger unit. suffix is appended after the
// prefix ("B", "B/s", "bps").
func formatExact(v *big.Int, suffix string) string {
	if v.Sign() == 0 {
		return "0" + suffix
	}
	best := v.String() + suffix
	for _, p := range sizePrefixes {
		if p.sym == "" || p.sym == "k" {
			continue // "K" is our canonical kilo; bare is the starting point
		}
		q := new(big.Rat).SetFrac(v, ratOf(p).Num())
		s, ok := shortDecimal(q)
		if !ok {
			continue
		}
		cand := s + p.sym + suffix
		if betterForm(cand, best, p.bin) {
			best = cand
		}
	}
	return best
}

// betterForm reports whether cand beats best: shorter wins; on a tie a
// whole mantissa beats a fraction, and decimal SI beats binary.
func betterForm(cand, best string, bin bool) bool {
	if len(cand) != len(best) {
		return len(cand) < len(best)
	}
	cf, bf := strings.Contains(cand, "."), strings.Contains(best, ".")
	if cf != bf {
		return !cf
	}
	return !bin
}

// shortDecimal prints q as a decimal with at most 3 fractional digits when
// that is exact.
func shortDecimal(q *big.Rat) (string, bool) {
	if q.IsInt() {
		return q.Num().String(), true
	}
	for prec := 1; prec <= 3; prec++ {
		scaled := new(big.Rat).Mul(q, new(big.Rat).SetInt64(int64(math.Pow10(prec))))
		if scaled.IsInt() {
			return q.FloatString(prec), true
		}
	}
	return "", false
}

// formatFloat renders a float quantity: exact integer forms when the value
// is integral, otherwise a compact decimal.
func formatFloat(v float64, suffix string) string {
	if v >= 0 && v < 1<<62 && v == math.Trunc(v) {
		return formatExact(big.NewInt(int64(v)), suffix)
	}
	if v >= 0 && v < 1<<52 {
		// try thousandths of the base unit exactly
		if r := new(big.Rat).SetFloat64(v); r != nil {
			for _, p := range []prefix{{"", 1, 0, false}, {"K", 1e3, 1, false}, {"M", 1e6, 2, false}, {"G", 1e9, 3, false}} {
				q := new(big.Rat).Quo(r, ratOf(p))
				if s, ok := shortDecimal(q); ok {
					return s + p.sym + suffix
				}
			}
		}
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + suffix
}

// ratToInt64 converts an exact non-negative integer rational to int64.
func ratToInt64(r *big.Rat) (int64, bool) {
	if !r.IsInt() || r.Sign() < 0 || !r.Num().IsInt64() {
		return 0, false
	}
	return r.Num().Int64(), true
}

// ratToFloat converts a rational to float64.
func ratToFloat(r *big.Rat) float64 {
	f, _ := r.Float64()
	return f
}
