package reports

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// Plots are pure functions from plain inputs to a *plot.Plot; WritePNG and
// WriteSVG render any of them to an io.Writer, so the HTML report can embed
// them without temporary files. Every input type below is small and
// self-contained so a plot can be drawn from seeded data, a bench result
// (FromBenchResult) or a plan (FromPlan) alike.

// ErrNoData is returned by a plot function whose input holds nothing to
// draw (no histogram samples, no points).
var ErrNoData = errors.New("reports: nothing to plot")

// Default plot sizes: 16:9 at 96 dpi is 960×540 px for PNG.
const (
	DefaultPlotWidth  = 10 * vg.Inch
	DefaultPlotHeight = 5.625 * vg.Inch
)

// WritePNG renders p as a PNG of width × height (96 dpi: 10 in = 960 px).
func WritePNG(w io.Writer, p *plot.Plot, width, height vg.Length) error {
	return writePlot(w, p, width, height, "png")
}

// WriteSVG renders p as SVG of width × height; fonts are referenced by
// name, not embedded, so the file stays small and needs no network.
func WriteSVG(w io.Writer, p *plot.Plot, width, height vg.Length) error {
	return writePlot(w, p, width, height, "svg")
}

func writePlot(w io.Writer, p *plot.Plot, width, height vg.Length, format string) error {
	if width <= 0 || height <= 0 || width > 100*vg.Inch || height > 100*vg.Inch {
		return fmt.Errorf("plot size %v×%v: width and height must be between 0 (exclusive) and 100in", width, height)
	}
	wt, err := p.WriterTo(width, height, format)
	if err != nil {
		return fmt.Errorf("render %s: %w", format, err)
	}
	if _, err := wt.WriteTo(w); err != nil {
		return fmt.Errorf("write %s: %w", format, err)
	}
	return nil
}

// palette is the Okabe–Ito colour-blind-safe palette, in series order.
var palette = [...]color.NRGBA{
	{0x00, 0x72, 0xB2, 0xff}, // blue
	{0xE6, 0x9F, 0x00, 0xff}, // orange
	{0x00, 0x9E, 0x73, 0xff}, // green
	{0xCC, 0x79, 0xA7, 0xff}, // purple
	{0x56, 0xB4, 0xE9, 0xff}, // sky
	{0xD5, 0x5E, 0x00, 0xff}, // vermillion
	{0x66, 0x66, 0x66, 0xff}, // grey
}

var (
	colorAlert = color.NRGBA{0xC0, 0x1B, 0x1B, 0xff}
	colorBand  = color.NRGBA{0xD5, 0x5E, 0x00, 0x40}
	colorMuted = color.NRGBA{0x88, 0x88, 0x88, 0xff}
	colorGrid  = color.NRGBA{0xE4, 0xE4, 0xE4, 0xff}
)

func seriesColor(i int) color.Color { return palette[i%len(palette)] }

// newPlot returns a plot with the report's common style: title, axis
// labels, light grid, legend top left.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	for _, s := range []*text.Style{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle,
		&p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle} {
		s.Font.Variant = sans
	}
	p.Title.TextStyle.Font.Size = vg.Points(15)
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text = x
	p.Y.Label.Text = y
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(12)
		a.Tick.Label.Font.Size = vg.Points(11)
		a.Padding = vg.Points(2)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.TextStyle.Font.Size = vg.Points(11)
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), vg.Points(-4)
	p.Legend.ThumbnailWidth = vg.Points(22)
	p.Legend.Padding = vg.Points(3)
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = colorGrid, colorGrid
	p.Add(g)
	return p
}

func newLine(pts plotter.XYs, c color.Color, width float64, dashed bool) (*plotter.Line, error) {
	l, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	l.LineStyle.Color = c
	l.LineStyle.Width = vg.Points(width)
	if dashed {
		l.LineStyle.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
	}
	return l, nil
}

