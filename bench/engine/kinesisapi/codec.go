package kinesisapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
)

// codec reads request bodies and writes response bodies in one wire format of the Kinesis API:
// JSON 1.1 (jsonCodec) or CBOR 1.1 (cborCodec, cbor.go). Nothing else in the handler knows the
// format.
type codec interface {
	// mediaType is the Content-Type of the bodies this codec writes.
	mediaType() string
	// decode reads body into v. An empty body means an empty structure. Malformed input and
	// members of the wrong type fail with SerializationException, as Kinesis does.
	decode(body []byte, v any) error
	// encode writes v, a response or an error document.
	encode(v any) ([]byte, error)
}

// codecJSON is the JSON 1.1 codec (application/x-amz-json-1.1), also used when a request has no
// Content-Type and for errors raised before the request's codec is known.
var codecJSON codec = jsonCodec{}

// codecFor returns the codec of a request's Content-Type; "" means JSON. ok is false for a media
// type no codec reads.
func codecFor(contentType string) (c codec, ok bool) {
	if contentType == "" {
		return codecJSON, true
	}
	mt, _, _ := strings.Cut(contentType, ";")
	switch strings.TrimSpace(strings.ToLower(mt)) {
	case "application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json":
		return codecJSON, true
	case "application/x-amz-cbor-1.1", "application/x-amz-cbor-1.0":
		return codecCBOR, true
	}
	return nil, false
}

// request is one decoded-on-demand API call as the operations see it.
type request struct {
	ctx   context.Context // the HTTP request's context
	body  []byte          // the raw body, valid until the operation returns
	codec codec           // the body's wire format
	// written, when an operation sets it, runs once its answer has been written: what the
	// answer refers to (GetRecords' pooled read buffers) may be reused from then on.
	written func()
}

// decode reads the request body into v.
func (rq *request) decode(v any) error { return rq.codec.decode(rq.body, v) }

// jsonCodec is the Kinesis JSON 1.1 wire format.
type jsonCodec struct{}

func (jsonCodec) mediaType() string { return contentType }

func (jsonCodec) encode(v any) ([]byte, error) { return json.Marshal(v) }

func (jsonCodec) decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return badRequest(ErrSerialization, "member %s: JSON %s cannot be read as %s", te.Field, te.Value, te.Type)
		}
		return badRequest(ErrSerialization, "request body is not valid JSON: %v", err)
	}
	return nil
}
