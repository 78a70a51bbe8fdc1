package loadgen_test

import (
	"context"
	"fmt"

	"github.com/streamcap/streamcap/loadgen"
)

// Run drives any send function on an open-loop schedule and reports
// corrected response time, service time and send lag.
func ExampleRun() {
	send := func(ctx context.Context, key string, payload []byte) error {
		return nil // write the record to the target here
	}
	res, err := loadgen.Run(context.Background(), loadgen.Config{
		Profile: loadgen.Constant(2000), // 2000 records/s
		Records: 100,                    // stop after 100 measured sends
	}, send)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("sent", res.Counts.Sent, "acked", res.Counts.Acked, "stopped by", res.StopReason)
	// Output:
	// sent 100 acked 100 stopped by records
}

// A ramp profile's send times invert the integral of its rate.
func ExampleSchedule() {
	p, _ := loadgen.ParseProfile("ramp:0/s:1000/s:1s")
	s, _ := loadgen.NewSchedule(p, 0)
	for _, n := range []int64{0, 5, 125, 500, 501} {
		at, _ := s.At(n)
		fmt.Printf("send %d at %v\n", n, at)
	}
	// Output:
	// send 0 at 0s
	// send 5 at 100ms
	// send 125 at 500ms
	// send 500 at 1s
	// send 501 at 1.001s
}
