package kinesisapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// crashChild is one server process started by the crash test.
type crashChild struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
}

// startChild re-executes the test binary as a server on dir and waits (at most 20 s) for it to
// publish its address.
func startChild(t *testing.T, dir, addrFile, fsync string, extraEnv ...string) *crashChild {
	t.Helper()
	_ = os.Remove(addrFile)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childDirEnv+"="+dir, childAddrEnv+"="+addrFile, childFsyncEnv+"="+fsync)
	cmd.Env = append(cmd.Env, extraEnv...)
	stderr := &bytes.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(addrFile); err == nil && len(b) > 0 {
			return &crashChild{cmd: cmd, url: "http://" + string(b), stderr: stderr}
		}
		time.Sleep(5 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	t.Fatalf("child server (pid %d) did not publish its address in 20s; stderr:\n%s", cmd.Process.Pid, stderr)
	return nil
}

// kill SIGKILLs the child by PID and reaps it.
func (c *crashChild) kill() {
	_ = c.cmd.Process.Kill()
	_ = c.cmd.Wait()
}

// call posts one JSON 1.1 request and decodes a 200 answer into out.
func call(ctx context.Context, hc *http.Client, url, op string, in, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(mustJSON(in)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Amz-Target", targetPrefix+op)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d: %s", op, resp.StatusCode, b)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

// ackedRecord is a record the server acknowledged.
type ackedRecord struct {
	shard, seq, data string
}

// TestCrashSafety runs STREAMCAP_CRASH_CYCLES (default 50) cycles of: start a child server on one
// data directory (fsync alternating always / interval), write to it with PutRecords from two
// writers, SIGKILL it at a random moment (seeded by STREAMCAP_CRASH_SEED, default 1), restart it
// and check that every acknowledged record is there with its sequence number, that sequence
// numbers increase within each shard, and that each writer's records keep their order.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test re-executes the test binary; skipped with -short")
	}
	cycles := 50
	if s := os.Getenv("STREAMCAP_CRASH_CYCLES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100000 {
			t.Fatalf("STREAMCAP_CRASH_CYCLES %q: must be an integer between 1 and 100000", s)
		}
		cycles = n
	}
	seed := uint64(1)
	if s := os.Getenv("STREAMCAP_CRASH_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("STREAMCAP_CRASH_SEED %q: must be an unsigned integer", s)
		}
		seed = n
	}
	t.Logf("crash test: %d cycles, seed %d", cycles, seed)
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	dir := filepath.Join(t.TempDir(), "data")
	addrFile := filepath.Join(t.TempDir(), "addr")
	hc := &http.Client{Timeout: 10 * time.Second}
	defer hc.CloseIdleConnections()

	var (
		mu    sync.Mutex
		acked []ackedRecord
		next  [2]int // next record number of each writer
	)
	from := map[string]string{} // shard → first sequence number acked in the last cycle
	for cycle := 0; cycle <= cycles; cycle++ {
		fsync := []string{"always", "interval"}[cycle%2]
		child := startChild(t, dir, addrFile, fsync)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if cycle == 0 {
			if err := call(ctx, hc, child.url, "CreateStream", map[string]any{"StreamName": "crash", "ShardCount": 2}, nil); err != nil {
				child.kill()
				cancel()
				t.Fatal(err)
			}
		}
		// Verify what the previous cycles acknowledged: the last cycle's tail every time, everything
		// at the end.
		mu.Lock()
		check := acked
		start := from
		mu.Unlock()
		if cycle == cycles {
			start = map[string]string{}
		}
		if err := verifyCrash(ctx, hc, child.url, check, start); err != nil {
			child.kill()
			cancel()
			t.Fatalf("cycle %d (fsync %s): %v\nchild stderr:\n%s", cycle, fsync, err, child.stderr)
		}
		if cycle == cycles {
			// Last cycle: a graceful stop must exit 0.
			_ = child.cmd.Process.Signal(syscall.SIGTERM)
			err := child.cmd.Wait()
			cancel()
			if err != nil {
				t.Fatalf("graceful stop: %v\nstderr:\n%s", err, child.stderr)
			}
			if !strings.Contains(child.stderr.String(), "kinesis engine stopped") {
				t.Errorf("no stop log line in child stderr:\n%s", child.stderr)
			}
			break
		}
		from = map[string]string{}
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 10000 { // bounded; the kill ends it much sooner
					mu.Lock()
					n0 := next[w]
					next[w] += 20
					mu.Unlock()
					recs := make([]map[string]any, 20)
					for i := range recs {
						recs[i] = map[string]any{"PartitionKey": fmt.Sprintf("writer-%d", w), "Data": []byte(fmt.Sprintf("w%d-%08d-%s", w, n0+i, strings.Repeat("x", 64)))}
					}
					var out putRecordsOutput
					if err := call(ctx, hc, child.url, "PutRecords", map[string]any{"StreamName": "crash", "Records": recs}, &out); err != nil {
						return // the server is gone
					}
					mu.Lock()
					for i, r := range out.Records {
						if r.ErrorCode != "" {
							continue
						}
						acked = append(acked, ackedRecord{shard: r.ShardID, seq: r.SequenceNumber, data: string(recs[i]["Data"].([]byte))})
						if _, ok := from[r.ShardID]; !ok {
							from[r.ShardID] = r.SequenceNumber
						}
					}
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(5+rng.IntN(60)) * time.Millisecond)
		child.kill()
		wg.Wait()
		cancel()
		hc.CloseIdleConnections()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(acked) == 0 {
		t.Fatal("no record was acknowledged in any cycle")
	}
	t.Logf("crash test: %d acknowledged records verified", len(acked))
}

