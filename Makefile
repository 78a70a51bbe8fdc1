# streamcap — see README.md. `make run` runs the main job on the embedded
# engine; `make test` is what CI runs.
GO        ?= go
BIN       := bin/streamcap
# Packages with goroutines get the race detector; the rest run plain.
RACE_PKGS := ./loadgen/... ./bench/...

.PHONY: all build run test vet unit race fuzz bench perf soak clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/streamcap

# Plan the bundled 3000 msg/s scenario, prove the plan on the embedded
# engine (planned shards and one fewer), and write report.html.
run: build
	./$(BIN) verify kds-3000x1kb --duration 10s -o report.html

vet:
	$(GO) vet ./...

unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v -e /loadgen -e /bench)

# verify drives 3000 records/s against the engine and checks that one shard
# fewer than planned throttles (it is only ~1.4 % over its limit), so it runs
# on its own, not beside another package competing for the two cores.
race:
	$(GO) test -race -count=1 -timeout 15m $$($(GO) list $(RACE_PKGS) | grep -v /bench/verify)
	$(GO) test -race -count=1 -timeout 5m ./bench/verify/

test: vet unit race

# Short fuzzing of every parser/decoder (seeds always run in `make test`).
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 30s ./model/units/

# Go benchmarks for the speed targets (figures go in closing notes).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./model/... ./loadgen/... ./bench/... ./reports/...

# Side-by-side throughput and server/client CPU per record: kinesalite (installed from npm into
# a cache dir, on loopback), the engine, the raw SDK and bench (docs/performance.md). Not in test.
perf:
	bash bench/perf/perf.sh

# Long crash-recovery soak: SIGKILL the engine server 1000 times under
# write load (CI runs 50), and the engine's own writer 500 times.
soak:
	STREAMCAP_CRASH_CYCLES=1000 $(GO) test -count=1 -run TestCrashSafety -timeout 60m -v ./bench/engine/kinesisapi/
	$(GO) test -count=1 -run TestCrashRecovery -timeout 60m ./bench/engine/ -args -crash-cycles=500

clean:
	rm -rf bin
