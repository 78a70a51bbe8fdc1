package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/streamcap/streamcap/model/units"
)

// Systems that Plan can compare with Kinesis (PlanOptions.Compare).
const (
	SystemFirehose = "firehose"
	SystemLambda   = "lambda"
	SystemDynamoDB = "dynamodb"
	SystemPubSub   = "pubsub"
	SystemKafka    = "kafka"
	SystemFlink    = "flink"
)

// CompareSystems lists the systems Plan can compare, in report order.
func CompareSystems() []string {
	return []string{SystemFirehose, SystemLambda, SystemDynamoDB, SystemPubSub, SystemKafka, SystemFlink}
}

// reportSystems lists every system a plan may carry in report order:
// the compared systems plus the MSK variants priced with kafka.
func reportSystems() []string {
	return []string{SystemFirehose, SystemLambda, SystemDynamoDB, SystemPubSub, SystemKafka, SystemKafkaExpress, SystemKafkaServerless, SystemFlink}
}

// ReportSystems lists every key PlanResult.Compare may hold, in report
// order (CompareSystems plus kafka-express and kafka-serverless, which
// come with kafka).
func ReportSystems() []string { return reportSystems() }

// systemAlias maps other accepted spellings to a system name.
func systemAlias(s string) string {
	switch s {
	case "msk", SystemKafkaExpress, SystemKafkaServerless, "msk-express", "msk-serverless":
		// The MSK variants are priced together with kafka.
		return SystemKafka
	case "kinesis-analytics", "managed-flink":
		return SystemFlink
	case "dynamodb-streams", "ddb":
		return SystemDynamoDB
	case "pub/sub", "gcp-pubsub":
		return SystemPubSub
	}
	return s
}