// sans is the font variant of every text (Liberation Sans, built in).
const sans = "Sans"

// labels returns a text plotter of labels at pts, offset up and right.
func labels(pts plotter.XYs, texts []string, c color.Color) (*plotter.Labels, error) {
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: texts})
	if err != nil {
		return nil, err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Color = c
		l.TextStyle[i].Font.Size = vg.Points(10.5)
		l.TextStyle[i].Font.Variant = sans
	}
	l.Offset = vg.Point{X: vg.Points(5), Y: vg.Points(4)}
	return l, nil
}

// niceTicks labels a linear axis every 1, 2 or 5 × 10^k, whichever gives
// 4 to 10 labels, with 4 or 5 minor ticks between, labelled by format.
type niceTicks struct{ format func(float64) string }

func (t niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: t.format(lo)}}
	}
	span := hi - lo
	step := math.Pow(10, math.Floor(math.Log10(span)))
	for _, m := range []float64{0.1, 0.2, 0.5, 1, 2, 5, 10} {
		if span/(step*m) <= 8 {
			step *= m
			break
		}
	}
	minor := step / 5
	if math.Abs(step/math.Pow(10, math.Floor(math.Log10(step)))-2) < 1e-9 {
		minor = step / 4
	}
	var ticks []plot.Tick
	first := math.Ceil(lo/minor-1e-9) * minor
	for i := 0; i < 200; i++ {
		v := first + float64(i)*minor
		if v > hi+1e-9*span {
			break
		}
		tk := plot.Tick{Value: v}
		if r := math.Abs(v/step - math.Round(v/step)); r < 1e-6 {
			tk.Label = t.format(math.Round(v/step) * step)
		}
		ticks = append(ticks, tk)
	}
	return ticks
}

// seconds labels a time axis held in seconds: "0 s", "30 s", "2 min".
func seconds(s float64) string {
	if s == 0 {
		return "0 s"
	}
	return durNS(s * 1e9)
}

// daysAxis labels a log axis of days: "0.1 days", "1 day", "100 days".
func daysAxis(d float64) string {
	if d == 1 {
		return "1 day"
	}
	return sig(d, 3) + " days"
}

// markers returns filled circles at pts.
func markers(pts plotter.XYs, c color.Color) (*plotter.Scatter, error) {
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return nil, err
	}
	s.GlyphStyle.Color = c
	s.GlyphStyle.Shape = draw.CircleGlyph{}
	s.GlyphStyle.Radius = vg.Points(4)
	return s, nil
}

// logTicks marks a log axis at 1, 2 and 5 × each power of ten (only the
// powers of ten when the range spans more than 3 decades), with minor
// ticks between, labelled by format.
type logTicks struct{ format func(float64) string }

func (t logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi >= lo) {
		return nil
	}
	wide := math.Log10(hi/lo) > 3
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)) && len(ticks) < 200; e++ {
		base := math.Pow(10, e)
		for m := 1; m < 10; m++ {
			v := base * float64(m)
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			tk := plot.Tick{Value: v}
			if m == 1 || (!wide && (m == 2 || m == 5)) {
				tk.Label = t.format(v)
			}
			ticks = append(ticks, tk)
		}
	}
	return ticks
}

// NamedHistogram is a latency histogram recorded in nanoseconds and the
// name it is plotted under ("response time").
type NamedHistogram struct {
	Name string
	Hist *hdr.Histogram
}

// spectrumStep is the resolution of the percentile spectrum in "nines".
const spectrumStep = 0.02

// nines maps percentile q (0–100) to the spectrum's x coordinate
// -log10(1 - q/100): 0 % → 0, 90 % → 1, 99 % → 2, 99.9 % → 3.
func nines(q float64) float64 { return -math.Log10(1 - q/100) }

