package main

import (
	"bytes"
	"context"
	"runtime/trace"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	xtrace "golang.org/x/exp/trace"

	"github.com/streamcap/streamcap/loadgen"
)

// A run whose target stalls once, with one send in flight at a time, makes late sends of a known
// shape: the first send due during the stall waits for the in-flight slot and is handed it when
// the stall ends (a root, after its due time), and the sends owed behind it go out in turn
// (queued). The trace the run writes is read back and classified so.
func TestClassifyAStall(t *testing.T) {
	if trace.IsEnabled() {
		t.Skip("a trace is already being written")
	}
	var calls atomic.Int64
	send := func(ctx context.Context, key string, payload []byte) error {
		if calls.Add(1) == 100 {
			time.Sleep(5 * time.Millisecond) // ten sends' worth at 2000/s
		}
		return nil
	}
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		t.Fatal(err)
	}
	res, err := loadgen.Run(t.Context(), loadgen.Config{Profile: loadgen.Constant(2000), Records: 400, MaxInflight: 1}, send)
	trace.Stop()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := classify(&buf)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, s := range rep.sends {
		if s.kind == "" || s.lag < loadgen.LateSendTraceAfter {
			t.Fatalf("send %+v: unclassified or not late", s)
		}
		count[s.kind]++
	}
	// The stall alone makes about 9 sends late; the machine may add others.
	if len(rep.sends) < 5 || count[kindQueued] < 3 || len(rep.sends) > int(res.Counts.Sent) {
		t.Fatalf("%d late sends of %d (%v), want at least 5 with 3 queued", len(rep.sends), res.Counts.Sent, count)
	}
	// The root: the sender that stalled in its own send (a sleep) and went on to the next send
	// after its due time.
	root := false
	for _, s := range rep.sends {
		root = root || s.kind == kindWokeLate && s.waitedOn == "sleep" && s.lag >= 3*time.Millisecond
	}
	if !root {
		t.Errorf("no send classified %q after waiting on the stall's sleep: %+v", kindWokeLate, rep.sends)
	}
	var out strings.Builder
	rep.write(&out, 1)
	t.Log(out.String())
	for _, want := range []string{"sends went out 100 µs or more after their due time", kindQueued} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// A trace without late sends reports none; anything that is not a trace is refused.
func TestClassifyNothingLateAndNotATrace(t *testing.T) {
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		t.Skip("a trace is already being written")
	}
	time.Sleep(time.Millisecond)
	trace.Stop()
	rep, err := classify(&buf)
	if err != nil || len(rep.sends) != 0 {
		t.Fatalf("classify = %d sends, %v; want none", len(rep.sends), err)
	}
	if _, err := classify(strings.NewReader("not a trace")); err == nil {
		t.Error("classify accepted a file that is not a trace")
	}
}

// Each kind follows from the late sender's last wait, wake and run against its due time (all
// times in µs; due at 1000, the send logged at 1300).
func TestKindFrom(t *testing.T) {
	at := func(us int64) xtrace.Time { return xtrace.Time(us * 1000) }
	waited := func(sleep, wake, run int64) []transition {
		return []transition{
			{at: at(sleep), from: xtrace.GoRunning, to: xtrace.GoWaiting, reason: "network"},
			{at: at(wake), from: xtrace.GoWaiting, to: xtrace.GoRunnable},
			{at: at(run), from: xtrace.GoRunnable, to: xtrace.GoRunning},
		}
	}
	for _, c := range []struct {
		name string
		ts   []transition
		want string
	}{
		{"woke after the due time", waited(700, 1200, 1210), kindWokeLate},
		{"runnable before, running after", waited(700, 900, 1250), kindRunnable},
		{"running before the due time", waited(700, 900, 950), kindRunning},
		{"no wait seen", []transition{{at: at(900), from: xtrace.GoRunnable, to: xtrace.GoRunning}}, kindUnknown},
		// Transitions after the send do not count: the wait before it decides.
		{"later transitions ignored", append(waited(700, 1200, 1210), transition{at: at(1400), from: xtrace.GoRunning, to: xtrace.GoWaiting}), kindWokeLate},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := lateSend{at: at(1300), due: at(1000)}
			s.kindFrom(c.ts)
			if s.kind != c.want {
				t.Errorf("kind %q, want %q", s.kind, c.want)
			}
			if c.want == kindWokeLate && (s.waitedOn != "network" || s.wake != 200*time.Microsecond) {
				t.Errorf("waited on %q, woke %v after the due time; want network, 200µs", s.waitedOn, s.wake)
			}
		})
	}
}
