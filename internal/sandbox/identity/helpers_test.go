package identity

import (
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

const (
	mgmtAccount   = "111111111111"
	memberAccount = "222222222222"
)

// testClock is a settable clock for Options.Now.
type testClock struct{ now time.Time }

func (c *testClock) Now() time.Time          { return c.now }
func (c *testClock) advance(d time.Duration) { c.now = c.now.Add(d) }

// fixture is a Store with a management account whose administrator is
// admin, and an empty member account.
type fixture struct {
	t     *testing.T
	store *Store
	clock *testClock
	admin *api.Caller
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	clock := &testClock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	opts.Now = clock.Now
	s := NewStore(opts)
	s.AddAccount(memberAccount)
	keyID, secret := s.CreateAdmin(mgmtAccount, "admin")
	gotSecret, admin, err := s.Credentials(keyID, "")
	if err != nil {
		t.Fatalf("Credentials(admin key) = %v", err)
	}
	if gotSecret != secret {
		t.Fatalf("Credentials(admin key) secret = %q, want the one CreateAdmin returned", gotSecret)
	}
	return &fixture{t: t, store: s, clock: clock, admin: admin}
}

// params builds Query parameters from alternating names and values.
func params(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// iam runs an IAM action and fails the test on an error.
func (f *fixture) iam(caller *api.Caller, action string, kv ...string) any {
	f.t.Helper()
	res, _, err := f.store.HandleIAM(caller, action, params(kv...))
	if err != nil {
		f.t.Fatalf("%s: %v", action, err)
	}
	return res
}

// iamErr runs an IAM action that must fail and returns the error.
func (f *fixture) iamErr(caller *api.Caller, action string, kv ...string) *api.Error {
	f.t.Helper()
	_, _, err := f.store.HandleIAM(caller, action, params(kv...))
	if err == nil {
		f.t.Fatalf("%s succeeded, want an error", action)
	}
	return err
}

func (f *fixture) sts(caller *api.Caller, action string, kv ...string) any {
	f.t.Helper()
	res, _, err := f.store.HandleSTS(caller, action, params(kv...))
	if err != nil {
		f.t.Fatalf("%s: %v", action, err)
	}
	return res
}

func (f *fixture) stsErr(caller *api.Caller, action string, kv ...string) *api.Error {
	f.t.Helper()
	_, _, err := f.store.HandleSTS(caller, action, params(kv...))
	if err == nil {
		f.t.Fatalf("%s succeeded, want an error", action)
	}
	return err
}

// wantCode fails unless err has the given code.
func wantCode(t *testing.T, err *api.Error, code string) {
	t.Helper()
	if err == nil || err.Code != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
}

// marshal renders a handler result as the core does, inside a Result element.
func marshal(t *testing.T, result any) string {
	t.Helper()
	out, err := xml.Marshal(struct {
		XMLName xml.Name `xml:"Result"`
		Inner   any
	}{Inner: result})
	if err != nil {
		t.Fatalf("marshal result: %v", err)
	}
	s := string(out)
	s = strings.TrimPrefix(s, "<Result><Inner>")
	return strings.TrimSuffix(s, "</Inner></Result>")
}

// decode unmarshals a handler result into v, whose fields mirror the
// children of the Result element.
func decode(t *testing.T, result any, v any) {
	t.Helper()
	if err := xml.Unmarshal([]byte("<R>"+marshal(t, result)+"</R>"), v); err != nil {
		t.Fatalf("decode result: %v", err)
	}
}

func trustAccount(account string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"}]}`, account)
}

const adminPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// assumeResult is the part of AssumeRoleResult the tests read.
type assumeResult struct {
	Credentials struct {
		AccessKeyId     string
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
	AssumedRoleUser struct {
		AssumedRoleId string
		Arn           string
	}
}

// assume runs AssumeRole and returns the session's caller.
func (f *fixture) assume(caller *api.Caller, roleARN string, kv ...string) (*api.Caller, assumeResult) {
	f.t.Helper()
	res := f.sts(caller, "AssumeRole", append([]string{"RoleArn", roleARN, "RoleSessionName", "test"}, kv...)...)
	var out assumeResult
	decode(f.t, res, &out)
	_, sc, err := f.store.Credentials(out.Credentials.AccessKeyId, out.Credentials.SessionToken)
	if err != nil {
		f.t.Fatalf("Credentials(session) = %v", err)
	}
	return sc, out
}
