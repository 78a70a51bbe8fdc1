package units

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// Compile-time checks: every quantity is a flag value.
var (
	_ pflag.Value = (*Bytes)(nil)
	_ pflag.Value = (*ByteRate)(nil)
	_ pflag.Value = (*BitRate)(nil)
	_ pflag.Value = (*EventRate)(nil)
	_ pflag.Value = (*Duration)(nil)
)

func TestParseBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Bytes
		str  string
	}{
		{"0", 0, "0B"},
		{"1000", 1000, "1KB"},
		{"512B", 512, "512B"},
		{"1KB", 1000, "1KB"},
		{"1kB", 1000, "1KB"},
		{"1KiB", 1024, "1KiB"},
		{"1.5KB", 1500, "1500B"},
		{"1.25MB", 1_250_000, "1250KB"},
		{"1MiB", 1 << 20, "1MiB"},
		{"10MiB", 10 << 20, "10MiB"},
		{"80TB", 80_000_000_000_000, "80TB"},
		{"1.1TB", 1_100_000_000_000, "1.1TB"},
		{"25KB", 25_000, "25KB"},
		{"1,024B", 1024, "1KiB"},
		{" 2 GB ", 2e9, "2GB"},
		{"1025B", 1025, "1025B"},
		{"3 bytes", 3, "3B"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseBytes(tc.in)
			if err != nil {
				t.Fatalf("ParseBytes(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Fatalf("ParseBytes(%q) = %d, want %d", tc.in, int64(got), int64(tc.want))
			}
			if got.String() != tc.str {
				t.Fatalf("String() = %q, want %q", got.String(), tc.str)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		parse  func(string) error
		in     string
		reason string // substring of the message
	}{
		{"size empty", bytesErr, "", "empty"},
		{"size negative", bytesErr, "-5KB", "negative"},
		{"size unknown unit", bytesErr, "12XB", `unknown unit "XB"`},
		{"size bits", bytesErr, "1Gb", "bits given where a size"},
		{"size milli", bytesErr, "5mB", "ambiguous"},
		{"size fractional byte", bytesErr, "1.5B", "whole number of bytes"},
		{"size bare prefix", bytesErr, "1K", "without a unit"},
		{"size rate", bytesErr, "1MB/s", "rate given where a size"},
		{"size no number", bytesErr, "KB", "no number"},
		{"size exponent", bytesErr, "1e3B", "unknown unit"},
		{"size overflow", bytesErr, "100EiB", "whole number of bytes"},
		{"byte rate bits", byteRateErr, "1Gbps", "bit rate given where a byte rate"},
		{"byte rate no per", byteRateErr, "100MB", "missing B/s"},
		{"bit rate bytes", bitRateErr, "100MB/s", "byte rate given where a bit rate"},
		{"bit rate bare", bitRateErr, "1G", "without a unit"},
		{"event rate m", eventRateErr, "1m/s", "ambiguous"},
		{"event rate /m", eventRateErr, "5/m", "ambiguous /m"},
		{"event rate bare", eventRateErr, "3000", "did you mean 3000/s"},
		{"event rate empty", eventRateErr, "", "empty"},
		{"event rate unit", eventRateErr, "3000/fortnight", "unknown unit"},
		{"event rate negative", eventRateErr, "-1/s", "negative"},
		{"duration empty", durationErr, "", "empty"},
		{"duration negative", durationErr, "-1s", "negative"},
		{"duration bare", durationErr, "90", "missing unit"},
		{"duration unit", durationErr, "3y", "unknown unit"},
		{"duration huge", durationErr, "1000000d", "290 years"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.parse(tc.in)
			if err == nil {
				t.Fatalf("parse(%q): want error", tc.in)
			}
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("error %v does not wrap ErrSyntax", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.reason) {
				t.Errorf("message %q lacks %q", msg, tc.reason)
			}
			if !strings.Contains(msg, "accepted:") || !strings.Contains(msg, `"`+tc.in+`"`) {
				t.Errorf("message %q must quote the input and list the accepted forms", msg)
			}
		})
	}
}

func bytesErr(s string) error     { _, err := ParseBytes(s); return err }
func byteRateErr(s string) error  { _, err := ParseByteRate(s); return err }
func bitRateErr(s string) error   { _, err := ParseBitRate(s); return err }
func eventRateErr(s string) error { _, err := ParseEventRate(s); return err }
func durationErr(s string) error  { _, err := ParseDuration(s); return err }

func TestParseRates(t *testing.T) {
	t.Parallel()
	byteRates := []struct {
		in   string
		want float64
		str  string
	}{
		{"100MB/s", 100e6, "100MB/s"},
		{"1MiB/s", 1 << 20, "1MiB/s"},
		{"512KBps", 512e3, "512KB/s"},
		{"2MB/sec", 2e6, "2MB/s"},
	}
	for _, tc := range byteRates {
		got, err := ParseByteRate(tc.in)
		if err != nil || got.BytesPerSecond() != tc.want || got.String() != tc.str {
			t.Errorf("ParseByteRate(%q) = %v (%q), %v; want %v (%q)", tc.in, float64(got), got.String(), err, tc.want, tc.str)
		}
	}
	bitRates := []struct {
		in   string
		want float64
		str  string
	}{
		{"1Gbps", 1e9, "1Gbps"},
		{"100Mbps", 100e6, "100Mbps"},
		{"10Gbit/s", 10e9, "10Gbps"},
		{"1.5Gb/s", 1.5e9, "1.5Gbps"},
		{"64kbps", 64e3, "64Kbps"},
	}
	for _, tc := range bitRates {
		got, err := ParseBitRate(tc.in)
		if err != nil || got.BitsPerSecond() != tc.want || got.String() != tc.str {
			t.Errorf("ParseBitRate(%q) = %v (%q), %v; want %v (%q)", tc.in, float64(got), got.String(), err, tc.want, tc.str)
		}
	}
	if got := Gbps.BytesPerSecond(); got != 125e6 {
		t.Errorf("1Gbps = %v B/s, want 125e6", got)
	}
	eventRates := []struct {
		in   string
		want float64
		str  string
	}{
		{"3000/s", 3000, "3000/s"},
		{"3k/s", 3000, "3000/s"},
		{"180000/min", 3000, "3000/s"},
		{"1.5M/s", 1.5e6, "1.5M/s"},
		{"50000/s", 50000, "50k/s"},
		{"90/min", 1.5, "90/min"},
		{"1/h", 1.0 / 3600, "1/h"},
		{"86400/d", 1, "1/s"},
	}
	for _, tc := range eventRates {
		got, err := ParseEventRate(tc.in)
		if err != nil || got.PerSecond() != tc.want || got.String() != tc.str {
			t.Errorf("ParseEventRate(%q) = %v (%q), %v; want %v (%q)", tc.in, float64(got), got.String(), err, tc.want, tc.str)
		}
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
		str  string
	}{
		{"0", 0, "0s"},
		{"90s", 90 * time.Second, "90s"},
		{"24h", 24 * time.Hour, "1d"},
		{"7d", 7 * Day, "1w"},
		{"365d", 365 * Day, "365d"},
		{"36h", 36 * time.Hour, "36h"},
		{"1h30m", 90 * time.Minute, "90m"},
		{"500ms", 500 * time.Millisecond, "500ms"},
		{"1.5h", 90 * time.Minute, "90m"},
		{"2w", 14 * Day, "2w"},
		{"1m1s", 61 * time.Second, "61s"},
		{"1d1s", Day + time.Second, "1d1s"},
		{"1d1m1.5s", Day + time.Minute + 1500*time.Millisecond, "1d1m1.5s"},
	}
	for _, tc := range tests {
		got, err := ParseDuration(tc.in)
		if err != nil || got.D() != tc.want || got.String() != tc.str {
			t.Errorf("ParseDuration(%q) = %v (%q), %v; want %v (%q)", tc.in, got.D(), got.String(), err, tc.want, tc.str)
		}
	}
}

// TestYAMLAndFlagsShareTheParser decodes YAML scalars (strings and bare
// numbers) through UnmarshalText, the same path flags take through Set.
func TestYAMLAndFlagsShareTheParser(t *testing.T) {
	t.Parallel()
	var doc struct {
		Size  Bytes     `yaml:"size"`
		Bare  Bytes     `yaml:"bare"`
		Rate  EventRate `yaml:"rate"`
		Link  BitRate   `yaml:"link"`
		Limit ByteRate  `yaml:"limit"`
		Keep  Duration  `yaml:"keep"`
	}
	src := "size: 1KB\nbare: 2048\nrate: 3k/s\nlink: 1Gbps\nlimit: 1MiB/s\nkeep: 7d\n"
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Size != KB || doc.Bare != 2*KiB || doc.Rate != 3000 || doc.Link != Gbps || doc.Limit != ByteRate(MiB) || doc.Keep.D() != Week {
		t.Fatalf("decoded %+v", doc)
	}
	if err := yaml.Unmarshal([]byte("size: 1Gb\n"), &doc); err == nil || !strings.Contains(err.Error(), "bits given") {
		t.Fatalf("want bits error, got %v", err)
	}
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	var size Bytes
	fs.Var(&size, "record-size", "record size")
	if err := fs.Parse([]string{"--record-size", "1KiB"}); err != nil || size != KiB {
		t.Fatalf("flag parse: %v, %v", size, err)
	}
}

// FuzzParse checks that no input panics and that whatever parses formats to
// a string that parses back to the same value.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"1KB", "80TB", "1.5KiB", "1Gbps", "100MB/s", "3k/s", "180000/min", "7d", "1h30m", "1m/s", "-5KB", "", "1,000B", "9999999999EiB", ".5s", "1..2s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if b, err := ParseBytes(s); err == nil {
			if back, err := ParseBytes(b.String()); err != nil || back != b {
				t.Fatalf("bytes %q → %d → %q → %d, %v", s, int64(b), b.String(), int64(back), err)
			}
		}
		if r, err := ParseByteRate(s); err == nil {
			if back, err := ParseByteRate(r.String()); err != nil || !close(float64(back), float64(r)) {
				t.Fatalf("byte rate %q → %v → %q → %v, %v", s, float64(r), r.String(), float64(back), err)
			}
		}
		if r, err := ParseBitRate(s); err == nil {
			if back, err := ParseBitRate(r.String()); err != nil || !close(float64(back), float64(r)) {
				t.Fatalf("bit rate %q → %v → %q → %v, %v", s, float64(r), r.String(), float64(back), err)
			}
		}
		if r, err := ParseEventRate(s); err == nil {
			if back, err := ParseEventRate(r.String()); err != nil || !close(float64(back), float64(r)) {
				t.Fatalf("event rate %q → %v → %q → %v, %v", s, float64(r), r.String(), float64(back), err)
			}
		}
		if d, err := ParseDuration(s); err == nil {
			if back, err := ParseDuration(d.String()); err != nil || back != d {
				t.Fatalf("duration %q → %d → %q → %d, %v", s, int64(d), d.String(), int64(back), err)
			}
		}
	})
}

// close compares floats to 6 significant digits (the printed precision of
// values with no exact short form).
func close(a, b float64) bool {
	if a == b {
		return true
	}
	d := a - b
	if d < 0 {
		d = -d
	}
	m := a
	if m < 0 {
		m = -m
	}
	return d <= 1e-5*m
}
