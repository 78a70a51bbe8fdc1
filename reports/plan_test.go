package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamcap/streamcap/model"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./reports -update to accept):\n--- got\n%s", name, got)
	}
}

// seedPlan is the bundled seed (3000 × 1 KB/s, one Lambda consumer) at
// headroom 1.0, compared with every system, with random partition keys
// (1/N per shard) so the count is the arithmetic's 3 (the seed's 10000
// fixed keys need 4: model.TestSeedUniformAtHeadroom1).
func seedPlan(t *testing.T) *model.PlanResult {
	t.Helper()
	w := model.Workload{
		Name:       "kds-3000x1kb",
		Rate:       3000,
		RecordSize: model.SizeDist{Kind: model.SizeFixed, Fixed: 1000},
		Consumers:  []model.Consumer{{Name: "lambda", Kind: model.ConsumerShared, Lambda: &model.LambdaConsumer{}}},
		Headroom:   1,
		Keys:       model.KeySpec{Distribution: model.KeyDist{Kind: model.KeysRandom}},
	}
	r, err := model.Plan(w, model.DefaultPrices(), model.PlanOptions{Compare: []string{"all"}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// skewedPlan is a clickstream-like workload with a hot key and EFO.
func skewedPlan(t *testing.T) *model.PlanResult {
	t.Helper()
	w := model.Workload{
		Name:       "clickstream",
		Rate:       3000,
		PeakFactor: 3,
		RecordSize: model.SizeDist{Kind: model.SizeUniform, Min: 200, Max: 2000},
		Keys:       model.KeySpec{Distribution: model.KeyDist{Kind: model.KeysHot, HotFraction: 0.5, HotKeys: 1}},
		Consumers:  []model.Consumer{{Name: "a"}, {Name: "analytics", Kind: model.ConsumerEFO}},
		Retention:  7 * 24 * 3600e9,
	}
	r, err := model.Plan(w, model.DefaultPrices(), model.PlanOptions{Mode: model.ModeBoth, Compare: []string{"kafka"}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRenderPlanGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		plan func(*testing.T) *model.PlanResult
	}{{"plan_seed", seedPlan}, {"plan_skewed", skewedPlan}} {
		r := tc.plan(t)
		for ext, render := range map[string]func(*bytes.Buffer, *model.PlanResult) error{
			"txt":  func(b *bytes.Buffer, r *model.PlanResult) error { return RenderPlanText(b, r) },
			"md":   func(b *bytes.Buffer, r *model.PlanResult) error { return RenderPlanMarkdown(b, r) },
			"json": func(b *bytes.Buffer, r *model.PlanResult) error { return RenderPlanJSON(b, r) },
		} {
			var b bytes.Buffer
			if err := render(&b, r); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+"."+ext, b.Bytes())
		}
	}
}

// TestPlanJSONShape checks the documented paths (docs/plan-json.md).
func TestPlanJSONShape(t *testing.T) {
	var b bytes.Buffer
	if err := RenderPlanJSON(&b, seedPlan(t)); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Kinesis map[string]struct {
			Shards       int                `json:"shards"`
			BindingLimit string             `json:"binding_limit"`
			Utilization  map[string]float64 `json:"utilization"`
			MonthlyUSD   float64            `json:"monthly_usd"`
			LineItems    []map[string]any   `json:"line_items"`
		} `json:"kinesis"`
		Compare map[string]struct {
			MonthlyUSD float64          `json:"monthly_usd"`
			LineItems  []map[string]any `json:"line_items"`
		} `json:"compare"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	prov := doc.Kinesis["provisioned"]
	if prov.Shards != 3 || prov.BindingLimit != "write_records" || prov.Utilization["write_records"] != 1 || len(prov.Utilization) != 5 {
		t.Errorf("provisioned %+v", prov)
	}
	for _, k := range []string{"name", "quantity", "unit", "unit_usd", "monthly_usd"} {
		if _, ok := prov.LineItems[0][k]; !ok {
			t.Errorf("line item lacks %q: %v", k, prov.LineItems[0])
		}
	}
	if doc.Kinesis["on_demand"].MonthlyUSD == 0 || len(doc.Compare) != 8 || doc.Compare["kafka"].MonthlyUSD == 0 || doc.Compare["kafka-express"].MonthlyUSD == 0 {
		t.Errorf("on_demand or compare missing: %+v", doc)
	}
}

func TestRenderTextHighlightsBinding(t *testing.T) {
	var b bytes.Buffer
	if err := RenderPlanText(&b, seedPlan(t)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"KINESIS PROVISIONED: 3 shards, binding limit write_records", ">> write_records", "<< BINDING", "SIDE BY SIDE", "WHY"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q", want)
		}
	}
}

func transfer80(t *testing.T) (*model.TransferPlan, []model.TransferPoint) {
	t.Helper()
	tr := model.Transfer{Data: 80e12, Link: 1e9, Utilization: 1, Efficiency: 1}
	p := model.DefaultPrices()
	tp, err := model.PlanTransfer(tr, p)
	if err != nil {
		t.Fatal(err)
	}
	links, err := model.LogSpace(100e6, 100e9, 4)
	if err != nil {
		t.Fatal(err)
	}
	sw, err := model.SweepTransfer(tr, p, links)
	if err != nil {
		t.Fatal(err)
	}
	return &tp, sw
}

func TestRenderTransferGolden(t *testing.T) {
	tp, sw := transfer80(t)
	for ext, render := range map[string]func(*bytes.Buffer) error{
		"txt":  func(b *bytes.Buffer) error { return RenderTransferText(b, tp, sw) },
		"md":   func(b *bytes.Buffer) error { return RenderTransferMarkdown(b, tp, sw) },
		"json": func(b *bytes.Buffer) error { return RenderTransferJSON(b, tp, nil) },
	} {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatal(err)
		}
		golden(t, "transfer_80tb."+ext, b.Bytes())
	}
	var b bytes.Buffer
	if err := RenderTransferJSON(&b, tp, nil); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Network struct{ Seconds, Days float64 }
		Device  struct {
			Days  float64
			Count int
			USD   float64 `json:"usd"`
		}
		Faster       string
		CrossoverBPS float64 `json:"crossover_bps"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Network.Seconds != 640000 || doc.Device.Count != 1 || doc.Faster != "network" || doc.CrossoverBPS == 0 || doc.Device.USD != 500 {
		t.Errorf("transfer JSON %+v", doc)
	}
}

func TestRenderPrices(t *testing.T) {
	p := model.DefaultPrices()
	var b bytes.Buffer
	if err := RenderPricesText(&b, p); err != nil {
		t.Fatal(err)
	}
	// Every figure exact, never in exponent form: 1 GiB and the Lambda GB-second price.
	for _, want := range []string{"kinesis.shard_hour_usd", "0.015", "1,073,741,824", "0.0000166667", "no longer available to new customers", "AWS DataSync"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("prices text lacks %q", want)
		}
	}
	if strings.Contains(b.String(), "e+") || strings.Contains(b.String(), "e-0") {
		t.Errorf("prices text has a number in exponent form:\n%s", b.String())
	}
	b.Reset()
	if err := RenderPricesMarkdown(&b, p); err != nil || !strings.Contains(b.String(), "| kinesis.put_payload_unit_bytes | 25,000 |") {
		t.Errorf("prices markdown: %v\n%s", err, b.String())
	}
	b.Reset()
	if err := RenderPricesJSON(&b, p); err != nil {
		t.Fatal(err)
	}
	q, err := model.LoadPrices(&b) // JSON is YAML: the JSON output loads back.
	if err != nil || q.Kinesis.ShardHourUSD.Value != 0.015 {
		t.Errorf("JSON price table does not load back: %v", err)
	}
}

// failWriter fails after n bytes.
type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk full")
	}
	f.n -= len(p)
	return len(p), nil
}

