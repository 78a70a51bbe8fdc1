package model

import (
	"time"

	"github.com/streamcap/streamcap/model/units"
)

// bundledWorkloads mirrors the Kinesis fields of scenarios/bundled/*.yaml
// (the scenarios package imports model, so model's tests cannot load
// them; scenarios' tests check the files plan the same).
func bundledWorkloads() []Workload {
	day := units.Duration(24 * time.Hour)
	return []Workload{
		seed(),
		{Name: "cdc-replay", Rate: 5000, PeakFactor: 2, RecordSize: SizeDist{Kind: SizeUniform, Min: 500, Max: 5000},
			Keys:      KeySpec{Count: 1_000_000, Length: 20, Distribution: KeyDist{Kind: KeysZipf, S: 0.8}},
			Consumers: []Consumer{{Name: "search-indexer"}, {Name: "cache-invalidator", Lambda: &LambdaConsumer{BatchSize: 200, MemoryMB: 256, DurationPerBatch: units.Duration(80 * time.Millisecond)}}},
			Retention: 365 * day, MaxRecordSize: 2 * units.MiB},
		{Name: "clickstream", Rate: 20000, PeakFactor: 3,
			RecordSize: SizeDist{Kind: SizeWeighted, Weighted: []WeightedSize{{300, 6}, {1000, 3}, {4000, 1}}},
			Keys:       KeySpec{Count: 50000, Length: 24, Distribution: KeyDist{Kind: KeysHot, HotFraction: 0.1, HotKeys: 20}},
			Consumers: []Consumer{{Name: "sessionizer", Lambda: &LambdaConsumer{BatchSize: 500, BatchingWindow: units.Duration(time.Second), ParallelizationFactor: 2, MemoryMB: 512, DurationPerBatch: units.Duration(250 * time.Millisecond), Arch: "arm64"}},
				{Name: "s3-archiver", PollInterval: units.Duration(5 * time.Second)}, {Name: "dashboard", Kind: ConsumerEFO}},
			Retention: 2 * day, Headroom: 0.8},
		{Name: "iot-fleet", Rate: 50000, PeakFactor: 1.2, RecordSize: SizeDist{Kind: SizeUniform, Min: 150, Max: 250},
			Keys:      KeySpec{Count: 100000, Length: 36, Distribution: KeyDist{Kind: KeysUniform}},
			Consumers: []Consumer{{Name: "rules-engine", Lambda: &LambdaConsumer{BatchSize: 1000, BatchingWindow: units.Duration(500 * time.Millisecond), MemoryMB: 256, DurationPerBatch: units.Duration(50 * time.Millisecond)}}, {Name: "timeseries-writer", Kind: ConsumerEFO}},
			Retention: 7 * day},
	}
}
