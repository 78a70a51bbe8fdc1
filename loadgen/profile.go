package loadgen

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/streamcap/streamcap/model/units"
)

// ProfileKind names a rate profile.
type ProfileKind string

// Rate profiles.
const (
	// ProfileConstant sends at Rate for the whole run.
	ProfileConstant ProfileKind = "constant"
	// ProfileRamp changes the rate linearly from From to To over Over, then
	// holds To.
	ProfileRamp ProfileKind = "ramp"
	// ProfileSteps sends at each step's rate for its duration, in order; the
	// profile (and so the run) ends after the last step.
	ProfileSteps ProfileKind = "steps"
	// ProfileMax is a closed loop: Workers senders each send again as soon
	// as the previous send returns, to find the target's ceiling. Response
	// time equals service time there (there is no schedule to be late for).
	ProfileMax ProfileKind = "max"
)

// Step is one constant-rate stretch of a ProfileSteps profile.
type Step struct {
	Rate units.EventRate `json:"rate" yaml:"rate"`
	For  units.Duration  `json:"for" yaml:"for"`
}

// Profile is the shape of the send rate over time. The zero value is invalid;
// build one with Constant, Ramp, Steps, Max or ParseProfile. Profile
// implements pflag.Value and encoding.TextUnmarshaler with the syntax of
// ParseProfile, so flags and YAML share it.
type Profile struct {
	Kind ProfileKind `json:"kind"`
	// Rate is the constant rate (ProfileConstant).
	Rate units.EventRate `json:"rate,omitempty"`
	// From, To and Over describe a ramp (ProfileRamp).
	From units.EventRate `json:"from,omitempty"`
	To   units.EventRate `json:"to,omitempty"`
	Over units.Duration  `json:"over,omitempty"`
	// Steps lists the stretches of a ProfileSteps profile.
	Steps []Step `json:"steps,omitempty"`
	// Workers is the closed-loop concurrency of ProfileMax.
	Workers int `json:"workers,omitempty"`
}

// Constant returns a profile sending at r.
func Constant(r units.EventRate) Profile { return Profile{Kind: ProfileConstant, Rate: r} }

// Ramp returns a profile whose rate moves linearly from from to to over d,
// then holds to.
func Ramp(from, to units.EventRate, d time.Duration) Profile {
	return Profile{Kind: ProfileRamp, From: from, To: to, Over: units.Duration(d)}
}

// Steps returns a profile of constant-rate steps run in order.
func Steps(steps ...Step) Profile { return Profile{Kind: ProfileSteps, Steps: steps} }

// Max returns the closed-loop profile with n workers.
func Max(n int) Profile { return Profile{Kind: ProfileMax, Workers: n} }

// Limits on profile values, checked by Validate.
const (
	// MaxRate is the highest accepted rate: 100M/s, far beyond what one
	// process can issue, so only typos hit it.
	MaxRate = 100e6
	// MaxWorkers bounds the closed-loop concurrency of ProfileMax.
	MaxWorkers = 100_000
)

const profileSyntax = "RATE (3000/s), ramp:FROM:TO:OVER (ramp:0/s:5k/s:60s), steps:RATE@FOR,... (steps:1k/s@30s,2k/s@30s), max or max:WORKERS (max:64)"

