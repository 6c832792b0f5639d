// Package sandboxtest starts a sandbox for a test and configures the real
// aws-sdk-go-v2 clients to talk to it over HTTP.
package sandboxtest

import (
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/orgstrap/orgstrap/internal/sandbox"
)

// Start serves a new sandbox with opts on 127.0.0.1 until the test ends,
// then closes it. It
// returns the sandbox and an aws.Config with the management administrator's
// static credentials, region us-east-1, BaseEndpoint at the server and the
// SDK's default retryer. The configuration reads no environment variables
// or shared files, so a test can never reach real AWS.
func Start(t testing.TB, opts sandbox.Options) (*sandbox.Sandbox, aws.Config) {
	t.Helper()
	sb, err := sandbox.New(opts)
	if err != nil {
		t.Fatalf("starting the sandbox: %v", err)
	}
	t.Cleanup(sb.Close)
	server := httptest.NewServer(sb.Handler())
	t.Cleanup(server.Close)

	keyID, secret := sb.AdminCredentials()
	return sb, Config(server.URL, keyID, secret, "")
}

// Config returns an aws.Config for a sandbox at endpoint with the given
// credentials, for example those AssumeRole returned.
func Config(endpoint, accessKeyID, secretAccessKey, sessionToken string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.NewCredentialsCache(
			credentials.NewStaticCredentialsProvider(accessKeyID, secretAccessKey, sessionToken)),
	}
}
