package loadgen

import (
	"context"
	"errors"
	"sort"
)

// ErrThrottled marks a send the target refused for capacity (Kinesis
// ProvisionedThroughputExceededException, Kafka quota throttling). Senders
// wrap it (fmt.Errorf("put: %w", loadgen.ErrThrottled)) and the generator
// counts such sends as throttles, apart from other errors. bench.ErrThrottled
// is this same value.
var ErrThrottled = errors.New("throttled")

// DefaultMaxErrorKinds is how many distinct error messages are counted
// separately (per kind: errors, throttles) before the rest are lumped
// together under OtherErrors.
const DefaultMaxErrorKinds = 32

// OtherErrors is the message under which errors beyond the distinct-message
// limit are counted.
const OtherErrors = "(other messages)"

// maxMessageLen truncates error messages used as keys.
const maxMessageLen = 200

// ErrorCount is how many sends failed with one message.
type ErrorCount struct {
	Message string `json:"message"`
	Count   int64  `json:"count"`
}

// errorCounts is a bounded count of errors by message. Not safe for
// concurrent use.
type errorCounts struct {
	limit int
	m     map[string]int64
}

func (e *errorCounts) add(msg string, n int64) {
	if e.m == nil {
		e.m = make(map[string]int64)
	}
	if len(msg) > maxMessageLen {
		msg = msg[:maxMessageLen] + "…"
	}
	if _, ok := e.m[msg]; !ok && len(e.m) >= e.limit {
		msg = OtherErrors
	}
	e.m[msg] += n
}

func (e *errorCounts) merge(o *errorCounts) {
	for k, v := range o.m {
		e.add(k, v)
	}
}

func (e *errorCounts) reset() { clear(e.m) }

// sorted returns the counts, largest first (ties by message).
func (e *errorCounts) sorted() []ErrorCount {
	out := make([]ErrorCount, 0, len(e.m))
	for k, v := range e.m {
		out = append(out, ErrorCount{Message: k, Count: v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Message < out[j].Message
	})
	return out
}

// errClass sorts a send error into ok, throttled, aborted (the generator
// itself canceled the send at stop) or error.
type errClass uint8

const (
	classOK errClass = iota
	classThrottled
	classAborted
	classError
)

func classify(err error, sendCtx context.Context) errClass {
	switch {
	case err == nil:
		return classOK
	case errors.Is(err, ErrThrottled):
		return classThrottled
	case sendCtx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		return classAborted
	}
	return classError
}
