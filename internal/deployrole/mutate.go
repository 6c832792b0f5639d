package deployrole

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/orgstrap/orgstrap/internal/access"
)

// maxPolicyVersions is IAM's limit of stored versions per managed policy.
const maxPolicyVersions = 5

func iamTags(tags map[string]string) []types.Tag {
	list := make([]types.Tag, 0, len(tags))
	for _, k := range sortedKeys(tags) {
		list = append(list, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return list
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func explain(err error) error {
	return access.ExplainDenied(err, "the access role in the member account")
}

func (c *Client) createOIDCProvider(ctx context.Context, d *Desired) error {
	_, err := c.api.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url:          aws.String("https://" + GitHubOIDCHost),
		ClientIDList: []string{"sts.amazonaws.com"},
		Tags:         iamTags(map[string]string{TagManaged: "true", TagEnvironment: d.Environment}),
	})
	var exists *types.EntityAlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		return explain(fmt.Errorf("creating the GitHub OIDC provider: %w", err))
	}
	return nil
}

func (c *Client) createPolicy(ctx context.Context, d *Desired, p *Policy, versions *versions) error {
	out, err := c.api.CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName:     aws.String(p.Name),
		Path:           aws.String(PolicyPath),
		PolicyDocument: aws.String(encodeDocument(p.Document)),
		Description:    aws.String("Managed by orgstrap for environment " + d.Environment),
		Tags:           iamTags(map[string]string{TagManaged: "true", TagEnvironment: d.Environment}),
	})
	if err != nil {
		return explain(fmt.Errorf("creating policy %s: %w", p.Name, err))
	}
	versions.set(p.Name, aws.ToString(out.Policy.DefaultVersionId))
	return nil
}

// updatePolicy makes want's document the default version of have. IAM
// keeps at most five versions, so when five exist the oldest non-default
// one is deleted first.
func (c *Client) updatePolicy(ctx context.Context, have *ManagedPolicy, want *Policy, versions *versions) error {
	stored, err := c.listVersions(ctx, have.ARN)
	if err != nil {
		return err
	}
	if len(stored) >= maxPolicyVersions {
		var oldest *types.PolicyVersion
		for i := range stored {
			v := &stored[i]
			if !v.IsDefaultVersion && (oldest == nil || v.CreateDate.Before(aws.ToTime(oldest.CreateDate))) {
				oldest = v
			}
		}
		if oldest != nil {
			if err := c.deleteVersion(ctx, have, aws.ToString(oldest.VersionId)); err != nil {
				return err
			}
		}
	}
	out, err := c.api.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{
		PolicyArn: aws.String(have.ARN), PolicyDocument: aws.String(encodeDocument(want.Document)), SetAsDefault: true,
	})
	if err != nil {
		return explain(fmt.Errorf("updating policy %s: %w", have.Name, err))
	}
	versions.set(have.Name, aws.ToString(out.PolicyVersion.VersionId))
	return nil
}

func (c *Client) listVersions(ctx context.Context, arn string) ([]types.PolicyVersion, error) {
	var versions []types.PolicyVersion
	p := iam.NewListPolicyVersionsPaginator(c.api, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing versions of %s: %w", arn, err)
		}
		versions = append(versions, page.Versions...)
	}
	return versions, nil
}

func (c *Client) deleteVersion(ctx context.Context, p *ManagedPolicy, id string) error {
	_, err := c.api.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(p.ARN), VersionId: aws.String(id)})
	if err != nil {
		return explain(fmt.Errorf("deleting version %s of policy %s: %w", id, p.Name, err))
	}
	return nil
}

func (c *Client) createRole(ctx context.Context, d *Desired, spec RoleSpec) error {
	in := &iam.CreateRoleInput{
		RoleName:                 aws.String(spec.Name),
		AssumeRolePolicyDocument: aws.String(encodeDocument(spec.Trust)),
		MaxSessionDuration:       aws.Int32(int32(wantDuration(spec).Seconds())),
		Description:              aws.String("Deployment role managed by orgstrap for environment " + d.Environment),
		// The digest tag comes last, once the role is fully configured.
		Tags: iamTags(map[string]string{TagManaged: "true", TagEnvironment: d.Environment}),
	}
	if spec.Boundary != "" {
		in.PermissionsBoundary = aws.String(d.PolicyARN(spec.Boundary))
	}
	if _, err := c.api.CreateRole(ctx, in); err != nil {
		return explain(fmt.Errorf("creating role %s: %w", spec.Name, err))
	}
	return nil
}

