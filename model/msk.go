package model

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/streamcap/streamcap/model/units"
)

// Compared Amazon MSK variants beside Standard brokers (SystemKafka).
const (
	SystemKafkaExpress    = "kafka-express"
	SystemKafkaServerless = "kafka-serverless"
)

// mskSizing is one Standard broker type sized for a load.
type mskSizing struct {
	broker   string
	need     map[string]float64 // brokers needed per limit, before rounding
	binding  string
	brokers  int
	clusters int
	usd      float64
}

// mskLimits orders the limits of a Standard cluster in reports.
var mskLimits = []string{"storage_throughput", "ebs_network", "network_egress", "cpu_ingress", "partitions", "storage", "replication"}

// sizeMSKBroker sizes a Standard cluster of one broker type: brokers =
// max over the limits of the right-sizing equation (peak × r / storage
// throughput, peak × r / EBS network, peak × (consumers + r − 1) / EC2
// network, peak / CPU-safe ingress — each at headroom), partitions × r /
// partitions per broker, stored bytes / 16 TiB, and r; rounded up to a
// multiple of 3 AZs; clusters = ⌈brokers / 60⌉.
func sizeMSKBroker(name string, b MSKBroker, m *MSKFigures, peak, stored float64, parts, consumers int, h float64, x *explainer) mskSizing {
	r := m.ReplicationFactor.Value
	vol := min(m.VolumeThroughputBytes.Value, b.EBSNetworkBytes.Value)
	s := mskSizing{broker: name, need: map[string]float64{
		"storage_throughput": peak * r / (m.VolumeThroughputBytes.Value * h),
		"ebs_network":        peak * r / (b.EBSNetworkBytes.Value * h),
		"network_egress":     peak * (float64(consumers) + r - 1) / (b.NetworkBytes.Value * h),
		"cpu_ingress":        peak / (b.CPUIngressBytes.Value * h),
		"partitions":         float64(parts) * r / b.PartitionsPerBroker.Value,
		"storage":            stored / m.MaxStoragePerBroker.Value,
		"replication":        r,
	}}
	_ = vol
	best := 0.0
	for _, k := range mskLimits {
		if v := s.need[k]; v > best {
			best, s.binding = v, k
		}
	}
	s.brokers = (ceilCount(best) + 2) / 3 * 3
	s.clusters = int(math.Ceil(float64(s.brokers) / m.MaxBrokersPerCluster.Value))
	if x != nil {
		x.step(name+" brokers", "max(peak × r / (volume × h), peak × r / (EBS network × h), peak × (consumers + r − 1) / (network × h), peak / (CPU-safe ingress × h), partitions × r / per broker, stored / 16 TiB, r) → multiple of 3",
			float64(s.brokers), "brokers", "max(%v, %v, %v, %v, %v, %v, %v) (binding %s)",
			s.need["storage_throughput"], s.need["ebs_network"], s.need["network_egress"], s.need["cpu_ingress"], s.need["partitions"], s.need["storage"], r, s.binding)
	}
	return s
}

