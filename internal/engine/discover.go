package engine

import (
	"context"
	"errors"
	"fmt"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"strings"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/org"
)

// State is the organization as discovery read it from the management account.
type State struct {
	Caller access.Caller
	// Organization is nil when the caller's account is in none yet.
	Organization *org.Organization
	RootID       string
	// OUs maps each OU path found (such as "Workloads/Dev") to its id;
	// "" maps to the root.
	OUs map[string]string
	// Children caches the accounts directly under each parent id read.
	Children map[string][]string
	Accounts []org.Account
	// InProgress are account creations still running.
	InProgress []org.Creation
}

// Discover reads the caller, the organization, its OUs on the configured
// paths, its accounts with their tags and the creations in progress.
func (e *Engine) Discover(ctx context.Context) (*State, error) {
	caller, err := access.Identify(ctx, e.sts)
	var unreachable *smithyhttp.RequestSendError
	switch {
	case errors.As(err, &unreachable):
		return nil, access.WithFix(err, "the AWS endpoint could not be reached: check --endpoint-url or AWS_ENDPOINT_URL, "+
			"the network and any proxy settings")
	case err != nil:
		return nil, access.WithFix(err, "check the credentials: pass --profile, or set AWS_PROFILE or AWS_ACCESS_KEY_ID")
	}
	s := &State{Caller: caller, OUs: map[string]string{}, Children: map[string][]string{}}

	// The root's ARN names the management account, so a caller in that
	// account needs no DescribeOrganization call.
	root, rootErr := e.org.Root(ctx)
	if rootErr == nil && root.Organization != nil && root.Organization.ManagementAccountID == caller.AccountID {
		s.Organization = root.Organization
		if err := e.discoverOrganization(ctx, s, root.ID); err != nil {
			return nil, err
		}
		return s, nil
	}

	// ListRoots failed or named another account: the caller's account is
	// in no organization, is a member or delegated administrator, or lacks
	// a permission. DescribeOrganization, which members may call too,
	// separates these cases.
	s.Organization, err = e.org.Describe(ctx)
	if errors.Is(err, org.ErrNoOrganization) {
		if !e.cfg.Organization.Create {
			return nil, access.WithFix(fmt.Errorf("account %s is not in an organization", caller.AccountID),
				"set organization.create: true in the config to let apply create one with all features, or create it in the AWS console")
		}
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	if s.Organization.ManagementAccountID != caller.AccountID {
		return nil, access.WithFix(
			fmt.Errorf("account %s is a member of organization %s, not its management account", caller.AccountID, s.Organization.ID),
			fmt.Sprintf("run orgstrap with credentials of the management account %s", s.Organization.ManagementAccountID))
	}
	if rootErr != nil {
		return nil, rootErr
	}
	if err := e.discoverOrganization(ctx, s, root.ID); err != nil {
		return nil, err
	}
	return s, nil
}

func (e *Engine) discoverOrganization(ctx context.Context, s *State, rootID string) error {
	s.RootID = rootID
	s.OUs[""] = s.RootID
	if err := e.discoverOUs(ctx, s); err != nil {
		return err
	}
	if err := e.discoverAccounts(ctx, s); err != nil {
		return err
	}
	// Creations in progress matter only for environments without an
	// account, so a converged run skips the call.
	if !s.unmatched(e.cfg) {
		return nil
	}
	var err error
	if s.InProgress, err = e.org.InProgress(ctx); err != nil {
		return err
	}
	// A creation may have finished between the two lists: list the
	// accounts again so that it is found as an account.
	return e.discoverAccounts(ctx, s)
}

// discoverAccounts lists the member accounts and reads the tags of those
// not read before.
func (e *Engine) discoverAccounts(ctx context.Context, s *State) error {
	accounts, err := e.org.Accounts(ctx)
	if err != nil {
		return err
	}
	known := map[string]org.Account{}
	for _, a := range s.Accounts {
		known[a.ID] = a
	}
	s.Accounts = s.Accounts[:0]
	for _, a := range accounts {
		if a.ID == s.Organization.ManagementAccountID {
			continue
		}
		if old, ok := known[a.ID]; ok {
			a.Tags = old.Tags
		} else if a.Tags, err = e.org.Tags(ctx, a.ID); err != nil {
			return err
		}
		s.Accounts = append(s.Accounts, a)
	}
	return nil
}

// unmatched reports whether some environment has no account yet.
func (s *State) unmatched(cfg *config.Config) bool {
	for _, env := range cfg.Environments {
		if account, _, err := s.match(env); err == nil && account == nil {
			return true
		}
	}
	return false
}

// discoverOUs resolves every configured OU path as far as it exists,
// listing each parent's children once.
func (e *Engine) discoverOUs(ctx context.Context, s *State) error {
	children := map[string][]org.OU{}
	for _, env := range e.cfg.Environments {
		parentID, path := s.RootID, ""
		for _, name := range env.OUPath() {
			path = joinPath(path, name)
			if id, ok := s.OUs[path]; ok {
				parentID = id
				continue
			}
			list, ok := children[parentID]
			if !ok {
				var err error
				if list, err = e.org.ChildOUs(ctx, parentID); err != nil {
					return err
				}
				children[parentID] = list
			}
			id := findOU(list, name)
			if id == "" {
				break
			}
			s.OUs[path], parentID = id, id
		}
	}
	return nil
}

func findOU(list []org.OU, name string) string {
	for _, ou := range list {
		if ou.Name == name {
			return ou.ID
		}
	}
	return ""
}

func joinPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "/" + name
}