func (c *Client) updateTrust(ctx context.Context, spec RoleSpec) error {
	_, err := c.api.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
		RoleName: aws.String(spec.Name), PolicyDocument: aws.String(encodeDocument(spec.Trust)),
	})
	if err != nil {
		return explain(fmt.Errorf("updating the trust policy of role %s: %w", spec.Name, err))
	}
	return nil
}

func (c *Client) updateDuration(ctx context.Context, spec RoleSpec) error {
	_, err := c.api.UpdateRole(ctx, &iam.UpdateRoleInput{
		RoleName: aws.String(spec.Name), MaxSessionDuration: aws.Int32(int32(wantDuration(spec).Seconds())),
	})
	if err != nil {
		return explain(fmt.Errorf("updating role %s: %w", spec.Name, err))
	}
	return nil
}

func (c *Client) putBoundary(ctx context.Context, role, arn string) error {
	_, err := c.api.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{
		RoleName: aws.String(role), PermissionsBoundary: aws.String(arn),
	})
	if err != nil {
		return explain(fmt.Errorf("setting the permissions boundary of role %s: %w", role, err))
	}
	return nil
}

func (c *Client) removeBoundary(ctx context.Context, role string) error {
	_, err := c.api.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(role)})
	if err != nil {
		return explain(fmt.Errorf("removing the permissions boundary of role %s: %w", role, err))
	}
	return nil
}

func (c *Client) attach(ctx context.Context, role, arn string) error {
	_, err := c.api.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(arn)})
	if err != nil {
		return explain(fmt.Errorf("attaching %s to role %s: %w", arn, role, err))
	}
	return nil
}

func (c *Client) detach(ctx context.Context, role, arn string) error {
	_, err := c.api.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(arn)})
	var missing *types.NoSuchEntityException
	if err != nil && !errors.As(err, &missing) {
		return explain(fmt.Errorf("detaching %s from role %s: %w", arn, role, err))
	}
	return nil
}

func (c *Client) deleteInline(ctx context.Context, role, name string) error {
	_, err := c.api.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
	var missing *types.NoSuchEntityException
	if err != nil && !errors.As(err, &missing) {
		return explain(fmt.Errorf("deleting inline policy %s of role %s: %w", name, role, err))
	}
	return nil
}

func (c *Client) tagRole(ctx context.Context, role string, tags map[string]string) error {
	_, err := c.api.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(role), Tags: iamTags(tags)})
	if err != nil {
		return explain(fmt.Errorf("tagging role %s: %w", role, err))
	}
	return nil
}

// deletePolicy detaches p from orgstrap's roles, then deletes its
// non-default versions and the policy itself. IAM refuses to delete a
// policy that is still attached elsewhere, which is reported.
func (c *Client) deletePolicy(ctx context.Context, p *ManagedPolicy, roles []string) error {
	for _, role := range roles {
		_, err := c.api.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(p.ARN)})
		var missing *types.NoSuchEntityException
		if err != nil && !errors.As(err, &missing) {
			return explain(fmt.Errorf("detaching policy %s from role %s: %w", p.Name, role, err))
		}
	}
	if p.AttachmentCount > len(roles) {
		return access.WithFix(fmt.Errorf("deleting policy %s: it is attached to %d entities orgstrap does not manage", p.Name, p.AttachmentCount-len(roles)),
			"detach it from those users, groups or roles, then run apply again")
	}
	versions, err := c.listVersions(ctx, p.ARN)
	if err != nil {
		return err
	}
	for _, v := range versions {
		if !v.IsDefaultVersion {
			if err := c.deleteVersion(ctx, p, aws.ToString(v.VersionId)); err != nil {
				return err
			}
		}
	}
	if _, err := c.api.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(p.ARN)}); err != nil {
		return explain(fmt.Errorf("deleting policy %s: %w", p.Name, err))
	}
	return nil
}
