package kinesis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/segmentio/asm/base64"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// The SDK encodes a PutRecords body by growing a fresh buffer from 1 KiB
// (about twice the body in allocations, then one more copy): for 500 records
// of 1 KB that is ~2 MB of new memory per call, the largest part of the
// bench client's garbage, and on a machine where first touch of a page is
// slow, of its CPU. putRecordsProtocol encodes the same bytes into a buffer
// the batcher reuses across calls, with a vectorised base64 encoder
// (segmentio/asm: about 10 times the standard library's speed on 1 KB
// records, the same output); everything else (signing, HTTP, response
// decoding, other operations) stays the SDK's.

// putBodyKey is the context key of the *putBody a PutRecords call encodes
// its body into.
type putBodyKey struct{}

// putBody is a reusable PutRecords request body.
type putBody struct {
	buf  []byte
	r    bodyReader
	used bool // the last call's body was encoded here
}

// maxPooledBody is the largest body buffer kept for reuse (a full batch of
// 1 MiB records is 10 MiB before base64: those are rare and not pinned).
const maxPooledBody = 8 << 20

// bodyPool recycles putBodies between PutRecords calls.
type bodyPool struct{ p sync.Pool }

// get returns an empty body and a context carrying it for one call.
func (bp *bodyPool) get(ctx context.Context) (*putBody, context.Context) {
	pb, _ := bp.p.Get().(*putBody)
	if pb == nil {
		pb = &putBody{}
	}
	pb.used = false
	pb.r.reset(nil)
	return pb, context.WithValue(ctx, putBodyKey{}, pb)
}

// put takes pb back after its call returned, unless the HTTP transport may
// still read it: a body is reused only when it was read to its end after
// its last rewind (the transport's last read of it; a transport that gave
// up mid-body, or answered before sending it all, may still be writing it
// from another goroutine, so such a buffer is left to the collector).
func (bp *bodyPool) put(pb *putBody) {
	if !pb.reusable() {
		return
	}
	if cap(pb.buf) > maxPooledBody {
		pb.buf = nil
	}
	pb.r.reset(nil)
	bp.p.Put(pb)
}

// reusable reports whether nothing can read pb's buffer any more: the last
// call's body was not encoded here, or was read to its end since its last
// rewind.
func (pb *putBody) reusable() bool { return !pb.used || pb.r.eof.Load() }

// bodyReader reads a body from a byte slice, like bytes.Reader (seekable,
// with Len, so the SDK hashes it for SigV4 and rewinds it), and records
// whether it has been read to its end since the last rewind.
type bodyReader struct {
	b   []byte
	off int
	eof atomic.Bool
}

func (r *bodyReader) reset(b []byte) {
	r.b, r.off = b, 0
	r.eof.Store(false)
}

func (r *bodyReader) Read(p []byte) (int, error) {
	if r.off >= len(r.b) {
		r.eof.Store(true)
		return 0, io.EOF
	}
	n := copy(p, r.b[r.off:])
	r.off += n
	if r.off >= len(r.b) {
		// The last byte is out (as WriteTo marks it): net/http reads through a
		// LimitReader of the Content-Length, which stops here, and its check for
		// extra bytes may come after the SDK closed its wrapper of this reader.
		r.eof.Store(true)
	}
	return n, nil
}

// WriteTo writes the rest in one call (the SDK hashes the body with
// io.Copy, which would otherwise allocate a copy buffer).
func (r *bodyReader) WriteTo(w io.Writer) (int64, error) {
	if r.off >= len(r.b) {
		r.eof.Store(true)
		return 0, nil
	}
	n, err := w.Write(r.b[r.off:])
	r.off += n
	if err == nil && r.off >= len(r.b) {
		r.eof.Store(true)
	}
	return int64(n), err
}

func (r *bodyReader) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = int64(r.off) + offset
	case io.SeekEnd:
		abs = int64(len(r.b)) + offset
	default:
		return 0, fmt.Errorf("kinesis: request body: seek whence %d: must be 0, 1 or 2", whence)
	}
	if abs < 0 || abs > int64(len(r.b)) {
		return 0, fmt.Errorf("kinesis: request body: seek to %d: must be between 0 and %d", abs, len(r.b))
	}
	r.off = int(abs)
	if r.off < len(r.b) {
		r.eof.Store(false)
	}
	return abs, nil
}

