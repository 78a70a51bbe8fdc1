package kinesisapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SigV4 constants (AWS Signature Version 4, header form).
const (
	sigV4Algorithm = "AWS4-HMAC-SHA256"
	amzDateFormat  = "20060102T150405Z"
	maxClockSkew   = 15 * time.Minute // AWS refuses requests signed further from its clock
)

// requiredSignedHeaders must all be in SignedHeaders: host and x-amz-date as AWS requires for
// every SigV4 request, and x-amz-target because it names the operation — a signature that does
// not cover it could be replayed as any other operation (DescribeStreamSummary as DeleteStream).
var requiredSignedHeaders = []string{"host", "x-amz-date", "x-amz-target"}

// sigV4Header is what the Authorization and X-Amz-Date headers of a request said, checked before
// its body is read.
type sigV4Header struct {
	amzDate       string   // X-Amz-Date, 20060102T150405Z
	scope         []string // DATE, REGION, SERVICE, aws4_request
	signedHeaders []string // lowercase, sorted
	signature     []byte
}

// Status codes of the authentication errors follow the Common Errors of the Kinesis API reference
// (https://docs.aws.amazon.com/kinesis/latest/APIReference/CommonErrors.html):
// MissingAuthenticationToken and an unknown access key (InvalidClientTokenId there,
// UnrecognizedClientException on the JSON protocol) are 403; IncompleteSignature and an expired
// request (RequestExpired) are 400. A signature that does not verify, or is scoped to another
// region or service, is refused with 403 like every other failed authentication.
func authFailure(typ, format string, args ...any) *apiError {
	return newErr(typ, http.StatusForbidden, format, args...)
}

// checkSigV4Headers checks everything about a request's SigV4 signature that its headers alone can
// prove — presence, syntax, the access key, the clock, the credential scope and the signed-header
// policy — so that a request that cannot be authentic is refused before its body is read. The
// signature itself covers the body's hash and is verified by checkSigV4Payload.
func (h *Handler) checkSigV4Headers(r *http.Request) (*sigV4Header, error) {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return nil, authFailure(ErrMissingAuthToken, "Missing Authentication Token: this server requires SigV4-signed requests")
	}
	alg, rest, _ := strings.Cut(authz, " ")
	if alg != sigV4Algorithm {
		return nil, badRequest(ErrIncompleteSignature, "Authorization algorithm %q: must be %s", alg, sigV4Algorithm)
	}
	var cred, signed, sig string
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			sig = v
		}
	}
	scopeParts := strings.Split(cred, "/")
	if len(scopeParts) != 5 || scopeParts[4] != "aws4_request" || signed == "" || sig == "" {
		return nil, badRequest(ErrIncompleteSignature, "Authorization header: must hold Credential=KEY/DATE/REGION/SERVICE/aws4_request, SignedHeaders= and Signature=")
	}
	signature, err := hex.DecodeString(sig)
	if err != nil || len(signature) != sha256.Size {
		return nil, badRequest(ErrIncompleteSignature, "Signature %q: must be %d hexadecimal digits", sig, 2*sha256.Size)
	}
	if scopeParts[0] != h.auth.AccessKeyID {
		return nil, authFailure(ErrUnrecognizedClient, "The security token included in the request is invalid.")
	}
	amzDate := r.Header.Get("X-Amz-Date")
	t, err := time.Parse(amzDateFormat, amzDate)
	if err != nil {
		return nil, badRequest(ErrIncompleteSignature, "X-Amz-Date %q: must be a time like 20060102T150405Z", amzDate)
	}
	if now := h.clock.Now(); t.Sub(now).Abs() > maxClockSkew {
		return nil, badRequest(ErrInvalidSignature, "Signature expired: %s is more than %s from the server time %s", amzDate, maxClockSkew, now.UTC().Format(amzDateFormat))
	}
	if scopeParts[1] != amzDate[:8] {
		return nil, authFailure(ErrInvalidSignature, "credential scope date %s does not match X-Amz-Date %s", scopeParts[1], amzDate)
	}
	if scopeParts[2] != h.region {
		return nil, authFailure(ErrInvalidSignature, "Credential should be scoped to a valid region, not '%s'; this server is region '%s'", scopeParts[2], h.region)
	}
	if scopeParts[3] != signingService {
		return nil, authFailure(ErrInvalidSignature, "Credential should be scoped to correct service: '%s', not '%s'", signingService, scopeParts[3])
	}
	signedHeaders := strings.Split(signed, ";")
	if !sort.StringsAreSorted(signedHeaders) || strings.ToLower(signed) != signed {
		return nil, badRequest(ErrIncompleteSignature, "SignedHeaders %q: must be lowercase and sorted", signed)
	}
	for _, need := range requiredSignedHeaders {
		if !contains(signedHeaders, need) {
			return nil, badRequest(ErrIncompleteSignature, "SignedHeaders %q: '%s' must be a signed header (required: %s)", signed, need, strings.Join(requiredSignedHeaders, ", "))
		}
	}
	return &sigV4Header{amzDate: amzDate, scope: scopeParts[1:], signedHeaders: signedHeaders, signature: signature}, nil
}

