package kinesisapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/streamcap/streamcap/bench/engine"
)

// Environment of the child server process the crash test re-executes this test binary as.
const (
	childDirEnv   = "STREAMCAP_KINESISAPI_CHILD_DIR"   // data directory; its presence makes TestMain serve
	childAddrEnv  = "STREAMCAP_KINESISAPI_CHILD_ADDR"  // file the bound address is written to
	childFsyncEnv = "STREAMCAP_KINESISAPI_CHILD_FSYNC" // fsync policy
	childOptsEnv  = "STREAMCAP_KINESISAPI_CHILD_OPTS"  // JSON childOptions; absent means the defaults
)

// childOptions are the settings of a child server beyond its data directory and fsync policy.
type childOptions struct {
	InMemory             bool   `json:"in_memory"`
	AuthKey              string `json:"auth_key"`
	AuthSecret           string `json:"auth_secret"`
	MaxBodyBytesInFlight int64  `json:"max_body_bytes_in_flight"`
	BodyReadTimeoutMS    int    `json:"body_read_timeout_ms"`
}

func TestMain(m *testing.M) {
	if dir := os.Getenv(childDirEnv); dir != "" {
		var co childOptions
		if js := os.Getenv(childOptsEnv); js != "" {
			if err := json.Unmarshal([]byte(js), &co); err != nil {
				fmt.Fprintln(os.Stderr, "child options:", err)
				os.Exit(2)
			}
		}
		os.Exit(childServe(dir, os.Getenv(childAddrEnv), engine.FsyncPolicy(os.Getenv(childFsyncEnv)), co))
	}
	os.Exit(m.Run())
}

// childServe runs Serve until SIGTERM or SIGINT, publishing the bound address atomically to
// addrFile. It returns the process exit code.
func childServe(dir, addrFile string, fsync engine.FsyncPolicy, co childOptions) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var werr error
	var auth *Credentials
	if co.AuthKey != "" {
		auth = &Credentials{AccessKeyID: co.AuthKey, SecretAccessKey: co.AuthSecret}
	}
	err := Serve(ctx, ServeOptions{
		Addr: "127.0.0.1:0", DataDir: dir, InMemory: co.InMemory, Fsync: fsync, LimitsOff: true, Logger: log,
		Auth: auth, MaxBodyBytesInFlight: co.MaxBodyBytesInFlight, BodyReadTimeout: time.Duration(co.BodyReadTimeoutMS) * time.Millisecond,
		OnListen: func(a net.Addr) {
			tmp := filepath.Join(filepath.Dir(addrFile), ".addr.tmp")
			if werr = os.WriteFile(tmp, []byte(a.String()), 0o644); werr == nil {
				werr = os.Rename(tmp, addrFile)
			}
		},
	})
	if err != nil || werr != nil {
		fmt.Fprintln(os.Stderr, "child serve:", err, werr)
		return 1
	}
	return 0
}
