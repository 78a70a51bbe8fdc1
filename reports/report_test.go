package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/cmpimg"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/loadgen"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

func TestReportFormatting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, got, want string
	}{
		{"money cents", money(1234.56), "$1,234.56"},
		{"money millions", money(1234567.891), "$1,234,567.89"},
		{"money negative", money(-3), "-$3.00"},
		{"money zero", money(0), "$0.00"},
		{"moneyShort whole dollars", moneyShort(143.21), "$143"},
		{"moneyShort thousands", moneyShort(12345.5), "$12,346"},
		{"moneyShort small keeps cents", moneyShort(4.2), "$4.20"},
		{"dur ns", dur(850), "850 ns"},
		{"dur µs", dur(12500 * time.Nanosecond), "12.5 µs"},
		{"dur ms trims zeros", dur(4200 * time.Microsecond), "4.2 ms"},
		{"dur ms 3 digits", dur(4_249_999), "4.25 ms"},
		{"dur s", dur(1250 * time.Millisecond), "1.25 s"},
		{"dur min", dur(10 * time.Minute), "10 min"},
		{"dur h", dur(5 * time.Hour), "5 h"},
		{"dur zero", dur(0), "0 ns"},
		{"rate rounds to 4 digits", rate(2999.5, "msg/s"), "3,000 msg/s"},
		{"rate small", rate(12.5, "msg/s"), "12.5 msg/s"},
		{"bitRate", bitRate(2.5e9), "2.5 Gbps"},
		{"bitRate whole", bitRate(1e9), "1 Gbps"},
		{"days", daysShort(9.7466), "9.75 days"},
		{"days under one", daysShort(0.25), "6 h"},
		{"count", count(1234567), "1,234,567"},
		{"sig integer kept", sig(1234.6, 3), "1235"},
		{"nines 0", ninesLabel(0), "0%"},
		{"nines 1", ninesLabel(1), "90%"},
		{"nines 2", ninesLabel(2), "99%"},
		{"nines 4", ninesLabel(4), "99.99%"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestNines(t *testing.T) {
	t.Parallel()
	for q, want := range map[float64]float64{0: 0, 90: 1, 99: 2, 99.9: 3, 99.99: 4} {
		if got := nines(q); math.Abs(got-want) > 1e-9 {
			t.Errorf("nines(%v) = %v, want %v", q, got, want)
		}
	}
}

// TestSpectrumPoints checks the spectrum of 1..1000 ms (one sample each):
// it spans 3 nines (1000 samples resolve 99.9 %), x=1 (90 %) is 900 ms
// and x=2 (99 %) 990 ms within HdrHistogram's 3 significant digits, and
// it ends at the maximum.
func TestSpectrumPoints(t *testing.T) {
	t.Parallel()
	h := hdr.New(1, int64(time.Minute), 3)
	for i := int64(1); i <= 1000; i++ {
		if err := h.RecordValue(i * 1e6); err != nil {
			t.Fatal(err)
		}
	}
	pts := SpectrumPoints(h)
	last := pts[len(pts)-1]
	if last.X != 3 || math.Abs(last.Y-1000e6)/1000e6 > 1e-3 {
		t.Errorf("last point = %+v, want x=3 at 1000 ms", last)
	}
	at := func(x float64) float64 {
		i := slices.IndexFunc(pts, func(p plotter.XY) bool { return math.Abs(p.X-x) < 1e-9 })
		if i < 0 {
			t.Fatalf("no point at x=%v", x)
		}
		return pts[i].Y
	}
	for x, want := range map[float64]float64{1: 900e6, 2: 990e6} {
		if got := at(x); math.Abs(got-want)/want > 2e-3 {
			t.Errorf("spectrum at %v nines = %v ns, want %v ns ± 0.2%%", x, got, want)
		}
	}
	if len(SpectrumPoints(hdr.New(1, 10, 1))) != 0 {
		t.Error("empty histogram: want no points")
	}
}

func TestShardLoadsBusiest(t *testing.T) {
	t.Parallel()
	i, v := seedShardLoads().Busiest()
	if i != 2 || v != 1310 {
		t.Errorf("Busiest = %d, %v; want 2, 1310", i, v)
	}
	if i, _ := (ShardLoads{}).Busiest(); i != -1 {
		t.Errorf("empty Busiest = %d, want -1", i)
	}
}

func TestPlotsRejectEmptyInput(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]func() error{
		"spectrum": func() error {
			_, err := LatencySpectrum("x", []NamedHistogram{{"empty", hdr.New(1, 10, 1)}})
			return err
		},
		"throughput": func() error { _, err := ThroughputOverTime("x", nil); return err },
		"p99":        func() error { _, err := P99OverTime("x", []IntervalPoint{{Length: time.Second}}, 0); return err },
		"cost":       func() error { _, _, err := CostVsRate("x", nil, nil); return err },
		"shards":     func() error { _, err := ShardsVsRate("x", nil, 0); return err },
		"transfer":   func() error { _, err := TransferTime("x", TransferSweep{}); return err },
		"shard load": func() error { _, err := ShardLoadBars("x", ShardLoads{}); return err },
	} {
		if err := f(); !errors.Is(err, ErrNoData) {
			t.Errorf("%s: err = %v, want ErrNoData", name, err)
		}
	}
	if err := WritePNG(io.Discard, plot.New(), 0, 1); err == nil {
		t.Error("WritePNG with zero width: want an error")
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	rep := fullReport(t)
	got := rep.Summary()
	resp, _ := rep.Runs[0].Latency(LatencyResponse)
	want := []string{
		"4 shards, $143/month, p99 " + dur(resp.P99) + " at 3,000 msg/s, SLO met",
		"80 TB: 9.75 days over 1 Gbps vs 10.6 days with 1 device; network is faster",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Summary =\n%q\nwant\n%q", got, want)
	}
	// The headline run is the one at the planned 4 shards; the 3-shard run
	// misses the SLO (7.5 % throttled) but does not make the headline.
	rep.Runs = rep.Runs[1:]
	if s := rep.Summary()[0]; !strings.HasSuffix(s, "13,500 throttled, SLO missed") {
		t.Errorf("3-shard headline %q: want it to end with '13,500 throttled, SLO missed'", s)
	}
	v := verifyReport(t)
	if s := v.Summary()[0]; !strings.HasSuffix(s, "plan holds") {
		t.Errorf("verify summary %q: want it to end with 'plan holds'", s)
	}
	if s := (&Report{}).Summary(); len(s) != 0 {
		t.Errorf("empty report summary = %q, want none", s)
	}
}

func TestFormatFromPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path string
		want Format
		ok   bool
	}{
		{"report.html", FormatHTML, true},
		{"out/Report.HTM", FormatHTML, true},
		{"review.md", FormatMarkdown, true},
		{"review.markdown", FormatMarkdown, true},
		{"r.json", FormatJSON, true},
		{"-", FormatMarkdown, true},
		{"report.pdf", "", false},
		{"report", "", false},
	} {
		got, err := FormatFromPath(tc.path)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("FormatFromPath(%q) = %q, %v; want %q, ok=%v", tc.path, got, err, tc.want, tc.ok)
		}
	}
	if _, err := FormatFromPath("x.pdf"); err == nil || !strings.Contains(err.Error(), ".md, .markdown, .html, .htm or .json") {
		t.Errorf("error %v: want the accepted extensions listed", err)
	}
}

