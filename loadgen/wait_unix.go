//go:build unix

package loadgen

import (
	"syscall"
	"time"
)

// sleepThread blocks the calling OS thread with nanosleep(2), which wakes
// within the thread's timer slack (50 µs by default on Linux), unlike a Go
// timer on a quiet runtime.
func sleepThread(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for {
		var rem syscall.Timespec
		if err := syscall.Nanosleep(&ts, &rem); err != syscall.EINTR {
			return
		}
		ts = rem
	}
}
