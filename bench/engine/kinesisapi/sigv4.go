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

// verifySigV4 checks the Authorization header of r against h.auth, the way AWS does for a
// header-signed request: it rebuilds the canonical request from the signed headers, the string to
// sign and the derived signing key, and compares signatures in constant time. Region and service
// are taken from the credential scope, so clients may sign for any region.
func (h *Handler) verifySigV4(r *http.Request, body []byte) error {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return badRequest(ErrMissingAuthToken, "Missing Authentication Token: this server requires SigV4-signed requests")
	}
	alg, rest, _ := strings.Cut(authz, " ")
	if alg != sigV4Algorithm {
		return badRequest(ErrIncompleteSignature, "Authorization algorithm %q: must be %s", alg, sigV4Algorithm)
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
		return badRequest(ErrIncompleteSignature, "Authorization header: must hold Credential=KEY/DATE/REGION/SERVICE/aws4_request, SignedHeaders= and Signature=")
	}
	if scopeParts[0] != h.auth.AccessKeyID {
		return badRequest(ErrUnrecognizedClient, "The security token included in the request is invalid.")
	}
	amzDate := r.Header.Get("X-Amz-Date")
	t, err := time.Parse(amzDateFormat, amzDate)
	if err != nil {
		return badRequest(ErrIncompleteSignature, "X-Amz-Date %q: must be a time like 20060102T150405Z", amzDate)
	}
	if now := h.clock.Now(); t.Sub(now).Abs() > maxClockSkew {
		return badRequest(ErrInvalidSignature, "Signature expired: %s is more than %s from the server time %s", amzDate, maxClockSkew, now.UTC().Format(amzDateFormat))
	}
	if scopeParts[1] != amzDate[:8] {
		return badRequest(ErrInvalidSignature, "credential scope date %s does not match X-Amz-Date %s", scopeParts[1], amzDate)
	}
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if ph := r.Header.Get("X-Amz-Content-Sha256"); ph != "" && ph != payloadHash {
		return badRequest(ErrInvalidSignature, "X-Amz-Content-Sha256 does not match the SHA-256 of the request body")
	}
	signedHeaders := strings.Split(signed, ";")
	if !sort.StringsAreSorted(signedHeaders) || !contains(signedHeaders, "host") {
		return badRequest(ErrIncompleteSignature, "SignedHeaders %q: must be sorted, lowercase and include host", signed)
	}
	canonical := canonicalRequest(r, signedHeaders, payloadHash)
	scope := strings.Join(scopeParts[1:], "/")
	crSum := sha256.Sum256([]byte(canonical))
	stringToSign := sigV4Algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(crSum[:])
	key := deriveSigningKey(h.auth.SecretAccessKey, scopeParts[1], scopeParts[2], scopeParts[3])
	want := hmacSHA256(key, []byte(stringToSign))
	got, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(got, want) {
		return badRequest(ErrInvalidSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
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

// ParseCredentials parses the --auth flag value "ACCESS_KEY_ID:SECRET_ACCESS_KEY" (the secret may
// itself contain colons).
func ParseCredentials(s string) (*Credentials, error) {
	id, secret, ok := strings.Cut(s, ":")
	if !ok || id == "" || secret == "" {
		return nil, fmt.Errorf("auth %q: must be ACCESS_KEY_ID:SECRET_ACCESS_KEY, both non-empty", redact(s))
	}
	return &Credentials{AccessKeyID: id, SecretAccessKey: secret}, nil
}

// redact hides what may be a secret in an error message, keeping the access key ID.
func redact(s string) string {
	if id, _, ok := strings.Cut(s, ":"); ok {
		return id + ":****"
	}
	return s
}
