package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/verify"
	"github.com/streamcap/streamcap/loadgen"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/scenarios"
)

// TestSameVerdictEverywhere feeds one result — 1000 sent, 900 acknowledged,
// 100 unfinished, latencies well within the SLO — to bench's verdict, to
// verify's plan verdict, and to `streamcap report` (as a bench result file
// beside the scenario that carries the SLO, and as the verify document):
// all fail it, on the same check, because there is one SLO check
// (bench.CheckSLO) and one plan verdict (verify.Judge).
func TestSameVerdictEverywhere(t *testing.T) {
	t.Parallel()
	w, err := scenarios.Resolve("kds-3000x1kb", scenarios.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	res := &bench.Result{
		Schema: bench.SchemaVersion, Target: "embedded", Runs: 1, TargetRate: 3000, AchievedRate: 3000, ElapsedNS: 1e9,
		Settings: bench.Settings{Shards: 4},
		Counts:   loadgen.Counts{Sent: 1000, Acked: 900, Unfinished: 100},
		Response: bench.Latency{Count: 900, P99NS: 2e6}, E2E: bench.Latency{Count: 900, P99NS: 3e8},
		Errors: []loadgen.ErrorCount{}, Throttles: []loadgen.ErrorCount{}, Timeline: []loadgen.Interval{},
	}
	dir := t.TempDir()
	resultPath := filepath.Join(dir, "result.json")
	if err := writeFile(resultPath, func(f *os.File) error { return bench.WriteJSON(f, res) }); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(resultPath)
	if err != nil {
		t.Fatal(err)
	}
	back, err := bench.ReadJSON(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}

	// bench: the run's verdict.
	bv := bench.Judge("", back, w.SLO)
	if bv.OK || len(bv.Failed()) != 1 || bv.Failed()[0].What != "failed sends" {
		t.Fatalf("bench verdict %+v; want one failed check, failed sends", bv)
	}
	if err := verdictFailure(bv); exitCode(err) != exitFailure {
		t.Errorf("bench exit %d (%v); want 1", exitCode(err), err)
	}

	// verify: the plan verdict on the same result at the planned count.
	plan, err := model.Plan(*w, model.DefaultPrices(), model.PlanOptions{Mode: model.ModeProvisioned})
	if err != nil {
		t.Fatal(err)
	}
	prov := plan.Kinesis.Provisioned
	run := verify.NewRun(prov.Shards, prov.Shards, back, w.SLO)
	pv, _ := verify.Judge(prov, *run, nil, w.SLO)
	if pv.Holds || run.Held {
		t.Fatalf("verify verdict holds on a run with 100 unfinished sends: %+v", pv)
	}
	out := &verify.Outcome{Schema: verify.Schema, Plan: plan, PeakRate: 3000, Planned: *run, Verdict: pv, Holds: pv.Holds}
	verifyPath := filepath.Join(dir, "verify.json")
	if err := writeFile(verifyPath, func(f *os.File) error { return verify.WriteJSON(f, out) }); err != nil {
		t.Fatal(err)
	}

	type reportDoc struct {
		Checks []bench.Check `json:"checks"`
		Verify *struct {
			Holds bool `json:"holds"`
		} `json:"verify"`
	}
	report := func(args ...string) reportDoc {
		t.Helper()
		code, stdout, stderr := runCLI(t, append([]string{"report", "-o", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("report %v: exit %d: %s", args, code, stderr)
		}
		var d reportDoc
		if err := json.Unmarshal([]byte(stdout), &d); err != nil {
			t.Fatalf("report %v: %v", args, err)
		}
		return d
	}
	failed := func(cs []bench.Check) []string {
		var out []string
		for _, c := range cs {
			if !c.OK && !c.Informational {
				out = append(out, c.What)
			}
		}
		return out
	}

	// report: the bench result under the scenario's SLO.
	d := report("kds-3000x1kb", resultPath)
	if got := failed(d.Checks); len(got) != 1 || got[0] != "failed sends" {
		t.Errorf("report of the result: failed checks %q; want [failed sends]", got)
	}
	// report: the verify document, its verdict displayed as computed.
	d = report(verifyPath)
	if d.Verify == nil || d.Verify.Holds {
		t.Errorf("report of the verify document: verdict %+v; want does not hold", d.Verify)
	}
	if got, want := failed(d.Checks), failed(pv.Checks); len(got) == 0 || len(got) != len(want) {
		t.Errorf("report of the verify document: failed checks %q; verify's %q", got, want)
	}
}
