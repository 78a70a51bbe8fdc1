package engine

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var crashCycles = flag.Int("crash-cycles", 5, "SIGKILL cycles run by TestCrashRecovery (raise for a soak)")

const crashDirEnv = "STREAMCAP_ENGINE_CRASH_DIR"

// TestCrashChild is the child process of TestCrashRecovery; it does nothing in a normal run. It
// opens the engine in the given directory, then puts records from 4 writers, one partition key
// each, and prints "ack KEY DATA" for every acknowledged record until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("child process of TestCrashRecovery")
	}
	cycle := os.Getenv("STREAMCAP_ENGINE_CRASH_CYCLE")
	e, err := Open(Options{Dir: dir, LimitsOff: true, SegmentBytes: 64 << 10})
	if err != nil {
		fmt.Printf("error %v\n", err)
		os.Exit(3)
	}
	if cycle == "0" {
		if err := e.CreateStream(CreateStreamInput{Name: "s", ShardCount: 2}); err != nil {
			fmt.Printf("error %v\n", err)
			os.Exit(3)
		}
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	fmt.Fprintln(out, "ready")
	_ = out.Flush()
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("w%d", w)
			for n := 0; n < 1_000_000; n++ {
				data := fmt.Sprintf("%s-%s-%07d-%s", key, cycle, n, strings.Repeat("p", n%300))
				var err error
				var seq string
				if n%5 == 0 {
					var out []PutRecordsEntry
					out, err = e.PutRecords("s", []Record{{PartitionKey: key, Data: []byte(data)}})
					if err == nil {
						seq = out[0].SequenceNumber
						if out[0].ErrorCode != "" {
							err = fmt.Errorf("%s: %s", out[0].ErrorCode, out[0].ErrorMessage)
						}
					}
				} else {
					var r PutResult
					r, err = e.PutRecord("s", Record{PartitionKey: key, Data: []byte(data)})
					seq = r.SequenceNumber
				}
				if err != nil {
					fmt.Printf("error %v\n", err)
					os.Exit(3)
				}
				mu.Lock()
				fmt.Fprintf(out, "ack %s %s %s\n", key, data, seq)
				_ = out.Flush()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// TestCrashRecovery kills a child process that is writing to the engine with SIGKILL at random
// moments, restarts it on the same directory, and finally checks that every acknowledged record
// is present exactly once and in order per partition key.
func TestCrashRecovery(t *testing.T) {
	if os.Getenv(crashDirEnv) != "" {
		t.Skip("inside the child")
	}
	t.Parallel()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	acked := map[string][]string{}  // key -> data in ack order
	seqOwner := map[string]string{} // sequence number -> data acknowledged with it
	var dropped int64
	for cycle := 0; cycle < *crashCycles; cycle++ {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, "STREAMCAP_ENGINE_CRASH_CYCLE="+strconv.Itoa(cycle))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		if !sc.Scan() || sc.Text() != "ready" {
			cancel()
			_ = cmd.Wait()
			t.Fatalf("cycle %d: child did not start: %q", cycle, sc.Text())
		}
		killAt := time.Duration(20+rng.IntN(200)) * time.Millisecond
		timer := time.AfterFunc(killAt, func() { _ = cmd.Process.Kill() })
		lines := 0
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 4 && f[0] == "ack" {
				acked[f[1]] = append(acked[f[1]], f[2])
				// A sequence number is never handed out twice, across every crash and restart.
				if prev, ok := seqOwner[f[3]]; ok {
					t.Fatalf("cycle %d: sequence number %s acknowledged for %s and, before, for %s", cycle, f[3], f[2], prev)
				}
				seqOwner[f[3]] = f[2]
				lines++
				continue
			}
			t.Errorf("cycle %d: child said %q", cycle, sc.Text())
		}
		timer.Stop()
		_ = cmd.Wait()
		cancel()
		t.Logf("cycle %d: killed after %v, %d acknowledged records", cycle, killAt, lines)
	}
	e := openDisk(t, Options{Dir: dir, LimitsOff: true})
	for _, s := range e.Recovery().Shards {
		dropped += s.DroppedBytes
	}
	log := map[string][]string{}
	for _, sh := range []string{"shardId-000000000000", "shardId-000000000001"} {
		recs, _ := readAll(t, e, mustIter(t, e, "s", sh, TrimHorizon, "", time.Time{}))
		for _, r := range recs {
			log[r.PartitionKey] = append(log[r.PartitionKey], string(r.Data))
			if d, ok := seqOwner[r.SequenceNumber]; ok && d != string(r.Data) {
				t.Fatalf("sequence number %s holds %s, but was acknowledged for %s", r.SequenceNumber, r.Data, d)
			}
		}
	}
	total := 0
	for key, want := range acked {
		got := log[key]
		// The log may hold records whose ack was not printed before the kill, but it must hold
		// every printed ack, in order, each exactly once, with no record twice.
		seen := map[string]bool{}
		i := 0
		for _, d := range got {
			if seen[d] {
				t.Fatalf("key %s: record %s appears twice", key, d)
			}
			seen[d] = true
			if i < len(want) && d == want[i] {
				i++
			}
		}
		if i != len(want) {
			t.Fatalf("key %s: acknowledged record %s missing or out of order (%d of %d found in order; log has %d)", key, want[i], i, len(want), len(got))
		}
		total += len(want)
	}
	t.Logf("%d cycles: %d acknowledged records all present; last recovery dropped %d torn bytes", *crashCycles, total, dropped)
}
