package kinesisapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// TestDeriveSigningKey checks the key derivation against the worked example of the AWS
// Signature Version 4 documentation (secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
// 20120215, us-east-1, iam).
func TestDeriveSigningKey(t *testing.T) {
	t.Parallel()
	got := hex.EncodeToString(deriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam"))
	const want = "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
	if got != want {
		t.Fatalf("signing key = %s, want %s", got, want)
	}
}

func TestSigV4(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, serverConfig{opts: HandlerOptions{Auth: &Credentials{AccessKeyID: "AKIDSTREAMCAP", SecretAccessKey: "s3cr3t"}}})
	ctx := testCtx(t)

	// The real SDK signs; the right credentials pass.
	good := newSDKClient(ts.srv.URL, "AKIDSTREAMCAP", "s3cr3t")
	if _, err := good.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatalf("signed request refused: %v", err)
	}
	if _, err := good.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: bytes.Repeat([]byte{7}, 3000)}); err != nil {
		t.Fatalf("signed PutRecord refused: %v", err)
	}

	cases := []struct {
		name, key, secret, want string
	}{
		{"wrong secret", "AKIDSTREAMCAP", "guess", "InvalidSignatureException"},
		{"unknown key", "AKIDOTHER", "s3cr3t", "UnrecognizedClientException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := newSDKClient(ts.srv.URL, c.key, c.secret).ListStreams(ctx, &kinesis.ListStreamsInput{})
			if got := apiCode(t, err); got != c.want {
				t.Fatalf("error %v, want %s", err, c.want)
			}
		})
	}

	// Raw requests signed with the SDK's signer, then tampered with.
	signFor := func(body []byte, at time.Time, secret, service, region string) *http.Request {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.srv.URL+"/", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("X-Amz-Target", targetPrefix+"ListStreams")
		sum := sha256.Sum256(body)
		creds := aws.Credentials{AccessKeyID: "AKIDSTREAMCAP", SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), service, region, at); err != nil {
			t.Fatal(err)
		}
		return req
	}
	sign := func(body []byte, at time.Time, secret string) *http.Request {
		return signFor(body, at, secret, "kinesis", "us-east-1")
	}
	do := func(req *http.Request) (int, string) {
		resp, err := ts.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("X-Amzn-Errortype")
	}
	raw := []struct {
		name   string
		req    func() *http.Request
		status int
		typ    string
	}{
		{"signed raw request", func() *http.Request { return sign([]byte(`{}`), time.Now(), "s3cr3t") }, 200, ""},
		{"body changed after signing", func() *http.Request {
			r := sign([]byte(`{}`), time.Now(), "s3cr3t")
			r.Body = http.NoBody
			r.ContentLength = 0
			return r
		}, 403, "InvalidSignatureException"},
		{"signed header changed", func() *http.Request {
			r := sign([]byte(`{}`), time.Now(), "s3cr3t")
			r.Header.Set("X-Amz-Target", targetPrefix+"DescribeStreamSummary")
			return r
		}, 403, "InvalidSignatureException"},
		{"signed 20 minutes ago", func() *http.Request { return sign([]byte(`{}`), time.Now().Add(-20*time.Minute), "s3cr3t") }, 400, "InvalidSignatureException"},
		{"signed for another region", func() *http.Request {
			return signFor([]byte(`{}`), time.Now(), "s3cr3t", "kinesis", "eu-west-1")
		}, 403, "InvalidSignatureException"},
		{"signed for another service", func() *http.Request {
			return signFor([]byte(`{}`), time.Now(), "s3cr3t", "dynamodb", "us-east-1")
		}, 403, "InvalidSignatureException"},
		{"unsigned", func() *http.Request {
			r := sign([]byte(`{}`), time.Now(), "s3cr3t")
			r.Header.Del("Authorization")
			return r
		}, 403, "MissingAuthenticationTokenException"},
		{"garbled authorization", func() *http.Request {
			r := sign([]byte(`{}`), time.Now(), "s3cr3t")
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDSTREAMCAP")
			return r
		}, 400, "IncompleteSignatureException"},
	}
	for _, c := range raw {
		t.Run(c.name, func(t *testing.T) {
			status, typ := do(c.req())
			if status != c.status || typ != c.typ {
				t.Fatalf("got %d %q, want %d %q", status, typ, c.status, c.typ)
			}
		})
	}
}

func TestParseCredentials(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, id, secret, err string
	}{
		{"plain", "AKID:secret", "AKID", "secret", ""},
		{"colon in secret", "AKID:se:cr:et", "AKID", "se:cr:et", ""},
		{"no colon", "AKID", "", "", `auth "AKID": must be ACCESS_KEY_ID:SECRET_ACCESS_KEY, both non-empty`},
		{"empty secret", "AKID:", "", "", `auth "AKID:****": must be ACCESS_KEY_ID:SECRET_ACCESS_KEY, both non-empty`},
		{"empty id", ":secret", "", "", `auth ":****": must be ACCESS_KEY_ID:SECRET_ACCESS_KEY, both non-empty`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseCredentials(c.in)
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("error %v, want %s", err, c.err)
				}
				return
			}
			if err != nil || got.AccessKeyID != c.id || got.SecretAccessKey != c.secret {
				t.Fatalf("got %+v, %v; want %s / %s", got, err, c.id, c.secret)
			}
		})
	}
}