// planKafka sizes Amazon MSK Standard: partitions = ⌈peak / (partition
// target × headroom)⌉; every broker type of the table is sized by its
// binding limit (sizeMSKBroker) and the cheapest that fits one cluster
// (60 brokers) is chosen; storage = average bytes × retention × r. When
// no type fits one cluster the row says how many clusters it needs.
func planKafka(l kinesisLoad, p *Prices) *Alternative {
	var x explainer
	m := &p.MSK
	h, r := l.w.Headroom, m.ReplicationFactor.Value
	consumers := max(1, l.shared+l.efo)
	parts := max(1, ceilCount(x.step("partitions", "peak bytes / (partition target × headroom)", l.peakBytes/(m.PartitionBytes.Value*h), "partitions",
		"%v / (%v × %v)", l.peakBytes, m.PartitionBytes.Value, h)))
	stored := x.step("stored bytes", "average bytes/s × retention × r", l.avgBytes*l.w.Retention.Seconds()*r, "B",
		"%v × %v × %v", l.avgBytes, l.w.Retention.Seconds(), r)
	x.in("consumer groups", "%d (each reads every byte once)", consumers)
	names := make([]string, 0, len(m.BrokerTypes))
	for n := range m.BrokerTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	var all []mskSizing
	storageUSD := stored / p.gb() * m.StorageGBMonthUSD.Value
	for _, n := range names {
		b := m.BrokerTypes[n]
		s := sizeMSKBroker(n, b, m, l.peakBytes, stored, parts, consumers, h, &x)
		s.usd = float64(s.brokers)*p.month()*b.HourUSD.Value + storageUSD
		all = append(all, s)
	}
	best := all[0]
	for _, s := range all[1:] {
		fits, bestFits := s.clusters <= 1, best.clusters <= 1
		if fits && !bestFits || fits == bestFits && (s.usd < best.usd || bestFits == false && s.brokers < best.brokers) {
			best = s
		}
	}
	b := m.BrokerTypes[best.broker]
	a := &Alternative{System: SystemKafka, Title: fmt.Sprintf("Amazon MSK Standard (%d × %s)", best.brokers, best.broker), Role: RoleStream}
	x.step("chosen", "cheapest broker type within one cluster ("+num(m.MaxBrokersPerCluster.Value)+" brokers)", float64(best.brokers), "brokers", "%s, binding %s", best.broker, best.binding)
	items := []LineItem{
		newItem(best.broker+" broker-hours", float64(best.brokers)*p.month(), "broker-hour", b.HourUSD.Value),
		newItem("storage", stored/p.gb(), "GB-month", m.StorageGBMonthUSD.Value),
	}
	bps := func(v float64) string { return num(round3(v/1e6)) + " MB/s" }
	loads := map[string][2]string{
		"storage_throughput": {bps(l.peakBytes*r) + " written (peak × r)", bps(m.VolumeThroughputBytes.Value*h) + " volume × headroom"},
		"ebs_network":        {bps(l.peakBytes*r) + " to EBS (peak × r)", bps(b.EBSNetworkBytes.Value*h) + " EBS network × headroom"},
		"network_egress":     {bps(l.peakBytes*(float64(consumers)+r-1)) + " out (peak × (consumers + r − 1))", bps(b.NetworkBytes.Value*h) + " network × headroom"},
		"cpu_ingress":        {bps(l.peakBytes) + " in", bps(b.CPUIngressBytes.Value*h) + " CPU-safe × headroom"},
		"partitions":         {fmt.Sprintf("%d × %s replicas", parts, num(r)), num(b.PartitionsPerBroker.Value) + " partitions"},
		"storage":            {siBytes(stored) + " stored (× r)", siBytes(m.MaxStoragePerBroker.Value) + " per broker"},
		"replication":        {num(r) + " replicas", "1 per broker"},
	}
	for _, k := range mskLimits {
		a.Limits = append(a.Limits, SystemLimit{Limit: k, Load: loads[k][0], PerUnit: loads[k][1], Required: round3(best.need[k]), Binding: k == best.binding})
	}
	a.Sizing = map[string]float64{"partitions": float64(parts), "brokers": float64(best.brokers), "replication_factor": r,
		"storage_gb": round3(stored / p.gb()), "clusters": float64(best.clusters), "storage_per_broker_gb": round3(stored / float64(best.brokers) / p.gb())}
	a.Notes = append(a.Notes, fmt.Sprintf("binding limit: %s (%s brokers needed before rounding to 3 AZs); replication factor %s, %d consumer groups", best.binding, num(round3(best.need[best.binding])), num(r), consumers))
	var others []string
	for _, s := range all {
		if s.broker != best.broker {
			others = append(others, fmt.Sprintf("%s: %d brokers (%s), %s USD", s.broker, s.brokers, s.binding, usdText(s.usd)))
		}
	}
	if len(others) > 0 {
		a.Notes = append(a.Notes, "other broker types: "+strings.Join(others, "; "))
	}
	if best.clusters > 1 {
		a.Warnings = append(a.Warnings, fmt.Sprintf("MSK Standard: %s of storage needs %d brokers at %s per broker, more than one cluster's %s brokers: split into %d clusters, or use tiered storage or Express brokers (unlimited storage)",
			siBytes(stored), best.brokers, siBytes(m.MaxStoragePerBroker.Value), num(m.MaxBrokersPerCluster.Value), best.clusters))
	}
	a.Notes = append(a.Notes, assumptions(
		NamedFigure{"msk.partition_bytes", m.PartitionBytes},
		NamedFigure{"msk.broker_types." + best.broker + ".ebs_network_bytes", b.EBSNetworkBytes},
		NamedFigure{"msk.broker_types." + best.broker + ".network_bytes", b.NetworkBytes},
		NamedFigure{"msk.broker_types." + best.broker + ".cpu_ingress_bytes", b.CPUIngressBytes},
		NamedFigure{"msk.broker_types." + best.broker + ".hour_usd", b.HourUSD})...)
	return a.finish(items, &x)
}

// siBytes formats a byte count in decimal units for warnings ("1.31 PB").
func siBytes(v float64) string { return units.SI(v, "B") }

