package access

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

func TestPrincipalARN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"arn:aws:sts::123456789012:assumed-role/Admin/alice", "arn:aws:iam::123456789012:role/Admin"},
		{"arn:aws:iam::123456789012:user/bob", "arn:aws:iam::123456789012:user/bob"},
		{"arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:root"},
	}
	for _, tt := range tests {
		if got := principalARN(tt.in); got != tt.want {
			t.Errorf("principalARN(%s): got %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestBackoffStaysInBounds(t *testing.T) {
	b := Backoff{Initial: 100 * time.Millisecond, Max: time.Second}
	want := []time.Duration{100, 150, 225, 337, 506, 759, 1000, 1000}
	for i, w := range want {
		d := b.Next()
		high := w * time.Millisecond
		if d < high*4/5-time.Millisecond || d > high+time.Millisecond {
			t.Errorf("delay %d: got %s, want between 80%% and 100%% of %s", i, d, high)
		}
	}
}

func TestAssumeWaitsForNewAccount(t *testing.T) {
	sb, cfg := sandboxtest.Start(t, sandbox.Options{CreateAccountDelay: -1, ConsistencyDelay: 500 * time.Millisecond})
	ctx := context.Background()
	cfg = Configure(cfg, RetryOptions{MaxAttempts: 5, MaxBackoff: 20 * time.Millisecond})
	orgs := organizations.NewFromConfig(cfg)
	if _, err := orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	out, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("dev"), Email: aws.String("dev@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	status, err := orgs.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
	if err != nil || status.CreateAccountStatus.AccountId == nil {
		t.Fatalf("account creation: %v %+v", err, status)
	}

	var waits int
	a := &Assumer{STS: sts.NewFromConfig(cfg), Base: cfg, Timeout: 10 * time.Second,
		Backoff: Backoff{Initial: 50 * time.Millisecond, Max: 200 * time.Millisecond},
		Waiting: func(string) { waits++ }}
	member, err := a.Assume(ctx, aws.ToString(status.CreateAccountStatus.AccountId), DefaultAccessRole, "test")
	if err != nil {
		t.Fatalf("Assume: %v", err)
	}
	if waits == 0 {
		t.Errorf("Assume did not wait through the consistency delay")
	}
	caller, err := Identify(ctx, sts.NewFromConfig(member))
	if err != nil {
		t.Fatal(err)
	}
	if caller.AccountID == sb.ManagementAccountID() {
		t.Errorf("assumed credentials act in the management account")
	}
}

func TestAssumeGivesUp(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{})
	a := &Assumer{STS: sts.NewFromConfig(cfg), Base: cfg, Timeout: 300 * time.Millisecond,
		Backoff: Backoff{Initial: 50 * time.Millisecond, Max: 100 * time.Millisecond}}
	start := time.Now()
	if _, err := a.Assume(context.Background(), "111111111111", DefaultAccessRole, "test"); err == nil {
		t.Fatal("Assume into an unknown account: got nil error")
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Assume took %s, want it bounded by its timeout", elapsed)
	}
}

func TestExplainDenied(t *testing.T) {
	tests := []struct {
		name, message, want string
	}{
		{"missing permission", "User: arn:aws:iam::1:user/x is not authorized to perform: organizations:CreateAccount on resource: *",
			"grant organizations:CreateAccount"},
		{"scp", "User: arn:aws:sts::1:assumed-role/R/s is not authorized to perform: iam:CreateRole on resource: x with an explicit deny in a service control policy",
			"a service control policy denies iam:CreateRole"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ExplainDenied(fmt.Errorf("calling: %w", &smithy.GenericAPIError{Code: "AccessDenied", Message: tt.message}), "the caller")
			if fix := Fix(err); !strings.Contains(fix, tt.want) {
				t.Errorf("fix: got %q, want it to contain %q", fix, tt.want)
			}
		})
	}
	other := &smithy.GenericAPIError{Code: "NoSuchEntity", Message: "x"}
	if err := ExplainDenied(other, "the caller"); Fix(err) != "" {
		t.Errorf("NoSuchEntity got a fix: %q", Fix(err))
	}
}

func TestBackoffSteadyPhase(t *testing.T) {
	b := Backoff{Initial: 100 * time.Millisecond, Steady: 500 * time.Millisecond, Max: time.Second}
	var waited time.Duration
	for waited < 500*time.Millisecond {
		d := b.Next()
		if d > 100*time.Millisecond {
			t.Fatalf("delay %s after %s of waiting, want at most the initial 100ms during the steady phase", d, waited)
		}
		waited += d
	}
	b.Next()
	if d := b.Next(); d <= 100*time.Millisecond {
		t.Errorf("delay after the steady phase: got %s, want it to grow past 100ms", d)
	}
}
