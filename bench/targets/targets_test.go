package targets

import (
	"strings"
	"testing"

	"github.com/streamcap/streamcap/model"
)

func TestNew(t *testing.T) {
	t.Parallel()
	d, err := New(Options{Shards: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if got := d.Info().Name; got != Embedded {
		t.Fatalf("default target = %q, want embedded", got)
	}
	bad := []struct {
		o    Options
		want string
	}{
		{Options{Target: "pulsar"}, `target "pulsar": must be one of embedded, kinesis, kafka`},
		{Options{Target: Embedded, Consumer: "pull"}, "pull"},
		{Options{Target: Kafka, Brokers: []string{"127.0.0.1:9092"}, Acks: "some"}, "some"},
		{Options{Target: Kafka}, "Brokers"},
	}
	for _, tc := range bad {
		d, err := New(tc.o)
		if err != nil && d != nil {
			t.Errorf("New(%+v) returned a non-nil driver with its error", tc.o)
		}
		if err == nil {
			d.Close()
			t.Errorf("New(%+v): want error", tc.o)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) error %q lacks %q", tc.o, err, tc.want)
		}
	}
}

func TestScenarioShards(t *testing.T) {
	seed := model.Workload{Rate: 3000, RecordSize: model.SizeDist{Kind: model.SizeFixed, Fixed: 1000}, Headroom: 0.8}
	withBench := seed
	withBench.Bench = &model.BenchSpec{Shards: 7}
	for _, tc := range []struct {
		name   string
		given  int
		target string
		w      model.Workload
		want   int
	}{
		{"given wins", 2, Embedded, withBench, 2},
		{"scenario's bench block", 0, Kinesis, withBench, 7},
		// ⌈3000 / (1000 × 0.8)⌉ = 4 shards on write records.
		{"the plan's count", 0, Embedded, seed, 4},
		{"kafka keeps its driver's default", 0, Kafka, seed, 0},
	} {
		got, err := ScenarioShards(tc.given, tc.target, tc.w, model.DefaultPrices())
		if err != nil || got != tc.want {
			t.Errorf("%s: %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
}
