// Command perf runs the side-by-side throughput and CPU table of docs/performance.md in one go
// (`make perf`, via perf.sh): kinesalite and `streamcap engine serve --in-memory`, each driven by
// the raw AWS SDK for Go (PutRecords of 500 records, several callers) and by `streamcap bench
// --target kinesis` at max rate, with records/s, the server's CPU time per acknowledged record
// (from /proc/PID/stat) and the client's, and the ratios the goals of issue 14 are stated in.
// Linux only (it reads /proc). It is not part of `make test`: it takes a minute and its figures
// depend on the machine.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	kdriver "github.com/streamcap/streamcap/bench/driver/kinesis"
	"github.com/streamcap/streamcap/model/units"
)

// options are the command's flags.
type options struct {
	bin, kinesalite, kinesaliteVersion string
	duration, warmup                   time.Duration
	recordSize, shards, batch          int
	workers, sdkCallers                int
	skipKinesalite                     bool
	profileDir                         string      // where the engine and bench write CPU profiles; empty: none
	maxMemory                          units.Bytes // --max-memory of the bounded engine row; 0: no such row
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/streamcap", "streamcap binary")
	flag.StringVar(&o.kinesalite, "kinesalite", "", "node_modules directory holding kinesalite (empty: skip kinesalite)")
	flag.StringVar(&o.kinesaliteVersion, "kinesalite-version", "", "kinesalite version, for the table")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measured time of each run")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "warm-up of each bench run")
	flag.IntVar(&o.recordSize, "record-size", 1000, "record size in bytes")
	flag.IntVar(&o.shards, "shards", 4, "shards of each stream")
	flag.IntVar(&o.batch, "batch-size", 500, "records per PutRecords call")
	flag.IntVar(&o.workers, "workers", 2000, "bench: max:WORKERS profile and --max-inflight")
	flag.IntVar(&o.sdkCallers, "sdk-callers", 8, "raw SDK: concurrent PutRecords callers")
	flag.StringVar(&o.profileDir, "profile", "", "write CPU profiles into DIR: of the engine server (engine.pprof, and engine-bounded.pprof for the --max-memory row) and of the bench client (bench.pprof, the last server's run)")
	o.maxMemory = 256 << 20
	flag.Var(&o.maxMemory, "max-memory", "also measure the engine with this --max-memory (0: don't)")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "perf:", err)
		os.Exit(1)
	}
}

// row is one measured run.
type row struct {
	server, client       string
	acked                int64
	elapsed              time.Duration
	serverCPU, clientCPU time.Duration
	cpuRecords           int64 // records the CPU times are divided by
	meanBatch            float64
	batchSizes           string
	note                 string
}

func (r row) rate() float64 { return float64(r.acked) / r.elapsed.Seconds() }
func (r row) perRecord(d time.Duration) float64 {
	if r.cpuRecords == 0 {
		return 0
	}
	return float64(d.Microseconds()) / float64(r.cpuRecords)
}

// profileArgs is the --cpuprofile flag for one process's profile, or nothing.
func (o options) profileArgs(name string) []string {
	if o.profileDir == "" {
		return nil
	}
	return []string{"--cpuprofile", filepath.Join(o.profileDir, name+".pprof")}
}

func run(ctx context.Context, o options) error {
	type server struct {
		name string
		cmd  func(port int) *exec.Cmd
	}
	servers := []server{}
	if o.kinesalite != "" {
		script, err := filepath.Abs("bench/perf/kinesalite-loopback.js")
		if err != nil {
			return err
		}
		servers = append(servers, server{"kinesalite " + o.kinesaliteVersion, func(port int) *exec.Cmd {
			c := exec.Command("node", script, strconv.Itoa(port))
			c.Env = append(os.Environ(), "NODE_PATH="+o.kinesalite)
			return c
		}})
	}
	servers = append(servers, server{"streamcap engine serve --in-memory", func(port int) *exec.Cmd {
		args := []string{"engine", "serve", "--in-memory", "--limits", "off", "--quiet", "--addr", fmt.Sprintf("127.0.0.1:%d", port)}
		return exec.Command(o.bin, append(args, o.profileArgs("engine")...)...)
	}})
	if o.maxMemory != 0 {
		// The same engine bounded in memory: once full (during the raw SDK run), it reuses the
		// memory of the records it drops instead of faulting in fresh pages.
		servers = append(servers, server{"streamcap engine serve --in-memory --max-memory " + o.maxMemory.String(), func(port int) *exec.Cmd {
			args := []string{"engine", "serve", "--in-memory", "--max-memory", o.maxMemory.String(), "--limits", "off", "--quiet", "--addr", fmt.Sprintf("127.0.0.1:%d", port)}
			return exec.Command(o.bin, append(args, o.profileArgs("engine-bounded")...)...)
		}})
	}
	var rows []row
	for _, s := range servers {
		port, err := freePort()
		if err != nil {
			return err
		}
		cmd := s.cmd(port)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start %s: %w", s.name, err)
		}
		url := fmt.Sprintf("http://127.0.0.1:%d", port)
		err = func() error {
			defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _, _ = cmd.Process.Wait() }()
			if err := waitListening(port, 20*time.Second); err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			r, err := sdkRun(ctx, o, url, cmd.Process.Pid)
			if err != nil {
				return fmt.Errorf("%s, raw SDK: %w", s.name, err)
			}
			r.server = s.name
			rows = append(rows, r)
			b, err := benchRun(ctx, o, url, cmd.Process.Pid)
			if err != nil {
				return fmt.Errorf("%s, bench: %w", s.name, err)
			}
			b.server = s.name
			rows = append(rows, b)
			return nil
		}()
		if err != nil {
			return err
		}
	}
	printTable(o, rows)
	return nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitListening(port int, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("not listening on 127.0.0.1:%d after %v", port, within)
}

