package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/engine"
	"github.com/streamcap/streamcap/bench/engine/kinesisapi"
	"github.com/streamcap/streamcap/loadgen"
)

// childEnv makes the test binary run the CLI with the arguments after
// "--" instead of the tests, so a test can start real worker processes.
const childEnv = "STREAMCAP_TEST_CLI_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		args := os.Args[1:]
		for i, a := range args {
			if a == "--" {
				args = args[i+1:]
				break
			}
		}
		os.Exit(run(args, systemStreams()))
	}
	os.Exit(m.Run())
}

func TestSliceFlagsResolve(t *testing.T) {
	now := time.Date(2026, 12, 1, 21, 0, 0, 500, time.UTC)
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	for _, tc := range []struct {
		name  string
		f     sliceFlags
		env   map[string]string
		slice loadgen.Slice
		t0    time.Time
		err   string
	}{
		{"whole", sliceFlags{workers: 1, index: -1}, nil, loadgen.Slice{}, time.Time{}, ""},
		{"job index", sliceFlags{workers: 3, index: -1, startAt: "+30s"}, map[string]string{"JOB_COMPLETION_INDEX": "2"}, loadgen.Slice{Workers: 3, Index: 2}, now.Add(30 * time.Second).Truncate(time.Second), ""},
		{"nomad index", sliceFlags{workers: 3, index: -1, startAt: "2026-12-01T21:05:00Z"}, map[string]string{"NOMAD_ALLOC_INDEX": "1"}, loadgen.Slice{Workers: 3, Index: 1}, time.Date(2026, 12, 1, 21, 5, 0, 0, time.UTC), ""},
		{"flag beats env", sliceFlags{workers: 3, index: 0, startAt: "+1s"}, map[string]string{"JOB_COMPLETION_INDEX": "2"}, loadgen.Slice{Workers: 3, Index: 0}, now.Add(time.Second).Truncate(time.Second), ""},
		{"no index", sliceFlags{workers: 3, index: -1, startAt: "+1s"}, nil, loadgen.Slice{}, time.Time{}, "this worker's index is unknown"},
		{"index out of range", sliceFlags{workers: 3, index: -1, startAt: "+1s"}, map[string]string{"JOB_COMPLETION_INDEX": "3"}, loadgen.Slice{}, time.Time{}, "worker index 3: must be between 0 and 2"},
		{"bad env", sliceFlags{workers: 3, index: -1, startAt: "+1s"}, map[string]string{"JOB_COMPLETION_INDEX": "two"}, loadgen.Slice{}, time.Time{}, `$JOB_COMPLETION_INDEX "two"`},
		{"no t0", sliceFlags{workers: 3, index: 1}, nil, loadgen.Slice{}, time.Time{}, "give every worker the same --start-at"},
		{"bad t0", sliceFlags{workers: 3, index: 1, startAt: "tomorrow"}, nil, loadgen.Slice{}, time.Time{}, `--start-at "tomorrow"`},
		{"zero workers", sliceFlags{workers: 0, index: -1}, nil, loadgen.Slice{}, time.Time{}, "--workers 0: must be between 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, t0, err := tc.f.resolve(env(tc.env), now)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || exitCode(err) != exitUsage {
					t.Fatalf("err %v (exit %d); want usage error %q", err, exitCode(err), tc.err)
				}
				return
			}
			if err != nil || s != tc.slice || !t0.Equal(tc.t0) {
				t.Fatalf("slice %+v t0 %v err %v; want %+v %v", s, t0, err, tc.slice, tc.t0)
			}
		})
	}
}

