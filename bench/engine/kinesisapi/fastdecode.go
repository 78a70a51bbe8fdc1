package kinesisapi

import (
	"bytes"
	"encoding/base64"
	"unicode/utf8"

	simdbase64 "github.com/segmentio/asm/base64"
)

// decodePutRecordsFast parses the common shape of a PutRecords body in one pass, without
// reflection, decoding every Data blob into one shared allocation:
//
//	{"StreamName":"s","Records":[{"Data":"…","PartitionKey":"k","ExplicitHashKey":"1"}, …]}
//
// It accepts only a strict subset of JSON: the members above (StreamARN too), string values
// without escapes or control characters, keys spelled exactly. On anything else it reports false
// and the caller falls back to encoding/json, which has the final word on errors, so the fast path
// never accepts a body encoding/json would reject or read differently (FuzzPutRecordsFastDecode
// checks this).
func decodePutRecordsFast(body []byte) (putRecordsInput, bool) {
	in, _, ok := decodePutRecordsFastInto(body, nil)
	return in, ok
}

// maxPooledArena bounds the PutRecords decode arenas a Handler keeps for reuse (a full 10 MiB
// call's blobs fit).
const maxPooledArena = 10<<20 + 1<<16

// decodePutRecordsFastInto is decodePutRecordsFast decoding the blobs into arena's storage when it
// can hold them (else into a new arena), and returning the arena used, so that a caller done with
// the records can reuse it for the next request instead of allocating (and zeroing) hundreds of
// kilobytes per call.
func decodePutRecordsFastInto(body, arena []byte) (putRecordsInput, []byte, bool) {
	// Size the arena: decoded data is at most 3/4 of the body.
	if need := len(body)/4*3 + 3; cap(arena) < need {
		arena = make([]byte, 0, need)
	}
	arena = arena[:0]
	in, ok := decodePutRecordsArena(body, arena)
	return in, arena, ok
}

func decodePutRecordsArena(body, arena []byte) (putRecordsInput, bool) {
	var in putRecordsInput
	p := &scanner{b: body}
	if !p.consume('{') {
		return in, false
	}
	seenRecords := false
	if p.consume('}') {
		p.skipSpace()
		return in, p.i == len(p.b)
	}
	for {
		key, ok := p.plainString()
		if !ok || !p.consume(':') {
			return in, false
		}
		switch string(key) {
		case "StreamName", "StreamARN":
			v, ok := p.plainString()
			if !ok || !utf8.Valid(v) {
				return in, false
			}
			if string(key) == "StreamName" {
				in.StreamName = string(v)
			} else {
				in.StreamARN = string(v)
			}
		case "Records":
			if seenRecords || !p.consume('[') {
				return in, false
			}
			seenRecords = true
			in.Records = make([]putRecordsRequestEntry, 0, 500)
			if !p.consume(']') {
				for {
					var e putRecordsRequestEntry
					if e, arena, ok = p.entry(arena); !ok {
						return in, false
					}
					in.Records = append(in.Records, e)
					if p.consume(']') {
						break
					}
					if !p.consume(',') {
						return in, false
					}
				}
			}
		default:
			return in, false
		}
		if p.consume('}') {
			break
		}
		if !p.consume(',') {
			return in, false
		}
	}
	p.skipSpace()
	return in, p.i == len(p.b)
}

// scanner walks a JSON body.
type scanner struct {
	b []byte
	i int
}

func (p *scanner) skipSpace() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// consume skips whitespace and then c if it is next.
func (p *scanner) consume(c byte) bool {
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// plainString reads a string with no escapes and no control characters and returns its bytes
// (aliasing the body).
func (p *scanner) plainString() ([]byte, bool) {
	if !p.consume('"') {
		return nil, false
	}
	start := p.i
	j := bytes.IndexByte(p.b[start:], '"')
	if j < 0 {
		return nil, false
	}
	s := p.b[start : start+j]
	for _, c := range s {
		if c < 0x20 || c == '\\' {
			return nil, false
		}
	}
	p.i = start + j + 1
	return s, true
}

// decodeBlob base64-decodes a Data blob with segmentio/asm's vectorized decoder, which is about
// six times faster than encoding/base64 on kilobyte records (the largest single cost of a
// PutRecords call once the records are stored). It accepts exactly what encoding/base64's
// StdEncoding accepts (FuzzDecodeBlob); on any error the caller falls back to encoding/json,
// whose error the client then gets.
func decodeBlob(dst, src []byte) (int, error) { return simdbase64.StdEncoding.Decode(dst, src) }

// base64String reads the raw bytes of a string that is to be base64-decoded. It only rules out
// what the decoder would not: raw CR and LF, which encoding/base64 skips but JSON forbids inside
// strings. Every other control character, a backslash or a non-ASCII byte fails the decoding.
func (p *scanner) base64String() ([]byte, bool) {
	if !p.consume('"') {
		return nil, false
	}
	start := p.i
	j := bytes.IndexByte(p.b[start:], '"')
	if j < 0 {
		return nil, false
	}
	s := p.b[start : start+j]
	if bytes.IndexByte(s, '\n') >= 0 || bytes.IndexByte(s, '\r') >= 0 {
		return nil, false
	}
	p.i = start + j + 1
	return s, true
}

// entry reads one PutRecordsRequestEntry object, base64-decoding Data onto arena.
func (p *scanner) entry(arena []byte) (putRecordsRequestEntry, []byte, bool) {
	var e putRecordsRequestEntry
	if !p.consume('{') {
		return e, arena, false
	}
	if p.consume('}') {
		return e, arena, true
	}
	for {
		key, ok := p.plainString()
		if !ok || !p.consume(':') {
			return e, arena, false
		}
		var v []byte
		if string(key) == "Data" {
			v, ok = p.base64String()
		} else {
			v, ok = p.plainString()
		}
		if !ok {
			return e, arena, false
		}
		switch string(key) {
		case "Data":
			if e.Data != nil {
				return e, arena, false // duplicate: leave it to encoding/json
			}
			start := len(arena)
			need := base64.StdEncoding.DecodedLen(len(v))
			if cap(arena)-start < need {
				return e, arena, false
			}
			n, err := decodeBlob(arena[start:start+need], v)
			if err != nil {
				return e, arena, false
			}
			arena = arena[:start+n]
			e.Data = arena[start : start+n : start+n]
		case "PartitionKey", "ExplicitHashKey":
			if !utf8.Valid(v) {
				return e, arena, false
			}
			if string(key) == "PartitionKey" {
				e.PartitionKey = string(v)
			} else {
				e.ExplicitHashKey = string(v)
			}
		default:
			return e, arena, false
		}
		if p.consume('}') {
			return e, arena, true
		}
		if !p.consume(',') {
			return e, arena, false
		}
	}
}
