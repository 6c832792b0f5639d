package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

func TestOrganizationLifecycle(t *testing.T) {
	ctx := context.Background()
	sb, cfg := sandboxtest.Start(t, sandbox.Options{})
	client := organizations.NewFromConfig(noRetry(cfg))

	_, err := client.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	var notInUse *types.AWSOrganizationsNotInUseException
	if !errors.As(err, &notInUse) {
		t.Fatalf("DescribeOrganization before CreateOrganization: got %v, want AWSOrganizationsNotInUseException", err)
	}
	_, err = client.ListAccounts(ctx, &organizations.ListAccountsInput{})
	wantAPIError(t, err, "AWSOrganizationsNotInUseException")

	created, err := client.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	if err != nil {
		t.Fatalf("CreateOrganization: %v", err)
	}
	org := created.Organization
	if !regexp.MustCompile(`^o-[a-z0-9]{10}$`).MatchString(aws.ToString(org.Id)) {
		t.Errorf("organization id %q does not look like o-xxxxxxxxxx", aws.ToString(org.Id))
	}
	if got, want := aws.ToString(org.MasterAccountId), sb.ManagementAccountID(); got != want {
		t.Errorf("MasterAccountId = %s, want %s", got, want)
	}
	if org.FeatureSet != types.OrganizationFeatureSetAll {
		t.Errorf("FeatureSet = %s, want ALL", org.FeatureSet)
	}
	wantARN := fmt.Sprintf("arn:aws:organizations::%s:organization/%s", sb.ManagementAccountID(), aws.ToString(org.Id))
	if got := aws.ToString(org.Arn); got != wantARN {
		t.Errorf("Arn = %s, want %s", got, wantARN)
	}

	_, err = client.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	var already *types.AlreadyInOrganizationException
	if !errors.As(err, &already) {
		t.Fatalf("second CreateOrganization: got %v, want AlreadyInOrganizationException", err)
	}

	described, err := client.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatalf("DescribeOrganization: %v", err)
	}
	if aws.ToString(described.Organization.Id) != aws.ToString(org.Id) {
		t.Errorf("DescribeOrganization id = %s, want %s", aws.ToString(described.Organization.Id), aws.ToString(org.Id))
	}

	root := rootID(t, client)
	accounts, err := client.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: &root})
	if err != nil {
		t.Fatalf("ListAccountsForParent: %v", err)
	}
	if len(accounts.Accounts) != 1 || aws.ToString(accounts.Accounts[0].Id) != sb.ManagementAccountID() {
		t.Fatalf("root accounts = %v, want only the management account", accounts.Accounts)
	}
	if accounts.Accounts[0].JoinedTimestamp == nil || accounts.Accounts[0].JoinedTimestamp.IsZero() {
		t.Errorf("management account has no JoinedTimestamp")
	}
}

func TestCreateAccountSucceedsAfterDelay(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	sb, _, client := startOrg(t, sandbox.Options{Now: clock.Now, CreateAccountDelay: 30 * time.Second})

	out, err := client.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String("dev"),
		Email:       aws.String("dev@example.com"),
		Tags:        []types.Tag{{Key: aws.String("stage"), Value: aws.String("dev")}},
	})
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	status := out.CreateAccountStatus
	if status.State != types.CreateAccountStateInProgress {
		t.Fatalf("CreateAccount state = %s, want IN_PROGRESS", status.State)
	}
	if !regexp.MustCompile(`^car-[a-z0-9]{8,32}$`).MatchString(aws.ToString(status.Id)) {
		t.Errorf("request id %q does not match car-[a-z0-9]{8,32}", aws.ToString(status.Id))
	}

	clock.Advance(29 * time.Second)
	described := describeStatus(t, client, status.Id)
	if described.State != types.CreateAccountStateInProgress {
		t.Fatalf("state after 29s = %s, want IN_PROGRESS", described.State)
	}
	inProgress, err := client.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{
		States: []types.CreateAccountState{types.CreateAccountStateInProgress},
	})
	if err != nil {
		t.Fatalf("ListCreateAccountStatus: %v", err)
	}
	if len(inProgress.CreateAccountStatuses) != 1 {
		t.Fatalf("IN_PROGRESS requests = %d, want 1", len(inProgress.CreateAccountStatuses))
	}

	clock.Advance(time.Second)
	described = describeStatus(t, client, status.Id)
	if described.State != types.CreateAccountStateSucceeded {
		t.Fatalf("state after 30s = %s (%s), want SUCCEEDED", described.State, described.FailureReason)
	}
	accountID := aws.ToString(described.AccountId)
	if !regexp.MustCompile(`^[1-9]\d{11}$`).MatchString(accountID) {
		t.Fatalf("AccountId %q is not 12 digits", accountID)
	}
	if described.CompletedTimestamp == nil {
		t.Errorf("SUCCEEDED status has no CompletedTimestamp")
	}

	account, err := client.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &accountID})
	if err != nil {
		t.Fatalf("DescribeAccount: %v", err)
	}
	if got := aws.ToString(account.Account.Email); got != "dev@example.com" {
		t.Errorf("Email = %s, want dev@example.com", got)
	}
	if account.Account.JoinedMethod != types.AccountJoinedMethodCreated || account.Account.Status != types.AccountStatusActive {
		t.Errorf("JoinedMethod, Status = %s, %s; want CREATED, ACTIVE", account.Account.JoinedMethod, account.Account.Status)
	}

	parents, err := client.ListParents(ctx, &organizations.ListParentsInput{ChildId: &accountID})
	if err != nil {
		t.Fatalf("ListParents: %v", err)
	}
	if len(parents.Parents) != 1 || parents.Parents[0].Type != types.ParentTypeRoot {
		t.Errorf("parents of the new account = %v, want the root", parents.Parents)
	}
	tags, err := client.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: &accountID})
	if err != nil {
		t.Fatalf("ListTagsForResource: %v", err)
	}
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "stage" {
		t.Errorf("tags of the new account = %v, want stage=dev", tags.Tags)
	}

	succeeded, err := client.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{
		States: []types.CreateAccountState{types.CreateAccountStateInProgress},
	})
	if err != nil {
		t.Fatalf("ListCreateAccountStatus: %v", err)
	}
	if len(succeeded.CreateAccountStatuses) != 0 {
		t.Errorf("IN_PROGRESS requests after completion = %d, want 0", len(succeeded.CreateAccountStatuses))
	}
	if n := sb.Calls()["organizations:CreateAccount"]; n != 1 {
		t.Errorf("Calls()[organizations:CreateAccount] = %d, want 1", n)
	}
}

