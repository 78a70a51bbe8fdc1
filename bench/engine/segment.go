package engine

import (
	"bufio"
	"container/list"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
)

// Segment file format: a sequence of frames, nothing else.
//
//	frame  = bodyLen u32 | crc32c(body) u32 | body
//	body   = offset u64 | arrival unix nanos i64 | keyLen u16 | key | data
//
// All integers are big-endian. A segment's file name is its first record offset (%020d.seg), so the
// offset counter survives even when retention has deleted every older segment.
const (
	frameHeaderLen = 8
	bodyFixedLen   = 8 + 8 + 2
	maxKeyLen      = 4 * 256 // bytes: 256 characters of up to 4 UTF-8 bytes
	maxDataLen     = 10 << 20
	maxBodyLen     = bodyFixedLen + maxKeyLen + maxDataLen
)

// newCRCTable builds the CRC32C (Castagnoli) table; each Engine builds its own and only reads it.
func newCRCTable() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) }

// appendFrame appends one framed record to dst.
func appendFrame(dst []byte, tab *crc32.Table, off uint64, ts int64, key string, data []byte) []byte {
	bodyLen := bodyFixedLen + len(key) + len(data)
	start := len(dst)
	dst = binary.BigEndian.AppendUint32(dst, uint32(bodyLen))
	dst = append(dst, 0, 0, 0, 0) // crc, filled below
	dst = binary.BigEndian.AppendUint64(dst, off)
	dst = binary.BigEndian.AppendUint64(dst, uint64(ts))
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(key)))
	dst = append(dst, key...)
	dst = append(dst, data...)
	binary.BigEndian.PutUint32(dst[start+4:], crc32.Checksum(dst[start+frameHeaderLen:], tab))
	return dst
}

// frame is one decoded record.
type frame struct {
	off  uint64
	ts   int64
	key  string
	data []byte // aliases the decoded buffer
}

// errTorn means the buffer ends inside a frame; errCorrupt means a frame fails its checks.
var (
	errTorn    = errors.New("torn frame")
	errCorrupt = errors.New("corrupt frame")
)