// selfSign signs req for region us-east-1 and service kinesis over exactly the signedHeaders
// given (the SDK's signer always signs every header, so it cannot make the weak signatures
// the server must refuse). The signature is valid for those headers.
func selfSign(t *testing.T, req *http.Request, body []byte, secret string, signedHeaders []string, at time.Time) {
	t.Helper()
	amzDate := at.UTC().Format(amzDateFormat)
	req.Header.Set("X-Amz-Date", amzDate)
	sum := sha256.Sum256(body)
	crSum := sha256.Sum256([]byte(canonicalRequest(req, signedHeaders, hex.EncodeToString(sum[:]))))
	scope := amzDate[:8] + "/us-east-1/kinesis/aws4_request"
	sts := sigV4Algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(crSum[:])
	sig := hmacSHA256(deriveSigningKey(secret, amzDate[:8], "us-east-1", "kinesis"), []byte(sts))
	req.Header.Set("Authorization", sigV4Algorithm+" Credential=AKIDSTREAMCAP/"+scope+", SignedHeaders="+strings.Join(signedHeaders, ";")+", Signature="+hex.EncodeToString(sig))
}

// TestSigV4Replay replays a signed DescribeStreamSummary as DeleteStream by changing X-Amz-Target
// (issue 9, item 9). A signature made by the SDK covers X-Amz-Target, so the replay fails to
// verify; a signature that leaves X-Amz-Target (or host, or x-amz-date) out of SignedHeaders is
// refused outright, whatever the operation. The stream survives every attempt.
func TestSigV4Replay(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, serverConfig{opts: HandlerOptions{Auth: &Credentials{AccessKeyID: "AKIDSTREAMCAP", SecretAccessKey: "s3cr3t"}}})
	ctx := testCtx(t)
	good := newSDKClient(ts.srv.URL, "AKIDSTREAMCAP", "s3cr3t")
	if _, err := good.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("victim"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"StreamName":"victim"}`)
	newReq := func(op string) *http.Request {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.srv.URL+"/", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("X-Amz-Target", targetPrefix+op)
		return req
	}
	sdkSigned := func(op string) *http.Request {
		req := newReq(op)
		sum := sha256.Sum256(body)
		creds := aws.Credentials{AccessKeyID: "AKIDSTREAMCAP", SecretAccessKey: "s3cr3t"}
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "kinesis", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		return req
	}
	weak := func(headers ...string) func(op string) *http.Request {
		return func(op string) *http.Request {
			req := newReq(op)
			selfSign(t, req, body, "s3cr3t", headers, time.Now())
			return req
		}
	}
	cases := []struct {
		name     string
		sign     func(op string) *http.Request
		original int    // status of the request as signed (DescribeStreamSummary)
		replay   string // "STATUS TYPE" of the replay as DeleteStream
	}{
		{"SDK signature", sdkSigned, 200, "403 " + ErrInvalidSignature},
		{"SignedHeaders=host", weak("host"), 400, "400 " + ErrIncompleteSignature},
		{"SignedHeaders=host;x-amz-date", weak("host", "x-amz-date"), 400, "400 " + ErrIncompleteSignature},
		{"SignedHeaders=x-amz-date;x-amz-target", weak("x-amz-date", "x-amz-target"), 400, "400 " + ErrIncompleteSignature},
		{"SignedHeaders=host;x-amz-date;x-amz-target", weak("host", "x-amz-date", "x-amz-target"), 200, "403 " + ErrInvalidSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			orig := c.sign("DescribeStreamSummary")
			resp, err := ts.srv.Client().Do(orig)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.original {
				t.Fatalf("DescribeStreamSummary as signed: status %d (%s), want %d", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), c.original)
			}
			replay := c.sign("DescribeStreamSummary")
			replay.Header.Set("X-Amz-Target", targetPrefix+"DeleteStream")
			resp, err = ts.srv.Client().Do(replay)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := fmt.Sprintf("%d %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype")); got != c.replay {
				t.Fatalf("replayed as DeleteStream: %s, want %s", got, c.replay)
			}
			if _, err := ts.e.DescribeStream("victim"); err != nil {
				t.Fatalf("stream gone after the replay: %v", err)
			}
		})
	}
}

func TestResolveCredentials(t *testing.T) {
	t.Parallel()
	env := map[string]string{"STREAMCAP_AUTH_SECRET": "from-env", "OTHER_SECRET": "other"}
	getenv := func(k string) string { return env[k] }
	cases := []struct {
		name, flag, envName, id, secret, err string
	}{
		{"no auth", "", "", "", "", ""},
		{"secret on the command line", "AKID:s3cr3t", "", "AKID", "s3cr3t", ""},
		{"secret from the default variable", "AKID", "", "AKID", "from-env", ""},
		{"secret from a named variable", "AKID", "OTHER_SECRET", "AKID", "other", ""},
		{"variable unset", "AKID", "MISSING_SECRET", "", "", `auth "AKID": no secret: set the environment variable MISSING_SECRET to the secret access key (or pass ACCESS_KEY_ID:SECRET, which shows it in ps)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ResolveCredentials(c.flag, c.envName, getenv)
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("error %v, want %s", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.id == "" {
				if got != nil {
					t.Fatalf("got %+v, want no credentials", got)
				}
				return
			}
			if got == nil || got.AccessKeyID != c.id || got.SecretAccessKey != c.secret {
				t.Fatalf("got %+v, want %s / %s", got, c.id, c.secret)
			}
		})
	}
}
