package identity

import (
	"slices"
	"sort"
	"strings"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// entityTypes are the values of GetAccountAuthorizationDetails' Filter, in
// the order the response lists the entities.
var entityTypes = []string{"User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy"}

// members is a Query list that is sent even when it is empty, as IAM sends
// the lists of GetAccountAuthorizationDetails.
type members[T any] struct {
	Member []T `xml:"member"`
}

type policyDetailXML struct {
	PolicyName     string
	PolicyDocument string
}

type roleDetailXML struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string
	// InstanceProfileList is always empty: the sandbox has no instance
	// profiles.
	InstanceProfileList     members[struct{}]
	RolePolicyList          members[policyDetailXML]
	AttachedManagedPolicies members[attachedPolicyXML]
	PermissionsBoundary     *boundaryXML `xml:",omitempty"`
	Tags                    members[tagXML]
	RoleLastUsed            *roleLastUsedXML
}

type userDetailXML struct {
	Path       string
	UserName   string
	UserId     string
	Arn        string
	CreateDate string
	// GroupList is always empty: the sandbox has no groups.
	GroupList               members[string]
	UserPolicyList          members[policyDetailXML]
	AttachedManagedPolicies members[attachedPolicyXML]
	PermissionsBoundary     *boundaryXML `xml:",omitempty"`
	Tags                    members[tagXML]
}

type managedPolicyDetailXML struct {
	PolicyName                    string
	PolicyId                      string
	Arn                           string
	Path                          string
	DefaultVersionId              string
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	IsAttachable                  bool
	Description                   string `xml:",omitempty"`
	CreateDate                    string
	UpdateDate                    string
	PolicyVersionList             members[policyVersionXML]
}

type authorizationDetailsXML struct {
	UserDetailList  members[userDetailXML]
	GroupDetailList members[struct{}]
	RoleDetailList  members[roleDetailXML]
	Policies        members[managedPolicyDetailXML]
	IsTruncated     bool
	Marker          string `xml:",omitempty"`
}

// iamGetAccountAuthorizationDetails returns the account's users, roles and
// managed policies with their documents. MaxItems counts entities of every
// type together, and a page lists them in the order of entityTypes. Like
// the other reads, it returns the newest state, without the consistency
// delay.
func iamGetAccountAuthorizationDetails(s *Store, c *call) (any, bool, *api.Error) {
	filter := c.list("Filter")
	for _, f := range filter {
		if !slices.Contains(entityTypes, f) {
			return nil, false, validationError("Value '[%s]' at 'filter' failed to satisfy constraint: "+
				"Member must satisfy constraint: [Member must satisfy enum value set: [%s]]", f, strings.Join(entityTypes, ", "))
		}
	}
	offset, max, err := c.page()
	if err != nil {
		return nil, false, err
	}
	if err := s.check(c, "iam:GetAccountAuthorizationDetails", "*", nil); err != nil {
		return nil, false, err
	}

	included := func(kind string) bool { return len(filter) == 0 || slices.Contains(filter, kind) }
	var entities []func(*authorizationDetailsXML)
	if included("User") {
		for _, u := range sortedByName(c.acct.Users, func(u *user) string { return u.Name }) {
			entities = append(entities, func(out *authorizationDetailsXML) {
				out.UserDetailList.Member = append(out.UserDetailList.Member, s.userDetail(u))
			})
		}
	}
	if included("Role") {
		for _, r := range sortedByName(c.acct.Roles, func(r *role) string { return r.Name }) {
			entities = append(entities, func(out *authorizationDetailsXML) {
				out.RoleDetailList.Member = append(out.RoleDetailList.Member, s.roleDetail(r))
			})
		}
	}
	for _, mp := range s.detailPolicies(c.acct, included("LocalManagedPolicy"), included("AWSManagedPolicy")) {
		entities = append(entities, func(out *authorizationDetailsXML) {
			out.Policies.Member = append(out.Policies.Member, s.managedPolicyDetail(c.acct, mp))
		})
	}

	from, to, truncated, marker := pageOf(len(entities), offset, max)
	out := &authorizationDetailsXML{IsTruncated: truncated, Marker: marker}
	for _, add := range entities[from:to] {
		add(out)
	}
	return out, false, nil
}

