package kinesisapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// hostileMemoryBound is the resident-memory ceiling the hostile-body test asserts for the server
// process: generous (the idle server is about 20 MB), but far below the 613 MB that 40 connections
// declaring 15 MB used to cost.
const hostileMemoryBound = 150 << 20

// procStatusBytes reads a "VmXXX: N kB" line of /proc/PID/status in bytes.
func procStatusBytes(t *testing.T, pid int, field string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("%s line %q: %v", field, line, err)
			}
			return kb << 10
		}
	}
	t.Fatalf("/proc/%d/status has no %s", pid, field)
	return 0
}

// hostileResult is what one hostile connection got back.
type hostileResult struct {
	status int
	typ    string
	err    error
}

// hostileRequest opens a connection to addr, sends the headers of a PutRecords call declaring
// declared body bytes (plus extra header lines), then send, and then keeps the connection open
// without sending more. It returns the answer read within wait.
func hostileRequest(addr string, declared int64, extra string, send []byte, wait time.Duration) hostileResult {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return hostileResult{err: err}
	}
	defer conn.Close()
	head := fmt.Sprintf("POST / HTTP/1.1\r\nHost: %s\r\nX-Amz-Target: %sPutRecords\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n",
		addr, targetPrefix, contentType, declared, extra)
	_ = conn.SetDeadline(time.Now().Add(wait))
	go func() { // the server may answer (and close) before it has read everything
		_, _ = conn.Write(append([]byte(head), send...))
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return hostileResult{err: err}
	}
	defer resp.Body.Close()
	return hostileResult{status: resp.StatusCode, typ: resp.Header.Get("X-Amzn-Errortype")}
}

// startHostileChild starts an in-memory server process with the given options.
func startHostileChild(t *testing.T, co childOptions) *crashChild {
	t.Helper()
	co.InMemory = true
	js, err := json.Marshal(co)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c := startChild(t, dir, filepath.Join(dir, "addr"), "never", childOptsEnv+"="+string(js))
	t.Cleanup(c.kill)
	return c
}

// stopChild ends a child with SIGTERM and returns its stderr (the server's log).
func stopChild(t *testing.T, c *crashChild) string {
	t.Helper()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	_ = c.cmd.Wait()
	return c.stderr.String()
}

// runHostile runs n hostile requests at once and tallies their answers as "STATUS TYPE" (or the
// client error).
func runHostile(n int, req func() hostileResult) map[string]int {
	var mu sync.Mutex
	got := map[string]int{}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			r := req()
			key := fmt.Sprintf("%d %s", r.status, r.typ)
			if r.err != nil {
				key = "error " + r.err.Error()
			}
			mu.Lock()
			got[key]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return got
}

