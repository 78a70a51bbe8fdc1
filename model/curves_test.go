package model

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestCrossings(t *testing.T) {
	t.Parallel()
	line := func(name string, x, y []float64) Curve { return Curve{Name: name, X: x, Y: y} }
	step := func(name string, x, y []float64) Curve { return Curve{Name: name, X: x, Y: y, Step: true} }
	for _, tc := range []struct {
		name   string
		curves []Curve
		want   []Crossing
	}{
		{"two lines cross mid-segment", []Curve{line("a", []float64{0, 10}, []float64{0, 10}), line("b", []float64{0, 10}, []float64{5, 5})},
			[]Crossing{{A: "a", B: "b", X: 5, Y: 5}}},
		// Steps 10,20,30 from x=0,4,8 against 5x: 5x meets 10 at x=2, then
		// touches 20 at x=4 but stays above: one crossing.
		{"step against line", []Curve{step("prov", []float64{0, 4, 8, 10}, []float64{10, 20, 30, 30}), line("od", []float64{0, 10}, []float64{0, 50})},
			[]Crossing{{A: "od", B: "prov", X: 2, Y: 10}}},
		// The step jumps from 1 to 10 at x=5, past the constant 3.
		{"step jumps past", []Curve{step("s", []float64{0, 5, 10}, []float64{1, 10, 10}), line("c", []float64{0, 10}, []float64{3, 3})},
			[]Crossing{{A: "s", B: "c", X: 5, Y: 3}}},
		{"touch is no crossing", []Curve{line("v", []float64{0, 5, 10}, []float64{5, 0, 5}), line("zero", []float64{0, 10}, []float64{0, 0})}, nil},
		{"disjoint ranges", []Curve{line("a", []float64{0, 1}, []float64{0, 1}), line("b", []float64{2, 3}, []float64{1, 0})}, nil},
		{"three curves sorted by x", []Curve{
			line("a", []float64{0, 10}, []float64{0, 10}),
			line("b", []float64{0, 10}, []float64{2, 2}),
			line("c", []float64{0, 10}, []float64{8, 8}),
		}, []Crossing{{A: "a", B: "b", X: 2, Y: 2}, {A: "a", B: "c", X: 8, Y: 8}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Crossings(tc.curves)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				g, w := got[i], tc.want[i]
				if g.A != w.A || g.B != w.B || math.Abs(g.X-w.X) > 1e-9 || math.Abs(g.Y-w.Y) > 1e-9 {
					t.Errorf("crossover %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
	if _, err := Crossings([]Curve{{Name: "bad", X: []float64{1, 1}, Y: []float64{1, 2}}}); err == nil || !strings.Contains(err.Error(), `curve "bad"`) {
		t.Errorf("non-increasing x: err = %v, want one naming the curve", err)
	}
}

// TestKeyCrossings: a is cheapest until 2, then b; c crosses b at 8 but
// a (the first curve) is cheaper there, so that crossing is left out;
// a and c (the first two curves) cross at 8 and are kept.
func TestKeyCrossings(t *testing.T) {
	t.Parallel()
	curves := []Curve{
		{Name: "a", X: []float64{0, 10}, Y: []float64{0, 10}},
		{Name: "c", X: []float64{0, 10}, Y: []float64{8, 8}},
		{Name: "b", X: []float64{0, 10}, Y: []float64{2, 2}},
		{Name: "d", X: []float64{0, 10}, Y: []float64{9, 1}},
	}
	got, err := KeyCrossings(curves)
	if err != nil {
		t.Fatal(err)
	}
	// d falls from 9 to 1: it crosses c at x=1.25 (both above b: dropped),
	// b at 8.75 (cheapest changes: kept) and a at 5 (b is cheaper there:
	// dropped).
	var names []string
	for _, c := range got {
		names = append(names, fmt.Sprintf("%s>%s@%.4g", c.A, c.B, c.X))
	}
	want := []string{"a>b@2", "a>c@8", "b>d@8.75"}
	if !slices.Equal(names, want) {
		t.Errorf("KeyCrossings = %q, want %q", names, want)
	}
}

func TestSettle(t *testing.T) {
	t.Parallel()
	c := func(a, b string, x float64) Crossing { return Crossing{A: a, B: b, X: x} }
	for _, tc := range []struct {
		name string
		in   []Crossing
		want []float64 // x of the crossings kept
	}{
		{"far apart kept", []Crossing{c("p", "k", 100), c("k", "p", 200)}, []float64{100, 200}},
		{"pair within 10% cancels", []Crossing{c("p", "k", 100), c("k", "p", 105)}, nil},
		{"three within 10% leave the first", []Crossing{c("p", "k", 100), c("k", "p", 104), c("p", "k", 108)}, []float64{100}},
		{"chain measured from the previous", []Crossing{c("p", "k", 100), c("k", "p", 109), c("p", "k", 119)}, []float64{100}},
		{"other pairs untouched", []Crossing{c("p", "k", 100), c("a", "b", 102), c("k", "p", 104)}, []float64{102}},
	} {
		var got []float64
		for _, x := range settle(tc.in) {
			got = append(got, x.X)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: kept %v, want %v", tc.name, got, tc.want)
		}
	}
}
