package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamcap/streamcap/bench/engine"
)

// `engine repair` turns a refused data directory into one the engine opens, with the intact
// records readable and the lost ones in the report.
func TestEngineRepairCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	opts := engine.Options{Dir: dir, Fsync: engine.FsyncNever, LimitsOff: true, SegmentBytes: 4096}
	e, err := engine.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.CreateStream(engine.CreateStreamInput{Name: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 21; i++ { // 7 segments of 3 records of 1027 bytes
		if _, err := e.PutRecord("s", engine.Record{PartitionKey: "k", Data: []byte(fmt.Sprintf("%04d%s", i, strings.Repeat("d", 996)))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "streams", "s", "shard-000000000000", "*.seg"))
	b, _ := os.ReadFile(segs[0])
	b[1500] ^= 0xff // inside record 2 of segment 1 of 7
	if err := os.WriteFile(segs[0], b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := engine.Open(opts); err == nil || !strings.Contains(err.Error(), "engine repair --data-dir "+dir) {
		t.Fatalf("Open = %v; want a refusal naming the repair command", err)
	}
	code, out, errOut := runCLI(t, "engine", "repair", "--data-dir", dir, "--dry-run")
	if code != 0 || !strings.Contains(out, "dry run: nothing changed") || !strings.Contains(out, "lost: 2 record(s), offsets 2–3") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "engine", "repair", "--data-dir", dir, "-o", "json")
	var rep engine.RepairReport
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Schema != engine.RepairSchema || rep.RecordsLost != 2 || rep.BytesMoved != 2*1027 {
		t.Fatalf("repair: exit %d\n%s\n%s", code, out, errOut)
	}
	e2, err := engine.Open(opts)
	if err != nil {
		t.Fatalf("Open after repair: %v", err)
	}
	defer e2.Close()
	it, _ := e2.GetShardIterator("s", "shardId-000000000000", engine.TrimHorizon, "", time.Time{})
	n := 0
	for {
		res, err := e2.GetRecords(it, 0)
		if err != nil {
			t.Fatal(err)
		}
		n += len(res.Records)
		if len(res.Records) == 0 {
			break
		}
		it = res.NextShardIterator
	}
	if n != 19 {
		t.Errorf("after repair %d records readable, want 19 (21 acknowledged - 2 listed lost)", n)
	}
	if code, _, _ := runCLI(t, "engine", "repair"); code != 2 {
		t.Errorf("repair without --data-dir: exit %d, want 2", code)
	}
}
