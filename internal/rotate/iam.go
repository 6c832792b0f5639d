package rotate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/orgstrap/orgstrap/internal/deployrole"
	"github.com/orgstrap/orgstrap/internal/policy"
)

type iamAPI interface {
	GetRole(ctx context.Context, in *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	TagRole(ctx context.Context, in *iam.TagRoleInput, optFns ...func(*iam.Options)) (*iam.TagRoleOutput, error)
	UntagRole(ctx context.Context, in *iam.UntagRoleInput, optFns ...func(*iam.Options)) (*iam.UntagRoleOutput, error)
	UpdateAssumeRolePolicy(ctx context.Context, in *iam.UpdateAssumeRolePolicyInput, optFns ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
	PutRolePolicy(ctx context.Context, in *iam.PutRolePolicyInput, optFns ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error)
	ListRolePolicies(ctx context.Context, in *iam.ListRolePoliciesInput, optFns ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error)
	DeleteRolePolicy(ctx context.Context, in *iam.DeleteRolePolicyInput, optFns ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error)
	ListAttachedRolePolicies(ctx context.Context, in *iam.ListAttachedRolePoliciesInput, optFns ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error)
	DetachRolePolicy(ctx context.Context, in *iam.DetachRolePolicyInput, optFns ...func(*iam.Options)) (*iam.DetachRolePolicyOutput, error)
	DeleteRole(ctx context.Context, in *iam.DeleteRoleInput, optFns ...func(*iam.Options)) (*iam.DeleteRoleOutput, error)
}

var _ iamAPI = (*iam.Client)(nil)

// revokeDocument denies everything to sessions issued before cutoff.
// DateLessThan compares the session's aws:TokenIssueTime with cutoff,
// written as an ISO 8601 UTC time.
func revokeDocument(cutoff time.Time) *policy.Document {
	return &policy.Document{
		Version: policy.Version2012,
		Statement: []policy.Statement{{
			Effect: "Deny", Action: policy.Values{"*"}, Resource: policy.Values{"*"},
			Condition: policy.Conditions{"DateLessThan": {"aws:TokenIssueTime": {cutoff.UTC().Format(time.RFC3339)}}},
		}},
	}
}

// revokeBefore returns the cutoff that revokes every session issued before
// t: t rounded up to the next whole second, because aws:TokenIssueTime
// may carry whole seconds only, and a session issued earlier within t's
// second would otherwise compare equal and survive. Sessions issued in
// the rest of that second are revoked too.
func revokeBefore(t time.Time) time.Time {
	cutoff := t.UTC().Truncate(time.Second)
	if cutoff.Before(t) {
		cutoff = cutoff.Add(time.Second)
	}
	return cutoff
}

func revokeSessions(ctx context.Context, client iamAPI, role string, cutoff time.Time) error {
	data, err := json.Marshal(revokeDocument(cutoff))
	if err != nil {
		return fmt.Errorf("encoding the revocation policy: %w", err)
	}
	_, err = client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String(role), PolicyName: aws.String(deployrole.RevokeSessionsPolicy), PolicyDocument: aws.String(string(data)),
	})
	if err != nil {
		return fmt.Errorf("revoking the sessions of role %s: %w", role, err)
	}
	return nil
}

// newExternalID returns a random external id: 20 bytes from crypto/rand
// in hexadecimal, inside the 2 to 1,224 characters of [\w+=,.@:/-] that
// STS accepts.
func newExternalID() string {
	b := make([]byte, 20)
	// Since Go 1.24, crypto/rand.Read never returns an error.
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func tagRole(ctx context.Context, client iamAPI, role string, tags map[string]string) error {
	list := make([]types.Tag, 0, len(tags))
	for k, v := range tags {
		list = append(list, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if _, err := client.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(role), Tags: list}); err != nil {
		return fmt.Errorf("tagging role %s: %w", role, err)
	}
	return nil
}

func untagRole(ctx context.Context, client iamAPI, role string, keys ...string) error {
	if _, err := client.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(role), TagKeys: keys}); err != nil {
		return fmt.Errorf("untagging role %s: %w", role, err)
	}
	return nil
}

func updateTrust(ctx context.Context, client iamAPI, role string, trust *policy.Document) error {
	data, err := json.Marshal(trust)
	if err != nil {
		return fmt.Errorf("encoding the trust policy of role %s: %w", role, err)
	}
	_, err = client.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
		RoleName: aws.String(role), PolicyDocument: aws.String(string(data)),
	})
	if err != nil {
		return fmt.Errorf("updating the trust policy of role %s: %w", role, err)
	}
	return nil
}

// roleTags returns a role's tags, or nil when the role does not exist.
func roleTags(ctx context.Context, client iamAPI, role string) (map[string]string, error) {
	out, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)})
	var missing *types.NoSuchEntityException
	if errors.As(err, &missing) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading role %s: %w", role, err)
	}
	tags := map[string]string{}
	for _, t := range out.Role.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// deleteRole detaches the role's managed policies, deletes its inline
// policies and then the role, which IAM allows only in that order. A role
// already gone is not an error, so an interrupted deletion resumes.
func deleteRole(ctx context.Context, client iamAPI, role string) error {
	var missing *types.NoSuchEntityException
	attached := iam.NewListAttachedRolePoliciesPaginator(client, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if errors.As(err, &missing) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("listing the policies of role %s: %w", role, err)
		}
		for _, p := range page.AttachedPolicies {
			_, err := client.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(role), PolicyArn: p.PolicyArn})
			if err != nil && !errors.As(err, &missing) {
				return fmt.Errorf("detaching %s from role %s: %w", aws.ToString(p.PolicyArn), role, err)
			}
		}
	}
	inline := iam.NewListRolePoliciesPaginator(client, &iam.ListRolePoliciesInput{RoleName: aws.String(role)})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing the inline policies of role %s: %w", role, err)
		}
		for _, name := range page.PolicyNames {
			_, err := client.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
			if err != nil && !errors.As(err, &missing) {
				return fmt.Errorf("deleting inline policy %s of role %s: %w", name, role, err)
			}
		}
	}
	_, err := client.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(role)})
	if err != nil && !errors.As(err, &missing) {
		return fmt.Errorf("deleting role %s: %w", role, err)
	}
	return nil
}

// startedTag formats a rotation's start for TagRotationStarted.
func startedTag(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// isManagedBy reports whether tags mark a role orgstrap created for env.
func isManagedBy(tags map[string]string, env string) bool {
	return tags[deployrole.TagManaged] == "true" && tags[deployrole.TagEnvironment] == env
}
