package kinesis

import (
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// SafeBodies wraps an HTTP client for the AWS SDK so that a request body the SDK closes early
// does not cost the connection and the answer with it.
//
// smithy-go (through v1.28.9) wraps request bodies in a reader whose WriteTo returns io.EOF once
// the SDK has closed it, and the SDK closes it as soon as the response headers arrive. Against a
// server that answers within microseconds (the bundled engine on loopback), net/http is at that
// moment still making its last check that the body held no more than its Content-Length, gets
// the io.EOF as an error, and closes the connection under the response: the call fails with
// "https response error StatusCode: 200 ... deserialization failed ... use of closed network
// connection" although the server stored and acknowledged every record. Roughly one 500-record
// PutRecords call in a few thousand failed so. Hiding WriteTo makes net/http read the body
// instead, whose Read reports a closed body as a clean end.
func SafeBodies(next aws.HTTPClient) aws.HTTPClient { return safeBodies{next} }

type safeBodies struct{ next aws.HTTPClient }

// Do sends r with its body's WriteTo hidden, and that of every body GetBody makes (net/http
// sends one of those when it retries the request on a fresh connection).
func (c safeBodies) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = readOnlyBody{r.Body}
	}
	if get := r.GetBody; get != nil {
		r.GetBody = func() (io.ReadCloser, error) {
			b, err := get()
			if err != nil || b == nil || b == http.NoBody {
				return b, err
			}
			return readOnlyBody{b}, nil
		}
	}
	return c.next.Do(r)
}

// readOnlyBody exposes only Read and Close of a request body.
type readOnlyBody struct{ rc io.ReadCloser }

func (b readOnlyBody) Read(p []byte) (int, error) { return b.rc.Read(p) }
func (b readOnlyBody) Close() error               { return b.rc.Close() }
