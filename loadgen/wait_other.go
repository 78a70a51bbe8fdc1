//go:build !unix

package loadgen

import "time"

// sleepThread falls back to time.Sleep where nanosleep(2) is not available.
func sleepThread(d time.Duration) { time.Sleep(d) }
