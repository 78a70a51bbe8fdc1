package loadgen

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// V2 compressed encoding's cookies, as hdrhistogram-go and the Java library write them.
const (
	v2Cookie           = 0x1c849303 | 0x10
	v2CompressedCookie = 0x1c849304 | 0x10
	v2HeaderLen        = 40
)

// Encoder writes the same bytes as Encode while reusing its compressor and buffers. Encode
// builds a new zlib compressor for every histogram (about 1 MB at the best compression level);
// a run closes three interval histograms a second, so that garbage made the collector run
// every second or so while the generator paced sends. An Encoder is for one goroutine, and for
// histograms with the integer conversion ratio 1 (every histogram NewHistogram makes).
type Encoder struct {
	packed                          *hdr.PackedHistogram // h's populated buckets, in order
	lowest, highest, sig            int64                // packed's geometry
	unitMagnitude, halfCountMag     uint
	subBucketMask                   int64
	raw, compressed, framed, base64 []byte
	zbuf                            bytes.Buffer
	zw                              *zlib.Writer
}

// NewEncoder returns an Encoder with nothing allocated yet.
func NewEncoder() *Encoder { return &Encoder{} }

// Encode returns h in HdrHistogram's V2 compressed, base64 form, or "" for an empty histogram.
func (e *Encoder) Encode(h *hdr.Histogram) (string, error) {
	if h == nil || h.TotalCount() == 0 {
		return "", nil
	}
	e.geometry(h)
	e.packed.Reset()
	if dropped := e.packed.MergeFrom(h); dropped != 0 {
		return "", fmt.Errorf("encode histogram: %d counts out of range", dropped)
	}
	// The 40-byte header, then each count from index 0 to the highest populated one as a
	// ZigZag LEB128 long, a run of two or more empty buckets as minus its length.
	raw := e.raw[:0]
	raw = binary.BigEndian.AppendUint32(raw, v2Cookie)
	raw = binary.BigEndian.AppendUint32(raw, 0) // payload length, set below
	raw = binary.BigEndian.AppendUint32(raw, 0) // normalizing index offset
	raw = binary.BigEndian.AppendUint32(raw, uint32(int32(h.SignificantFigures())))
	raw = binary.BigEndian.AppendUint64(raw, uint64(h.LowestTrackableValue()))
	raw = binary.BigEndian.AppendUint64(raw, uint64(h.HighestTrackableValue()))
	raw = binary.BigEndian.AppendUint64(raw, math.Float64bits(1))
	next := int64(0) // the index after the last one written
	for value, count := range e.packed.ForEachBucket {
		idx := e.index(value)
		switch zeros := idx - next; {
		case zeros == 1:
			raw = appendZigZag(raw, 0)
		case zeros > 1:
			raw = appendZigZag(raw, -zeros)
		}
		raw = appendZigZag(raw, count)
		next = idx + 1
	}
	binary.BigEndian.PutUint32(raw[4:8], uint32(len(raw)-v2HeaderLen))
	e.raw = raw

	e.zbuf.Reset()
	if e.zw == nil {
		zw, err := zlib.NewWriterLevel(&e.zbuf, zlib.BestCompression)
		if err != nil {
			return "", fmt.Errorf("encode histogram: %w", err)
		}
		e.zw = zw
	} else {
		e.zw.Reset(&e.zbuf)
	}
	if _, err := e.zw.Write(raw); err != nil {
		return "", fmt.Errorf("encode histogram: %w", err)
	}
	if err := e.zw.Close(); err != nil {
		return "", fmt.Errorf("encode histogram: %w", err)
	}
	framed := e.framed[:0]
	framed = binary.BigEndian.AppendUint32(framed, v2CompressedCookie)
	framed = binary.BigEndian.AppendUint32(framed, uint32(e.zbuf.Len()))
	framed = append(framed, e.zbuf.Bytes()...)
	e.framed = framed
	e.base64 = base64.StdEncoding.AppendEncode(e.base64[:0], framed)
	return string(e.base64), nil
}

// geometry sets up the packed histogram and index arithmetic for h's geometry (as
// hdrhistogram-go derives it) when it differs from the last one's.
func (e *Encoder) geometry(h *hdr.Histogram) {
	lowest, highest, sig := h.LowestTrackableValue(), h.HighestTrackableValue(), h.SignificantFigures()
	if e.packed != nil && lowest == e.lowest && highest == e.highest && sig == e.sig {
		return
	}
	e.lowest, e.highest, e.sig = lowest, highest, sig
	e.packed = hdr.NewPacked(lowest, highest, int(sig))
	subBucketCountMag := int(math.Ceil(math.Log2(2 * math.Pow10(int(sig)))))
	e.halfCountMag = uint(max(subBucketCountMag, 1) - 1)
	e.unitMagnitude = uint(max(0, int(math.Floor(math.Log2(float64(lowest))))))
	e.subBucketMask = (int64(1)<<(e.halfCountMag+1) - 1) << e.unitMagnitude
}

// index is the counts index of value (hdrhistogram-go's countsIndexFor).
func (e *Encoder) index(value int64) int64 {
	bucket := int64(64-bits.LeadingZeros64(uint64(value|e.subBucketMask))) - int64(e.unitMagnitude) - int64(e.halfCountMag+1)
	sub := value >> (uint(bucket) + e.unitMagnitude)
	return (bucket+1)<<e.halfCountMag + sub - int64(1)<<e.halfCountMag
}

// appendZigZag appends v as HdrHistogram's ZigZag LEB128-64b9B: seven bits a byte, and all
// eight in a ninth.
func appendZigZag(b []byte, v int64) []byte {
	u := uint64((v << 1) ^ (v >> 63))
	for i := 0; i < 8; i++ {
		if u>>7 == 0 {
			return append(b, byte(u))
		}
		b = append(b, byte(u&0x7f|0x80))
		u >>= 7
	}
	return append(b, byte(u))
}
