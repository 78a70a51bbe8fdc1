package bench

import (
	"bytes"
	"strings"
	"testing"
)

// Results survive the trip through interleaved, prefixed pod logs, cut into
// parts no longer than a container runtime keeps on one line.
func TestLogLinesRoundTrip(t *testing.T) {
	a, b := syntheticResult(t, 1, 3000), syntheticResult(t, 2, 50)
	var la, lb bytes.Buffer
	if err := WriteLogLines(&la, a, 0); err != nil {
		t.Fatal(err)
	}
	if err := WriteLogLines(&lb, b, 2); err != nil {
		t.Fatal(err)
	}
	linesA := strings.Split(strings.TrimSpace(la.String()), "\n")
	if len(linesA) < 2 {
		t.Fatalf("a result with 3 × 3000 samples fit on %d line(s); the test needs several parts", len(linesA))
	}
	for _, l := range linesA {
		if len(l) > logChunk+64 {
			t.Fatalf("line of %d bytes", len(l))
		}
	}
	// Interleave the two workers' lines with other output, as `kubectl logs
	// --prefix` of two pods would.
	var logs strings.Builder
	linesB := strings.Split(strings.TrimSpace(lb.String()), "\n")
	for i := 0; i < max(len(linesA), len(linesB)); i++ {
		if i < len(linesA) {
			logs.WriteString("[pod/kds-0-abcde/bench] " + linesA[i] + "\n")
		}
		logs.WriteString("sent 3000 acked 3000\n")
		if i < len(linesB) {
			logs.WriteString("[pod/kds-2-fghij/bench] " + linesB[i] + "\n")
		}
	}
	got, err := ReadLogLines(strings.NewReader(logs.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] == nil || got[2] == nil || Workers(got) != "0, 2" {
		t.Fatalf("workers %s", Workers(got))
	}
	var ja, jb, ga, gb bytes.Buffer
	for _, x := range []struct {
		w *bytes.Buffer
		r *Result
	}{{&ja, a}, {&jb, b}, {&ga, got[0]}, {&gb, got[2]}} {
		if err := WriteJSON(x.w, x.r); err != nil {
			t.Fatal(err)
		}
	}
	if ja.String() != ga.String() || jb.String() != gb.String() {
		t.Error("results changed on the way through the logs")
	}

	// A part missing is named.
	cut := strings.Replace(logs.String(), linesA[1], "", 1)
	if _, err := ReadLogLines(strings.NewReader(cut)); err == nil || !strings.Contains(err.Error(), "worker 0: result part 2 of") {
		t.Errorf("missing part: %v", err)
	}
}