// verifyCrash reads every shard of stream "crash" (from the given sequence number per shard, or the
// trim horizon) and checks that each acknowledged record is present with its sequence number, that
// sequence numbers increase, and that each writer's record numbers increase within a shard.
func verifyCrash(ctx context.Context, hc *http.Client, url string, acked []ackedRecord, from map[string]string) error {
	read := map[string]string{} // data → shard/seq
	for _, shard := range []string{shard0, shard1} {
		in := map[string]any{"StreamName": "crash", "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"}
		if seq, ok := from[shard]; ok {
			in["ShardIteratorType"], in["StartingSequenceNumber"] = "AT_SEQUENCE_NUMBER", seq
		}
		var it getShardIteratorOutput
		if err := call(ctx, hc, url, "GetShardIterator", in, &it); err != nil {
			return err
		}
		iter := it.ShardIterator
		lastSeq := ""
		lastNum := map[string]int{}
		for range 10000 {
			var out struct {
				Records []struct {
					SequenceNumber string
					Data           []byte
				}
				NextShardIterator string
			}
			if err := call(ctx, hc, url, "GetRecords", map[string]any{"ShardIterator": iter}, &out); err != nil {
				return err
			}
			for _, r := range out.Records {
				if len(r.SequenceNumber) < len(lastSeq) || len(r.SequenceNumber) == len(lastSeq) && r.SequenceNumber <= lastSeq {
					return fmt.Errorf("%s: sequence number %s after %s", shard, r.SequenceNumber, lastSeq)
				}
				lastSeq = r.SequenceNumber
				d := string(r.Data)
				writer, num, _ := strings.Cut(d, "-")
				n, err := strconv.Atoi(num[:8])
				if err != nil {
					return fmt.Errorf("%s: unexpected record %q", shard, d)
				}
				if prev, ok := lastNum[writer]; ok && n <= prev {
					return fmt.Errorf("%s: writer %s record %d after %d: out of order", shard, writer, n, prev)
				}
				lastNum[writer] = n
				read[d] = shard + "/" + r.SequenceNumber
			}
			if len(out.Records) == 0 || out.NextShardIterator == "" {
				break
			}
			iter = out.NextShardIterator
		}
	}
	for _, a := range acked {
		if _, partial := from[a.shard]; partial && (len(a.seq) < len(from[a.shard]) || len(a.seq) == len(from[a.shard]) && a.seq < from[a.shard]) {
			continue // verified in an earlier cycle
		}
		got, ok := read[a.data]
		if !ok {
			return fmt.Errorf("acknowledged record %.12s (%s/%s) is missing", a.data, a.shard, a.seq)
		}
		if want := a.shard + "/" + a.seq; got != want {
			return fmt.Errorf("acknowledged record %.12s: read at %s, acknowledged at %s", a.data, got, want)
		}
	}
	return nil
}