// benchResultJSON writes a real bench.Result (encoded histograms and a
// timeline) as the bench command would.
func benchResultJSON(t testing.TB, target string, shards int, seed uint64) []byte {
	t.Helper()
	enc := func(h *hdr.Histogram) bench.Latency {
		s, err := loadgen.Encode(h)
		if err != nil {
			t.Fatal(err)
		}
		return bench.Latency{Count: h.TotalCount(), P99NS: h.ValueAtQuantile(99), MaxNS: h.Max(), Histogram: s}
	}
	r := &bench.Result{
		Schema: bench.SchemaVersion, Target: target, Runs: 1, ElapsedNS: int64(time.Minute),
		Settings:   bench.Settings{Shards: shards},
		TargetRate: 3000, AchievedRate: 2999.9,
		Counts:   loadgen.Counts{Sent: 180000, Acked: 179990, Throttles: 10},
		Response: enc(seedHist(seed, 4, 0.3, 5000)),
		Service:  enc(seedHist(seed+1, 3, 0.3, 5000)),
		E2E:      enc(seedHist(seed+2, 40, 0.3, 5000)),
		Timeline: []loadgen.Interval{{Start: 0, Length: time.Second, Sent: 3000, Rate: 3000, TargetRate: 3000, P99: 9 * time.Millisecond, Throttles: 10}},
	}
	var buf bytes.Buffer
	if err := bench.WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestAddJSONDetectsKinds(t *testing.T) {
	t.Parallel()
	var planJSON, transferJSON bytes.Buffer
	if err := RenderPlanJSON(&planJSON, seedPlanResult()); err != nil {
		t.Fatal(err)
	}
	if err := RenderTransferJSON(&transferJSON, seedTransfer(), nil); err != nil {
		t.Fatal(err)
	}
	rep := &Report{}
	for _, in := range []struct {
		name string
		data []byte
		want string
	}{
		{"plan.json", planJSON.Bytes(), KindPlan},
		{"transfer.json", transferJSON.Bytes(), KindTransfer},
		{"a.json", benchResultJSON(t, "embedded", 3, 1), KindBench},
		{"b.json", benchResultJSON(t, "embedded", 3, 5), KindBench},
		{"c.json", benchResultJSON(t, "kinesis", 2, 9), KindBench},
	} {
		kind, err := rep.AddJSON(in.name, bytes.NewReader(in.data), model.DefaultPrices())
		if err != nil {
			t.Fatalf("%s: %v", in.name, err)
		}
		if kind != in.want {
			t.Errorf("%s: kind %q, want %q", in.name, kind, in.want)
		}
	}
	names := make([]string, len(rep.Runs))
	for i, r := range rep.Runs {
		names[i] = r.Name
	}
	if want := []string{"embedded, 3 shards", "embedded, 3 shards (b.json)", "kinesis, 2 shards"}; !slices.Equal(names, want) {
		t.Errorf("run names %q, want %q", names, want)
	}
	if l, ok := rep.Runs[0].Latency(LatencyE2E); !ok || l.Hist == nil || l.Count != 5000 {
		t.Errorf("e2e latency %+v: want the decoded 5000-sample histogram", l)
	}
	if rep.Plan == nil || rep.Transfer == nil || rep.SLO == nil {
		t.Errorf("plan %v, transfer %v, slo %v: want all set", rep.Plan != nil, rep.Transfer != nil, rep.SLO != nil)
	}
	if len(rep.CostCurves) < 3 || !rep.CostCurves[0].Step || len(rep.ShardSteps) == 0 {
		t.Errorf("plan sweeps: %d cost curves (first step=%v), %d shard steps; want provisioned (step), on-demand, Kafka and steps",
			len(rep.CostCurves), len(rep.CostCurves) > 0 && rep.CostCurves[0].Step, len(rep.ShardSteps))
	}
	for _, bad := range []struct{ name, data, want string }{
		{"not json", "nope", "want a streamcap JSON document"},
		{"unknown", `{"hello":1}`, `top-level keys ["hello"]`},
		{"wrong schema", `{"schema":"other/v9"}`, "schema"},
	} {
		if _, err := rep.AddJSON(bad.name, strings.NewReader(bad.data), nil); err == nil || !strings.Contains(err.Error(), bad.want) || !strings.Contains(err.Error(), bad.name) {
			t.Errorf("%s: err = %v, want it to name the input and say %q", bad.name, err, bad.want)
		}
	}
}

// dataURI matches an inline chart so HTML goldens hold the page, not the
// image bytes (the images have their own golden tests).
var dataURI = regexp.MustCompile(`data:image/svg\+xml;base64,[A-Za-z0-9+/=]+`)

// memImages keeps a Markdown report's images in memory.
type memImages struct {
	mu    sync.Mutex
	files map[string]*bytes.Buffer
}

type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }

