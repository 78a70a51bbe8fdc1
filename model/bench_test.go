package model

import (
	"testing"
)

// BenchmarkPlan is one full plan of the seed: both modes, every compared
// system, explanations on. Target < 1 ms.
func BenchmarkPlan(b *testing.B) {
	p := DefaultPrices()
	w := seed()
	opts := PlanOptions{Compare: []string{"all"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Plan(w, p, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlanZipf plans the seed with zipf s=1.1 keys (10000 MD5 hashes
// and a 6-count shard search).
func BenchmarkPlanZipf(b *testing.B) {
	p := DefaultPrices()
	w := seed()
	w.Keys.Distribution = KeyDist{Kind: KeysZipf, S: 1.1}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Plan(w, p, PlanOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSweepCost10k is a 10 000-point cost-versus-rate sweep from
// 1 to 1M records/s. Target < 100 ms.
func BenchmarkSweepCost10k(b *testing.B) {
	p := DefaultPrices()
	rates, err := LogSpace(1, 1e6, 10000)
	if err != nil {
		b.Fatal(err)
	}
	w := seed()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SweepCost(w, p, rates); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlanBundled plans each bundled scenario as `streamcap plan`
// does (both modes, explanations on). Target < 1 ms per plan; hashing
// the ExactKeyBudget keys (≈ 0.1 µs each) is most of it.
func BenchmarkPlanBundled(b *testing.B) {
	p := DefaultPrices()
	for _, w := range bundledWorkloads() {
		b.Run(w.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Plan(w, p, PlanOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
