// Package identity emulates IAM and STS for the sandbox: per-account roles,
// users, managed and inline policies, OIDC providers and STS sessions, with
// IAM's validation rules and, when enforced, IAM's authorization of every
// call. The sandbox core routes IAM and STS requests here after it has
// verified the signature. The core holds one mutex around every call, so the
// Store has no lock of its own.
package identity

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// Options configures a Store.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ConsistencyDelay is how long a created or changed role, trust policy,
	// role permission or managed policy version takes before STS and
	// authorization see it. Reads such as GetRole see changes at once.
	ConsistencyDelay time.Duration
	// EnforceIAM makes every IAM and STS call (except GetCallerIdentity)
	// subject to the caller's identity policies and permissions boundary.
	EnforceIAM bool
	// Partition is the ARN partition; "" means "aws".
	Partition string
	// OrgOf returns the organization id of an account, or "" when it is in
	// none. It supplies aws:PrincipalOrgID; nil means no organization.
	OrgOf func(accountID string) string
}

// Store is the IAM and STS state of every account in the sandbox.
type Store struct {
	opts  Options
	state state
	// managed holds the AWS managed policies by ARN. They are built in, the
	// same in every account, and not persisted.
	managed map[string]*managedPolicy
}

// state is everything that MarshalJSON persists.
type state struct {
	Accounts map[string]*account   `json:"accounts"`
	Keys     map[string]*accessKey `json:"accessKeys"`
	Sessions map[string]*session   `json:"sessions"`
}

// account is one account's IAM namespace. Map keys are lower-case names,
// because IAM names are unique without regard to case.
type account struct {
	ID        string                    `json:"id"`
	Roles     map[string]*role          `json:"roles"`
	Users     map[string]*user          `json:"users"`
	Policies  map[string]*managedPolicy `json:"policies"`
	Providers map[string]*oidcProvider  `json:"oidcProviders"` // by ARN
}

// accessKey is a user's long-term access key (AKIA...).
type accessKey struct {
	ID        string    `json:"id"`
	Secret    string    `json:"secret"`
	AccountID string    `json:"accountId"`
	UserName  string    `json:"userName"`
	Status    string    `json:"status"`
	Created   time.Time `json:"created"`
}

// NewStore returns an empty Store with the AWS managed policies loaded.
func NewStore(opts Options) *Store {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Partition == "" {
		opts.Partition = "aws"
	}
	s := &Store{opts: opts}
	s.state = state{
		Accounts: map[string]*account{},
		Keys:     map[string]*accessKey{},
		Sessions: map[string]*session{},
	}
	s.managed = awsManagedPolicies(opts.Partition)
	return s
}

func (s *Store) now() time.Time { return s.opts.Now().UTC() }

// cutoff is the latest change time that is already in effect.
func (s *Store) cutoff() time.Time { return s.now().Add(-s.opts.ConsistencyDelay) }

// AddAccount creates an empty IAM namespace for accountID; it does nothing
// when the account exists.
func (s *Store) AddAccount(accountID string) {
	if s.state.Accounts[accountID] != nil {
		return
	}
	s.state.Accounts[accountID] = &account{
		ID:        accountID,
		Roles:     map[string]*role{},
		Users:     map[string]*user{},
		Policies:  map[string]*managedPolicy{},
		Providers: map[string]*oidcProvider{},
	}
}

// CreateAdmin creates user userName with AdministratorAccess attached and a
// long-term access key, adding the account if needed. It returns the key.
func (s *Store) CreateAdmin(accountID, userName string) (keyID, secret string) {
	s.AddAccount(accountID)
	acct := s.state.Accounts[accountID]
	u := acct.Users[strings.ToLower(userName)]
	if u == nil {
		u = s.newUser(acct, userName, "/")
		acct.Users[strings.ToLower(userName)] = u
	}
	perms := u.current()
	if !containsString(perms.Attached, s.arnAdministratorAccess()) {
		perms.Attached = append(perms.Attached, s.arnAdministratorAccess())
	}
	// The administrator exists from the start, so its policies are in effect
	// at once rather than after the consistency delay.
	u.Perms = []stamped[permissions]{{At: time.Time{}, Value: perms}}
	key := s.newAccessKey(accountID, u.Name)
	return key.ID, key.Secret
}

