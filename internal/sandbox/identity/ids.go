package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// idAlphabet is the alphabet of IAM unique ids and access key ids.
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// newID returns prefix followed by random characters up to length n, the
// shape of IAM ids such as AROA... (21 characters) and AKIA... (20).
func newID(prefix string, n int) string {
	buf := make([]byte, n-len(prefix))
	if _, err := rand.Read(buf); err != nil {
		panic("identity: read random bytes: " + err.Error())
	}
	out := []byte(prefix)
	for _, b := range buf {
		out = append(out, idAlphabet[int(b)%len(idAlphabet)])
	}
	return string(out)
}

// stableID returns an id of IAM's shape derived from seed, for the built-in
// AWS managed policies, whose ids must not change when the sandbox restarts.
func stableID(prefix, seed string) string {
	sum := sha256.Sum256([]byte(seed))
	out := []byte(prefix)
	for _, b := range sum[:21-len(prefix)] {
		out = append(out, idAlphabet[int(b)%len(idAlphabet)])
	}
	return string(out)
}

// newSecret returns n random bytes encoded as base64 without padding, for
// secret access keys (30 bytes give AWS's 40 characters) and session tokens.
func newSecret(n int) string {
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		panic("identity: read random bytes: " + err.Error())
	}
	return base64.RawStdEncoding.EncodeToString(buf)
}
