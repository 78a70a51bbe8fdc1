package kinesisapi

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// bodyBudget caps the memory the handler holds in request body buffers across all connections.
// A body buffer starts small and grows (doubling, up to the declared length or the body cap) only
// as bytes arrive; each growth is charged to the budget before it is made (a buffer reused from
// the pool is charged its capacity first), and the charge is given back once the response is
// written. The buffers a growth leaves behind are garbage the collector reclaims.
// Nothing is ever allocated from a declared Content-Length: a client that declares 15 MB and sends
// one byte holds a 64 KiB buffer. A body whose next growth would take the total past the limit is
// refused with a retryable 503.
type bodyBudget struct {
	limit    int64
	used     atomic.Int64
	refused  atomic.Int64
	timeouts atomic.Int64
	lastLog  atomic.Int64 // unix second of the last refusal logged
}

// bodyFirstAlloc is the first buffer a body gets (bodies smaller than it get their exact size).
const bodyFirstAlloc = 64 << 10

// tryAcquire charges n bytes if that keeps the total within the limit.
func (b *bodyBudget) tryAcquire(n int64) bool {
	for {
		cur := b.used.Load()
		if cur+n > b.limit {
			return false
		}
		if b.used.CompareAndSwap(cur, cur+n) {
			return true
		}
	}
}

func (b *bodyBudget) release(n int64) {
	if n > 0 {
		b.used.Add(-n)
	}
}

// readBody reads the request body into *bp (whose capacity it may reuse or replace): at most
// maxBody bytes, within the body read timeout, charging the body budget for every buffer it uses.
// It sets *done once the body has been read to its end.
// The returned release gives the charge back; call it after the response is written, because the
// decoded request may alias the buffer until then.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request, bp *[]byte, done *bool) (release func(), err error) {
	declared := r.ContentLength
	if declared > h.maxBody {
		return nil, newErr(ErrRequestEntityTooLarge, http.StatusRequestEntityTooLarge, "request body of %d bytes: must be at most %d bytes", declared, h.maxBody)
	}
	*bp = (*bp)[:0]
	if declared == 0 || r.Body == nil || r.Body == http.NoBody {
		*done = true
		return nil, nil
	}
	var charged int64
	release = func() { h.budget.release(charged) }
	b := *bp
	defer func() { *bp = b }()
	if c := int64(cap(b)); c > 0 {
		if !h.budget.tryAcquire(c) {
			return release, h.refuseBody(r, declared)
		}
		charged = c
	}
	// One byte beyond the declared length (or the cap) is room to see the end of the body.
	ceiling := h.maxBody + 1
	if declared > 0 {
		ceiling = declared + 1
	}
	// The deadline covers the body only: once the body is in, it is cleared again so that
	// long-lived responses (SubscribeToShard) and the next request on the connection are not cut
	// off by it. A body abandoned half-read (timeout, refusal, error) ends the connection
	// instead: the deadline is moved to now, so the server does not wait for the rest of the
	// body before answering and closing.
	rc := http.NewResponseController(w)
	complete := false
	if err := rc.SetReadDeadline(time.Now().Add(h.bodyTimeout)); err == nil {
		defer func() {
			if complete {
				_ = rc.SetReadDeadline(time.Time{})
			}
		}()
	}
	for {
		if len(b) == cap(b) {
			if int64(cap(b)) >= ceiling {
				return release, newErr(ErrRequestEntityTooLarge, http.StatusRequestEntityTooLarge, "request body: more than %d bytes", h.maxBody)
			}
			grow := min(max(2*int64(cap(b)), bodyFirstAlloc), ceiling) - int64(cap(b))
			if !h.budget.tryAcquire(grow) {
				return release, h.refuseBody(r, declared)
			}
			charged += grow
			nb := make([]byte, len(b), int64(cap(b))+grow)
			copy(nb, b)
			b = nb
		}
		n, err := r.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		switch {
		case err == io.EOF:
			if int64(len(b)) > h.maxBody {
				return release, newErr(ErrRequestEntityTooLarge, http.StatusRequestEntityTooLarge, "request body: more than %d bytes", h.maxBody)
			}
			complete, *done = true, true
			return release, nil
		case isTimeout(err):
			h.budget.timeouts.Add(1)
			h.log.Warn("kinesis api: request body not received in time; connection closed",
				"remote", r.RemoteAddr, "received_bytes", len(b), "declared_bytes", declared, "timeout", h.bodyTimeout)
			return release, newErr(ErrRequestTimeout, http.StatusRequestTimeout, "request body: %d of %d bytes received in %s; send the body without pauses",
				len(b), declared, h.bodyTimeout)
		case err != nil:
			return release, badRequest(ErrSerialization, "read request body: %v", err)
		}
	}
}

// refuseBody counts and logs (at most once a second) a request refused for the body budget and
// returns the retryable error it is answered with.
func (h *Handler) refuseBody(r *http.Request, declared int64) error {
	n := h.budget.refused.Add(1)
	now := time.Now().Unix()
	if last := h.budget.lastLog.Load(); now > last && h.budget.lastLog.CompareAndSwap(last, now) {
		h.log.Warn("kinesis api: request refused: request body bytes in flight at the cap",
			"remote", r.RemoteAddr, "declared_bytes", declared, "in_flight_bytes", h.budget.used.Load(),
			"cap_bytes", h.budget.limit, "refused_total", n)
	}
	return newErr(ErrServiceUnavailable, http.StatusServiceUnavailable,
		"server busy: %d bytes of request bodies in flight, at most %d; retry with backoff", h.budget.used.Load(), h.budget.limit)
}

// isTimeout reports whether a body read failed on the read deadline (HTTP/1.1 or HTTP/2).
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// abandonBody ends the connection of a request answered before its body was read (refused from
// its headers, cut off by the deadline or the budget): the read deadline moves to now, so the
// server does not wait for the rest of the body before answering, and an HTTP/1.1 connection is
// closed after the answer. A client that declared a body and sends nothing more therefore holds
// nothing once it has its answer.
func abandonBody(w http.ResponseWriter, r *http.Request) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Now())
	if r.ProtoMajor == 1 {
		w.Header().Set("Connection", "close")
	}
}
