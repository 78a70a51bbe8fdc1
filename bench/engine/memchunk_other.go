//go:build !linux

package engine

// allocChunk allocates a chunk on the Go heap (the garbage collector releases it).
func allocChunk(size int, prefault bool) (buf []byte, release func([]byte)) {
	return make([]byte, size), nil
}
