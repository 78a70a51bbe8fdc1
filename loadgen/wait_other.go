//go:build !linux

package loadgen

import "time"

// sleepThread falls back to time.Sleep where nanosleep(2) and prctl(2) are
// not used (the spin covers the coarser wake-up).
func sleepThread(d time.Duration) { time.Sleep(d) }
