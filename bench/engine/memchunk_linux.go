package engine

import "golang.org/x/sys/unix"

// allocChunk maps size bytes of anonymous memory. With prefault it asks for transparent huge
// pages and pre-faults them (MADV_POPULATE_WRITE, Linux 5.14+; both advices are best effort),
// which takes milliseconds; without, it returns at once and the pages fault one by one as they
// are first written. If the mapping fails it falls back to the Go heap. release unmaps a
// mapped chunk.
func allocChunk(size int, prefault bool) (buf []byte, release func([]byte)) {
	b, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return make([]byte, size), nil
	}
	if prefault {
		_ = unix.Madvise(b, unix.MADV_HUGEPAGE)
		_ = unix.Madvise(b, unix.MADV_POPULATE_WRITE)
	}
	return b, func(b []byte) { _ = unix.Munmap(b) }
}
