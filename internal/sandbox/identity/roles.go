package identity

import (
	"sort"
	"strings"
	"time"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// role is an IAM role. Trust and Perms keep recent history so that STS and
// authorization can lag behind changes by the consistency delay.
type role struct {
	Name               string                 `json:"name"`
	Path               string                 `json:"path"`
	ID                 string                 `json:"id"`
	ARN                string                 `json:"arn"`
	Description        string                 `json:"description,omitempty"`
	Created            time.Time              `json:"created"`
	MaxSessionDuration int                    `json:"maxSessionDuration"`
	Trust              []stamped[string]      `json:"trust"`
	Perms              []stamped[permissions] `json:"permissions"`
	Tags               []tag                  `json:"tags,omitempty"`
	LastUsed           time.Time              `json:"lastUsed,omitzero"`
}

// permissions are the policies of a role or user: inline documents by name,
// attached managed policy ARNs in attach order, and the boundary ARN.
type permissions struct {
	Inline   map[string]string `json:"inline"`
	Attached []string          `json:"attached,omitempty"`
	Boundary string            `json:"boundary,omitempty"`
}

type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func (p *permissions) fillMaps() {
	if p.Inline == nil {
		p.Inline = map[string]string{}
	}
}

func (p permissions) clone() permissions {
	out := permissions{Inline: make(map[string]string, len(p.Inline)), Boundary: p.Boundary}
	for k, v := range p.Inline {
		out.Inline[k] = v
	}
	out.Attached = append([]string(nil), p.Attached...)
	return out
}

func (r *role) current() permissions {
	p, _ := latest(r.Perms)
	p = p.clone()
	return p
}

func (r *role) trust() string {
	t, _ := latest(r.Trust)
	return t
}

func (s *Store) setRolePerms(r *role, p permissions) {
	r.Perms = record(r.Perms, s.now(), p, s.cutoff())
}

func (s *Store) newRole(acct *account, name, path, trust string, at time.Time) *role {
	return &role{
		Name:               name,
		Path:               path,
		ID:                 newID("AROA", 21),
		ARN:                "arn:" + s.opts.Partition + ":iam::" + acct.ID + ":role" + path + name,
		Created:            at,
		MaxSessionDuration: minMaxSessionDuration,
		Trust:              []stamped[string]{{At: at, Value: trust}},
		Perms:              []stamped[permissions]{{At: at, Value: permissions{Inline: map[string]string{}}}},
	}
}

// boundaryKeyActions are the actions on an existing role for which IAM sets
// iam:PermissionsBoundary to the role's current boundary.
var boundaryKeyActions = map[string]bool{
	"iam:PutRolePolicy":                 true,
	"iam:DeleteRolePolicy":              true,
	"iam:AttachRolePolicy":              true,
	"iam:DetachRolePolicy":              true,
	"iam:DeleteRolePermissionsBoundary": true,
}

// roleTarget reads RoleName, authorizes action on the role and returns it.
// The authorization comes before the existence check, so a caller without
// permission learns nothing about which roles exist.
func (s *Store) roleTarget(c *call, action string, ctx map[string][]string) (*role, *api.Error) {
	name, err := c.required("RoleName")
	if err != nil {
		return nil, err
	}
	if err := validateRoleName(name); err != nil {
		return nil, err
	}
	r := c.acct.Roles[strings.ToLower(name)]
	resource := "arn:" + s.opts.Partition + ":iam::" + c.acct.ID + ":role/" + name
	if r != nil {
		resource = r.ARN
		if b := r.current().Boundary; b != "" && boundaryKeyActions[action] && ctx["iam:PermissionsBoundary"] == nil {
			if ctx == nil {
				ctx = map[string][]string{}
			}
			ctx["iam:PermissionsBoundary"] = []string{b}
		}
	}
	if err := s.check(c, action, resource, ctx); err != nil {
		return nil, err
	}
	if r == nil {
		return nil, noSuchEntity("The role with name %s cannot be found.", name)
	}
	return r, nil
}

func iamCreateRole(s *Store, c *call) (any, bool, *api.Error) {
	name, err := c.required("RoleName")
	if err != nil {
		return nil, false, err
	}
	trustText, err := c.required("AssumeRolePolicyDocument")
	if err != nil {
		return nil, false, err
	}
	path := c.get("Path")
	if path == "" {
		path = "/"
	}
	maxSession, err := c.integer("MaxSessionDuration", minMaxSessionDuration)
	if err != nil {
		return nil, false, err
	}
	tags, err := c.tags("Tags")
	if err != nil {
		return nil, false, err
	}
	boundary := c.get("PermissionsBoundary")
	for _, e := range []*api.Error{validateRoleName(name), validatePath("path", path),
		validateDescription(c.get("Description")), validateMaxSession(maxSession)} {
		if e != nil {
			return nil, false, e
		}
	}

	arn := "arn:" + s.opts.Partition + ":iam::" + c.acct.ID + ":role" + path + name
	ctx := tagRequestContext(tags)
	if boundary != "" {
		ctx["iam:PermissionsBoundary"] = []string{boundary}
	}
	if err := s.check(c, "iam:CreateRole", arn, ctx); err != nil {
		return nil, false, err
	}
	if c.acct.Roles[strings.ToLower(name)] != nil {
		return nil, false, alreadyExists("Role with name %s already exists.", name)
	}
	if _, err := s.parseTrust(trustText); err != nil {
		return nil, false, err
	}
	if boundary != "" {
		if _, err := s.findPolicy(boundary); err != nil {
			return nil, false, invalidInput("ARN %s is not attachable: the permissions boundary policy does not exist", boundary)
		}
	}

	r := s.newRole(c.acct, name, path, trustText, s.now())
	r.Description = c.get("Description")
	r.MaxSessionDuration = maxSession
	r.Tags = tags
	if boundary != "" {
		p := r.current()
		p.Boundary = boundary
		r.Perms = []stamped[permissions]{{At: r.Created, Value: p}}
	}
	c.acct.Roles[strings.ToLower(name)] = r
	return struct{ Role roleXML }{s.roleXML(r, true)}, true, nil
}

func validateMaxSession(seconds int) *api.Error {
	if seconds < minMaxSessionDuration || seconds > maxMaxSessionDuration {
		return validationError("Value '%d' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between %d and %d",
			seconds, minMaxSessionDuration, maxMaxSessionDuration)
	}
	return nil
}

// tagRequestContext returns the aws:RequestTag/KEY and aws:TagKeys condition
// keys of a request that sets tags.
func tagRequestContext(tags []tag) map[string][]string {
	ctx := map[string][]string{}
	for _, t := range tags {
		ctx["aws:RequestTag/"+t.Key] = []string{t.Value}
		ctx["aws:TagKeys"] = append(ctx["aws:TagKeys"], t.Key)
	}
	return ctx
}

func iamGetRole(s *Store, c *call) (any, bool, *api.Error) {
	r, err := s.roleTarget(c, "iam:GetRole", nil)
	if err != nil {
		return nil, false, err
	}
	return struct{ Role roleXML }{s.roleXML(r, true)}, false, nil
}

func iamDeleteRole(s *Store, c *call) (any, bool, *api.Error) {
	r, err := s.roleTarget(c, "iam:DeleteRole", nil)
	if err != nil {
		return nil, false, err
	}
	p := r.current()
	if len(p.Attached) > 0 {
		return nil, false, deleteConflict("Cannot delete entity, must detach all policies first.")
	}
	if len(p.Inline) > 0 {
		return nil, false, deleteConflict("Cannot delete entity, must delete policies first.")
	}
	delete(c.acct.Roles, strings.ToLower(r.Name))
	return nil, true, nil
}

func iamListRoles(s *Store, c *call) (any, bool, *api.Error) {
	prefix := c.get("PathPrefix")
	if prefix == "" {
		prefix = "/"
	}
	offset, max, err := c.page()
	if err != nil {
		return nil, false, err
	}
	if err := s.check(c, "iam:ListRoles", "*", nil); err != nil {
		return nil, false, err
	}
	var roles []*role
	for _, r := range c.acct.Roles {
		if strings.HasPrefix(r.Path, prefix) {
			roles = append(roles, r)
		}
	}
	sort.Slice(roles, func(i, j int) bool { return strings.ToLower(roles[i].Name) < strings.ToLower(roles[j].Name) })
	from, to, truncated, marker := pageOf(len(roles), offset, max)
	out := listRolesXML{IsTruncated: truncated, Marker: marker}
	for _, r := range roles[from:to] {
		out.Roles = append(out.Roles, s.roleXML(r, false))
	}
	return out, false, nil
}

func iamUpdateAssumeRolePolicy(s *Store, c *call) (any, bool, *api.Error) {
	r, err := s.roleTarget(c, "iam:UpdateAssumeRolePolicy", nil)
	if err != nil {
		return nil, false, err
	}
	text, err := c.required("PolicyDocument")
	if err != nil {
		return nil, false, err
	}
	if _, err := s.parseTrust(text); err != nil {
		return nil, false, err
	}
	r.Trust = record(r.Trust, s.now(), text, s.cutoff())
	return nil, true, nil
}

func iamUpdateRole(s *Store, c *call) (any, bool, *api.Error) {
	r, err := s.roleTarget(c, "iam:UpdateRole", nil)
	if err != nil {
		return nil, false, err
	}
	maxSession, err := c.integer("MaxSessionDuration", r.MaxSessionDuration)
	if err != nil {
		return nil, false, err
	}
	if err := validateMaxSession(maxSession); err != nil {
		return nil, false, err
	}
	if c.has("Description") {
		if err := validateDescription(c.get("Description")); err != nil {
			return nil, false, err
		}
		r.Description = c.get("Description")
	}
	r.MaxSessionDuration = maxSession
	// UpdateRole is the one IAM call whose response carries an empty
	// <UpdateRoleResult/>; the SDK's decoder fails without it.
	return struct{}{}, true, nil
}

func iamTagRole(s *Store, c *call) (any, bool, *api.Error) {
	tags, err := c.tags("Tags")
	if err != nil {
		return nil, false, err
	}
	r, err := s.roleTarget(c, "iam:TagRole", tagRequestContext(tags))
	if err != nil {
		return nil, false, err
	}
	merged, err := mergeTags(r.Tags, tags)
	if err != nil {
		return nil, false, err
	}
	r.Tags = merged
	return nil, true, nil
}

func iamUntagRole(s *Store, c *call) (any, bool, *api.Error) {
	keys := c.list("TagKeys")
	r, err := s.roleTarget(c, "iam:UntagRole", map[string][]string{"aws:TagKeys": keys})
	if err != nil {
		return nil, false, err
	}
	r.Tags = removeTags(r.Tags, keys)
	return nil, true, nil
}

func iamListRoleTags(s *Store, c *call) (any, bool, *api.Error) {
	offset, max, err := c.page()
	if err != nil {
		return nil, false, err
	}
	r, err := s.roleTarget(c, "iam:ListRoleTags", nil)
	if err != nil {
		return nil, false, err
	}
	return tagPage(r.Tags, offset, max), false, nil
}

// mergeTags sets each new tag, replacing a value whose key matches ignoring
// case, and rejects a result of more than 50 tags.
func mergeTags(old, add []tag) ([]tag, *api.Error) {
	out := append([]tag(nil), old...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if strings.EqualFold(out[i].Key, t.Key) {
				out[i].Value = t.Value
				replaced = true
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, limitExceeded("The number of tags has reached the maximum limit.")
	}
	return out, nil
}

func removeTags(tags []tag, keys []string) []tag {
	var out []tag
	for _, t := range tags {
		drop := false
		for _, k := range keys {
			if strings.EqualFold(t.Key, k) {
				drop = true
			}
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}

func tagPage(tags []tag, offset, max int) tagListXML {
	from, to, truncated, marker := pageOf(len(tags), offset, max)
	out := tagListXML{IsTruncated: truncated, Marker: marker}
	for _, t := range tags[from:to] {
		out.Tags = append(out.Tags, tagXML(t))
	}
	return out
}