// NormalizeSystem returns the canonical name of a compared system
// ("msk" → "kafka") or an error listing the accepted names.
func NormalizeSystem(s string) (string, error) {
	n := systemAlias(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(CompareSystems(), n) {
		return "", planInputErr("compare", s, "one of %s (or msk for kafka)", strings.Join(CompareSystems(), ", "))
	}
	return n, nil
}

// Roles of a compared system.
const (
	RoleStream = "stream"
	RoleAddOn  = "add-on"
)

// Alternative is the sizing and monthly cost of one compared system.
type Alternative struct {
	// System is the canonical name ("kafka").
	System string `json:"system"`
	// Title is what the system is, as a person reads it.
	Title string `json:"title"`
	// Role is "stream" when the system replaces the Kinesis stream
	// (Firehose, DynamoDB + Streams, Pub/Sub, Kafka) or "add-on" when it
	// runs on top of it (Lambda consumers, Flink) and adds to its cost.
	Role string `json:"role"`
	// Sizing holds the system's capacity figures ("partitions", "brokers").
	Sizing     map[string]float64 `json:"sizing,omitempty"`
	MonthlyUSD float64            `json:"monthly_usd"`
	LineItems  []LineItem         `json:"line_items"`
	// Notes are facts a reader needs beside the cost (latency, assumptions).
	Notes    []string `json:"notes,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	// Limits are the system's sizing limits with what each needs, the
	// binding one marked (MSK Standard: brokers per limit).
	Limits      []SystemLimit `json:"limits,omitempty"`
	Explanation Explanation   `json:"explanation"`
}

// SystemLimit is one sizing limit of a compared system: the load, the
// capacity of one unit (broker), the units it needs and whether it binds.
type SystemLimit struct {
	Limit    string  `json:"limit"`
	Load     string  `json:"load"`
	PerUnit  string  `json:"per_unit"`
	Required float64 `json:"required"`
	Binding  bool    `json:"binding,omitempty"`
}

func (a *Alternative) finish(items []LineItem, x *explainer) *Alternative {
	a.LineItems, a.MonthlyUSD, a.Explanation = items, total(items), x.e
	return a
}

// planFirehose prices Amazon Data Firehose: per GB ingested with every
// record rounded up to 5 KiB; delivery latency = min(buffer interval,
// buffer size / ingest rate).
func planFirehose(l kinesisLoad, p *Prices, opts PlanOptions) *Alternative {
	var x explainer
	f := &p.Firehose
	a := &Alternative{System: SystemFirehose, Title: "Amazon Data Firehose (direct PUT to S3)", Role: RoleStream}
	secs, gb := p.secondsPerMonth(), p.gb()
	round := f.RecordRoundBytes.Value
	unitsPer := l.size.meanUnits(0, round)
	billed := x.step("billed GB", "records/month × E[⌈size / 5KiB⌉] × 5KiB / GB", l.avgRecords*secs*unitsPer*round/gb, "GB",
		"%v × %v × %v / %v", l.avgRecords*secs, unitsPer, round, gb)
	size, interval := f.BufferSizeBytes.Value, f.BufferIntervalSeconds.Value
	if opts.FirehoseBufferSize > 0 {
		size = float64(opts.FirehoseBufferSize)
	}
	if opts.FirehoseBufferInterval > 0 {
		interval = opts.FirehoseBufferInterval.Seconds()
	}
	ingest := l.avgRecords * l.size.mean()
	fill := size / ingest
	latency := x.step("delivery latency", "min(buffer interval, buffer size / ingest bytes/s)", min(interval, fill), "s",
		"min(%v, %v / %v)", interval, size, ingest)
	a.Sizing = map[string]float64{"buffer_bytes": size, "buffer_interval_seconds": interval, "delivery_latency_seconds": latency}
	a.Warnings = append(a.Warnings, firehoseQuotas(l, f, &x)...)
	a.Notes = append(a.Notes, fmt.Sprintf("delivery latency ≈ %ss (buffer %sB or %ss, whichever fills first); a Firehose delivers, it is not a replayable stream", num(round3(latency)), num(size), num(interval)))
	return a.finish([]LineItem{newItem("ingestion (5 KiB rounding)", billed, "GB", f.IngestGBUSD.Value)}, &x)
}

// firehoseQuotas checks the peak against one Direct PUT stream's quotas
// (bytes/s, records/s, and requests/s with PutRecordBatch of 500
// records) and says how many streams (or what quota increase) it needs.
func firehoseQuotas(l kinesisLoad, f *FirehoseFigures, x *explainer) []string {
	need := map[string]float64{
		"bytes":    l.peakBytes / f.StreamBytesQuota.Value,
		"records":  l.peakRecords / f.StreamRecordsQuota.Value,
		"requests": l.peakRecords / f.PutRecordBatchRecords.Value / f.StreamRequestsQuota.Value,
	}
	var worst string
	for _, k := range []string{"bytes", "records", "requests"} {
		if worst == "" || need[k] > need[worst] {
			worst = k
		}
	}
	streams := x.step("firehose streams", "max(peak bytes / 5 MiB/s, peak records / 500,000, peak records / 500 per batch / 2,000 requests) per stream quota",
		need[worst], "streams", "max(%v / %v, %v / %v, %v / %v / %v)", l.peakBytes, f.StreamBytesQuota.Value, l.peakRecords, f.StreamRecordsQuota.Value,
		l.peakRecords, f.PutRecordBatchRecords.Value, f.StreamRequestsQuota.Value)
	if streams <= 1 {
		return nil
	}
	return []string{fmt.Sprintf("Firehose Direct PUT: peak %s B/s and %s records/s exceed one stream's quota (%s B/s, %s records/s, %s requests/s): needs %d streams or a quota increase (the three quotas scale together)",
		num(round3(l.peakBytes)), num(round3(l.peakRecords)), num(f.StreamBytesQuota.Value), num(f.StreamRecordsQuota.Value), num(f.StreamRequestsQuota.Value), ceilCount(streams))}
}

// checkFirehoseBuffers refuses buffer hints outside Firehose's ranges.
func checkFirehoseBuffers(opts PlanOptions, f *FirehoseFigures) error {
	if s := float64(opts.FirehoseBufferSize); s != 0 && (s < 1<<20 || s > f.BufferSizeMaxBytes.Value) {
		return planInputErr("firehose buffer size", opts.FirehoseBufferSize, "between 1MiB and %s", units.Bytes(f.BufferSizeMaxBytes.Value))
	}
	if i := opts.FirehoseBufferInterval.Seconds(); i < 0 || i > f.BufferIntervalMax.Value {
		return planInputErr("firehose buffer interval", opts.FirehoseBufferInterval, "between 0s and %ss", num(f.BufferIntervalMax.Value))
	}
	return nil
}

// lambdaUse is the Lambda cost model of one event source mapping.
type lambdaUse struct {
	invocations float64 // per second
	gbSeconds   float64 // per second
	concurrency float64 // average concurrent executions
	maxConc     float64 // shards × parallelization factor
	busy        float64 // per-lane seconds of work per second (> 1 falls behind)
}

// lambdaModel: each shard is read as PF lanes; a lane of r records/s
// polled every T = max(batching window, poll interval) seconds invokes with
// batches of clamp(r × T, 1, batch size) records, so invocations/s =
// lanes × r / batch; GB-s = invocations × duration × memory/1024; average
// concurrency = invocations/s × duration (Little's law), at most lanes.
func lambdaModel(records float64, shards int, lc LambdaConsumer, poll float64, x *explainer, name string) lambdaUse {
	lanes := float64(shards * lc.ParallelizationFactor)
	r := records / lanes
	t := max(lc.BatchingWindow.Seconds(), poll)
	batch := min(max(r*t, 1), float64(lc.BatchSize))
	d := lc.DurationPerBatch.Seconds()
	var u lambdaUse
	u.invocations = x.step(name+" invocations", "shards × PF × r / clamp(r × max(window, poll), 1, batch size), r = records/s per lane",
		lanes*r/batch, "/s", "%v × %v / clamp(%v × %v, 1, %v)", float64(shards), float64(lc.ParallelizationFactor), r, t, float64(lc.BatchSize))
	u.gbSeconds = x.step(name+" GB-seconds", "invocations × duration × memory / 1024", u.invocations*d*float64(lc.MemoryMB)/1024, "GB-s/s",
		"%v × %v × %v / 1024", u.invocations, d, float64(lc.MemoryMB))
	u.maxConc = lanes
	u.busy = r / batch * d
	u.concurrency = x.step(name+" concurrency", "min(invocations × duration, shards × PF)", min(u.invocations*d, lanes), "executions",
		"min(%v × %v, %v)", u.invocations, d, lanes)
	return u
}

// lambdaItems prices a lambdaUse per month.
func lambdaItems(u lambdaUse, lc LambdaConsumer, p *Prices, name string) []LineItem {
	secs := p.secondsPerMonth()
	gbs := p.Lambda.GBSecondX86USD.Value
	if lc.Arch == "arm64" {
		gbs = p.Lambda.GBSecondArmUSD.Value
	}
	return []LineItem{
		newItem(name+" requests", u.invocations*secs/1e6, "1M requests", p.Lambda.RequestsUSD.Value),
		newItem(name+" duration ("+lc.Arch+")", u.gbSeconds*secs, "GB-s", gbs),
	}
}

// lambdaConsumers returns the consumers priced as Lambda functions: those
// with Lambda settings, or one default-configured consumer when none has.
func lambdaConsumers(w Workload) (names []string, cfgs []LambdaConsumer, assumed bool) {
	for i, c := range w.Consumers {
		if c.Lambda != nil {
			n := c.Name
			if n == "" {
				n = fmt.Sprintf("consumer %d", i+1)
			}
			names, cfgs = append(names, n), append(cfgs, *c.Lambda)
		}
	}
	if len(cfgs) == 0 {
		return []string{"lambda"}, []LambdaConsumer{planLambdaDefaults(LambdaConsumer{})}, true
	}
	return names, cfgs, false
}

// planLambda prices the workload's Lambda consumers on a Kinesis stream of
// the given shard count.
func planLambda(l kinesisLoad, p *Prices, shards int) *Alternative {
	var x explainer
	a := &Alternative{System: SystemLambda, Title: "AWS Lambda consumers (Kinesis event source mapping)", Role: RoleAddOn, Sizing: map[string]float64{}}
	names, cfgs, assumed := lambdaConsumers(l.w)
	if assumed {
		a.Notes = append(a.Notes, "no consumer has Lambda settings: priced one consumer with batch 100, window 0s, parallelization 1, 128 MB, 100ms per batch")
	}
	var items []LineItem
	var conc, maxConc float64
	for i, lc := range cfgs {
		u := lambdaModel(l.avgRecords, shards, lc, p.Lambda.PollIntervalSeconds.Value, &x, names[i])
		items = append(items, lambdaItems(u, lc, p, names[i])...)
		conc += u.concurrency
		maxConc += u.maxConc
		if u.busy > 1 {
			a.Warnings = append(a.Warnings, fmt.Sprintf("%s falls behind: each lane needs %ss of work per second; raise batch_size or parallelization_factor", names[i], num(round3(u.busy))))
		}
	}
	a.Sizing["shards"] = float64(shards)
	a.Sizing["concurrency_avg"] = round3(conc)
	a.Sizing["concurrency_max"] = maxConc
	a.Notes = append(a.Notes, fmt.Sprintf("concurrency: %s on average, at most %s (shards × parallelization factor); free tier and volume tiers not applied", num(round3(conc)), num(maxConc)))
	return a.finish(items, &x)
}

// planDynamoDB prices DynamoDB on-demand writes + DynamoDB Streams →
// Lambda: write request units (⌈item/1 KB⌉ per write), storage of items
// kept for the retention (TTL deletes them; deletes by TTL are free),
// Streams reads by Lambda (free) and every Lambda consumer on the
// stream's shards (one per 1000 WCU/s partition). Limits no setting
// fixes are warnings: at most 2 readers per Streams shard, 24 h of
// stream records.
func planDynamoDB(l kinesisLoad, p *Prices) *Alternative {
	var x explainer
	d := &p.DynamoDB
	a := &Alternative{System: SystemDynamoDB, Title: "DynamoDB on-demand + DynamoDB Streams → Lambda", Role: RoleStream}
	secs, gb := p.secondsPerMonth(), p.gb()
	wru := l.size.meanUnits(l.keyBytes, d.WriteUnitBytes.Value)
	writes := x.step("write request units", "records/month × E[⌈(size + key) / 1KB⌉]", l.avgRecords*secs*wru, "WRU",
		"%v × %v", l.avgRecords*secs, wru)
	stored := x.step("stored GB", "records/s × retention × (record bytes + item overhead) / GB",
		l.avgRecords*l.w.Retention.Seconds()*(l.recBytes+d.ItemOverheadBytes.Value)/gb, "GB",
		"%v × %v × (%v + %v) / %v", l.avgRecords, l.w.Retention.Seconds(), l.recBytes, d.ItemOverheadBytes.Value, gb)
	shards := max(1, ceilCount(l.peakRecords*wru/d.PartitionWriteUnits.Value))
	x.step("stream shards", "⌈peak WRU/s / 1000 WCU per partition⌉", float64(shards), "shards", "⌈%v × %v / %v⌉", l.peakRecords, wru, d.PartitionWriteUnits.Value)
	names, cfgs, _ := lambdaConsumers(l.w)
	items := []LineItem{
		newItem("on-demand writes", writes/1e6, "1M WRU", d.WriteRequestUnitsUSD.Value),
		newItem("storage (TTL = retention)", stored, "GB-month", d.StorageGBMonthUSD.Value),
	}
	var invocations float64
	var lam []LineItem
	for i, lc := range cfgs {
		n := "stream " + names[i]
		u := lambdaModel(l.avgRecords, shards, lc, p.Lambda.PollIntervalSeconds.Value, &x, n)
		invocations += u.invocations
		lam = append(lam, lambdaItems(u, lc, p, n)...)
	}
	items = append(items, newItem("Streams reads by Lambda", invocations*secs, "read request", d.StreamsLambdaReadUSD.Value))
	items = append(items, lam...)
	a.Sizing = map[string]float64{"stream_shards": float64(shards), "wru_per_record": wru}
	if readers := max(len(l.w.Consumers), len(cfgs)); float64(readers) > d.StreamsReadersShard.Value {
		var cn []string
		for i, c := range l.w.Consumers {
			n := c.Name
			if n == "" {
				n = fmt.Sprintf("consumer %d", i+1)
			}
			cn = append(cn, n)
		}
		a.Warnings = append(a.Warnings, fmt.Sprintf("DynamoDB Streams: at most %s processes may read a shard at once and the workload has %d consumers (%s); the others are throttled — fan out through one reader (e.g. a Lambda forwarding to Kinesis)",
			num(d.StreamsReadersShard.Value), readers, strings.Join(cn, ", ")))
	}
	if ret := l.w.Retention.Seconds(); ret > d.StreamsRetentionSecs.Value {
		a.Warnings = append(a.Warnings, fmt.Sprintf("DynamoDB Streams keeps records %s h (fixed); the workload's %s retention holds only in the table, so a new consumer cannot replay the stream",
			num(d.StreamsRetentionSecs.Value/3600), l.w.Retention))
	} else {
		a.Notes = append(a.Notes, "DynamoDB Streams keeps changes 24h; replay beyond that needs the table itself")
	}
	return a.finish(items, &x)
}

// planFlink prices Managed Service for Apache Flink: KPUs given (the AWS
// calculator's example uses 4) or sized as ⌈peak bytes / (bytes per KPU ×
// headroom)⌉ (a planning assumption), billed KPUs + 1 for orchestration,
// 50 GB running storage per KPU, and durable application backups.
func planFlink(l kinesisLoad, p *Prices, o FlinkOptions) *Alternative {
	var x explainer
	f := &p.Flink
	a := &Alternative{System: SystemFlink, Title: "Amazon Managed Service for Apache Flink", Role: RoleAddOn}
	var kpus int
	if o.KPU > 0 {
		kpus = o.KPU
		x.step("KPUs", "given", float64(kpus), "KPU", "%v", float64(kpus))
	} else {
		kpus = max(1, ceilCount(x.step("KPUs", "peak bytes / (bytes per KPU × headroom)", l.peakBytes/(f.KPUBytes.Value*l.w.Headroom), "KPU",
			"%v / (%v × %v)", l.peakBytes, f.KPUBytes.Value, l.w.Headroom)))
		a.Notes = append(a.Notes, assumptions(NamedFigure{"flink.kpu_bytes", f.KPUBytes})...)
	}
	backup := o.BackupGB
	if backup == 0 {
		backup = f.BackupGBDefault.Value
		a.Notes = append(a.Notes, assumptions(NamedFigure{"flink.backup_gb_default", f.BackupGBDefault})...)
	}
	billed := float64(kpus) + f.OrchestrationKPUs.Value
	items := []LineItem{
		newItem(fmt.Sprintf("KPU-hours (%d + %s orchestration)", kpus, num(f.OrchestrationKPUs.Value)), billed*p.month(), "KPU-hour", f.KPUHourUSD.Value),
		newItem("running storage", float64(kpus)*f.RunningStorageGBPerKPU.Value, "GB-month", f.RunningStorageGBMonthUS.Value),
		newItem("durable application backups", backup, "GB-month", f.BackupGBMonthUSD.Value),
	}
	a.Sizing = map[string]float64{"kpus": float64(kpus), "billed_kpus": billed, "backup_gb": backup}
	a.Notes = append(a.Notes, "processes the stream; priced in addition to the stream itself")
	return a.finish(items, &x)
}
