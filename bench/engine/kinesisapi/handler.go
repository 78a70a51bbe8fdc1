// Package kinesisapi serves the bundled log engine (package engine) over the Amazon Kinesis Data
// Streams JSON 1.1 HTTP API, so unmodified AWS clients — aws-sdk-go-v2, the AWS CLI, the KCL's
// polling reader — talk to it on loopback.
//
// Requests are POSTs with X-Amz-Target: Kinesis_20131202.<Operation> and a JSON body
// (application/x-amz-json-1.1); blobs are base64 and timestamps epoch seconds. Errors are the real
// Kinesis exception types ({"__type": "ResourceNotFoundException", "message": "…"} plus an
// x-amzn-ErrorType header), with HTTP 400 for the service's own exceptions, 403 for failed
// authentication, 413 for an oversized body, 408 for a body that did not arrive in time, 503 when
// the server holds as many body bytes as it allows, and 500 InternalFailure for a real internal
// error. SubscribeToShard streams AWS event stream messages in its response body.
//
// Hostile clients cannot make the server allocate from what they declare: bodies are read into
// buffers that grow with the bytes received, charged to a budget shared by all connections, within
// a deadline; with authentication on, everything the headers can prove is checked before the body
// is read.
//
// The same operations are served in CBOR (application/x-amz-cbor-1.1, the AWS SDK for Java's
// default; see cbor.go), the SubscribeToShard event payloads excepted (JSON).
package kinesisapi

import (
	"context"
	"errors"
	"fmt"
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
	// ErrServiceUnavailable answers a request refused because the server holds as many request
	// body bytes as it allows (HTTP 503, which every AWS SDK retries with backoff).
	ErrServiceUnavailable = "ServiceUnavailable"
	// ErrRequestTimeout answers a request whose body did not arrive within the body deadline.
	ErrRequestTimeout = "RequestTimeoutException"
)

// targetPrefix is the X-Amz-Target namespace of Kinesis Data Streams.
const targetPrefix = "Kinesis_20131202."

// contentType is the media type of every JSON request and response body.
const contentType = "application/x-amz-json-1.1"

// DefaultMaxBodyBytes caps a request body: a PutRecords call carries at most 10 MiB of record data
// and partition keys, which base64 inflates by 4/3, plus JSON framing of up to 500 entries (under
// 1 MiB even with 256-character keys and explicit hash keys). Anything larger is refused with 413
// before it is parsed.
const DefaultMaxBodyBytes = 10<<20*4/3 + 1<<20

// DefaultMaxBodyBytesInFlight caps the request body bytes held across all connections at once
// (128 MiB: nine largest-possible PutRecords bodies, or hundreds of typical ones). Bodies are
// charged for the bytes received as they arrive; one that would take the total past the cap is
// refused with a retryable 503 ServiceUnavailable.
const DefaultMaxBodyBytesInFlight = 128 << 20

// DefaultBodyReadTimeout bounds how long a request body may take to arrive once its headers have:
// a client that drips a body slower than that is cut off with 408 RequestTimeoutException. Thirty
// seconds moves the largest body (about 14 MiB) at 0.5 MiB/s.
const DefaultBodyReadTimeout = 30 * time.Second

// DefaultRegion is the region requests must be signed for unless HandlerOptions.Region says
// otherwise.
const DefaultRegion = "us-east-1"