// TestHostileBodiesBoundedMemory attacks a real server process the way issue 9 (item 8) did and
// checks that its peak resident memory (VmHWM) stays bounded: 40 connections that declare 15 MB
// and send one byte, 12 that send 10 MB each and stall, and, with --auth, 60 badly signed
// connections declaring 15 MB. The drips are cut off by the body deadline (408), the stalled
// bodies are refused by the in-flight cap (503) once it is reached, and the badly signed requests
// are refused (403/400) before any body is read.
func TestHostileBodiesBoundedMemory(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc to read the server's memory")
	}
	if raceEnabled {
		t.Skip("resident memory is not meaningful under the race detector")
	}
	t.Run("no auth", func(t *testing.T) {
		const inflight = 32 << 20
		c := startHostileChild(t, childOptions{MaxBodyBytesInFlight: inflight, BodyReadTimeoutMS: 5000})
		addr := strings.TrimPrefix(c.url, "http://")
		pid := c.cmd.Process.Pid
		idle := procStatusBytes(t, pid, "VmRSS")

		// Both attacks at once; the 5 s body deadline leaves a loaded machine ample time to
		// read 120 MB over loopback, so the cap, not the deadline, stops the stalled bodies.
		var drips, stalls map[string]int
		stall := bytes.Repeat([]byte("x"), 10_000_000)
		var wg sync.WaitGroup
		wg.Go(func() {
			drips = runHostile(40, func() hostileResult { return hostileRequest(addr, 15_000_000, "", []byte("{"), 60*time.Second) })
		})
		wg.Go(func() {
			stalls = runHostile(12, func() hostileResult { return hostileRequest(addr, 15_000_000, "", stall, 60*time.Second) })
		})
		wg.Wait()
		// A drip is cut off by the deadline (408), or refused at once (503) when the stalled
		// bodies hold the whole budget as its first 64 KiB buffer is wanted.
		if drips["408 "+ErrRequestTimeout]+drips["503 "+ErrServiceUnavailable] != 40 {
			t.Errorf("40 one-byte drips declaring 15 MB: answers %v, want each 408 %s or 503 %s", drips, ErrRequestTimeout, ErrServiceUnavailable)
		}
		// 120 MB cannot be held under a 32 MiB cap: bodies are refused (503) when their buffer
		// cannot grow; the ones held are cut off by the body deadline (408), as none is complete.
		refused, timedOut := stalls["503 "+ErrServiceUnavailable], stalls["408 "+ErrRequestTimeout]
		if refused < 1 || refused+timedOut != 12 {
			t.Errorf("12 stalled 10 MB bodies under a 32 MiB cap: answers %v, want some 503 %s and the rest 408", stalls, ErrServiceUnavailable)
		}
		peak := procStatusBytes(t, pid, "VmHWM")
		log := stopChild(t, c)
		t.Logf("server pid %d: VmRSS idle %.1f MiB, VmHWM after 40 drips + 12 stalled 10 MB bodies %.1f MiB (bound %d MiB)",
			pid, float64(idle)/(1<<20), float64(peak)/(1<<20), hostileMemoryBound>>20)
		if peak > hostileMemoryBound {
			t.Errorf("peak resident memory %.1f MiB: must stay under %d MiB", float64(peak)/(1<<20), hostileMemoryBound>>20)
		}
		for _, want := range []string{"request refused: request body bytes in flight at the cap", "body_refusals=" + strconv.Itoa(refused+drips["503 "+ErrServiceUnavailable]), "body_timeouts=" + strconv.Itoa(drips["408 "+ErrRequestTimeout]+timedOut)} {
			if !strings.Contains(log, want) {
				t.Errorf("server log lacks %q:\n%s", want, log)
			}
		}
	})
	t.Run("auth", func(t *testing.T) {
		// The body deadline (60 s) is far beyond the client's wait (20 s): an answer proves the
		// request was refused from its headers, before the body.
		c := startHostileChild(t, childOptions{AuthKey: "AKIDSTREAMCAP", AuthSecret: "s3cr3t", BodyReadTimeoutMS: 60000})
		addr := strings.TrimPrefix(c.url, "http://")
		pid := c.cmd.Process.Pid
		cases := []struct {
			name, extra, want string
		}{
			{"unsigned", "", "403 " + ErrMissingAuthToken},
			{"unknown key", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDOTHER/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + strings.Repeat("0", 64) + "\r\n", "403 " + ErrUnrecognizedClient},
			{"only host signed", "X-Amz-Date: " + time.Now().UTC().Format(amzDateFormat) + "\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDSTREAMCAP/" + time.Now().UTC().Format("20060102") + "/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=" + strings.Repeat("0", 64) + "\r\n", "400 " + ErrIncompleteSignature},
		}
		for _, tc := range cases {
			got := runHostile(20, func() hostileResult { return hostileRequest(addr, 15_000_000, tc.extra, []byte("{"), 20*time.Second) })
			if got[tc.want] != 20 {
				t.Errorf("%s: 20 requests declaring 15 MB: answers %v, want 20 × %s", tc.name, got, tc.want)
			}
		}
		peak := procStatusBytes(t, pid, "VmHWM")
		stopChild(t, c)
		t.Logf("server pid %d with auth: VmHWM after 60 refused 15 MB requests %.1f MiB", pid, float64(peak)/(1<<20))
		if peak > hostileMemoryBound {
			t.Errorf("peak resident memory %.1f MiB: must stay under %d MiB", float64(peak)/(1<<20), hostileMemoryBound>>20)
		}
	})
}
