//go:build linux

package loadgen

import (
	"syscall"
	"time"
)

// prSetTimerSlack is prctl(2)'s PR_SET_TIMERSLACK.
const prSetTimerSlack = 29

// sleepThread blocks the calling OS thread with nanosleep(2), after
// setting the thread's timer slack to 1 ns, so it wakes at the requested
// time give or take the scheduler, instead of up to 50 µs later (the
// default slack) or, with a Go timer on a quiet runtime, about 1 ms later.
// The slack is per thread and harmless to whatever runs on the thread
// later (its sleeps just become exact), so it is set every time rather
// than tracked.
func sleepThread(d time.Duration) {
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerSlack, 1, 0)
	ts := syscall.NsecToTimespec(int64(d))
	for {
		var rem syscall.Timespec
		if err := syscall.Nanosleep(&ts, &rem); err != syscall.EINTR {
			return
		}
		ts = rem
	}
}
