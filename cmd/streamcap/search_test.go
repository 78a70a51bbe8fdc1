package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamcap/streamcap/bench/engine"
	"github.com/streamcap/streamcap/bench/engine/kinesisapi"
	"github.com/streamcap/streamcap/bench/search"
)

// searchArgs are short trials and a coarse precision: these tests prove a
// search runs end to end through each target and renders, not where the
// bracket lands (bench/search's engine tests do, on a virtual clock).
var searchArgs = []string{"--rate", "300/s", "--record-size", "1KB", "--keys", "1000",
	"--warmup", "500ms", "--trial", "1s", "--confirm", "1s", "--precision", "30%", "--to", "2400/s", "-q"}

// searchAndReport runs `bench search` with args, checks its JSON (stdout
// and --out agree), renders it with `report` and returns the outcome.
func searchAndReport(t *testing.T, args ...string) *search.Outcome {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "search.json")
	code, out, errOut := runCLI(t, append(append([]string{"bench", "search", "-o", "json", "--out", file}, searchArgs...), args...)...)
	if code != 0 {
		t.Fatalf("bench search: exit %d: %s", code, errOut)
	}
	o, err := search.ReadJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("stdout: %v\n%s", err, out)
	}
	saved, err := os.ReadFile(file)
	if err != nil || string(saved) != out {
		t.Errorf("--out %s differs from stdout (%v)", file, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(saved, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema", "sustainable_rate", "failing_rate", "confirmed", "trials"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("search JSON lacks %q", k)
		}
	}
	if len(o.Trials) < 2 || o.Trials[0].Rate != 300 || o.StopReason == "" || o.StopReason == search.StopCanceled {
		t.Errorf("outcome: %d trials from %v/s, stop %q", len(o.Trials), o.Trials[0].Rate, o.StopReason)
	}
	t.Logf("%s: %s (%d trials)", o.Target, o.Bracket(), len(o.Trials))
	html := filepath.Join(dir, "report.html")
	if code, _, errOut := runCLI(t, "report", file, "--out", html); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Sustainable rate: " + o.Target, "Achieved rate against offered rate", o.Bracket()} {
		if !strings.Contains(string(page), strings.ReplaceAll(want, ">", "&gt;")) {
			t.Errorf("report lacks %q", want)
		}
	}
	return o
}

// TestBenchSearchKinesisAPI searches a one-shard stream of the bundled
// engine served over the Kinesis API (limits on, shards without burst
// credit): each trial creates its own stream, and any trial that achieved
// more than 2,000/s (over 2,000 sends in its 1 s window, against at most
// 1,500 tokens: 500 earned in the warm-up, 1,000 in the window) throttled.
// Where the bracket lands depends on how fast this machine drives HTTP;
// bench/search's tests pin it on a virtual clock.
func TestBenchSearchKinesisAPI(t *testing.T) {
	t.Parallel()
	eng, err := engine.Open(engine.Options{InMemory: true, NoBurstCredit: true})
	if err != nil {
		t.Fatal(err)
	}
	api := kinesisapi.NewHandler(eng, kinesisapi.HandlerOptions{})
	var creates, deletes atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("X-Amz-Target") {
		case "Kinesis_20131202.CreateStream":
			creates.Add(1)
		case "Kinesis_20131202.DeleteStream":
			deletes.Add(1)
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { srv.Close(); eng.Close() })
	o := searchAndReport(t, "--target", "kinesis", "--endpoint", srv.URL, "--region", "us-east-1", "--shards", "1", "--stream", "srch", "--max-retries", "0")
	if o.Target != "kinesis" || o.Shards != 1 || o.PredictedRate < 990 || o.PredictedRate > 1010 {
		t.Errorf("target %q, %d shards, predicted %v/s; want kinesis, 1, ~1,000/s", o.Target, o.Shards, o.PredictedRate)
	}
	for _, tr := range o.Trials {
		if tr.AchievedRate > 2000 && (tr.Throttles == 0 || tr.Passed) {
			t.Errorf("trial at %v/s achieved %v/s on one shard with %d throttled, passed %v", tr.Rate, tr.AchievedRate, tr.Throttles, tr.Passed)
		}
	}
	if streams := eng.ListStreams(); len(streams) != 0 {
		t.Errorf("streams %q left after the search: want each trial's deleted", streams)
	}
	if c, d := creates.Load(), deletes.Load(); c != int64(len(o.Trials)) || d != c {
		t.Errorf("%d streams created and %d deleted for %d trials: want a fresh stream per trial, each deleted", c, d, len(o.Trials))
	}
}

// With --keep-streams a search leaves every trial's stream where it is: a short search (two
// trials up to --to 600/s, no confirmation) over the Kinesis API deletes none of those it created.
func TestBenchSearchKeepStreams(t *testing.T) {
	t.Parallel()
	eng, err := engine.Open(engine.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	api := kinesisapi.NewHandler(eng, kinesisapi.HandlerOptions{})
	var deletes atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") == "Kinesis_20131202.DeleteStream" {
			deletes.Add(1)
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { srv.Close(); eng.Close() })
	code, out, errOut := runCLI(t, "bench", "search", "-o", "json", "-q", "--rate", "300/s", "--record-size", "1KB", "--keys", "1000",
		"--warmup", "200ms", "--trial", "500ms", "--confirm", "0", "--to", "600/s",
		"--target", "kinesis", "--endpoint", srv.URL, "--region", "us-east-1", "--shards", "1", "--stream", "kept", "--max-retries", "0", "--keep-streams")
	if code != 0 {
		t.Fatalf("bench search: exit %d: %s", code, errOut)
	}
	o, err := search.ReadJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if streams := eng.ListStreams(); len(o.Trials) == 0 || len(streams) != len(o.Trials) || deletes.Load() != 0 {
		t.Errorf("%d trials left streams %q and %d deletes; want each trial's stream kept, none deleted", len(o.Trials), streams, deletes.Load())
	}
}

// TestBenchSearchKafka searches a one-broker kfake cluster: no limits, so
// every trial up to --to passes and the search stops at the ceiling.
func TestBenchSearchKafka(t *testing.T) {
	t.Parallel()
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	o := searchAndReport(t, "--target", "kafka", "--brokers", strings.Join(c.ListenAddrs(), ","), "--partitions", "2")
	if o.Target != "kafka" || o.PredictedRate != 0 {
		t.Errorf("target %q, predicted %v; want kafka without a Kinesis prediction", o.Target, o.PredictedRate)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	topics, err := kadm.NewClient(cl).ListTopics(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if names := topics.Names(); len(names) != 0 {
		t.Errorf("topics %q left after the search: want each trial's deleted", names)
	}
}

func TestBenchSearchBadFlagsExit2(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--precision", "0"}, `precision "0": must be above 0 and at most 50%`},
		{[]string{"--from", "500/s", "--to", "100/s"}, "to 100/s: must be a finite rate at least from (500/s)"},
		{[]string{"-o", "yaml"}, `-o "yaml"`},
		// The target flags are bench's (targetFlags): same spelling, same checks.
		{[]string{"--limits", "maybe"}, `--limits "maybe": must be on or off`},
		{[]string{"--no-limits"}, "unknown flag: --no-limits"},
		{[]string{"--no-retries"}, "unknown flag: --no-retries"},
		{[]string{"--batch-size", "10"}, "--batch-size"},
	} {
		code, _, errOut := runCLI(t, append([]string{"bench", "search", "--rate", "100/s", "--record-size", "1KB", "--shards", "1"}, tc.args...)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}
