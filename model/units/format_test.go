package units

import (
	"strings"
	"testing"
	"time"
)

func TestFormats(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, got, want string
	}{
		{"exact GiB", Exact(1073741824), "1,073,741,824"},
		{"exact small price", Exact(0.0000166667), "0.0000166667"},
		{"exact 4e6", Exact(4e6), "4,000,000"},
		{"exact 1e10", Exact(1e10), "10,000,000,000"},
		{"exact negative", Exact(-1234.5), "-1,234.5"},
		{"exact zero", Exact(0), "0"},
		{"int", Int(29894), "29,894"},
		{"int negative", Int(-1000), "-1,000"},
		{"sig", Sig(4.2049, 3), "4.2"},
		{"sig keeps integer part", Sig(1234.6, 3), "1235"},
		{"sig tiny, no exponent", Sig(0.00001218, 3), "0.0000122"},
		{"quantity whole", Quantity(7884000000), "7,884,000,000"},
		{"quantity fraction", Quantity(3.6328), "3.633"},
		{"quantity large fraction", Quantity(2999.6), "3,000"},
		{"quantity tiny", Quantity(1.0526e-8), "0.00000001053"},
		{"si bytes", SI(3048000, "B/s"), "3.05 MB/s"},
		{"si bps", SI(760e6, "bps"), "760 Mbps"},
		{"si below one", SI(0.0000122, "bps"), "0.0000122 bps"},
		{"span ns", Span(850), "850 ns"},
		{"span measured run", Span(6000173501), "6 s"},
		{"span ms", Span(4200 * time.Microsecond), "4.2 ms"},
		{"span min", Span(10 * time.Minute), "10 min"},
		{"span h", Span(270 * time.Minute), "4.5 h"},
		{"span days", SpanSeconds(800000), "9.26 days"},
		{"span one day", SpanSeconds(86400 * 2 / 2), "24 h"},
		{"span sub-ns transfer", SpanSeconds(1.0526e-8), "10.5 ns"},
		{"span 2 days", SpanSeconds(2 * 86400), "2 days"},
		{"count one", Count(1, 3, "day"), "1 day"},
		{"round sig rate", Quantity(RoundSig(2999.5, 4)), "3,000"},
		{"round sig small", Sig(RoundSig(0.012345, 2), 3), "0.012"},
		{"rate whole", Rate(3938), "3,938"},
		{"rate measured", Rate(2999.5), "3,000"},
		{"rate fraction", Rate(2.5), "2.5"},
		{"rate large fraction", Rate(12345.6), "12,350"},
		{"usd", USD(12345.678), "12,345.68"},
		{"usd negative", USD(-3), "-3.00"},
		{"usd rounds to zero", USD(-0.001), "0.00"},
		{"percent", Percent(0.31), "31 %"},
		{"percent small", Percent(0.0012), "0.12 %"},
		{"percent tiny, no exponent", Percent(0.00001218), "0.00122 %"},
		{"percent over", Percent(1.0526), "105 %"},
		{"percent zero", Percent(0), "0 %"},
		{"plural one", Plural(1, "shard"), "1 shard"},
		{"plural many", Plural(4, "shard"), "4 shards"},
		{"plural zero", Plural(0, "shared consumer"), "0 shared consumers"},
		{"plural y", Plural(2, "entry"), "2 entries"},
		{"plural s", Plural(3, "process"), "3 processes"},
		{"plural thousands", Plural(20000, "shard"), "20,000 shards"},
		{"singular", Singular(1, "shards"), "shard"},
		{"singular rate", Singular(1, "records/s"), "record/s"},
		{"singular keeps many", Singular(2, "shards"), "shards"},
		{"singular keeps bps", Singular(1, "bps"), "bps"},
		{"singular keeps GB", Singular(1, "GB"), "GB"},
		{"singular ies", Singular(1, "entries"), "entry"},
		{"singular devices", Singular(1, "devices"), "device"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	long := ""
	for i := 0; i < 100; i++ {
		long += "ab"
	}
	cases := []struct{ in, want string }{
		{"3k/m", `"3k/m"`},
		{"", `""`},
		{"line\nbreak", `"line\nbreak"`},
		{long[:MaxQuoted], `"` + long[:MaxQuoted] + `"`},
		{long, `"` + long[:MaxQuoted] + `"… (200 bytes)`},
		// cut on a character, not inside one: 65 × "é" (2 bytes each)
		{strings.Repeat("é", 65), `"` + strings.Repeat("é", 64) + `"… (130 bytes)`},
	}
	for _, c := range cases {
		if got := Quote(c.in); got != c.want {
			t.Errorf("Quote(%.20q…) = %s, want %s", c.in, got, c.want)
		}
	}
}

// PercentApart shows as many decimals as it takes for two different shares not to read the same.
func TestPercentApart(t *testing.T) {
	for _, c := range []struct {
		f, other float64
		want     string
	}{
		{0.3365, 1.0 / 3, "33.7 %"},
		{1.0 / 3, 0.3365, "33.3 %"},
		{0.30167, 0.30171, "30.167 %"},
		{0.25, 0.25, "25.0 %"},
		{0.004, 0, "0.40 %"}, // two significant digits below 10 %
		{0.267, 0.253, "26.7 %"},
	} {
		if got := PercentApart(c.f, c.other); got != c.want {
			t.Errorf("PercentApart(%v, %v) = %q, want %q", c.f, c.other, got, c.want)
		}
	}
}
