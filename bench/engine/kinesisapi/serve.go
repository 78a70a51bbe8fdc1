package kinesisapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/streamcap/streamcap/bench/engine"
)

// DefaultAddr is where Serve listens unless told otherwise: loopback only.
const DefaultAddr = "127.0.0.1:4567"

// DefaultShutdownTimeout is how long Serve waits for in-flight requests after its context ends.
const DefaultShutdownTimeout = 10 * time.Second

// ServeOptions configures Serve; the `streamcap engine serve` command fills it from its flags.
// The zero value serves on DefaultAddr from DefaultDataDir with interval fsync and limits on.
type ServeOptions struct {
	// Addr is the TCP address to listen on; "" means DefaultAddr. Port 0 picks a free port,
	// reported through OnListen. An address beyond loopback — including one with no host, like
	// ":4567", which listens on every interface — is refused unless Auth is set or
	// AllowUnauthenticatedRemote is.
	Addr string
	// AllowUnauthenticatedRemote lets Serve listen beyond loopback without Auth (anyone who can
	// reach the port can then read, write and delete streams); a warning is logged.
	AllowUnauthenticatedRemote bool
	// DataDir is the engine's data directory; "" means DefaultDataDir(). Ignored when InMemory.
	DataDir string
	// InMemory keeps everything in memory (nothing survives a restart).
	InMemory bool
	// MaxMemoryBytes bounds an in-memory engine's record memory (engine.Options.MaxMemoryBytes).
	MaxMemoryBytes int64
	// Fsync is the durability policy (always, interval, never); "" means interval (group commit).
	Fsync engine.FsyncPolicy
	// FsyncInterval is the group-commit window under interval fsync; 0 means the engine default (2 ms).
	FsyncInterval time.Duration
	// LimitsOff disables the emulated per-shard throughput limits (on by default, like Kinesis).
	LimitsOff bool
	// Limits overrides the emulated limits; the zero value means engine.DefaultLimits().
	Limits engine.Limits
	// NoBurstCredit starts every new shard's write buckets empty instead of
	// with one second of credit (engine.Options.NoBurstCredit), so short
	// benchmarks and searches over the API see steady state, as the
	// embedded ones do.
	NoBurstCredit bool
	// AccountShardQuota overrides the account shard quota enforced while limits are on; 0 means
	// the quota table's figure (engine.DefaultQuotas).
	AccountShardQuota int
	// Auth, when set, requires SigV4-signed requests made with these credentials.
	Auth *Credentials
	// Region is the region signed requests must be scoped to; "" means DefaultRegion.
	Region string
	// MaxBodyBytesInFlight caps the request body bytes held across all connections; 0 means
	// DefaultMaxBodyBytesInFlight.
	MaxBodyBytesInFlight int64
	// BodyReadTimeout bounds how long a request body may take to arrive; 0 means
	// DefaultBodyReadTimeout.
	BodyReadTimeout time.Duration
	// Logger receives the start and stop lines and internal failures; nil discards them.
	Logger *slog.Logger
	// Clock is the engine's and the SigV4 check's time source; nil means the real clock.
	Clock engine.Clock
	// OnListen, if set, is called once with the bound address before requests are served, so that
	// callers using port 0 learn the port.
	OnListen func(addr net.Addr)
	// ShutdownTimeout bounds the wait for in-flight requests on shutdown; 0 means DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
}

// DefaultDataDir is the engine data directory used when none is given:
// $XDG_CACHE_HOME/streamcap/engine (or the platform's user cache directory).
func DefaultDataDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("default data dir: %w; pass --data-dir", err)
	}
	return filepath.Join(d, "streamcap", "engine"), nil
}

// RetentionSweepInterval is how often Serve deletes segments past their
// stream's retention on shards nobody writes or reads.
const RetentionSweepInterval = time.Minute

