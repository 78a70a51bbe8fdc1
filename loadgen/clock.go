package loadgen

import "time"

// Clock is the source of time for the generator. Implementations must be
// safe for concurrent use.
type Clock interface {
	// Now returns the current time; durations between two Now values must be
	// monotonic (time.Now's monotonic reading satisfies this).
	Now() time.Time
	// NewTimer returns a stopped-or-running timer that fires once after d.
	// Each sender creates one timer and Resets it, so sleeping does not
	// allocate.
	NewTimer(d time.Duration) Timer
}

// Timer is the subset of *time.Timer the generator uses.
type Timer interface {
	// C is the channel the timer fires on.
	C() <-chan time.Time
	// Reset re-arms the timer to fire after d.
	Reset(d time.Duration) bool
	// Stop disarms the timer.
	Stop() bool
}

// RealClock is the wall and monotonic clock of the time package.
type RealClock struct{}

var _ Clock = RealClock{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// NewTimer returns a *time.Timer wrapped as a Timer.
func (RealClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time        { return r.t.C }
func (r realTimer) Reset(d time.Duration) bool { return r.t.Reset(d) }
func (r realTimer) Stop() bool                 { return r.t.Stop() }
