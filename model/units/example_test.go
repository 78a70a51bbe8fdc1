package units_test

import (
	"fmt"

	"github.com/streamcap/streamcap/model/units"
)

// SI prefixes are decimal; binary multiples need the "i".
func ExampleParseBytes() {
	for _, s := range []string{"80TB", "1KiB", "1.5KB", "1Gb"} {
		b, err := units.ParseBytes(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(s, "=", int64(b), "bytes, prints as", b)
	}
	// Output:
	// 80TB = 80000000000000 bytes, prints as 80TB
	// 1KiB = 1024 bytes, prints as 1KiB
	// 1.5KB = 1500 bytes, prints as 1500B
	// invalid size "1Gb": bits given where a size in bytes is wanted (B is bytes, b is bits) (accepted: a non-negative number with a byte unit: 512B, 1.5KB, 64KiB, 10MiB, 80TB (SI k/K M G T P E = 1000ⁿ; Ki Mi Gi Ti Pi Ei = 1024ⁿ; B = bytes, b = bits is not a size))
}

// A link speed is a bit rate; 1Gbps moves 125 MB per second.
func ExampleParseBitRate() {
	r, _ := units.ParseBitRate("1Gbps")
	fmt.Println(r, "=", r.BytesPerSecond(), "B/s")
	_, err := units.ParseBitRate("100MB/s")
	fmt.Println(err != nil)
	// Output:
	// 1Gbps = 1.25e+08 B/s
	// true
}

// Event rates take k and M multipliers and any time unit but the ambiguous /m.
func ExampleParseEventRate() {
	for _, s := range []string{"3000/s", "3k/s", "180000/min", "1m/s"} {
		r, err := units.ParseEventRate(s)
		if err != nil {
			fmt.Println(s, "→ error")
			continue
		}
		fmt.Println(s, "→", r.PerSecond(), "per second")
	}
	// Output:
	// 3000/s → 3000 per second
	// 3k/s → 3000 per second
	// 180000/min → 3000 per second
	// 1m/s → error
}

// Durations accept days and weeks and print in their shortest exact form.
func ExampleParseDuration() {
	for _, s := range []string{"7d", "365d", "36h", "90s"} {
		d, _ := units.ParseDuration(s)
		fmt.Println(s, "=", d.D(), "prints as", d)
	}
	// Output:
	// 7d = 168h0m0s prints as 1w
	// 365d = 8760h0m0s prints as 365d
	// 36h = 36h0m0s prints as 36h
	// 90s = 1m30s prints as 90s
}
