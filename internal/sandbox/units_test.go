package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgstrap/orgstrap/internal/sandbox"
)

func createOU(t *testing.T, client *organizations.Client, parent, name string) string {
	t.Helper()
	out, err := client.CreateOrganizationalUnit(context.Background(), &organizations.CreateOrganizationalUnitInput{
		ParentId: &parent, Name: &name,
	})
	if err != nil {
		t.Fatalf("CreateOrganizationalUnit %s: %v", name, err)
	}
	return aws.ToString(out.OrganizationalUnit.Id)
}

func TestOrganizationalUnits(t *testing.T) {
	ctx := context.Background()
	_, cfg, _ := startOrg(t, sandbox.Options{})
	client := organizations.NewFromConfig(noRetry(cfg))
	root := rootID(t, client)

	workloads := createOU(t, client, root, "workloads")
	described, err := client.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{
		OrganizationalUnitId: &workloads,
	})
	if err != nil {
		t.Fatalf("DescribeOrganizationalUnit: %v", err)
	}
	if got := aws.ToString(described.OrganizationalUnit.Name); got != "workloads" {
		t.Errorf("Name = %s, want workloads", got)
	}

	_, err = client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
		ParentId: &root, Name: aws.String("workloads"),
	})
	var duplicate *types.DuplicateOrganizationalUnitException
	if !errors.As(err, &duplicate) {
		t.Errorf("duplicate OU name: got %v, want DuplicateOrganizationalUnitException", err)
	}
	// The same name under another parent is allowed.
	createOU(t, client, workloads, "workloads")

	_, err = client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
		ParentId: aws.String("ou-abcd-12345678"), Name: aws.String("orphan"),
	})
	var noParent *types.ParentNotFoundException
	if !errors.As(err, &noParent) {
		t.Errorf("unknown parent: got %v, want ParentNotFoundException", err)
	}
	_, err = client.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{
		OrganizationalUnitId: aws.String("ou-abcd-12345678"),
	})
	wantAPIError(t, err, "OrganizationalUnitNotFoundException")

	// The root's children are at depth 1; depth 5 is the deepest allowed.
	parent := root
	for depth := 1; depth <= 5; depth++ {
		parent = createOU(t, client, parent, fmt.Sprintf("level-%d", depth))
	}
	_, err = client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
		ParentId: &parent, Name: aws.String("level-6"),
	})
	var constraint *types.ConstraintViolationException
	if !errors.As(err, &constraint) || constraint.Reason != types.ConstraintViolationExceptionReasonOuDepthLimitExceeded {
		t.Errorf("sixth level: got %v, want ConstraintViolationException OU_DEPTH_LIMIT_EXCEEDED", err)
	}

	parents, err := client.ListParents(ctx, &organizations.ListParentsInput{ChildId: &parent})
	if err != nil {
		t.Fatalf("ListParents: %v", err)
	}
	if len(parents.Parents) != 1 || parents.Parents[0].Type != types.ParentTypeOrganizationalUnit {
		t.Errorf("parents of level-5 = %v, want one ORGANIZATIONAL_UNIT", parents.Parents)
	}
	_, err = client.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String("111111111111")})
	wantAPIError(t, err, "ChildNotFoundException")
}

func TestOrganizationalUnitPaging(t *testing.T) {
	ctx := context.Background()
	_, cfg, _ := startOrg(t, sandbox.Options{})
	client := organizations.NewFromConfig(noRetry(cfg))
	root := rootID(t, client)
	for i := range 25 {
		createOU(t, client, root, fmt.Sprintf("ou-%02d", i))
	}

	var names []string
	pages := 0
	paginator := organizations.NewListOrganizationalUnitsForParentPaginator(client,
		&organizations.ListOrganizationalUnitsForParentInput{ParentId: &root, MaxResults: aws.Int32(10)})
	for paginator.HasMorePages() {
		out, err := paginator.NextPage(ctx)
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		pages++
		for _, ou := range out.OrganizationalUnits {
			names = append(names, aws.ToString(ou.Name))
		}
	}
	if pages != 3 || len(names) != 25 {
		t.Fatalf("got %d OUs in %d pages, want 25 in 3", len(names), pages)
	}
	for i, name := range names {
		if want := fmt.Sprintf("ou-%02d", i); name != want {
			t.Fatalf("OU %d = %s, want %s (stable order)", i, name, want)
		}
	}

	// Without MaxResults a page holds at most 20.
	first, err := client.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: &root})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.OrganizationalUnits) != 20 || first.NextToken == nil {
		t.Errorf("default page: %d OUs, NextToken %v; want 20 and a token", len(first.OrganizationalUnits), first.NextToken)
	}

	tests := []struct {
		name       string
		input      organizations.ListOrganizationalUnitsForParentInput
		wantReason types.InvalidInputExceptionReason
	}{
		{"MaxResults too large", organizations.ListOrganizationalUnitsForParentInput{ParentId: &root, MaxResults: aws.Int32(21)},
			types.InvalidInputExceptionReasonMaxValueExceeded},
		{"MaxResults zero", organizations.ListOrganizationalUnitsForParentInput{ParentId: &root, MaxResults: aws.Int32(0)},
			types.InvalidInputExceptionReasonMinValueExceeded},
		{"garbage token", organizations.ListOrganizationalUnitsForParentInput{ParentId: &root, NextToken: aws.String("not-a-token")},
			types.InvalidInputExceptionReasonInvalidPaginationToken},
		{"bad parent id", organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String("x-1")},
			types.InvalidInputExceptionReasonInvalidPattern},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.ListOrganizationalUnitsForParent(ctx, &tt.input)
			var invalid *types.InvalidInputException
			if !errors.As(err, &invalid) || invalid.Reason != tt.wantReason {
				t.Errorf("got %v, want InvalidInputException %s", err, tt.wantReason)
			}
		})
	}

	// A token from one list is no good for another.
	_, err = client.ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: first.NextToken})
	wantAPIError(t, err, "InvalidInputException")
}

