package identity

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/orgstrap/orgstrap/internal/policy"
	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// managedPolicy is a customer managed policy, or an AWS managed one when
// AWSManaged is set. Default keeps the recent history of the default
// version id for the consistency delay.
type managedPolicy struct {
	Name        string            `json:"name"`
	Path        string            `json:"path"`
	ID          string            `json:"id"`
	ARN         string            `json:"arn"`
	Description string            `json:"description,omitempty"`
	Created     time.Time         `json:"created"`
	Updated     time.Time         `json:"updated"`
	Versions    []policyVersion   `json:"versions"`
	NextVersion int               `json:"nextVersion"`
	Default     []stamped[string] `json:"default"`
	Tags        []tag             `json:"tags,omitempty"`
	AWSManaged  bool              `json:"-"`
}

type policyVersion struct {
	ID       string    `json:"id"`
	Document string    `json:"document"`
	Created  time.Time `json:"created"`
}

func (mp *managedPolicy) defaultVersion() string {
	v, _ := latest(mp.Default)
	return v
}

func (mp *managedPolicy) version(id string) *policyVersion {
	for i := range mp.Versions {
		if mp.Versions[i].ID == id {
			return &mp.Versions[i]
		}
	}
	return nil
}

// effectiveDocument returns the text of the default version in effect at
// cutoff, and false for a policy too new to be seen.
func (mp *managedPolicy) effectiveDocument(cutoff time.Time) (string, bool) {
	id, ok := effectiveAt(mp.Default, cutoff)
	if !ok {
		return "", false
	}
	v := mp.version(id)
	if v == nil {
		return "", false
	}
	return v.Document, true
}

// findPolicy returns the AWS or customer managed policy with ARN arn.
func (s *Store) findPolicy(arn string) (*managedPolicy, *api.Error) {
	if mp := s.managed[arn]; mp != nil {
		return mp, nil
	}
	notFound := noSuchEntity("Policy %s does not exist or is not attachable.", arn)
	prefix := "arn:" + s.opts.Partition + ":iam::"
	rest, ok := strings.CutPrefix(arn, prefix)
	if !ok {
		return nil, invalidInput("ARN %s is not valid.", arn)
	}
	acctID, resource, _ := strings.Cut(rest, ":")
	acct := s.state.Accounts[acctID]
	if acct == nil || !strings.HasPrefix(resource, "policy/") {
		return nil, notFound
	}
	mp := acct.Policies[strings.ToLower(resource[strings.LastIndex(resource, "/")+1:])]
	if mp == nil || mp.ARN != arn {
		return nil, notFound
	}
	return mp, nil
}

// policyTarget reads PolicyArn, authorizes action on it and returns the
// policy.
func (s *Store) policyTarget(c *call, action string) (*managedPolicy, *api.Error) {
	arn, err := c.required("PolicyArn")
	if err != nil {
		return nil, err
	}
	if err := s.check(c, action, arn, nil); err != nil {
		return nil, err
	}
	return s.findPolicy(arn)
}

// customerPolicyTarget is policyTarget for actions that change a policy,
// which IAM rejects for AWS managed policies.
func (s *Store) customerPolicyTarget(c *call, action string) (*managedPolicy, *api.Error) {
	mp, err := s.policyTarget(c, action)
	if err != nil {
		return nil, err
	}
	if mp.AWSManaged {
		return nil, &api.Error{Code: "UnmodifiableEntity", Status: 400,
			Message: fmt.Sprintf("Cannot modify the AWS managed policy %s.", mp.ARN)}
	}
	return mp, nil
}

func iamCreatePolicy(s *Store, c *call) (any, bool, *api.Error) {
	name, err := c.required("PolicyName")
	if err != nil {
		return nil, false, err
	}
	text, err := c.required("PolicyDocument")
	if err != nil {
		return nil, false, err
	}
	path := c.get("Path")
	if path == "" {
		path = "/"
	}
	tags, err := c.tags("Tags")
	if err != nil {
		return nil, false, err
	}
	for _, e := range []*api.Error{validateName("policyName", name, 128), validatePath("path", path),
		validateDescription(c.get("Description"))} {
		if e != nil {
			return nil, false, e
		}
	}
	arn := "arn:" + s.opts.Partition + ":iam::" + c.acct.ID + ":policy" + path + name
	if err := s.check(c, "iam:CreatePolicy", arn, tagRequestContext(tags)); err != nil {
		return nil, false, err
	}
	if c.acct.Policies[strings.ToLower(name)] != nil {
		return nil, false, alreadyExists("A policy called %s already exists. Duplicate names are not allowed.", name)
	}
	if _, err := parseManaged(text); err != nil {
		return nil, false, err
	}

	now := s.now()
	mp := &managedPolicy{
		Name: name, Path: path, ID: newID("ANPA", 21), ARN: arn,
		Description: c.get("Description"), Created: now, Updated: now,
		Versions:    []policyVersion{{ID: "v1", Document: text, Created: now}},
		NextVersion: 2,
		Default:     []stamped[string]{{At: now, Value: "v1"}},
		Tags:        tags,
	}
	c.acct.Policies[strings.ToLower(name)] = mp
	return struct{ Policy policyXML }{s.policyXML(c.acct, mp)}, true, nil
}

