package kinesis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/engine"
	"github.com/streamcap/streamcap/bench/engine/kinesisapi"
	"github.com/streamcap/streamcap/loadgen"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// A fault is how the fake endpoint answers PutRecord and PutRecords calls;
// every other call (Setup's) reaches the bundled engine's Kinesis API.
type fault string

const (
	faultNone       fault = "none"        // the engine answers: every send acked
	faultNever      fault = "never"       // never answers (until the client gives up)
	faultEmpty      fault = "empty"       // 200 with {}
	faultEmptyEntry fault = "empty-entry" // PutRecords: one {} entry per record
	faultShortBatch fault = "short-batch" // PutRecords: one entry fewer than records
	fault500        fault = "500"         // 500 InternalFailure
	faultReset      fault = "reset"       // the connection is reset mid-call
	faultDrip       fault = "drip"        // a valid-looking body, one byte per 100ms
)

// newFaultServer serves the bundled engine on 127.0.0.1, with PutRecord and
// PutRecords answered as f says.
func newFaultServer(t *testing.T, f fault) string {
	t.Helper()
	eng, err := engine.Open(engine.Options{InMemory: true, LimitsOff: true})
	if err != nil {
		t.Fatal(err)
	}
	api := kinesisapi.NewHandler(eng, kinesisapi.HandlerOptions{})
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Kinesis_20131202.")
		if (op != "PutRecord" && op != "PutRecords") || f == faultNone {
			api.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch f {
		case faultNever:
			select {
			case <-r.Context().Done():
			case <-done:
			}
		case faultEmpty:
			io.WriteString(w, "{}")
		case faultEmptyEntry, faultShortBatch:
			n := strings.Count(string(body), `"PartitionKey"`)
			if f == faultShortBatch {
				n--
			}
			io.WriteString(w, `{"FailedRecordCount":0,"Records":[`+strings.TrimSuffix(strings.Repeat("{},", n), ",")+`]}`)
		case fault500:
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"__type":"InternalFailure","message":"fake failure"}`)
		case faultReset:
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.(*net.TCPConn).SetLinger(0)
				conn.Close()
			}
		case faultDrip:
			w.WriteHeader(http.StatusOK)
			for _, c := range []byte(`{"SequenceNumber":"1","ShardId":"shardId-000000000000"}`) {
				if _, err := w.Write([]byte{c}); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-time.After(100 * time.Millisecond):
				case <-r.Context().Done():
					return
				case <-done:
					return
				}
			}
		}
	}))
	t.Cleanup(func() {
		close(done)
		srv.Close()
		eng.Close()
	})
	return srv.URL
}

// TestEveryOutcomeCountedOnce drives PutRecord and batched PutRecords
// against endpoints that fail in every way a network or a server can, and
// checks that each send ends in exactly one outcome (acked + errors +
// throttles + aborted + unfinished = sent), that answers lacking what the
// API promises are errors ("invalid response"), never acks, and that the
// verdict fails the run when nothing was acknowledged. The run lengths are
// short and nothing is asserted about time: only counts and classes.
func TestEveryOutcomeCountedOnce(t *testing.T) {
	t.Parallel()
	type want struct {
		acked  bool   // every send acked (else none)
		class  string // where the failed sends go: errors or aborted
		errMsg string // in some error message; alternatives separated by |
	}
	cases := []struct {
		name  string
		fault fault
		batch int
		want  want
	}{
		{"PutRecord ok", faultNone, 1, want{acked: true}},
		{"PutRecord never answers", faultNever, 1, want{class: "errors", errMsg: "deadline exceeded|timeout awaiting response headers"}},
		{"PutRecord {}", faultEmpty, 1, want{class: "errors", errMsg: "invalid response"}},
		{"PutRecord 500", fault500, 1, want{class: "errors", errMsg: "InternalFailure"}},
		{"PutRecord reset", faultReset, 1, want{class: "errors", errMsg: "failed after 2 attempts"}},
		{"PutRecord slow drip", faultDrip, 1, want{class: "errors", errMsg: "deadline exceeded|timeout awaiting response headers"}},
		{"PutRecords ok", faultNone, 10, want{acked: true}},
		{"PutRecords never answers", faultNever, 10, want{class: "aborted"}},
		{"PutRecords {}", faultEmpty, 10, want{class: "errors", errMsg: "invalid response"}},
		{"PutRecords empty entries", faultEmptyEntry, 10, want{class: "errors", errMsg: "invalid response"}},
		{"PutRecords one entry short", faultShortBatch, 10, want{class: "errors", errMsg: "invalid response"}},
		{"PutRecords 500", fault500, 10, want{class: "errors", errMsg: "InternalFailure"}},
		{"PutRecords reset", faultReset, 10, want{class: "errors", errMsg: "failed after 2 attempts"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := newFaultServer(t, tc.fault)
			o := Options{Endpoint: url, BatchSize: tc.batch, Linger: 5 * time.Millisecond,
				MaxRetries: 1, Backoff: time.Millisecond, RequestTimeout: 500 * time.Millisecond}
			// Every call ends within about a second (500ms per attempt, one
			// retry), well inside a 10 s drain: each send ends as an error,
			// however slow the machine.
			drain := 10 * time.Second
			if tc.want.class == "aborted" {
				// The call outlives the run's drain: the generator aborts
				// the sends still waiting for their batch.
				o.RequestTimeout, drain = 30*time.Second, 300*time.Millisecond
			}
			d := newTestDriver(t, o)
			slo := &model.SLO{MaxErrorRate: 0.01}
			res, err := bench.Run(context.Background(), bench.Options{
				Target:   Name,
				Workload: model.Workload{Rate: units.EventRate(100), Keys: model.KeySpec{Count: 10}, RecordSize: model.SizeDist{Kind: model.SizeFixed, Fixed: 100}},
				Duration: 300 * time.Millisecond, Warmup: bench.NoWarmup, DrainTimeout: drain, Seed: 1,
			}, d)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			c := res.Counts
			if c.Sent == 0 {
				t.Fatal("nothing sent")
			}
			if sum := c.Acked + c.Errors + c.Throttles + c.Aborted + c.Unfinished; sum != c.Sent {
				t.Fatalf("outcomes sum to %d, sent %d: %+v", sum, c.Sent, c)
			}
			v := bench.Judge("", res, slo)
			if tc.want.acked {
				if c.Acked != c.Sent || !v.OK {
					t.Fatalf("acked %d of %d, verdict %+v", c.Acked, c.Sent, v)
				}
				return
			}
			got := map[string]int64{"errors": c.Errors, "aborted": c.Aborted}[tc.want.class]
			if c.Acked != 0 || got != c.Sent || res.Failed() != c.Sent {
				t.Fatalf("%s %d, acked %d, failed %d of %d sent: %+v (errors %v)", tc.want.class, got, c.Acked, res.Failed(), c.Sent, c, res.Errors)
			}
			if !v.RunFailed() || v.OK {
				t.Errorf("verdict passed a run with nothing acknowledged: %+v", v)
			}
			if tc.want.errMsg != "" && !mentions(res.Errors, strings.Split(tc.want.errMsg, "|")) {
				t.Errorf("errors %v; want one mentioning one of %q", res.Errors, tc.want.errMsg)
			}
			var rate bench.Check
			for _, ch := range v.Checks {
				if ch.What == "failed sends" {
					rate = ch
				}
			}
			if rate.OK || !strings.HasPrefix(rate.Got, "100 %") {
				t.Errorf("failed-sends check %+v; want 100%% failing", rate)
			}
		})
	}
}

// TestInvalidResponsesAreErrors checks the driver alone: a PutRecord answer
// without SequenceNumber and ShardId is an error wrapping
// bench.ErrInvalidResponse.
func TestInvalidResponsesAreErrors(t *testing.T) {
	t.Parallel()
	for _, batch := range []int{1, 10} {
		t.Run(fmt.Sprint("batch ", batch), func(t *testing.T) {
			d := newTestDriver(t, Options{Endpoint: newFaultServer(t, faultEmpty), BatchSize: batch, RequestTimeout: time.Second})
			if err := d.Setup(context.Background(), bench.Topology{}); err != nil {
				t.Fatal(err)
			}
			err := d.Send(context.Background(), "k", []byte("x"))
			if !errors.Is(err, bench.ErrInvalidResponse) {
				t.Fatalf("Send = %v; want bench.ErrInvalidResponse", err)
			}
			if s := d.Stats(); s.Acked != 0 || s.Failed != 1 {
				t.Errorf("stats %+v; want 0 acked, 1 failed", s)
			}
		})
	}
}

// mentions reports whether any error message contains any of words.
func mentions(errs []loadgen.ErrorCount, words []string) bool {
	for _, e := range errs {
		for _, w := range words {
			if strings.Contains(e.Message, w) {
				return true
			}
		}
	}
	return false
}
