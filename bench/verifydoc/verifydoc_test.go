package verifydoc

import (
	"bytes"
	"strings"
	"testing"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/search"
	"github.com/streamcap/streamcap/model"
)

// TestReadJSON: a written outcome reads back with its reach; a document of
// another schema or without a provisioned plan is refused by name.
func TestReadJSON(t *testing.T) {
	t.Parallel()
	plan := &model.PlanResult{Kinesis: model.KinesisResult{Provisioned: &model.KinesisPlan{Shards: 4}}}
	o := &Outcome{Schema: Schema, Plan: plan, PeakRate: 3000, Holds: true,
		Planned: Run{Label: "planned: 4 shards", Shards: 4, Result: &bench.Result{}},
		Reach:   &Reach{Summary: "4 shards sustain up to 3,938/s: 31.3 % above the peak of 3,000/s", Search: &search.Outcome{Schema: search.SchemaVersion, SustainableRate: 3938}}}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, o); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	back, err := ReadJSON(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if back.Reach == nil || back.Reach.Summary != o.Reach.Summary || back.Reach.Search.SustainableRate != 3938 || back.Planned.Label != "planned: 4 shards" {
		t.Errorf("round trip: %+v", back)
	}
	for _, c := range []struct{ name, doc, want string }{
		{"other schema", strings.Replace(good, Schema, "streamcap.plan/v1", 1), `schema "streamcap.plan/v1": must be "streamcap.verify/v1"`},
		{"no plan", `{"schema": "streamcap.verify/v1"}`, "no provisioned plan"},
		{"not json", `{`, "read verify json"},
	} {
		if _, err := ReadJSON(strings.NewReader(c.doc)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want an error with %q", c.name, err, c.want)
		}
	}
}
