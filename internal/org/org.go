// Package org reads and changes the AWS Organization: the organization
// itself, its OUs, member accounts, their tags and account creation.
package org

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgstrap/orgstrap/internal/access"
)

type organizationsAPI interface {
	DescribeOrganization(ctx context.Context, in *organizations.DescribeOrganizationInput, optFns ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	CreateOrganization(ctx context.Context, in *organizations.CreateOrganizationInput, optFns ...func(*organizations.Options)) (*organizations.CreateOrganizationOutput, error)
	ListRoots(ctx context.Context, in *organizations.ListRootsInput, optFns ...func(*organizations.Options)) (*organizations.ListRootsOutput, error)
	ListOrganizationalUnitsForParent(ctx context.Context, in *organizations.ListOrganizationalUnitsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error)
	CreateOrganizationalUnit(ctx context.Context, in *organizations.CreateOrganizationalUnitInput, optFns ...func(*organizations.Options)) (*organizations.CreateOrganizationalUnitOutput, error)
	ListAccounts(ctx context.Context, in *organizations.ListAccountsInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
	ListAccountsForParent(ctx context.Context, in *organizations.ListAccountsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error)
	ListParents(ctx context.Context, in *organizations.ListParentsInput, optFns ...func(*organizations.Options)) (*organizations.ListParentsOutput, error)
	ListTagsForResource(ctx context.Context, in *organizations.ListTagsForResourceInput, optFns ...func(*organizations.Options)) (*organizations.ListTagsForResourceOutput, error)
	TagResource(ctx context.Context, in *organizations.TagResourceInput, optFns ...func(*organizations.Options)) (*organizations.TagResourceOutput, error)
	MoveAccount(ctx context.Context, in *organizations.MoveAccountInput, optFns ...func(*organizations.Options)) (*organizations.MoveAccountOutput, error)
	CreateAccount(ctx context.Context, in *organizations.CreateAccountInput, optFns ...func(*organizations.Options)) (*organizations.CreateAccountOutput, error)
	DescribeCreateAccountStatus(ctx context.Context, in *organizations.DescribeCreateAccountStatusInput, optFns ...func(*organizations.Options)) (*organizations.DescribeCreateAccountStatusOutput, error)
	ListCreateAccountStatus(ctx context.Context, in *organizations.ListCreateAccountStatusInput, optFns ...func(*organizations.Options)) (*organizations.ListCreateAccountStatusOutput, error)
}

var _ organizationsAPI = (*organizations.Client)(nil)

// ErrNoOrganization means the caller's account is not in an organization.
var ErrNoOrganization = errors.New("the account is not a member of an organization")

// Client wraps the Organizations calls orgstrap makes.
type Client struct {
	api organizationsAPI
}

// New returns a Client over an SDK client.
func New(api organizationsAPI) *Client { return &Client{api: api} }

// Organization is the organization the caller belongs to.
type Organization struct {
	ID                  string
	ManagementAccountID string
	FeatureSet          string
}

// Account is a member account.
type Account struct {
	ID     string
	Name   string
	Email  string
	Status string // ACTIVE, SUSPENDED or PENDING_CLOSURE
	Tags   map[string]string
}

// Describe returns the caller's organization, or ErrNoOrganization.
func (c *Client) Describe(ctx context.Context) (*Organization, error) {
	out, err := c.api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	var notInUse *types.AWSOrganizationsNotInUseException
	if errors.As(err, &notInUse) {
		return nil, ErrNoOrganization
	}
	if err != nil {
		return nil, access.ExplainDenied(fmt.Errorf("describing the organization: %w", err), "the caller")
	}
	return toOrganization(out.Organization), nil
}

// CreateOrganization creates an organization with all features, with the caller's
// account as its management account.
func (c *Client) CreateOrganization(ctx context.Context) (*Organization, error) {
	out, err := c.api.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetAll})
	if err != nil {
		return nil, access.ExplainDenied(fmt.Errorf("creating the organization: %w", err), "the caller")
	}
	return toOrganization(out.Organization), nil
}

func toOrganization(o *types.Organization) *Organization {
	return &Organization{ID: aws.ToString(o.Id), ManagementAccountID: aws.ToString(o.MasterAccountId), FeatureSet: string(o.FeatureSet)}
}

// Root is the organization's root.
type Root struct {
	ID string
	// Organization is the organization that the root's ARN names, with an
	// empty FeatureSet. It is nil when the ARN has another form.
	Organization *Organization
}

// Root returns the organization's root. Its ARN has the form
// arn:PARTITION:organizations::ACCOUNT:root/ORGANIZATION/ROOT, where
// ACCOUNT is the management account, so a caller in the management
// account learns it without a DescribeOrganization call.
// NOTE: that ACCOUNT is the management account rests on the AWS CLI's
// examples for list-roots and describe-organization, where it equals
// MasterAccountId. Discover calls DescribeOrganization whenever ACCOUNT
// is not the caller's account.
func (c *Client) Root(ctx context.Context) (*Root, error) {
	out, err := c.api.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return nil, fmt.Errorf("listing roots: %w", err)
	}
	if len(out.Roots) == 0 {
		return nil, errors.New("listing roots: the organization has no root")
	}
	r := out.Roots[0]
	return &Root{ID: aws.ToString(r.Id), Organization: organizationOfRoot(aws.ToString(r.Arn))}, nil
}

