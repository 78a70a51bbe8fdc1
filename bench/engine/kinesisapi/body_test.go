package kinesisapi

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamcap/streamcap/bench/engine"
)

// TestBodyReadDeadline: a body that stops arriving is cut off with 408 RequestTimeoutException
// after the body read timeout, over HTTP/1.1 and over cleartext HTTP/2 (which Serve also speaks),
// and the server counts it. A prompt request on the same server is unaffected.
func TestBodyReadDeadline(t *testing.T) {
	t.Parallel()
	for _, h2 := range []bool{false, true} {
		name := "HTTP/1.1"
		if h2 {
			name = "h2c"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e, err := engine.Open(engine.Options{InMemory: true, LimitsOff: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = e.Close() })
			h := NewHandler(e, HandlerOptions{BodyReadTimeout: 300 * time.Millisecond})
			protocols := new(http.Protocols)
			protocols.SetHTTP1(true)
			protocols.SetUnencryptedHTTP2(true)
			srv := &http.Server{Handler: h, Protocols: protocols}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			go func() { _ = srv.Serve(ln) }()
			t.Cleanup(func() { _ = srv.Close() })
			tr := &http.Transport{Protocols: new(http.Protocols)}
			if h2 {
				tr.Protocols.SetUnencryptedHTTP2(true)
			} else {
				tr.Protocols.SetHTTP1(true)
			}
			hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
			t.Cleanup(tr.CloseIdleConnections)
			url := "http://" + ln.Addr().String() + "/"

			// HTTP/1.1: a raw connection that sends part of the body and stops (Go's own client
			// would wait for its body writer before returning the early answer). HTTP/2: the
			// client stream stays open with its body pipe blocked; the answer ends the stream.
			var status int
			var typ, msg string
			if !h2 {
				r := hostileRequest(ln.Addr().String(), 1000, "", []byte(`{"StreamName":`), 20*time.Second)
				if r.err != nil {
					t.Fatal(r.err)
				}
				status, typ, msg = r.status, r.typ, "14 of 1000 bytes"
			} else {
				pr, pw := io.Pipe()
				t.Cleanup(func() { _ = pw.Close() })
				go func() { _, _ = pw.Write([]byte(`{"StreamName":`)) }() // then nothing more
				req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, pr)
				if err != nil {
					t.Fatal(err)
				}
				req.ContentLength = 1000
				req.Header.Set("X-Amz-Target", targetPrefix+"CreateStream")
				req.Header.Set("Content-Type", contentType)
				resp, err := hc.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				status, typ, msg = resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), string(b)
			}
			if status != http.StatusRequestTimeout || typ != ErrRequestTimeout || !strings.Contains(msg, "14 of 1000 bytes") {
				t.Fatalf("stalled body: %d %s %s, want 408 %s naming 14 of 1000 bytes", status, typ, msg, ErrRequestTimeout)
			}
			if st := h.Stats(); st.BodyTimeouts != 1 || st.BodyBytesInFlight != 0 {
				t.Fatalf("stats %+v: want 1 body timeout and nothing in flight", st)
			}
			if r := rawCall(t, hc, url, "CreateStream", []byte(`{"StreamName":"ok","ShardCount":1}`)); r.Status != 200 {
				t.Fatalf("prompt request after the timeout: %d %s %s", r.Status, r.Type, r.Message)
			}
		})
	}
}

// TestBodyBudgetRefusal: with the in-flight budget held by a stalled body, another body that
// needs more than what is left is refused with a retryable 503 ServiceUnavailable and counted;
// once the stalled request ends, the budget is whole again.
func TestBodyBudgetRefusal(t *testing.T) {
	t.Parallel()
	e, err := engine.Open(engine.Options{InMemory: true, LimitsOff: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	// A stalled body of 256 KiB - 1 byte holds a 256 KiB buffer (grown 64, 128, 256 KiB); with a
	// 384 KiB budget a second body can grow to 64 and 128 KiB but not to its 200 KiB.
	h := NewHandler(e, HandlerOptions{MaxBodyBytes: 256 << 10, MaxBodyBytesInFlight: 384 << 10, BodyReadTimeout: 2 * time.Second})
	srv := &http.Server{Handler: h}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	addr := ln.Addr().String()

	stalled := make(chan hostileResult, 1)
	go func() {
		stalled <- hostileRequest(addr, 256<<10, "", make([]byte, 256<<10-1), 20*time.Second)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for h.Stats().BodyBytesInFlight < 256<<10 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := h.Stats().BodyBytesInFlight; got != 256<<10 {
		t.Fatalf("stalled body: %d bytes charged, want %d", got, 256<<10)
	}
	r := hostileRequest(addr, 200<<10, "", make([]byte, 200<<10), 20*time.Second)
	if r.err != nil || r.status != http.StatusServiceUnavailable || r.typ != ErrServiceUnavailable {
		t.Fatalf("second body: %+v, want 503 %s", r, ErrServiceUnavailable)
	}
	if got := <-stalled; got.status != http.StatusRequestTimeout {
		t.Fatalf("stalled body: %+v, want 408", got)
	}
	if st := h.Stats(); st.BodyRefusals != 1 || st.BodyTimeouts != 1 || st.BodyBytesInFlight != 0 {
		t.Fatalf("stats %+v: want 1 refusal, 1 timeout, nothing in flight", st)
	}
}

// TestRefusedBeforeBodyClosesConnection: a request refused from its headers (unsigned, with
// --auth) that declared a small body and sent none of it gets its 403 at once, and the server
// then closes the connection instead of waiting for a body that will never come.
func TestRefusedBeforeBodyClosesConnection(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, serverConfig{opts: HandlerOptions{Auth: &Credentials{AccessKeyID: "AKID", SecretAccessKey: "s"}, BodyReadTimeout: time.Minute}})
	conn, err := net.Dial("tcp", ts.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: %sListStreams\r\nContent-Length: 1000\r\n\r\n", targetPrefix); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Amzn-Errortype") != ErrMissingAuthToken || !resp.Close {
		t.Fatalf("got %d %s close=%v, want 403 %s and Connection: close", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), resp.Close, ErrMissingAuthToken)
	}
	if n, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("after the answer: read %v, %v; want the server to close (EOF)", n, err)
	}
}
