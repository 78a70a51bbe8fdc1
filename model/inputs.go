package model

import (
	"errors"
	"fmt"
	"slices"

	"github.com/streamcap/streamcap/model/units"
)

// ErrPlanInput is wrapped by every error a planner returns for an input it
// cannot plan; the message names the field, the value and the accepted
// range. Workload field errors also wrap ErrInvalidWorkload and carry
// FieldErrors (errors.As) from Workload.Validate.
var ErrPlanInput = errors.New("invalid plan input")

// planInputErr builds an ErrPlanInput error: `transfer.data "0B": must be > 0B`.
func planInputErr(field string, value any, accepted string, args ...any) error {
	return fmt.Errorf("%w: %s %s: must be %s", ErrPlanInput, field, units.Quote(fmt.Sprint(value)), fmt.Sprintf(accepted, args...))
}

// planDefaults returns a deep copy of w with Workload.Defaults applied;
// w itself (and what its pointers reach) is not changed.
func planDefaults(w Workload) Workload {
	w.Consumers = slices.Clone(w.Consumers)
	for i, c := range w.Consumers {
		if c.Lambda != nil {
			l := *c.Lambda
			w.Consumers[i].Lambda = &l
		}
	}
	if w.Transfer != nil {
		t := *w.Transfer
		w.Transfer = &t
	}
	if w.SLO != nil {
		s := *w.SLO
		w.SLO = &s
	}
	if w.Bench != nil {
		b := *w.Bench
		w.Bench = &b
	}
	if w.Replay != nil {
		r := *w.Replay
		w.Replay = &r
	}
	w.Defaults()
	return w
}

// planLambdaDefaults fills a Lambda consumer's zero fields as Defaults does.
func planLambdaDefaults(l LambdaConsumer) LambdaConsumer {
	w := Workload{Consumers: []Consumer{{Lambda: &l}}}
	w.Defaults()
	return *w.Consumers[0].Lambda
}

// planTransferDefaults fills a transfer's zero fields as Defaults does.
func planTransferDefaults(t Transfer) Transfer {
	w := Workload{Transfer: &t}
	w.Defaults()
	return *w.Transfer
}

// planCheckWorkload validates a defaulted workload (Workload.Validate:
// every field against its range) and then the limits that come from the
// price table rather than from constants.
func planCheckWorkload(w *Workload, p *Prices) error {
	if err := w.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrPlanInput, err)
	}
	lo, hi := units.Bytes(p.Kinesis.MaxRecordBytesDefault.Value), units.Bytes(p.Kinesis.MaxRecordBytesLimit.Value)
	if w.MaxRecordSize < lo || w.MaxRecordSize > hi {
		return planInputErr("max_record_size", w.MaxRecordSize, "between %s and %s (price table %s)", lo, hi, p.Version)
	}
	efo := 0
	for _, c := range w.Consumers {
		if c.Kind == ConsumerEFO {
			efo++
		}
	}
	if maxEFO := int(p.Kinesis.EFOMaxConsumers.Value); efo > maxEFO {
		return planInputErr("consumers", fmt.Sprintf("%d efo consumers", efo), "at most %d enhanced fan-out consumers per stream (price table %s)", maxEFO, p.Version)
	}
	return nil
}

// sizeStats summarises a record size distribution (data blob sizes).
type sizeStats struct{ d SizeDist }

// Mean is the mean data size of d in bytes, as the planner takes it (a
// uniform range's midpoint, a weighted list's expectation), for callers
// that predict from the same sizes (bench/search).
func (d SizeDist) Mean() float64 { return sizeStats{d}.mean() }

// mean returns the mean data-blob size in bytes.
func (s sizeStats) mean() float64 {
	switch s.d.Kind {
	case SizeUniform:
		return (float64(s.d.Min) + float64(s.d.Max)) / 2
	case SizeWeighted:
		return s.expect(func(x float64) float64 { return x })
	default:
		return float64(s.d.Fixed)
	}
}

// max returns the largest data-blob size.
func (s sizeStats) max() units.Bytes {
	switch s.d.Kind {
	case SizeUniform:
		return s.d.Max
	case SizeWeighted:
		var m units.Bytes
		for _, w := range s.d.Weighted {
			m = max(m, w.Size)
		}
		return m
	default:
		return s.d.Fixed
	}
}

// expect returns E[f(size)] for fixed and weighted distributions.
func (s sizeStats) expect(f func(float64) float64) float64 {
	switch s.d.Kind {
	case SizeWeighted:
		var sum, wsum float64
		for _, w := range s.d.Weighted {
			sum += w.Weight * f(float64(w.Size))
			wsum += w.Weight
		}
		return sum / wsum
	default:
		return f(float64(s.d.Fixed))
	}
}

// meanUnits returns E[⌈(size+add)/unit⌉]: billed units per record when
// each record is rounded up to whole units. A uniform range is treated as
// continuous: with G(x) = ∫₀ˣ⌈t/u⌉dt = u·m(m+1)/2 + (x−m·u)(m+1), m=⌊x/u⌋,
// E = (G(b)−G(a))/(b−a).
func (s sizeStats) meanUnits(add, unit float64) float64 {
	if s.d.Kind == SizeUniform && s.d.Max > s.d.Min {
		a, b := float64(s.d.Min)+add, float64(s.d.Max)+add
		g := func(x float64) float64 {
			m := float64(ceilCount(x/unit) - 1)
			if m < 0 {
				m = 0
			}
			return unit*m*(m+1)/2 + (x-m*unit)*(m+1)
		}
		return (g(b) - g(a)) / (b - a)
	}
	return s.expect(func(x float64) float64 { return float64(ceilCount((x + add) / unit)) })
}

// meanAtLeast returns E[max(floor, size+add)]: billed bytes when every
// record is billed at least floor bytes.
func (s sizeStats) meanAtLeast(add, floor float64) float64 {
	if s.d.Kind == SizeUniform && s.d.Max > s.d.Min {
		a, b := float64(s.d.Min)+add, float64(s.d.Max)+add
		switch {
		case floor <= a:
			return (a + b) / 2
		case floor >= b:
			return floor
		default:
			return (floor*(floor-a) + (b*b-floor*floor)/2) / (b - a)
		}
	}
	return s.expect(func(x float64) float64 { return max(floor, x+add) })
}
