package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/deployrole"
	"github.com/orgstrap/orgstrap/internal/engine/plan"
	"github.com/orgstrap/orgstrap/internal/library"
	"github.com/orgstrap/orgstrap/internal/org"
)

// Result is a plan together with the state it was computed from, which
// Apply works on.
type Result struct {
	Plan  *plan.Plan
	State *State
	Envs  []*EnvPlan
	// OUsToCreate are the missing OU paths, parents first.
	OUsToCreate []string
	// CreateOrganization is set when the organization does not exist.
	CreateOrganization bool
	// Orphans are the accounts tagged for environments the config does
	// not list, which apply leaves alone.
	Orphans  []Orphan
	profiles []plan.Change
}

// EnvPlan is one environment's share of a plan.
type EnvPlan struct {
	Env config.Environment
	// Account is the matched account, nil when it is to be created.
	Account   *org.Account
	MatchedBy string // "account_id", "tag" or "email"
	// Adopt is set when apply must tag the matched account as this
	// environment's.
	Adopt bool
	// Creation is an account creation still running from an earlier run.
	Creation *org.Creation
	// Move is set when the account is not under its OU.
	Move bool
	// Changes are the account-level changes: account, tags and move.
	Changes []plan.Change
	// Steps are the role changes in the member account; for an account
	// not created yet they are recomputed during apply.
	Steps []deployrole.Step
	// Retire deletes the roles Desired.Retire names, after Steps and the
	// deploy role's verification.
	Retire   []deployrole.Step
	Desired  *deployrole.Desired
	Observed *deployrole.Observed
	Rendered *library.Rendered

	member  aws.Config // credentials of the access role, once assumed
	created bool       // the account was created by this apply
}

// Plan discovers the current state and computes the changes.
func (e *Engine) Plan(ctx context.Context) (*Result, error) {
	s, err := e.Discover(ctx)
	if err != nil {
		return nil, err
	}
	r := &Result{Plan: &plan.Plan{}, State: s}
	if s.Organization == nil {
		r.CreateOrganization = true
		r.Plan.Changes = append(r.Plan.Changes, plan.Change{Kind: plan.KindOrganization, Action: plan.ActionCreate,
			Target: "all features", Reason: fmt.Sprintf("account %s is not in an organization and the config allows creating one", s.Caller.AccountID)})
	}
	r.OUsToCreate = missingOUs(e.cfg, s)
	for _, path := range r.OUsToCreate {
		r.Plan.Changes = append(r.Plan.Changes, plan.Change{Kind: plan.KindOU, Action: plan.ActionCreate, Target: path,
			Reason: "no OU on this path"})
	}

	for _, env := range e.cfg.Environments {
		ep, err := e.planAccount(ctx, s, env)
		if err != nil {
			return nil, err
		}
		r.Envs = append(r.Envs, ep)
	}
	if err := e.parallel(ctx, r.Envs, func(ctx context.Context, ep *EnvPlan) error {
		return e.planRole(ctx, s, ep)
	}); err != nil {
		return nil, err
	}
	for _, ep := range r.Envs {
		r.Plan.Changes = append(r.Plan.Changes, ep.Changes...)
		for _, step := range slices.Concat(ep.Steps, ep.Retire) {
			r.Plan.Changes = append(r.Plan.Changes, step.Change)
		}
		r.Plan.Warnings = append(r.Plan.Warnings, e.accountDrift(ep)...)
	}
	r.Orphans = e.orphans(s, r.Envs)
	for _, o := range r.Orphans {
		r.Plan.Warnings = append(r.Plan.Warnings, e.orphanWarning(o))
	}
	if r.profiles, err = e.profileChanges(r); err != nil {
		return nil, err
	}
	r.Plan.Changes = append(r.Plan.Changes, r.profiles...)
	return r, nil
}

// missingOUs lists the OU paths to create, each prefix before its
// children, without duplicates.
func missingOUs(cfg *config.Config, s *State) []string {
	var paths []string
	seen := map[string]bool{}
	for _, env := range cfg.Environments {
		path := ""
		for _, name := range env.OUPath() {
			path = joinPath(path, name)
			if _, ok := s.OUs[path]; !ok && !seen[path] {
				seen[path] = true
				paths = append(paths, path)
			}
		}
	}
	return paths
}

