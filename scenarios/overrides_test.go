package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

func TestOverridesApply(t *testing.T) {
	t.Parallel()
	w := model.Workload{
		Rate:       3000,
		RecordSize: model.SizeDist{Kind: model.SizeFixed, Fixed: units.KB},
		Consumers: []model.Consumer{
			{Name: "lambda", Kind: model.ConsumerShared, Lambda: &model.LambdaConsumer{BatchSize: 500}},
			{Name: "analytics", Kind: model.ConsumerEFO},
		},
	}
	rate := units.EventRate(5000)
	size := 2 * units.KiB
	two, zero := 2, 0
	dist := "zipf:1.1"
	o := Overrides{Rate: &rate, RecordSize: &size, Consumers: &two, EFOConsumers: &zero, KeyDistribution: &dist}
	if err := o.Apply(&w); err != nil {
		t.Fatal(err)
	}
	if w.Rate != 5000 || w.RecordSize.Fixed != 2048 || w.RecordSize.Kind != model.SizeFixed {
		t.Fatalf("rate/size not applied: %+v", w)
	}
	if len(w.Consumers) != 2 || w.Consumers[0].Name != "shared-1" || w.Consumers[1].Name != "shared-2" {
		t.Fatalf("consumers = %+v", w.Consumers)
	}
	// The scenario's Lambda settings carry over to the generated consumers.
	if w.Consumers[1].Lambda == nil || w.Consumers[1].Lambda.BatchSize != 500 {
		t.Fatalf("lambda settings lost: %+v", w.Consumers[1])
	}
	if w.Keys.Distribution != (model.KeyDist{Kind: model.KeysZipf, S: 1.1}) {
		t.Fatalf("distribution = %+v", w.Keys.Distribution)
	}
}

func TestParseKeyDistribution(t *testing.T) {
	t.Parallel()
	good := map[string]model.KeyDist{
		"uniform":   {Kind: model.KeysUniform},
		"zipf:0.8":  {Kind: model.KeysZipf, S: 0.8},
		"hot:0.5:3": {Kind: model.KeysHot, HotFraction: 0.5, HotKeys: 3},
	}
	for in, want := range good {
		got, err := ParseKeyDistribution(in)
		if err != nil || got != want {
			t.Errorf("ParseKeyDistribution(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	bad := map[string]string{
		"zipf":        "needs its exponent",
		"zipf:-1":     "> 0",
		"hot:1.5:3":   "(0, 1]",
		"hot:0.5:0":   "≥ 1",
		"normal":      `unknown distribution "normal"`,
		"uniform:1":   "no parameters",
		"hot:0.5":     "a fraction and a key count",
		"zipf:abc":    "> 0",
		"hot:x:3":     "(0, 1]",
		"hot:0.5:1.5": "≥ 1",
	}
	for in, want := range bad {
		_, err := ParseKeyDistribution(in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "accepted:") {
			t.Errorf("ParseKeyDistribution(%q) error = %v; want it to mention %q and the accepted forms", in, err, want)
		}
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	rate := units.EventRate(500)
	w, err := Resolve("kds-3000x1kb", Overrides{Rate: &rate})
	if err != nil {
		t.Fatal(err)
	}
	if w.Name != "kds-3000x1kb" || w.Rate != 500 || w.Headroom == 0 {
		t.Fatalf("resolved %+v", w)
	}
	// Flags alone must name a rate: the error says which field and why.
	_, err = Resolve("", Overrides{})
	if err == nil || !strings.Contains(err.Error(), "rate") {
		t.Fatalf("want a rate error, got %v", err)
	}
	if _, err := Resolve("no-such-scenario", Overrides{}); err == nil || !strings.Contains(err.Error(), "no-such-scenario") {
		t.Fatalf("want unknown scenario error, got %v", err)
	}
}

// TestPlannerOverrides: --key-length, --current-shards, --backlog and
// --replay-within set the scenario fields they mirror.
func TestPlannerOverrides(t *testing.T) {
	kl, cs := 24, 4
	bl, rw := units.Duration(7*24*time.Hour), units.Duration(24*time.Hour)
	w, err := Resolve("cdc-replay", Overrides{KeyLength: &kl, CurrentShards: &cs, Backlog: &bl, ReplayWithin: &rw})
	if err != nil {
		t.Fatal(err)
	}
	if w.Keys.Length != 24 || w.CurrentShards != 4 || w.Replay == nil || w.Replay.Backlog != bl || w.Replay.Within != rw {
		t.Errorf("workload keys %+v, current %d, replay %+v", w.Keys, w.CurrentShards, w.Replay)
	}
	long := units.Duration(400 * 24 * time.Hour)
	if _, err := Resolve("cdc-replay", Overrides{Backlog: &long}); err == nil || !strings.Contains(err.Error(), `replay.backlog "400d": must be between 0s (the whole retention) and the retention (365d)`) {
		t.Errorf("backlog beyond retention: %v", err)
	}
}
