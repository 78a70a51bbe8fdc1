package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/streamcap/streamcap/bench/search"
	"github.com/streamcap/streamcap/model/units"
)

// KindSearch is what AddJSON returns for a `streamcap bench search` result.
const KindSearch = "search"

// Search charts' colours: passing trials green, failing red, the bracket
// shaded green.
var (
	colorPass    = color.NRGBA{0x00, 0x9E, 0x73, 0xff}
	colorBracket = color.NRGBA{0x00, 0x9E, 0x73, 0x33}
)

// AddSearch sets the search result the report shows (a search section:
// the bracket, the trials, achieved rate and p99 against offered rate).
func (rep *Report) AddSearch(o *search.Outcome) error {
	if o == nil {
		return fmt.Errorf("search result: nil")
	}
	rep.Search = o
	return nil
}

// addSearchJSON reads a search result (schema streamcap.bench.search/v1).
func (rep *Report) addSearchJSON(name string, data []byte) (string, error) {
	o, err := search.ReadJSON(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	return KindSearch, rep.AddSearch(o)
}

// searchPredicted is the capacity to show beside the bracket: the one the
// search recorded (bench search predicts only where the model applies: a
// Kinesis-like target with its limits on), else none. 0: none.
func (rep *Report) searchPredicted() (float64, string) {
	o := rep.Search
	if o.PredictedRate > 0 {
		return o.PredictedRate, fmt.Sprintf("model for %s", units.Plural(int64(o.Shards), "shard"))
	}
	return 0, ""
}

// searchSummary is the search's line of the report summary.
func searchSummary(rep *Report) []string {
	if rep.Search == nil {
		return nil
	}
	s := rep.Search.Bracket()
	if rep.Search.Target != "" {
		s = rep.Search.Target + ": " + s
	}
	return []string{s}
}

// searchStats are the search's key figures.
func searchStats(rep *Report) []stat {
	o := rep.Search
	if o == nil {
		return nil
	}
	out := []stat{{"sustainable rate", rate(o.SustainableRate, "msg/s")}}
	if o.FailingRate > 0 {
		out = append(out, stat{"fails at", rate(o.FailingRate, "msg/s")})
	}
	if p, _ := rep.searchPredicted(); p > 0 {
		out = append(out, stat{"predicted capacity", rate(p, "msg/s")})
	}
	return out
}

// searchSection lays out the search: the bracket, the prediction, the
// trials table and the two charts.
func searchSection(rep *Report) (docSection, error) {
	o := rep.Search
	heading := "Sustainable rate"
	var what []string
	if o.Target != "" {
		what = append(what, o.Target)
	}
	if o.Shards > 0 {
		what = append(what, units.Plural(int64(o.Shards), "shard"))
	}
	if len(what) > 0 {
		heading += ": " + strings.Join(what, ", ")
	}
	s := docSection{id: "search", heading: heading}
	s.blocks = append(s.blocks, docBlock{text: "The target " + o.Bracket() + "."})
	pred, src := rep.searchPredicted()
	if pred > 0 {
		t := fmt.Sprintf("The capacity model predicts %s (%s)", rate(pred, "msg/s"), src)
		if o.SustainableRate > 0 {
			t += fmt.Sprintf("; the measured sustainable rate is %s of it", pct(o.SustainableRate/pred))
		}
		s.blocks = append(s.blocks, docBlock{text: t + "."})
	}
	c := o.Criteria
	crit := fmt.Sprintf("A trial passes when it achieves %s of the offered rate with at most %s of sends failed", pct(c.MinAchieved), pct(c.MaxErrorRate))
	if c.PublishP99 > 0 {
		crit += ", a corrected p99 within " + dur(c.PublishP99)
	}
	if c.E2EP99 > 0 {
		crit += ", an end-to-end p99 within " + dur(c.E2EP99)
	}
	crit += fmt.Sprintf(" and, with consumers, a backlog growing by at most %s of the offered rate.", pct(c.MaxBacklogSlope))
	s.blocks = append(s.blocks, docBlock{text: crit})
	tb := &docTable{caption: "Trials, in the order run",
		head:  []string{"#", "phase", "offered", "result", "achieved", "p99", "throttled", "errors", "backlog slope", "failing condition"},
		right: []bool{true, false, true, false, true, true, true, true, true, false}}
	for i, t := range o.Trials {
		slope := "–"
		if t.BacklogSlope != nil {
			slope = rate(*t.BacklogSlope, "records/s")
		}
		tb.rows = append(tb.rows, []string{strconv.Itoa(i + 1), t.Phase, rate(t.Rate, "msg/s"), mark(t.Passed), rate(t.AchievedRate, "msg/s"),
			dur(time.Duration(t.ResponseP99NS)), count(t.Throttles), count(t.Errors), slope, strings.Join(t.Reasons, "; ")})
	}
	s.blocks = append(s.blocks, docBlock{table: tb})
	if len(o.Trials) == 0 {
		return s, nil
	}
	ach, err := SearchAchieved("Achieved against offered rate", o, pred)
	if err != nil {
		return s, err
	}
	s.blocks = append(s.blocks, docBlock{chart: &docChart{name: "search-achieved", title: "Achieved rate against offered rate, bracket shaded", plot: ach}})
	if p, err := SearchP99("p99 response time against offered rate", o, pred); err == nil {
		s.blocks = append(s.blocks, docBlock{chart: &docChart{name: "search-p99", title: "p99 response time against offered rate, bracket shaded", plot: p}})
	}
	return s, nil
}

// searchMarks adds the passing (filled circles) and failing (crosses)
// trials at (offered rate, y) to p, skipping points y leaves out (y ≤ 0
// on a log axis).
func searchMarks(p *plot.Plot, o *search.Outcome, y func(search.TrialRecord) float64, logY bool) error {
	var pass, fail plotter.XYs
	for _, t := range o.Trials {
		v := y(t)
		if logY && !(v > 0) {
			continue
		}
		if t.Passed {
			pass = append(pass, plotter.XY{X: t.Rate, Y: v})
		} else {
			fail = append(fail, plotter.XY{X: t.Rate, Y: v})
		}
	}
	if len(pass) > 0 {
		m, err := markers(pass, colorPass)
		if err != nil {
			return err
		}
		p.Add(m)
		p.Legend.Add("passed", m)
	}
	if len(fail) > 0 {
		m, err := markers(fail, colorAlert)
		if err != nil {
			return err
		}
		m.GlyphStyle.Shape = draw.CrossGlyph{}
		m.GlyphStyle.Radius = vg.Points(5)
		p.Add(m)
		p.Legend.Add("failed", m)
	}
	return nil
}

// searchFrame adds the bracket band and the predicted capacity line
// (pred > 0) to p and returns the x range to show.
func searchFrame(p *plot.Plot, o *search.Outcome, pred, ylo, yhi float64) (float64, float64, error) {
	xhi := 0.0
	for _, t := range o.Trials {
		xhi = max(xhi, t.Rate)
	}
	xhi = max(xhi, pred) * 1.08
	if o.SustainableRate > 0 && o.FailingRate > o.SustainableRate {
		b := &bands{spans: [][2]float64{{o.SustainableRate, o.FailingRate}}, color: colorBracket}
		p.Add(b)
		p.Legend.Add(fmt.Sprintf("bracket %s–%s", units.Rate(o.SustainableRate), rate(o.FailingRate, "msg/s")), b)
	}
	if pred > 0 {
		l, err := newLine(plotter.XYs{{X: pred, Y: ylo}, {X: pred, Y: yhi}}, seriesColor(0), 1.5, true)
		if err != nil {
			return 0, 0, err
		}
		p.Add(l)
		p.Legend.Add("predicted "+rate(pred, "msg/s"), l)
	}
	return 0, xhi, nil
}

// SearchAchieved plots each trial's achieved rate against its offered
// rate, with the ideal (achieved = offered) dashed, passing and failing
// trials marked, the bracket shaded and the predicted capacity (pred > 0)
// as a vertical dashed line.
func SearchAchieved(title string, o *search.Outcome, pred float64) (*plot.Plot, error) {
	if len(o.Trials) == 0 {
		return nil, fmt.Errorf("search achieved: %w", ErrNoData)
	}
	p := newPlot(title, "offered rate (records/s)", "achieved rate (records/s)")
	top := 0.0
	for _, t := range o.Trials {
		top = max(top, t.Rate, t.AchievedRate)
	}
	top = max(top, pred) * 1.15
	xlo, xhi, err := searchFrame(p, o, pred, 0, top)
	if err != nil {
		return nil, err
	}
	ideal, err := newLine(plotter.XYs{{X: 0, Y: 0}, {X: xhi, Y: xhi}}, colorMuted, 1, true)
	if err != nil {
		return nil, err
	}
	p.Add(ideal)
	p.Legend.Add("achieved = offered", ideal)
	if err := searchMarks(p, o, func(t search.TrialRecord) float64 { return t.AchievedRate }, false); err != nil {
		return nil, err
	}
	p.X.Min, p.X.Max = xlo, xhi
	p.Y.Min, p.Y.Max = 0, top
	p.X.Tick.Marker = niceTicks{format: qty}
	p.Y.Tick.Marker = niceTicks{format: qty}
	return p, nil
}

// SearchP99 plots each trial's corrected p99 (log scale) against its
// offered rate, passing and failing trials marked, the bracket shaded,
// the publish p99 bound dashed when the criteria have one and the
// predicted capacity (pred > 0) as a vertical dashed line.
func SearchP99(title string, o *search.Outcome, pred float64) (*plot.Plot, error) {
	lo, hi := math.Inf(1), 0.0
	for _, t := range o.Trials {
		if t.ResponseP99NS > 0 {
			lo, hi = math.Min(lo, float64(t.ResponseP99NS)), math.Max(hi, float64(t.ResponseP99NS))
		}
	}
	if hi == 0 {
		return nil, fmt.Errorf("search p99: %w", ErrNoData)
	}
	if b := float64(o.Criteria.PublishP99); b > 0 {
		lo, hi = math.Min(lo, b), math.Max(hi, b)
	}
	p := newPlot(title, "offered rate (records/s)", "p99 response time")
	p.Y.Scale = plot.LogScale{}
	p.Y.Min, p.Y.Max = lo, hi*1.5
	padLog(&p.Y)
	xlo, xhi, err := searchFrame(p, o, pred, p.Y.Min, p.Y.Max)
	if err != nil {
		return nil, err
	}
	if b := float64(o.Criteria.PublishP99); b > 0 {
		l, err := newLine(plotter.XYs{{X: xlo, Y: b}, {X: xhi, Y: b}}, colorAlert, 1.5, true)
		if err != nil {
			return nil, err
		}
		p.Add(l)
		p.Legend.Add("publish p99 bound "+dur(o.Criteria.PublishP99), l)
	}
	if err := searchMarks(p, o, func(t search.TrialRecord) float64 { return float64(t.ResponseP99NS) }, true); err != nil {
		return nil, err
	}
	p.X.Min, p.X.Max = xlo, xhi
	p.X.Tick.Marker = niceTicks{format: qty}
	p.Y.Tick.Marker = logTicks{format: durNS}
	return p, nil
}