// signingService is the service name of Kinesis Data Streams in a SigV4 credential scope.
const signingService = "kinesis"

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
	// header) made with these credentials for Region and service "kinesis", with host, x-amz-date
	// and x-amz-target among the signed headers; others fail like AWS does (see sigv4.go).
	// Nil disables checking.
	Auth *Credentials
	// Region is the region signed requests must name in their credential scope; "" means
	// DefaultRegion.
	Region string
	// Logger receives internal failures, recovered panics and refused bodies; nil discards them.
	Logger *slog.Logger
	// Clock is the time source for the SigV4 clock-skew check (15 minutes, like AWS); nil means the
	// real clock.
	Clock engine.Clock
	// MaxBodyBytes caps a request body in bytes; 0 means DefaultMaxBodyBytes. Larger bodies get a
	// 413 RequestEntityTooLargeException.
	MaxBodyBytes int64
	// MaxBodyBytesInFlight caps the body buffer bytes held across all requests at once; 0 means
	// DefaultMaxBodyBytesInFlight. It is raised to MaxBodyBytes if smaller, so that a largest
	// body can always be admitted on its own.
	MaxBodyBytesInFlight int64
	// BodyReadTimeout bounds the time a request body may take to arrive; 0 means
	// DefaultBodyReadTimeout.
	BodyReadTimeout time.Duration
}

// HandlerStats counts requests the handler refused to protect itself.
type HandlerStats struct {
	// BodyRefusals counts requests refused with 503 because the body bytes in flight were at
	// the cap.
	BodyRefusals int64
	// BodyTimeouts counts requests whose body did not arrive within the body read timeout.
	BodyTimeouts int64
	// BodyBytesInFlight is the body bytes reserved by requests being read or served right now.
	BodyBytesInFlight int64
}

// Handler serves the Kinesis JSON 1.1 API over an engine. It is safe for concurrent use.
type Handler struct {
	e           *engine.Engine
	auth        *Credentials
	region      string
	log         *slog.Logger
	clock       engine.Clock
	maxBody     int64
	bodyTimeout time.Duration
	budget      bodyBudget
	bufs        sync.Pool // *[]byte for request bodies
	arenas      sync.Pool // *[]byte: decoded PutRecords blobs (see decodePutRecordsFastInto)
	reads       sync.Pool // *engine.ReadBuffers: GetRecords answers until they are written
	reqID       atomic.Uint64
	subs        context.Context // cancelled by EndSubscriptions
	endSubs     context.CancelFunc
}

