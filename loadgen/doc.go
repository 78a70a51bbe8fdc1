// Package loadgen is streamcap's open-loop load generator: it issues sends on
// an absolute schedule (send n is due at start + N⁻¹(n), where N(t) is the
// integral of the rate profile), never waits for a response before the next
// send, and records latency honestly into HdrHistograms.
//
// # Pacing
//
// A pool of sender goroutines, growing on demand up to Config.MaxInflight,
// claims slots from one pacer in order, one sender at a time: the one whose
// turn it is waits for its slot's due time (only when it is in the future)
// and passes the turn on as it sends. On the real clock it waits in three
// stages, because a Go timer wakes about 1 ms late on a quiet runtime: a
// timer until Config.TimerMargin before the due time, a precise sleep (a
// timerfd through the runtime's poller on Linux) until the spin window
// before it, then a spin on the monotonic clock. The window is at least
// Config.SpinWindow and widens to cover how late precise sleeps wake on this
// machine, within three quarters of the gap between sends; Result.Pacing reports what
// that cost. When the generator falls behind (a stalled target holding
// every in-flight slot, a GC pause, a starved CPU), the owed sends are issued
// at no more than Config.CatchUp × the target rate (default 2×, averaged
// over Config.CatchUpBurst), and every send issued more than
// Config.LateThreshold after its intended time is counted as late. No
// time.Ticker is involved: tickers drop ticks, an absolute schedule does not.
//
// # Latency
//
// Three figures are recorded per send, in nanoseconds, into histograms that
// track 1 µs … 1 h with 3 significant digits:
//
//   - response time, from the intended send time to the acknowledgement
//     (corrected for coordinated omission: a stall delays the intended time
//     of nothing, so every send queued behind it shows the wait);
//   - service time, from the actual send to the acknowledgement (what a
//     closed-loop client would report);
//   - send lag, actual − intended send time (how far behind the generator
//     was).
//
// RecordCorrectedValue is deliberately not used: response times measured
// from the intended time are already corrected, and correcting again would
// count each stall twice.
//
// End-to-end latency is measured from a stamp the generator writes at the
// start of every payload (see Stamp) to the moment a consumer in the same
// process sees the record (see E2E), so there is no clock skew.
//
// # Clocks
//
// All timing goes through the Clock interface (RealClock by default), so a
// test can inject its own; the pacer itself (Schedule, the catch-up limiter,
// late counting) is a pure function of the times it is given.
package loadgen
