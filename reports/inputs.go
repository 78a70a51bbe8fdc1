package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/search"
	"github.com/streamcap/streamcap/bench/verifydoc"
	"github.com/streamcap/streamcap/model"
)

// Input kinds AddJSON recognises.
const (
	KindPlan     = "plan"
	KindTransfer = "transfer"
	KindBench    = "bench"
	KindVerify   = "verify"
	KindPrices   = "prices"
)

// maxInput bounds one JSON input (a 1-hour 1 s-interval bench result with
// per-interval histograms stays well below it).
const maxInput = 256 << 20

// AddFiles adds JSON documents by path (see AddJSON). Price tables
// (streamcap.prices/v1) are read first, whatever their position, and
// price the plans' sweeps (else prices, else the embedded table).
func (rep *Report) AddFiles(paths []string, prices *model.Prices) error {
	docs := make([][]byte, len(paths))
	for i, path := range paths {
		data, err := readInput(path)
		if err != nil {
			return err
		}
		docs[i] = data
		if schemaOf(data) == SchemaPrices {
			if prices, err = decodePrices(data); err != nil {
				return fmt.Errorf("read %s: %w", filepath.Base(path), err)
			}
		}
	}
	for i, path := range paths {
		if schemaOf(docs[i]) == SchemaPrices {
			continue
		}
		if _, err := rep.AddJSON(filepath.Base(path), bytes.NewReader(docs[i]), prices); err != nil {
			return err
		}
	}
	return nil
}

func readInput(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("report input: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxInput {
		return nil, fmt.Errorf("read %s: larger than %s: not a streamcap JSON file", path, si(maxInput, "B"))
	}
	return data, nil
}

// schemaOf returns the document's top-level "schema" ("" when absent or
// not a JSON object).
func schemaOf(data []byte) string {
	var probe struct {
		Schema string `json:"schema"`
	}
	_ = json.Unmarshal(data, &probe)
	return probe.Schema
}

// decodePrices reads a streamcap.prices/v1 document: the price table with
// its schema field.
func decodePrices(data []byte) (*model.Prices, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("prices: %w", err)
	}
	delete(m, "schema")
	clean, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("prices: %w", err)
	}
	return model.LoadPrices(bytes.NewReader(clean))
}

