package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/deployrole"
	"github.com/orgstrap/orgstrap/internal/org"
)

// Apply makes AWS match the plan in r: organization and OUs first, then
// every environment in parallel, then the AWS CLI profiles. An
// environment that fails does not stop the others; the returned error
// joins every failure. Apply is safe to run again after an interruption:
// each step is computed from what AWS holds, not from local state.
func (e *Engine) Apply(ctx context.Context, r *Result) error {
	for _, w := range r.Plan.Warnings {
		e.emit(EventWarning, w.Environment, "%s", w)
	}
	if err := e.applyOrganization(ctx, r); err != nil {
		return err
	}
	err := e.parallel(ctx, r.Envs, func(ctx context.Context, ep *EnvPlan) error {
		if err := e.applyEnv(ctx, r.State, ep); err != nil {
			e.emit(EventFailed, ep.Env.Name, "%v", err)
			return fmt.Errorf("environment %s: %w", ep.Env.Name, err)
		}
		return nil
	})
	if profileErr := e.writeProfiles(r); profileErr != nil {
		err = errors.Join(err, profileErr)
	}
	return err
}

func (e *Engine) applyOrganization(ctx context.Context, r *Result) error {
	s := r.State
	if r.CreateOrganization {
		e.emit(EventStart, "", "creating the organization with all features")
		o, err := e.org.CreateOrganization(ctx)
		if err != nil {
			return err
		}
		s.Organization = o
		if s.RootID, err = e.org.RootID(ctx); err != nil {
			return err
		}
		s.OUs[""] = s.RootID
		e.emit(EventDone, "", "created organization %s", o.ID)
	}
	for _, p := range r.OUsToCreate {
		parent := path.Dir(p)
		if parent == "." {
			parent = ""
		}
		e.emit(EventStart, "", "creating OU %s", p)
		id, err := e.org.CreateOU(ctx, s.OUs[parent], path.Base(p))
		if err != nil {
			return err
		}
		s.OUs[p] = id
		e.emit(EventDone, "", "created OU %s (%s)", p, id)
	}
	return nil
}

func (e *Engine) applyEnv(ctx context.Context, s *State, ep *EnvPlan) error {
	created, err := e.ensureAccount(ctx, s, ep)
	if err != nil {
		return err
	}
	if err := e.ensureOU(ctx, s, ep, created); err != nil {
		return err
	}
	if created {
		// Plan the roles now that the account id is known.
		ep.created = true
		if err := e.planRole(ctx, s, ep); err != nil {
			return err
		}
	}
	return e.applyRoles(ctx, ep)
}

// ensureAccount creates, waits for or adopts the account. It reports
// whether the account is new in this run.
func (e *Engine) ensureAccount(ctx context.Context, s *State, ep *EnvPlan) (bool, error) {
	env := ep.Env
	tags := map[string]string{TagManaged: "true", TagEnvironment: env.Name}
	if ep.Account != nil {
		if ep.Adopt {
			e.emit(EventStart, env.Name, "adopting account %s", ep.Account.ID)
			if err := e.org.Tag(ctx, ep.Account.ID, tags); err != nil {
				return false, err
			}
			e.emit(EventDone, env.Name, "tagged account %s", ep.Account.ID)
		}
		return false, nil
	}

	req := org.AccountRequest{Name: env.AccountName, Email: env.Email, Tags: tags}
	report := func(msg string) { e.emit(EventWaiting, env.Name, "%s", msg) }
	var id string
	var err error
	if ep.Creation != nil {
		e.emit(EventStart, env.Name, "waiting for account creation %s from an earlier run", ep.Creation.RequestID)
		id, err = e.org.Finish(ctx, req, ep.Creation.RequestID, e.opts.Poll, report)
	} else {
		e.emit(EventStart, env.Name, "creating account %s <%s>", env.AccountName, env.Email)
		id, err = e.org.CreateAccount(ctx, req, org.Attempts{Max: e.opts.CreateAttempts, Resubmit: e.opts.Resubmit, Poll: e.opts.Poll}, report)
	}
	if err != nil {
		return false, err
	}
	if ep.Creation != nil {
		// The earlier request may have been made without orgstrap's tags.
		if err := e.org.Tag(ctx, id, tags); err != nil {
			return false, err
		}
	}
	ep.Account = &org.Account{ID: id, Name: env.AccountName, Email: env.Email, Status: "ACTIVE", Tags: tags}
	ep.MatchedBy = "tag"
	e.emit(EventDone, env.Name, "account %s is ready", id)
	return true, nil
}

