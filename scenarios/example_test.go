package scenarios_test

import (
	"fmt"

	"github.com/streamcap/streamcap/scenarios"
)

// Parse fills defaults and validates; a fixed size and a zipf key
// distribution may be written in their short forms.
func ExampleParse() {
	w, err := scenarios.Parse("orders.yaml", []byte(`
rate: 3k/s
record_size: 1KB
keys: {count: 5000, distribution: zipf:1.1}
consumers:
  - name: billing
    lambda: {batch_size: 500}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(w.Name, w.Rate, w.RecordSize.Kind, w.RecordSize.Fixed, w.Keys.Distribution.Kind, w.Keys.Distribution.S)
	fmt.Println(w.Consumers[0].Kind, w.Consumers[0].PollInterval, w.Consumers[0].Lambda.BatchSize, w.Headroom)
	// Output:
	// orders 3000/s fixed 1KB zipf 1.1
	// shared 1s 500 0.8
}

// Every problem is reported at once, with the line, the field path, the
// value and the accepted range.
func ExampleParse_errors() {
	_, err := scenarios.Parse("orders.yaml", []byte(`rate: 3k/s
record_size: 1KB
consumers:
  - name: billing
    kind: polling
retension: 7d
`))
	fmt.Println(err)
	// Output:
	// scenario "orders.yaml": line 5: consumers[0].kind "polling": must be one of shared, efo
	// scenario "orders.yaml": line 6: retension: unknown field (accepted in scenario: name, description, rate, record_size, keys, consumers, retention, peak_factor, headroom, max_record_size, current_shards, replay, transfer, slo, bench, pipeline)
}
