//go:build !race

package kinesisapi

// raceEnabled is true when the tests run under the race detector, whose shadow memory and
// slowdown make resident-memory figures and loopback throughput meaningless.
const raceEnabled = false
