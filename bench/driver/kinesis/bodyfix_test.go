package kinesis

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// closingBody behaves like smithy-go's request body (internal/io.safeWriteToReadCloser): once
// closed, Read reports io.EOF, and so does WriteTo, as an error. Once drained, its WriteTo (net/
// http's check that nothing follows the declared length) waits until the caller has closed it,
// the order that a server answering within microseconds produces by chance.
type closingBody struct {
	r      *bytes.Reader
	closed chan struct{}
	once   sync.Once
}

func newClosingBody(b []byte) *closingBody {
	return &closingBody{r: bytes.NewReader(b), closed: make(chan struct{})}
}

func (b *closingBody) isClosed() bool {
	select {
	case <-b.closed:
		return true
	default:
		return false
	}
}

func (b *closingBody) Read(p []byte) (int, error) {
	if b.isClosed() {
		return 0, io.EOF
	}
	return b.r.Read(p)
}

func (b *closingBody) WriteTo(w io.Writer) (int64, error) {
	if b.r.Len() == 0 {
		select {
		case <-b.closed:
		case <-time.After(5 * time.Second):
		}
	}
	if b.isClosed() {
		return 0, io.EOF
	}
	return b.r.WriteTo(w)
}

func (b *closingBody) Close() error { b.once.Do(func() { close(b.closed) }); return nil }

// The SDK closes the request body once the response headers arrive. With the body's WriteTo
// visible, net/http's last check reads the closed body, gets io.EOF as an error and closes the
// connection under the response; through SafeBodies the response arrives whole.
func TestSafeBodiesKeepTheResponse(t *testing.T) {
	const answer = `{"FailedRecordCount":0,"Records":[]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			t.Errorf("server read: %v", err)
		}
		w.Header().Set("Content-Length", "1000000")
		w.Write([]byte(answer))
		w.(http.Flusher).Flush()
		time.Sleep(50 * time.Millisecond) // the rest of a large answer is still on its way
		w.Write(bytes.Repeat([]byte(" "), 1000000-len(answer)))
	}))
	defer srv.Close()
	call := func(hc interface {
		Do(*http.Request) (*http.Response, error)
	}) error {
		body := newClosingBody(bytes.Repeat([]byte("x"), 64<<10))
		req, err := http.NewRequest(http.MethodPost, srv.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Body, req.ContentLength = body, int64(body.r.Len())
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body.Close() // as smithy-go does once the headers are in
		_, err = io.ReadAll(resp.Body)
		return err
	}
	raw := &http.Client{Transport: &http.Transport{}}
	if err := call(raw); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("without SafeBodies: err %v, want the connection closed under the response (the race this guards)", err)
	}
	if err := call(SafeBodies(&http.Client{Transport: &http.Transport{}})); err != nil {
		t.Fatalf("with SafeBodies: %v", err)
	}
}

// doFunc is an aws.HTTPClient made of a function.
type doFunc func(*http.Request) (*http.Response, error)

func (f doFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

// net/http resends a request on a fresh connection with a body from GetBody: that body's WriteTo
// must be hidden as the first one's is, or the race above returns on a retry.
func TestSafeBodiesWrapRetriedBodies(t *testing.T) {
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/", newClosingBody([]byte("first")))
	if err != nil {
		t.Fatal(err)
	}
	req.GetBody = func() (io.ReadCloser, error) { return newClosingBody([]byte("again")), nil }
	var seen *http.Request
	_, _ = SafeBodies(doFunc(func(r *http.Request) (*http.Response, error) {
		seen = r
		return nil, io.ErrUnexpectedEOF
	})).Do(req)
	if _, ok := seen.Body.(io.WriterTo); ok {
		t.Error("the body still has WriteTo")
	}
	again, err := seen.GetBody()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := again.(io.WriterTo); ok {
		t.Error("GetBody's body still has WriteTo")
	}
	if b, _ := io.ReadAll(again); string(b) != "again" {
		t.Errorf("GetBody's body reads %q, want \"again\"", b)
	}
}
