//go:build !unix

package loadgen

import "time"

// processCPU is unknown here (-1: not reported).
func processCPU() time.Duration { return -1 }