// procCPU is the user + system CPU time of process pid from /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which may hold spaces) start after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc stat format")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("unexpected /proc stat format")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64) // field 14 utime
	st, err2 := strconv.ParseInt(f[12], 10, 64) // field 15 stime
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	const ticks = 100 // USER_HZ, 100 on every Linux ABI Go supports
	return time.Duration(ut+st) * time.Second / ticks, nil
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sdkRun drives the server with the raw SDK: sdkCallers goroutines each sending PutRecords of
// batch records back to back for the duration.
func sdkRun(ctx context.Context, o options, url string, pid int) (row, error) {
	kc := kinesis.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("x", "y", ""),
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
		// The SDK's own client, with the one fix bench's driver applies too (see SafeBodies).
		HTTPClient: kdriver.SafeBodies(awshttp.NewBuildableClient()),
	}, func(ko *kinesis.Options) { ko.BaseEndpoint = aws.String(url) })
	stream := "perf-sdk"
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(int32(o.shards))}); err != nil {
		return row{}, fmt.Errorf("create stream: %w", err)
	}
	if err := waitActive(ctx, kc, stream); err != nil {
		return row{}, err
	}
	payload := make([]byte, o.recordSize)
	for i := range payload {
		payload[i] = byte('a' + i%26)
	}
	var acked, failed atomic.Int64
	var firstErr atomic.Value
	srv0, err := procCPU(pid)
	if err != nil {
		return row{}, err
	}
	cli0, start := selfCPU(), time.Now()
	runCtx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var wg sync.WaitGroup
	for c := range o.sdkCallers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recs := make([]types.PutRecordsRequestEntry, o.batch)
			for i := range recs {
				recs[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("key-%d-%d", c, i)), Data: payload}
			}
			for runCtx.Err() == nil {
				out, err := kc.PutRecords(runCtx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: recs})
				if err != nil {
					if runCtx.Err() == nil {
						firstErr.CompareAndSwap(nil, err)
					}
					return
				}
				n := int64(aws.ToInt32(out.FailedRecordCount))
				acked.Add(int64(len(recs)) - n)
				failed.Add(n)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cli := selfCPU() - cli0
	srv1, err := procCPU(pid)
	if err != nil {
		return row{}, err
	}
	if e := firstErr.Load(); e != nil {
		return row{}, e.(error)
	}
	r := row{client: fmt.Sprintf("raw SDK, %d×%d-record PutRecords callers", o.sdkCallers, o.batch), acked: acked.Load(), elapsed: elapsed,
		serverCPU: srv1 - srv0, clientCPU: cli, cpuRecords: acked.Load(), meanBatch: float64(o.batch)}
	if f := failed.Load(); f > 0 {
		r.note = fmt.Sprintf("%d records failed", f)
	}
	return r, nil
}

