package model_test

import (
	"fmt"

	"github.com/streamcap/streamcap/model"
)

// Provisioned Kinesis is a step curve (one more shard per 1000 records/s,
// $25/month each); on-demand grows with the data ($30 + $10 per 1000
// records/s). The first step up, at 1000 records/s, jumps past on-demand.
func ExampleKeyCrossings() {
	prov := model.Curve{Name: "provisioned", Step: true,
		X: []float64{0, 1000, 2000, 3000, 4000}, Y: []float64{25, 50, 75, 100, 100}}
	od := model.Curve{Name: "on-demand", X: []float64{0, 4000}, Y: []float64{30, 70}}
	cross, err := model.KeyCrossings([]model.Curve{prov, od})
	if err != nil {
		panic(err)
	}
	for _, c := range cross {
		fmt.Printf("%s is cheaper below %.0f records/s, %s above ($%.2f/month)\n", c.A, c.X, c.B, c.Y)
	}
	// Output:
	// provisioned is cheaper below 1000 records/s, on-demand above ($40.00/month)
}
