//go:build linux

package loadgen

import (
	"fmt"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
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

// fdTimer is a timerfd(2) read through the runtime's network poller: the
// goroutine parks (its thread and processor stay free for other work, unlike
// in nanosleep) and the poller wakes it when the timer expires, which it
// notices at once however short the wait (the poller's own timeouts are
// whole milliseconds). A timerfd has no timer slack.
type fdTimer struct {
	fd  int
	f   *os.File
	buf [8]byte
}

// newFDTimer opens a monotonic timerfd, or returns nil when it cannot.
func newFDTimer() *fdTimer {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil
	}
	return &fdTimer{fd: fd, f: os.NewFile(uintptr(fd), "loadgen-timerfd")}
}

// sleep waits about d; an error means the timer is unusable.
func (t *fdTimer) sleep(d time.Duration) error {
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(max(d, 1)))}
	if err := unix.TimerfdSettime(t.fd, 0, &spec, nil); err != nil {
		return fmt.Errorf("timerfd settime: %w", err)
	}
	if _, err := t.f.Read(t.buf[:]); err != nil {
		return fmt.Errorf("timerfd read: %w", err)
	}
	return nil
}

func (t *fdTimer) close() { _ = t.f.Close() }
