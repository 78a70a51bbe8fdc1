package loadgen

import (
	"sync"
	"sync/atomic"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// E2E records end-to-end latency (produce → consume) from the send stamps
// in payloads. Use one E2E per consumer goroutine (Record locks, but only
// against Snapshot, so it is uncontended) and merge them with MergeE2E.
// Records stamped before the measured window opened (the warm-up) are
// counted but not recorded. The zero value is not usable; call NewE2E.
type E2E struct {
	from atomic.Int64 // measured window start, Unix ns; 0 = not open yet

	mu sync.Mutex
	h  *hdr.Histogram
	E2ECounts
}

// E2ECounts are the counters of an E2E recorder.
type E2ECounts struct {
	// Received is the number of measured records seen (recorded in the
	// histogram).
	Received int64 `json:"received"`
	// Warmup is the number of records stamped before measurement began.
	Warmup int64 `json:"warmup"`
	// Unstamped is the number of records too short to carry a stamp.
	Unstamped int64 `json:"unstamped"`
	// Clamps counts non-positive or over-range latencies (a stamp from the
	// future means the wall clock stepped back during the run).
	Clamps Clamps `json:"clamps"`
}

// NewE2E returns an empty recorder.
func NewE2E() *E2E { return &E2E{h: NewHistogram()} }

// Open sets the start of the measured window (the generator calls it with
// the warm-up's end). Until it is called every record counts as warm-up.
func (e *E2E) Open(from time.Time) { e.from.Store(from.UnixNano()) }

// Record reads the stamp at the start of payload and records
// receivedAt − send time. It does not retain payload.
func (e *E2E) Record(payload []byte, receivedAt time.Time) {
	sent, _, ok := ReadStamp(payload)
	from := e.from.Load()
	e.mu.Lock()
	switch {
	case !ok:
		e.Unstamped++
	case from == 0 || sent < from:
		e.Warmup++
	default:
		e.Received++
		record(e.h, time.Duration(receivedAt.UnixNano()-sent), false, &e.Clamps)
	}
	e.mu.Unlock()
}

// Snapshot returns a copy of the histogram and counters so far.
func (e *E2E) Snapshot() (*hdr.Histogram, E2ECounts) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.h.Clone(), e.E2ECounts
}

// MergeE2E merges the snapshots of several recorders into one histogram
// and counter set.
func MergeE2E(recs ...*E2E) (*hdr.Histogram, E2ECounts) {
	h := NewHistogram()
	var c E2ECounts
	for _, r := range recs {
		rh, rc := r.Snapshot()
		h.Merge(rh)
		c.Received += rc.Received
		c.Warmup += rc.Warmup
		c.Unstamped += rc.Unstamped
		c.Clamps.add(rc.Clamps)
	}
	return h, c
}