var _ http.Handler = (*Handler)(nil)

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// NewHandler returns a Handler (an http.Handler) serving the Kinesis API over e. The caller keeps
// ownership of e and closes it after the server has stopped.
func NewHandler(e *engine.Engine, opts HandlerOptions) *Handler {
	h := &Handler{e: e, auth: opts.Auth, region: opts.Region, log: opts.Logger, clock: opts.Clock,
		maxBody: opts.MaxBodyBytes, bodyTimeout: opts.BodyReadTimeout}
	if h.region == "" {
		h.region = DefaultRegion
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.clock == nil {
		h.clock = realClock{}
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.bodyTimeout <= 0 {
		h.bodyTimeout = DefaultBodyReadTimeout
	}
	h.budget.limit = opts.MaxBodyBytesInFlight
	if h.budget.limit <= 0 {
		h.budget.limit = DefaultMaxBodyBytesInFlight
	}
	h.budget.limit = max(h.budget.limit, h.maxBody)
	h.bufs.New = func() any { return new([]byte) }
	h.reads.New = func() any { return new(engine.ReadBuffers) }
	h.subs, h.endSubs = context.WithCancel(context.Background())
	return h
}

// Stats returns the handler's self-protection counters.
func (h *Handler) Stats() HandlerStats {
	return HandlerStats{BodyRefusals: h.budget.refused.Load(), BodyTimeouts: h.budget.timeouts.Load(),
		BodyBytesInFlight: h.budget.used.Load()}
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
	c := codecJSON
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.log.Error("kinesis api: panic serving request", "request_id", id, "target", r.Header.Get("X-Amz-Target"),
				"panic", p, "stack", string(debug.Stack()))
			h.writeError(w, c, newErr(ErrInternalFailure, http.StatusInternalServerError, "internal failure (request %s)", id))
		}
	}()
	buf := h.bufs.Get().(*[]byte)
	defer func() {
		if cap(*buf) <= 1<<20 { // don't pin huge buffers
			*buf = (*buf)[:0]
			h.bufs.Put(buf)
		}
	}()
	var (
		out      any
		err      error
		release  func()
		bodyDone bool
	)
	c, out, release, err = h.serve(w, r, buf, &bodyDone)
	if release != nil {
		defer release()
	}
	if err != nil {
		if !bodyDone {
			abandonBody(w, r)
		}
		h.writeError(w, c, h.toAPIError(err, r, id))
		return
	}
	if stream, ok := out.(streamResponse); ok {
		stream(w)
		return
	}
	b, err := c.encode(out)
	if err != nil {
		h.writeError(w, c, h.toAPIError(fmt.Errorf("encode response: %w", err), r, id))
		return
	}
	w.Header().Set("Content-Type", c.mediaType())
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

// requestID numbers requests for the x-amzn-RequestId header and the logs.
func (h *Handler) requestID() string {
	return "streamcap-" + strconv.FormatUint(h.reqID.Add(1), 10)
}

// serve checks the headers of one request (method, target, content type, signature), then reads
// its body (bounded in size, time and, across requests, in bytes held) and dispatches it. It
// returns the codec errors are to be written in and, once body memory is charged, the function
// that releases it after the response is written; *bodyDone tells whether the body was read to
// its end.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, buf *[]byte, bodyDone *bool) (codec, any, func(), error) {
	if r.Method != http.MethodPost {
		return codecJSON, nil, nil, badRequest(ErrUnknownOperation, "method %s: Kinesis API calls must be POST", r.Method)
	}
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, targetPrefix)
	if !ok || op == "" {
		return codecJSON, nil, nil, badRequest(ErrUnknownOperation, "X-Amz-Target %q: must be %s<Operation>", target, targetPrefix)
	}
	ct := r.Header.Get("Content-Type")
	c, ok := codecFor(ct)
	if !ok {
		return codecJSON, nil, nil, badRequest(ErrSerialization, "Content-Type %q: only application/x-amz-json-1.1 (or 1.0) and application/x-amz-cbor-1.1 are served", ct)
	}
	// Everything the headers can prove is checked before a byte of the body is read, so an
	// unsigned or mis-signed client costs no body memory.
	var sig *sigV4Header
	if h.auth != nil {
		var err error
		if sig, err = h.checkSigV4Headers(r); err != nil {
			return c, nil, nil, err
		}
	}
	release, err := h.readBody(w, r, buf, bodyDone)
	if err != nil {
		return c, nil, release, err
	}
	body := *buf
	if sig != nil {
		if err := h.checkSigV4Payload(r, sig, body); err != nil {
			return c, nil, release, err
		}
	}
	rq := &request{ctx: r.Context(), body: body, codec: c}
	out, err := h.dispatch(op, rq)
	if rq.written != nil { // after the answer is written (or failed), with the body's memory
		bodyRelease, written := release, rq.written
		release = func() {
			written()
			if bodyRelease != nil {
				bodyRelease()
			}
		}
	}
	return c, out, release, err
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
		if ee.Code == engine.ErrServiceUnavailable { // a storage failure that changed nothing: retryable
			return newErr(ee.Code, http.StatusServiceUnavailable, "%s", ee.Message)
		}
		return badRequest(ee.Code, "%s", ee.Message)
	}
	h.log.Error("kinesis api: internal failure", "request_id", id, "target", r.Header.Get("X-Amz-Target"), "err", err)
	return newErr(ErrInternalFailure, http.StatusInternalServerError, "internal failure (request %s): %v", id, err)
}

// errorDocument is the body of an error answer: {"__type": "…", "message": "…"}.
type errorDocument struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

func (h *Handler) writeError(w http.ResponseWriter, c codec, e *apiError) {
	b, err := c.encode(errorDocument{e.Type, e.Message})
	if err != nil {
		c = codecJSON
		b, _ = c.encode(errorDocument{e.Type, e.Message})
	}
	w.Header().Set("Content-Type", c.mediaType())
	w.Header().Set("x-amzn-ErrorType", e.Type)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}
