package bench

import (
	"bytes"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/streamcap/streamcap/loadgen"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var testStart = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// syntheticResult builds a deterministic Result from seeded samples: 3
// intervals of perInterval sends with service ≈ 0.5–3 ms, a small send lag,
// a few errors and throttles, and end-to-end latency ≈ 5–20 ms.
func syntheticResult(t testing.TB, seed uint64, perInterval int) *Result {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 42))
	lr := &loadgen.Result{
		Profile: loadgen.Constant(units.EventRate(perInterval)), Start: testStart,
		Elapsed: 3 * time.Second, TargetRate: float64(perInterval), StopReason: "duration",
		Response: loadgen.NewHistogram(), Service: loadgen.NewHistogram(), SendLag: loadgen.NewHistogram(),
		Errors:    []loadgen.ErrorCount{{Message: "connection reset by peer", Count: 3}, {Message: "internal failure", Count: 1}},
		Throttles: []loadgen.ErrorCount{{Message: "put: ProvisionedThroughputExceededException: throttled", Count: 7}},
	}
	e2e := loadgen.NewE2E()
	e2e.Open(testStart)
	for k := range 3 {
		resp, svc, lag := loadgen.NewHistogram(), loadgen.NewHistogram(), loadgen.NewHistogram()
		for range perInterval {
			s := 500*time.Microsecond + time.Duration(rng.ExpFloat64()*float64(500*time.Microsecond))
			l := time.Duration(rng.ExpFloat64() * float64(20*time.Microsecond))
			if rng.IntN(1000) == 0 {
				l += 300 * time.Millisecond // a rare stall
			}
			for _, x := range []struct {
				h *hdr.Histogram
				v time.Duration
			}{{resp, s + l}, {svc, s}, {lag, l}} {
				if err := x.h.RecordValue(int64(x.v)); err != nil {
					t.Fatal(err)
				}
			}
			var p [loadgen.StampSize]byte
			loadgen.Stamp(p[:], testStart.UnixNano(), 0)
			e2e.Record(p[:], testStart.Add(5*time.Millisecond+time.Duration(rng.Float64()*float64(15*time.Millisecond))))
		}
		lr.Response.Merge(resp)
		lr.Service.Merge(svc)
		lr.SendLag.Merge(lag)
		iv := loadgen.Interval{
			Start: time.Duration(k) * time.Second, Length: time.Second, Sent: int64(perInterval), Acked: int64(perInterval),
			TargetRate: float64(perInterval), Rate: float64(perInterval),
			P50: time.Duration(resp.ValueAtQuantile(50)), P99: time.Duration(resp.ValueAtQuantile(99)), Max: time.Duration(resp.Max()),
		}
		iv.Response, _ = loadgen.Encode(resp)
		iv.Service, _ = loadgen.Encode(svc)
		iv.SendLag, _ = loadgen.Encode(lag)
		lr.Intervals = append(lr.Intervals, iv)
	}
	n := int64(3 * perInterval)
	lr.Counts = loadgen.Counts{
		Sent: n + 11, SentBytes: (n + 11) * 1000, Acked: n, AckedBytes: n * 1000, Errors: 4, Throttles: 7,
		Late: 3, InflightLimited: 1, WarmupSent: 500, PeakInflight: 12,
	}
	lr.AchievedRate = float64(lr.Counts.Sent) / 3
	opts := Options{Target: "kinesis", Workload: model.Workload{Rate: units.EventRate(perInterval)}, Duration: 3 * time.Second, Warmup: 500 * time.Millisecond, Consumers: 1, Seed: seed}
	_, st, err := opts.loadgenConfig()
	if err != nil {
		t.Fatal(err)
	}
	st.GeneratorCPU = 2
	info := DriverInfo{Name: "kinesis", Version: "github.com/aws/aws-sdk-go-v2@v1.47.7", Endpoint: "http://127.0.0.1:4567", Settings: map[string]string{"batch_size": "1"}}
	r, err := newResult(opts, st, info, lr, []*loadgen.E2E{e2e})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestWriteTextGolden(t *testing.T) {
	// A run canceled during its warm-up: nothing measured.
	empty, err := newResult(Options{Target: "embedded"}, Settings{Profile: "3000/s", Warmup: "5s", MaxInflight: 1024, CatchUp: "2x", RecordSize: "1KB", Keys: "10000 uniform", LateAfterNS: 1e6},
		DriverInfo{Name: "embedded", Version: "streamcap"},
		&loadgen.Result{Start: testStart, StopReason: "canceled", Response: loadgen.NewHistogram(), Service: loadgen.NewHistogram(), SendLag: loadgen.NewHistogram()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]*Result{"result.txt": syntheticResult(t, 1, 1000), "empty.txt": empty} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteText(&b, r); err != nil {
				t.Fatal(err)
			}
			golden(t, name, b.Bytes())
		})
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bench -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	r := syntheticResult(t, 2, 500)
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	for name, l := range r.latencies() {
		got := back.latencies()[name]
		if *got != *l {
			t.Errorf("%s: decoded summary %+v; want %+v", name, *got, *l)
		}
		// The decoded histogram gives the same percentiles as the summary.
		h, err := got.Decode()
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range Percentiles {
			want, _ := l.Quantile(q)
			if v := h.ValueAtQuantile(q); v != want {
				t.Errorf("%s p%v from the decoded histogram = %d; want %d", name, q, v, want)
			}
		}
	}
	if back.Counts != r.Counts || len(back.Timeline) != 3 || back.Timeline[1] != r.Timeline[1] || !back.StartedAt.Equal(r.StartedAt) {
		t.Errorf("counts, timeline or start changed in the round trip")
	}
	for in, want := range map[string]string{
		`{"schema":"other/v9"}`: `schema "other/v9": must be "streamcap.bench.result/v1"`,
		`{"schema":"streamcap.bench.result/v1","response":{"hdr":"bm90IGEgaGlzdG9ncmFt"}}`: "response.hdr",
		`{`: "read result json",
	} {
		if _, err := ReadJSON(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadJSON(%s) = %v; want an error containing %q", in, err, want)
		}
	}
}

