package loadgen

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// StampSize is the length of the send stamp at the start of every payload:
// 8 bytes of send time (Unix nanoseconds, big-endian) and 8 bytes of
// sequence number. Generated records are at least this long.
const StampSize = 16

// Stamp writes the send stamp (unixNano, seq) into b[:StampSize]. It panics
// if b is shorter than StampSize.
func Stamp(b []byte, unixNano int64, seq uint64) {
	binary.BigEndian.PutUint64(b[0:8], uint64(unixNano))
	binary.BigEndian.PutUint64(b[8:16], seq)
}

// ReadStamp reads the stamp Stamp wrote; ok is false when b is too short.
func ReadStamp(b []byte) (unixNano int64, seq uint64, ok bool) {
	if len(b) < StampSize {
		return 0, 0, false
	}
	return int64(binary.BigEndian.Uint64(b[0:8])), binary.BigEndian.Uint64(b[8:16]), true
}

// poolSize is the size of the random content pool payloads are cut from:
// large enough that records of a batch rarely share content, so compression
// by the target sees random-looking bytes.
const poolSize = 1 << 20

// Payloads produces record payloads: sizes from a distribution (or records
// from a file) and seeded random content, each starting with a send stamp.
// It is immutable after construction and safe for concurrent use; senders
// pass their own rand.Rand and buffer to Next, which then does not allocate.
type Payloads struct {
	kind    model.SizeKind
	fixed   int
	min     int
	max     int
	sizes   []int
	cdf     []float64
	records [][]byte // file records (the stamp is prepended)
	pool    []byte
}

// NewPayloads builds a size distribution from dist, checking every size
// against [StampSize, maxRecord]. maxRecord 0 means 10 MiB. seed fixes the
// random content.
func NewPayloads(dist model.SizeDist, maxRecord units.Bytes, seed uint64) (*Payloads, error) {
	if maxRecord == 0 {
		maxRecord = 10 << 20
	}
	check := func(field string, b units.Bytes) error {
		if b < StampSize || b > maxRecord {
			return fmt.Errorf("record_size.%s %q: must be between %v (the send stamp) and %v", field, b.String(), units.Bytes(StampSize), maxRecord)
		}
		return nil
	}
	p := &Payloads{kind: dist.Kind}
	switch dist.Kind {
	case model.SizeFixed, "":
		p.kind = model.SizeFixed
		if err := check("fixed", dist.Fixed); err != nil {
			return nil, err
		}
		p.fixed, p.max = int(dist.Fixed), int(dist.Fixed)
	case model.SizeUniform:
		if err := check("min", dist.Min); err != nil {
			return nil, err
		}
		if err := check("max", dist.Max); err != nil {
			return nil, err
		}
		if dist.Max < dist.Min {
			return nil, fmt.Errorf("record_size.max %q: must be at least record_size.min %q", dist.Max.String(), dist.Min.String())
		}
		p.min, p.max = int(dist.Min), int(dist.Max)
	case model.SizeWeighted:
		if len(dist.Weighted) == 0 {
			return nil, fmt.Errorf("record_size.weighted: needs at least one size")
		}
		sum := 0.0
		for i, w := range dist.Weighted {
			if err := check(fmt.Sprintf("weighted[%d].size", i), w.Size); err != nil {
				return nil, err
			}
			if !(w.Weight >= 0) {
				return nil, fmt.Errorf("record_size.weighted[%d].weight %v: must be at least 0", i, w.Weight)
			}
			sum += w.Weight
			p.sizes = append(p.sizes, int(w.Size))
			p.cdf = append(p.cdf, sum)
			p.max = max(p.max, int(w.Size))
		}
		if !(sum > 0) {
			return nil, fmt.Errorf("record_size.weighted: weights sum to %v; must be greater than 0", sum)
		}
		for i := range p.cdf {
			p.cdf[i] /= sum
		}
		p.cdf[len(p.cdf)-1] = 1
	default:
		return nil, fmt.Errorf("record_size.kind %q: must be one of fixed, uniform, weighted", dist.Kind)
	}
	p.pool = randomPool(poolSize+p.max, seed)
	return p, nil
}

// PayloadsFromFile reads sample records from path, one per line (empty
// lines are skipped); each send picks one at random and prepends the
// StampSize-byte stamp, so a record is StampSize bytes longer than its line.
func PayloadsFromFile(path string, maxRecord units.Bytes) (*Payloads, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("payload file: %w", err)
	}
	return PayloadsFromRecords(path, data, maxRecord)
}

// PayloadsFromRecords is PayloadsFromFile on data already read; name is
// used in errors.
func PayloadsFromRecords(name string, data []byte, maxRecord units.Bytes) (*Payloads, error) {
	if maxRecord == 0 {
		maxRecord = 10 << 20
	}
	p := &Payloads{kind: "file"}
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			continue
		}
		if n := units.Bytes(len(line) + StampSize); n > maxRecord {
			return nil, fmt.Errorf("payload file %s line %d: %v with the stamp; must be at most %v", name, i+1, n, maxRecord)
		}
		p.records = append(p.records, line)
		p.max = max(p.max, len(line)+StampSize)
	}
	if len(p.records) == 0 {
		return nil, fmt.Errorf("payload file %s: no records (one per line); must hold at least one", name)
	}
	return p, nil
}

func randomPool(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0xda3e39cb94b95bdb))
	b := make([]byte, n+7)
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	return b[:n]
}

// MaxSize is the largest payload Next can return; senders size their
// buffers to it.
func (p *Payloads) MaxSize() int { return p.max }

// Size draws one record size from the distribution.
func (p *Payloads) Size(r *rand.Rand) int {
	switch p.kind {
	case model.SizeUniform:
		return p.min + r.IntN(p.max-p.min+1)
	case model.SizeWeighted:
		return p.sizes[sort.SearchFloat64s(p.cdf, r.Float64())]
	}
	return p.fixed
}

// Next writes one payload into buf (which must hold MaxSize bytes), stamped
// with (unixNano, seq), and returns it. It does not allocate.
func (p *Payloads) Next(r *rand.Rand, buf []byte, unixNano int64, seq uint64) []byte {
	if p.records != nil {
		rec := p.records[r.IntN(len(p.records))]
		b := buf[:StampSize+len(rec)]
		copy(b[StampSize:], rec)
		Stamp(b, unixNano, seq)
		return b
	}
	n := p.Size(r)
	b := buf[:n]
	off := r.IntN(poolSize)
	copy(b[StampSize:], p.pool[off:off+n-StampSize])
	Stamp(b, unixNano, seq)
	return b
}
