package tui

import (
	"cmp"
	"context"
	"slices"

	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/engine"
)

// discoverAdoptable fills d.Adoptable with the active member accounts
// that an earlier run of orgstrap tagged, such as a run from another
// machine whose orgstrap.yaml is not here. It then plans them as adopted
// accounts to learn their OUs and deploy roles. A failure of that plan
// leaves the OUs and access levels unknown and is kept in d.AdoptableErr,
// because the wizard can go on without them.
func (b *EngineBackend) discoverAdoptable(ctx context.Context, d *Discovery, state *engine.State) {
	for _, a := range state.Accounts {
		name := a.Tags[engine.TagEnvironment]
		if a.Status != "ACTIVE" || a.Tags[engine.TagManaged] != "true" || name == "" {
			continue
		}
		d.Adoptable = append(d.Adoptable, AdoptableEnvironment{
			Name:    name,
			Account: Account{ID: a.ID, Name: a.Name, Email: a.Email, Environment: name},
		})
	}
	if len(d.Adoptable) == 0 {
		return
	}
	slices.SortFunc(d.Adoptable, func(x, y AdoptableEnvironment) int {
		return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.Account.ID, y.Account.ID))
	})

	r, err := engine.New(b.AWS, b.adoptionProbe(d.Adoptable), b.Library, b.Options).Plan(ctx)
	if err != nil {
		d.AdoptableErr = err
		return
	}
	for i, ep := range r.Envs {
		found := &d.Adoptable[i]
		found.OU, found.OUFound = ep.Env.OU, !ep.Move
		if ep.Move {
			found.OU, found.OUFound = ouOf(r.State, ep.Env.AccountID)
		}
		// The first desired role is the deploy role, renamed by the plan
		// to the account's active blue/green generation.
		if role := ep.Observed.Roles[ep.Desired.Roles[0].Name]; role != nil {
			found.Access = config.AccessBroad
			if role.BoundaryARN != "" {
				found.Access = config.AccessRestricted
			}
		}
	}
}

// adoptionProbe returns the config that plans the adoptable accounts: the
// wizard's defaults, with one environment per account that adopts it by
// id and sits in the OU the wizard suggests for its name. It writes no
// AWS CLI profiles, so that the plan does not read or check that file.
func (b *EngineBackend) adoptionProbe(found []AdoptableEnvironment) *config.Config {
	probe := newDraft(b.Frameworks())
	probe.Path = b.ConfigPath
	write := false
	probe.AWSProfiles.Write = &write
	probe.Environments = nil
	for _, f := range found {
		probe.Environments = append(probe.Environments, config.Environment{
			Name: f.Name, Stage: f.Name, AccountName: f.Account.Name, Email: f.Account.Email,
			AccountID: f.Account.ID, OU: suggestOU(f.Name), Access: defaultAccess(f.Name),
		})
	}
	return probe
}

// ouOf returns the path of the OU that accountID is in, when a plan
// listed that OU's accounts. A plan lists the accounts of each existing OU
// its environments name, so this finds an account that sits in the
// suggested OU of another environment.
func ouOf(s *engine.State, accountID string) (string, bool) {
	for parentID, ids := range s.Children {
		if !slices.Contains(ids, accountID) {
			continue
		}
		for path, id := range s.OUs {
			if id == parentID {
				return path, true
			}
		}
	}
	return "", false
}