func TestMergeAddsHistogramsAndSumsCounters(t *testing.T) {
	a, b := syntheticResult(t, 3, 1000), syntheticResult(t, 4, 2000)
	m, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if m.Runs != 2 || m.Counts.Sent != a.Counts.Sent+b.Counts.Sent || m.Counts.Acked != 9000 || m.AchievedRate != a.AchievedRate+b.AchievedRate || m.TargetRate != 3000 {
		t.Errorf("runs %d sent %d acked %d rate %v target %v", m.Runs, m.Counts.Sent, m.Counts.Acked, m.AchievedRate, m.TargetRate)
	}
	// The merged percentiles are those of all samples together.
	for name, l := range m.latencies() {
		all := loadgen.NewHistogram()
		for _, r := range []*Result{a, b} {
			h, _ := r.latencies()[name].Decode()
			all.Merge(h)
		}
		if l.Count != all.TotalCount() || l.P99NS != all.ValueAtQuantile(99) || l.MaxNS != all.Max() {
			t.Errorf("%s: merged count %d p99 %d max %d; want %d, %d, %d", name, l.Count, l.P99NS, l.MaxNS, all.TotalCount(), all.ValueAtQuantile(99), all.Max())
		}
	}
	if len(m.Timeline) != 3 || m.Timeline[0].Sent != 3000 || m.Timeline[0].Rate != 3000 {
		t.Errorf("merged timeline %+v", m.Timeline)
	}
	if len(m.Errors) != 2 || m.Errors[0] != (loadgen.ErrorCount{Message: "connection reset by peer", Count: 6}) {
		t.Errorf("merged errors %v", m.Errors)
	}
	// Merging one result reproduces it.
	one, err := Merge(a)
	if err != nil || one.Response != a.Response || one.Counts != a.Counts {
		t.Errorf("Merge(a) changed the result: %v", err)
	}
	if _, err := Merge(); err == nil {
		t.Error("Merge() of nothing succeeded")
	}
}