// CreateAccessRole creates roleName in accountID with AdministratorAccess
// and a trust policy for arn:PARTITION:iam::trustedAccountID:root, as
// Organizations does for a new member account. STS accepts the role only
// from at plus the consistency delay.
func (s *Store) CreateAccessRole(accountID, roleName, trustedAccountID string, at time.Time) error {
	if err := validateRoleName(roleName); err != nil {
		return fmt.Errorf("create access role %q: %w", roleName, err)
	}
	s.AddAccount(accountID)
	acct := s.state.Accounts[accountID]
	if acct.Roles[strings.ToLower(roleName)] != nil {
		return fmt.Errorf("create access role %q in account %s: a role with this name exists", roleName, accountID)
	}
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
		`"Principal":{"AWS":"arn:%s:iam::%s:root"},"Action":"sts:AssumeRole"}]}`,
		s.opts.Partition, trustedAccountID)
	r := s.newRole(acct, roleName, "/", trust, at.UTC())
	r.Perms = []stamped[permissions]{{At: at.UTC(), Value: permissions{
		Inline:   map[string]string{},
		Attached: []string{s.arnAdministratorAccess()},
	}}}
	acct.Roles[strings.ToLower(roleName)] = r
	return nil
}

func (s *Store) arnAdministratorAccess() string {
	return "arn:" + s.opts.Partition + ":iam::aws:policy/AdministratorAccess"
}

// MarshalJSON returns the whole IAM and STS state, sessions included.
func (s *Store) MarshalJSON() ([]byte, error) {
	return json.Marshal(s.state)
}

// UnmarshalJSON replaces the state with data written by MarshalJSON.
func (s *Store) UnmarshalJSON(data []byte) error {
	var st state
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("decode identity state: %w", err)
	}
	if st.Accounts == nil {
		st.Accounts = map[string]*account{}
	}
	if st.Keys == nil {
		st.Keys = map[string]*accessKey{}
	}
	if st.Sessions == nil {
		st.Sessions = map[string]*session{}
	}
	for id, acct := range st.Accounts {
		if acct == nil || acct.ID != id {
			return fmt.Errorf("decode identity state: account %q has a missing or mismatched id", id)
		}
		acct.fillMaps()
	}
	s.state = st
	return nil
}

func (a *account) fillMaps() {
	if a.Roles == nil {
		a.Roles = map[string]*role{}
	}
	if a.Users == nil {
		a.Users = map[string]*user{}
	}
	if a.Policies == nil {
		a.Policies = map[string]*managedPolicy{}
	}
	if a.Providers == nil {
		a.Providers = map[string]*oidcProvider{}
	}
	for _, r := range a.Roles {
		for i := range r.Perms {
			r.Perms[i].Value.fillMaps()
		}
	}
	for _, u := range a.Users {
		for i := range u.Perms {
			u.Perms[i].Value.fillMaps()
		}
	}
}

// handler runs one IAM or STS action for a call.
type handler func(s *Store, c *call) (result any, mutated bool, err *api.Error)

// HandleIAM runs an IAM Query action for a signed caller. The handlers
// authorize the call themselves when EnforceIAM is set, because only they
// know the target resource and the condition keys. So the core must not also
// authorize IAM calls with a "*" resource.
func (s *Store) HandleIAM(caller *api.Caller, action string, params url.Values) (any, bool, *api.Error) {
	if caller == nil {
		return nil, false, &api.Error{Code: "MissingAuthenticationToken", Status: 403,
			Message: "Request is missing Authentication Token"}
	}
	h, ok := iamHandlers[action]
	if !ok {
		return nil, false, &api.Error{Code: "InvalidAction", Status: 400,
			Message: fmt.Sprintf("Could not find operation %s for version 2010-05-08", action)}
	}
	return s.run(h, caller, params)
}

// HandleSTS runs an STS Query action. AssumeRoleWithWebIdentity is unsigned
// in AWS, so caller is nil for it; every other action needs a caller.
func (s *Store) HandleSTS(caller *api.Caller, action string, params url.Values) (any, bool, *api.Error) {
	h, ok := stsHandlers[action]
	if !ok {
		return nil, false, &api.Error{Code: "InvalidAction", Status: 400,
			Message: fmt.Sprintf("Could not find operation %s for version 2011-06-15", action)}
	}
	if caller == nil && action != "AssumeRoleWithWebIdentity" {
		return nil, false, &api.Error{Code: "MissingAuthenticationToken", Status: 403,
			Message: "Request is missing Authentication Token"}
	}
	return s.run(h, caller, params)
}

func (s *Store) run(h handler, caller *api.Caller, params url.Values) (any, bool, *api.Error) {
	c := &call{caller: caller, params: params}
	if caller != nil {
		c.acct = s.state.Accounts[caller.AccountID]
		if c.acct == nil {
			return nil, false, &api.Error{Code: "InvalidClientTokenId", Status: 403,
				Message: "The security token included in the request is invalid."}
		}
	}
	return h(s, c)
}

func containsString(list []string, v string) bool {
	for _, item := range list {
		if item == v {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
