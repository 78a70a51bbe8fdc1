package loadgen

import (
	"bytes"
	"compress/flate"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

func TestKeysDistributions(t *testing.T) {
	// zipf s=1 over 4 keys: weights 1, 1/2, 1/3, 1/4 → sum 25/12, so
	// P = 12/25, 6/25, 4/25, 3/25. zipf s=0.5 (s ≤ 1, which rand.Zipf
	// cannot do) over 2 keys: 1 and 1/√2.
	h := 1 / (1 + 1/math.Sqrt2)
	tests := []struct {
		name string
		spec model.KeySpec
		want []float64
	}{
		{"uniform", model.KeySpec{Count: 4}, []float64{0.25, 0.25, 0.25, 0.25}},
		{"zipf s=1", model.KeySpec{Count: 4, Distribution: model.KeyDist{Kind: model.KeysZipf, S: 1}}, []float64{12.0 / 25, 6.0 / 25, 4.0 / 25, 3.0 / 25}},
		{"zipf s=0.5", model.KeySpec{Count: 2, Distribution: model.KeyDist{Kind: model.KeysZipf, S: 0.5}}, []float64{h, 1 - h}},
		{"hot 60% on 1 of 4", model.KeySpec{Count: 4, Distribution: model.KeyDist{Kind: model.KeysHot, HotFraction: 0.6, HotKeys: 1}}, []float64{0.6, 0.4 / 3, 0.4 / 3, 0.4 / 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := NewKeys(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			const draws = 200_000
			counts := make([]int, k.Len())
			r := rand.New(rand.NewPCG(1, 2))
			for range draws {
				counts[k.Index(r)]++
			}
			for i, w := range tc.want {
				if p := k.Probability(i); math.Abs(p-w) > 1e-12 {
					t.Errorf("Probability(%d) = %v; want %v", i, p, w)
				}
				// 5 standard deviations of a binomial share.
				tol := 5 * math.Sqrt(w*(1-w)/draws)
				if got := float64(counts[i]) / draws; math.Abs(got-w) > tol {
					t.Errorf("key %d drawn %.4f of the time; want %.4f ± %.4f", i, got, w, tol)
				}
			}
			if key := k.Key(3 % k.Len()); len(key) != 16 || !strings.HasPrefix(key, "k") {
				t.Errorf("key %q; want 16 characters starting with k", key)
			}
		})
	}
}

func TestKeysErrorsNameTheField(t *testing.T) {
	tests := map[string]model.KeySpec{
		"keys.count":                          {Count: -1},
		"keys.length":                         {Count: 1000, Length: 3},
		"keys.distribution.s":                 {Distribution: model.KeyDist{Kind: model.KeysZipf}},
		"keys.distribution.hot_fraction":      {Distribution: model.KeyDist{Kind: model.KeysHot, HotFraction: 2, HotKeys: 1}},
		"keys.distribution.hot_keys":          {Count: 10, Distribution: model.KeyDist{Kind: model.KeysHot, HotFraction: 0.5, HotKeys: 11}},
		"keys.distribution.kind \"gaussian\"": {Distribution: model.KeyDist{Kind: "gaussian"}},
	}
	for field, spec := range tests {
		if _, err := NewKeys(spec); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("NewKeys(%+v) = %v; want an error naming %s", spec, err, field)
		}
	}
}

func TestPayloadSizesAndStamp(t *testing.T) {
	tests := []struct {
		name  string
		dist  model.SizeDist
		check func(t *testing.T, sizes map[int]int)
	}{
		{"fixed 1KB", model.SizeDist{Kind: model.SizeFixed, Fixed: 1000}, func(t *testing.T, s map[int]int) {
			if len(s) != 1 || s[1000] != 10000 {
				t.Errorf("sizes %v; want all 1000", s)
			}
		}},
		{"uniform 100–103B", model.SizeDist{Kind: model.SizeUniform, Min: 100, Max: 103}, func(t *testing.T, s map[int]int) {
			for size := 100; size <= 103; size++ {
				if s[size] < 2300 || s[size] > 2700 {
					t.Errorf("size %d drawn %d times; want ≈2500", size, s[size])
				}
			}
		}},
		{"weighted 3:1", model.SizeDist{Kind: model.SizeWeighted, Weighted: []model.WeightedSize{{Size: 100, Weight: 3}, {Size: 5000, Weight: 1}}}, func(t *testing.T, s map[int]int) {
			if s[100] < 7300 || s[100] > 7700 || s[100]+s[5000] != 10000 {
				t.Errorf("sizes %v; want ≈7500 × 100B, ≈2500 × 5000B", s)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPayloads(tc.dist, units.Bytes(1<<20), 7)
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(3, 4))
			buf := make([]byte, p.MaxSize())
			sizes := map[int]int{}
			for i := range 10000 {
				b := p.Next(r, buf, int64(i)*1000, uint64(i))
				sizes[len(b)]++
				ns, seq, ok := ReadStamp(b)
				if !ok || ns != int64(i)*1000 || seq != uint64(i) {
					t.Fatalf("stamp %d, %d, %v; want %d, %d", ns, seq, ok, i*1000, i)
				}
			}
			tc.check(t, sizes)
		})
	}
}

func TestPayloadContentDoesNotCompress(t *testing.T) {
	p, err := NewPayloads(model.SizeDist{Kind: model.SizeFixed, Fixed: 1000}, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	buf := make([]byte, 1000)
	var all bytes.Buffer
	for i := range 100 {
		all.Write(p.Next(r, buf, 0, uint64(i)))
	}
	var z bytes.Buffer
	w, _ := flate.NewWriter(&z, flate.BestCompression)
	w.Write(all.Bytes())
	w.Close()
	if ratio := float64(z.Len()) / float64(all.Len()); ratio < 0.95 {
		t.Errorf("100 records of 1000B deflate to %.0f%%; want ≥ 95%% (random content)", 100*ratio)
	}
	// Same seed, same content.
	q, _ := NewPayloads(model.SizeDist{Kind: model.SizeFixed, Fixed: 1000}, 0, 1)
	if !bytes.Equal(p.pool, q.pool) {
		t.Error("same seed gave different content")
	}
}

func TestPayloadsFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "records.jsonl")
	if err := os.WriteFile(path, []byte("{\"a\":1}\n\n{\"b\":22}\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := PayloadsFromFile(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	buf := make([]byte, p.MaxSize())
	seen := map[string]bool{}
	for range 100 {
		b := p.Next(r, buf, 42, 1)
		seen[string(b[StampSize:])] = true
	}
	if len(seen) != 2 || !seen[`{"a":1}`] || !seen[`{"b":22}`] || p.MaxSize() != StampSize+8 {
		t.Errorf("records %v, max size %d; want the 2 lines, %d", seen, p.MaxSize(), StampSize+8)
	}
	if _, err := PayloadsFromRecords("empty", []byte("\n\n"), 0); err == nil {
		t.Error("a file without records was accepted")
	}
}

func TestPayloadErrorsNameTheField(t *testing.T) {
	tests := map[string]model.SizeDist{
		"record_size.fixed \"8B\"":      {Kind: model.SizeFixed, Fixed: 8},
		"record_size.max \"100B\"":      {Kind: model.SizeUniform, Min: 200, Max: 100},
		"record_size.weighted[0].size":  {Kind: model.SizeWeighted, Weighted: []model.WeightedSize{{Size: 2 << 20, Weight: 1}}},
		"record_size.weighted: weights": {Kind: model.SizeWeighted, Weighted: []model.WeightedSize{{Size: 100}}},
		"record_size.kind":              {Kind: "normal"},
	}
	for field, d := range tests {
		if _, err := NewPayloads(d, 1<<20, 0); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("NewPayloads(%+v) = %v; want an error naming %s", d, err, field)
		}
	}
}

func TestParseProfile(t *testing.T) {
	tests := []struct {
		in   string
		want Profile
	}{
		{"3000/s", Constant(3000)},
		{"constant:3k/s", Constant(3000)},
		{"ramp:0/s:5k/s:60s", Ramp(0, 5000, time.Minute)},
		{"steps:1k/s@30s,2k/s@1m", Steps(Step{1000, units.Duration(30 * time.Second)}, Step{2000, units.Duration(time.Minute)})},
		{"max", Max(DefaultMaxWorkers)},
		{"max:64", Max(64)},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseProfile(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tc.want.String() {
				t.Errorf("ParseProfile(%q) = %v; want %v", tc.in, got, tc.want)
			}
			// String parses back to the same profile.
			again, err := ParseProfile(got.String())
			if err != nil || again.String() != got.String() {
				t.Errorf("round trip %q → %q, %v", got.String(), again.String(), err)
			}
		})
	}
	bad := map[string]string{
		"":                    "not a rate",
		"0/s":                 "greater than 0/s",
		"ramp:0/s:0/s:10s":    "at least one end",
		"ramp:1/s:2/s":        "FROM:TO:OVER",
		"steps:1k/s":          "RATE@FOR",
		"steps:0/s@10s":       "at least 1",
		"max:0":               "between 1 and",
		"wobble:3":            "unknown profile kind",
		"200M/s":              "at most",
		"ramp:1/s:2/s:-1s":    "ramp duration",
		"steps:1k/s@0s":       "greater than 0s",
		"constant:3000/hours": "constant rate",
	}
	for in, want := range bad {
		if _, err := ParseProfile(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseProfile(%q) = %v; want an error containing %q", in, err, want)
		}
	}
}

func FuzzParseProfile(f *testing.F) {
	for _, s := range []string{"3000/s", "ramp:0/s:5k/s:60s", "steps:1k/s@30s,2k/s@1m", "max:8", "constant:1/min", "ramp::", "steps:@,@"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseProfile(s)
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("ParseProfile(%q) returned an invalid profile: %v", s, err)
		}
		if _, err := ParseProfile(p.String()); err != nil {
			t.Fatalf("String %q of ParseProfile(%q) does not parse: %v", p.String(), s, err)
		}
		if p.Kind != ProfileMax {
			sched, err := NewSchedule(p, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			prev := time.Duration(-1)
			for n := int64(0); n < 50; n++ {
				at, ok := sched.At(n)
				if !ok {
					break
				}
				if at < prev {
					t.Fatalf("%s: send %d at %v before send %d at %v", s, n, at, n-1, prev)
				}
				prev = at
			}
		}
	})
}