// SpectrumPoints returns the percentile spectrum of h as (nines, ns)
// points from 0 % up to the percentile the sample count resolves
// (1 - 1/count, at most 6 nines), every 0.02 nines, ending at the maximum.
func SpectrumPoints(h *hdr.Histogram) plotter.XYs {
	n := h.TotalCount()
	if n == 0 {
		return nil
	}
	top := math.Min(math.Max(math.Log10(float64(n)), 1), 6)
	steps := int(math.Ceil(top / spectrumStep))
	pts := make(plotter.XYs, 0, steps+1)
	for i := 0; i < steps; i++ {
		x := float64(i) * spectrumStep
		q := 100 * (1 - math.Pow(10, -x))
		pts = append(pts, plotter.XY{X: x, Y: math.Max(float64(h.ValueAtQuantile(q)), 1)})
	}
	return append(pts, plotter.XY{X: top, Y: math.Max(float64(h.Max()), 1)})
}

// LatencySpectrum plots the latency percentile spectrum of each histogram,
// HdrHistogram style: x is the percentile on a "nines" axis (0 %, 90 %,
// 99 %, 99.9 % … equally spaced, at -log10(1-q)), y the latency on a log
// scale. Histograms without samples are skipped; ErrNoData when none has.
func LatencySpectrum(title string, hs []NamedHistogram) (*plot.Plot, error) {
	p := newPlot(title, "percentile", "latency")
	maxX := 0.0
	drawn := 0
	for i, nh := range hs {
		if nh.Hist == nil || nh.Hist.TotalCount() == 0 {
			continue
		}
		pts := SpectrumPoints(nh.Hist)
		l, err := newLine(pts, seriesColor(i), 2, false)
		if err != nil {
			return nil, fmt.Errorf("latency spectrum %q: %w", nh.Name, err)
		}
		p.Add(l)
		p.Legend.Add(nh.Name, l)
		maxX = math.Max(maxX, pts[len(pts)-1].X)
		drawn++
	}
	if drawn == 0 {
		return nil, fmt.Errorf("latency spectrum: %w", ErrNoData)
	}
	p.X.Min, p.X.Max = 0, math.Ceil(maxX-1e-9)
	var ticks []plot.Tick
	for k := 0.0; k <= p.X.Max; k++ {
		ticks = append(ticks, plot.Tick{Value: k, Label: ninesLabel(int(k))})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{format: durNS}
	padLog(&p.Y)
	return p, nil
}

// ninesLabel names the k-th nine: 0 → "0%", 1 → "90%", 3 → "99.9%".
func ninesLabel(k int) string {
	if k <= 0 {
		return "0%"
	}
	s := strconv.FormatFloat(100*(1-math.Pow(10, -float64(k))), 'f', max(k-2, 0), 64)
	return s + "%"
}

// padLog widens a log axis to whole powers of ten when that adds less than
// one decade, so the ends carry labels.
func padLog(a *plot.Axis) {
	if a.Min > 0 {
		a.Min = math.Pow(10, math.Floor(math.Log10(a.Min)))
	}
	if a.Max > 0 {
		a.Max = math.Pow(10, math.Ceil(math.Log10(a.Max)))
	}
}

// IntervalPoint is one interval of a run's timeline.
type IntervalPoint struct {
	// Start is the offset from the start of measurement and Length the
	// interval's length.
	Start  time.Duration `json:"start"`
	Length time.Duration `json:"length"`
	// Rate is the achieved and TargetRate the intended send rate, records/s.
	Rate       float64 `json:"rate"`
	TargetRate float64 `json:"target_rate"`
	// P99 is the response-time 99th percentile of the interval (0 when no
	// send completed in it).
	P99 time.Duration `json:"p99"`
	// Throttles and Errors count failed sends completed in the interval.
	Throttles int64 `json:"throttles"`
	Errors    int64 `json:"errors"`
}

// bands shades the intervals in which sends were throttled, over the
// whole height of the data area.
type bands struct {
	spans [][2]float64 // x ranges, seconds
	color color.Color
}

func (b *bands) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, _ := plt.Transforms(&c)
	c.SetColor(b.color)
	for _, s := range b.spans {
		x0, x1 := trX(s[0]), trX(s[1])
		x0, x1 = max(x0, c.Min.X), min(x1, c.Max.X)
		if x1 <= x0 {
			continue
		}
		var path vg.Path
		path.Move(vg.Point{X: x0, Y: c.Min.Y})
		path.Line(vg.Point{X: x1, Y: c.Min.Y})
		path.Line(vg.Point{X: x1, Y: c.Max.Y})
		path.Line(vg.Point{X: x0, Y: c.Max.Y})
		path.Close()
		c.Fill(path)
	}
}