func TestHlogRoundTrip(t *testing.T) {
	r := syntheticResult(t, 5, 800)
	var b bytes.Buffer
	if err := WriteHlog(&b, r); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{
		"#[Histogram log format version 1.3]\n",
		"#[StartTime: 1795510800 (seconds since epoch), 2026-11-24T09:00:00Z]\n",
		"\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n",
		"\n1.000000,1.000000,",
		"\nTag=service,2.000000,1.000000,",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("hlog lacks %q:\n%s", want, text[:min(len(text), 600)])
		}
	}
	// Our reader: 3 intervals × (response, service, send lag) + e2e.
	l, err := ReadHlog(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if l.Version != "1.3" || l.StartTime != 1795510800 || len(l.Entries) != 10 {
		t.Fatalf("version %q start %v entries %d; want 1.3, 1795510800, 10", l.Version, l.StartTime, len(l.Entries))
	}
	byTag := map[string]*hdr.Histogram{}
	for _, e := range l.Entries {
		if byTag[e.Tag] == nil {
			byTag[e.Tag] = loadgen.NewHistogram()
		}
		byTag[e.Tag].Merge(e.Histogram)
		if e.Tag == "" && math.Abs(e.Max-float64(e.Histogram.Max())/1e6) > 1e-6 {
			t.Errorf("interval max %v ms; want the histogram's %v ns / 1e6", e.Max, e.Histogram.Max())
		}
	}
	for tag, l := range map[string]Latency{HlogTagResponse: r.Response, HlogTagService: r.Service, HlogTagSendLag: r.SendLag, HlogTagE2E: r.E2E} {
		h := byTag[tag]
		if h == nil || h.TotalCount() != l.Count || h.ValueAtQuantile(99) != l.P99NS {
			t.Errorf("tag %q: read back %v samples; want %d with p99 %d", tag, h, l.Count, l.P99NS)
		}
	}
	// HdrHistogram's own reader reads it too.
	hr := hdr.NewHistogramLogReader(strings.NewReader(text))
	n := 0
	for {
		h, err := hr.NextIntervalHistogram()
		if err != nil {
			t.Fatal(err)
		}
		if h == nil {
			break
		}
		n++
	}
	if n != 10 {
		t.Errorf("hdrhistogram's reader read %d intervals; want 10", n)
	}
}

func TestReadHlogErrorsNameTheLine(t *testing.T) {
	for in, want := range map[string]string{
		"#[StartTime: abc]\n": "line 1: StartTime",
		"# c\n1.0,2.0\n":      "line 2: want START,LENGTH,MAX,HISTOGRAM",
		"x,1,2,HISTF\n":       "line 1: start must be a number",
		"1,1,2,bm9wZQ==\n":    "line 1: histogram",
		"Tag=only\n":          "line 1: Tag= without",
	} {
		if _, err := ReadHlog(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadHlog(%q) = %v; want an error containing %q", in, err, want)
		}
	}
}

func FuzzReadHlog(f *testing.F) {
	var b bytes.Buffer
	if err := WriteHlog(&b, syntheticResult(f, 6, 50)); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte("#[BaseTime: 12.5 (seconds since epoch)]\nTag=a,0,1,2,HISTFAAAAB54nJNpmSzMwMDAzAABUJr5BQMDs5vBjgUM9h8gIu/NWAABAAD//3EOBmE=\n"))
	f.Add([]byte("Tag=,,,,\n\n\r\n#\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ReadHlog(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, e := range l.Entries {
			if e.Histogram == nil {
				t.Fatal("entry without histogram")
			}
		}
	})
}

