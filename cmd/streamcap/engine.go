package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/streamcap/streamcap/bench/engine"
	"github.com/streamcap/streamcap/bench/engine/kinesisapi"
)

// engineServeOptions is what `streamcap engine serve` needs.
type engineServeOptions struct {
	addr          string
	dataDir       string
	inMemory      bool
	fsync         string
	fsyncInterval time.Duration
	limits        string
	auth          string
	authSecretEnv string
	region        string
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
Per-shard limits (1 MiB/s and 1000 records/s in, 2 MiB/s and 5 reads/s out) are
emulated unless --limits off. SIGINT or SIGTERM shuts down gracefully.`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return engineServeRun(cmd.Context(), io, o)
		},
	}
	fs := serve.Flags()
	fs.StringVar(&o.addr, "addr", kinesisapi.DefaultAddr, "listen address (loopback by default; :0 picks a free port)")
	fs.StringVar(&o.dataDir, "data-dir", "", "data directory (default: streamcap/engine under the user cache dir)")
	fs.BoolVar(&o.inMemory, "in-memory", false, "keep everything in memory (nothing survives a restart)")
	fs.StringVar(&o.fsync, "fsync", "interval", "durability: always | interval (group commit) | never")
	fs.DurationVar(&o.fsyncInterval, "fsync-interval", 0, "group-commit window with --fsync interval (default 2ms)")
	fs.StringVar(&o.limits, "limits", "on", "emulated per-shard limits: on | off")
	fs.StringVar(&o.auth, "auth", "", "require SigV4-signed requests: ACCESS_KEY_ID (secret from --auth-secret-env), or ACCESS_KEY_ID:SECRET (visible in ps)")
	fs.StringVar(&o.authSecretEnv, "auth-secret-env", kinesisapi.DefaultAuthSecretEnv, "environment variable holding the secret access key when --auth gives only the key ID")
	fs.StringVar(&o.region, "region", kinesisapi.DefaultRegion, "region signed requests must be scoped to (with --auth)")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no start and stop log lines")
	cmd.AddCommand(serve)
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
	opts := kinesisapi.ServeOptions{
		Addr: o.addr, DataDir: o.dataDir, InMemory: o.inMemory,
		Fsync: fsync, FsyncInterval: o.fsyncInterval, LimitsOff: o.limits == "off",
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
	return kinesisapi.Serve(ctx, opts)
}