func TestRenderersReturnWriteErrors(t *testing.T) {
	r := seedPlan(t)
	tp, sw := transfer80(t)
	for name, err := range map[string]error{
		"text":          RenderPlanText(&failWriter{n: 100}, r),
		"markdown":      RenderPlanMarkdown(&failWriter{n: 100}, r),
		"json":          RenderPlanJSON(&failWriter{n: 0}, r),
		"transfer text": RenderTransferText(&failWriter{n: 10}, tp, sw),
		"transfer md":   RenderTransferMarkdown(&failWriter{n: 10}, tp, sw),
	} {
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%s: error %v, want disk full", name, err)
		}
	}
}

func TestFormatters(t *testing.T) {
	for got, want := range map[string]string{
		usd(1234567.891): "1,234,567.89", usd(-0.001): "0.00", usd(-12.5): "-12.50",
		qty(2920): "2,920", qty(7518.768): "7,519", qty(0.1514): "0.1514", qty(-0.0097): "-0.0097",
		si(3048000, "B/s"): "3.05 MB/s", si(1e9, "bps"): "1 Gbps", si(999.6, "B"): "1 kB", si(0, "B"): "0 B",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// TestRenderTransferTiny: 1 B over 1 Gbps at 0.8 × 0.95 takes 8 / 7.6e8 s =
// 10.5 ns; a device round trip is 10 days of shipping and 1 of handling
// (copying 1 B at the profile's 839 MB/s fill rate takes 1.19 ns); the crossover (1.2e-5 bps) names
// no real link, so none is printed.
func TestRenderTransferTiny(t *testing.T) {
	tp, err := model.PlanTransfer(model.Transfer{Data: 1, Link: 1e9, Utilization: 0.8, Efficiency: 0.95}, model.DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := RenderTransferText(&b, &tp, nil); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"    network    10.5 ns  at 760 Mbps goodput\n",
		"    device     11 days  1 × ",
		"2 × 5 days shipping + 1.19 ns copy at 839 MB/s + 1 day handling + 1.19 ns ingest; 500.00 USD",
		"    crossover     none  every link of 1 kbps or more beats shipping\n",
		"= 1 device\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transfer text lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"e-0", "e+", "0 bps", "1 devices"} {
		if strings.Contains(out, bad) {
			t.Errorf("transfer text has %q:\n%s", bad, out)
		}
	}
	b.Reset()
	if err := RenderTransferMarkdown(&b, &tp, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Crossover: none; every link of 1 kbps or more beats shipping.") {
		t.Errorf("transfer markdown:\n%s", b.String())
	}
}