func TestMoveAccount(t *testing.T) {
	ctx := context.Background()
	_, cfg, _ := startOrg(t, sandbox.Options{CreateAccountDelay: -1})
	client := organizations.NewFromConfig(noRetry(cfg))
	root := rootID(t, client)
	dev := createOU(t, client, root, "dev")
	prod := createOU(t, client, root, "prod")

	created, err := client.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String("dev"), Email: aws.String("dev@example.com"),
	})
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	account := aws.ToString(describeStatus(t, client, created.CreateAccountStatus.Id).AccountId)

	move := func(source, destination string) error {
		_, err := client.MoveAccount(ctx, &organizations.MoveAccountInput{
			AccountId: &account, SourceParentId: &source, DestinationParentId: &destination,
		})
		return err
	}
	if err := move(root, dev); err != nil {
		t.Fatalf("MoveAccount root -> dev: %v", err)
	}
	inDev, err := client.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: &dev})
	if err != nil {
		t.Fatal(err)
	}
	if len(inDev.Accounts) != 1 || aws.ToString(inDev.Accounts[0].Id) != account {
		t.Errorf("accounts in dev = %v, want %s", inDev.Accounts, account)
	}

	tests := []struct {
		name                string
		account             string
		source, destination string
		want                string
	}{
		{"already there", account, dev, dev, "DuplicateAccountException"},
		{"wrong source", account, root, prod, "AccountNotFoundException"},
		{"unknown source", account, "ou-zzzz-zzzzzzzz", prod, "SourceParentNotFoundException"},
		{"unknown destination", account, dev, "ou-zzzz-zzzzzzzz", "DestinationParentNotFoundException"},
		{"unknown account", "123456789012", dev, prod, "AccountNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.MoveAccount(ctx, &organizations.MoveAccountInput{
				AccountId: &tt.account, SourceParentId: &tt.source, DestinationParentId: &tt.destination,
			})
			wantAPIError(t, err, tt.want)
		})
	}
	_, err = client.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("123456789012")})
	wantAPIError(t, err, "AccountNotFoundException")
}

func TestTags(t *testing.T) {
	ctx := context.Background()
	sb, cfg, _ := startOrg(t, sandbox.Options{})
	client := organizations.NewFromConfig(noRetry(cfg))
	root := rootID(t, client)
	management := sb.ManagementAccountID()

	for _, target := range []string{root, management, createOU(t, client, root, "tagged")} {
		_, err := client.TagResource(ctx, &organizations.TagResourceInput{ResourceId: &target, Tags: []types.Tag{
			{Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("a"), Value: aws.String("1")},
		}})
		if err != nil {
			t.Fatalf("TagResource %s: %v", target, err)
		}
		_, err = client.TagResource(ctx, &organizations.TagResourceInput{ResourceId: &target, Tags: []types.Tag{
			{Key: aws.String("a"), Value: aws.String("one")},
		}})
		if err != nil {
			t.Fatalf("TagResource %s again: %v", target, err)
		}
		if _, err := client.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: &target, TagKeys: []string{"b"}}); err != nil {
			t.Fatalf("UntagResource %s: %v", target, err)
		}
		out, err := client.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: &target})
		if err != nil {
			t.Fatalf("ListTagsForResource %s: %v", target, err)
		}
		if len(out.Tags) != 1 || aws.ToString(out.Tags[0].Key) != "a" || aws.ToString(out.Tags[0].Value) != "one" {
			t.Errorf("tags of %s = %v, want a=one", target, out.Tags)
		}
	}

	_, err := client.TagResource(ctx, &organizations.TagResourceInput{
		ResourceId: aws.String("123456789012"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}},
	})
	wantAPIError(t, err, "TargetNotFoundException")

	var many []types.Tag
	for i := range 50 {
		many = append(many, types.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")})
	}
	_, err = client.TagResource(ctx, &organizations.TagResourceInput{ResourceId: &root, Tags: many})
	var constraint *types.ConstraintViolationException
	if !errors.As(err, &constraint) || constraint.Reason != types.ConstraintViolationExceptionReasonMaxTagLimitExceeded {
		t.Fatalf("51st tag: got %v, want ConstraintViolationException MAX_TAG_LIMIT_EXCEEDED", err)
	}
	_, err = client.TagResource(ctx, &organizations.TagResourceInput{ResourceId: &root, Tags: []types.Tag{
		{Key: aws.String("x"), Value: aws.String("1")}, {Key: aws.String("x"), Value: aws.String("2")},
	}})
	var invalid *types.InvalidInputException
	if !errors.As(err, &invalid) || invalid.Reason != types.InvalidInputExceptionReasonDuplicateTagKey {
		t.Errorf("duplicate key: got %v, want InvalidInputException DUPLICATE_TAG_KEY", err)
	}
}
