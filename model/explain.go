package model

import (
	"fmt"
	"math"

	"github.com/streamcap/streamcap/model/units"
)

// LineItem is one billed quantity of a monthly cost estimate.
type LineItem struct {
	// Name says what is billed ("shard-hours", "PUT payload units").
	Name string `json:"name"`
	// Quantity billed per month, in Unit.
	Quantity float64 `json:"quantity"`
	// Unit of Quantity ("shard-hour", "GB", "1M units").
	Unit string `json:"unit"`
	// UnitUSD is the price of one Unit.
	UnitUSD float64 `json:"unit_usd"`
	// MonthlyUSD = Quantity × UnitUSD.
	MonthlyUSD float64 `json:"monthly_usd"`
}

// Step is one line of a result's explanation: a named quantity, the
// formula that gives it, the same formula with the numbers that went in,
// and the result.
type Step struct {
	// Name of the quantity ("write_records shards").
	Name string `json:"name"`
	// Formula in symbols ("peak_records / (1000 × headroom)").
	Formula string `json:"formula"`
	// Numbers is Formula with values substituted ("3000 / (1000 × 1)").
	Numbers string `json:"numbers"`
	// Value is the result, in Unit.
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
}

// Input is one named input of a result, as a person reads it.
type Input struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Explanation is why a result is what it is: its inputs and the steps
// from them to the answer.
type Explanation struct {
	Inputs []Input `json:"inputs"`
	Steps  []Step  `json:"steps"`
}

// explainer accumulates an Explanation. When off (cost sweeps), it
// formats nothing and only passes values through.
type explainer struct {
	off bool
	e   Explanation
}

func (x *explainer) in(name, format string, args ...any) {
	if x.off {
		return
	}
	x.e.Inputs = append(x.e.Inputs, Input{Name: name, Value: fmt.Sprintf(format, args...)})
}

// step records a step and returns its value, so formulas read inline.
// numbers is a fmt template whose %s verbs take args; float64 args are
// printed with num.
func (x *explainer) step(name, formula string, value float64, unit, numbers string, args ...any) float64 {
	if x.off {
		return value
	}
	for i, a := range args {
		if f, ok := a.(float64); ok {
			args[i] = num(f)
		}
	}
	x.e.Steps = append(x.e.Steps, Step{Name: name, Formula: formula, Numbers: fmt.Sprintf(numbers, args...), Value: value, Unit: unit})
	return value
}

// label returns base followed by a formatted detail, or just base when
// the explainer is off (cost sweeps skip the formatting).
func (x *explainer) label(base, detail string, args ...any) string {
	if x.off {
		return base
	}
	return base + " " + fmt.Sprintf(detail, args...)
}

// item builds a line item.
func newItem(name string, qty float64, unit string, unitUSD float64) LineItem {
	return LineItem{Name: name, Quantity: qty, Unit: unit, UnitUSD: unitUSD, MonthlyUSD: qty * unitUSD}
}

// total sums line items.
func total(items []LineItem) float64 {
	var s float64
	for _, it := range items {
		s += it.MonthlyUSD
	}
	return s
}

// ceilCount rounds a required count up, ignoring float noise below 1e-9 so
// that 3000/1000 = 3.0000000000000004 still plans 3.
func ceilCount(x float64) int {
	if x <= 0 {
		return 0
	}
	return int(math.Ceil(x - 1e-9))
}

// num formats a number for explanations: integers plainly, others with up
// to 6 significant digits, never in exponent form (units.Sig).
func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%.0f", v)
	}
	return units.Sig(v, 6)
}
