// Package driver holds what the benchmark drivers in its sub-packages share:
// the option-validation error every constructor returns, the lookup of the
// client library version that a driver reports in its Info, and the jittered
// exponential backoff used when a target throttles.
//
// The drivers themselves live one per target: kinesis (aws-sdk-go-v2 against
// AWS, the bundled engine's Kinesis API, kinesalite or LocalStack), kafka
// (franz-go against Kafka, Redpanda, MSK or kfake) and embedded (the bundled
// engine in-process).
package driver

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"time"

	"github.com/streamcap/streamcap/model/version"
)

// ErrInvalidOption is wrapped by every *OptionError, so callers can map any
// bad driver setting to a usage error (exit code 2) with errors.Is.
var ErrInvalidOption = errors.New("invalid driver option")

// OptionError reports one driver option whose value is outside the accepted
// range. Its message names the driver, the field, the value and the range:
//
//	kafka: option Acks "most": must be one of all, leader, none
type OptionError struct {
	// Driver is the driver name ("kafka", "kinesis", "embedded").
	Driver string
	// Field is the option's Go field name (the CLI flag is documented on it).
	Field string
	// Value is the rejected value, formatted with %v.
	Value any
	// Accepted describes the accepted range or set.
	Accepted string
}

// Error formats the option, its value and the accepted range.
func (e *OptionError) Error() string {
	return fmt.Sprintf("%s: option %s %q: must be %s", e.Driver, e.Field, fmt.Sprint(e.Value), e.Accepted)
}

// Unwrap makes errors.Is(err, ErrInvalidOption) true.
func (e *OptionError) Unwrap() error { return ErrInvalidOption }

// Invalid builds an *OptionError; a shorthand for constructors.
func Invalid(drv, field string, value any, accepted string) error {
	return &OptionError{Driver: drv, Field: field, Value: value, Accepted: accepted}
}

// CheckDuration returns an *OptionError when d is outside [lo, hi].
func CheckDuration(drv, field string, d, lo, hi time.Duration) error {
	if d < lo || d > hi {
		return Invalid(drv, field, d, fmt.Sprintf("between %v and %v", lo, hi))
	}
	return nil
}

// CheckInt returns an *OptionError when n is outside [lo, hi].
func CheckInt(drv, field string, n, lo, hi int) error {
	if n < lo || n > hi {
		return Invalid(drv, field, n, fmt.Sprintf("between %d and %d", lo, hi))
	}
	return nil
}

// ModuleVersion returns "path@version" for module path linked into the
// running binary, read from runtime/debug.ReadBuildInfo (honouring replace
// directives). For streamcap itself (the bundled engine is part of it) the
// version is version.String(), the one `streamcap --version` prints. When the
// build carries no module information the pinned version is reported.
func ModuleVersion(path, pinned string) string {
	v := pinned
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Path == path {
			v = bi.Main.Version
			if path == version.Module {
				v = version.String() // one owner: the string --version prints
			}
		}
		for _, m := range bi.Deps {
			if m.Path != path {
				continue
			}
			if m.Replace != nil && m.Replace.Version != "" {
				v = m.Replace.Version
			} else if m.Version != "" {
				v = m.Version
			}
			break
		}
	}
	return path + "@" + v
}

// Backoff computes jittered exponential delays: attempt n (0-based) waits a
// uniformly random duration in [d/2, d] where d = min(Base·2ⁿ, Max) ("equal
// jitter"), so concurrent senders that were throttled together spread out
// while the expected delay still doubles per attempt. It is safe for
// concurrent use.
type Backoff struct {
	// Base is the delay before jitter for the first retry.
	Base time.Duration
	// Max caps the delay before jitter.
	Max time.Duration

	mu  sync.Mutex
	rng *rand.Rand
}

// NewBackoff returns a Backoff whose jitter comes from a PCG seeded with seed,
// so a run can be repeated exactly.
func NewBackoff(base, maxDelay time.Duration, seed uint64) *Backoff {
	return &Backoff{Base: base, Max: maxDelay, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Delay returns the wait before retry number attempt (0 for the first retry).
func (b *Backoff) Delay(attempt int) time.Duration {
	d := b.Base
	for i := 0; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	if d > b.Max {
		d = b.Max
	}
	if d <= 1 {
		return d
	}
	half := d / 2
	b.mu.Lock()
	j := time.Duration(b.rng.Int64N(int64(d - half + 1)))
	b.mu.Unlock()
	return half + j
}

// Sleep waits for d or until ctx is done, whichever comes first, and returns
// ctx.Err() in the latter case.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