// checkSigV4Payload verifies the signature of a request whose headers passed checkSigV4Headers:
// it rebuilds the canonical request from the signed headers and the body's SHA-256, the string to
// sign and the derived signing key, and compares signatures in constant time.
func (h *Handler) checkSigV4Payload(r *http.Request, sig *sigV4Header, body []byte) error {
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if ph := r.Header.Get("X-Amz-Content-Sha256"); ph != "" && ph != payloadHash {
		return authFailure(ErrInvalidSignature, "X-Amz-Content-Sha256 does not match the SHA-256 of the request body")
	}
	canonical := canonicalRequest(r, sig.signedHeaders, payloadHash)
	crSum := sha256.Sum256([]byte(canonical))
	stringToSign := sigV4Algorithm + "\n" + sig.amzDate + "\n" + strings.Join(sig.scope, "/") + "\n" + hex.EncodeToString(crSum[:])
	key := deriveSigningKey(h.auth.SecretAccessKey, sig.scope[0], sig.scope[1], sig.scope[2])
	if !hmac.Equal(sig.signature, hmacSHA256(key, []byte(stringToSign))) {
		return authFailure(ErrInvalidSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	return nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// canonicalRequest builds the SigV4 canonical request:
// METHOD \n URI \n QUERY \n HEADERS \n SIGNED-HEADERS \n PAYLOAD-HASH.
func canonicalRequest(r *http.Request, signedHeaders []string, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString(path)
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.Query()))
	b.WriteByte('\n')
	for _, name := range signedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// canonicalHeaderValue is a header's values, trimmed, inner runs of spaces collapsed, joined by ",".
// Go's server moves Host and Content-Length out of r.Header, so they are read from r.
func canonicalHeaderValue(r *http.Request, name string) string {
	var vals []string
	switch name {
	case "host":
		vals = []string{r.Host}
	case "content-length":
		vals = r.Header.Values("Content-Length")
		if len(vals) == 0 {
			vals = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	default:
		vals = r.Header.Values(name)
	}
	for i, v := range vals {
		vals[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(vals, ",")
}

// canonicalQuery sorts the query by key then value, each URI-encoded per RFC 3986.
func canonicalQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, uriEncode(k)+"="+uriEncode(v))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// uriEncode percent-encodes everything but the RFC 3986 unreserved characters.
func uriEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// deriveSigningKey computes HMAC chain "AWS4"+secret → date → region → service → "aws4_request".
func deriveSigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), []byte(date))
	k = hmacSHA256(k, []byte(region))
	k = hmacSHA256(k, []byte(service))
	return hmacSHA256(k, []byte("aws4_request"))
}

func hmacSHA256(key, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)
}

// DefaultAuthSecretEnv is the environment variable ResolveCredentials reads the secret from when
// the --auth flag gives only an access key ID.
const DefaultAuthSecretEnv = "STREAMCAP_AUTH_SECRET"

// ParseCredentials parses the --auth flag value "ACCESS_KEY_ID:SECRET_ACCESS_KEY" (the secret may
// itself contain colons).
func ParseCredentials(s string) (*Credentials, error) {
	id, secret, ok := strings.Cut(s, ":")
	if !ok || id == "" || secret == "" {
		return nil, fmt.Errorf("auth %q: must be ACCESS_KEY_ID:SECRET_ACCESS_KEY, both non-empty", redact(s))
	}
	return &Credentials{AccessKeyID: id, SecretAccessKey: secret}, nil
}

// ResolveCredentials turns the --auth flag into credentials: "" means no authentication;
// "ACCESS_KEY_ID:SECRET" carries the secret itself (visible to anyone who can list processes);
// a bare "ACCESS_KEY_ID" takes the secret from the environment variable secretEnv (read with
// getenv), which keeps it out of the process's command line.
func ResolveCredentials(flag, secretEnv string, getenv func(string) string) (*Credentials, error) {
	if flag == "" {
		return nil, nil
	}
	if strings.Contains(flag, ":") {
		return ParseCredentials(flag)
	}
	if secretEnv == "" {
		secretEnv = DefaultAuthSecretEnv
	}
	secret := getenv(secretEnv)
	if secret == "" {
		return nil, fmt.Errorf("auth %q: no secret: set the environment variable %s to the secret access key (or pass ACCESS_KEY_ID:SECRET, which shows it in ps)", flag, secretEnv)
	}
	return &Credentials{AccessKeyID: flag, SecretAccessKey: secret}, nil
}

// redact hides what may be a secret in an error message, keeping the access key ID.
func redact(s string) string {
	if id, _, ok := strings.Cut(s, ":"); ok {
		return id + ":****"
	}
	return s
}
