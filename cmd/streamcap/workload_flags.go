package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
	"github.com/streamcap/streamcap/scenarios"
)

// workloadFlags are the flags that mirror scenario fields; they override
// the scenario file field by field.
type workloadFlags struct {
	rate          units.EventRate
	recordSize    units.Bytes
	maxRecordSize units.Bytes
	retention     units.Duration
	pollInterval  units.Duration
	peakFactor    float64
	headroom      float64
	keys          int
	keyLength     int
	keyDist       string
	currentShards int
	backlog       units.Duration
	replayWithin  units.Duration
	consumers     int
	efoConsumers  int
	pricesFile    string
}

// register adds every workload flag to fs.
func (f *workloadFlags) register(fs *pflag.FlagSet) {
	f.registerTraffic(fs)
	fs.Var(&f.maxRecordSize, "max-record-size", "stream max record size, 1MiB..10MiB "+orScenario(model.DefaultMaxRecordSize.String()))
	fs.Var(&f.retention, "retention", "retention, e.g. 24h, 7d, 365d "+orScenario(model.DefaultRetention.String()))
	fs.Var(&f.pollInterval, "poll-interval", "GetRecords poll interval of shared consumers "+orScenario(model.DefaultPollInterval.String()))
	fs.Float64Var(&f.peakFactor, "peak-factor", 0, "peak rate ÷ average rate, ≥ 1 "+orScenario(fmt.Sprint(model.DefaultPeakFactor)))
	fs.Float64Var(&f.headroom, "headroom", 0, "highest utilisation of any limit to plan for, (0,1] "+orScenario(fmt.Sprint(model.DefaultHeadroom)))
	fs.IntVar(&f.consumers, "consumers", 0, "shared (GetRecords polling) consumers (default: the scenario's, else 0)")
	fs.IntVar(&f.efoConsumers, "efo-consumers", 0, "enhanced fan-out consumers (default: the scenario's, else 0)")
	fs.IntVar(&f.currentShards, "current-shards", 0, "open shards of the stream today (count); adds the reshard steps to the planned count (default: the scenario's, else none)")
	fs.Var(&f.backlog, "backlog", "history a replay reads, e.g. 7d (default: the scenario's, else the whole retention)")
	fs.Var(&f.replayWithin, "replay-within", "time a replay must finish in, e.g. 24h; plans the shards or EFO consumers it needs (default: the scenario's, else no target)")
}

// registerTraffic adds only the flags that shape the records sent (rate,
// size, keys): what `bench` takes beside its own settings.
func (f *workloadFlags) registerTraffic(fs *pflag.FlagSet) {
	fs.Var(&f.rate, "rate", "records per second, e.g. 3000/s, 3k/s, 180000/min")
	fs.Var(&f.recordSize, "record-size", "record size, e.g. 1KB (decimal) or 1KiB (binary)")
	fs.IntVar(&f.keys, "keys", 0, "distinct partition keys "+orScenario(fmt.Sprint(model.DefaultKeyCount)))
	fs.IntVar(&f.keyLength, "key-length", 0, "partition key length in bytes, 1..256; keys count toward the 1 MiB/s shard write limit "+orScenario(fmt.Sprint(model.DefaultKeyLength)))
	fs.StringVar(&f.keyDist, "key-distribution", "", "uniform | zipf:S | hot:FRACTION:KEYS | random (a fresh key per record) (default: the scenario's, else uniform)")
}

// orScenario words the default of a flag that overrides a scenario field:
// the scenario's value when a scenario is named, else the model default.
func orScenario(def string) string { return "(default: the scenario's, else " + def + ")" }

// overrides collects the flags the user actually set (flags fs does not
// have count as not set).
func (f *workloadFlags) overrides(fs *pflag.FlagSet) scenarios.Overrides {
	var o scenarios.Overrides
	set := fs.Changed
	if set("rate") {
		o.Rate = &f.rate
	}
	if set("record-size") {
		o.RecordSize = &f.recordSize
	}
	if set("max-record-size") {
		o.MaxRecordSize = &f.maxRecordSize
	}
	if set("retention") {
		o.Retention = &f.retention
	}
	if set("poll-interval") {
		o.PollInterval = &f.pollInterval
	}
	if set("peak-factor") {
		o.PeakFactor = &f.peakFactor
	}
	if set("headroom") {
		o.Headroom = &f.headroom
	}
	if set("keys") {
		o.Keys = &f.keys
	}
	if set("key-length") {
		o.KeyLength = &f.keyLength
	}
	if set("current-shards") {
		o.CurrentShards = &f.currentShards
	}
	if set("backlog") {
		o.Backlog = &f.backlog
	}
	if set("replay-within") {
		o.ReplayWithin = &f.replayWithin
	}
	if set("key-distribution") {
		o.KeyDistribution = &f.keyDist
	}
	if set("consumers") {
		o.Consumers = &f.consumers
	}
	if set("efo-consumers") {
		o.EFOConsumers = &f.efoConsumers
	}
	return o
}

// loadPrices reads --prices FILE, or the embedded table.
func loadPrices(path string) (*model.Prices, error) {
	if path == "" {
		return model.DefaultPrices(), nil
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, asUsage(fmt.Errorf("--prices: %w", err))
	}
	defer fh.Close()
	p, err := model.LoadPrices(fh)
	if err != nil {
		return nil, asUsage(fmt.Errorf("--prices %q: %w", path, err))
	}
	return p, nil
}

// checkOutput validates -o.
func checkOutput(format string, allowed ...string) error {
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	if filepath.Ext(format) != "" {
		return usagef("-o %q: -o is a format (%s); write a file with --out %s", format, strings.Join(allowed, ", "), format)
	}
	return usagef("-o %q: must be one of %v", format, allowed)
}

// maxArgs is cobra.MaximumNArgs with a usage error.
func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return usagef("%s takes at most %d argument(s), got %d: %q", cmd.CommandPath(), n, len(args), args)
		}
		return nil
	}
}