// Len is the unread length (the SDK sets Content-Length from it).
func (r *bodyReader) Len() int { return len(r.b) - r.off }

// errNotFast is returned by encodePutRecords for an input it leaves to the
// SDK's encoder.
var errNotFast = errors.New("kinesis: PutRecords input needs the SDK's encoder")

// encodePutRecords appends in's awsJson 1.1 body to buf exactly as the SDK
// encodes it, for the inputs the batcher makes: records with Data and a
// PartitionKey (no ExplicitHashKey), a StreamName (no ARN or id, no DryRun),
// and names of printable ASCII needing no JSON escape. Anything else is
// errNotFast, and the SDK encodes it.
func encodePutRecords(buf []byte, in *kinesis.PutRecordsInput) ([]byte, error) {
	if in.Records == nil || in.StreamName == nil || in.StreamARN != nil || in.StreamId != nil || in.DryRun != nil || !plainJSON(*in.StreamName) {
		return buf, errNotFast
	}
	size := len(`{"Records":[],"StreamName":""}`) + len(*in.StreamName)
	for i := range in.Records {
		r := &in.Records[i]
		if r.Data == nil || r.PartitionKey == nil || r.ExplicitHashKey != nil || !plainJSON(*r.PartitionKey) {
			return buf, errNotFast
		}
		size += len(`{"Data":"","PartitionKey":""},`) + base64.StdEncoding.EncodedLen(len(r.Data)) + len(*r.PartitionKey)
	}
	if cap(buf)-len(buf) < size {
		buf = append(make([]byte, 0, len(buf)+size), buf...)
	}
	buf = append(buf, `{"Records":[`...)
	for i := range in.Records {
		r := &in.Records[i]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"Data":"`...)
		n := len(buf)
		buf = buf[:n+base64.StdEncoding.EncodedLen(len(r.Data))]
		base64.StdEncoding.Encode(buf[n:], r.Data)
		buf = append(buf, `","PartitionKey":"`...)
		buf = append(buf, *r.PartitionKey...)
		buf = append(buf, `"}`...)
	}
	buf = append(buf, `],"StreamName":"`...)
	buf = append(buf, *in.StreamName...)
	buf = append(buf, `"}`...)
	return buf, nil
}

// plainJSON reports whether s is printable ASCII without '"' or '\', which
// JSON (and the SDK) writes as it is.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// putRecordsProtocol is the SDK's awsJson 1.1 protocol with PutRecords
// bodies encoded into the *putBody the call's context carries (see
// bodyPool); without one, or for an input encodePutRecords leaves alone,
// the SDK encodes.
type putRecordsProtocol struct {
	smithyhttp.ClientProtocol
}

// Headers the awsJson 1.1 protocol sets on a Kinesis PutRecords request.
const (
	putRecordsTarget = "Kinesis_20131202.PutRecords"
	awsJSON11        = "application/x-amz-json-1.1"
)

// SerializeRequest encodes PutRecords into the call's reusable body and
// leaves every other request to the SDK.
func (p putRecordsProtocol) SerializeRequest(ctx context.Context, schema *smithy.OperationSchema, in smithy.Serializable, req *smithyhttp.Request) error {
	pb, _ := ctx.Value(putBodyKey{}).(*putBody)
	input, ok := in.(*kinesis.PutRecordsInput)
	if pb == nil || !ok || schema.ID().Name != "PutRecords" || schema.IsInputEventStream() {
		return p.ClientProtocol.SerializeRequest(ctx, schema, in, req)
	}
	buf, err := encodePutRecords(pb.buf[:0], input)
	if err != nil {
		return p.ClientProtocol.SerializeRequest(ctx, schema, in, req)
	}
	pb.buf, pb.used = buf, true
	pb.r.reset(buf)
	req.Method = http.MethodPost
	if len(req.URL.Path) == 0 {
		req.URL.Path = "/"
	}
	req.Header.Set("X-Amz-Target", putRecordsTarget)
	req.Header.Set("Content-Type", awsJSON11)
	sreq, err := req.SetStream(&pb.r)
	if err != nil {
		return fmt.Errorf("kinesis: set PutRecords body: %w", err)
	}
	*req = *sreq
	return nil
}
