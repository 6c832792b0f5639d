package deployrole

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgstrap/orgstrap/internal/policy"
)

// RevokeSessionsPolicy is the inline policy that revokes a role's older
// sessions. It is the name the IAM console's "Revoke active sessions"
// writes and orgstrap rotate uses, so each replaces the other's.
const RevokeSessionsPolicy = "AWSRevokeOlderSessions"

// tokenIssueTimeKey is the condition key of a session's issue time.
const tokenIssueTimeKey = "aws:TokenIssueTime"

// readRevocation reads the role's session revocation policy, if any. A
// policy of that name that only denies is kept out of role.Inline, so
// apply does not delete it and bring revoked sessions back. One that
// allows anything stays in role.Inline and is deleted as drift.
func (c *Client) readRevocation(ctx context.Context, role *Role) error {
	if !slices.Contains(role.Inline, RevokeSessionsPolicy) {
		return nil
	}
	out, err := c.api.GetRolePolicy(ctx, &iam.GetRolePolicyInput{
		RoleName: aws.String(role.Name), PolicyName: aws.String(RevokeSessionsPolicy),
	})
	if err != nil {
		return fmt.Errorf("reading inline policy %s of role %s: %w", RevokeSessionsPolicy, role.Name, err)
	}
	doc, err := decodeDocument(aws.ToString(out.PolicyDocument))
	if err != nil {
		return fmt.Errorf("reading inline policy %s of role %s: %w", RevokeSessionsPolicy, role.Name, err)
	}
	cutoff, ok := revocationCutoff(doc)
	if !ok {
		return nil
	}
	role.RevokedBefore = cutoff
	role.Inline = slices.DeleteFunc(role.Inline, func(name string) bool { return name == RevokeSessionsPolicy })
	return nil
}

// revocationCutoff returns the DateLessThan aws:TokenIssueTime value of a
// revocation policy. It reports false unless every statement denies, so
// the policy can only take permissions away.
func revocationCutoff(doc *policy.Document) (time.Time, bool) {
	if doc == nil || len(doc.Statement) == 0 {
		return time.Time{}, false
	}
	var cutoff time.Time
	for _, st := range doc.Statement {
		if st.Effect != "Deny" {
			return time.Time{}, false
		}
		for key, values := range st.Condition["DateLessThan"] {
			if !strings.EqualFold(key, tokenIssueTimeKey) || len(values) != 1 {
				continue
			}
			if t, err := time.Parse(time.RFC3339, values[0]); err == nil && t.After(cutoff) {
				cutoff = t
			}
		}
	}
	return cutoff, true
}
