package kinesisapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// The Kinesis CBOR 1.1 protocol is what the AWS SDK for Java (v1 and v2, hence the Kinesis Client
// Library and the KPL's control calls) speaks by default: the same operations, members and error
// shapes as JSON 1.1, with the body in CBOR (RFC 8949). Blobs are CBOR byte strings, not base64, and
// timestamps are tag 1 wrapping epoch MILLISECONDS as an integer (the SDKs' SdkCborGenerator writes
// writeTag(1) then writeNumber(toEpochMilli()), and AwsCborProtocolFactory sets the payload
// timestamp format to UNIX_TIMESTAMP_MILLIS), unlike RFC 8949's epoch seconds. The SDKs' CBOR
// generator (Jackson) writes maps and arrays with indefinite length.

// cborContentType is the media type of a CBOR request and of its answer.
const cborContentType = "application/x-amz-cbor-1.1"

// codecCBOR is the CBOR 1.1 codec (application/x-amz-cbor-1.1).
var codecCBOR codec = cborCodec{}

// cborCodec reads CBOR requests and writes CBOR answers. A PutRecords request decodes straight
// into its input (byte strings into Data, no base64); every other request, and a PutRecords body
// that does not decode that way, is transcoded to the JSON the operations read (byte strings
// become base64, tag-1 timestamps in epoch milliseconds become epoch seconds), so validation and
// error wording are exactly the JSON path's. The SigV4 check has covered the bytes sent before.
type cborCodec struct{}

func (cborCodec) mediaType() string { return cborContentType }

func (cborCodec) encode(v any) ([]byte, error) { return cborEnc.Marshal(v) }

func (cborCodec) decode(body []byte, v any) error {
	if in, ok := v.(*putRecordsInput); ok && len(body) > 0 {
		var direct putRecordsInput
		if err := cborDec.Unmarshal(body, &direct); err == nil {
			*in = direct
			return nil
		}
	}
	js, err := cborRequestJSON(body)
	if err != nil {
		return err
	}
	return jsonCodec{}.decode(js, v)
}

// cborRequestJSON transcodes a CBOR request body to JSON. A malformed body is a
// SerializationException.
func cborRequestJSON(body []byte) ([]byte, error) {
	if len(body) == 0 {
		return body, nil
	}
	var out bytes.Buffer
	out.Grow(len(body) * 4 / 3)
	if err := cborToJSON(&out, cbor.RawMessage(body), 0); err != nil {
		return nil, badRequest(ErrSerialization, "request body is not valid CBOR: %v", err)
	}
	return out.Bytes(), nil
}

// cborEnc encodes answers: the default (definite lengths, smallest integer encodings) reads in
// every CBOR decoder, Jackson's included.
var cborEnc, _ = cbor.EncOptions{}.EncMode()

// cborDec decodes one level of a request at a time, with the library's default limits on nesting,
// array and map sizes.
var cborDec, _ = cbor.DecOptions{}.DecMode()

// maxCBORDepth bounds the nesting of a request (Kinesis requests nest three levels deep).
const maxCBORDepth = 16

// cborToJSON writes the data item raw as JSON.
func cborToJSON(out *bytes.Buffer, raw cbor.RawMessage, depth int) error {
	if len(raw) == 0 {
		return errors.New("empty data item")
	}
	if depth > maxCBORDepth {
		return fmt.Errorf("nested deeper than %d levels", maxCBORDepth)
	}
	switch raw[0] >> 5 {
	case 0: // unsigned integer
		var v uint64
		if err := cborDec.Unmarshal(raw, &v); err != nil {
			return err
		}
		out.WriteString(strconv.FormatUint(v, 10))
	case 1: // negative integer
		var v int64
		if err := cborDec.Unmarshal(raw, &v); err != nil {
			return err
		}
		out.WriteString(strconv.FormatInt(v, 10))
	case 2: // byte string: a blob
		var v []byte
		if err := cborDec.Unmarshal(raw, &v); err != nil {
			return err
		}
		out.WriteByte('"')
		out.Write(base64.StdEncoding.AppendEncode(out.AvailableBuffer(), v))
		out.WriteByte('"')
	case 3: // text string
		var v string
		if err := cborDec.Unmarshal(raw, &v); err != nil {
			return err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		out.Write(b)
	case 4: // array
		var items []cbor.RawMessage
		if err := cborDec.Unmarshal(raw, &items); err != nil {
			return err
		}
		out.WriteByte('[')
		for i, it := range items {
			if i > 0 {
				out.WriteByte(',')
			}
			if err := cborToJSON(out, it, depth+1); err != nil {
				return err
			}
		}
		out.WriteByte(']')
	case 5: // map: members by name
		var pairs map[string]cbor.RawMessage
		if err := cborDec.Unmarshal(raw, &pairs); err != nil {
			return fmt.Errorf("map (members must have text names): %w", err)
		}
		out.WriteByte('{')
		first := true
		for k, v := range pairs {
			if !first {
				out.WriteByte(',')
			}
			first = false
			kb, err := json.Marshal(k)
			if err != nil {
				return err
			}
			out.Write(kb)
			out.WriteByte(':')
			if err := cborToJSON(out, v, depth+1); err != nil {
				return fmt.Errorf("member %s: %w", k, err)
			}
		}
		out.WriteByte('}')
	case 6: // tag
		var t cbor.RawTag
		if err := cborDec.Unmarshal(raw, &t); err != nil {
			return err
		}
		if t.Number == 1 {
			return epochMillisToJSON(out, t.Content)
		}
		return cborToJSON(out, t.Content, depth+1) // other tags: their content
	default: // simple values and floats
		var v any
		if err := cborDec.Unmarshal(raw, &v); err != nil {
			return err
		}
		switch x := v.(type) {
		case nil:
			out.WriteString("null")
		case bool:
			out.WriteString(strconv.FormatBool(x))
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("number %v: must be finite", x)
			}
			out.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		default:
			return fmt.Errorf("unsupported simple value %v", v)
		}
	}
	return nil
}

// epochMillisToJSON writes the content of a tag-1 timestamp (epoch milliseconds, an integer or a
// float) as JSON epoch seconds.
func epochMillisToJSON(out *bytes.Buffer, content cbor.RawMessage) error {
	var ms float64
	switch content[0] >> 5 {
	case 0, 1:
		var v int64
		if err := cborDec.Unmarshal(content, &v); err != nil {
			return fmt.Errorf("timestamp: %w", err)
		}
		sec, frac := v/1000, v%1000
		if frac < 0 {
			sec, frac = sec-1, frac+1000
		}
		fmt.Fprintf(out, "%d.%03d", sec, frac)
		return nil
	case 7:
		if err := cborDec.Unmarshal(content, &ms); err != nil || math.IsNaN(ms) || math.IsInf(ms, 0) {
			return fmt.Errorf("timestamp: must be epoch milliseconds as a finite number")
		}
		out.WriteString(strconv.FormatFloat(ms/1000, 'f', -1, 64))
		return nil
	}
	return fmt.Errorf("timestamp: tag 1 must wrap epoch milliseconds as a number")
}

// MarshalCBOR writes the time as the AWS SDKs read CBOR timestamps: tag 1 wrapping epoch
// milliseconds as an integer.
func (t epochSeconds) MarshalCBOR() ([]byte, error) {
	return cborEnc.Marshal(cbor.Tag{Number: 1, Content: time.Time(t).UnixMilli()})
}