// ParseProfile parses a profile:
//
//	3000/s                       constant (also constant:3000/s)
//	ramp:0/s:5k/s:60s            ramp from 0 to 5000/s over 60 s, then hold
//	steps:1k/s@30s,2k/s@30s      1000/s for 30 s, then 2000/s for 30 s, then end
//	max:64                       closed loop with 64 workers (max alone: 16)
func ParseProfile(s string) (Profile, error) {
	in := strings.TrimSpace(s)
	bad := func(why string, err error) (Profile, error) {
		if err != nil {
			why += ": " + err.Error()
		}
		return Profile{}, fmt.Errorf("profile %s: %s (accepted: %s)", units.Quote(s), why, profileSyntax)
	}
	kind, rest, hasArgs := strings.Cut(in, ":")
	var p Profile
	switch ProfileKind(kind) {
	case ProfileConstant:
		r, err := units.ParseEventRate(rest)
		if err != nil {
			return bad("constant rate", err)
		}
		p = Constant(r)
	case ProfileRamp:
		parts := strings.Split(rest, ":")
		if !hasArgs || len(parts) != 3 {
			return bad("ramp needs FROM:TO:OVER", nil)
		}
		from, err := units.ParseEventRate(parts[0])
		if err != nil {
			return bad("ramp from", err)
		}
		to, err := units.ParseEventRate(parts[1])
		if err != nil {
			return bad("ramp to", err)
		}
		over, err := units.ParseDuration(parts[2])
		if err != nil {
			return bad("ramp duration", err)
		}
		p = Ramp(from, to, over.D())
	case ProfileSteps:
		if !hasArgs || rest == "" {
			return bad("steps needs RATE@FOR,...", nil)
		}
		p.Kind = ProfileSteps
		for _, st := range strings.Split(rest, ",") {
			rs, ds, ok := strings.Cut(st, "@")
			if !ok {
				return bad(fmt.Sprintf("step %s needs RATE@FOR", units.Quote(st)), nil)
			}
			r, err := units.ParseEventRate(rs)
			if err != nil {
				return bad("step rate", err)
			}
			d, err := units.ParseDuration(ds)
			if err != nil {
				return bad("step duration", err)
			}
			p.Steps = append(p.Steps, Step{Rate: r, For: d})
		}
	case ProfileMax:
		p = Max(DefaultMaxWorkers)
		if hasArgs {
			n, err := strconv.Atoi(rest)
			if err != nil {
				return bad("max workers must be an integer", nil)
			}
			p.Workers = n
		}
	default:
		if hasArgs {
			return bad("unknown profile kind "+strconv.Quote(kind), nil)
		}
		r, err := units.ParseEventRate(in)
		if err != nil {
			return bad("not a rate or profile", err)
		}
		p = Constant(r)
	}
	if err := p.Validate(); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// DefaultMaxWorkers is the closed-loop concurrency of "max" without a count.
const DefaultMaxWorkers = 16

// Validate checks every field of p against its accepted range.
func (p Profile) Validate() error {
	rate := func(field string, r units.EventRate, allowZero bool) error {
		v := r.PerSecond()
		if math.IsNaN(v) || v < 0 || v > MaxRate || (!allowZero && v == 0) {
			lo := "greater than 0/s"
			if allowZero {
				lo = "at least 0/s"
			}
			return fmt.Errorf("profile %s %s %q: must be %s and at most %v", p.Kind, field, r.String(), lo, units.EventRate(MaxRate))
		}
		return nil
	}
	switch p.Kind {
	case ProfileConstant:
		return rate("rate", p.Rate, false)
	case ProfileRamp:
		if err := rate("from", p.From, true); err != nil {
			return err
		}
		if err := rate("to", p.To, true); err != nil {
			return err
		}
		if p.From == 0 && p.To == 0 {
			return fmt.Errorf("profile ramp from 0/s to 0/s: at least one end must be above 0/s")
		}
		if p.Over <= 0 {
			return fmt.Errorf("profile ramp over %q: must be greater than 0s", p.Over.String())
		}
	case ProfileSteps:
		if len(p.Steps) == 0 {
			return fmt.Errorf("profile steps: needs at least one step")
		}
		total := 0.0
		for i, s := range p.Steps {
			if err := rate(fmt.Sprintf("step %d rate", i+1), s.Rate, true); err != nil {
				return err
			}
			if s.For <= 0 {
				return fmt.Errorf("profile steps step %d for %q: must be greater than 0s", i+1, s.For.String())
			}
			total += s.Rate.PerSecond() * s.For.Seconds()
		}
		if total < 1 {
			return fmt.Errorf("profile steps: the steps send %.3g records in total; must send at least 1", total)
		}
	case ProfileMax:
		if p.Workers < 1 || p.Workers > MaxWorkers {
			return fmt.Errorf("profile max workers %d: must be between 1 and %d", p.Workers, MaxWorkers)
		}
	default:
		return fmt.Errorf("profile kind %q: must be one of constant, ramp, steps, max", p.Kind)
	}
	return nil
}

// String formats p in the syntax ParseProfile reads.
func (p Profile) String() string {
	switch p.Kind {
	case ProfileConstant:
		return p.Rate.String()
	case ProfileRamp:
		return fmt.Sprintf("ramp:%s:%s:%s", p.From, p.To, p.Over)
	case ProfileSteps:
		parts := make([]string, len(p.Steps))
		for i, s := range p.Steps {
			parts[i] = s.Rate.String() + "@" + s.For.String()
		}
		return "steps:" + strings.Join(parts, ",")
	case ProfileMax:
		return fmt.Sprintf("max:%d", p.Workers)
	}
	return string(p.Kind)
}

// Set implements pflag.Value.
func (p *Profile) Set(s string) error {
	v, err := ParseProfile(s)
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Type implements pflag.Value.
func (*Profile) Type() string { return "profile" }

// UnmarshalText implements encoding.TextUnmarshaler (YAML and JSON strings).
func (p *Profile) UnmarshalText(b []byte) error { return p.Set(string(b)) }

// MarshalText implements encoding.TextMarshaler.
func (p Profile) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// InitialRate is the profile's rate at t = 0 (the rate of the warm-up), in
// records per second; 0 for ProfileMax.
func (p Profile) InitialRate() float64 {
	switch p.Kind {
	case ProfileConstant:
		return p.Rate.PerSecond()
	case ProfileRamp:
		return p.From.PerSecond()
	case ProfileSteps:
		return p.Steps[0].Rate.PerSecond()
	}
	return 0
}