func (m *memImages) Create(name string) (io.WriteCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.files == nil {
		m.files = map[string]*bytes.Buffer{}
	}
	b := &bytes.Buffer{}
	m.files[name] = b
	return nopCloser{b}, nil
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		rep  func(testing.TB) *Report
	}{{"full", fullReport}, {"verify", verifyReport}} {
		t.Run(tc.name+"/md", func(t *testing.T) {
			imgs := &memImages{}
			var buf bytes.Buffer
			if err := Render(&buf, FormatMarkdown, tc.rep(t), RenderOptions{Images: imgs, ImagePrefix: tc.name + "-"}); err != nil {
				t.Fatal(err)
			}
			golden(t, "md/"+tc.name+".md", buf.Bytes())
			links := regexp.MustCompile(`!\[[^]]*\]\(([^)]+)\)`).FindAllStringSubmatch(buf.String(), -1)
			if len(links) == 0 || len(links) != len(imgs.files) {
				t.Fatalf("%d image links, %d images written: want equal and > 0", len(links), len(imgs.files))
			}
			for _, l := range links {
				b := imgs.files[l[1]]
				if b == nil || !bytes.HasPrefix(b.Bytes(), []byte("\x89PNG")) {
					t.Errorf("link %s: no PNG written under that name", l[1])
				}
			}
		})
		t.Run(tc.name+"/html", func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, FormatHTML, tc.rep(t), RenderOptions{}); err != nil {
				t.Fatal(err)
			}
			page := buf.String()
			for _, banned := range []string{"http://", "https://", "<link", "@import", "src=\"/", "url("} {
				if i := strings.Index(dataURI.ReplaceAllString(page, ""), banned); i >= 0 {
					t.Errorf("page refers to %q: a self-contained report must not", banned)
				}
			}
			golden(t, "html/"+tc.name+".html", []byte(dataURI.ReplaceAllString(page, "data:image/svg+xml;base64,…")))
		})
	}
}

