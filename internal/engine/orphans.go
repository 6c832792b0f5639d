package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/orgstrap/orgstrap/internal/deployrole"
	"github.com/orgstrap/orgstrap/internal/engine/plan"
	"github.com/orgstrap/orgstrap/internal/org"
)

// retiredRoles returns, sorted, the roles of o.Others that apply deletes:
// roles orgstrap created for the environment that the config no longer
// has, such as the deploy role after a change of deployment.role_name.
// Blue/green generations of base (base itself and base-gN) and roles
// tagged as replacing or replaced by another are left to orgstrap rotate,
// whose --finish deletes them.
// NOTE: after a rename during an unfinished blue/green rotation, the old
// generations keep those tags, so neither apply nor rotate deletes them.
func retiredRoles(base string, o *deployrole.Observed) []string {
	var names []string
	for name, role := range o.Others {
		if isGeneration(base, name) || role.Tags[deployrole.TagReplaces] != "" || role.Tags[deployrole.TagSupersededBy] != "" {
			continue
		}
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// isGeneration reports whether a role name is base or a blue/green
// generation of it, ignoring case as IAM does for role names. It goes by
// the name alone, because a generation tag names no base.
func isGeneration(base, name string) bool {
	base, name = strings.ToLower(base), strings.ToLower(name)
	return name == base || Generation(base, name, nil) > 1
}

// Orphan is an account tagged for an environment that the config does not
// list.
type Orphan struct {
	Environment string
	Account     org.Account
}

// orphans returns the active accounts tagged orgstrap:managed=true whose
// orgstrap:environment is not in the config and that no environment
// matched by account_id or email. Suspended accounts are left out,
// because they are already closed.
func (e *Engine) orphans(s *State, envs []*EnvPlan) []Orphan {
	matched := map[string]bool{}
	for _, ep := range envs {
		if ep.Account != nil {
			matched[ep.Account.ID] = true
		}
	}
	var out []Orphan
	for _, a := range s.Accounts {
		env := a.Tags[TagEnvironment]
		if a.Tags[TagManaged] != "true" || env == "" || a.Status != "ACTIVE" || matched[a.ID] {
			continue
		}
		if _, ok := e.cfg.Environment(env); ok {
			continue
		}
		out = append(out, Orphan{Environment: env, Account: a})
	}
	return out
}

func (e *Engine) orphanWarning(o Orphan) plan.Warning {
	return plan.Warning{
		Kind: plan.WarningOrphanAccount, Environment: o.Environment, AccountID: o.Account.ID,
		Message: fmt.Sprintf("account %s (%s) is tagged %s=%s but %s is not in %s",
			o.Account.Name, o.Account.ID, TagEnvironment, o.Environment, o.Environment, e.cfg.Path),
		Fix: "add it back, or remove the account and its tags by hand: orgstrap never closes or removes accounts",
	}
}

// accountDrift returns a warning for each of the account's name and root
// email that differ from the config. orgstrap cannot change either:
// Organizations has no call for it and orgstrap does not use the Account
// Management API.
func (e *Engine) accountDrift(ep *EnvPlan) []plan.Warning {
	a, env := ep.Account, ep.Env
	if a == nil || ep.created {
		return nil
	}
	var out []plan.Warning
	add := func(message, what, field, live string) {
		out = append(out, plan.Warning{
			Kind: plan.WarningAccountDrift, Environment: env.Name, AccountID: a.ID, Message: message,
			Fix: fmt.Sprintf("orgstrap cannot change an account's %s: change it in the AWS console, or set %s: %s in %s",
				what, field, live, e.cfg.Path),
		})
	}
	if env.AccountName != "" && a.Name != env.AccountName {
		add(fmt.Sprintf("account %s of environment %s is named %q in AWS, but account_name in %s is %q",
			a.ID, env.Name, a.Name, e.cfg.Path, env.AccountName), "name", "account_name", a.Name)
	}
	if env.Email != "" && !strings.EqualFold(a.Email, env.Email) {
		add(fmt.Sprintf("account %s of environment %s has the root email %s in AWS, but email in %s is %s",
			a.ID, env.Name, a.Email, e.cfg.Path, env.Email), "root email", "email", a.Email)
	}
	return out
}
