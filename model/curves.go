package model

import (
	"fmt"
	"math"
	"slices"
)

// Sweeps and crossovers: the series a plan report charts (cost against
// rate, shard count against rate, per-shard load, transfer time against
// link speed) and where its curves cross. They are computed here, once;
// reports only draws them.

// Curve is a named y(x) series: a cost in USD/month against a rate in
// records/s, or a time against a link speed. X must increase. Step curves
// hold their value until the next X (a post-step: provisioned shards).
type Curve struct {
	Name string    `json:"name"`
	Step bool      `json:"step,omitempty"`
	X    []float64 `json:"x"`
	Y    []float64 `json:"y"`
}

// Valid reports whether c has ≥ 1 point, equal lengths, finite values and
// increasing X.
func (c Curve) Valid() error {
	if len(c.X) == 0 || len(c.X) != len(c.Y) {
		return fmt.Errorf("curve %q: %d x and %d y values: must be equal and at least 1", c.Name, len(c.X), len(c.Y))
	}
	for i := range c.X {
		if !finite(c.X[i]) || !finite(c.Y[i]) {
			return fmt.Errorf("curve %q: point %d (%v, %v): must be finite", c.Name, i, c.X[i], c.Y[i])
		}
		if i > 0 && !(c.X[i] > c.X[i-1]) {
			return fmt.Errorf("curve %q: x[%d] = %v after %v: x must increase", c.Name, i, c.X[i], c.X[i-1])
		}
	}
	return nil
}

// At returns c's value at x (inside its domain), and its left limit at x
// (the value just before x, which differs from At(x) at a step's jump).
func (c Curve) At(x float64) (v, left float64) {
	i, found := slices.BinarySearch(c.X, x)
	if found {
		v = c.Y[i]
		if c.Step && i > 0 {
			return v, c.Y[i-1]
		}
		return v, v
	}
	if i == 0 {
		return c.Y[0], c.Y[0]
	}
	if i == len(c.X) {
		return c.Y[i-1], c.Y[i-1]
	}
	if c.Step {
		return c.Y[i-1], c.Y[i-1]
	}
	t := (x - c.X[i-1]) / (c.X[i] - c.X[i-1])
	v = c.Y[i-1] + t*(c.Y[i]-c.Y[i-1])
	return v, v
}