// organizationOfRoot reads the organization id and management account
// from a root ARN, and returns nil for any other form.
func organizationOfRoot(arn string) *Organization {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "organizations" || parts[3] != "" {
		return nil
	}
	resource := strings.Split(parts[5], "/")
	if len(resource) != 3 || resource[0] != "root" || !strings.HasPrefix(resource[1], "o-") || !isAccountID(parts[4]) {
		return nil
	}
	return &Organization{ID: resource[1], ManagementAccountID: parts[4]}
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// RootID returns the id of the organization's root.
func (c *Client) RootID(ctx context.Context) (string, error) {
	root, err := c.Root(ctx)
	if err != nil {
		return "", err
	}
	return root.ID, nil
}

// Accounts lists every account of the organization, without tags.
func (c *Client) Accounts(ctx context.Context) ([]Account, error) {
	var accounts []Account
	p := organizations.NewListAccountsPaginator(c.api, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, access.ExplainDenied(fmt.Errorf("listing accounts: %w", err), "the caller")
		}
		for _, a := range page.Accounts {
			status := string(a.Status)
			if a.State != "" {
				status = string(a.State)
			}
			accounts = append(accounts, Account{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name), Email: aws.ToString(a.Email), Status: status})
		}
	}
	return accounts, nil
}

// Tags returns the tags of an account, OU or root.
func (c *Client) Tags(ctx context.Context, resourceID string) (map[string]string, error) {
	tags := map[string]string{}
	p := organizations.NewListTagsForResourcePaginator(c.api, &organizations.ListTagsForResourceInput{ResourceId: aws.String(resourceID)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing tags of %s: %w", resourceID, err)
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}

// Tag adds or overwrites tags on a resource.
func (c *Client) Tag(ctx context.Context, resourceID string, tags map[string]string) error {
	_, err := c.api.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(resourceID), Tags: toTags(tags)})
	if err != nil {
		return access.ExplainDenied(fmt.Errorf("tagging %s: %w", resourceID, err), "the caller")
	}
	return nil
}

func toTags(tags map[string]string) []types.Tag {
	list := make([]types.Tag, 0, len(tags))
	for k, v := range tags {
		list = append(list, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return list
}

// AccountsIn returns the ids of the accounts directly under a root or OU.
func (c *Client) AccountsIn(ctx context.Context, parentID string) ([]string, error) {
	var ids []string
	p := organizations.NewListAccountsForParentPaginator(c.api, &organizations.ListAccountsForParentInput{ParentId: aws.String(parentID)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing accounts in %s: %w", parentID, err)
		}
		for _, a := range page.Accounts {
			ids = append(ids, aws.ToString(a.Id))
		}
	}
	return ids, nil
}

// Parent returns the id of the root or OU directly above an account.
func (c *Client) Parent(ctx context.Context, accountID string) (string, error) {
	out, err := c.api.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(accountID)})
	if err != nil {
		return "", fmt.Errorf("finding the parent of account %s: %w", accountID, err)
	}
	if len(out.Parents) == 0 {
		return "", fmt.Errorf("finding the parent of account %s: none returned", accountID)
	}
	return aws.ToString(out.Parents[0].Id), nil
}

// Move moves an account from one parent to another. An account already
// under the destination counts as moved, so a re-run after a crash works.
// A move refused with ACCOUNT_CREATION_NOT_COMPLETE, which AWS returns while
// a new account is still being set up, is tried again for up to two
// minutes.
func (c *Client) Move(ctx context.Context, accountID, fromID, toID string) error {
	backoff := access.Backoff{Initial: time.Second, Max: 10 * time.Second}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		err := c.move(ctx, accountID, fromID, toID)
		var cv *types.ConstraintViolationException
		// NOTE: the sandbox never returns ACCOUNT_CREATION_NOT_COMPLETE, so
		// tests do not reach this retry.
		if !errors.As(err, &cv) || cv.Reason != types.ConstraintViolationExceptionReasonAccountCreationNotComplete || time.Now().After(deadline) {
			return err
		}
		if err := access.Sleep(ctx, backoff.Next()); err != nil {
			return err
		}
	}
}

func (c *Client) move(ctx context.Context, accountID, fromID, toID string) error {
	_, err := c.api.MoveAccount(ctx, &organizations.MoveAccountInput{
		AccountId: aws.String(accountID), SourceParentId: aws.String(fromID), DestinationParentId: aws.String(toID),
	})
	var duplicate *types.DuplicateAccountException
	if errors.As(err, &duplicate) {
		return nil
	}
	var notFound *types.AccountNotFoundException
	if errors.As(err, &notFound) {
		// A retried call whose first attempt moved the account finds it
		// no longer under the source parent.
		if parent, parentErr := c.Parent(ctx, accountID); parentErr == nil && parent == toID {
			return nil
		}
	}
	if err != nil {
		return access.ExplainDenied(fmt.Errorf("moving account %s to %s: %w", accountID, toID, err), "the caller")
	}
	return nil
}
