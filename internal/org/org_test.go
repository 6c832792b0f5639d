package org

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

var fastPoll = access.Backoff{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond}

var fastAttempts = Attempts{Max: 5, Resubmit: fastPoll, Poll: fastPoll}

func newClient(t *testing.T, opts sandbox.Options) (*Client, *sandbox.Sandbox) {
	t.Helper()
	if opts.CreateAccountDelay == 0 {
		opts.CreateAccountDelay = 50 * time.Millisecond
	}
	sb, cfg := sandboxtest.Start(t, opts)
	c := New(organizations.NewFromConfig(access.Configure(cfg, access.RetryOptions{MaxAttempts: 10, MaxBackoff: 20 * time.Millisecond})))
	return c, sb
}

func TestDescribeWithoutOrganization(t *testing.T) {
	c, _ := newClient(t, sandbox.Options{})
	if _, err := c.Describe(context.Background()); !errors.Is(err, ErrNoOrganization) {
		t.Errorf("Describe: got %v, want ErrNoOrganization", err)
	}
}

func TestCreateAccountAndOUs(t *testing.T) {
	c, sb := newClient(t, sandbox.Options{})
	ctx := context.Background()
	o, err := c.CreateOrganization(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if o.ManagementAccountID != sb.ManagementAccountID() {
		t.Errorf("management account: got %s, want %s", o.ManagementAccountID, sb.ManagementAccountID())
	}
	root, err := c.RootID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ou, err := c.CreateOU(ctx, root, "Workloads")
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateOU(ctx, root, "Workloads")
	if err != nil || again != ou {
		t.Errorf("second CreateOU: got %s, %v; want %s, nil", again, err, ou)
	}

	req := AccountRequest{Name: "dev", Email: "dev@example.com", Tags: map[string]string{"orgstrap:managed": "true"}}
	id, err := c.CreateAccount(ctx, req, fastAttempts, nil)
	if err != nil {
		t.Fatal(err)
	}
	tags, err := c.Tags(ctx, id)
	if err != nil || tags["orgstrap:managed"] != "true" {
		t.Errorf("tags: got %v, %v; want orgstrap:managed=true", tags, err)
	}
	for range 2 {
		if err := c.Move(ctx, id, root, ou); err != nil {
			t.Errorf("Move: %v", err)
		}
	}
	parent, err := c.Parent(ctx, id)
	if err != nil || parent != ou {
		t.Errorf("parent: got %s, %v; want %s", parent, err, ou)
	}

	_, err = c.CreateAccount(ctx, AccountRequest{Name: "dup", Email: "dev@example.com"}, fastAttempts, nil)
	var failed *CreationError
	if !errors.As(err, &failed) || failed.Reason != "EMAIL_ALREADY_EXISTS" {
		t.Fatalf("duplicate email: got %v, want EMAIL_ALREADY_EXISTS", err)
	}
	if !strings.Contains(access.Fix(err), "dev@example.com") {
		t.Errorf("fix: got %q, want it to name the email", access.Fix(err))
	}
}

func TestFailedReasonsHaveFixes(t *testing.T) {
	for _, reason := range []string{"ACCOUNT_LIMIT_EXCEEDED", "EMAIL_ALREADY_EXISTS", "INVALID_EMAIL", "INVALID_ADDRESS",
		"CONCURRENT_ACCOUNT_MODIFICATION", "INTERNAL_FAILURE", "GOVCLOUD_ACCOUNT_ALREADY_EXISTS", "MISSING_BUSINESS_VALIDATION",
		"FAILED_BUSINESS_VALIDATION", "PENDING_BUSINESS_VALIDATION", "UNKNOWN_BUSINESS_VALIDATION",
		"INVALID_IDENTITY_FOR_BUSINESS_VALIDATION", "MISSING_PAYMENT_INSTRUMENT", "INVALID_PAYMENT_INSTRUMENT",
		"UPDATE_EXISTING_RESOURCE_POLICY_WITH_TAGS_NOT_SUPPORTED", "SOMETHING_NEW"} {
		err := Failed(AccountRequest{Name: "x", Email: "x@example.com"}, Creation{Reason: reason})
		if !strings.Contains(err.Error(), reason) || access.Fix(err) == "" {
			t.Errorf("%s: error %q, fix %q; want the reason and a fix", reason, err, access.Fix(err))
		}
	}
}

func TestCreateAccountAfterLandedRequest(t *testing.T) {
	c, _ := newClient(t, sandbox.Options{})
	ctx := context.Background()
	if _, err := c.CreateOrganization(ctx); err != nil {
		t.Fatal(err)
	}
	req := AccountRequest{Name: "dev", Email: "dev@example.com",
		Tags: map[string]string{"orgstrap:managed": "true", "orgstrap:environment": "dev"}}

	// The request of an interrupted run lands after the next run's
	// discovery: the next run submits the same account again.
	earlier, err := c.Submit(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.CreateAccount(ctx, req, fastAttempts, nil)
	if err != nil {
		t.Fatalf("CreateAccount after a landed request: %v", err)
	}
	status, err := c.Wait(ctx, earlier, fastPoll, nil)
	if err != nil {
		t.Fatal(err)
	}
	if id != status.AccountID {
		t.Errorf("account id: got %s, want %s from the earlier request", id, status.AccountID)
	}
	accounts, err := c.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(accounts) != 2 {
		t.Errorf("accounts: got %d, want 2 (management and dev)", len(accounts))
	}

	other := AccountRequest{Name: "dev2", Email: "dev@example.com",
		Tags: map[string]string{"orgstrap:managed": "true", "orgstrap:environment": "dev2"}}
	_, err = c.CreateAccount(ctx, other, fastAttempts, nil)
	var failed *CreationError
	if !errors.As(err, &failed) || failed.Reason != "EMAIL_ALREADY_EXISTS" {
		t.Errorf("same email, other environment: got %v, want EMAIL_ALREADY_EXISTS", err)
	}
}

func TestCreateAccountResubmitsConcurrentModification(t *testing.T) {
	c, sb := newClient(t, sandbox.Options{MaxConcurrentCreations: 1, CreateAccountDelay: 100 * time.Millisecond})
	ctx := context.Background()
	if _, err := c.CreateOrganization(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Submit(ctx, AccountRequest{Name: "first", Email: "first@example.com"}); err != nil {
		t.Fatal(err)
	}
	var reports []string
	id, err := c.CreateAccount(ctx, AccountRequest{Name: "second", Email: "second@example.com"}, fastAttempts,
		func(s string) { reports = append(reports, s) })
	if err != nil {
		t.Fatalf("CreateAccount while another creation runs: %v", err)
	}
	if id == "" {
		t.Error("CreateAccount returned no account id")
	}
	if got := sb.Calls()["organizations:CreateAccount"]; got < 3 {
		t.Errorf("CreateAccount calls: got %d, want at least 3 (one refused, one resubmitted, the first)", got)
	}
	if !strings.Contains(strings.Join(reports, "\n"), "CONCURRENT_ACCOUNT_MODIFICATION") {
		t.Errorf("reports %q do not mention the resubmission", reports)
	}
}

func TestCreateAccountGivesUpAfterMaxAttempts(t *testing.T) {
	c, _ := newClient(t, sandbox.Options{MaxConcurrentCreations: 1, CreateAccountDelay: 2 * time.Second})
	ctx := context.Background()
	if _, err := c.CreateOrganization(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Submit(ctx, AccountRequest{Name: "slow", Email: "slow@example.com"}); err != nil {
		t.Fatal(err)
	}
	// The refused request fails when its own 2-second delay has passed,
	// while the first creation still runs.
	attempts := Attempts{Max: 1, Resubmit: fastPoll, Poll: fastPoll}
	_, err := c.CreateAccount(ctx, AccountRequest{Name: "late", Email: "late@example.com"}, attempts, nil)
	var failed *CreationError
	if !errors.As(err, &failed) || failed.Reason != "CONCURRENT_ACCOUNT_MODIFICATION" {
		t.Fatalf("got %v, want CONCURRENT_ACCOUNT_MODIFICATION after one attempt", err)
	}
	if fix := access.Fix(err); !strings.Contains(fix, "again") {
		t.Errorf("fix %q does not say to run apply again", fix)
	}
}
