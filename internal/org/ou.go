package org

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgstrap/orgstrap/internal/access"
)

// OU is an organizational unit.
type OU struct {
	ID   string
	Name string
}

// ChildOUs lists the OUs directly under a root or OU.
func (c *Client) ChildOUs(ctx context.Context, parentID string) ([]OU, error) {
	var ous []OU
	p := organizations.NewListOrganizationalUnitsForParentPaginator(c.api,
		&organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parentID)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing OUs in %s: %w", parentID, err)
		}
		for _, ou := range page.OrganizationalUnits {
			ous = append(ous, OU{ID: aws.ToString(ou.Id), Name: aws.ToString(ou.Name)})
		}
	}
	return ous, nil
}

// CreateOU creates an OU under parentID. When an OU of that name exists
// already, as after a crash between the call and its response, it returns
// that OU's id.
func (c *Client) CreateOU(ctx context.Context, parentID, name string) (string, error) {
	out, err := c.api.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
		ParentId: aws.String(parentID), Name: aws.String(name),
	})
	var duplicate *types.DuplicateOrganizationalUnitException
	if errors.As(err, &duplicate) {
		ous, listErr := c.ChildOUs(ctx, parentID)
		if listErr != nil {
			return "", listErr
		}
		for _, ou := range ous {
			if ou.Name == name {
				return ou.ID, nil
			}
		}
	}
	if err != nil {
		return "", explainConstraint(access.ExplainDenied(fmt.Errorf("creating OU %s in %s: %w", name, parentID, err), "the caller"))
	}
	return aws.ToString(out.OrganizationalUnit.Id), nil
}

// explainConstraint attaches fixes to ConstraintViolationException reasons.
func explainConstraint(err error) error {
	var cv *types.ConstraintViolationException
	if !errors.As(err, &cv) || access.Fix(err) != "" {
		return err
	}
	if fix, ok := constraintFixes[string(cv.Reason)]; ok {
		return access.WithFix(err, fix)
	}
	return err
}

var constraintFixes = map[string]string{
	"ACCOUNT_NUMBER_LIMIT_EXCEEDED": "the organization has reached its account quota: request a higher " +
		"\"Default maximum number of accounts\" for AWS Organizations in Service Quotas (us-east-1); closed accounts count until they are permanently closed",
	"ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED": "AWS limits how many accounts an organization creates per day: run apply again tomorrow or ask AWS Support to raise the limit",
	"OU_DEPTH_LIMIT_EXCEEDED":              "Organizations nests OUs at most 5 levels deep: shorten the ou path in orgstrap.yaml",
	"OU_NUMBER_LIMIT_EXCEEDED":             "the organization has reached its OU quota: delete unused OUs or request a higher quota in Service Quotas",
}