// Thumbnail draws the legend swatch.
func (b *bands) Thumbnail(c *draw.Canvas) {
	c.SetColor(b.color)
	var path vg.Path
	path.Move(vg.Point{X: c.Min.X, Y: c.Min.Y})
	path.Line(vg.Point{X: c.Max.X, Y: c.Min.Y})
	path.Line(vg.Point{X: c.Max.X, Y: c.Max.Y})
	path.Line(vg.Point{X: c.Min.X, Y: c.Max.Y})
	path.Close()
	c.Fill(path)
}

// throttleBands merges consecutive throttled intervals into x spans
// (seconds).
func throttleBands(pts []IntervalPoint) *bands {
	b := &bands{color: colorBand}
	for _, p := range pts {
		if p.Throttles == 0 {
			continue
		}
		s, e := p.Start.Seconds(), (p.Start + p.Length).Seconds()
		if n := len(b.spans); n > 0 && math.Abs(b.spans[n-1][1]-s) < 1e-9 {
			b.spans[n-1][1] = e
			continue
		}
		b.spans = append(b.spans, [2]float64{s, e})
	}
	return b
}

// ThroughputOverTime plots a run's achieved send rate per interval against
// the target rate (dashed), shading the intervals with throttled sends.
func ThroughputOverTime(title string, pts []IntervalPoint) (*plot.Plot, error) {
	if len(pts) == 0 {
		return nil, fmt.Errorf("throughput over time: %w", ErrNoData)
	}
	p := newPlot(title, "time since start", "records/s")
	tb := throttleBands(pts)
	if len(tb.spans) > 0 {
		p.Add(tb)
	}
	achieved := make(plotter.XYs, len(pts))
	target := make(plotter.XYs, len(pts))
	top := 0.0
	for i, iv := range pts {
		x := (iv.Start + iv.Length).Seconds()
		achieved[i] = plotter.XY{X: x, Y: iv.Rate}
		target[i] = plotter.XY{X: x, Y: iv.TargetRate}
		top = max(top, iv.Rate, iv.TargetRate)
	}
	tl, err := newLine(target, colorMuted, 1.5, true)
	if err != nil {
		return nil, err
	}
	al, err := newLine(achieved, seriesColor(0), 2, false)
	if err != nil {
		return nil, err
	}
	p.Add(tl, al)
	p.Legend.Add("achieved", al)
	p.Legend.Add("target", tl)
	if len(tb.spans) > 0 {
		p.Legend.Add("throttled", tb)
	}
	p.X.Min = math.Min(0, pts[0].Start.Seconds())
	p.Y.Min, p.Y.Max = 0, top*1.15
	p.X.Tick.Marker = niceTicks{format: seconds}
	p.Y.Tick.Marker = niceTicks{format: func(v float64) string { return qty(v) }}
	return p, nil
}