func parseManaged(text string) (*policy.Document, *api.Error) {
	return parsePolicy(text, policy.KindIdentity, maxManagedPolicySize,
		fmt.Sprintf("Cannot exceed quota for PolicySize: %d", maxManagedPolicySize))
}

func iamGetPolicy(s *Store, c *call) (any, bool, *api.Error) {
	mp, err := s.policyTarget(c, "iam:GetPolicy")
	if err != nil {
		return nil, false, err
	}
	return struct{ Policy policyXML }{s.policyXML(c.acct, mp)}, false, nil
}

func iamDeletePolicy(s *Store, c *call) (any, bool, *api.Error) {
	mp, err := s.customerPolicyTarget(c, "iam:DeletePolicy")
	if err != nil {
		return nil, false, err
	}
	if attached, boundary := policyUse(c.acct, mp.ARN); attached+boundary > 0 {
		return nil, false, deleteConflict("Cannot delete a policy attached to entities.")
	}
	if len(mp.Versions) > 1 {
		return nil, false, deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	}
	delete(c.acct.Policies, strings.ToLower(mp.Name))
	return nil, true, nil
}

func iamListPolicies(s *Store, c *call) (any, bool, *api.Error) {
	offset, max, err := c.page()
	if err != nil {
		return nil, false, err
	}
	scope := c.get("Scope")
	if scope == "" {
		scope = "All"
	}
	if scope != "All" && scope != "AWS" && scope != "Local" {
		return nil, false, validationError("Value '%s' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]", scope)
	}
	if err := s.check(c, "iam:ListPolicies", "*", nil); err != nil {
		return nil, false, err
	}

	var list []*managedPolicy
	if scope != "Local" {
		for _, mp := range s.managed {
			list = append(list, mp)
		}
	}
	if scope != "AWS" {
		for _, mp := range c.acct.Policies {
			list = append(list, mp)
		}
	}
	prefix := c.get("PathPrefix")
	onlyAttached := c.boolean("OnlyAttached")
	var out []policyXML
	for _, mp := range list {
		x := s.policyXML(c.acct, mp)
		if !strings.HasPrefix(mp.Path, prefix) || (onlyAttached && x.AttachmentCount == 0) {
			continue
		}
		x.Tags = nil // ListPolicies does not return tags
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Arn < out[j].Arn })
	from, to, truncated, marker := pageOf(len(out), offset, max)
	return struct {
		Policies    []policyXML `xml:"Policies>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{out[from:to], truncated, marker}, false, nil
}

func iamTagPolicy(s *Store, c *call) (any, bool, *api.Error) {
	tags, err := c.tags("Tags")
	if err != nil {
		return nil, false, err
	}
	mp, err := s.customerPolicyTarget(c, "iam:TagPolicy")
	if err != nil {
		return nil, false, err
	}
	merged, err := mergeTags(mp.Tags, tags)
	if err != nil {
		return nil, false, err
	}
	mp.Tags = merged
	return nil, true, nil
}

func iamUntagPolicy(s *Store, c *call) (any, bool, *api.Error) {
	mp, err := s.customerPolicyTarget(c, "iam:UntagPolicy")
	if err != nil {
		return nil, false, err
	}
	mp.Tags = removeTags(mp.Tags, c.list("TagKeys"))
	return nil, true, nil
}

func iamListPolicyTags(s *Store, c *call) (any, bool, *api.Error) {
	offset, max, err := c.page()
	if err != nil {
		return nil, false, err
	}
	mp, err := s.policyTarget(c, "iam:ListPolicyTags")
	if err != nil {
		return nil, false, err
	}
	return tagPage(mp.Tags, offset, max), false, nil
}
