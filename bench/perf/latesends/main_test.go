package main

import (
	"bytes"
	"context"
	"runtime/trace"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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
