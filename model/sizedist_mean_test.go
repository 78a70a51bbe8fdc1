package model

import "testing"

// TestSizeDistMean: the exported mean is the planner's (hand-checked):
// fixed 1000 B; uniform 200–2000 B → 1100; weighted 100 B × 1 and
// 300 B × 3 → (100 + 900) / 4 = 250.
func TestSizeDistMean(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		d    SizeDist
		want float64
	}{
		{"fixed", SizeDist{Kind: SizeFixed, Fixed: 1000}, 1000},
		{"uniform", SizeDist{Kind: SizeUniform, Min: 200, Max: 2000}, 1100},
		{"weighted", SizeDist{Kind: SizeWeighted, Weighted: []WeightedSize{{Size: 100, Weight: 1}, {Size: 300, Weight: 3}}}, 250},
	}
	for _, c := range cases {
		if got := c.d.Mean(); got != c.want {
			t.Errorf("%s: mean %v, want %v", c.name, got, c.want)
		}
	}
}
