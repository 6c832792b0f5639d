package deployrole

import (
	"strings"
	"time"

	"github.com/orgstrap/orgstrap/internal/policy"
)

// RevokeSessionsPolicy is the inline policy that revokes a role's older
// sessions. It is the name the IAM console's "Revoke active sessions"
// writes and orgstrap rotate uses, so each replaces the other's.
const RevokeSessionsPolicy = "AWSRevokeOlderSessions"

// tokenIssueTimeKey is the condition key of a session's issue time.
const tokenIssueTimeKey = "aws:TokenIssueTime"

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
