package model

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed data/aws-us-east-1.yaml
var defaultPricesYAML []byte

// DefaultPricesYAML returns the embedded price and quota table as YAML, the
// format LoadPrices reads (`streamcap prices` prints it).
func DefaultPricesYAML() []byte { return bytes.Clone(defaultPricesYAML) }

// Figure is one quota or price with its provenance.
type Figure struct {
	// Value in Unit.
	Value float64 `json:"value" yaml:"value"`
	// Unit says what Value counts ("USD per shard-hour", "B/s per shard").
	Unit string `json:"unit" yaml:"unit"`
	// Source is the URL the value was taken from.
	Source string `json:"source" yaml:"source"`
	// Read is the date (YYYY-MM-DD) the source was read.
	Read string `json:"read" yaml:"read"`
	// Note records conflicting sources, the alternative not chosen and caveats.
	Note string `json:"note,omitempty" yaml:"note,omitempty"`

	hasValue bool
}

// UnmarshalYAML decodes a figure strictly and remembers whether value was given.
func (f *Figure) UnmarshalYAML(n *yaml.Node) error {
	var raw struct {
		Value  *float64 `yaml:"value"`
		Unit   string   `yaml:"unit"`
		Source string   `yaml:"source"`
		Read   string   `yaml:"read"`
		Note   string   `yaml:"note"`
	}
	if err := decodeStrict(n, &raw); err != nil {
		return err
	}
	*f = Figure{Unit: raw.Unit, Source: raw.Source, Read: raw.Read, Note: raw.Note}
	if raw.Value != nil {
		f.Value, f.hasValue = *raw.Value, true
	}
	return nil
}