// Crossing is a point where two curves cross: A is cheaper (lower) just
// before X and B from X on.
type Crossing struct {
	A string  `json:"below_before"`
	B string  `json:"below_after"`
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Crossings finds every crossing of every pair of curves over the x range
// they share, in increasing x (ties by curve order). Between grid points
// linear curves are interpolated and step curves held; a step curve that
// jumps past the other crosses at its jump. Exact touches that do not
// change which curve is lower are not crossings.
func Crossings(curves []Curve) ([]Crossing, error) {
	for _, c := range curves {
		if err := c.Valid(); err != nil {
			return nil, err
		}
	}
	var out []Crossing
	for i := range curves {
		for j := i + 1; j < len(curves); j++ {
			out = append(out, crossPair(curves[i], curves[j])...)
		}
	}
	slices.SortStableFunc(out, func(a, b Crossing) int {
		switch {
		case a.X < b.X:
			return -1
		case a.X > b.X:
			return 1
		}
		return 0
	})
	return out, nil
}

// KeyCrossings returns the crossovers a reader acts on, in increasing x:
// where the cheapest (lowest) curve changes, and every crossing of the
// first two curves (in a plan report, Kinesis provisioned and on-demand),
// cheapest or not. Crossings of two curves that both cost more than a
// third are left out, and crossings of one pair less than 10 % apart in x
// cancel out in pairs (a step curve straddling a smooth one).
func KeyCrossings(curves []Curve) ([]Crossing, error) {
	all, err := Crossings(curves)
	if err != nil || len(curves) < 2 {
		return all, err
	}
	first := func(c Crossing) bool {
		a, b := curves[0].Name, curves[1].Name
		return (c.A == a && c.B == b) || (c.A == b && c.B == a)
	}
	var out []Crossing
	for _, c := range all {
		// The cheapest curve just before and just after x: the crossing
		// matters when it hands "cheapest" from one of its pair to the other.
		eps := 1e-7 * math.Max(math.Abs(c.X), 1e-3)
		before, after := cheapest(curves, c.X-eps), cheapest(curves, c.X+eps)
		if first(c) || (before == c.A && after == c.B) {
			out = append(out, c)
		}
	}
	return settle(out), nil
}

// cheapest names the lowest curve at x among those defined there.
func cheapest(curves []Curve, x float64) string {
	name, low := "", math.Inf(1)
	for _, cv := range curves {
		if x < cv.X[0] || x > cv.X[len(cv.X)-1] {
			continue
		}
		if v, _ := cv.At(x); v < low {
			name, low = cv.Name, v
		}
	}
	return name
}

// settleRatio: crossings of the same two curves closer than this ratio in
// x form one cluster (a step curve straddling a smooth one).
const settleRatio = 1.1

// settle collapses each cluster of crossings of one pair to its net
// effect: an odd count is one crossing (the first), an even count none.
// cross is sorted by x; the result keeps that order.
func settle(cross []Crossing) []Crossing {
	pair := func(c Crossing) [2]string {
		if c.A < c.B {
			return [2]string{c.A, c.B}
		}
		return [2]string{c.B, c.A}
	}
	drop := make([]bool, len(cross))
	for i := 0; i < len(cross); {
		// Gather the cluster of cross[i]'s pair starting at i.
		members := []int{i}
		last := cross[i].X
		for j := i + 1; j < len(cross) && cross[j].X <= last*settleRatio; j++ {
			if pair(cross[j]) == pair(cross[i]) && !drop[j] {
				members = append(members, j)
				last = cross[j].X
			}
		}
		for k, m := range members {
			if k > 0 || len(members)%2 == 0 {
				drop[m] = true
			}
		}
		// Next unprocessed crossing.
		i++
		for i < len(cross) && drop[i] {
			i++
		}
	}
	var out []Crossing
	for i, c := range cross {
		if !drop[i] {
			out = append(out, c)
		}
	}
	return out
}

// crossPair returns the crossings of a and b.
func crossPair(a, b Curve) []Crossing {
	lo, hi := math.Max(a.X[0], b.X[0]), math.Min(a.X[len(a.X)-1], b.X[len(b.X)-1])
	if !(hi > lo) {
		return nil
	}
	grid := []float64{lo}
	for _, x := range slices.Concat(a.X, b.X) {
		if x > lo && x < hi {
			grid = append(grid, x)
		}
	}
	grid = append(grid, hi)
	slices.Sort(grid)
	grid = slices.Compact(grid)

	var out []Crossing
	sign := 0 // sign of a-b on the last stretch where they differed
	add := func(x, y float64, s int) {
		if s > 0 { // a above b from x on: b is now the lower one
			out = append(out, Crossing{A: a.Name, B: b.Name, X: x, Y: y})
		} else {
			out = append(out, Crossing{A: b.Name, B: a.Name, X: x, Y: y})
		}
	}
	sgn := func(d float64) int {
		switch {
		case d > 0:
			return 1
		case d < 0:
			return -1
		}
		return 0
	}
	for k, x := range grid {
		av, al := a.At(x)
		bv, bl := b.At(x)
		if k > 0 {
			// Inside (grid[k-1], x): both linear (a step is flat), so
			// a-b goes linearly from d0 to the left limits' difference.
			x0 := grid[k-1]
			a0, _ := a.At(x0)
			b0, _ := b.At(x0)
			d0, d1 := a0-b0, al-bl
			if s1 := sgn(d1); s1 != 0 && sign != 0 && s1 != sign {
				t := d0 / (d0 - d1)
				cx := x0 + t*(x-x0)
				ay, _ := a.At(cx)
				if a.Step {
					ay, _ = b.At(cx)
				}
				add(cx, ay, s1)
				sign = s1
			} else if s1 != 0 && sign == 0 {
				sign = s1
			}
		}
		// At x itself a step may jump.
		if s := sgn(av - bv); s != 0 {
			if sign != 0 && s != sign {
				y := bv
				if b.Step && !a.Step {
					y = av
				}
				add(x, y, s)
			}
			sign = s
		}
	}
	return out
}

// ShardStep is the shard count a plan needs from Rate up to the next
// step's rate, and the limit that binds there.
type ShardStep struct {
	Rate    float64 `json:"rate"`
	Shards  int     `json:"shards"`
	Binding string  `json:"binding"`
}

// TransferSweep is a bulk transfer's time over the network at each link
// speed against the (link-independent) time with shipped devices.
type TransferSweep struct {
	// LinkBPS are link line rates in bit/s (increasing) and NetworkDays
	// the network transfer time at each.
	LinkBPS     []float64 `json:"link_bps"`
	NetworkDays []float64 `json:"network_days"`
	// DeviceDays is the end-to-end time with devices; Device names them.
	DeviceDays float64 `json:"device_days"`
	Device     string  `json:"device"`
	// CrossoverBPS is the link speed at which both take as long (0: found
	// from the sweep).
	CrossoverBPS float64 `json:"crossover_bps"`
}

// ShardLoads is the load on each shard (index = shard) for a skewed key
// distribution, in Unit per second, against the per-shard Limit.
type ShardLoads struct {
	Loads []float64 `json:"loads"`
	Limit float64   `json:"limit"`
	Unit  string    `json:"unit"`
}

// Busiest returns the index and load of the busiest shard (-1 when empty).
func (s ShardLoads) Busiest() (int, float64) {
	if len(s.Loads) == 0 {
		return -1, 0
	}
	i := 0
	for k, v := range s.Loads {
		if v > s.Loads[i] {
			i = k
		}
	}
	return i, s.Loads[i]
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
