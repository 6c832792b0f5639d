package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

// createMember creates an account and waits, on the fake clock, until it
// has joined.
func createMember(t *testing.T, client *organizations.Client, clock *fakeClock, name, roleName string) string {
	t.Helper()
	input := &organizations.CreateAccountInput{AccountName: &name, Email: aws.String(name + "@example.com")}
	if roleName != "" {
		input.RoleName = &roleName
	}
	out, err := client.CreateAccount(context.Background(), input)
	if err != nil {
		t.Fatalf("CreateAccount %s: %v", name, err)
	}
	clock.Advance(2 * time.Second)
	status := describeStatus(t, client, out.CreateAccountStatus.Id)
	if status.State != types.CreateAccountStateSucceeded {
		t.Fatalf("CreateAccount %s: state %s (%s), want SUCCEEDED", name, status.State, status.FailureReason)
	}
	return aws.ToString(status.AccountId)
}

func assumeRole(ctx context.Context, client *sts.Client, roleARN string) (*sts.AssumeRoleOutput, error) {
	return client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: &roleARN, RoleSessionName: aws.String("test")})
}

func TestMemberAccountAccessRole(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	_, cfg, client := startOrg(t, sandbox.Options{
		Now: clock.Now, CreateAccountDelay: 2 * time.Second, ConsistencyDelay: 10 * time.Second,
	})
	member := createMember(t, client, clock, "dev", "")
	roleARN := fmt.Sprintf("arn:aws:iam::%s:role/OrganizationAccountAccessRole", member)
	stsClient := sts.NewFromConfig(noRetry(cfg))

	// The access role takes effect only after the consistency delay.
	if _, err := assumeRole(ctx, stsClient, roleARN); err == nil {
		t.Fatalf("AssumeRole right after the account was created succeeded, want an error until the consistency delay passes")
	}
	clock.Advance(10 * time.Second)
	assumed, err := assumeRole(ctx, stsClient, roleARN)
	if err != nil {
		t.Fatalf("AssumeRole after the consistency delay: %v", err)
	}

	creds := assumed.Credentials
	memberCfg := noRetry(sandboxtest.Config(aws.ToString(cfg.BaseEndpoint),
		aws.ToString(creds.AccessKeyId), aws.ToString(creds.SecretAccessKey), aws.ToString(creds.SessionToken)))
	identity, err := sts.NewFromConfig(memberCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the assumed role: %v", err)
	}
	if got := aws.ToString(identity.Account); got != member {
		t.Errorf("GetCallerIdentity account = %s, want %s", got, member)
	}
	wantARN := fmt.Sprintf("arn:aws:sts::%s:assumed-role/OrganizationAccountAccessRole/test", member)
	if got := aws.ToString(identity.Arn); got != wantARN {
		t.Errorf("GetCallerIdentity ARN = %s, want %s", got, wantARN)
	}

	memberOrgs := organizations.NewFromConfig(memberCfg)
	if _, err := memberOrgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil {
		t.Errorf("DescribeOrganization from a member account: %v", err)
	}
	_, err = memberOrgs.ListAccounts(ctx, &organizations.ListAccountsInput{})
	var denied *types.AccessDeniedException
	if !errors.As(err, &denied) {
		t.Errorf("ListAccounts from a member account: got %v, want AccessDeniedException", err)
	}
	_, err = memberOrgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	wantAPIError(t, err, "AlreadyInOrganizationException")

	// The session works against IAM in the member account.
	_, err = iam.NewFromConfig(memberCfg).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("deploy"),
		AssumeRolePolicyDocument: aws.String(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
			`"Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"}]}`, member)),
	})
	if err != nil {
		t.Errorf("CreateRole in the member account: %v", err)
	}
}

func TestCreateAccountCustomRoleName(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	_, cfg, client := startOrg(t, sandbox.Options{Now: clock.Now, CreateAccountDelay: 2 * time.Second})
	member := createMember(t, client, clock, "prod", "Bootstrap")
	stsClient := sts.NewFromConfig(noRetry(cfg))

	if _, err := assumeRole(ctx, stsClient, fmt.Sprintf("arn:aws:iam::%s:role/Bootstrap", member)); err != nil {
		t.Errorf("AssumeRole into the custom access role: %v", err)
	}
	_, err := assumeRole(ctx, stsClient, fmt.Sprintf("arn:aws:iam::%s:role/OrganizationAccountAccessRole", member))
	if err == nil {
		t.Errorf("AssumeRole into OrganizationAccountAccessRole succeeded, but the account was created with RoleName Bootstrap")
	}
}

func TestEnforceIAMOrganizations(t *testing.T) {
	ctx := context.Background()
	_, cfg, client := startOrg(t, sandbox.Options{EnforceIAM: true})
	stsClient := sts.NewFromConfig(noRetry(cfg))
	iamClient := iam.NewFromConfig(noRetry(cfg))

	// A role in the management account that may only describe the
	// organization.
	mgmt := aws.ToString(mustDescribeOrganization(t, client).MasterAccountId)
	_, err := iamClient.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("reader"),
		AssumeRolePolicyDocument: aws.String(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
			`"Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"}]}`, mgmt)),
	})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	_, err = iamClient.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String("reader"), PolicyName: aws.String("describe"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
			`"Action":"organizations:DescribeOrganization","Resource":"*"}]}`),
	})
	if err != nil {
		t.Fatalf("PutRolePolicy: %v", err)
	}
	assumed, err := assumeRole(ctx, stsClient, "arn:aws:iam::"+mgmt+":role/reader")
	if err != nil {
		t.Fatalf("AssumeRole reader: %v", err)
	}
	creds := assumed.Credentials
	reader := organizations.NewFromConfig(noRetry(sandboxtest.Config(aws.ToString(cfg.BaseEndpoint),
		aws.ToString(creds.AccessKeyId), aws.ToString(creds.SecretAccessKey), aws.ToString(creds.SessionToken))))

	if _, err := reader.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil {
		t.Errorf("DescribeOrganization allowed by the role's policy: %v", err)
	}
	_, err = reader.ListAccounts(ctx, &organizations.ListAccountsInput{})
	apiErr := wantAPIError(t, err, "AccessDeniedException")
	if want := "organizations:ListAccounts"; !strings.Contains(apiErr.ErrorMessage(), want) {
		t.Errorf("AccessDenied message %q does not name %s", apiErr.ErrorMessage(), want)
	}
}

func mustDescribeOrganization(t *testing.T, client *organizations.Client) *types.Organization {
	t.Helper()
	out, err := client.DescribeOrganization(context.Background(), &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatalf("DescribeOrganization: %v", err)
	}
	return out.Organization
}
