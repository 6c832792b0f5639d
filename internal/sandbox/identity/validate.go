package identity

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/orgstrap/orgstrap/internal/policy"
	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// IAM's limits, from the IAM quotas page: sizes are counted without
// whitespace.
const (
	maxManagedPolicySize   = policy.MaxManagedPolicySize
	maxInlineSizePerRole   = policy.MaxInlinePolicySize
	maxTrustPolicySize     = policy.MaxTrustPolicySize
	maxAttachedPerRole     = 10
	maxPolicyVersions      = 5
	maxTags                = 50
	minMaxSessionDuration  = 3600
	maxMaxSessionDuration  = 43200
	maxPolicyDocumentChars = 131072
)

var (
	// namePattern is IAM's character set for role, user and policy names
	// and for role session names.
	namePattern = regexp.MustCompile(`^[\w+=,.@-]+$`)
	// pathPattern is "/" or slash-delimited printable ASCII.
	pathPattern      = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
	accountIDPattern = regexp.MustCompile(`^\d{12}$`)
)

// validateName checks a name member (roleName, policyName, userName)
// against IAM's pattern and length.
func validateName(member, value string, max int) *api.Error {
	if value == "" || len(value) > max {
		return validationError("Value '%s' at '%s' failed to satisfy constraint: Member must have length between 1 and %d", value, member, max)
	}
	if !namePattern.MatchString(value) {
		return validationError("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", value, member)
	}
	return nil
}

// validateRoleName is validateName for role names (1 to 64 characters).
func validateRoleName(name string) *api.Error { return validateName("roleName", name, 64) }

// validatePath checks an IAM path: 1 to 512 characters starting and ending
// with a slash.
func validatePath(member, path string) *api.Error {
	if len(path) > 512 || !pathPattern.MatchString(path) {
		return validationError("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)", path, member)
	}
	return nil
}

// validateDescription checks a role or policy description (at most 1,000
// characters).
func validateDescription(d string) *api.Error {
	if len([]rune(d)) > 1000 {
		return validationError("Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000")
	}
	return nil
}

// validateTags checks tag keys (1 to 128 characters, unique ignoring case),
// values (at most 256) and the count (at most 50 on one resource).
func validateTags(tags []tag) *api.Error {
	if len(tags) > maxTags {
		return limitExceeded("The number of tags has reached the maximum limit.")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 {
			return validationError("Value '%s' at 'tags.key' failed to satisfy constraint: Member must have length between 1 and 128", t.Key)
		}
		if len(t.Value) > 256 {
			return validationError("Value at 'tags.value' failed to satisfy constraint: Member must have length less than or equal to 256")
		}
		if seen[strings.ToLower(t.Key)] {
			return invalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[strings.ToLower(t.Key)] = true
	}
	return nil
}

// parsePolicy parses and validates a policy document as IAM does on write.
// sizeLimit > 0 rejects documents larger than that with LimitExceeded and
// quotaMessage.
func parsePolicy(text string, kind policy.Kind, sizeLimit int, quotaMessage string) (*policy.Document, *api.Error) {
	if strings.TrimSpace(text) == "" || len(text) > maxPolicyDocumentChars {
		return nil, validationError("Value at 'policyDocument' failed to satisfy constraint: Member must have length between 1 and %d", maxPolicyDocumentChars)
	}
	doc, err := policy.ParseDocument([]byte(text))
	if err != nil {
		return nil, malformed("Syntax errors in policy. %s", err.Error())
	}
	if err := policy.Validate(doc, kind); err != nil {
		return nil, malformed("%s", err.Error())
	}
	if sizeLimit > 0 && policy.Size(doc) > sizeLimit {
		return nil, limitExceeded("%s", quotaMessage)
	}
	return doc, nil
}

// parseTrust validates a trust policy: the document rules, the 2,048
// character quota, and that each AWS principal exists, as IAM rejects a
// trust policy naming a role or user that it cannot resolve.
func (s *Store) parseTrust(text string) (*policy.Document, *api.Error) {
	doc, err := parsePolicy(text, policy.KindTrust, maxTrustPolicySize,
		fmt.Sprintf("Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicySize))
	if err != nil {
		return nil, err
	}
	for _, st := range doc.Statement {
		for _, p := range []*policy.Principal{st.Principal, st.NotPrincipal} {
			if p == nil {
				continue
			}
			for _, v := range p.AWS {
				if !s.principalExists(v) {
					return nil, malformed("Invalid principal in policy: \"AWS\":\"%s\"", v)
				}
			}
			for _, v := range p.Service {
				if !strings.Contains(v, ".") {
					return nil, malformed("Invalid principal in policy: \"SERVICE\":\"%s\"", v)
				}
			}
		}
	}
	return doc, nil
}

// principalExists reports whether an AWS principal value names something
// IAM can resolve: "*", an account id or root ARN, an existing role or user
// ARN, or a session ARN of an existing role.
func (s *Store) principalExists(v string) bool {
	if v == "*" || accountIDPattern.MatchString(v) {
		return true
	}
	if rest, ok := strings.CutPrefix(v, "arn:"+s.opts.Partition+":sts::"); ok {
		return s.sessionPrincipalExists(rest)
	}
	prefix := "arn:" + s.opts.Partition + ":iam::"
	if !strings.HasPrefix(v, prefix) {
		return false
	}
	acctID, resource, ok := strings.Cut(strings.TrimPrefix(v, prefix), ":")
	if !ok || !accountIDPattern.MatchString(acctID) {
		return false
	}
	if resource == "root" {
		return true
	}
	acct := s.state.Accounts[acctID]
	if acct == nil {
		return false
	}
	kind, rest, _ := strings.Cut(resource, "/")
	name := rest[strings.LastIndex(rest, "/")+1:]
	switch kind {
	case "role":
		r := acct.Roles[strings.ToLower(name)]
		return r != nil && r.ARN == v
	case "user":
		u := acct.Users[strings.ToLower(name)]
		return u != nil && u.ARN == v
	}
	return false
}

// sessionPrincipalExists checks the ACCOUNT:assumed-role/ROLE/SESSION part
// of a role session ARN: the role must exist, the session need not.
func (s *Store) sessionPrincipalExists(rest string) bool {
	acctID, resource, _ := strings.Cut(rest, ":")
	parts := strings.Split(resource, "/")
	acct := s.state.Accounts[acctID]
	if acct == nil || len(parts) != 3 || parts[0] != "assumed-role" || parts[2] == "" {
		return false
	}
	return acct.Roles[strings.ToLower(parts[1])] != nil
}
