package model

import (
	"errors"
	"slices"
	"testing"
)

// TestPlanReshardWorkedExamples checks the examples by hand:
// 4 → 54: doubling 8, 16, 32, then 54 (≤ 64 = 2 × 32): 4 calls, 1 window.
// 2 → 3000: 4 … 2048 is 10 doublings, 3000 ≤ 4096 the 11th call: 2 windows.
// 100 → 30: halving gives 50, then 30 (≥ 25 = ½ × 50): 2 calls.
func TestPlanReshardWorkedExamples(t *testing.T) {
	p := DefaultPrices()
	tests := []struct {
		from, to int
		steps    []int
		windows  int
	}{
		{4, 54, []int{8, 16, 32, 54}, 1},
		{2, 3000, []int{4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3000}, 2},
		{100, 30, []int{50, 30}, 1},
		{7, 7, []int{}, 0},
		{3, 4, []int{4}, 1},
		{101, 51, []int{51}, 1}, // ⌈101/2⌉ = 51 is allowed
		{101, 50, []int{51, 50}, 1},
		{19998, 9999, []int{9999}, 1}, // above 10000 only down to below it, at most halving
		{19998, 5000, []int{9999, 5000}, 1},
	}
	for _, tc := range tests {
		r, err := PlanReshard(ReshardOptions{From: tc.from, To: tc.to}, p)
		if err != nil {
			t.Fatalf("%d→%d: %v", tc.from, tc.to, err)
		}
		if !slices.Equal(r.Steps, tc.steps) || r.Calls != len(tc.steps) || r.Windows24h != tc.windows {
			t.Errorf("%d→%d: steps %v calls %d windows %d; want %v, %d, %d", tc.from, tc.to, r.Steps, r.Calls, r.Windows24h, tc.steps, len(tc.steps), tc.windows)
		}
	}
}

// TestPlanReshardCost: 4 → 54 with 15-minute calls holds 8, 16 and 32
// shards for 0.25 h each: (8 + 16 + 32) × 0.25 × 0.015 = 0.21 USD. Call 4
// (32 → 54, 168.75 %) is not a multiple of 25 %.
func TestPlanReshardCost(t *testing.T) {
	r, err := PlanReshard(ReshardOptions{From: 4, To: 54}, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	if !near(r.TransitionUSD, 0.21, 1e-9) {
		t.Errorf("transition %v USD, want 0.21", r.TransitionUSD)
	}
	d := r.Details[3]
	if d.Multiple25 || !r.Details[0].Multiple25 || d.HeldHours != 0 || !near(d.USDPerHour, 54*0.015, 1e-12) || !near(d.StartHours, 0.75, 1e-12) {
		t.Errorf("details %+v", r.Details)
	}
	// 2 → 3000: call 11 waits for the second window, 24 h after call 1;
	// 2048 shards are held from 2.25 h to 24 h.
	r, _ = PlanReshard(ReshardOptions{From: 2, To: 3000}, DefaultPrices())
	if d := r.Details[9]; d.Window != 1 || !near(d.HeldHours, 24-2.25, 1e-12) || r.Details[10].Window != 2 || r.Details[10].StartHours != 24 {
		t.Errorf("window split: %+v / %+v", r.Details[9], r.Details[10])
	}
}

// TestPlanReshardBoundsProperty: for many (from, to) pairs every call
// respects ⌈c/2⌉ ≤ next ≤ 2c and next ≤ 10000 (or, above it, only down to
// below it), the steps end at to, and the count of calls is the minimum
// ⌈log₂(max/min)⌉.
func TestPlanReshardBoundsProperty(t *testing.T) {
	p := DefaultPrices()
	counts := []int{1, 2, 3, 5, 7, 10, 31, 54, 99, 100, 101, 500, 999, 1000, 4097, 5000, 9999, 10000}
	for a := 1; a <= 300; a += 7 {
		counts = append(counts, a*33)
	}
	for _, from := range counts {
		for _, to := range counts {
			r, err := PlanReshard(ReshardOptions{From: from, To: to}, p)
			if err != nil {
				t.Fatalf("%d→%d: %v", from, to, err)
			}
			c := from
			for _, s := range r.Steps {
				if s > 2*c || s < (c+1)/2 || s > 10000 || s < 1 {
					t.Fatalf("%d→%d: step %d→%d out of bounds (%v)", from, to, c, s, r.Steps)
				}
				c = s
			}
			if c != to {
				t.Fatalf("%d→%d: ends at %d", from, to, c)
			}
			lo, hi := min(from, to), max(from, to)
			want := 0
			for x := lo; x < hi; x *= 2 {
				want++
			}
			if r.Calls != want || r.Windows24h != (want+9)/10 {
				t.Fatalf("%d→%d: %d calls over %d windows, want %d", from, to, r.Calls, r.Windows24h, want)
			}
		}
	}
}

func TestPlanReshardRejects(t *testing.T) {
	p := DefaultPrices()
	for _, o := range []ReshardOptions{{From: 0, To: 5}, {From: 5, To: 0}, {From: 5000, To: 10001}, {From: 40000, To: 1000}, {From: 20000, To: 9999}, {From: 15000, To: 12000}} {
		if _, err := PlanReshard(o, p); !errors.Is(err, ErrPlanInput) {
			t.Errorf("%+v: err %v, want ErrPlanInput", o, err)
		}
	}
}