// P99OverTime plots each interval's response-time p99 on a log scale, the
// SLO as a dashed line when slo > 0, and shades throttled intervals.
// Intervals with no completed send are left out.
func P99OverTime(title string, pts []IntervalPoint, slo time.Duration) (*plot.Plot, error) {
	p := newPlot(title, "time since start", "p99 response time")
	line := make(plotter.XYs, 0, len(pts))
	for _, iv := range pts {
		if iv.P99 > 0 {
			line = append(line, plotter.XY{X: (iv.Start + iv.Length).Seconds(), Y: float64(iv.P99)})
		}
	}
	if len(line) == 0 {
		return nil, fmt.Errorf("p99 over time: %w", ErrNoData)
	}
	tb := throttleBands(pts)
	if len(tb.spans) > 0 {
		p.Add(tb)
	}
	l, err := newLine(line, seriesColor(1), 2, false)
	if err != nil {
		return nil, err
	}
	p.Add(l)
	p.Legend.Add("p99 per interval", l)
	lo, hi := math.Inf(1), 0.0
	for _, pt := range line {
		lo, hi = math.Min(lo, pt.Y), math.Max(hi, pt.Y)
	}
	if slo > 0 {
		x0, x1 := math.Min(0, pts[0].Start.Seconds()), (pts[len(pts)-1].Start + pts[len(pts)-1].Length).Seconds()
		sl, err := newLine(plotter.XYs{{X: x0, Y: float64(slo)}, {X: x1, Y: float64(slo)}}, colorAlert, 1.5, true)
		if err != nil {
			return nil, err
		}
		p.Add(sl)
		p.Legend.Add("SLO "+dur(slo), sl)
		lo, hi = math.Min(lo, float64(slo)), math.Max(hi, float64(slo))
	}
	if len(tb.spans) > 0 {
		p.Legend.Add("throttled", tb)
	}
	p.X.Min = math.Min(0, pts[0].Start.Seconds())
	p.Y.Scale = plot.LogScale{}
	p.Y.Min, p.Y.Max = lo, hi*1.5 // room for the legend
	padLog(&p.Y)
	p.Y.Tick.Marker = logTicks{format: durNS}
	p.X.Tick.Marker = niceTicks{format: seconds}
	return p, nil
}

