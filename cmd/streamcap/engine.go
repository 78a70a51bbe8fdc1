package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/streamcap/streamcap/bench/engine"
	"github.com/streamcap/streamcap/bench/engine/kinesisapi"
	"github.com/streamcap/streamcap/model/units"
)

// engineServeOptions is what `streamcap engine serve` needs.
type engineServeOptions struct {
	addr          string
	dataDir       string
	inMemory      bool
	maxMemory     units.Bytes
	fsync         string
	fsyncInterval time.Duration
	limits        string
	burstCredit   string
	auth          string
	authSecretEnv string
	region        string
	allowRemote   bool
	shardQuota    int
	maxInFlight   int64
	bodyTimeout   time.Duration
	quiet         bool
}

func newEngineCmd(io *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "engine",
		Short: "The bundled Kinesis-like log engine",
	}
	o := &engineServeOptions{}
	serve := &cobra.Command{
		Use:   "serve",
		Short: "Serve the bundled engine over the Kinesis JSON API (127.0.0.1:4567 by default)",
		Long: `Serve the bundled log engine over the Kinesis JSON 1.1 HTTP API, so unmodified AWS
clients (aws-sdk-go-v2, the AWS CLI, KCL) talk to it:

  aws --endpoint-url http://127.0.0.1:4567 kinesis list-streams

Records are durable in --data-dir (fsync policy --fsync) unless --in-memory.
Per-shard limits (1 MiB/s and 1000 records/s in, 2 MiB/s and 5 reads/s out) and
the control-plane quotas (UpdateShardCount 10 times a day per stream, 5 calls/s
of CreateStream, DeleteStream, SplitShard and MergeShards, the account shard
quota) are emulated unless --limits off. A new shard holds one second of burst
credit, as on Kinesis; --burst-credit off starts it with none, so a short
'bench' or 'bench search' over the API sees steady state (as the embedded
engine's trials and 'verify' do). SIGINT or SIGTERM shuts down gracefully.

It listens on loopback only unless told otherwise; an address beyond loopback
(":4567" and "0.0.0.0:4567" mean every interface) is refused without --auth,
unless --allow-unauthenticated-remote. Keep the secret out of ps:

  STREAMCAP_AUTH_SECRET=... streamcap engine serve --addr 0.0.0.0:4567 --auth AKIDEXAMPLE`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return engineServeRun(cmd.Context(), io, o)
		},
	}
	fs := serve.Flags()
	fs.StringVar(&o.addr, "addr", kinesisapi.DefaultAddr, "listen address, HOST:PORT (port 0 picks a free one, e.g. 127.0.0.1:0); beyond loopback needs --auth")
	fs.StringVar(&o.dataDir, "data-dir", "", "data directory (default: streamcap/engine under the user cache dir)")
	fs.BoolVar(&o.inMemory, "in-memory", false, "keep everything in memory (nothing survives a restart)")
	fs.Var(&o.maxMemory, "max-memory", "with --in-memory: bound record memory, e.g. 4GiB; past it each shard drops its oldest records early, counted and logged (default unbounded; at least 64MiB)")
	fs.StringVar(&o.fsync, "fsync", "interval", "durability: always | interval (group commit) | never")
	fs.DurationVar(&o.fsyncInterval, "fsync-interval", 0, "group-commit window with --fsync interval (default 2ms)")
	fs.StringVar(&o.limits, "limits", "on", "emulated per-shard limits: on | off")
	fs.StringVar(&o.burstCredit, "burst-credit", "on", "new shards start with one second of write burst credit: on | off (off: short benchmarks see steady state)")
	fs.StringVar(&o.auth, "auth", "", "require SigV4-signed requests: ACCESS_KEY_ID (secret from --auth-secret-env), or ACCESS_KEY_ID:SECRET (visible in ps)")
	fs.StringVar(&o.authSecretEnv, "auth-secret-env", kinesisapi.DefaultAuthSecretEnv, "environment variable holding the secret access key when --auth gives only the key ID")
	fs.StringVar(&o.region, "region", kinesisapi.DefaultRegion, "region signed requests must be scoped to (with --auth)")
	fs.IntVar(&o.shardQuota, "account-shard-quota", 0, "open shards allowed across all streams with --limits on (default: the quota table's figure, 20000)")
	fs.BoolVar(&o.allowRemote, "allow-unauthenticated-remote", false, "allow listening beyond loopback without --auth (anyone who can reach the port can read, write and delete streams)")
	fs.Int64Var(&o.maxInFlight, "max-body-bytes-in-flight", kinesisapi.DefaultMaxBodyBytesInFlight, "request body bytes held at once across all connections; requests past it get a retryable 503")
	fs.DurationVar(&o.bodyTimeout, "body-read-timeout", kinesisapi.DefaultBodyReadTimeout, "time a request body may take to arrive once its headers have (408 after it)")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no start and stop log lines")
	cmd.AddCommand(serve, newEngineRepairCmd(io))
	return cmd
}

func engineServeRun(ctx context.Context, io *streams, o *engineServeOptions) error {
	fsync, err := engine.ParseFsyncPolicy(o.fsync)
	if err != nil {
		return asUsage(fmt.Errorf("--fsync: %w", err))
	}
	if o.limits != "on" && o.limits != "off" {
		return usagef("--limits %q: must be on or off", o.limits)
	}
	if o.burstCredit != "on" && o.burstCredit != "off" {
		return usagef("--burst-credit %q: must be on or off", o.burstCredit)
	}
	if o.shardQuota < 0 {
		return usagef("--account-shard-quota %d: must be >= 1 (or 0 for the quota table's figure)", o.shardQuota)
	}
	if o.maxInFlight <= 0 {
		return usagef("--max-body-bytes-in-flight %d: must be > 0", o.maxInFlight)
	}
	switch err := engine.CheckMaxMemory(int64(o.maxMemory), o.inMemory); {
	case errors.Is(err, engine.ErrMaxMemoryOnDisk):
		return usagef("--max-memory %s: applies only with --in-memory", o.maxMemory)
	case errors.Is(err, engine.ErrMaxMemoryTooSmall):
		return usagef("--max-memory %s: must be at least %s (or 0 for unbounded)", o.maxMemory, units.Bytes(engine.MinMaxMemoryBytes))
	}
	if o.bodyTimeout <= 0 {
		return usagef("--body-read-timeout %s: must be > 0", o.bodyTimeout)
	}
	opts := kinesisapi.ServeOptions{
		Addr: o.addr, DataDir: o.dataDir, InMemory: o.inMemory, MaxMemoryBytes: int64(o.maxMemory),
		Fsync: fsync, FsyncInterval: o.fsyncInterval, LimitsOff: o.limits == "off", NoBurstCredit: o.burstCredit == "off",
		AccountShardQuota: o.shardQuota, AllowUnauthenticatedRemote: o.allowRemote, MaxBodyBytesInFlight: o.maxInFlight, BodyReadTimeout: o.bodyTimeout,
	}
	creds, err := kinesisapi.ResolveCredentials(o.auth, o.authSecretEnv, os.Getenv)
	if err != nil {
		return asUsage(fmt.Errorf("--auth: %w", err))
	}
	opts.Auth, opts.Region = creds, o.region
	if !o.quiet {
		opts.Logger = slog.New(slog.NewTextHandler(io.ErrOut, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := kinesisapi.Serve(ctx, opts); err != nil {
		if errors.Is(err, kinesisapi.ErrUnsafeBind) {
			return asUsage(err)
		}
		return err
	}
	return nil
}
