//go:build !linux

package engine

import "os"

// fdatasync flushes f to stable storage (a full fsync where fdatasync is unavailable).
func fdatasync(f *os.File) error { return f.Sync() }
