package sandbox_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

func TestSignatureErrors(t *testing.T) {
	sb, cfg := sandboxtest.Start(t, sandbox.Options{})
	endpoint := aws.ToString(cfg.BaseEndpoint)
	keyID, secret := sb.AdminCredentials()

	tests := []struct {
		name          string
		keyID, secret string
		wantOrgs      string
		wantSTS       string
	}{
		{"wrong secret", keyID, secret + "x", "InvalidSignatureException", "SignatureDoesNotMatch"},
		{"unknown key", "AKIAZZZZZZZZZZZZZZZZ", secret, "UnrecognizedClientException", "InvalidClientTokenId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := noRetry(sandboxtest.Config(endpoint, tt.keyID, tt.secret, ""))
			_, err := organizations.NewFromConfig(bad).DescribeOrganization(context.Background(),
				&organizations.DescribeOrganizationInput{})
			wantAPIError(t, err, tt.wantOrgs)
			_, err = sts.NewFromConfig(bad).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
			wantAPIError(t, err, tt.wantSTS)
		})
	}
	if n := len(sb.Calls()); n != 0 {
		t.Errorf("Calls() has %d entries after failed signatures only, want 0", n)
	}
}

// signedRequest builds a request to the sandbox signed with the SDK's
// signer at signedAt.
func signedRequest(t *testing.T, endpoint, service, keyID, secret string, body []byte,
	header http.Header, signedAt time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]),
		service, "us-east-1", signedAt); err != nil {
		t.Fatalf("signing: %v", err)
	}
	return req
}

func queryHeader() http.Header {
	return http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}
}

func orgsHeader(op string) http.Header {
	return http.Header{
		"Content-Type": {"application/x-amz-json-1.1"},
		"X-Amz-Target": {"AWSOrganizationsV20161128." + op},
	}
}

// sendRaw sends req and returns the status and body.
func sendRaw(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("sending the request: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestSignatureRawRequests(t *testing.T) {
	sb, cfg := sandboxtest.Start(t, sandbox.Options{})
	endpoint := aws.ToString(cfg.BaseEndpoint)
	keyID, secret := sb.AdminCredentials()
	stsBody := []byte("Action=GetCallerIdentity&Version=2011-06-15")

	t.Run("valid", func(t *testing.T) {
		req := signedRequest(t, endpoint, "sts", keyID, secret, stsBody, queryHeader(), time.Now())
		status, body := sendRaw(t, req)
		if status != http.StatusOK || !strings.Contains(body, "<GetCallerIdentityResponse") {
			t.Fatalf("got %d %s, want 200 with GetCallerIdentityResponse", status, body)
		}
		if !strings.Contains(body, `xmlns="https://sts.amazonaws.com/doc/2011-06-15/"`) {
			t.Errorf("response %s lacks the STS namespace", body)
		}
	})

	t.Run("tampered body", func(t *testing.T) {
		req := signedRequest(t, endpoint, "sts", keyID, secret, stsBody, queryHeader(), time.Now())
		req.Body = io.NopCloser(strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15&X=1"))
		req.ContentLength += 4
		status, body := sendRaw(t, req)
		wantXMLError(t, status, body, http.StatusForbidden, "SignatureDoesNotMatch")
	})

	t.Run("clock skew", func(t *testing.T) {
		req := signedRequest(t, endpoint, "sts", keyID, secret, stsBody, queryHeader(), time.Now().Add(-16*time.Minute))
		status, body := sendRaw(t, req)
		wantXMLError(t, status, body, http.StatusBadRequest, "RequestExpired")
	})

	t.Run("skew within limit", func(t *testing.T) {
		req := signedRequest(t, endpoint, "sts", keyID, secret, stsBody, queryHeader(), time.Now().Add(14*time.Minute))
		if status, body := sendRaw(t, req); status != http.StatusOK {
			t.Fatalf("got %d %s, want 200 for a 14-minute skew", status, body)
		}
	})

	t.Run("missing authentication", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader(stsBody))
		req.Header = queryHeader()
		status, body := sendRaw(t, req)
		wantXMLError(t, status, body, http.StatusForbidden, "MissingAuthenticationToken")

		req, _ = http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader("{}"))
		req.Header = orgsHeader("DescribeOrganization")
		status, body = sendRaw(t, req)
		if status != http.StatusForbidden || !strings.Contains(body, `"__type":"MissingAuthenticationTokenException"`) {
			t.Errorf("Organizations without a signature: got %d %s, want 403 MissingAuthenticationTokenException", status, body)
		}
	})

	t.Run("scope names another service", func(t *testing.T) {
		req := signedRequest(t, endpoint, "iam", keyID, secret, []byte("{}"), orgsHeader("DescribeOrganization"), time.Now())
		status, body := sendRaw(t, req)
		if status != http.StatusForbidden || !strings.Contains(body, "InvalidSignatureException") {
			t.Errorf("got %d %s, want 403 InvalidSignatureException", status, body)
		}
	})

	t.Run("unknown operation", func(t *testing.T) {
		req := signedRequest(t, endpoint, "organizations", keyID, secret, []byte("{}"), orgsHeader("InviteAccountToOrganization"), time.Now())
		status, body := sendRaw(t, req)
		if status != http.StatusBadRequest || !strings.Contains(body, "UnknownOperationException") {
			t.Errorf("got %d %s, want 400 UnknownOperationException", status, body)
		}

		header := http.Header{"Content-Type": {"application/x-amz-json-1.1"}}
		req = signedRequest(t, endpoint, "organizations", keyID, secret, []byte("{}"), header, time.Now())
		status, body = sendRaw(t, req)
		if status != http.StatusBadRequest || !strings.Contains(body, "UnknownOperationException") {
			t.Errorf("no X-Amz-Target: got %d %s, want 400 UnknownOperationException", status, body)
		}
	})
}

func TestQueryProtocolErrors(t *testing.T) {
	sb, cfg := sandboxtest.Start(t, sandbox.Options{})
	endpoint := aws.ToString(cfg.BaseEndpoint)
	keyID, secret := sb.AdminCredentials()
	tests := []struct {
		name, service, body string
		wantCode            string
	}{
		{"wrong version", "iam", "Action=ListRoles&Version=2011-06-15", "InvalidParameterValue"},
		{"missing action", "sts", "Version=2011-06-15", "MissingAction"},
		{"unknown action", "iam", "Action=ListBuckets&Version=2010-05-08", "InvalidAction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := signedRequest(t, endpoint, tt.service, keyID, secret, []byte(tt.body), queryHeader(), time.Now())
			status, body := sendRaw(t, req)
			wantXMLError(t, status, body, http.StatusBadRequest, tt.wantCode)
		})
	}
}

// wantXMLError checks a Query ErrorResponse.
func wantXMLError(t *testing.T, status int, body string, wantStatus int, wantCode string) {
	t.Helper()
	var resp struct {
		Error struct {
			Type, Code, Message string
		}
		RequestID string `xml:"RequestId"`
	}
	if err := xml.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatalf("decoding error response %q: %v", body, err)
	}
	if status != wantStatus || resp.Error.Code != wantCode {
		t.Fatalf("got %d %s (%s), want %d %s", status, resp.Error.Code, resp.Error.Message, wantStatus, wantCode)
	}
	if resp.Error.Type != "Sender" || resp.RequestID == "" {
		t.Errorf("error response %s: want Type Sender and a RequestId", body)
	}
}