// match finds env's account: by account_id, then by orgstrap's tags, then
// by email. It returns how it matched ("account_id", "tag" or "email").
func (s *State) match(env config.Environment) (*org.Account, string, error) {
	if env.AccountID != "" {
		for i := range s.Accounts {
			if s.Accounts[i].ID == env.AccountID {
				return &s.Accounts[i], "account_id", nil
			}
		}
		return nil, "", access.WithFix(fmt.Errorf("account %s of environment %s is not a member of the organization", env.AccountID, env.Name),
			"invite the account into the organization first, or remove account_id to create a new account")
	}
	var tagged []*org.Account
	for i := range s.Accounts {
		a := &s.Accounts[i]
		if a.Tags[TagManaged] == "true" && a.Tags[TagEnvironment] == env.Name {
			tagged = append(tagged, a)
		}
	}
	if len(tagged) > 1 {
		ids := make([]string, len(tagged))
		for i, a := range tagged {
			ids[i] = a.ID
		}
		return nil, "", access.WithFix(fmt.Errorf("accounts %s are all tagged %s=%s", strings.Join(ids, ", "), TagEnvironment, env.Name),
			"remove the tag from the accounts that do not belong to this environment")
	}
	if len(tagged) == 1 {
		return tagged[0], "tag", nil
	}
	for i := range s.Accounts {
		if strings.EqualFold(s.Accounts[i].Email, env.Email) {
			return &s.Accounts[i], "email", nil
		}
	}
	return nil, "", nil
}

// creation returns the in-progress creation of env's account, if any.
func (s *State) creation(env config.Environment) *org.Creation {
	for i := range s.InProgress {
		if s.InProgress[i].AccountName == env.AccountName {
			return &s.InProgress[i]
		}
	}
	return nil
}

// inParent reports whether accountID sits directly under parentID,
// listing that parent's accounts once.
func (e *Engine) inParent(ctx context.Context, s *State, parentID, accountID string) (bool, error) {
	ids, ok := s.Children[parentID]
	if !ok {
		var err error
		if ids, err = e.org.AccountsIn(ctx, parentID); err != nil {
			return false, err
		}
		s.Children[parentID] = ids
	}
	for _, id := range ids {
		if id == accountID {
			return true, nil
		}
	}
	return false, nil
}
