// Package kinesisapi serves the bundled log engine (package engine) over the Amazon Kinesis Data
// Streams JSON 1.1 HTTP API, so unmodified AWS clients — aws-sdk-go-v2, the AWS CLI, the KCL's
// polling reader — talk to it on loopback.
//
// Requests are POSTs with X-Amz-Target: Kinesis_20131202.<Operation> and a JSON body
// (application/x-amz-json-1.1); blobs are base64 and timestamps epoch seconds. Errors are the real
// Kinesis exception types with HTTP 400 ({"__type": "ResourceNotFoundException", "message": "…"}
// plus an x-amzn-ErrorType header); only a real internal error is a 500 InternalFailure.
// SubscribeToShard streams AWS event stream messages in its response body. The same operations are
// served in CBOR (application/x-amz-cbor-1.1, the AWS SDK for Java's default; see cbor.go), the
// SubscribeToShard event payloads excepted (JSON).
package kinesisapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamcap/streamcap/bench/engine"
)

// Exception names the HTTP layer returns besides the engine's own (engine.Err…).
const (
	ErrSerialization         = "SerializationException"
	ErrUnknownOperation      = "UnknownOperationException"
	ErrInternalFailure       = "InternalFailure"
	ErrUnrecognizedClient    = "UnrecognizedClientException"
	ErrInvalidSignature      = "InvalidSignatureException"
	ErrMissingAuthToken      = "MissingAuthenticationTokenException"
	ErrIncompleteSignature   = "IncompleteSignatureException"
	ErrRequestEntityTooLarge = "RequestEntityTooLargeException"
)

// targetPrefix is the X-Amz-Target namespace of Kinesis Data Streams.
const targetPrefix = "Kinesis_20131202."

// contentType is the media type of every request and response body.
const contentType = "application/x-amz-json-1.1"

// DefaultMaxBodyBytes caps a request body: a PutRecords call carries at most 10 MiB of record data
// and partition keys, which base64 inflates by 4/3, plus JSON framing of up to 500 entries (under
// 1 MiB even with 256-character keys and explicit hash keys). Anything larger is refused with 413
// before it is parsed.
const DefaultMaxBodyBytes = 10<<20*4/3 + 1<<20

// Credentials are the static credentials SigV4-signed requests must be signed with.
type Credentials struct {
	// AccessKeyID is the expected access key ID (the Credential= part of the Authorization header).
	AccessKeyID string
	// SecretAccessKey is the secret the signature is verified with.
	SecretAccessKey string
}

// HandlerOptions configures NewHandler. The zero value serves without authentication.
type HandlerOptions struct {
	// Auth, when set, makes every request carry a valid AWS Signature Version 4 (Authorization
	// header) made with these credentials; others fail like AWS does (UnrecognizedClientException
	// for an unknown key, InvalidSignatureException for a bad signature). Nil disables checking.
	Auth *Credentials
	// Logger receives internal failures and recovered panics; nil discards them.
	Logger *slog.Logger
	// Clock is the time source for the SigV4 clock-skew check (15 minutes, like AWS); nil means the
	// real clock.
	Clock engine.Clock
	// MaxBodyBytes caps a request body in bytes; 0 means DefaultMaxBodyBytes. Larger bodies get a
	// 413 RequestEntityTooLargeException.
	MaxBodyBytes int64
}

// Handler serves the Kinesis JSON 1.1 API over an engine. It is safe for concurrent use.
type Handler struct {
	e       *engine.Engine
	auth    *Credentials
	log     *slog.Logger
	clock   engine.Clock
	maxBody int64
	bufs    sync.Pool // *bytes.Buffer for request bodies
	arenas  sync.Pool // *[]byte: decoded PutRecords blobs (see decodePutRecordsFastInto)
	reqID   atomic.Uint64
	subs    context.Context // cancelled by EndSubscriptions
	endSubs context.CancelFunc
}