// planKafkaExpress sizes MSK Express brokers (express.m7g.large): brokers
// = max(3, ⌈peak / (ingress per broker × headroom)⌉) rounded to 3 AZs, RF
// fixed at 3, storage unlimited and billed per GB-month, plus per-GB
// ingest.
func planKafkaExpress(l kinesisLoad, p *Prices) *Alternative {
	var x explainer
	m := &p.MSK
	a := &Alternative{System: SystemKafkaExpress, Title: "Amazon MSK Express (express.m7g.large)", Role: RoleStream}
	need := x.step("express brokers", "peak bytes / (ingress per broker × headroom)", l.peakBytes/(m.ExpressIngressBytes.Value*l.w.Headroom), "brokers",
		"%v / (%v × %v)", l.peakBytes, m.ExpressIngressBytes.Value, l.w.Headroom)
	brokers := (max(3, ceilCount(need)) + 2) / 3 * 3
	stored := l.avgBytes * l.w.Retention.Seconds() * 3 / p.gb()
	in := l.avgBytes * p.secondsPerMonth() / p.gb()
	items := []LineItem{
		newItem("express.m7g.large broker-hours", float64(brokers)*p.month(), "broker-hour", m.ExpressBrokerHourUSD.Value),
		newItem("data in", in, "GB", m.ExpressIngestGBUSD.Value),
		newItem("storage (3 replicas)", stored, "GB-month", m.ExpressStorageGBMonthUSD.Value),
	}
	parts := max(1, ceilCount(l.peakBytes/(m.PartitionBytes.Value*l.w.Headroom)))
	a.Sizing = map[string]float64{"brokers": float64(brokers), "partitions": float64(parts), "replication_factor": 3, "storage_gb": round3(stored)}
	if c := math.Ceil(float64(brokers) / m.MaxBrokersPerCluster.Value); c > 1 {
		a.Warnings = append(a.Warnings, fmt.Sprintf("MSK Express: %d brokers exceed one cluster's %s", brokers, num(m.MaxBrokersPerCluster.Value)))
	}
	a.Notes = append(a.Notes, "storage is unlimited and pay-as-you-go; replication factor fixed at 3")
	a.Notes = append(a.Notes, assumptions(NamedFigure{"msk.express_broker_hour_usd", m.ExpressBrokerHourUSD}, NamedFigure{"msk.express_ingest_gb_usd", m.ExpressIngestGBUSD},
		NamedFigure{"msk.express_storage_gb_month_usd", m.ExpressStorageGBMonthUSD}, NamedFigure{"msk.express_ingress_bytes", m.ExpressIngressBytes})...)
	return a.finish(items, &x)
}

// planKafkaServerless prices MSK Serverless when the workload fits its
// per-cluster bounds (ingress, egress, retention, partitions); otherwise
// it returns nil and the reason.
func planKafkaServerless(l kinesisLoad, p *Prices) (*Alternative, string) {
	var x explainer
	m := &p.MSK
	consumers := float64(max(1, l.shared+l.efo))
	parts := max(1, ceilCount(l.peakBytes/(m.ServerlessPartitionIngest.Value*l.w.Headroom)))
	switch {
	case l.peakBytes > m.ServerlessMaxIngress.Value:
		return nil, fmt.Sprintf("MSK Serverless does not fit: peak ingress %s B/s above %s B/s per cluster", num(round3(l.peakBytes)), num(m.ServerlessMaxIngress.Value))
	case l.peakBytes*consumers > m.ServerlessMaxEgress.Value:
		return nil, fmt.Sprintf("MSK Serverless does not fit: peak egress %s B/s above %s B/s per cluster", num(round3(l.peakBytes*consumers)), num(m.ServerlessMaxEgress.Value))
	case l.w.Retention.Seconds() > m.ServerlessMaxRetention.Value:
		return nil, fmt.Sprintf("MSK Serverless does not fit: retention %s above %s h", l.w.Retention, num(m.ServerlessMaxRetention.Value/3600))
	case float64(parts) > m.ServerlessMaxPartitions.Value:
		return nil, fmt.Sprintf("MSK Serverless does not fit: %d partitions above %s", parts, num(m.ServerlessMaxPartitions.Value))
	}
	a := &Alternative{System: SystemKafkaServerless, Title: "Amazon MSK Serverless", Role: RoleStream}
	const gib = 1 << 30
	secs := p.secondsPerMonth()
	x.step("serverless partitions", "peak bytes / (5 MB/s per partition × headroom)", float64(parts), "partitions", "⌈%v / (%v × %v)⌉", l.peakBytes, m.ServerlessPartitionIngest.Value, l.w.Headroom)
	items := []LineItem{
		newItem("cluster-hours", p.month(), "cluster-hour", m.ServerlessClusterHourUSD.Value),
		newItem("partition-hours", float64(parts)*p.month(), "partition-hour", m.ServerlessPartitionHour.Value),
		newItem("data in", l.avgBytes*secs/gib, "GiB", m.ServerlessInGiBUSD.Value),
		newItem(fmt.Sprintf("data out (%s consumers)", num(consumers)), l.avgBytes*secs*consumers/gib, "GiB", m.ServerlessOutGiBUSD.Value),
		newItem("storage", l.avgBytes*l.w.Retention.Seconds()/gib, "GiB-month", m.ServerlessStorageGiBMonth.Value),
	}
	a.Sizing = map[string]float64{"partitions": float64(parts)}
	a.Notes = append(a.Notes, "quotas from the archived MSK guide (200 MB/s in, 400 MB/s out, 24 h retention, 120 partitions per cluster); prices third-party")
	return a.finish(items, &x), ""
}
