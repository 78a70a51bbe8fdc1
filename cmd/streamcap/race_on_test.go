//go:build race

package main

// raceEnabled says the race detector is on: tests whose figures it would
// distort skip themselves (make test runs them again without it).
const raceEnabled = true