func TestCheckSLO(t *testing.T) {
	r := syntheticResult(t, 7, 1000) // response p99 ≈ 2.8 ms, e2e p99 ≈ 19.9 ms, 11 of 3011 failed
	ms := func(v float64) units.Duration { return units.Duration(v * float64(time.Millisecond)) }
	tests := []struct {
		name   string
		slo    *model.SLO
		checks []string // every check made
		failed []string // the ones that failed
	}{
		{"no SLO", nil, nil, nil},
		{"all met", &model.SLO{PublishP99: ms(50), E2EP99: ms(1000), MaxErrorRate: 0.01}, []string{"publish p99", "end-to-end p99", "failed sends"}, nil},
		{"publish p99 missed", &model.SLO{PublishP99: ms(1)}, []string{"publish p99"}, []string{"publish p99"}},
		{"e2e p99 missed", &model.SLO{E2EP99: ms(10)}, []string{"end-to-end p99"}, []string{"end-to-end p99"}},
		{"error rate missed", &model.SLO{MaxErrorRate: 0.001}, []string{"failed sends"}, []string{"failed sends"}},
		{"all missed", &model.SLO{PublishP99: ms(1), E2EP99: ms(1), MaxErrorRate: 0.0001},
			[]string{"publish p99", "end-to-end p99", "failed sends"}, []string{"publish p99", "end-to-end p99", "failed sends"}},
	}
	names := func(cs []Check) string {
		var n []string
		for _, c := range cs {
			n = append(n, c.What)
		}
		return strings.Join(n, ",")
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckSLO("", r, tc.slo)
			if names(got) != strings.Join(tc.checks, ",") || names(failedChecks(got)) != strings.Join(tc.failed, ",") {
				t.Errorf("checks %v; want %v failing %v", got, tc.checks, tc.failed)
			}
		})
	}
	v := CheckSLO("", r, &model.SLO{MaxErrorRate: 0.001})[0]
	if want := "failed sends missed: 0.365 % (11 of 3,011) (want ≤ 0.1 %)"; v.String() != want {
		t.Errorf("%q; want %q", v.String(), want)
	}
	met := CheckSLO("", r, &model.SLO{PublishP99: ms(50)})[0]
	if want := "publish p99 met: " + units.Span(time.Duration(r.Response.P99NS)) + " (want ≤ 50 ms)"; met.String() != want {
		t.Errorf("%q; want %q", met.String(), want)
	}
	starved := &Result{Counts: loadgen.Counts{Sent: 100, Acked: 100, Late: 40},
		Response: Latency{Count: 100, P99NS: 66e6}, SendLag: Latency{Count: 100, P99NS: 64e6}, Service: Latency{Count: 100, P99NS: 270e3}}
	if c := CheckSLO("", starved, &model.SLO{PublishP99: ms(50)})[0]; c.OK || !strings.Contains(c.Got, "mostly send lag (p99 64 ms; service p99 270 µs)") {
		t.Errorf("a starved generator's miss does not say so: %q", c.Got)
	}
	noE2E := *r
	noE2E.E2E = Latency{}
	if got := CheckSLO("", &noE2E, &model.SLO{E2EP99: ms(1000)}); len(got) != 1 || got[0].OK || got[0].Got != "no samples" {
		t.Errorf("a run without end-to-end samples passed its e2e SLO: %v", got)
	}
}

