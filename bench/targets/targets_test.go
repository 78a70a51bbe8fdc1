package targets

import (
	"strings"
	"testing"
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