var _ http.Handler = (*Handler)(nil)

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// NewHandler returns a Handler (an http.Handler) serving the Kinesis API over e. The caller keeps
// ownership of e and closes it after the server has stopped.
func NewHandler(e *engine.Engine, opts HandlerOptions) *Handler {
	h := &Handler{e: e, auth: opts.Auth, log: opts.Logger, clock: opts.Clock, maxBody: opts.MaxBodyBytes}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.clock == nil {
		h.clock = realClock{}
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	h.bufs.New = func() any { return new(bytes.Buffer) }
	h.subs, h.endSubs = context.WithCancel(context.Background())
	return h
}

// EndSubscriptions ends every open SubscribeToShard stream (clients see the stream end, as after
// the 5-minute subscription lifetime, and subscribe again). Call it before http.Server.Shutdown,
// which does not wait for such long-lived responses to end by themselves; Serve does this.
func (h *Handler) EndSubscriptions() { h.endSubs() }

// apiError is an error answered to the client: a Kinesis exception name, a message and a status.
type apiError struct {
	Type    string
	Message string
	Status  int
}

func (e *apiError) Error() string { return e.Type + ": " + e.Message }

func newErr(typ string, status int, format string, args ...any) *apiError {
	return &apiError{Type: typ, Status: status, Message: fmt.Sprintf(format, args...)}
}

func badRequest(typ, format string, args ...any) *apiError {
	return newErr(typ, http.StatusBadRequest, format, args...)
}

// ServeHTTP answers one Kinesis API call. It never panics: a panic in an operation is recovered,
// logged and answered with 500 InternalFailure.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := h.requestID()
	w.Header().Set("x-amzn-RequestId", id)
	wire, _ := codecOf(r.Header.Get("Content-Type")) // an unknown type is refused in JSON by serve
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.log.Error("kinesis api: panic serving request", "request_id", id, "target", r.Header.Get("X-Amz-Target"),
				"panic", p, "stack", string(debug.Stack()))
			h.writeError(w, wire, newErr(ErrInternalFailure, http.StatusInternalServerError, "internal failure (request %s)", id))
		}
	}()
	buf := h.bufs.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 { // don't pin huge buffers
			buf.Reset()
			h.bufs.Put(buf)
		}
	}()
	out, err := h.serve(r, buf)
	if err != nil {
		h.writeError(w, wire, h.toAPIError(err, r, id))
		return
	}
	if stream, ok := out.(streamResponse); ok {
		stream(w)
		return
	}
	b, err := wire.marshal(out)
	if err != nil {
		h.writeError(w, wire, h.toAPIError(fmt.Errorf("encode response: %w", err), r, id))
		return
	}
	w.Header().Set("Content-Type", wire.mediaType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

// requestID numbers requests for the x-amzn-RequestId header and the logs.
func (h *Handler) requestID() string {
	return "streamcap-" + strconv.FormatUint(h.reqID.Add(1), 10)
}

// serve reads, authenticates and dispatches one request.
func (h *Handler) serve(r *http.Request, buf *bytes.Buffer) (any, error) {
	if r.Method != http.MethodPost {
		return nil, badRequest(ErrUnknownOperation, "method %s: Kinesis API calls must be POST", r.Method)
	}
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, targetPrefix)
	if !ok || op == "" {
		return nil, badRequest(ErrUnknownOperation, "X-Amz-Target %q: must be %s<Operation>", target, targetPrefix)
	}
	ct := r.Header.Get("Content-Type")
	wire, ok := codecOf(ct)
	if !ok {
		return nil, badRequest(ErrSerialization, "Content-Type %q: only application/x-amz-json-1.1 (or 1.0) and application/x-amz-cbor-1.1 are served", ct)
	}
	if r.ContentLength > h.maxBody {
		return nil, newErr(ErrRequestEntityTooLarge, http.StatusRequestEntityTooLarge, "request body of %d bytes: must be at most %d bytes", r.ContentLength, h.maxBody)
	}
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	if _, err := buf.ReadFrom(io.LimitReader(r.Body, h.maxBody+1)); err != nil {
		return nil, badRequest(ErrSerialization, "read request body: %v", err)
	}
	if int64(buf.Len()) > h.maxBody {
		return nil, newErr(ErrRequestEntityTooLarge, http.StatusRequestEntityTooLarge, "request body: more than %d bytes", h.maxBody)
	}
	body := buf.Bytes()
	if h.auth != nil {
		if err := h.verifySigV4(r, body); err != nil {
			return nil, err
		}
	}
	if wire.cbor && op == "PutRecords" {
		if out, ok, err := h.putRecordsCBOR(body); ok {
			return out, err
		}
	}
	body, err := wire.requestJSON(body) // after SigV4: the signature covers the bytes sent
	if err != nil {
		return nil, err
	}
	return h.dispatch(r.Context(), op, body)
}

func isJSONContentType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	switch strings.TrimSpace(strings.ToLower(mt)) {
	case "application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json":
		return true
	}
	return false
}

// toAPIError maps an operation error to what the client sees. Engine errors keep their Kinesis
// exception name; anything else is an internal failure, logged.
func (h *Handler) toAPIError(err error, r *http.Request, id string) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var ee *engine.Error
	if errors.As(err, &ee) {
		return badRequest(ee.Code, "%s", ee.Message)
	}
	h.log.Error("kinesis api: internal failure", "request_id", id, "target", r.Header.Get("X-Amz-Target"), "err", err)
	return newErr(ErrInternalFailure, http.StatusInternalServerError, "internal failure (request %s): %v", id, err)
}

func (h *Handler) writeError(w http.ResponseWriter, wire wireCodec, e *apiError) {
	b, _ := wire.marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.Type, e.Message})
	w.Header().Set("Content-Type", wire.mediaType)
	w.Header().Set("x-amzn-ErrorType", e.Type)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}

// decode unmarshals a request body into v. An empty body means {}. Malformed JSON and members of
// the wrong type fail with SerializationException, as Kinesis does.
func decode(body []byte, v any) error {
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