func (e *Engine) planAccount(ctx context.Context, s *State, env config.Environment) (*EnvPlan, error) {
	ep := &EnvPlan{Env: env}
	change := func(kind plan.Kind, action plan.Action, target, reason string) {
		ep.Changes = append(ep.Changes, plan.Change{Kind: kind, Action: action, Environment: env.Name, Target: target, Reason: reason})
	}
	account, how, err := s.match(env)
	if err != nil {
		return nil, err
	}
	ep.Account, ep.MatchedBy = account, how
	if account == nil {
		if ep.Creation = s.creation(env); ep.Creation != nil {
			change(plan.KindAccount, plan.ActionWait, env.AccountName,
				fmt.Sprintf("creation request %s from an earlier run is still in progress", ep.Creation.RequestID))
		} else {
			change(plan.KindAccount, plan.ActionCreate, env.AccountName,
				fmt.Sprintf("no account tagged %s=%s or with email %s", TagEnvironment, env.Name, env.Email))
		}
		if env.OU != "" {
			change(plan.KindMove, plan.ActionUpdate, env.AccountName+" to "+env.OU, "new accounts start in the root")
		}
		return ep, nil
	}

	if account.Status != "ACTIVE" {
		return nil, fmt.Errorf("account %s of environment %s is %s: orgstrap manages active accounts only", account.ID, env.Name, account.Status)
	}
	// An account named by account_id is matched before its tags are
	// looked at, so it needs tagging only when the tags are not there yet.
	tagged := account.Tags[TagManaged] == "true" && account.Tags[TagEnvironment] == env.Name
	if how != "tag" && !tagged {
		ep.Adopt = true
		change(plan.KindAccount, plan.ActionAdopt, fmt.Sprintf("%s (%s)", account.Name, account.ID),
			fmt.Sprintf("found by %s, not yet tagged %s=%s", matchLabel(how), TagEnvironment, env.Name))
	}
	if id, ok := s.OUs[env.OU]; ok {
		if ep.Move, err = e.inParentNot(ctx, s, id, account.ID); err != nil {
			return nil, err
		}
	} else {
		ep.Move = true
	}
	if ep.Move {
		change(plan.KindMove, plan.ActionUpdate, account.Name+" to "+ouLabel(env.OU), fmt.Sprintf("account %s is not in this OU", account.ID))
	}
	return ep, nil
}

func (e *Engine) inParentNot(ctx context.Context, s *State, parentID, accountID string) (bool, error) {
	in, err := e.inParent(ctx, s, parentID, accountID)
	return !in, err
}

func ouLabel(path string) string {
	if path == "" {
		return "root"
	}
	return path
}

func matchLabel(how string) string {
	if how == "account_id" {
		return "account_id in the config"
	}
	return how
}

// planRole reads the member account's roles and computes their steps. For
// an account still to be created it plans against an empty account with a
// placeholder id.
func (e *Engine) planRole(ctx context.Context, s *State, ep *EnvPlan) error {
	accountID := placeholderAccountID
	if ep.Account != nil {
		accountID = ep.Account.ID
	}
	want, rendered, err := e.desired(ep.Env, accountID, s.Caller)
	if err != nil {
		return err
	}
	ep.Desired, ep.Rendered = want, rendered
	e.selectDeployRole(ep)
	want = ep.Desired

	observed := &deployrole.Observed{Roles: map[string]*deployrole.Role{}, Policies: map[string]*deployrole.ManagedPolicy{}}
	if ep.Account != nil {
		if ep.member, err = e.assume(ctx, ep); err != nil {
			return err
		}
		read := func() error {
			var readErr error
			observed, readErr = e.roles(ep).Read(ctx, want)
			return readErr
		}
		if ep.created {
			err = access.RetryNewAccount(ctx, e.opts.AssumeTimeout, e.opts.Poll,
				func(msg string) { e.emit(EventWaiting, ep.Env.Name, "%s", msg) }, "reading IAM in the new account", read)
		} else {
			err = read()
		}
		if err != nil {
			return fmt.Errorf("environment %s: %w", ep.Env.Name, err)
		}
	}
	ep.Observed = observed
	keepRotatedExternalID(ep)
	want = ep.Desired
	want.Retire = retiredRoles(e.cfg.Deployment.RoleName, observed)
	if ep.Steps, err = e.roles(ep).Steps(want, observed); err != nil {
		return fmt.Errorf("environment %s: %w", ep.Env.Name, err)
	}
	ep.Retire = e.roles(ep).RetireSteps(want, observed)
	if ep.Account == nil {
		for i := range ep.Steps {
			ep.Steps[i].Change.Reason += " (new account: its id is shown as " + placeholderAccountID + ")"
		}
	}
	return nil
}

// parallel runs fn for each environment, at most Parallelism at once, and
// returns the errors of all that failed.
func (e *Engine) parallel(ctx context.Context, envs []*EnvPlan, fn func(context.Context, *EnvPlan) error) error {
	sem := make(chan struct{}, e.opts.Parallelism)
	errs := make([]error, len(envs))
	var wg sync.WaitGroup
	for i, ep := range envs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-sem }()
			errs[i] = fn(ctx, ep)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
