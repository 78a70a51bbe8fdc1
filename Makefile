# streamcap — see README.md. `make run` runs the main job on the embedded
# engine; `make test` is what CI runs.
GO        ?= go
BIN       := bin/streamcap
# The packages with goroutines (`make race` checks them alone).
RACE_PKGS := ./loadgen/... ./bench/...

.PHONY: all build run test vet unit race fuzz bench perf soak clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/streamcap

# Plan the bundled 3000 msg/s scenario, prove the plan on the embedded
# engine (planned shards and one fewer), and write report.html.
run: build
	./$(BIN) verify kds-3000x1kb --duration 10s --out report.html

vet:
	$(GO) vet ./...

unit:
	$(GO) test -count=1 ./...

# The concurrent packages under the race detector.
race:
	$(GO) test -race -count=1 -timeout 15m $(RACE_PKGS)

# Every package in one go, the concurrent ones under the race detector
# (`go test` takes one flag set per invocation, so the whole tree runs with
# -race). Timing-sensitive tests (verify's planned-vs-one-fewer, the bench
# integration runs) use the virtual clock, so nothing needs to run alone.
test: vet
	$(GO) test -race -count=1 -timeout 20m ./...
	# Tests whose figures the race detector would distort skip themselves
	# under it and run here without it: resident memory under hostile
	# request bodies, and three worker processes against one generator.
	$(GO) test -count=1 -p 1 -run 'TestHostileBodiesBoundedMemory|TestThreeWorkersMatchOneGenerator' -v ./bench/engine/kinesisapi/ ./cmd/streamcap/

# Short fuzzing of every parser/decoder (seeds always run in `make test`).
FUZZTIME ?= 15s
FUZZ_TARGETS = ./model/units:FuzzParse ./scenarios:FuzzParse ./model:FuzzPlanKinesis ./model:FuzzLoadPrices \
	./model:FuzzParseLinkRange ./loadgen:FuzzParseProfile ./reports:FuzzAddJSON ./bench/engine:FuzzSegmentReader \
	./bench/engine/kinesisapi:FuzzDecodeRequest ./bench/engine/kinesisapi:FuzzDecodeBlob \
	./bench/engine/kinesisapi:FuzzPutRecordsFastDecode ./bench:FuzzReadHlog
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t#*:} in $${t%%:*} for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) "$${t%%:*}"; \
	done

# Go benchmarks for the speed targets (figures go in closing notes).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./model/... ./loadgen/... ./bench/... ./reports/...

# Side-by-side throughput and server/client CPU per record: kinesalite (installed from npm into
# a cache dir, on loopback), the engine, the raw SDK and bench (docs/performance.md). Not in test.
perf:
	bash bench/perf/perf.sh

# Long crash-recovery soak: SIGKILL the engine server 1000 times under
# write load (CI runs 50), and the engine's own writer 500 times; then 200
# fault-injection cycles (corrupt and deleted segments, lost meta.json, failed
# metadata writes, full disk, cut tails) and a 10 000-shard stream under
# RLIMIT_NOFILE 1024.
soak:
	STREAMCAP_CRASH_CYCLES=1000 $(GO) test -count=1 -run TestCrashSafety -timeout 60m -v ./bench/engine/kinesisapi/
	$(GO) test -count=1 -run TestCrashRecovery -timeout 60m ./bench/engine/ -args -crash-cycles=500
	STREAMCAP_ENGINE_SOAK=1 $(GO) test -count=1 -run 'TestFaultInjectionSuite|TestManyShardsUnderLowFileLimit' -timeout 60m -v ./bench/engine/ -args -fault-cycles=200

clean:
	rm -rf bin
