package sandbox_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now().UTC()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// startOrg starts a sandbox, creates its organization and returns an
// Organizations client of the management administrator.
func startOrg(t *testing.T, opts sandbox.Options) (*sandbox.Sandbox, aws.Config, *organizations.Client) {
	t.Helper()
	sb, cfg := sandboxtest.Start(t, opts)
	client := organizations.NewFromConfig(cfg)
	if _, err := client.CreateOrganization(context.Background(), &organizations.CreateOrganizationInput{
		FeatureSet: types.OrganizationFeatureSetAll,
	}); err != nil {
		t.Fatalf("CreateOrganization: %v", err)
	}
	return sb, cfg, client
}

func rootID(t *testing.T, client *organizations.Client) string {
	t.Helper()
	out, err := client.ListRoots(context.Background(), &organizations.ListRootsInput{})
	if err != nil {
		t.Fatalf("ListRoots: %v", err)
	}
	if len(out.Roots) != 1 {
		t.Fatalf("ListRoots returned %d roots, want 1", len(out.Roots))
	}
	return aws.ToString(out.Roots[0].Id)
}

// wantAPIError fails unless err is an AWS API error with code.
func wantAPIError(t *testing.T, err error, code string) smithy.APIError {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("got error %v, want API error %s", err, code)
	}
	if apiErr.ErrorCode() != code {
		t.Fatalf("got error code %s (%v), want %s", apiErr.ErrorCode(), err, code)
	}
	return apiErr
}

// noRetry returns cfg with retries off, so each error the sandbox sends
// reaches the test.
func noRetry(cfg aws.Config) aws.Config {
	cfg.RetryMaxAttempts = 1
	return cfg
}