// Serve opens the engine, serves the Kinesis API until ctx is cancelled, then shuts down
// gracefully: it stops accepting, lets in-flight requests finish (up to ShutdownTimeout) and
// closes the engine, which flushes and fsyncs every segment. It logs one line on start (address,
// data directory, recovery summary) and one on stop. It returns nil after a clean shutdown.
func Serve(ctx context.Context, opts ServeOptions) error {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	addr := opts.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	remote, err := beyondLoopback(ctx, addr, net.DefaultResolver.LookupIPAddr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if remote != "" && opts.Auth == nil && !opts.AllowUnauthenticatedRemote {
		return fmt.Errorf("serve: %w", unauthenticatedRemote(addr, remote))
	}
	dir := opts.DataDir
	if !opts.InMemory && dir == "" {
		d, err := DefaultDataDir()
		if err != nil {
			return err
		}
		dir = d
	}
	if opts.InMemory {
		dir = ""
	}
	quotas := engine.DefaultQuotas()
	if opts.AccountShardQuota > 0 {
		quotas.AccountShards = opts.AccountShardQuota
	}
	e, err := engine.Open(engine.Options{
		Dir: dir, InMemory: opts.InMemory, MaxMemoryBytes: opts.MaxMemoryBytes, Fsync: opts.Fsync, FsyncInterval: opts.FsyncInterval,
		Limits: opts.Limits, LimitsOff: opts.LimitsOff, NoBurstCredit: opts.NoBurstCredit, Quotas: quotas, Clock: opts.Clock, Logger: log,
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return errors.Join(fmt.Errorf("serve: listen on %s: %w", addr, err), e.Close())
	}
	// Check what was actually bound too: a name may resolve differently the second time.
	if ta, ok := ln.Addr().(*net.TCPAddr); ok && !ta.IP.IsLoopback() {
		if opts.Auth == nil && !opts.AllowUnauthenticatedRemote {
			return errors.Join(fmt.Errorf("serve: %w", unauthenticatedRemote(addr, ta.IP.String())), ln.Close(), e.Close())
		}
		if opts.Auth == nil {
			log.Warn("kinesis engine serving beyond loopback WITHOUT authentication: anyone who can reach it can read, write and delete streams",
				"addr", ln.Addr().String())
		}
	}
	h := NewHandler(e, HandlerOptions{Auth: opts.Auth, Region: opts.Region, Logger: log, Clock: opts.Clock,
		MaxBodyBytesInFlight: opts.MaxBodyBytesInFlight, BodyReadTimeout: opts.BodyReadTimeout})
	// HTTP/1.1 and cleartext HTTP/2 (h2c with prior knowledge), for clients that insist on
	// HTTP/2 for SubscribeToShard.
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	srv := &http.Server{
		Handler:           h,
		Protocols:         protocols,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	rec := e.Recovery()
	var records int64
	for _, s := range rec.Shards {
		records += s.Records
	}
	where := dir
	if opts.InMemory {
		where = "(in memory)"
	}
	log.Info("kinesis engine serving", "addr", ln.Addr().String(), "data_dir", where, "fsync", fsyncName(opts.Fsync),
		"limits", !opts.LimitsOff, "burst_credit", !opts.NoBurstCredit, "account_shard_quota", quotas.AccountShards, "auth", opts.Auth != nil, "recovered_shards", len(rec.Shards),
		"recovered_records", records, "dropped_tail_bytes", rec.DroppedBytes())
	if opts.OnListen != nil {
		opts.OnListen(ln.Addr())
	}
	srv.RegisterOnShutdown(h.EndSubscriptions)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	// Idle and closed shards are trimmed here; busy ones also trim lazily
	// on their own writes and reads.
	retention := time.NewTicker(RetentionSweepInterval)
	defer retention.Stop()
	sweepDone := make(chan struct{})
	defer close(sweepDone)
	go func() {
		for {
			select {
			case <-sweepDone:
				return
			case <-retention.C:
				e.EnforceRetention()
			}
		}
	}()
	var serveErr error
	select {
	case err := <-served: // listener failed
		serveErr = fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
		timeout := opts.ShutdownTimeout
		if timeout <= 0 {
			timeout = DefaultShutdownTimeout
		}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		if err := srv.Shutdown(sctx); err != nil {
			_ = srv.Close()
			serveErr = fmt.Errorf("serve: shutdown: %w", err)
		}
		cancel()
		<-served // returns http.ErrServerClosed
	}
	if err := e.Close(); err != nil {
		serveErr = errors.Join(serveErr, fmt.Errorf("serve: close engine: %w", err))
	}
	st := h.Stats()
	log.Info("kinesis engine stopped", "addr", ln.Addr().String(), "body_refusals", st.BodyRefusals,
		"body_timeouts", st.BodyTimeouts, "err", serveErr)
	return serveErr
}

func fsyncName(p engine.FsyncPolicy) string {
	if p == "" {
		return string(engine.FsyncInterval)
	}
	return string(p)
}

// beyondLoopback reports the first address addr's host listens on that is not loopback: "" when
// every address is loopback, "all interfaces" for a missing or unspecified host (":4567",
// "0.0.0.0:4567", "[::]:4567"). Host names are resolved with lookup.
func beyondLoopback(ctx context.Context, addr string, lookup func(context.Context, string) ([]net.IPAddr, error)) (string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("address %q: %w; use HOST:PORT such as %s", addr, err, DefaultAddr)
	}
	if host == "" {
		return "all interfaces", nil
	}
	if ip := net.ParseIP(host); ip != nil {
		switch {
		case ip.IsUnspecified():
			return "all interfaces", nil
		case !ip.IsLoopback():
			return ip.String(), nil
		}
		return "", nil
	}
	if host == "localhost" {
		return "", nil
	}
	ips, err := lookup(ctx, host)
	if err != nil {
		return "", fmt.Errorf("address %q: resolve %s: %w", addr, host, err)
	}
	for _, ip := range ips {
		if !ip.IP.IsLoopback() {
			return ip.IP.String(), nil
		}
	}
	return "", nil
}

// ErrUnsafeBind is wrapped by Serve's error when it refuses to listen beyond loopback without
// authentication, so callers can report it as bad usage.
var ErrUnsafeBind = errors.New("refusing an unauthenticated listener beyond loopback")

// unauthenticatedRemote is the error for listening beyond loopback without authentication.
func unauthenticatedRemote(addr, where string) error {
	return fmt.Errorf("%w: address %q listens on %s, beyond loopback, without authentication: anyone who can reach it could read, write and delete streams; "+
		"require signed requests with --auth ACCESS_KEY_ID (secret in $%s), listen on 127.0.0.1, or pass --allow-unauthenticated-remote", ErrUnsafeBind, addr, where, DefaultAuthSecretEnv)
}