// decodeStrict decodes a node into v, rejecting unknown fields.
func decodeStrict(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// KinesisFigures are Kinesis Data Streams quotas and prices.
type KinesisFigures struct {
	ShardWriteBytes        Figure `json:"shard_write_bytes" yaml:"shard_write_bytes" price:"positive"`
	ShardWriteRecords      Figure `json:"shard_write_records" yaml:"shard_write_records" price:"positive"`
	ShardReadBytes         Figure `json:"shard_read_bytes" yaml:"shard_read_bytes" price:"positive"`
	ShardReadCalls         Figure `json:"shard_read_calls" yaml:"shard_read_calls" price:"positive"`
	EFOReadBytes           Figure `json:"efo_read_bytes" yaml:"efo_read_bytes" price:"positive"`
	EFOMaxConsumers        Figure `json:"efo_max_consumers" yaml:"efo_max_consumers" price:"positive"`
	GetRecordsMaxRecords   Figure `json:"getrecords_max_records" yaml:"getrecords_max_records" price:"positive"`
	GetRecordsMaxBytes     Figure `json:"getrecords_max_bytes" yaml:"getrecords_max_bytes" price:"positive"`
	MaxRecordBytesDefault  Figure `json:"max_record_bytes_default" yaml:"max_record_bytes_default" price:"positive"`
	MaxRecordBytesLimit    Figure `json:"max_record_bytes_limit" yaml:"max_record_bytes_limit" price:"positive"`
	PutPayloadUnitBytes    Figure `json:"put_payload_unit_bytes" yaml:"put_payload_unit_bytes" price:"positive"`
	OnDemandRoundBytes     Figure `json:"on_demand_record_round_bytes" yaml:"on_demand_record_round_bytes" price:"positive"`
	OnDemandInitialWrite   Figure `json:"on_demand_initial_write_bytes" yaml:"on_demand_initial_write_bytes" price:"positive"`
	OnDemandPeakMultiplier Figure `json:"on_demand_peak_multiplier" yaml:"on_demand_peak_multiplier" price:"positive"`
	OnDemandMaxWrite       Figure `json:"on_demand_max_write_bytes" yaml:"on_demand_max_write_bytes" price:"positive"`
	AccountShardQuota      Figure `json:"account_shard_quota" yaml:"account_shard_quota" price:"positive"`
	// UpdateShardCount rules, on-demand stream quotas and propagation
	// delays (replay, reshard, quota warnings and latency; issue 10).
	UpdateShardCountCalls24h  Figure `json:"update_shard_count_calls_24h" yaml:"update_shard_count_calls_24h" price:"positive"`
	UpdateShardCountMaxShards Figure `json:"update_shard_count_max_shards" yaml:"update_shard_count_max_shards" price:"positive"`
	OnDemandMaxRead           Figure `json:"on_demand_max_read_bytes" yaml:"on_demand_max_read_bytes" price:"positive"`
	OnDemandStreamsPerAccount Figure `json:"on_demand_streams_per_account" yaml:"on_demand_streams_per_account" price:"positive"`
	SharedPropagationSeconds  Figure `json:"shared_propagation_seconds" yaml:"shared_propagation_seconds" price:"positive"`
	SharedPropagation5Seconds Figure `json:"shared_propagation_5_seconds" yaml:"shared_propagation_5_seconds" price:"positive"`
	EFOPropagationSeconds     Figure `json:"efo_propagation_seconds" yaml:"efo_propagation_seconds" price:"positive"`
	ControlPlaneTPS           Figure `json:"control_plane_tps" yaml:"control_plane_tps" price:"positive"`

	ShardHourUSD                   Figure `json:"shard_hour_usd" yaml:"shard_hour_usd"`
	PutPayloadUnitsUSD             Figure `json:"put_payload_units_usd" yaml:"put_payload_units_usd"`
	ExtendedRetentionShardHourUSD  Figure `json:"extended_retention_shard_hour_usd" yaml:"extended_retention_shard_hour_usd"`
	LongTermRetentionGBMonthUSD    Figure `json:"long_term_retention_gb_month_usd" yaml:"long_term_retention_gb_month_usd"`
	EFOConsumerShardHourUSD        Figure `json:"efo_consumer_shard_hour_usd" yaml:"efo_consumer_shard_hour_usd"`
	EFORetrievalGBUSD              Figure `json:"efo_retrieval_gb_usd" yaml:"efo_retrieval_gb_usd"`
	LongTermRetrievalGBUSD         Figure `json:"long_term_retrieval_gb_usd" yaml:"long_term_retrieval_gb_usd"`
	OnDemandStreamHourUSD          Figure `json:"on_demand_stream_hour_usd" yaml:"on_demand_stream_hour_usd"`
	OnDemandIngestGBUSD            Figure `json:"on_demand_ingest_gb_usd" yaml:"on_demand_ingest_gb_usd"`
	OnDemandRetrievalGBUSD         Figure `json:"on_demand_retrieval_gb_usd" yaml:"on_demand_retrieval_gb_usd"`
	OnDemandEFORetrievalGBUSD      Figure `json:"on_demand_efo_retrieval_gb_usd" yaml:"on_demand_efo_retrieval_gb_usd"`
	OnDemandExtendedRetentionGBUSD Figure `json:"on_demand_extended_retention_gb_month_usd" yaml:"on_demand_extended_retention_gb_month_usd"`
	OnDemandLongTermRetentionGBUSD Figure `json:"on_demand_long_term_retention_gb_month_usd" yaml:"on_demand_long_term_retention_gb_month_usd"`
}

// FirehoseFigures are Amazon Data Firehose prices and buffering defaults.
type FirehoseFigures struct {
	IngestGBUSD           Figure `json:"ingest_gb_usd" yaml:"ingest_gb_usd"`
	RecordRoundBytes      Figure `json:"record_round_bytes" yaml:"record_round_bytes" price:"positive"`
	BufferSizeBytes       Figure `json:"buffer_size_default_bytes" yaml:"buffer_size_default_bytes" price:"positive"`
	BufferIntervalSeconds Figure `json:"buffer_interval_default_seconds" yaml:"buffer_interval_default_seconds"`
	BufferSizeMaxBytes    Figure `json:"buffer_size_max_bytes" yaml:"buffer_size_max_bytes" price:"positive"`
	BufferIntervalMax     Figure `json:"buffer_interval_max_seconds" yaml:"buffer_interval_max_seconds" price:"positive"`
	StreamBytesQuota      Figure `json:"stream_bytes_quota" yaml:"stream_bytes_quota" price:"positive"`
	StreamRecordsQuota    Figure `json:"stream_records_quota" yaml:"stream_records_quota" price:"positive"`
	StreamRequestsQuota   Figure `json:"stream_requests_quota" yaml:"stream_requests_quota" price:"positive"`
	PutRecordBatchRecords Figure `json:"put_record_batch_records" yaml:"put_record_batch_records" price:"positive"`
}

// LambdaFigures are AWS Lambda prices and event-source polling behaviour.
type LambdaFigures struct {
	RequestsUSD         Figure `json:"requests_usd" yaml:"requests_usd"`
	GBSecondX86USD      Figure `json:"gb_second_x86_usd" yaml:"gb_second_x86_usd"`
	GBSecondArmUSD      Figure `json:"gb_second_arm_usd" yaml:"gb_second_arm_usd"`
	PollIntervalSeconds Figure `json:"poll_interval_seconds" yaml:"poll_interval_seconds" price:"positive"`
}

// DynamoDBFigures are DynamoDB on-demand and Streams prices.
type DynamoDBFigures struct {
	WriteRequestUnitsUSD Figure `json:"write_request_units_usd" yaml:"write_request_units_usd"`
	WriteUnitBytes       Figure `json:"write_unit_bytes" yaml:"write_unit_bytes" price:"positive"`
	StorageGBMonthUSD    Figure `json:"storage_gb_month_usd" yaml:"storage_gb_month_usd"`
	ItemOverheadBytes    Figure `json:"item_overhead_bytes" yaml:"item_overhead_bytes"`
	PartitionWriteUnits  Figure `json:"partition_write_units" yaml:"partition_write_units" price:"positive"`
	StreamsLambdaReadUSD Figure `json:"streams_lambda_reads_usd" yaml:"streams_lambda_reads_usd"`
	StreamsReadersShard  Figure `json:"streams_readers_per_shard" yaml:"streams_readers_per_shard" price:"positive"`
	StreamsRetentionSecs Figure `json:"streams_retention_seconds" yaml:"streams_retention_seconds" price:"positive"`
}

// PubSubFigures are Google Cloud Pub/Sub prices.
type PubSubFigures struct {
	ThroughputTiBUSD     Figure `json:"throughput_tib_usd" yaml:"throughput_tib_usd"`
	FreeBytes            Figure `json:"free_bytes" yaml:"free_bytes"`
	MinRequestBytes      Figure `json:"min_request_bytes" yaml:"min_request_bytes"`
	MessageOverheadBytes Figure `json:"message_overhead_bytes" yaml:"message_overhead_bytes"`
	MessageIDBytes       Figure `json:"message_id_bytes" yaml:"message_id_bytes"`
	MaxRetentionSeconds  Figure `json:"max_retention_seconds" yaml:"max_retention_seconds" price:"positive"`
	BatchMessages        Figure `json:"batch_messages_default" yaml:"batch_messages_default" price:"positive"`
	BatchBytes           Figure `json:"batch_bytes_default" yaml:"batch_bytes_default" price:"positive"`
	BatchDelaySeconds    Figure `json:"batch_delay_seconds_default" yaml:"batch_delay_seconds_default"`
	StorageGiBMonthUSD   Figure `json:"storage_gib_month_usd" yaml:"storage_gib_month_usd"`
}

// MSKFigures are Amazon MSK prices, quotas and per-broker throughput.
type MSKFigures struct {
	PartitionBytes            Figure `json:"partition_bytes" yaml:"partition_bytes" price:"positive"`
	ReplicationFactor         Figure `json:"replication_factor" yaml:"replication_factor" price:"positive"`
	StorageGBMonthUSD         Figure `json:"storage_gb_month_usd" yaml:"storage_gb_month_usd"`
	MaxStoragePerBroker       Figure `json:"max_storage_bytes_per_broker" yaml:"max_storage_bytes_per_broker" price:"positive"`
	MaxBrokersPerCluster      Figure `json:"max_brokers_per_cluster" yaml:"max_brokers_per_cluster" price:"positive"`
	VolumeThroughputBytes     Figure `json:"volume_throughput_bytes" yaml:"volume_throughput_bytes" price:"positive"`
	ExpressBrokerHourUSD      Figure `json:"express_broker_hour_usd" yaml:"express_broker_hour_usd"`
	ExpressIngestGBUSD        Figure `json:"express_ingest_gb_usd" yaml:"express_ingest_gb_usd"`
	ExpressStorageGBMonthUSD  Figure `json:"express_storage_gb_month_usd" yaml:"express_storage_gb_month_usd"`
	ExpressIngressBytes       Figure `json:"express_ingress_bytes" yaml:"express_ingress_bytes" price:"positive"`
	ServerlessClusterHourUSD  Figure `json:"serverless_cluster_hour_usd" yaml:"serverless_cluster_hour_usd"`
	ServerlessPartitionHour   Figure `json:"serverless_partition_hour_usd" yaml:"serverless_partition_hour_usd"`
	ServerlessStorageGiBMonth Figure `json:"serverless_storage_gib_month_usd" yaml:"serverless_storage_gib_month_usd"`
	ServerlessInGiBUSD        Figure `json:"serverless_in_gib_usd" yaml:"serverless_in_gib_usd"`
	ServerlessOutGiBUSD       Figure `json:"serverless_out_gib_usd" yaml:"serverless_out_gib_usd"`
	ServerlessMaxIngress      Figure `json:"serverless_max_ingress_bytes" yaml:"serverless_max_ingress_bytes" price:"positive"`
	ServerlessMaxEgress       Figure `json:"serverless_max_egress_bytes" yaml:"serverless_max_egress_bytes" price:"positive"`
	ServerlessMaxRetention    Figure `json:"serverless_max_retention_seconds" yaml:"serverless_max_retention_seconds" price:"positive"`
	ServerlessMaxPartitions   Figure `json:"serverless_max_partitions" yaml:"serverless_max_partitions" price:"positive"`
	ServerlessPartitionIngest Figure `json:"serverless_partition_ingress_bytes" yaml:"serverless_partition_ingress_bytes" price:"positive"`
	// BrokerTypes are the Standard broker sizes the planner chooses from.
	BrokerTypes map[string]MSKBroker `json:"broker_types" yaml:"broker_types"`
}

// MSKBroker is one Standard broker size: its price and the per-broker
// limits of the right-sizing equation.
type MSKBroker struct {
	HourUSD             Figure `json:"hour_usd" yaml:"hour_usd"`
	EBSNetworkBytes     Figure `json:"ebs_network_bytes" yaml:"ebs_network_bytes" price:"positive"`
	NetworkBytes        Figure `json:"network_bytes" yaml:"network_bytes" price:"positive"`
	CPUIngressBytes     Figure `json:"cpu_ingress_bytes" yaml:"cpu_ingress_bytes" price:"positive"`
	PartitionsPerBroker Figure `json:"partitions_per_broker" yaml:"partitions_per_broker" price:"positive"`
}

// FlinkFigures are Amazon Managed Service for Apache Flink prices and sizing.
type FlinkFigures struct {
	KPUHourUSD              Figure `json:"kpu_hour_usd" yaml:"kpu_hour_usd"`
	KPUBytes                Figure `json:"kpu_bytes" yaml:"kpu_bytes" price:"positive"`
	OrchestrationKPUs       Figure `json:"orchestration_kpus" yaml:"orchestration_kpus"`
	RunningStorageGBPerKPU  Figure `json:"running_storage_gb_per_kpu" yaml:"running_storage_gb_per_kpu"`
	RunningStorageGBMonthUS Figure `json:"running_storage_gb_month_usd" yaml:"running_storage_gb_month_usd"`
	BackupGBMonthUSD        Figure `json:"backup_gb_month_usd" yaml:"backup_gb_month_usd"`
	BackupGBDefault         Figure `json:"backup_gb_default" yaml:"backup_gb_default"`
}

// Device kinds: a shipped device is filled on site, shipped back and
// ingested by the provider; at a site you carry your own storage to the
// provider's terminal and the upload there is the ingest.
const (
	DeviceShipped = "shipped"
	DeviceSite    = "site"
)

// Device is a bulk-transfer device profile: a shipped storage device
// (Snowball-class, Transfer Appliance) or a transfer site (AWS Data
// Transfer Terminal) with its capacity, realistic fill rate, logistics
// days and fees.
type Device struct {
	// Name is the product name shown in reports.
	Name string `json:"name" yaml:"name"`
	// Kind is "shipped" (default) or "site".
	Kind string `json:"kind,omitempty" yaml:"kind,omitempty"`
	// Status says whether new customers can order it; Successors name
	// what to use instead when they cannot.
	Status       string   `json:"status,omitempty" yaml:"status,omitempty"`
	StatusSource string   `json:"status_source,omitempty" yaml:"status_source,omitempty"`
	Successors   []string `json:"successors,omitempty" yaml:"successors,omitempty"`

	// CapacityBytes is the raw size; UsableBytes what one job can fill.
	CapacityBytes Figure `json:"capacity_bytes" yaml:"capacity_bytes" price:"positive"`
	UsableBytes   Figure `json:"usable_bytes" yaml:"usable_bytes" price:"positive"`
	// FillRateBytes is a realistic sustained copy rate (B/s); the copy runs
	// at min(fill rate, interface × efficiency).
	FillRateBytes Figure `json:"fill_rate_bytes" yaml:"fill_rate_bytes" price:"positive"`
	InterfaceBPS  Figure `json:"interface_bps" yaml:"interface_bps" price:"positive"`
	ShippingDays  Figure `json:"shipping_days" yaml:"shipping_days"`
	// HandlingDays are the provider's processing days before ingest.
	HandlingDays Figure `json:"handling_days" yaml:"handling_days"`
	JobFeeUSD    Figure `json:"job_fee_usd" yaml:"job_fee_usd"`
	IncludedDays Figure `json:"included_days" yaml:"included_days"`
	ExtraDayUSD  Figure `json:"extra_day_usd" yaml:"extra_day_usd"`
}

// Assumption reports whether the figure is a planning assumption rather
// than a sourced value: its note starts with "ASSUMPTION". Reports list
// the assumptions a result depends on.
func (f Figure) Assumption() bool { return strings.HasPrefix(f.Note, "ASSUMPTION") }

// assumptions returns "path = value unit (ASSUMPTION)" lines for the
// named figures that are assumptions, in the order given.
func assumptions(figs ...NamedFigure) []string {
	var out []string
	for _, f := range figs {
		if f.Assumption() {
			out = append(out, fmt.Sprintf("assumption: %s = %s %s (%s)", f.Path, num(f.Value), f.Unit, strings.TrimLeft(strings.TrimPrefix(f.Note, "ASSUMPTION"), " -–:")))
		}
	}
	return out
}

// Prices is a versioned quota and price table for one region. Load it with
// LoadPrices or DefaultPrices; a loaded table is validated (every figure
// present, with unit, source and read date) and is safe for concurrent
// reads.
type Prices struct {
	// Schema is "streamcap.prices/v1" in a table `streamcap prices -o json`
	// wrote (which loads back as YAML); a hand-written table leaves it out.
	Schema string `json:"-" yaml:"schema,omitempty"`

	Region   string `json:"region" yaml:"region"`
	Version  string `json:"version" yaml:"version"`
	Currency string `json:"currency" yaml:"currency"`

	// HoursPerMonth is 730 by AWS convention.
	HoursPerMonth Figure `json:"hours_per_month" yaml:"hours_per_month" price:"positive"`
	// GBBytes is the size of a billed GB.
	GBBytes Figure `json:"billing_gb_bytes" yaml:"billing_gb_bytes" price:"positive"`

	Kinesis  KinesisFigures  `json:"kinesis" yaml:"kinesis"`
	Firehose FirehoseFigures `json:"firehose" yaml:"firehose"`
	Lambda   LambdaFigures   `json:"lambda" yaml:"lambda"`
	DynamoDB DynamoDBFigures `json:"dynamodb" yaml:"dynamodb"`
	PubSub   PubSubFigures   `json:"pubsub" yaml:"pubsub"`
	MSK      MSKFigures      `json:"msk" yaml:"msk"`
	Flink    FlinkFigures    `json:"flink" yaml:"flink"`

	// DefaultDevice names the Devices entry used when a transfer names none.
	DefaultDevice string            `json:"default_device" yaml:"default_device"`
	Devices       map[string]Device `json:"devices" yaml:"devices"`
}

// ErrPrices is wrapped by every price-table error.
var ErrPrices = errors.New("invalid price table")

// DefaultPrices returns a fresh copy of the embedded us-east-1 table.
func DefaultPrices() *Prices {
	p, err := LoadPrices(bytes.NewReader(defaultPricesYAML))
	if err != nil {
		// The embedded table is checked by tests; failing here is a build defect.
		panic(fmt.Sprintf("embedded price table: %v", err))
	}
	return p
}

// LoadPrices reads and validates a whole price table (YAML or JSON, which
// is YAML). Unknown fields are rejected; a missing figure is an error that
// names it, so an override file cannot silently fall back to defaults.
func LoadPrices(r io.Reader) (*Prices, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var p Prices
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPrices, err)
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

var readDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// validate checks every Figure in the table.
func (p *Prices) validate() error {
	if p.Region == "" {
		return fmt.Errorf("%w: region is missing", ErrPrices)
	}
	if p.Version == "" {
		return fmt.Errorf("%w: version is missing", ErrPrices)
	}
	var errs []error
	walkFigures(reflect.ValueOf(p).Elem(), "", func(path string, f *Figure, positive bool) {
		switch {
		case !f.hasValue && f.Unit == "" && f.Source == "":
			errs = append(errs, fmt.Errorf("%w: figure %s is missing (a table written for an older streamcap lacks the figures added since: copy them from `streamcap prices -o yaml`)", ErrPrices, path))
		case !f.hasValue:
			errs = append(errs, fmt.Errorf("%w: figure %s has no value", ErrPrices, path))
		case math.IsNaN(f.Value) || math.IsInf(f.Value, 0) || f.Value < 0:
			errs = append(errs, fmt.Errorf("%w: figure %s value %v: must be a finite number >= 0", ErrPrices, path, f.Value))
		case positive && f.Value == 0:
			errs = append(errs, fmt.Errorf("%w: figure %s value 0: must be > 0", ErrPrices, path))
		case f.Unit == "":
			errs = append(errs, fmt.Errorf("%w: figure %s has no unit", ErrPrices, path))
		case f.Source == "":
			errs = append(errs, fmt.Errorf("%w: figure %s has no source", ErrPrices, path))
		case !readDate.MatchString(f.Read):
			errs = append(errs, fmt.Errorf("%w: figure %s read date %q: must be YYYY-MM-DD", ErrPrices, path, f.Read))
		}
	})
	if len(p.MSK.BrokerTypes) == 0 {
		errs = append(errs, fmt.Errorf("%w: msk.broker_types is empty: at least one broker type is required", ErrPrices))
	}
	if len(p.Devices) == 0 {
		errs = append(errs, fmt.Errorf("%w: devices is empty: at least one device profile is required", ErrPrices))
	} else if _, ok := p.Devices[p.DefaultDevice]; !ok {
		errs = append(errs, fmt.Errorf("%w: default_device %q: must be one of %s", ErrPrices, p.DefaultDevice, strings.Join(p.DeviceNames(), ", ")))
	}
	for _, n := range p.DeviceNames() {
		switch k := p.Devices[n].Kind; k {
		case "", DeviceShipped, DeviceSite:
		default:
			errs = append(errs, fmt.Errorf("%w: devices.%s.kind %q: must be %s or %s", ErrPrices, n, k, DeviceShipped, DeviceSite))
		}
	}
	return errors.Join(errs...)
}

// DeviceNames lists the device profiles in name order.
func (p *Prices) DeviceNames() []string {
	names := make([]string, 0, len(p.Devices))
	for n := range p.Devices {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

var figureType = reflect.TypeFor[Figure]()

// walkFigures calls fn for every Figure reachable from v, with its YAML path.
func walkFigures(v reflect.Value, path string, fn func(string, *Figure, bool)) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		p := name
		if path != "" {
			p = path + "." + name
		}
		fv := v.Field(i)
		switch {
		case sf.Type == figureType:
			fn(p, fv.Addr().Interface().(*Figure), sf.Tag.Get("price") == "positive")
		case sf.Type.Kind() == reflect.Struct:
			walkFigures(fv, p, fn)
		case sf.Type.Kind() == reflect.Map && sf.Type.Elem().Kind() == reflect.Struct:
			keys := fv.MapKeys()
			sort.Slice(keys, func(a, b int) bool { return keys[a].String() < keys[b].String() })
			for _, k := range keys {
				// Map values are not addressable: walk a copy and store it back.
				cp := reflect.New(sf.Type.Elem()).Elem()
				cp.Set(fv.MapIndex(k))
				walkFigures(cp, p+"."+k.String(), fn)
				fv.SetMapIndex(k, cp)
			}
		}
	}
}

// Figures lists every figure of the table with its path, in table order;
// `streamcap prices` prints it.
func (p *Prices) Figures() []NamedFigure {
	var out []NamedFigure
	cp := *p
	cp.Devices = make(map[string]Device, len(p.Devices))
	for k, d := range p.Devices {
		cp.Devices[k] = d
	}
	cp.MSK.BrokerTypes = make(map[string]MSKBroker, len(p.MSK.BrokerTypes))
	for k, b := range p.MSK.BrokerTypes {
		cp.MSK.BrokerTypes[k] = b
	}
	walkFigures(reflect.ValueOf(&cp).Elem(), "", func(path string, f *Figure, _ bool) {
		out = append(out, NamedFigure{Path: path, Figure: *f})
	})
	return out
}

// NamedFigure is a Figure with its dotted path in the table
// ("kinesis.shard_hour_usd").
type NamedFigure struct {
	Path string `json:"path"`
	Figure
}

// month returns hours per month.
func (p *Prices) month() float64 { return p.HoursPerMonth.Value }

// secondsPerMonth returns seconds in a billing month.
func (p *Prices) secondsPerMonth() float64 { return p.HoursPerMonth.Value * 3600 }

// gb returns the size of a billed GB in bytes.
func (p *Prices) gb() float64 { return p.GBBytes.Value }