// detailPolicies returns the account's customer managed policies and the
// AWS managed policies that it attaches or uses as a boundary, by ARN.
// NOTE: whether IAM also lists AWS managed policies that the account does
// not use is not checked against IAM.
func (s *Store) detailPolicies(acct *account, local, awsManaged bool) []*managedPolicy {
	var list []*managedPolicy
	if local {
		for _, mp := range acct.Policies {
			list = append(list, mp)
		}
	}
	if awsManaged {
		for _, mp := range s.managed {
			if attached, boundary := policyUse(acct, mp.ARN); attached+boundary > 0 {
				list = append(list, mp)
			}
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ARN < list[j].ARN })
	return list
}

// sortedByName returns the values of m ordered by name, ignoring case as
// IAM names do.
func sortedByName[V any](m map[string]V, name func(V) string) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(name(out[i])) < strings.ToLower(name(out[j])) })
	return out
}

func (s *Store) roleDetail(r *role) roleDetailXML {
	p := r.current()
	x := roleDetailXML{
		Path:                     r.Path,
		RoleName:                 r.Name,
		RoleId:                   r.ID,
		Arn:                      r.ARN,
		CreateDate:               isoTime(r.Created),
		AssumeRolePolicyDocument: encodeDocument(r.trust()),
		RolePolicyList:           inlineDetails(p.Inline),
		AttachedManagedPolicies:  attachedDetails(p.Attached),
		PermissionsBoundary:      boundaryDetail(p.Boundary),
		Tags:                     tagDetails(r.Tags),
		RoleLastUsed:             &roleLastUsedXML{},
	}
	if !r.LastUsed.IsZero() {
		x.RoleLastUsed = &roleLastUsedXML{LastUsedDate: isoTime(r.LastUsed), Region: "us-east-1"}
	}
	return x
}

func (s *Store) userDetail(u *user) userDetailXML {
	p := u.current()
	return userDetailXML{
		Path:                    u.Path,
		UserName:                u.Name,
		UserId:                  u.ID,
		Arn:                     u.ARN,
		CreateDate:              isoTime(u.Created),
		UserPolicyList:          inlineDetails(p.Inline),
		AttachedManagedPolicies: attachedDetails(p.Attached),
		PermissionsBoundary:     boundaryDetail(p.Boundary),
		Tags:                    tagDetails(u.Tags),
	}
}

// managedPolicyDetail lists every version of mp with its document, the
// newest first as ListPolicyVersions does.
func (s *Store) managedPolicyDetail(acct *account, mp *managedPolicy) managedPolicyDetailXML {
	p := s.policyXML(acct, mp)
	x := managedPolicyDetailXML{
		PolicyName:                    p.PolicyName,
		PolicyId:                      p.PolicyId,
		Arn:                           p.Arn,
		Path:                          p.Path,
		DefaultVersionId:              p.DefaultVersionId,
		AttachmentCount:               p.AttachmentCount,
		PermissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount,
		IsAttachable:                  p.IsAttachable,
		Description:                   p.Description,
		CreateDate:                    p.CreateDate,
		UpdateDate:                    p.UpdateDate,
	}
	for i := len(mp.Versions) - 1; i >= 0; i-- {
		v := mp.Versions[i]
		x.PolicyVersionList.Member = append(x.PolicyVersionList.Member, versionXML(v, v.ID == p.DefaultVersionId, true))
	}
	return x
}

func inlineDetails(inline map[string]string) members[policyDetailXML] {
	var out members[policyDetailXML]
	for _, name := range sortedKeys(inline) {
		out.Member = append(out.Member, policyDetailXML{PolicyName: name, PolicyDocument: encodeDocument(inline[name])})
	}
	return out
}

// attachedDetails names the attached policies by the last part of their
// ARN, which is the policy name for AWS and customer managed policies.
func attachedDetails(arns []string) members[attachedPolicyXML] {
	var out members[attachedPolicyXML]
	for _, arn := range arns {
		name := arn[strings.LastIndex(arn, "/")+1:]
		out.Member = append(out.Member, attachedPolicyXML{PolicyName: name, PolicyArn: arn})
	}
	sort.Slice(out.Member, func(i, j int) bool { return out.Member[i].PolicyName < out.Member[j].PolicyName })
	return out
}

// boundaryDetail returns the PermissionsBoundary member for a boundary ARN,
// nil for none. PermissionsBoundaryPolicy is the one value of IAM's
// PermissionsBoundaryAttachmentType.
func boundaryDetail(arn string) *boundaryXML {
	if arn == "" {
		return nil
	}
	return &boundaryXML{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: arn}
}

func tagDetails(tags []tag) members[tagXML] {
	var out members[tagXML]
	for _, t := range tags {
		out.Member = append(out.Member, tagXML(t))
	}
	return out
}
