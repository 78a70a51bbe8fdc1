package loadgen

import (
	"fmt"
	"math"
	"time"
)

// Slice makes one generator one of Workers generators that together send
// exactly the schedule a single generator would: worker Index issues the
// global sends k with k ≡ Index (mod Workers), each at its intended time
// t0 + At(k) of the whole profile. The zero value (or Workers 1) is the
// whole schedule.
type Slice struct {
	// Workers is how many generators share the schedule (0 or 1: one).
	Workers int `json:"workers"`
	// Index is this generator's place among them, in [0, Workers).
	Index int `json:"index"`
}

// MaxSliceWorkers bounds Slice.Workers (Kubernetes' Indexed Job limit on
// completions is far above what anyone runs; this guards typos).
const MaxSliceWorkers = 100_000

// Whole reports whether s is the whole schedule (no slicing).
func (s Slice) Whole() bool { return s.Workers <= 1 }

// Validate reports a Slice that names no worker.
func (s Slice) Validate() error {
	switch {
	case s.Workers < 0 || s.Workers > MaxSliceWorkers:
		return fmt.Errorf("workers %d: must be between 1 and %d", s.Workers, MaxSliceWorkers)
	case s.Workers <= 1 && s.Index != 0:
		return fmt.Errorf("worker index %d: must be 0 when there is one worker", s.Index)
	case s.Workers > 1 && (s.Index < 0 || s.Index >= s.Workers):
		return fmt.Errorf("worker index %d: must be between 0 and %d (workers %d)", s.Index, s.Workers-1, s.Workers)
	}
	return nil
}

func (s Slice) stride() int64 { return int64(max(1, s.Workers)) }

// first returns the first global send number at or after n that belongs
// to the slice.
func (s Slice) first(n int64) int64 {
	st := s.stride()
	if n <= int64(s.Index) {
		return int64(s.Index)
	}
	k := (n - int64(s.Index) + st - 1) / st
	return int64(s.Index) + k*st
}

// Count returns how many of the global sends numbered [lo, hi) belong to
// the slice.
func (s Slice) Count(lo, hi int64) int64 {
	if hi <= lo {
		return 0
	}
	a := s.first(lo)
	if a >= hi {
		return 0
	}
	return (hi-1-a)/s.stride() + 1
}

// sendSeed derives the random state of global send n from the run's seed,
// so the key, size and payload of send n are the same whichever worker
// sends it. splitmix64's finaliser gives neighbouring n unrelated states.
func sendSeed(seed uint64, n int64) (uint64, uint64) {
	return mix64(seed ^ mix64(uint64(n))), mix64(uint64(n) + 0x9e3779b97f4a7c15)
}

func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// wholeSends returns how many global sends fall due in [from, to) of
// sched: ⌈N(to)⌉ − ⌈N(from)⌉.
func wholeSends(sched *Schedule, from, to time.Duration) (lo, hi int64) {
	return int64(math.Ceil(sched.Count(from))), int64(math.Ceil(sched.Count(to)))
}
