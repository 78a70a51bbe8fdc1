package loadgen

import (
	"math/rand/v2"
	"testing"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// encoderCases are histograms whose encodings exercise every part of the format: single
// buckets at both ends of the range, runs of exactly one empty bucket, long zero runs, counts
// that need all nine bytes, and other geometries.
func encoderCases(t *testing.T) map[string]*hdr.Histogram {
	t.Helper()
	rec := func(h *hdr.Histogram, v, n int64) {
		if err := h.RecordValues(v, n); err != nil {
			t.Fatalf("RecordValues(%d, %d): %v", v, n, err)
		}
	}
	cases := map[string]*hdr.Histogram{}
	h := NewHistogram()
	rec(h, LowestValue, 1)
	cases["lowest"] = h
	h = NewHistogram()
	rec(h, HighestValue, 3)
	cases["highest"] = h
	h = NewHistogram()
	rec(h, 0, 2) // index 0
	// The bottom buckets are 512 ns wide (2^9 ≤ LowestValue): 1024 and 2048 are indexes 2 and
	// 4, with one empty bucket between them and one after index 0.
	rec(h, 1024, 1)
	rec(h, 2048, 1)
	cases["one empty between"] = h
	h = NewHistogram()
	rec(h, 5000, 1<<60) // a count of nine bytes
	rec(h, 7_000_000, 1)
	cases["huge count"] = h
	r := rand.New(rand.NewPCG(1, 2))
	for _, name := range []string{"log-uniform a", "log-uniform b"} {
		h = NewHistogram()
		for i := 0; i < 20000; i++ {
			v := int64(float64(int64(1000)<<r.IntN(30)) * (1 + r.Float64()))
			rec(h, min(v, HighestValue), 1+int64(r.IntN(3)))
		}
		cases[name] = h
	}
	h = hdr.New(1, 1_000_000, 2)
	for i := int64(1); i < 1_000_000; i += 997 {
		rec(h, i, i%5+1)
	}
	cases["other geometry"] = h
	h = hdr.New(1, 60_000, 5)
	rec(h, 1, 1)
	rec(h, 59_999, 2)
	cases["five digits"] = h
	return cases
}

// TestEncoderMatchesEncode checks the Encoder writes exactly the bytes hdrhistogram-go's encoder
// writes, for every case, with one Encoder reused across them (geometry changes included), and
// that the result decodes to the same histogram.
func TestEncoderMatchesEncode(t *testing.T) {
	enc := NewEncoder()
	for round := 0; round < 2; round++ {
		for name, h := range encoderCases(t) {
			want, err := Encode(h)
			if err != nil {
				t.Fatal(err)
			}
			got, err := enc.Encode(h)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got != want {
				t.Fatalf("%s: Encoder wrote\n%s\nwant\n%s", name, got, want)
			}
			back, err := Decode(got)
			if err != nil {
				t.Fatalf("%s: decode: %v", name, err)
			}
			if !back.Equals(h) {
				t.Errorf("%s: decoded histogram differs", name)
			}
		}
	}
	if got, err := enc.Encode(NewHistogram()); got != "" || err != nil {
		t.Errorf("empty histogram: %q, %v; want \"\"", got, err)
	}
}

// TestEncoderReusesMemory checks that once warm an Encoder allocates only the string it returns.
func TestEncoderReusesMemory(t *testing.T) {
	h := encoderCases(t)["log-uniform a"]
	enc := NewEncoder()
	if _, err := enc.Encode(h); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() { _, _ = enc.Encode(h) }); n > 1 {
		t.Errorf("Encode allocates %.0f times per call, want 1 (the result)", n)
	}
}

// BenchmarkEncode compares hdrhistogram-go's encoder (a new compressor per histogram) with a
// reused Encoder on a 20,000-sample interval histogram.
func BenchmarkEncode(b *testing.B) {
	t := &testing.T{}
	h := encoderCases(t)["log-uniform a"]
	b.Run("hdrhistogram", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = Encode(h)
		}
	})
	b.Run("encoder", func(b *testing.B) {
		enc := NewEncoder()
		b.ReportAllocs()
		for b.Loop() {
			_, _ = enc.Encode(h)
		}
	})
}