func waitActive(ctx context.Context, kc *kinesis.Client, stream string) error {
	for range 200 {
		d, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
		if err == nil && d.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("stream %s not ACTIVE after 10s", stream)
}

// benchResult is the part of streamcap.bench.result/v1 the table needs.
type benchResult struct {
	ElapsedNS int64 `json:"elapsed_ns"`
	Counts    struct {
		Acked      int64 `json:"acked"`
		WarmupSent int64 `json:"warmup_sent"`
		Errors     int64 `json:"errors"`
		Throttles  int64 `json:"throttles"`
	} `json:"counts"`
	Errors []struct {
		Message string `json:"message"`
		Count   int64  `json:"count"`
	} `json:"errors"`
	Driver struct {
		Settings map[string]string `json:"settings"`
	} `json:"driver"`
}

// benchRun runs `streamcap bench --target kinesis` at max rate against the server.
func benchRun(ctx context.Context, o options, url string, pid int) (row, error) {
	dir, err := os.MkdirTemp("", "streamcap-perf-")
	if err != nil {
		return row{}, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "bench.json")
	args := []string{"bench", "--target", "kinesis", "--endpoint", url, "--stream", "perf-bench",
		"--shards", strconv.Itoa(o.shards), "--profile", fmt.Sprintf("max:%d", o.workers), "--max-inflight", strconv.Itoa(o.workers),
		"--batch-size", strconv.Itoa(o.batch), "--record-size", fmt.Sprintf("%dB", o.recordSize),
		"--duration", o.duration.String(), "--warmup", o.warmup.String(), "--max-retries", "0", "--consumers", "0",
		"--quiet", "-o", "json", "--out", out}
	args = append(args, o.profileArgs("bench")...) // the last server's run wins
	cmd := exec.CommandContext(ctx, o.bin, args...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=y", "AWS_REGION=us-east-1")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr
	srv0, err := procCPU(pid)
	if err != nil {
		return row{}, err
	}
	runErr := cmd.Run()
	srv1, err := procCPU(pid)
	if err != nil {
		return row{}, err
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return row{}, fmt.Errorf("%v: %w (%s)", runErr, err, lastLine(stderr.String()))
	}
	var res benchResult
	if err := json.Unmarshal(b, &res); err != nil {
		return row{}, fmt.Errorf("read %s: %w", out, err)
	}
	cli := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	// The CPU counters cover the warm-up too, so they are divided by the records sent in it as well.
	r := row{client: fmt.Sprintf("streamcap bench --profile max:%d --batch-size %d", o.workers, o.batch), acked: res.Counts.Acked,
		elapsed: time.Duration(res.ElapsedNS), serverCPU: srv1 - srv0, clientCPU: cli, cpuRecords: res.Counts.Acked + res.Counts.WarmupSent}
	if n := res.Counts.Errors + res.Counts.Throttles; n > 0 {
		r.note = fmt.Sprintf("%d errors/throttles", n)
		if len(res.Errors) > 0 {
			m := res.Errors[0].Message
			fmt.Fprintf(os.Stderr, "bench errors: %s × %s\n", units.Int(res.Errors[0].Count), m) // whole, beside the table's short note
			if len(m) > 120 {
				m = m[:120] + "…"
			}
			r.note += fmt.Sprintf(" (%d × %s)", res.Errors[0].Count, strings.ReplaceAll(m, "|", "/"))
		}
	}
	st := res.Driver.Settings
	if calls, err := strconv.ParseFloat(st["stats.calls"], 64); err == nil && calls > 0 {
		acked, _ := strconv.ParseFloat(st["stats.acked"], 64)
		r.meanBatch = acked / calls
		r.batchSizes = st["stats.batch_sizes"]
	}
	switch {
	case runErr != nil && strings.Contains(stderr.String(), "SLO"):
		// The default scenario's latency SLOs cannot hold at max rate: not a failure here.
	case runErr != nil && r.note == "":
		r.note = "exit: " + runErr.Error() + " " + lastLine(stderr.String())
	}
	return r, nil
}

func lastLine(s string) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	last := ""
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" {
			last = t
		}
	}
	return last
}

func printTable(o options, rows []row) {
	host, _ := os.Hostname()
	fmt.Printf("%s, %s, %d CPUs (%s/%s), load average %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), host, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, loadAvg())
	fmt.Printf("%d-byte records, %d shards, limits off, %v per run\n\n", o.recordSize, o.shards, o.duration)
	fmt.Println("| server | client | records/s | server CPU µs/record | client CPU µs/record | mean batch | note |")
	fmt.Println("|---|---|---:|---:|---:|---:|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %.0f | %.1f | %.1f | %.0f | %s |\n", r.server, r.client, r.rate(), r.perRecord(r.serverCPU), r.perRecord(r.clientCPU), r.meanBatch, r.note)
	}
	fmt.Println()
	for _, r := range rows {
		if r.batchSizes != "" {
			fmt.Printf("bench batch sizes on %s (records:batches): %s\n", r.server, r.batchSizes)
		}
	}
	// Ratios: the engine's server CPU per record against kinesalite's (same client), and bench
	// against the raw SDK on the same server.
	var kinesaliteBench *row
	var engineBench []*row
	for i := range rows {
		if rows[i].client[:3] == "str" {
			if strings.HasPrefix(rows[i].server, "kinesalite") {
				kinesaliteBench = &rows[i]
			} else {
				engineBench = append(engineBench, &rows[i])
			}
		}
	}
	for _, e := range engineBench {
		if kinesaliteBench != nil && e.perRecord(e.serverCPU) > 0 {
			fmt.Printf("server CPU per record, %s / kinesalite (bench client): 1/%.1f (goal ≤ 1/20)\n",
				e.server, kinesaliteBench.perRecord(kinesaliteBench.serverCPU)/e.perRecord(e.serverCPU))
		}
	}
	for i := 0; i+1 < len(rows); i += 2 {
		sdk, b := rows[i], rows[i+1]
		if sdk.rate() > 0 {
			fmt.Printf("bench / raw SDK records/s on %s: %.0f %% (goal ≥ 80 %%)\n", sdk.server, 100*b.rate()/sdk.rate())
		}
	}
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
