package sandbox

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// The Signature Version 4 names the sandbox reads, as AWS defines them.
const (
	sigV4Algorithm  = "AWS4-HMAC-SHA256"
	amzDateFormat   = "20060102T150405Z"
	scopeDateFormat = "20060102"
	scopeTerminator = "aws4_request"
	// maxClockSkew is how far a request's X-Amz-Date may be from the
	// server's clock; AWS rejects requests signed more than 15 minutes away.
	maxClockSkew = 15 * time.Minute
)

// authHeader is the parsed Authorization header of a SigV4 request.
type authHeader struct {
	AccessKeyID   string
	Date          string // yyyymmdd from the credential scope
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
}

// Scope returns the credential scope the signature covers.
func (a *authHeader) Scope() string {
	return strings.Join([]string{a.Date, a.Region, a.Service, scopeTerminator}, "/")
}

// parseAuthHeader parses the Authorization header of a signed request.
//
// NOTE: only header signatures are accepted. Presigned URLs, which carry
// the signature in X-Amz-* query parameters, get MissingAuthenticationToken.
// orgstrap and the AWS CLI commands for these services sign headers.
//
// The header has the form
// "AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request,
// SignedHeaders=a;b, Signature=hex".
func parseAuthHeader(value string) (*authHeader, *api.Error) {
	algorithm, rest, _ := strings.Cut(strings.TrimSpace(value), " ")
	if algorithm != sigV4Algorithm {
		return nil, errIncompleteSignature("unsupported signing algorithm %q: only %s is accepted", algorithm, sigV4Algorithm)
	}

	fields := map[string]string{}
	for part := range strings.SplitSeq(rest, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, errIncompleteSignature("invalid Authorization header element %q", part)
		}
		fields[key] = val
	}
	for _, key := range []string{"Credential", "SignedHeaders", "Signature"} {
		if fields[key] == "" {
			return nil, errIncompleteSignature("the Authorization header is missing %s", key)
		}
	}

	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || scope[4] != scopeTerminator {
		return nil, errIncompleteSignature("invalid credential scope %q: want KEY/DATE/REGION/SERVICE/aws4_request", fields["Credential"])
	}
	return &authHeader{
		AccessKeyID:   scope[0],
		Date:          scope[1],
		Region:        scope[2],
		Service:       scope[3],
		SignedHeaders: strings.Split(fields["SignedHeaders"], ";"),
		Signature:     fields["Signature"],
	}, nil
}

// verifySignature recomputes the signature of r, whose body has already been
// read into body, with secret and compares it with the one the client sent.
// now is the wall clock: clients sign with their own clock, so the check
// must not use the simulated time that drives the sandbox's delays.
func verifySignature(r *http.Request, body []byte, auth *authHeader, secret string, now time.Time) *api.Error {
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" {
		return errIncompleteSignature("the request has no X-Amz-Date header")
	}
	signedAt, err := time.Parse(amzDateFormat, amzDate)
	if err != nil {
		return errIncompleteSignature("invalid X-Amz-Date %q: want %s", amzDate, amzDateFormat)
	}
	if !strings.HasPrefix(amzDate, auth.Date) {
		return errSignatureMismatch("the credential scope date %s does not match X-Amz-Date %s", auth.Date, amzDate)
	}
	if skew := now.Sub(signedAt); skew > maxClockSkew || skew < -maxClockSkew {
		return &api.Error{Code: "RequestExpired", Status: http.StatusBadRequest, Message: fmt.Sprintf(
			"Request has expired: X-Amz-Date %s is more than 15 minutes from the server time %s",
			amzDate, now.UTC().Format(amzDateFormat))}
	}
	if !containsFold(auth.SignedHeaders, "host") {
		return errSignatureMismatch("the signed headers must include host")
	}

	canonical := canonicalRequest(r, body, auth.SignedHeaders)
	stringToSign := strings.Join([]string{sigV4Algorithm, amzDate, auth.Scope(), hashHex([]byte(canonical))}, "\n")
	key := signingKey(secret, auth.Date, auth.Region, auth.Service)
	want := hex.EncodeToString(hmacSHA256(key, stringToSign))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(auth.Signature))) {
		return errSignatureMismatch("The request signature we calculated does not match the signature you provided. " +
			"Check your AWS Secret Access Key and signing method.")
	}
	return nil
}

// canonicalRequest builds the SigV4 canonical request: method, URI, query,
// headers, signed header names and the payload hash, one per line.
func canonicalRequest(r *http.Request, body []byte, signedHeaders []string) string {
	names := make([]string, len(signedHeaders))
	for i, name := range signedHeaders {
		names[i] = strings.ToLower(name)
	}
	sort.Strings(names)

	var headers strings.Builder
	for _, name := range names {
		headers.WriteString(name)
		headers.WriteByte(':')
		headers.WriteString(canonicalHeaderValue(r, name))
		headers.WriteByte('\n')
	}

	// A client may send the payload hash it signed in X-Amz-Content-Sha256.
	// The sandbox signs over the body it received, so a body that does not
	// match that header fails the comparison like a wrong key would.
	payloadHash := hashHex(body)
	if r.Header.Get("X-Amz-Content-Sha256") == "UNSIGNED-PAYLOAD" {
		payloadHash = "UNSIGNED-PAYLOAD"
	}

	return strings.Join([]string{
		r.Method,
		canonicalURI(r.URL),
		canonicalQuery(r.URL.Query()),
		headers.String(),
		strings.Join(names, ";"),
		payloadHash,
	}, "\n")
}

// canonicalHeaderValue returns the values of one header, trimmed, with runs
// of spaces folded and multiple values joined by commas. Go's server moves
// Host out of the header map, and Content-Length may only be in the request.
func canonicalHeaderValue(r *http.Request, name string) string {
	var values []string
	switch name {
	case "host":
		values = []string{r.Host}
	case "content-length":
		values = r.Header.Values("Content-Length")
		if len(values) == 0 {
			values = []string{fmt.Sprint(r.ContentLength)}
		}
	default:
		values = r.Header.Values(name)
	}
	for i, v := range values {
		values[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(values, ",")
}

// canonicalURI encodes the escaped path once more, as AWS does for every
// service but S3.
func canonicalURI(u *url.URL) string {
	path := u.EscapedPath()
	if path == "" {
		return "/"
	}
	return uriEncode(path, false)
}

func canonicalQuery(values url.Values) string {
	var pairs []string
	for key, vals := range values {
		for _, v := range vals {
			pairs = append(pairs, uriEncode(key, true)+"="+uriEncode(v, true))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// uriEncode percent-encodes every byte but the RFC 3986 unreserved
// characters, and '/' too when encodeSlash is set.
func uriEncode(s string, encodeSlash bool) string {
	var b bytes.Buffer
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func signingKey(secret, date, region, service string) []byte {
	key := hmacSHA256([]byte("AWS4"+secret), date)
	key = hmacSHA256(key, region)
	key = hmacSHA256(key, service)
	return hmacSHA256(key, scopeTerminator)
}

func hmacSHA256(key []byte, data string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(data))
	return mac.Sum(nil)
}

func hashHex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func errIncompleteSignature(format string, args ...any) *api.Error {
	return &api.Error{Code: "IncompleteSignature", Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

func errSignatureMismatch(format string, args ...any) *api.Error {
	return &api.Error{Code: "SignatureDoesNotMatch", Status: http.StatusForbidden, Message: fmt.Sprintf(format, args...)}
}