func (e *Engine) ensureOU(ctx context.Context, s *State, ep *EnvPlan, created bool) error {
	if !created && !ep.Move {
		return nil
	}
	target, ok := s.OUs[ep.Env.OU]
	if !ok {
		return fmt.Errorf("moving account %s: OU %s was not created", ep.Account.ID, ep.Env.OU)
	}
	from := s.RootID
	if !created {
		var err error
		if from, err = e.org.Parent(ctx, ep.Account.ID); err != nil {
			return err
		}
	}
	if from == target {
		return nil
	}
	e.emit(EventStart, ep.Env.Name, "moving account %s to %s", ep.Account.ID, ouLabel(ep.Env.OU))
	if err := e.org.Move(ctx, ep.Account.ID, from, target); err != nil {
		return err
	}
	e.emit(EventDone, ep.Env.Name, "moved account %s to %s", ep.Account.ID, ouLabel(ep.Env.OU))
	return nil
}

// applyRoles runs the role steps, verifies the deploy role when anything
// changed, and then deletes the roles it replaces.
func (e *Engine) applyRoles(ctx context.Context, ep *EnvPlan) error {
	if len(ep.Steps) == 0 && len(ep.Retire) == 0 {
		return nil
	}
	if err := e.runSteps(ctx, ep, ep.Steps); err != nil {
		return err
	}
	if len(ep.Steps) > 0 {
		e.emit(EventDone, ep.Env.Name, "%d role changes made", len(ep.Steps))
	}
	verified, err := e.verify(ctx, ep)
	if err != nil || len(ep.Retire) == 0 {
		return err
	}
	if !verified {
		e.emit(EventWarning, ep.Env.Name, "kept the %d roles the config no longer has, because the deploy role was not verified: "+
			"run apply again once iam:SimulatePrincipalPolicy is allowed, or delete them by hand", len(ep.Desired.Retire))
		return nil
	}
	if err := e.runSteps(ctx, ep, ep.Retire); err != nil {
		return err
	}
	e.emit(EventDone, ep.Env.Name, "deleted %d roles the config no longer has", len(ep.Desired.Retire))
	return nil
}

func (e *Engine) runSteps(ctx context.Context, ep *EnvPlan, steps []deployrole.Step) error {
	for _, step := range steps {
		c := step.Change
		e.emit(EventStart, ep.Env.Name, "%s %s %s: %s", c.Action, c.Kind, c.Target, c.Reason)
		if err := step.Do(ctx); err != nil {
			return err
		}
	}
	return nil
}

// verify simulates the required calls of each role. It reports false when
// the simulation was unavailable and verification skipped.
func (e *Engine) verify(ctx context.Context, ep *EnvPlan) (bool, error) {
	byRole := requiredCalls(ep.Rendered)
	for _, role := range slices.Sorted(maps.Keys(byRole)) {
		name := role
		if name == "" {
			name = ep.DeployRole()
		}
		roleARN := ep.Desired.RoleARN(name)
		v, err := e.roles(ep).Verify(ctx, roleARN, byRole[role])
		if err != nil {
			return false, err
		}
		if v.Skipped != "" {
			e.emit(EventWarning, ep.Env.Name, "verification of %s skipped: %s", roleARN, v.Skipped)
			return false, nil
		}
		e.emit(EventDone, ep.Env.Name, "verified %s: %d required calls allowed", roleARN, v.Checked)
	}
	return true, nil
}

// existingAccountWait bounds the wait for the access role of an account
// that existed before this run: long enough for one a crashed run created
// moments ago, short enough that an invited account without the role
// fails promptly.
const existingAccountWait = 30 * time.Second

// assume returns credentials of the access role in the environment's
// account, waiting longer for an account created by this run.
func (e *Engine) assume(ctx context.Context, ep *EnvPlan) (aws.Config, error) {
	env := ep.Env.Name
	timeout := e.opts.AssumeTimeout
	if !ep.created {
		timeout = min(timeout, existingAccountWait)
	}
	a := &access.Assumer{
		STS: e.sts, Base: e.aws, Timeout: timeout, Backoff: e.opts.Poll,
		Waiting: func(msg string) { e.emit(EventWaiting, env, "%s", msg) },
	}
	cfg, err := a.Assume(ctx, ep.Account.ID, e.opts.AccessRole, roleSessionName(env))
	if err == nil {
		return cfg, nil
	}
	if ep.MatchedBy != "tag" && access.Fix(err) == "" {
		return aws.Config{}, access.WithFix(err, fmt.Sprintf(
			"accounts invited into an organization lack %s: create it in account %s trusting the management account, with administrator rights",
			e.opts.AccessRole, ep.Account.ID))
	}
	return aws.Config{}, access.ExplainDenied(err, "the caller (it needs sts:AssumeRole on the member account's "+e.opts.AccessRole+")")
}

// roles returns the deploy role client for an environment's account.
func (e *Engine) roles(ep *EnvPlan) *deployrole.Client {
	return deployrole.New(iam.NewFromConfig(ep.member))
}
