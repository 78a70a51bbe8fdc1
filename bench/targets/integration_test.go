package targets

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/driver/embedded"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// TestEmbeddedAt3000PerSecond drives the default target the way `streamcap
// bench` does: 3000 records/s of 1 KB for 3 s into 4 shards with limits on
// and one end-to-end consumer, on the virtual clock (synctest: the engine's
// token buckets, the pacer and the consumer all see the same fake time, so
// nothing depends on how busy the machine is). Exactly 9000 sends, all
// acknowledged at exactly 3000/s, the engine holds exactly the records that
// were acknowledged (warm-up included), and the consumer saw each one.
func TestEmbeddedAt3000PerSecond(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, err := New(Options{Target: Embedded, Shards: 4})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		w := model.Workload{
			Name: "it", Rate: 3000,
			RecordSize: model.SizeDist{Kind: model.SizeFixed, Fixed: units.KB},
			Keys:       model.KeySpec{Count: 10000, Length: 16, Distribution: model.KeyDist{Kind: model.KeysUniform}},
		}
		res, err := bench.Run(t.Context(), bench.Options{
			Target: Embedded, Workload: w, Duration: 3 * time.Second, Warmup: time.Second, Consumers: 1, Shards: 4, Seed: 7,
		}, d)
		if err != nil {
			t.Fatal(err)
		}
		if res.AchievedRate != 3000 {
			t.Errorf("achieved %v/s; want exactly 3000/s on the virtual clock", res.AchievedRate)
		}
		c := res.Counts
		if c.Sent != 9000 || c.Acked != c.Sent || c.Errors+c.Throttles != 0 {
			t.Errorf("counts %+v: want 9000 sent, all acked", c)
		}
		st, err := d.(*embedded.Driver).Engine().Stats(embedded.DefaultStream)
		if err != nil {
			t.Fatal(err)
		}
		var held int64
		for _, s := range st.Shards {
			held += s.Records
		}
		if want := c.Acked + c.WarmupSent; held != want {
			t.Errorf("engine holds %d records, want %d acked (%d measured + %d warm-up)", held, want, c.Acked, c.WarmupSent)
		}
		if res.E2E.Count != c.Acked {
			t.Errorf("consumer recorded %d end-to-end samples, want %d", res.E2E.Count, c.Acked)
		}
	})
}
