package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

func TestDiscoverWithoutOrganizationNeedsConsent(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	text := strings.Replace(oneEnvConfig, "  create: true\n", "  create: false\n", 1)
	_, err := f.engine(t, text).Plan(context.Background())
	if err == nil || !strings.Contains(access.Fix(err), "organization.create") {
		t.Fatalf("Plan: got %v (fix %q), want advice to set organization.create", err, access.Fix(err))
	}
	if mutating, _ := splitCalls(f.sb.Calls()); len(mutating) != 0 {
		t.Errorf("rejected plan made mutating calls: %v", mutating)
	}
}

func TestDiscoverRejectsMemberAccountCaller(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	r := f.apply(t, oneEnvConfig)
	a := &access.Assumer{STS: stsClient(f.aws), Base: f.aws}
	member, err := a.Assume(context.Background(), r.Envs[0].Account.ID, access.DefaultAccessRole, "test")
	if err != nil {
		t.Fatal(err)
	}
	e := New(member, parseConfig(t, oneEnvConfig), loadLibrary(t), Options{ProfileFile: f.profileFile})
	_, err = e.Plan(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not its management account") {
		t.Fatalf("Plan as a member account: got %v, want an error about the management account", err)
	}
	if !strings.Contains(access.Fix(err), f.sb.ManagementAccountID()) {
		t.Errorf("fix: got %q, want it to name the management account", access.Fix(err))
	}
}

func TestDiscoverExplainsMissingPermission(t *testing.T) {
	sb, cfg := sandboxtest.Start(t, sandbox.Options{EnforceIAM: true})
	ctx := context.Background()
	orgs := organizations.NewFromConfig(cfg)
	if _, err := orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	admin := iam.NewFromConfig(cfg)
	if _, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("operator")}); err != nil {
		t.Fatal(err)
	}
	key, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("operator")})
	if err != nil {
		t.Fatal(err)
	}
	operator := sandboxtest.Config(aws.ToString(cfg.BaseEndpoint),
		aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), "")

	sb.ResetCalls()
	e := New(operator, parseConfig(t, oneEnvConfig), loadLibrary(t), Options{Retry: access.RetryOptions{MaxAttempts: 2}})
	_, err = e.Plan(ctx)
	if err == nil {
		t.Fatal("Plan without permissions: got nil error")
	}
	if fix := access.Fix(err); !strings.Contains(fix, "organizations:DescribeOrganization") {
		t.Errorf("fix: got %q, want it to name organizations:DescribeOrganization (error %v)", fix, err)
	}
	if mutating, _ := splitCalls(sb.Calls()); len(mutating) != 0 {
		t.Errorf("failed plan made mutating calls: %v", mutating)
	}
}
