package identity

import (
	"sort"
	"strings"

	"github.com/orgstrap/orgstrap/internal/policy"
	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// inlinePolicyParams reads the PolicyName and PolicyDocument of a
// Put*Policy call and checks the name.
func inlinePolicyParams(c *call) (name, text string, err *api.Error) {
	if name, err = c.required("PolicyName"); err != nil {
		return "", "", err
	}
	if text, err = c.required("PolicyDocument"); err != nil {
		return "", "", err
	}
	if err = validateName("policyName", name, 128); err != nil {
		return "", "", err
	}
	return name, text, nil
}

func iamPutRolePolicy(s *Store, c *call) (any, bool, *api.Error) {
	name, text, err := inlinePolicyParams(c)
	if err != nil {
		return nil, false, err
	}
	r, err := s.roleTarget(c, "iam:PutRolePolicy", nil)
	if err != nil {
		return nil, false, err
	}
	if _, err := parsePolicy(text, policy.KindIdentity, 0, ""); err != nil {
		return nil, false, err
	}

	p := r.current()
	p.Inline[name] = text
	if inlineSize(p.Inline) > maxInlineSizePerRole {
		return nil, false, limitExceeded("Maximum policy size of %d bytes exceeded for role %s", maxInlineSizePerRole, r.Name)
	}
	s.setRolePerms(r, p)
	return nil, true, nil
}

// inlineSize is the total size of inline documents as IAM counts it against
// the per-role quota.
func inlineSize(inline map[string]string) int {
	total := 0
	for _, text := range inline {
		doc, err := policy.ParseDocument([]byte(text))
		if err != nil {
			continue // stored documents were validated on write
		}
		total += policy.Size(doc)
	}
	return total
}

func iamGetRolePolicy(s *Store, c *call) (any, bool, *api.Error) {
	name, err := c.required("PolicyName")
	if err != nil {
		return nil, false, err
	}
	r, err := s.roleTarget(c, "iam:GetRolePolicy", nil)
	if err != nil {
		return nil, false, err
	}
	text, ok := r.current().Inline[name]
	if !ok {
		return nil, false, noSuchEntity("The role policy with name %s cannot be found.", name)
	}
	return struct {
		RoleName       string
		PolicyName     string
		PolicyDocument string
	}{r.Name, name, encodeDocument(text)}, false, nil
}

func iamDeleteRolePolicy(s *Store, c *call) (any, bool, *api.Error) {
	name, err := c.required("PolicyName")
	if err != nil {
		return nil, false, err
	}
	r, err := s.roleTarget(c, "iam:DeleteRolePolicy", nil)
	if err != nil {
		return nil, false, err
	}
	p := r.current()
	if _, ok := p.Inline[name]; !ok {
		return nil, false, noSuchEntity("The role policy with name %s cannot be found.", name)
	}
	delete(p.Inline, name)
	s.setRolePerms(r, p)
	return nil, true, nil
}

func iamListRolePolicies(s *Store, c *call) (any, bool, *api.Error) {
	offset, max, err := c.page()
	if err != nil {
		return nil, false, err
	}
	r, err := s.roleTarget(c, "iam:ListRolePolicies", nil)
	if err != nil {
		return nil, false, err
	}
	names := sortedKeys(r.current().Inline)
	from, to, truncated, marker := pageOf(len(names), offset, max)
	return struct {
		PolicyNames []string `xml:"PolicyNames>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{names[from:to], truncated, marker}, false, nil
}

func iamAttachRolePolicy(s *Store, c *call) (any, bool, *api.Error) {
	arn, err := c.required("PolicyArn")
	if err != nil {
		return nil, false, err
	}
	r, err := s.roleTarget(c, "iam:AttachRolePolicy", map[string][]string{"iam:PolicyARN": {arn}})
	if err != nil {
		return nil, false, err
	}
	if _, err := s.attachablePolicy(c.acct, arn); err != nil {
		return nil, false, err
	}
	p := r.current()
	if containsString(p.Attached, arn) {
		return nil, false, nil
	}
	if len(p.Attached) >= maxAttachedPerRole {
		return nil, false, limitExceeded("Cannot exceed quota for PoliciesPerRole: %d", maxAttachedPerRole)
	}
	p.Attached = append(p.Attached, arn)
	s.setRolePerms(r, p)
	return nil, true, nil
}

// attachablePolicy returns the managed policy arn when the account can
// attach it: an AWS managed policy or one of the account's own.
func (s *Store) attachablePolicy(acct *account, arn string) (*managedPolicy, *api.Error) {
	mp, err := s.findPolicy(arn)
	if err != nil || (!mp.AWSManaged && !strings.HasPrefix(arn, "arn:"+s.opts.Partition+":iam::"+acct.ID+":")) {
		return nil, noSuchEntity("Policy %s does not exist or is not attachable.", arn)
	}
	return mp, nil
}

func iamDetachRolePolicy(s *Store, c *call) (any, bool, *api.Error) {
	arn, err := c.required("PolicyArn")
	if err != nil {
		return nil, false, err
	}
	r, err := s.roleTarget(c, "iam:DetachRolePolicy", map[string][]string{"iam:PolicyARN": {arn}})
	if err != nil {
		return nil, false, err
	}
	p := r.current()
	if !containsString(p.Attached, arn) {
		return nil, false, noSuchEntity("Policy %s was not found.", arn)
	}
	p.Attached = removeString(p.Attached, arn)
	s.setRolePerms(r, p)
	return nil, true, nil
}

func removeString(list []string, v string) []string {
	var out []string
	for _, item := range list {
		if item != v {
			out = append(out, item)
		}
	}
	return out
}

func iamListAttachedRolePolicies(s *Store, c *call) (any, bool, *api.Error) {
	offset, max, err := c.page()
	if err != nil {
		return nil, false, err
	}
	r, err := s.roleTarget(c, "iam:ListAttachedRolePolicies", nil)
	if err != nil {
		return nil, false, err
	}
	prefix := c.get("PathPrefix")
	var list []attachedPolicyXML
	for _, arn := range r.current().Attached {
		mp, err := s.findPolicy(arn)
		if err != nil || !strings.HasPrefix(mp.Path, prefix) {
			continue
		}
		list = append(list, attachedPolicyXML{PolicyName: mp.Name, PolicyArn: arn})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].PolicyName < list[j].PolicyName })
	from, to, truncated, marker := pageOf(len(list), offset, max)
	return struct {
		AttachedPolicies []attachedPolicyXML `xml:"AttachedPolicies>member"`
		IsTruncated      bool
		Marker           string `xml:",omitempty"`
	}{list[from:to], truncated, marker}, false, nil
}

func iamPutRolePermissionsBoundary(s *Store, c *call) (any, bool, *api.Error) {
	arn, err := c.required("PermissionsBoundary")
	if err != nil {
		return nil, false, err
	}
	r, err := s.roleTarget(c, "iam:PutRolePermissionsBoundary", map[string][]string{"iam:PermissionsBoundary": {arn}})
	if err != nil {
		return nil, false, err
	}
	if _, err := s.attachablePolicy(c.acct, arn); err != nil {
		return nil, false, invalidInput("ARN %s is not attachable: %s", arn, err.Message)
	}
	p := r.current()
	p.Boundary = arn
	s.setRolePerms(r, p)
	return nil, true, nil
}

func iamDeleteRolePermissionsBoundary(s *Store, c *call) (any, bool, *api.Error) {
	r, err := s.roleTarget(c, "iam:DeleteRolePermissionsBoundary", nil)
	if err != nil {
		return nil, false, err
	}
	p := r.current()
	if p.Boundary == "" {
		return nil, false, noSuchEntity("The role %s has no permissions boundary.", r.Name)
	}
	p.Boundary = ""
	s.setRolePerms(r, p)
	return nil, true, nil
}

// policyUse counts the roles and users of an account that attach arn and
// that use it as their permissions boundary.
func policyUse(acct *account, arn string) (attached, boundary int) {
	count := func(p permissions) {
		if containsString(p.Attached, arn) {
			attached++
		}
		if p.Boundary == arn {
			boundary++
		}
	}
	for _, r := range acct.Roles {
		count(r.current())
	}
	for _, u := range acct.Users {
		count(u.current())
	}
	return attached, boundary
}
