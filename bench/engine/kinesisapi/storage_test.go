package kinesisapi

import (
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/streamcap/streamcap/bench/engine"
)

// A full disk answers 503 ServiceUnavailable (which AWS SDKs retry), not a sticky 500, and the
// shard takes writes again once space is back, with no restart.
func TestDiskFullAnswers503AndRecovers(t *testing.T) {
	t.Parallel()
	var full atomic.Bool
	ts := newTestServer(t, serverConfig{engine: engine.Options{
		Dir: t.TempDir(), LimitsOff: true, Fsync: engine.FsyncAlways,
		SegmentWriteFault: func(path string, off int64, n int) (int, error) {
			if full.Load() {
				return n / 2, syscall.ENOSPC
			}
			return n, nil
		},
	}})
	c := ts.srv.Client()
	if r := rawCall(t, c, ts.srv.URL, "CreateStream", mustJSON(map[string]any{"StreamName": "s", "ShardCount": 1})); r.Status != http.StatusOK {
		t.Fatalf("CreateStream: %d %s", r.Status, r.Body)
	}
	put := mustJSON(map[string]any{"StreamName": "s", "PartitionKey": "k", "Data": "aGVsbG8="})
	full.Store(true)
	r := rawCall(t, c, ts.srv.URL, "PutRecord", put)
	if r.Status != http.StatusServiceUnavailable || r.Type != engine.ErrServiceUnavailable || !strings.Contains(r.Message, "no space left on device") {
		t.Fatalf("PutRecord on a full disk: %d %s %q; want 503 ServiceUnavailable naming ENOSPC", r.Status, r.Type, r.Message)
	}
	full.Store(false)
	for i := 0; i < 3; i++ {
		if r := rawCall(t, c, ts.srv.URL, "PutRecord", put); r.Status != http.StatusOK {
			t.Fatalf("PutRecord after space came back: %d %s", r.Status, r.Body)
		}
	}
}
