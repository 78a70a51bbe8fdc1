package kinesisapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
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
