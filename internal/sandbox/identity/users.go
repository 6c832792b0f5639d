package identity

import (
	"sort"
	"strings"
	"time"

	"github.com/orgstrap/orgstrap/internal/policy"
	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// user is an IAM user. The sandbox models users only as far as the
// management administrator and tests of deny rules need them: no groups,
// passwords or user boundaries.
type user struct {
	Name    string                 `json:"name"`
	Path    string                 `json:"path"`
	ID      string                 `json:"id"`
	ARN     string                 `json:"arn"`
	Created time.Time              `json:"created"`
	Perms   []stamped[permissions] `json:"permissions"`
	Tags    []tag                  `json:"tags,omitempty"`
}

func (u *user) current() permissions {
	p, _ := latest(u.Perms)
	return p.clone()
}

func (s *Store) newUser(acct *account, name, path string) *user {
	now := s.now()
	return &user{
		Name: name, Path: path, ID: newID("AIDA", 21), Created: now,
		ARN:   "arn:" + s.opts.Partition + ":iam::" + acct.ID + ":user" + path + name,
		Perms: []stamped[permissions]{{At: now, Value: permissions{Inline: map[string]string{}}}},
	}
}

func (s *Store) newAccessKey(accountID, userName string) *accessKey {
	k := &accessKey{
		ID: newID("AKIA", 20), Secret: newSecret(30), AccountID: accountID,
		UserName: userName, Status: "Active", Created: s.now(),
	}
	s.state.Keys[k.ID] = k
	return k
}

type userXML struct {
	Path       string
	UserName   string
	UserId     string
	Arn        string
	CreateDate string
	Tags       []tagXML `xml:"Tags>member,omitempty"`
}

func userToXML(u *user) userXML {
	x := userXML{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: u.ARN, CreateDate: isoTime(u.Created)}
	for _, t := range u.Tags {
		x.Tags = append(x.Tags, tagXML(t))
	}
	return x
}

// userTarget reads UserName (the caller itself when absent and allowed),
// authorizes action on the user and returns it.
func (s *Store) userTarget(c *call, action string, defaultToCaller bool) (*user, *api.Error) {
	name := c.get("UserName")
	if name == "" && defaultToCaller && c.caller.Kind == api.KindUser {
		name = c.caller.Name
	}
	if name == "" {
		return nil, validationError("Value null at 'userName' failed to satisfy constraint: Member must not be null")
	}
	if err := validateName("userName", name, 64); err != nil {
		return nil, err
	}
	u := c.acct.Users[strings.ToLower(name)]
	resource := "arn:" + s.opts.Partition + ":iam::" + c.acct.ID + ":user/" + name
	if u != nil {
		resource = u.ARN
	}
	if err := s.check(c, action, resource, nil); err != nil {
		return nil, err
	}
	if u == nil {
		return nil, noSuchEntity("The user with name %s cannot be found.", name)
	}
	return u, nil
}

func iamCreateUser(s *Store, c *call) (any, bool, *api.Error) {
	name, err := c.required("UserName")
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
	if err := validateName("userName", name, 64); err != nil {
		return nil, false, err
	}
	if err := validatePath("path", path); err != nil {
		return nil, false, err
	}
	arn := "arn:" + s.opts.Partition + ":iam::" + c.acct.ID + ":user" + path + name
	if err := s.check(c, "iam:CreateUser", arn, tagRequestContext(tags)); err != nil {
		return nil, false, err
	}
	if c.acct.Users[strings.ToLower(name)] != nil {
		return nil, false, alreadyExists("User with name %s already exists.", name)
	}
	u := s.newUser(c.acct, name, path)
	u.Tags = tags
	c.acct.Users[strings.ToLower(name)] = u
	return struct{ User userXML }{userToXML(u)}, true, nil
}

func iamGetUser(s *Store, c *call) (any, bool, *api.Error) {
	u, err := s.userTarget(c, "iam:GetUser", true)
	if err != nil {
		return nil, false, err
	}
	return struct{ User userXML }{userToXML(u)}, false, nil
}

func iamListUsers(s *Store, c *call) (any, bool, *api.Error) {
	offset, max, err := c.page()
	if err != nil {
		return nil, false, err
	}
	if err := s.check(c, "iam:ListUsers", "*", nil); err != nil {
		return nil, false, err
	}
	prefix := c.get("PathPrefix")
	var users []*user
	for _, u := range c.acct.Users {
		if strings.HasPrefix(u.Path, prefix) {
			users = append(users, u)
		}
	}
	sort.Slice(users, func(i, j int) bool { return strings.ToLower(users[i].Name) < strings.ToLower(users[j].Name) })
	from, to, truncated, marker := pageOf(len(users), offset, max)
	out := struct {
		Users       []userXML `xml:"Users>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{IsTruncated: truncated, Marker: marker}
	for _, u := range users[from:to] {
		x := userToXML(u)
		x.Tags = nil
		out.Users = append(out.Users, x)
	}
	return out, false, nil
}

// iamCreateAccessKey returns a new key with its secret: the caller asked for
// it, as in AWS. IAM allows two keys per user.
func iamCreateAccessKey(s *Store, c *call) (any, bool, *api.Error) {
	u, err := s.userTarget(c, "iam:CreateAccessKey", true)
	if err != nil {
		return nil, false, err
	}
	n := 0
	for _, k := range s.state.Keys {
		if k.AccountID == c.acct.ID && strings.EqualFold(k.UserName, u.Name) {
			n++
		}
	}
	if n >= 2 {
		return nil, false, limitExceeded("Cannot exceed quota for AccessKeysPerUser: 2")
	}
	k := s.newAccessKey(c.acct.ID, u.Name)
	return struct{ AccessKey accessKeyXML }{accessKeyXML{
		UserName: u.Name, AccessKeyId: k.ID, Status: k.Status,
		SecretAccessKey: k.Secret, CreateDate: isoTime(k.Created),
	}}, true, nil
}

type accessKeyXML struct {
	UserName        string
	AccessKeyId     string
	Status          string
	SecretAccessKey string
	CreateDate      string
}

func iamPutUserPolicy(s *Store, c *call) (any, bool, *api.Error) {
	name, text, err := inlinePolicyParams(c)
	if err != nil {
		return nil, false, err
	}
	u, err := s.userTarget(c, "iam:PutUserPolicy", false)
	if err != nil {
		return nil, false, err
	}
	if _, err := parsePolicy(text, policy.KindIdentity, 0, ""); err != nil {
		return nil, false, err
	}
	p := u.current()
	p.Inline[name] = text
	// IAM's quota for the inline policies of one user is 2,048 characters.
	if inlineSize(p.Inline) > 2048 {
		return nil, false, limitExceeded("Maximum policy size of 2048 bytes exceeded for user %s", u.Name)
	}
	u.Perms = record(u.Perms, s.now(), p, s.cutoff())
	return nil, true, nil
}

func iamAttachUserPolicy(s *Store, c *call) (any, bool, *api.Error) {
	arn, err := c.required("PolicyArn")
	if err != nil {
		return nil, false, err
	}
	u, err := s.userTarget(c, "iam:AttachUserPolicy", false)
	if err != nil {
		return nil, false, err
	}
	if _, err := s.attachablePolicy(c.acct, arn); err != nil {
		return nil, false, err
	}
	p := u.current()
	if containsString(p.Attached, arn) {
		return nil, false, nil
	}
	if len(p.Attached) >= maxAttachedPerRole {
		return nil, false, limitExceeded("Cannot exceed quota for PoliciesPerUser: %d", maxAttachedPerRole)
	}
	p.Attached = append(p.Attached, arn)
	u.Perms = record(u.Perms, s.now(), p, s.cutoff())
	return nil, true, nil
}

func iamDetachUserPolicy(s *Store, c *call) (any, bool, *api.Error) {
	arn, err := c.required("PolicyArn")
	if err != nil {
		return nil, false, err
	}
	u, err := s.userTarget(c, "iam:DetachUserPolicy", false)
	if err != nil {
		return nil, false, err
	}
	p := u.current()
	if !containsString(p.Attached, arn) {
		return nil, false, noSuchEntity("Policy %s was not found.", arn)
	}
	p.Attached = removeString(p.Attached, arn)
	u.Perms = record(u.Perms, s.now(), p, s.cutoff())
	return nil, true, nil
}