// The pod arguments `bench kube` prints are ones `bench` accepts.
func TestBenchKubeArgsParse(t *testing.T) {
	code, out, errOut := runCLI(t, "bench", "kube", "kds-3000x1kb", "--workers", "3", "--image", "img:1", "--start-at", "2026-12-01T21:00:00Z",
		"-o", "json", "--", "--target", "kinesis", "--endpoint", "http://127.0.0.1:4567")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var list struct {
		Items []struct {
			Kind string `json:"kind"`
			Spec struct {
				Template struct {
					Spec struct {
						Containers []struct {
							Args []string `json:"args"`
						} `json:"containers"`
					} `json:"spec"`
				} `json:"template"`
			} `json:"spec"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.Items) != 2 || list.Items[1].Kind != "Job" {
		t.Fatalf("list %+v: %v\n%s", list, err, out)
	}
	args := list.Items[1].Spec.Template.Spec.Containers[0].Args
	if args[0] != "bench" || args[1] != "/etc/streamcap/kds-3000x1kb.yaml" {
		t.Fatalf("args %q", args)
	}
	cmd := newRootCmd(&streams{}, &profiling{})
	bcmd, rest, err := cmd.Find(args)
	if err != nil || bcmd.Name() != "bench" {
		t.Fatalf("find %q: %v", args, err)
	}
	if err := bcmd.ParseFlags(rest); err != nil {
		t.Fatalf("bench refuses the manifest's flags %q: %v", rest, err)
	}
	for _, bad := range [][]string{
		{"bench", "kube", "--workers", "3"},                                         // no image
		{"bench", "kube", "--workers", "3", "--image", "i", "--", "--workers", "2"}, // flag the manifest owns
		{"bench", "kube", "--workers", "3", "--image", "i", "--start-at", "soon"},   // bad t0
		{"bench", "kube", "no-such-scenario", "--workers", "3", "--image", "i"},     // bad scenario
		{"bench", "collect"}, // nothing to read
	} {
		if code, _, errOut := runCLI(t, bad...); code != exitUsage {
			t.Errorf("%q: exit %d (%s); want 2", bad, code, errOut)
		}
	}
}

// Three worker processes (JOB_COMPLETION_INDEX=0,1,2) against one engine
// served over the Kinesis API send what one generator sends: the same
// counts (±1 a worker) and rate (±1 %); the merged histogram holds exactly
// one sample per acknowledged send, and the engine exactly the
// acknowledged records.
func TestThreeWorkersMatchOneGenerator(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	if raceEnabled {
		// Race-built workers push 3,000 records/s through the SDK several
		// times slower: the run would measure the detector, not slicing.
		t.Skip("rates under the race detector are not the generator's (make test runs this without -race)")
	}
	e, err := engine.Open(engine.Options{InMemory: true, LimitsOff: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: kinesisapi.NewHandler(e, kinesisapi.HandlerOptions{})}
	go srv.Serve(ln)
	defer srv.Close()
	endpoint := "http://" + ln.Addr().String()
	dir := t.TempDir()
	common := []string{"bench", "--target", "kinesis", "--endpoint", endpoint, "--rate", "3000/s", "--record-size", "1KB",
		"--shards", "4", "--warmup", "1s", "--duration", "3s", "--consumers", "0", "--quiet", "-o", "json",
		// Batched PutRecords: ~60 calls/s instead of 3,000, so four
		// generators and the server fit on a busy 2-core machine.
		"--batch-size", "100", "--linger", "5ms"}
	t.Setenv("AWS_ACCESS_KEY_ID", "streamcap")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "streamcap")

	// One generator.
	code, out, errOut := runCLI(t, append(common, "--stream", "single")...)
	if code != 0 {
		t.Fatalf("single generator: exit %d: %s", code, errOut)
	}
	var one bench.Result
	if err := json.Unmarshal([]byte(out), &one); err != nil {
		t.Fatal(err)
	}

	// Three workers, one process each, from one t0.
	// t0 leaves room for three (race-built, on a busy machine: slow) worker
	// processes to start; a worker that misses it still sends its slice, late.
	t0 := time.Now().Add(10 * time.Second).UTC().Format(time.RFC3339Nano)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var cmds []*exec.Cmd
	for i := range 3 {
		args := append([]string{"-test.run=^$", "--"}, common...)
		args = append(args, "--stream", "sliced", "--workers", "3", "--start-at", t0, "--out", filepath.Join(dir, "result-{index}.json"))
		cmd := exec.CommandContext(ctx, os.Args[0], args...)
		cmd.Env = append(os.Environ(), childEnv+"=1", "JOB_COMPLETION_INDEX="+strconv.Itoa(i))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("worker %d stderr:\n%s", i, stderr.String())
			}
		})
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("worker %d: %v", i, err)
		}
	}
	files := []string{"bench", "merge", "-o", "json"}
	for i := range 3 {
		files = append(files, filepath.Join(dir, fmt.Sprintf("result-%d.json", i)))
	}
	code, out, errOut = runCLI(t, files...)
	if code != 0 {
		t.Fatalf("merge: exit %d: %s", code, errOut)
	}
	var m bench.Result
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}

	c1, cm := one.Counts, m.Counts
	if cm.Errors+cm.Throttles+cm.Aborted+cm.Unfinished+cm.Missed != 0 || c1.Errors+c1.Throttles+c1.Missed != 0 {
		t.Fatalf("failed sends: merged %+v, single %+v", cm, c1)
	}
	if d := cm.Sent - c1.Sent; d < -3 || d > 3 || cm.Acked-c1.Acked < -3 || cm.Acked-c1.Acked > 3 {
		t.Errorf("merged sent %d acked %d; one generator %d, %d (want ±1 a worker)", cm.Sent, cm.Acked, c1.Sent, c1.Acked)
	}
	if r := m.AchievedRate / one.AchievedRate; math.Abs(r-1) > 0.01 || math.Abs(m.TargetRate/3000-1) > 0.01 {
		t.Errorf("merged rate %.1f/s (target %.1f/s); one generator %.1f/s", m.AchievedRate, m.TargetRate, one.AchievedRate)
	}
	if m.Response.Count != cm.Acked+cm.Errors+cm.Throttles {
		t.Errorf("merged response histogram holds %d samples; want one per completed send, %d", m.Response.Count, cm.Acked)
	}
	if m.Distributed == nil || len(m.Distributed.Worker) != 3 {
		t.Fatalf("merged distributed section %+v", m.Distributed)
	}
	for _, w := range m.Distributed.Worker {
		if time.Duration(w.StartLagNS) > time.Second {
			t.Errorf("worker %d started %v after t0", w.Index, time.Duration(w.StartLagNS))
		}
	}
	// The engine holds exactly the acknowledged records: warm-up and
	// measured ones, of every worker.
	st, err := e.Stats("sliced")
	if err != nil {
		t.Fatal(err)
	}
	var held int64
	for _, sh := range st.Shards {
		held += sh.Records
	}
	if want := cm.Acked + cm.WarmupSent; held != want {
		t.Errorf("engine holds %d records; workers acknowledged %d (%d measured + %d warm-up)", held, want, cm.Acked, cm.WarmupSent)
	}
}