func TestRenderJSON(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := Render(&buf, FormatJSON, fullReport(t), RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Schema         string      `json:"schema"`
		Summary        []string    `json:"summary"`
		Checks         []Check     `json:"checks"`
		Runs           []Run       `json:"runs"`
		CostCrossovers []Crossover `json:"cost_crossovers"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Schema != "streamcap.report/v1" || len(got.Summary) != 2 || len(got.Runs) != 2 || len(got.Checks) != 6 || len(got.CostCrossovers) == 0 {
		t.Errorf("json report: schema %q, %d summary lines, %d runs, %d checks, %d crossovers; want v1, 2, 2, 6, > 0",
			got.Schema, len(got.Summary), len(got.Runs), len(got.Checks), len(got.CostCrossovers))
	}
	if p99 := got.Runs[0].Latencies[0].P99; p99 <= 0 {
		t.Errorf("run latency p99 = %v: want the summary percentiles in JSON", p99)
	}
}

func TestWriteFileMarkdownWritesImagesBeside(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "review.md")
	if err := WriteFile(path, verifyReport(t)); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "](review-latency-embedded-4-shards.png)") {
		t.Errorf("markdown does not link review-latency-embedded-4-shards.png:\n%s", md)
	}
	if _, err := os.Stat(filepath.Join(dir, "review-latency-embedded-4-shards.png")); err != nil {
		t.Error(err)
	}
	if err := WriteFile(filepath.Join(dir, "r.pdf"), verifyReport(t)); err == nil {
		t.Error("WriteFile r.pdf: want an unsupported-extension error")
	}
}

// Golden images. The PNGs in testdata/plots are compared with
// cmpimg.EqualApprox at plotTolerance: the largest per-pixel colour
// distance (normalised YIQ, 0–1) any pixel may have. 0.02 absorbs
// anti-aliasing and font rasteriser differences and still fails when a
// line, label or axis moves.
const plotTolerance = 0.02

// plotCase is one golden chart.
type plotCase struct {
	name string
	make func() (*plot.Plot, error)
}

func plotCases() []plotCase {
	run := seedRun("embedded, 3 shards", 3, 11, 6.5, 20, 35)
	return []plotCase{
		{"spectrum", func() (*plot.Plot, error) {
			var hs []NamedHistogram
			for _, l := range run.Latencies {
				hs = append(hs, NamedHistogram{l.Name, l.Hist})
			}
			return LatencySpectrum("Latency percentiles", hs)
		}},
		{"throughput", func() (*plot.Plot, error) { return ThroughputOverTime("Throughput", run.Timeline) }},
		{"p99", func() (*plot.Plot, error) { return P99OverTime("p99 response time", run.Timeline, 50*time.Millisecond) }},
		{"cost", func() (*plot.Plot, error) {
			cross, _ := model.KeyCrossings(seedCurves())
			p, _, err := CostVsRate("Monthly cost vs write rate", seedCurves(), cross)
			return p, err
		}},
		{"shards", func() (*plot.Plot, error) { return ShardsVsRate("Shards vs write rate", seedSteps(), 12000) }},
		{"transfer", func() (*plot.Plot, error) {
			rep := &Report{}
			rep.AddTransfer(seedTransfer(), model.SweepTransferPlan(seedTransfer(), nil))
			return TransferTime("Transfer time vs link speed", rep.Transfer.Sweep)
		}},
		{"shard-load", func() (*plot.Plot, error) { return ShardLoadBars("Load per shard", *seedShardLoads()) }},
	}
}

func TestPlotGoldenImages(t *testing.T) {
	t.Parallel()
	for _, tc := range plotCases() {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.make()
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := WritePNG(&buf, p, DefaultPlotWidth, DefaultPlotHeight); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "plots", tc.name+".png")
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./reports -run TestPlotGoldenImages -update to create it)", err)
			}
			ok, err := cmpimg.EqualApprox("png", buf.Bytes(), want, plotTolerance)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				got := filepath.Join(t.TempDir(), tc.name+".png")
				_ = os.WriteFile(got, buf.Bytes(), 0o644)
				t.Errorf("%s differs from %s beyond tolerance %v (written to %s; -update to accept)", tc.name, path, plotTolerance, got)
			}
			// SVG renders too, and is valid enough to start with the header.
			var svg bytes.Buffer
			if err := WriteSVG(&svg, p, 4*vg.Inch, 3*vg.Inch); err != nil || !bytes.Contains(svg.Bytes(), []byte("<svg")) {
				t.Errorf("WriteSVG: err %v, %d bytes", err, svg.Len())
			}
		})
	}
}

// FuzzAddJSON feeds arbitrary bytes to the input decoder: it must return
// an error or a kind, never panic.
func FuzzAddJSON(f *testing.F) {
	f.Add([]byte(`{"schema":"streamcap.bench.result/v1","timeline":[{"p99":1}]}`))
	f.Add([]byte(`{"workload":{"rate":0},"kinesis":{}}`))
	f.Add([]byte(`{"data_bytes":1,"network":{},"device":{},"link_bps":-1}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"data_bytes":0,"link_bps":1e9,"utilization":1,"efficiency":1,"network":{"days":0},"device":{"days":0}}`))
	f.Add([]byte(`{"workload":{"rate":3000,"record_size":{"kind":"fixed","fixed":1000}},"kinesis":{"provisioned":{"shards":3}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep := &Report{}
		kind, err := rep.AddJSON("fuzz.json", bytes.NewReader(data), nil)
		if err == nil && kind == "" {
			t.Fatal("no error and no kind")
		}
		if err == nil {
			for _, f := range []Format{FormatJSON, FormatMarkdown, FormatHTML} {
				_ = Render(io.Discard, f, rep, RenderOptions{})
			}
		}
	})
}

