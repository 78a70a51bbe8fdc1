package search

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fakeOutcome is the fake 1,000/s search with what Run adds.
func fakeOutcome(t *testing.T) *Outcome {
	t.Helper()
	f := fakeTarget{capacity: 1000}
	out, err := Search(t.Context(), f.trial, Options{From: 100, Warmup: time.Second, Trial: 2 * time.Second, Confirm: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	out.Target, out.Shards, out.Workload, out.PredictedRate = "embedded", 1, "1kb", 1000
	out.ElapsedNS = int64(2*time.Minute + 31*time.Second)
	return out
}

func TestWriteTextGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteText(&b, fakeOutcome(t)); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "search.txt")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("text output differs from %s (go test -update to accept):\n%s", golden, b.String())
	}
}

func TestJSONContract(t *testing.T) {
	out := fakeOutcome(t)
	var b bytes.Buffer
	if err := WriteJSON(&b, out); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema", "sustainable_rate", "failing_rate", "confirmed", "trials"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if raw["schema"] != SchemaVersion || raw["sustainable_rate"] != 1000.0 || raw["failing_rate"] != 1013.0 || raw["confirmed"] != true {
		t.Errorf("schema %v sustainable %v failing %v confirmed %v", raw["schema"], raw["sustainable_rate"], raw["failing_rate"], raw["confirmed"])
	}
	first := raw["trials"].([]any)[4].(map[string]any) // 1,600/s: failed
	for _, k := range []string{"rate", "passed", "reasons", "achieved_rate", "response_p99_ns", "throttles", "errors"} {
		if _, ok := first[k]; !ok {
			t.Errorf("trial JSON lacks %q: %v", k, first)
		}
	}
	if first["rate"] != 1600.0 || first["passed"] != false || first["throttles"] != 1200.0 || first["response_p99_ns"] != 8e8 {
		t.Errorf("trial 5 = %v", first)
	}
	back, err := ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if back.SustainableRate != out.SustainableRate || len(back.Trials) != len(out.Trials) || !slices.Equal(back.Trials[4].Reasons, out.Trials[4].Reasons) {
		t.Errorf("round trip changed the outcome: %+v", back)
	}
	if _, err := ReadJSON(bytes.NewReader([]byte(`{"schema":"streamcap.bench.result/v1"}`))); err == nil {
		t.Error("ReadJSON accepted a bench result")
	}
}

func TestHeadroom(t *testing.T) {
	for _, tc := range []struct {
		shards          int
		sustained, peak float64
		want            string
	}{
		{4, 3940, 3000, "4 shards sustain up to 3,940/s: 31.3 % above the peak of 3,000/s"},
		{1, 990, 1100, "1 shard sustains up to 990/s: 10 % below the peak of 1,100/s"},
		{2, 1500, 0, "2 shards sustain up to 1,500/s"},
		{2, 2000, 1000, "2 shards sustain up to 2,000/s: 100 % above the peak of 1,000/s"},
		{3, 3030, 3000, "3 shards sustain up to 3,030/s: 1 % above the peak of 3,000/s"},
	} {
		if got := Headroom(tc.shards, tc.sustained, tc.peak); got != tc.want {
			t.Errorf("Headroom(%d, %v, %v) = %q; want %q", tc.shards, tc.sustained, tc.peak, got, tc.want)
		}
	}
}