// positive reports an error unless every value of c is > 0 (a log axis
// cannot show 0).
func positive(c Curve, axis string) error {
	for i := range c.X {
		if !(c.X[i] > 0) || (axis == "xy" && !(c.Y[i] > 0)) {
			return fmt.Errorf("curve %q: point %d (%v, %v): must be > 0 on a log scale", c.Name, i, c.X[i], c.Y[i])
		}
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// CostVsRate plots monthly cost (USD, log scale) against the write rate
// (records/s, log scale) for each curve, and marks and labels the key
// crossovers cross (model.KeyCrossings of the curves, computed by
// model.SweepPlan), returned too so renderers can list them in the same
// numbering: one crossover is labelled in words, several by number and
// rate ("2: 4,440/s"), numbered in the order given.
func CostVsRate(title string, curves []Curve, cross []Crossover) (*plot.Plot, []Crossover, error) {
	if len(curves) == 0 {
		return nil, nil, fmt.Errorf("cost vs rate: %w", ErrNoData)
	}
	for _, c := range curves {
		if err := c.Valid(); err != nil {
			return nil, nil, fmt.Errorf("cost vs rate: %w", err)
		}
	}
	for _, c := range curves {
		if err := positive(c, "x"); err != nil {
			return nil, nil, fmt.Errorf("cost vs rate: %w", err)
		}
	}
	p := newPlot(title, "write rate (records/s)", "monthly cost (USD)")
	for i, c := range curves {
		pts := make(plotter.XYs, len(c.X))
		for k := range c.X {
			pts[k] = plotter.XY{X: c.X[k], Y: math.Max(c.Y[k], 0.01)}
		}
		l, err := newLine(pts, seriesColor(i), 2, false)
		if err != nil {
			return nil, nil, fmt.Errorf("cost vs rate %q: %w", c.Name, err)
		}
		if c.Step {
			l.StepStyle = plotter.PostStep
		}
		p.Add(l)
		p.Legend.Add(c.Name, l)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range curves {
		lo, hi = math.Min(lo, c.X[0]), math.Max(hi, c.X[len(c.X)-1])
	}
	if err := addCrossLabels(p, cross, func(i int, c Crossover) string {
		if len(cross) == 1 {
			return fmt.Sprintf("%s = %s at %s", shortName(c.A), shortName(c.B), rate(c.X, "rec/s"))
		}
		return fmt.Sprintf("%d: %s/s", i+1, qty(units.RoundSig(c.X, 3)))
	}, lo, hi, true); err != nil {
		return nil, nil, err
	}
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker = logTicks{format: qty}
	p.Y.Tick.Marker = logTicks{format: moneyShort}
	padLog(&p.Y)
	p.Y.Max *= 3 // room for the legend
	return p, cross, nil
}

// shortName shortens a curve name for a chart label: "Kinesis on-demand"
// → "on-demand", "Apache Kafka on Amazon MSK" → "Apache Kafka".
func shortName(n string) string {
	n = strings.TrimPrefix(n, "Kinesis ")
	if a, _, ok := strings.Cut(n, " on "); ok {
		return a
	}
	return n
}

// maxCrossLabels bounds the labelled crossovers on one chart; the rest are
// marked but not labelled (tables list them all, numbered as on the chart).
const maxCrossLabels = 9

// addCrossLabels marks every crossover and labels the first few; lo and
// hi are the x range of the data, logX whether the x axis is logarithmic.
func addCrossLabels(p *plot.Plot, cross []Crossover, label func(int, Crossover) string, lo, hi float64, logX bool) error {
	if len(cross) == 0 {
		return nil
	}
	pts := make(plotter.XYs, len(cross))
	for i, c := range cross {
		pts[i] = plotter.XY{X: c.X, Y: math.Max(c.Y, 0.01)}
	}
	m, err := markers(pts, colorAlert)
	if err != nil {
		return err
	}
	p.Add(m)
	// Labels alternate above and below their point; those in the right
	// half of the x range end at the point so they stay inside the chart.
	for i := range min(len(cross), maxCrossLabels) {
		l, err := labels(pts[i:i+1], []string{label(i, cross[i])}, colorAlert)
		if err != nil {
			return err
		}
		frac := 0.0
		switch {
		case logX && lo > 0 && hi > lo:
			frac = math.Log(pts[i].X/lo) / math.Log(hi/lo)
		case hi > lo:
			frac = (pts[i].X - lo) / (hi - lo)
		}
		dx, dy := vg.Points(7), vg.Points(6)
		if frac > 0.5 {
			l.TextStyle[0].XAlign = text.XRight
			dx = -dx
		}
		if i%2 == 1 {
			l.TextStyle[0].YAlign = text.YTop
			dy = -dy
		}
		l.Offset = vg.Point{X: dx, Y: dy}
		p.Add(l)
	}
	return nil
}

// maxStepLabels is the most steps labelled with their shard count.
const maxStepLabels = 12

// ShardsVsRate plots the shard count against the write rate (0 to
// maxRate) as a step chart coloured by the binding limit, named in the
// legend and wherever it changes; up to 12 steps are labelled with their
// count. steps must be in increasing rate.
func ShardsVsRate(title string, steps []ShardStep, maxRate float64) (*plot.Plot, error) {
	if len(steps) == 0 {
		return nil, fmt.Errorf("shards vs rate: %w", ErrNoData)
	}
	end := math.Max(maxRate, steps[len(steps)-1].Rate)
	p := newPlot(title, "write rate (records/s)", "shards")
	var binds []string
	top := 0
	for k, s := range steps {
		if k > 0 && !(s.Rate > steps[k-1].Rate) {
			return nil, fmt.Errorf("shards vs rate: steps[%d].rate %v after %v: rates must increase", k, s.Rate, steps[k-1].Rate)
		}
		if !slices.Contains(binds, s.Binding) {
			binds = append(binds, s.Binding)
		}
		top = max(top, s.Shards)
	}
	// One grey line through every step joins the coloured runs.
	all := make(plotter.XYs, 0, len(steps)+1)
	for _, s := range steps {
		all = append(all, plotter.XY{X: s.Rate, Y: float64(s.Shards)})
	}
	all = append(all, plotter.XY{X: end, Y: float64(steps[len(steps)-1].Shards)})
	base, err := newLine(all, colorMuted, 1, false)
	if err != nil {
		return nil, err
	}
	base.StepStyle = plotter.PostStep
	p.Add(base)
	for bi, b := range binds {
		var legend *plotter.Line
		for k := 0; k < len(steps); k++ {
			if steps[k].Binding != b {
				continue
			}
			next := end
			if k+1 < len(steps) {
				next = steps[k+1].Rate
			}
			seg, err := newLine(plotter.XYs{{X: steps[k].Rate, Y: float64(steps[k].Shards)}, {X: next, Y: float64(steps[k].Shards)}}, seriesColor(bi), 3, false)
			if err != nil {
				return nil, err
			}
			p.Add(seg)
			if legend == nil {
				legend = seg
			}
		}
		p.Legend.Add("binding: "+b, legend)
	}
	if len(steps) <= maxStepLabels {
		var lp plotter.XYs
		var lt []string
		for _, s := range steps {
			lp = append(lp, plotter.XY{X: s.Rate, Y: float64(s.Shards)})
			lt = append(lt, strconv.Itoa(s.Shards))
		}
		l, err := labels(lp, lt, color.Black)
		if err != nil {
			return nil, err
		}
		p.Add(l)
	}
	// Name the binding limit where it changes.
	var cp plotter.XYs
	var ct []string
	for k := 1; k < len(steps); k++ {
		if steps[k].Binding != steps[k-1].Binding {
			cp = append(cp, plotter.XY{X: steps[k].Rate, Y: float64(steps[k].Shards)})
			ct = append(ct, fmt.Sprintf("%s binds from %s/s", steps[k].Binding, qty(units.RoundSig(steps[k].Rate, 3))))
		}
	}
	if len(cp) > 0 {
		l, err := labels(cp, ct, colorAlert)
		if err != nil {
			return nil, err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].XAlign = text.XRight
		}
		l.Offset = vg.Point{X: vg.Points(-6), Y: vg.Points(8)}
		p.Add(l)
	}
	p.X.Min, p.X.Max = 0, end
	p.Y.Min, p.Y.Max = 0, float64(top)*1.25+1
	p.X.Tick.Marker = niceTicks{format: qty}
	p.Y.Tick.Marker = niceTicks{format: qty}
	return p, nil
}

// TransferTime plots transfer time (days, log scale) against link speed
// (bit/s, log scale) for the network and for shipped devices, and labels
// the crossover link speed.
func TransferTime(title string, s TransferSweep) (*plot.Plot, error) {
	if len(s.LinkBPS) == 0 {
		return nil, fmt.Errorf("transfer time: %w", ErrNoData)
	}
	net := Curve{Name: "network", X: s.LinkBPS, Y: s.NetworkDays}
	if err := net.Valid(); err != nil {
		return nil, fmt.Errorf("transfer time: %w", err)
	}
	if err := positive(net, "xy"); err != nil {
		return nil, fmt.Errorf("transfer time: %w", err)
	}
	if !(s.DeviceDays > 0) || !finite(s.DeviceDays) {
		return nil, fmt.Errorf("transfer time: device days %v: must be > 0 and finite", s.DeviceDays)
	}
	dev := s.Device
	if dev == "" {
		dev = "devices"
	}
	ship := Curve{Name: dev, X: []float64{s.LinkBPS[0], s.LinkBPS[len(s.LinkBPS)-1]}, Y: []float64{s.DeviceDays, s.DeviceDays}}
	p := newPlot(title, "link speed", "transfer time")
	for i, c := range []Curve{net, ship} {
		pts := make(plotter.XYs, len(c.X))
		for k := range c.X {
			pts[k] = plotter.XY{X: c.X[k], Y: c.Y[k]}
		}
		l, err := newLine(pts, seriesColor(i), 2, i == 1)
		if err != nil {
			return nil, err
		}
		p.Add(l)
		p.Legend.Add(c.Name, l)
	}
	var cross []Crossover
	if s.CrossoverBPS > 0 {
		cross = []Crossover{{A: dev, B: "network", X: s.CrossoverBPS, Y: s.DeviceDays}}
	} else {
		var err error
		if cross, err = model.Crossings([]Curve{ship, net}); err != nil {
			return nil, err
		}
	}
	if err := addCrossLabels(p, cross, func(_ int, c Crossover) string {
		return fmt.Sprintf("same time at %s (%s)", bitRate(c.X), daysShort(c.Y))
	}, s.LinkBPS[0], s.LinkBPS[len(s.LinkBPS)-1], true); err != nil {
		return nil, err
	}
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker = logTicks{format: bitRate}
	p.Y.Tick.Marker = logTicks{format: daysAxis}
	padLog(&p.Y)
	return p, nil
}

// ShardLoadBars plots one bar per shard, the busiest highlighted and
// labelled with its share of the limit, and the per-shard limit as a
// dashed line.
func ShardLoadBars(title string, s ShardLoads) (*plot.Plot, error) {
	if len(s.Loads) == 0 {
		return nil, fmt.Errorf("shard load: %w", ErrNoData)
	}
	unit := s.Unit
	if unit == "" {
		unit = "records/s"
	}
	p := newPlot(title, "shard", unit)
	hot, hotLoad := s.Busiest()
	width := vg.Points(math.Max(2, math.Min(28, 600/float64(len(s.Loads)))))
	others := make(plotter.Values, len(s.Loads))
	busy := make(plotter.Values, len(s.Loads))
	for i, v := range s.Loads {
		if i == hot {
			busy[i] = v
		} else {
			others[i] = v
		}
	}
	for _, bc := range []struct {
		v plotter.Values
		c color.Color
		n string
	}{{others, seriesColor(0), "shard load"}, {busy, palette[5], "busiest shard"}} {
		b, err := plotter.NewBarChart(bc.v, width)
		if err != nil {
			return nil, err
		}
		b.Color, b.LineStyle.Width = bc.c, 0
		p.Add(b)
		p.Legend.Add(bc.n, b)
	}
	top := hotLoad
	if s.Limit > 0 {
		ll, err := newLine(plotter.XYs{{X: -0.5, Y: s.Limit}, {X: float64(len(s.Loads)) - 0.5, Y: s.Limit}}, colorAlert, 1.5, true)
		if err != nil {
			return nil, err
		}
		p.Add(ll)
		p.Legend.Add("limit "+qty(s.Limit)+" "+unit, ll)
		top = math.Max(top, s.Limit)
		l, err := labels(plotter.XYs{{X: float64(hot), Y: hotLoad}}, []string{fmt.Sprintf("shard %d: %s (%s of limit)", hot, qty(units.RoundSig(hotLoad, 4)), pct(hotLoad/s.Limit))}, color.Black)
		if err != nil {
			return nil, err
		}
		p.Add(l)
	}
	p.X.Min, p.X.Max = -0.5, float64(len(s.Loads))-0.5
	p.Y.Min, p.Y.Max = 0, top*1.3
	p.Y.Tick.Marker = niceTicks{format: qty}
	if len(s.Loads) <= 32 {
		ticks := make([]plot.Tick, len(s.Loads))
		for i := range ticks {
			ticks[i] = plot.Tick{Value: float64(i), Label: strconv.Itoa(i)}
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
	}
	return p, nil
}