// AddJSON reads one JSON document and adds it by its "schema" field: a
// bench result (bench.SchemaVersion), a verify outcome (SchemaVerify: its
// plan, both runs and its verdict, displayed as computed), a plan
// (SchemaPlan) or a transfer plan (SchemaTransfer). A plan's chart sweeps
// are model.SweepPlan's with prices (nil: the embedded table). Plans and
// transfers written before documents carried a schema are recognised by
// their keys. name labels errors and, for a bench result, the run when
// another has its name. It returns the kind it found.
func (rep *Report) AddJSON(name string, rd io.Reader, prices *model.Prices) (string, error) {
	data, err := io.ReadAll(io.LimitReader(rd, maxInput+1))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxInput {
		return "", fmt.Errorf("read %s: larger than %s: not a streamcap JSON file", name, si(maxInput, "B"))
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return "", fmt.Errorf("read %s: %w (want a streamcap JSON document)", name, err)
	}
	has := func(k string) bool { _, ok := probe[k]; return ok }
	schema := schemaOf(data)
	switch {
	case schema == bench.SchemaVersion:
		r, err := bench.ReadJSON(bytes.NewReader(data))
		if err != nil {
			return "", fmt.Errorf("read %s: %w", name, err)
		}
		run, err := FromBenchResult("", r)
		if err != nil {
			return "", fmt.Errorf("read %s: %w", name, err)
		}
		if slices.ContainsFunc(rep.Runs, func(o Run) bool { return o.Name == run.Name }) {
			run.Name += " (" + name + ")"
		}
		rep.AddRun(run)
		return KindBench, nil
	case schema == SchemaVerify:
		o, err := verifydoc.ReadJSON(bytes.NewReader(data))
		if err != nil {
			return "", fmt.Errorf("read %s: %w", name, err)
		}
		sweep, err := model.SweepPlan(o.Plan, prices)
		if err != nil {
			return "", fmt.Errorf("read %s: %w", name, err)
		}
		return KindVerify, rep.AddVerify(VerifyInputOf(o, sweep))
	case schema == SchemaPlan || (schema == "" && has("workload") && has("kinesis")):
		var p model.PlanResult
		if err := json.Unmarshal(data, &p); err != nil {
			return "", fmt.Errorf("read %s: plan: %w", name, err)
		}
		sweep, err := model.SweepPlan(&p, prices)
		if err != nil {
			return "", fmt.Errorf("read %s: %w", name, err)
		}
		return KindPlan, rep.AddPlan(&p, sweep)
	case schema == SchemaTransfer || (schema == "" && has("data_bytes") && has("network") && has("device")):
		var t struct {
			model.TransferPlan
			Sweep []model.TransferPoint `json:"sweep"`
		}
		if err := json.Unmarshal(data, &t); err != nil {
			return "", fmt.Errorf("read %s: transfer: %w", name, err)
		}
		rep.AddTransfer(&t.TransferPlan, model.SweepTransferPlan(&t.TransferPlan, t.Sweep))
		return KindTransfer, nil
	case schema == SchemaPrices:
		return "", fmt.Errorf("read %s: a price table prices the other inputs: give it beside a plan or scenario", name)
	case schema == search.SchemaVersion:
		return rep.addSearchJSON(name, data)
	case schema != "":
		return "", fmt.Errorf("read %s: schema %q: want one of %s, %s, %s, %s, %s, %s", name, schema,
			bench.SchemaVersion, SchemaVerify, search.SchemaVersion, SchemaPlan, SchemaTransfer, SchemaPrices)
	}
	keys := make([]string, 0, len(probe))
	for k := range probe {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return "", fmt.Errorf("read %s: no schema field and top-level keys %q: want a streamcap JSON document (bench result, verify, plan, transfer or prices)", name, keys)
}

// VerifyInputOf is what a report shows of a verify outcome: its plan with
// sweep, its runs (planned, then one fewer) under their labels, its
// verdict and its reach, all as bench/verify computed them.
func VerifyInputOf(o *verifydoc.Outcome, sweep *model.PlanSweep) VerifyInput {
	in := VerifyInput{Plan: o.Plan, Sweep: sweep, Verdict: o.Verdict}
	for _, r := range []*verifydoc.Run{&o.Planned, o.Below} {
		if r != nil && r.Result != nil {
			in.Runs = append(in.Runs, LabeledResult{Label: r.Label, Result: r.Result})
		}
	}
	if r := o.Reach; r != nil {
		in.Reach, in.ReachSearch = r.Summary, r.Search
	}
	return in
}

// LabeledResult is a benchmark result and the label it is shown under.
type LabeledResult struct {
	Label  string
	Result *bench.Result
}

// VerifyInput is what `streamcap verify` found, as a report shows it:
// the plan and its sweeps, the runs side by side, and the plan verdict as
// bench/verify computed it.
type VerifyInput struct {
	Plan    *model.PlanResult
	Sweep   *model.PlanSweep
	Runs    []LabeledResult
	Verdict bench.PlanVerdict
	// Reach is verify's sentence on how far the planned shards go and
	// ReachSearch the search behind it (both empty when not measured).
	Reach       string
	ReachSearch *search.Outcome
}

// AddVerify adds a verify outcome: its plan (with the cost and shard
// sweeps), its runs side by side, and its verdict, displayed unchanged.
func (rep *Report) AddVerify(in VerifyInput) error {
	if in.Plan == nil {
		return errors.New("verify outcome: no plan")
	}
	if len(in.Runs) == 0 {
		return errors.New("verify outcome: no run at the planned shard count")
	}
	if err := rep.AddPlan(in.Plan, in.Sweep); err != nil {
		return err
	}
	for _, r := range in.Runs {
		run, err := FromBenchResult(r.Label, r.Result)
		if err != nil {
			return err
		}
		rep.AddRun(run)
	}
	v := in.Verdict
	rep.Verify = &v
	rep.Reach = in.Reach
	if in.ReachSearch != nil {
		return rep.AddSearch(in.ReachSearch)
	}
	return nil
}