// TestJudgeCountsEveryOutcome checks that every send not acknowledged —
// error, throttle, aborted or unfinished — counts against max_error_rate,
// and that a run with nothing acknowledged fails with or without an SLO.
func TestJudgeCountsEveryOutcome(t *testing.T) {
	slo := &model.SLO{MaxErrorRate: 0.01}
	tests := []struct {
		name      string
		counts    loadgen.Counts
		slo       *model.SLO
		ok        bool
		runFailed bool
		failed    int64
	}{
		{"all acked", loadgen.Counts{Sent: 1000, Acked: 1000}, slo, true, false, 0},
		{"100 unfinished", loadgen.Counts{Sent: 1000, Acked: 900, Unfinished: 100}, slo, false, false, 100},
		{"600 aborted, nothing acked", loadgen.Counts{Sent: 600, Aborted: 600}, slo, false, true, 600},
		{"nothing acked, no SLO", loadgen.Counts{Sent: 600, Errors: 600}, nil, false, true, 600},
		{"1% mixed is within 1%", loadgen.Counts{Sent: 1000, Acked: 990, Errors: 4, Throttles: 3, Aborted: 2, Unfinished: 1}, slo, true, false, 10},
		{"11 of 1000 mixed", loadgen.Counts{Sent: 1000, Acked: 989, Errors: 4, Throttles: 3, Aborted: 3, Unfinished: 1}, slo, false, false, 11},
		{"nothing sent", loadgen.Counts{}, nil, false, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &Result{Counts: tc.counts}
			v := Judge("", r, tc.slo)
			if v.OK != tc.ok || v.RunFailed() != tc.runFailed || r.Failed() != tc.failed {
				t.Errorf("ok=%v runFailed=%v failed=%d; want %v %v %d (checks %v)", v.OK, v.RunFailed(), r.Failed(), tc.ok, tc.runFailed, tc.failed, v.Checks)
			}
			var b strings.Builder
			if err := WriteVerdict(&b, v); err != nil {
				t.Fatal(err)
			}
			want := map[bool]string{true: "SLO met: every check passed", false: "SLO missed"}[tc.ok]
			switch {
			case tc.runFailed:
				want = "run failed: nothing was acknowledged"
			case tc.slo == nil:
				want = "no SLO to check"
			}
			if !strings.Contains(b.String(), want) {
				t.Errorf("verdict text lacks %q:\n%s", want, b.String())
			}
		})
	}
}

// A merge keeps the runs' pacing (loadgen.MergePacing), so a distributed run still shows what
// sending on time cost and what the machines took; runs without it add nothing.
func TestMergeKeepsPacing(t *testing.T) {
	a, b := syntheticResult(t, 3, 1000), syntheticResult(t, 4, 2000)
	if m, err := Merge(a, b); err != nil || m.Pacing != nil {
		t.Fatalf("merge without pacing: %v, pacing %+v", err, m.Pacing)
	}
	a.Pacing = &loadgen.PacingStats{Hybrid: true, Waits: 10, Spin: time.Second, SpinShare: 0.3, WakeLate: 80 * time.Microsecond}
	b.Pacing = &loadgen.PacingStats{Hybrid: true, Waits: 20, Spin: time.Second, SpinShare: 0.2, WakeLate: 120 * time.Microsecond}
	m, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if want := loadgen.MergePacing(*a.Pacing, *b.Pacing); m.Pacing == nil || *m.Pacing != want {
		t.Fatalf("merged pacing %+v, want %+v", m.Pacing, want)
	}
	if m.Pacing.Waits != 30 || m.Pacing.WakeLate != 120*time.Microsecond {
		t.Errorf("merged pacing %+v: want 30 waits, the worst wake lateness (120 µs)", m.Pacing)
	}
}

// The text report's pacing lines: the spin's share and window, the wakes' lateness, and the
// machine's interruptions of the spin with their share (as the README's example prints them).
func TestTextPacingLines(t *testing.T) {
	r := syntheticResult(t, 3, 1000)
	r.Pacing = &loadgen.PacingStats{Hybrid: true, Waits: 3000, SpinWindow: 50 * time.Microsecond, SpinWindowMax: 250 * time.Microsecond,
		Spin: time.Second, SpinShare: 0.384, WakeLate: 142 * time.Microsecond, Interruptions: 4933, Interrupted: 47700 * time.Microsecond, InterruptedShare: 0.0477}
	var b strings.Builder
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`\npacing\s+spin 38\.4 % of a core\s+spin window 50 µs–250 µs\s+precise sleeps wake late by 142 µs \(p99\)\n`),
		regexp.MustCompile(`\n\s+spin interrupted 4,933× ≥ 20 µs\s+4\.77 % of the spin\s+the machine took the CPU \(or a GC paused it\)\n`),
	} {
		if !want.MatchString(b.String()) {
			t.Errorf("text lacks %s:\n%s", want, b.String())
		}
	}
	r.Pacing.Interruptions = 0
	b.Reset()
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "spin interrupted") {
		t.Errorf("an uninterrupted spin still prints an interruptions line:\n%s", b.String())
	}
}
