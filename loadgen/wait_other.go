//go:build !linux

package loadgen

import (
	"errors"
	"time"
)

// sleepThread falls back to time.Sleep where nanosleep(2) and prctl(2) are
// not used (the spin covers the coarser wake-up).
func sleepThread(d time.Duration) { time.Sleep(d) }

// fdTimer is not available here: sleepThread is used.
type fdTimer struct{}

func newFDTimer() *fdTimer { return nil }

func (*fdTimer) sleep(time.Duration) error { return errNoFDTimer }

func (*fdTimer) close() {}

var errNoFDTimer = errors.New("no timerfd on this platform")
