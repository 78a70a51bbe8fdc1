package model

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestDefaultPricesComplete(t *testing.T) {
	p := DefaultPrices()
	if p.Region != "us-east-1" || p.HoursPerMonth.Value != 730 {
		t.Errorf("region %q, hours %v", p.Region, p.HoursPerMonth.Value)
	}
	figs := p.Figures()
	if len(figs) < 60 {
		t.Errorf("only %d figures", len(figs))
	}
	for _, f := range figs {
		if !strings.HasPrefix(f.Source, "http") || f.Read == "" || f.Unit == "" {
			t.Errorf("%s lacks provenance: %+v", f.Path, f.Figure)
		}
	}
	d := p.Devices[p.DefaultDevice]
	if !strings.Contains(d.Status, "no longer available to new customers") || len(d.Successors) < 3 {
		t.Errorf("default device must carry the Snowball closure and successors: %+v", d)
	}
	// Quotas the planner depends on, as the fact sheet states them.
	k := p.Kinesis
	for name, got := range map[string][2]float64{
		"shard write bytes":  {k.ShardWriteBytes.Value, 1 << 20},
		"shard write recs":   {k.ShardWriteRecords.Value, 1000},
		"shard read bytes":   {k.ShardReadBytes.Value, 2 << 20},
		"read calls":         {k.ShardReadCalls.Value, 5},
		"efo bytes":          {k.EFOReadBytes.Value, 2 << 20},
		"efo max":            {k.EFOMaxConsumers.Value, 20},
		"getrecords records": {k.GetRecordsMaxRecords.Value, 10000},
		"getrecords bytes":   {k.GetRecordsMaxBytes.Value, 10 << 20},
		"max record":         {k.MaxRecordBytesDefault.Value, 1 << 20},
		"max record limit":   {k.MaxRecordBytesLimit.Value, 10 << 20},
		"put unit":           {k.PutPayloadUnitBytes.Value, 25000},
		"on-demand start":    {k.OnDemandInitialWrite.Value, 4e6},
		"on-demand 2x":       {k.OnDemandPeakMultiplier.Value, 2},
	} {
		if got[0] != got[1] {
			t.Errorf("%s = %v, want %v", name, got[0], got[1])
		}
	}
}

func TestLoadPricesRoundTrip(t *testing.T) {
	p, err := LoadPrices(bytes.NewReader(DefaultPricesYAML()))
	if err != nil {
		t.Fatal(err)
	}
	// An override file changes what plans cost.
	override := strings.Replace(string(DefaultPricesYAML()), "value: 0.015\n    unit: USD per shard-hour\n", "value: 0.03\n    unit: USD per shard-hour\n", 1)
	q, err := LoadPrices(strings.NewReader(override))
	if err != nil {
		t.Fatal(err)
	}
	if p.Kinesis.ShardHourUSD.Value != 0.015 || q.Kinesis.ShardHourUSD.Value != 0.03 {
		t.Fatalf("shard-hour %v / %v", p.Kinesis.ShardHourUSD.Value, q.Kinesis.ShardHourUSD.Value)
	}
	a, _ := PlanKinesis(seed(), p)
	b, _ := PlanKinesis(seed(), q)
	if !near(b.MonthlyUSD-a.MonthlyUSD, 4*730*0.015, 1e-9) {
		t.Errorf("doubling the shard-hour price added %v, want %v", b.MonthlyUSD-a.MonthlyUSD, 4*730*0.015)
	}
}

func TestLoadPricesErrors(t *testing.T) {
	base := string(DefaultPricesYAML())
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"missing figure", strings.Replace(base, "  shard_hour_usd:", "  removed_shard_hour_usd:", 1), "field removed_shard_hour_usd not found"},
		{"figure absent", removeBlock(base, "  efo_retrieval_gb_usd:"), "figure kinesis.efo_retrieval_gb_usd is missing"},
		{"no value", strings.Replace(base, "    value: 0.013\n", "", 1), "figure kinesis.efo_retrieval_gb_usd has no value"},
		{"negative", strings.Replace(base, "value: 0.013\n", "value: -1\n", 1), "figure kinesis.efo_retrieval_gb_usd value -1: must be a finite number >= 0"},
		{"zero quota", strings.Replace(base, "value: 1000\n    unit: records/s per shard", "value: 0\n    unit: records/s per shard", 1), "figure kinesis.shard_write_records value 0: must be > 0"},
		{"bad date", strings.Replace(base, "read: 2026-11-24", "read: yesterday", 1), `figure hours_per_month read date "yesterday": must be YYYY-MM-DD`},
		{"no source", strings.Replace(base, "  source: https://aws.amazon.com/kinesis/data-streams/pricing/\n", "", 1), "figure hours_per_month has no source"},
		{"device figure", strings.Replace(base, "    job_fee_usd:\n      value: 500\n", "    job_fee_usd:\n", 1), "figure devices.snowball-edge-storage-210tb.job_fee_usd has no value"},
		{"default device", strings.Replace(base, "default_device: snowball-edge-storage-210tb", "default_device: snowcone", 1), `default_device "snowcone": must be one of aws-data-transfer-terminal, google-transfer-appliance-ta100, snowball-50tb`},
		{"no region", strings.Replace(base, "region: us-east-1", "region: \"\"", 1), "region is missing"},
		{"not yaml", "{{{", "invalid price table"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadPrices(strings.NewReader(tc.yaml))
			if !errors.Is(err, ErrPrices) {
				t.Fatalf("error %v, want ErrPrices", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// removeBlock deletes the YAML mapping entry starting at the line key and
// its more-indented lines.
func removeBlock(s, key string) string {
	lines := strings.Split(s, "\n")
	var out []string
	skip := false
	indent := len(key) - len(strings.TrimLeft(key, " "))
	for _, l := range lines {
		if strings.HasPrefix(l, key) {
			skip = true
			continue
		}
		if skip && (len(l)-len(strings.TrimLeft(l, " ")) > indent) {
			continue
		}
		skip = false
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// FuzzLoadPrices: any input either loads into a table whose every figure
// is finite, non-negative and sourced, or fails with ErrPrices; never panics.
func FuzzLoadPrices(f *testing.F) {
	f.Add(string(DefaultPricesYAML()))
	f.Add("region: x\nversion: y\n")
	f.Add("hours_per_month: {value: .nan, unit: h, source: s, read: 2026-01-01}")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := LoadPrices(strings.NewReader(s))
		if err != nil {
			if !errors.Is(err, ErrPrices) {
				t.Fatalf("error %v does not wrap ErrPrices", err)
			}
			return
		}
		for _, fg := range p.Figures() {
			if fg.Value < 0 || fg.Source == "" {
				t.Fatalf("loaded a bad figure %s: %+v", fg.Path, fg.Figure)
			}
		}
	})
}
