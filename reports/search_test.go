package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/search"
)

// searchOutcome is a 4-shard engine search as `bench search` writes it:
// the bracket [3,875, 3,938] around the model's 3,957/s.
func searchOutcome() *search.Outcome {
	tr := func(rate float64, passed bool, phase string, throttles int64, p99ms float64) search.TrialRecord {
		r := search.TrialRecord{Rate: rate, Passed: passed, Phase: phase, AchievedRate: rate, Throttles: throttles,
			ResponseP99NS: int64(p99ms * float64(time.Millisecond)), Sent: int64(rate * 2), Reasons: []string{}}
		if !passed {
			r.Reasons = []string{"failed sends 1.1 % > 0.1 % (84 throttled)"}
		}
		return r
	}
	return &search.Outcome{
		Schema: search.SchemaVersion, Target: "embedded", Workload: "1kb", Shards: 4,
		SustainableRate: 3875, FailingRate: 3938, Confirmed: true, Precision: 0.02, StopReason: search.StopBracket,
		Criteria:      search.Criteria{MinAchieved: 0.99, MaxErrorRate: 0.001, MaxBacklogSlope: 0.01, PublishP99: 50 * time.Millisecond},
		PredictedRate: 3957,
		Trials: []search.TrialRecord{
			tr(1000, true, "double", 0, 1.2), tr(2000, true, "double", 0, 1.4), tr(4000, false, "double", 84, 180),
			tr(3000, true, "bisect", 0, 1.9), tr(3500, true, "bisect", 0, 2.5), tr(3750, true, "bisect", 0, 3.1),
			tr(3875, true, "bisect", 0, 4.4), tr(3938, false, "bisect", 16, 61), tr(3875, true, "confirm", 0, 4.6),
		},
	}
}

func TestSearchSection(t *testing.T) {
	t.Parallel()
	var js bytes.Buffer
	if err := search.WriteJSON(&js, searchOutcome()); err != nil {
		t.Fatal(err)
	}
	rep := &Report{}
	kind, err := rep.AddJSON("search.json", &js, nil)
	if err != nil || kind != KindSearch || rep.Search == nil || len(rep.Search.Trials) != 9 {
		t.Fatalf("AddJSON: kind %q, err %v, search %v", kind, err, rep.Search != nil)
	}
	var html bytes.Buffer
	if err := Render(&html, FormatHTML, rep, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	page := html.String()
	for _, want := range []string{
		"Sustainable rate: embedded, 4 shards",
		"sustains 3,875/s; fails at 3,938/s (precision 2 %); confirmed by a full-length run",
		"The capacity model predicts 3,957 msg/s (model for 4 shards)",
		"failed sends 1.1 % &gt; 0.1 % (84 throttled)",
		"Achieved rate against offered rate, bracket shaded",
		"p99 response time against offered rate, bracket shaded",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if n := len(dataURI.FindAllString(page, -1)); n != 2 {
		t.Errorf("HTML has %d inline charts, want 2 (achieved, p99)", n)
	}

	dir := t.TempDir()
	var md bytes.Buffer
	if err := Render(&md, FormatMarkdown, rep, RenderOptions{Images: DirImages{Dir: dir}, ImagePrefix: "r-"}); err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, l := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(l, "| ") && (strings.Contains(l, "✓ pass") || strings.Contains(l, "✗ FAIL")) {
			rows++
		}
	}
	if rows != 9 {
		t.Errorf("Markdown trial table has %d rows, want 9:\n%s", rows, md.String())
	}
	for _, f := range []string{"r-search-achieved.png", "r-search-p99.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() < 1000 {
			t.Errorf("chart %s: %v", f, err)
		}
	}
}

// TestSearchPredictedOnlyFromTheSearch: the report shows the capacity the
// search predicted and nothing when it predicted none (a Kafka target, or
// limits off, where the model does not apply), even beside a plan: the
// renderer computes no prediction of its own.
func TestSearchPredictedOnlyFromTheSearch(t *testing.T) {
	t.Parallel()
	o := searchOutcome()
	o.Target, o.PredictedRate = "kafka", 0
	rep := &Report{}
	if err := rep.AddPlan(seedPlanResult(), nil); err != nil {
		t.Fatal(err)
	}
	if err := rep.AddSearch(o); err != nil {
		t.Fatal(err)
	}
	if got, src := rep.searchPredicted(); got != 0 || src != "" {
		t.Errorf("predicted %v (%s); want none", got, src)
	}
	var md bytes.Buffer
	if err := Render(&md, FormatMarkdown, rep, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(md.String(), "predicts") {
		t.Errorf("Markdown shows a prediction the search did not make:\n%s", md.String())
	}
}

func TestSearchPlotsRejectEmpty(t *testing.T) {
	t.Parallel()
	o := &search.Outcome{Schema: search.SchemaVersion}
	if _, err := SearchAchieved("x", o, 0); !errors.Is(err, ErrNoData) {
		t.Errorf("SearchAchieved: %v", err)
	}
	if _, err := SearchP99("x", o, 0); !errors.Is(err, ErrNoData) {
		t.Errorf("SearchP99: %v", err)
	}
}

// TestVerifyReachRenders: a verify document with a reach (verify --reach)
// shows verify's sentence beside the verdict and its search as the search
// section, in HTML and Markdown; without one neither appears.
func TestVerifyReachRenders(t *testing.T) {
	t.Parallel()
	var res bench.Result
	if err := json.Unmarshal(benchResultJSON(t, "embedded", 4, 1), &res); err != nil {
		t.Fatal(err)
	}
	const say = "4 shards sustain up to 3,875/s: 29 % above the peak of 3,000/s"
	doc := func(reach bool) *bytes.Buffer {
		d := map[string]any{
			"schema": SchemaVerify, "plan": seedPlanResult(),
			"planned": map[string]any{"label": "planned: 4 shards", "shards": 4, "result": &res},
			"verdict": bench.PlanVerdict{Holds: true, PlannedShards: 4, Checks: []Check{{Run: "planned: 4 shards", What: "throttled sends", Want: "0", Got: "0", OK: true}}},
		}
		if reach {
			d["reach"] = map[string]any{"summary": say, "search": searchOutcome()}
		}
		var b bytes.Buffer
		if err := writeJSON(&b, d); err != nil {
			t.Fatal(err)
		}
		return &b
	}
	for _, reach := range []bool{true, false} {
		rep := &Report{}
		kind, err := rep.AddJSON("verify.json", doc(reach), nil)
		if err != nil || kind != KindVerify {
			t.Fatalf("AddJSON: kind %q, %v", kind, err)
		}
		for _, f := range []Format{FormatHTML, FormatMarkdown} {
			var out bytes.Buffer
			if err := Render(&out, f, rep, RenderOptions{Images: DirImages{Dir: t.TempDir()}}); err != nil {
				t.Fatal(err)
			}
			page := out.String()
			for _, want := range []string{"How far the planned shards go: " + say + ".", "sustains 3,875/s; fails at 3,938/s", "Sustainable rate: embedded, 4 shards"} {
				if strings.Contains(page, want) != reach {
					t.Errorf("reach %v, %v: contains %q = %v", reach, f, want, !reach)
				}
			}
			if !strings.Contains(page, "The plan holds: 4 shards met every check.") {
				t.Errorf("%v lacks the verdict", f)
			}
		}
	}
}
