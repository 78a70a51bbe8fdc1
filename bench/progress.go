package bench

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/streamcap/streamcap/loadgen"
	"github.com/streamcap/streamcap/model/units"
)

// progressLine rewrites one terminal line per timeline interval: elapsed
// time, achieved vs target rate, response p99 so far, errors and
// throttles. It is silent (every method a no-op) when disabled: output
// not a terminal, or --quiet.
type progressLine struct {
	mu      sync.Mutex
	w       io.Writer
	enabled bool
	wrote   bool
}

func newProgressLine(w io.Writer, enabled bool) *progressLine {
	return &progressLine{w: w, enabled: enabled && w != nil}
}

// update renders p; it is called from the generator's snapshot goroutine.
func (l *progressLine) update(p loadgen.Progress) {
	if !l.enabled {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// \r returns to the line start, \x1b[K clears what the last line left.
	fmt.Fprintf(l.w, "\r%s\x1b[K", formatProgress(p))
	l.wrote = true
}

// finish ends the progress line so the report starts on a fresh line.
func (l *progressLine) finish() {
	if !l.enabled {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.wrote {
		fmt.Fprint(l.w, "\n")
	}
}

// formatProgress is the text of one progress line.
func formatProgress(p loadgen.Progress) string {
	iv := p.Interval
	return fmt.Sprintf("%6s  %s/s (target %s/s)  sent %s  p99 %s  errors %s  throttles %s",
		p.Elapsed.Round(time.Second), units.Rate(iv.Rate), units.Rate(iv.TargetRate), units.Int(p.Sent),
		units.Span(p.ResponseP99), units.Int(p.Errors), units.Int(p.Throttles))
}