// decodeBody checks and decodes a frame body against its header's checksum.
func decodeBody(body []byte, sum uint32, tab *crc32.Table) (frame, error) {
	if crc32.Checksum(body, tab) != sum {
		return frame{}, fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	keyLen := int(binary.BigEndian.Uint16(body[16:18]))
	if keyLen < 1 || keyLen > maxKeyLen || bodyFixedLen+keyLen > len(body) {
		return frame{}, fmt.Errorf("%w: key length %d", errCorrupt, keyLen)
	}
	return frame{
		off:  binary.BigEndian.Uint64(body[0:8]),
		ts:   int64(binary.BigEndian.Uint64(body[8:16])),
		key:  string(body[bodyFixedLen : bodyFixedLen+keyLen]),
		data: body[bodyFixedLen+keyLen:],
	}, nil
}

// headerLen validates a frame header and returns the body length.
func headerLen(h []byte) (int, error) {
	n := int(binary.BigEndian.Uint32(h[0:4]))
	if n < bodyFixedLen+1 || n > maxBodyLen {
		return 0, fmt.Errorf("%w: body length %d outside [%d, %d]", errCorrupt, n, bodyFixedLen+1, maxBodyLen)
	}
	return n, nil
}

// decodeFrames decodes consecutive whole frames from b (a buffer read from a segment).
func decodeFrames(b []byte, tab *crc32.Table, dst []frame) ([]frame, error) {
	for len(b) > 0 {
		if len(b) < frameHeaderLen {
			return dst, errTorn
		}
		n, err := headerLen(b)
		if err != nil {
			return dst, err
		}
		if len(b) < frameHeaderLen+n {
			return dst, errTorn
		}
		f, err := decodeBody(b[frameHeaderLen:frameHeaderLen+n], binary.BigEndian.Uint32(b[4:8]), tab)
		if err != nil {
			return dst, err
		}
		dst = append(dst, f)
		b = b[frameHeaderLen+n:]
	}
	return dst, nil
}

// scanResult is what scanning a segment found.
type scanResult struct {
	valid   int64   // bytes of whole, valid, contiguous frames from the start
	pos     []int64 // frame start of each valid record
	ts      []int64 // arrival unix nanos of each valid record
	next    uint64  // offset after the last valid record
	problem string  // why scanning stopped before the end ("" if it reached a clean end)
}

// scanSegment reads frames from r, expecting offsets base, base+1, …, and stops at the first torn
// or invalid frame. It never panics on arbitrary input; only read errors other than EOF are returned.
func scanSegment(r io.Reader, base uint64, tab *crc32.Table) (scanResult, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	res := scanResult{next: base}
	var hdr [frameHeaderLen]byte
	var body []byte
	for {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			switch {
			case errors.Is(err, io.EOF):
				return res, nil
			case errors.Is(err, io.ErrUnexpectedEOF):
				res.problem = fmt.Sprintf("torn frame header at byte %d", res.valid)
				return res, nil
			}
			return res, err
		}
		n, err := headerLen(hdr[:])
		if err != nil {
			res.problem = fmt.Sprintf("at byte %d: %v", res.valid, err)
			return res, nil
		}
		if cap(body) < n {
			body = make([]byte, n)
		}
		body = body[:n]
		if _, err := io.ReadFull(br, body); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				res.problem = fmt.Sprintf("torn frame at byte %d: %d-byte body cut short", res.valid, n)
				return res, nil
			}
			return res, err
		}
		f, err := decodeBody(body, binary.BigEndian.Uint32(hdr[4:8]), tab)
		if err != nil {
			res.problem = fmt.Sprintf("at byte %d: %v", res.valid, err)
			return res, nil
		}
		if f.off != res.next {
			res.problem = fmt.Sprintf("at byte %d: record offset %d, want %d", res.valid, f.off, res.next)
			return res, nil
		}
		res.pos = append(res.pos, res.valid)
		res.ts = append(res.ts, f.ts)
		res.valid += int64(frameHeaderLen + n)
		res.next++
	}
}

// segment is one segment of a shard: a file, or a byte slice in memory mode. Its index (frame
// positions and arrival times) is kept in memory. Guarded by the owning shard's mutex, except f,
// refs, elem and forgotten, which belong to the engine's file cache.
type segment struct {
	base    uint64    // offset of its first record
	pos     []int64   // frame start of each record
	ts      []int64   // arrival unix nanos of each record
	size    int64     // bytes including frames not yet written to the file
	flushed int64     // bytes written to the file
	path    string    // "" in memory mode
	mem     []byte    // memory mode storage
	chunk   *memChunk // the pool chunk mem lives in, if any (memory mode, not the first segment)
	// unsynced marks a segment written without an fdatasync (policy never); Close syncs it.
	unsynced bool

	f         *os.File      // open file, while the file cache holds it
	refs      int           // users of f
	elem      *list.Element // in the file cache's LRU list
	forgotten bool          // close f when the last user releases it
}

func newSegment(dir string, base uint64) *segment {
	s := &segment{base: base}
	if dir != "" {
		s.path = filepath.Join(dir, segmentName(base))
	}
	return s
}

// count is the number of records in the segment.
func (s *segment) count() uint64 { return uint64(len(s.pos)) }

// end returns the frame end of record i (relative to base).
func (s *segment) end(i int) int64 {
	if i+1 < len(s.pos) {
		return s.pos[i+1]
	}
	return s.size
}

// readAt reads bytes [from, from+len(dst)) of the segment into dst, through the engine's
// file cache.
func (s *segment) readAt(c *fileCache, from int64, dst []byte) error {
	if s.path == "" {
		copy(dst, s.mem[from:])
		return nil
	}
	f, err := c.acquire(s)
	if err != nil {
		return fmt.Errorf("read segment: %w", err)
	}
	defer c.release(s)
	if _, err := f.ReadAt(dst, from); err != nil {
		return fmt.Errorf("read segment %s at %d: %w", s.path, from, err)
	}
	return nil
}

func segmentName(base uint64) string { return fmt.Sprintf("%020d.seg", base) }
