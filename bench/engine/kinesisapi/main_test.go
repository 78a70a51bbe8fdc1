package kinesisapi

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/streamcap/streamcap/bench/engine"
)

// Environment of the child server process the crash test re-executes this test binary as.
const (
	childDirEnv   = "STREAMCAP_KINESISAPI_CHILD_DIR"   // data directory; its presence makes TestMain serve
	childAddrEnv  = "STREAMCAP_KINESISAPI_CHILD_ADDR"  // file the bound address is written to
	childFsyncEnv = "STREAMCAP_KINESISAPI_CHILD_FSYNC" // fsync policy
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(childDirEnv); dir != "" {
		os.Exit(childServe(dir, os.Getenv(childAddrEnv), engine.FsyncPolicy(os.Getenv(childFsyncEnv))))
	}
	os.Exit(m.Run())
}

// childServe runs Serve until SIGTERM or SIGINT, publishing the bound address atomically to
// addrFile. It returns the process exit code.
func childServe(dir, addrFile string, fsync engine.FsyncPolicy) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var werr error
	err := Serve(ctx, ServeOptions{
		Addr: "127.0.0.1:0", DataDir: dir, Fsync: fsync, LimitsOff: true, Logger: log,
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
