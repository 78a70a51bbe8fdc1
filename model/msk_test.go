package model

import (
	"strings"
	"testing"
)

// TestMSKSizing: the binding limit among throughput, CPU, partitions,
// storage and brokers per cluster.
func TestMSKSizing(t *testing.T) {
	p := DefaultPrices()
	// Seed ×10: 30,000 × 1016 B = 30.48 MB/s, headroom 1, 1 consumer group.
	// kafka.m5.large: CPU-safe ingress 4.8125 MB/s → 30.48 / 4.8125 =
	// 6.334 brokers (EBS network 30.48 × 3 / 81.25 = 1.13; EC2 network
	// 30.48 × (1 + 3 − 1) / 93.75 = 0.98) → 9 brokers (3 AZs):
	// 9 × 730 × 0.21 = 1379.70 USD. kafka.m5.4xlarge needs only 3 (RF)
	// but costs 3 × 730 × 1.68 = 3679.20, so m5.large is chosen.
	w := seed()
	w.Rate = 30000
	w.Headroom = 1
	r, err := Plan(w, p, PlanOptions{Compare: []string{"kafka"}})
	if err != nil {
		t.Fatal(err)
	}
	k := r.Compare[SystemKafka]
	if k.Sizing["brokers"] != 9 || k.Sizing["clusters"] != 1 || !strings.Contains(k.Title, "kafka.m5.large") {
		t.Errorf("kafka sizing %v (%s)", k.Sizing, k.Title)
	}
	if it := findItem(t, k.LineItems, "kafka.m5.large broker-hours"); !near(it.MonthlyUSD, 1379.7, 1e-9) {
		t.Errorf("broker-hours %+v", it)
	}
	if !strings.Contains(strings.Join(k.Notes, " "), "binding limit: cpu_ingress (6.334") {
		t.Errorf("notes %q", k.Notes)
	}
	if r.Compare[SystemKafkaServerless] == nil || r.Compare[SystemKafkaExpress] == nil {
		t.Errorf("30 MB/s, 24 h fits Serverless and Express: %v", r.Compare)
	}

	// cdc-replay: 5000 × (2750 + 20) B × 365 d × 3 replicas = 1.3104 PB;
	// / 16 TiB = 74.48 → 75 brokers for every broker type: more than one
	// KRaft cluster's 60, so the row warns and says 2 clusters; Serverless
	// (24 h retention) does not fit.
	r, err = Plan(cdcReplay(), p, PlanOptions{Compare: []string{"kafka"}})
	if err != nil {
		t.Fatal(err)
	}
	k = r.Compare[SystemKafka]
	stored := 5000 * 2770.0 * 365 * 86400 * 3
	if k.Sizing["brokers"] != 75 || k.Sizing["clusters"] != 2 || !near(k.Sizing["storage_gb"], round3(stored/(1<<30)), 1e-12) {
		t.Errorf("cdc-replay kafka sizing %v", k.Sizing)
	}
	var binding []string
	for _, lim := range k.Limits {
		if lim.Binding {
			binding = append(binding, lim.Limit)
		}
	}
	if len(k.Limits) != 7 || strings.Join(binding, ",") != "storage" {
		t.Errorf("limits %+v, want 7 with storage binding", k.Limits)
	}
	if k.Sizing["storage_per_broker_gb"] > 16384 {
		t.Errorf("a broker holds %v GB, above 16 TiB", k.Sizing["storage_per_broker_gb"])
	}
	if !strings.Contains(strings.Join(k.Warnings, " "), "more than one cluster's 60 brokers: split into 2 clusters") {
		t.Errorf("warnings %q", k.Warnings)
	}
	if r.Compare[SystemKafkaServerless] != nil || !strings.Contains(strings.Join(k.Notes, " "), "Serverless does not fit: retention") {
		t.Errorf("serverless should not fit 365 d: %q", k.Notes)
	}
}
