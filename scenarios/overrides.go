package scenarios

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// Overrides are workload fields given on the command line; a nil field was
// not given and leaves the scenario's value alone. Flags override the file.
type Overrides struct {
	Rate          *units.EventRate
	RecordSize    *units.Bytes
	MaxRecordSize *units.Bytes
	Retention     *units.Duration
	PeakFactor    *float64
	Headroom      *float64
	Keys          *int
	// KeyDistribution is "uniform", "zipf:S" or "hot:FRACTION:KEYS".
	KeyDistribution *string
	// Consumers and EFOConsumers replace the scenario's shared and
	// enhanced fan-out consumers with this many generated ones.
	Consumers    *int
	EFOConsumers *int
	PollInterval *units.Duration
	// KeyLength is the partition key length in bytes.
	KeyLength *int
	// CurrentShards is today's open shard count (plan adds reshard steps).
	CurrentShards *int
	// Backlog and ReplayWithin set the replay block (history to re-read,
	// time to finish in).
	Backlog      *units.Duration
	ReplayWithin *units.Duration
}

// Apply writes the given overrides into w. It checks only the syntax of
// compound flags; call w.Validate afterwards for ranges.
func (o Overrides) Apply(w *model.Workload) error {
	if o.Rate != nil {
		w.Rate = *o.Rate
	}
	if o.RecordSize != nil {
		w.RecordSize = model.SizeDist{Kind: model.SizeFixed, Fixed: *o.RecordSize}
	}
	if o.MaxRecordSize != nil {
		w.MaxRecordSize = *o.MaxRecordSize
	}
	if o.Retention != nil {
		w.Retention = *o.Retention
	}
	if o.PeakFactor != nil {
		w.PeakFactor = *o.PeakFactor
	}
	if o.Headroom != nil {
		// 0 would silently become the default headroom: a given 0 is an error.
		if !(*o.Headroom > 0 && *o.Headroom <= 1) {
			return fmt.Errorf("%w: headroom %v: must be more than 0 and at most 1 (highest utilisation of any limit to plan for)", ErrInvalid, *o.Headroom)
		}
		w.Headroom = *o.Headroom
	}
	if o.Keys != nil {
		w.Keys.Count = *o.Keys
	}
	if o.KeyLength != nil {
		w.Keys.Length = *o.KeyLength
	}
	if o.CurrentShards != nil {
		w.CurrentShards = *o.CurrentShards
	}
	if o.Backlog != nil || o.ReplayWithin != nil {
		r := model.ReplaySpec{}
		if w.Replay != nil {
			r = *w.Replay
		}
		if o.Backlog != nil {
			r.Backlog = *o.Backlog
		}
		if o.ReplayWithin != nil {
			r.Within = *o.ReplayWithin
		}
		w.Replay = &r
	}
	if o.KeyDistribution != nil {
		d, err := ParseKeyDistribution(*o.KeyDistribution)
		if err != nil {
			return err
		}
		w.Keys.Distribution = d
	}
	if o.Consumers != nil {
		w.Consumers = replaceConsumers(w.Consumers, model.ConsumerShared, *o.Consumers)
	}
	if o.EFOConsumers != nil {
		w.Consumers = replaceConsumers(w.Consumers, model.ConsumerEFO, *o.EFOConsumers)
	}
	if o.PollInterval != nil {
		for i := range w.Consumers {
			if w.Consumers[i].Kind != model.ConsumerEFO {
				w.Consumers[i].PollInterval = *o.PollInterval
			}
		}
	}
	return nil
}

// replaceConsumers swaps the consumers of one kind for n generated ones,
// copying the settings (Lambda, poll interval) of the first existing
// consumer of that kind so a scenario's Lambda settings carry over.
func replaceConsumers(cs []model.Consumer, kind model.ConsumerKind, n int) []model.Consumer {
	var template *model.Consumer
	out := make([]model.Consumer, 0, len(cs)+n)
	for i := range cs {
		isKind := cs[i].Kind == kind || (kind == model.ConsumerShared && cs[i].Kind == "")
		if isKind {
			if template == nil {
				c := cs[i]
				template = &c
			}
			continue
		}
		out = append(out, cs[i])
	}
	for i := 0; i < n; i++ {
		c := model.Consumer{Kind: kind}
		if template != nil {
			c = *template
			c.Kind = kind
		}
		c.Name = fmt.Sprintf("%s-%d", kind, i+1)
		out = append(out, c)
	}
	return out
}

// ParseKeyDistribution parses the --key-distribution flag: "uniform",
// "zipf:S" (S > 0, e.g. zipf:1.1), "hot:FRACTION:KEYS" (e.g. hot:0.5:3,
// half the traffic on 3 keys) or "random" (a fresh key per record).
func ParseKeyDistribution(s string) (model.KeyDist, error) {
	const accepted = "uniform, zipf:S (e.g. zipf:1.1), hot:FRACTION:KEYS (e.g. hot:0.5:3), random"
	bad := func(why string) (model.KeyDist, error) {
		return model.KeyDist{}, fmt.Errorf("key distribution %s: %s (accepted: %s)", units.Quote(s), why, accepted)
	}
	parts := strings.Split(strings.TrimSpace(s), ":")
	switch parts[0] {
	case "uniform":
		if len(parts) != 1 {
			return bad("uniform takes no parameters")
		}
		return model.KeyDist{Kind: model.KeysUniform}, nil
	case "random":
		if len(parts) != 1 {
			return bad("random takes no parameters")
		}
		return model.KeyDist{Kind: model.KeysRandom}, nil
	case "zipf":
		if len(parts) != 2 {
			return bad("zipf needs its exponent")
		}
		v, err := strconv.ParseFloat(parts[1], 64)
		if err != nil || v <= 0 {
			return bad("zipf exponent must be a number > 0")
		}
		return model.KeyDist{Kind: model.KeysZipf, S: v}, nil
	case "hot":
		if len(parts) != 3 {
			return bad("hot needs a fraction and a key count")
		}
		f, err := strconv.ParseFloat(parts[1], 64)
		if err != nil || f <= 0 || f > 1 {
			return bad("hot fraction must be in (0, 1]")
		}
		n, err := strconv.Atoi(parts[2])
		if err != nil || n < 1 {
			return bad("hot key count must be a whole number ≥ 1")
		}
		return model.KeyDist{Kind: model.KeysHot, HotFraction: f, HotKeys: n}, nil
	default:
		return bad("unknown distribution " + units.Quote(parts[0]))
	}
}

// Resolve builds the workload a command runs: the scenario ref (a file or a
// bundled name; "" starts from an empty workload named "command-line"),
// with the overrides applied, defaults filled and every field validated.
// Errors wrap ErrInvalid, ErrUnknown or model.ErrInvalidWorkload.
func Resolve(ref string, o Overrides) (*model.Workload, error) {
	w := &model.Workload{Name: "command-line"}
	if ref != "" {
		var err error
		if _, w, err = Open(ref); err != nil {
			return nil, err
		}
	}
	if err := o.Apply(w); err != nil {
		return nil, fmt.Errorf("flags: %w: %w", ErrInvalid, err)
	}
	w.Defaults()
	if err := w.Validate(); err != nil {
		if ref == "" {
			return nil, fmt.Errorf("flags: %w", err)
		}
		return nil, fmt.Errorf("scenario %q with flags: %w", ref, err)
	}
	return w, nil
}