// BenchmarkRenderHTML renders a 10-minute, 1 s-interval run (600
// intervals, 3 histograms of 600,000 samples each) to HTML: the target is
// under 1 s per report.
func BenchmarkRenderHTML(b *testing.B) {
	run := seedRun("embedded, 3 shards", 3, 1, 4.2, 200, 230)
	run.Timeline = seedTimeline(3, 600, 3000, 10*time.Millisecond, 200, 230)
	run.Duration = 10 * time.Minute
	run.Latencies = []Latency{
		LatencyOf(LatencyResponse, seedHist(1, 4.2, 0.35, 600000)),
		LatencyOf(LatencyService, seedHist(2, 3, 0.3, 600000)),
		LatencyOf(LatencyE2E, seedHist(3, 50, 0.4, 600000)),
	}
	rep := &Report{Title: "10-minute run", Runs: []Run{run}}
	b.ReportAllocs()
	for b.Loop() {
		if err := Render(io.Discard, FormatHTML, rep, RenderOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReportFromResultJSON is the whole `streamcap report
// result.json -o report.html` path for a 10-minute, 1 s-interval result:
// read and check the JSON (600 intervals, each with its three encoded
// interval histograms, and 3 run histograms of 600,000 samples), decode
// the histograms, build the report and render it to HTML. Target < 1 s.
func BenchmarkReportFromResultJSON(b *testing.B) {
	enc := func(h *hdr.Histogram) string {
		s, err := loadgen.Encode(h)
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	lat := func(h *hdr.Histogram) bench.Latency {
		return bench.Latency{Count: h.TotalCount(), P99NS: h.ValueAtQuantile(99), MaxNS: h.Max(), Histogram: enc(h)}
	}
	r := &bench.Result{
		Schema: bench.SchemaVersion, Target: "embedded", Runs: 1, ElapsedNS: int64(10 * time.Minute),
		Settings: bench.Settings{Shards: 3}, TargetRate: 3000, AchievedRate: 3000,
		Counts:   loadgen.Counts{Sent: 1_800_000, Acked: 1_800_000},
		Response: lat(seedHist(1, 4.2, 0.35, 600000)), Service: lat(seedHist(2, 3, 0.3, 600000)),
		E2E: lat(seedHist(3, 50, 0.4, 600000)),
	}
	for i, iv := range seedTimeline(4, 600, 3000, 10*time.Millisecond, 200, 230) {
		h := seedHist(uint64(100+i), 4.2, 0.35, 3000)
		s := enc(h)
		r.Timeline = append(r.Timeline, loadgen.Interval{Start: iv.Start, Length: iv.Length, Sent: 3000, Acked: 3000,
			Throttles: iv.Throttles, TargetRate: iv.TargetRate, Rate: iv.Rate, P50: iv.P99 / 3, P99: iv.P99, Max: iv.P99 * 2,
			Response: s, Service: s, SendLag: s})
	}
	var in bytes.Buffer
	if err := bench.WriteJSON(&in, r); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		rep := &Report{Title: "10-minute run"}
		if _, err := rep.AddJSON("result.json", bytes.NewReader(in.Bytes()), nil); err != nil {
			b.Fatal(err)
		}
		if err := Render(io.Discard, FormatHTML, rep, RenderOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(in.Len())/1e6, "MB-input")
}

// TestAddFilesDispatchesOnSchema: a verify document is shown with its own
// verdict (not recomputed), a price table prices the plan's sweeps whatever
// its position, and an unknown schema is refused by name.
func TestAddFilesDispatchesOnSchema(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, v any) string {
		t.Helper()
		var b bytes.Buffer
		if raw, ok := v.([]byte); ok {
			b.Write(raw)
		} else if err := writeJSON(&b, v); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	var res bench.Result
	if err := json.Unmarshal(benchResultJSON(t, "embedded", 4, 1), &res); err != nil {
		t.Fatal(err)
	}
	verdict := bench.PlanVerdict{Holds: false, PlannedShards: 4, Checks: []Check{{Run: "planned: 4 shards", What: "sends not acknowledged", Want: "0", Got: "100"}}}
	verifyPath := write("verify.json", map[string]any{
		"schema": SchemaVerify, "plan": seedPlanResult(),
		"planned": map[string]any{"label": "planned: 4 shards", "shards": 4, "result": &res},
		"verdict": verdict,
	})
	rep := &Report{}
	if err := rep.AddFiles([]string{verifyPath}, nil); err != nil {
		t.Fatal(err)
	}
	if rep.Verify == nil || rep.Verify.Holds || len(rep.Runs) != 1 || rep.Runs[0].Name != "planned: 4 shards" || len(rep.checks()) != 1 {
		t.Fatalf("verify document: verdict %+v, runs %d", rep.Verify, len(rep.Runs))
	}

	var planJSON bytes.Buffer
	if err := RenderPlanJSON(&planJSON, seedPlanResult()); err != nil {
		t.Fatal(err)
	}
	planPath := write("plan.json", planJSON.Bytes())
	prices := model.DefaultPrices()
	prices.Kinesis.ShardHourUSD.Value *= 10
	var pj bytes.Buffer
	if err := RenderPricesJSON(&pj, prices); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(pj.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	doc["schema"] = SchemaPrices
	pricesPath := write("prices.json", doc)
	cost := func(paths ...string) float64 {
		t.Helper()
		r := &Report{}
		if err := r.AddFiles(paths, nil); err != nil {
			t.Fatal(err)
		}
		c := r.CostCurves[0]
		return c.Y[len(c.Y)-1]
	}
	if plain, priced := cost(planPath), cost(planPath, pricesPath); !(priced > 2*plain) {
		t.Errorf("provisioned cost at the top of the sweep: %v with the embedded table, %v with shard-hours ×10; want the price table to apply", plain, priced)
	}
	if err := rep.AddFiles([]string{write("x.json", map[string]any{"schema": "streamcap.other/v9"})}, nil); err == nil || !strings.Contains(err.Error(), `schema "streamcap.other/v9"`) {
		t.Errorf("unknown schema: %v", err)
	}
}

// A bench result's send lag and pacing reach the report as its text shows them: a send-lag row
// per percentile, the spin's share of a core (or "off" under --no-spin) and how much of the spin
// the machine took.
func TestReportShowsSendLagAndPacing(t *testing.T) {
	t.Parallel()
	lag := seedHist(9, 0.05, 0.5, 5000)
	s, err := loadgen.Encode(lag)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		pacing *loadgen.PacingStats
		want   []string
	}{
		{"spinning", &loadgen.PacingStats{Hybrid: true, Spin: time.Second, SpinShare: 0.384, SpinWindowMax: 250 * time.Microsecond,
			Interrupted: 47 * time.Millisecond, InterruptedShare: 0.047},
			[]string{"| pacing: spin | 38.4 % of a core |", "| pacing: spin interrupted | 4.7 % of the spin |"}},
		{"no spin", &loadgen.PacingStats{Hybrid: true}, []string{"| pacing: spin | off (sleeps only) |", "| pacing: spin interrupted | – |"}},
		{"no pacing", nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &bench.Result{Schema: bench.SchemaVersion, Target: "embedded", Runs: 1, ElapsedNS: int64(time.Second),
				Counts: loadgen.Counts{Sent: 5000, Acked: 5000}, Pacing: c.pacing,
				SendLag: bench.Latency{Count: lag.TotalCount(), P99NS: lag.ValueAtQuantile(99), MaxNS: lag.Max(), Histogram: s}}
			rep := &Report{}
			if err := rep.AddBenchResult("run", r); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := Render(&out, FormatMarkdown, rep, RenderOptions{}); err != nil {
				t.Fatal(err)
			}
			want := append([]string{"| send lag p99 | " + units.Span(time.Duration(lag.ValueAtQuantile(99))) + " |"}, c.want...)
			for _, w := range want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("report lacks %q:\n%s", w, out.String())
				}
			}
			if c.pacing == nil && strings.Contains(out.String(), "pacing:") {
				t.Errorf("a result without pacing shows pacing rows:\n%s", out.String())
			}
		})
	}
}