func describeStatus(t *testing.T, client *organizations.Client, id *string) *types.CreateAccountStatus {
	t.Helper()
	out, err := client.DescribeCreateAccountStatus(context.Background(),
		&organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: id})
	if err != nil {
		t.Fatalf("DescribeCreateAccountStatus: %v", err)
	}
	return out.CreateAccountStatus
}

func TestCreateAccountFailureReasons(t *testing.T) {
	ctx := context.Background()
	// A quota of 3 leaves room for the management account and two more.
	_, _, client := startOrg(t, sandbox.Options{CreateAccountDelay: -1, AccountQuota: 3})

	create := func(name, email string) *types.CreateAccountStatus {
		t.Helper()
		out, err := client.CreateAccount(ctx, &organizations.CreateAccountInput{
			AccountName: aws.String(name), Email: aws.String(email),
		})
		if err != nil {
			t.Fatalf("CreateAccount %s: %v", name, err)
		}
		return describeStatus(t, client, out.CreateAccountStatus.Id)
	}

	tests := []struct {
		name, email string
		wantState   types.CreateAccountState
		wantReason  types.CreateAccountFailureReason
	}{
		{"dev", "dev@example.com", types.CreateAccountStateSucceeded, ""},
		{"dev-again", "DEV@example.com", types.CreateAccountStateFailed, types.CreateAccountFailureReasonEmailAlreadyExists},
		{"management-email", "management@sandbox.orgstrap.invalid", types.CreateAccountStateFailed, types.CreateAccountFailureReasonEmailAlreadyExists},
		{"dots", "dev..x@example.com", types.CreateAccountStateFailed, types.CreateAccountFailureReasonInvalidEmail},
		{"non-ascii", "dév@example.com", types.CreateAccountStateFailed, types.CreateAccountFailureReasonInvalidEmail},
		{"prod", "prod@example.com", types.CreateAccountStateSucceeded, ""},
		{"third", "third@example.com", types.CreateAccountStateFailed, types.CreateAccountFailureReasonAccountLimitExceeded},
	}
	for _, tt := range tests {
		status := create(tt.name, tt.email)
		if status.State != tt.wantState || status.FailureReason != tt.wantReason {
			t.Errorf("%s <%s>: state %s reason %q, want %s %q",
				tt.name, tt.email, status.State, status.FailureReason, tt.wantState, tt.wantReason)
		}
	}

	failed, err := client.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{
		States: []types.CreateAccountState{types.CreateAccountStateFailed},
	})
	if err != nil {
		t.Fatalf("ListCreateAccountStatus: %v", err)
	}
	if got := len(failed.CreateAccountStatuses); got != 5 {
		t.Errorf("FAILED requests = %d, want 5", got)
	}
	accounts, err := client.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatalf("ListAccounts: %v", err)
	}
	if got := len(accounts.Accounts); got != 3 {
		t.Errorf("accounts = %d, want 3 (the quota)", got)
	}
}

func TestCreateAccountInvalidInput(t *testing.T) {
	_, cfg, _ := startOrg(t, sandbox.Options{})
	client := organizations.NewFromConfig(noRetry(cfg))
	tests := []struct {
		name       string
		input      organizations.CreateAccountInput
		wantReason string
	}{
		{"short email", organizations.CreateAccountInput{AccountName: aws.String("a"), Email: aws.String("a@b.c")}, "MIN_LENGTH_EXCEEDED"},
		{"no at sign", organizations.CreateAccountInput{AccountName: aws.String("a"), Email: aws.String("dev.example.com")}, "INVALID_PATTERN"},
		{"long name", organizations.CreateAccountInput{AccountName: aws.String(string(make([]byte, 51))), Email: aws.String("dev@example.com")}, "INVALID_PATTERN"},
		{"bad role name", organizations.CreateAccountInput{AccountName: aws.String("a"), Email: aws.String("dev@example.com"), RoleName: aws.String("no spaces")}, "INVALID_ROLE_NAME"},
		{"reserved tag", organizations.CreateAccountInput{AccountName: aws.String("a"), Email: aws.String("dev@example.com"),
			Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}}, "INVALID_SYSTEM_TAGS_PARAMETER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.CreateAccount(context.Background(), &tt.input)
			var invalid *types.InvalidInputException
			if !errors.As(err, &invalid) {
				t.Fatalf("got %v, want InvalidInputException", err)
			}
			if string(invalid.Reason) != tt.wantReason {
				t.Errorf("Reason = %s, want %s", invalid.Reason, tt.wantReason)
			}
		})
	}
}
