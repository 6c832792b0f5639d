// Package rotate renews the deployment roles of an organization that
// orgstrap manages. An in-place rotation rewrites a role's policies and
// trust policy, revokes every session issued before it began and replaces
// the external id. A blue/green rotation creates the next generation of
// the role beside the current one, switches to it once verified, and
// deletes the previous one on request. Progress is kept only in role tags,
// so an interrupted rotation resumes when run again.
package rotate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/deployrole"
	"github.com/orgstrap/orgstrap/internal/engine"
)

// Options tune a Rotator. Zero values take the defaults noted.
type Options struct {
	// Now is the clock the rotation time comes from (default time.Now).
	Now func() time.Time
	// OnEvent receives progress.
	OnEvent func(engine.Event)
}

// Rotator rotates the deploy roles of one config's environments.
type Rotator struct {
	engine *engine.Engine
	cfg    *config.Config
	opts   Options
}

// New returns a Rotator working through e, which must have been built
// for cfg.
func New(e *engine.Engine, cfg *config.Config, opts Options) *Rotator {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Rotator{engine: e, cfg: cfg, opts: opts}
}

// Plan is the current state of the environments a rotation works on.
type Plan struct {
	Result *engine.Result
	Envs   []*engine.EnvPlan
}

// Plan reads the state of the environments named, or of every environment
// when names is empty. Each must have its account and deploy role, which
// orgstrap apply creates.
func (r *Rotator) Plan(ctx context.Context, names []string) (*Plan, error) {
	for _, name := range names {
		if _, ok := r.cfg.Environment(name); !ok {
			return nil, access.WithFix(fmt.Errorf("environment %q is not in %s", name, r.cfg.Path),
				"name environments from the config: "+strings.Join(r.envNames(), ", "))
		}
	}
	res, err := r.engine.Plan(ctx)
	if err != nil {
		return nil, err
	}
	p := &Plan{Result: res}
	for _, ep := range res.Envs {
		if len(names) > 0 && !slices.Contains(names, ep.Env.Name) {
			continue
		}
		if ep.Account == nil {
			return nil, access.WithFix(fmt.Errorf("environment %s has no account yet", ep.Env.Name),
				"run orgstrap apply to create it, then rotate")
		}
		role := ep.Observed.Roles[ep.DeployRole()]
		if role == nil {
			return nil, access.WithFix(fmt.Errorf("environment %s has no deploy role %s in account %s", ep.Env.Name, ep.DeployRole(), ep.Account.ID),
				"run orgstrap apply to create it, then rotate")
		}
		if role.Tags[deployrole.TagManaged] != "true" {
			return nil, &deployrole.ErrForeignRole{Role: role.Name}
		}
		p.Envs = append(p.Envs, ep)
	}
	return p, nil
}

func (r *Rotator) envNames() []string {
	names := make([]string, 0, len(r.cfg.Environments))
	for _, env := range r.cfg.Environments {
		names = append(names, env.Name)
	}
	return names
}

// Describe returns one line per environment saying what the mode's
// rotation will do, for the confirmation prompt.
func (p *Plan) Describe(mode Mode) []string {
	var lines []string
	for _, ep := range p.Envs {
		name := ep.DeployRole()
		role := ep.Observed.Roles[name]
		resume := ""
		if role.Tags[deployrole.TagRotation] == deployrole.RotationInProgress {
			resume = " (resuming the rotation started " + role.Tags[deployrole.TagRotationStarted] + ")"
		}
		var what string
		switch mode {
		case ModeInPlace:
			what = fmt.Sprintf("rotate role %s in place: new policy versions and trust policy, revoke every session issued before now", role.ARN)
			if deployrole.ExternalID(ep.Desired.Roles[0].Trust) != "" {
				what += ", new external id"
			}
		case ModeReplace:
			what = fmt.Sprintf("create the next generation of role %s, verify it and switch the AWS CLI profiles to it", role.ARN)
		case ModeFinish:
			old := role.Tags[deployrole.TagReplaces]
			if old == "" {
				what = fmt.Sprintf("nothing to finish: role %s replaces no earlier role", role.ARN)
			} else {
				what = fmt.Sprintf("delete role %s, which %s replaced", old, name)
			}
			resume = ""
		}
		lines = append(lines, fmt.Sprintf("%s (account %s): %s%s", ep.Env.Name, ep.Account.ID, what, resume))
	}
	return lines
}

// Mode is the kind of rotation.
type Mode int

// The rotation modes.
const (
	ModeInPlace Mode = iota // rotate the current role
	ModeReplace             // create and switch to the next generation
	ModeFinish              // delete the generation a replacement superseded
)

// eachEnv runs step on every environment of p, one after the other. An
// environment that fails does not stop the others, unless ctx is done; the
// error joins every failure, each wrapped with format and the environment.
func eachEnv[T any](ctx context.Context, r *Rotator, p *Plan, format string,
	step func(context.Context, *engine.EnvPlan) (*T, error)) ([]T, error) {
	var done []T
	var errs []error
	for _, ep := range p.Envs {
		result, err := step(ctx, ep)
		if err != nil {
			r.emit(engine.EventFailed, ep.Env.Name, "%v", err)
			errs = append(errs, fmt.Errorf(format, ep.Env.Name, err))
			if ctx.Err() != nil {
				break
			}
			continue
		}
		done = append(done, *result)
	}
	return done, errors.Join(errs...)
}

func (r *Rotator) emit(kind engine.EventKind, env, format string, args ...any) {
	if r.opts.OnEvent != nil {
		r.opts.OnEvent(engine.Event{Time: r.opts.Now(), Kind: kind, Environment: env, Message: fmt.Sprintf(format, args...)})
	}
}

// clients returns the IAM clients of an environment's member account.
func clients(ep *engine.EnvPlan) (*iam.Client, *deployrole.Client) {
	client := iam.NewFromConfig(ep.Member())
	return client, deployrole.New(client)
}

// runSteps makes the account match d, as apply does for the roles.
func (r *Rotator) runSteps(ctx context.Context, env string, roles *deployrole.Client, d *deployrole.Desired) (*deployrole.Observed, error) {
	observed, err := roles.Read(ctx, d)
	if err != nil {
		return nil, err
	}
	steps, err := roles.Steps(d, observed)
	if err != nil {
		return nil, err
	}
	for _, step := range steps {
		c := step.Change
		r.emit(engine.EventStart, env, "%s %s %s: %s", c.Action, c.Kind, c.Target, c.Reason)
		if err := step.Do(ctx); err != nil {
			return nil, err
		}
	}
	if len(steps) == 0 {
		return observed, nil
	}
	return roles.Read(ctx, d)
}

// verify simulates the deploy role's required calls. A simulation that
// cannot run counts as a failure, because a rotation must not switch to
// or keep only a role it could not check.
func (r *Rotator) verify(ctx context.Context, ep *engine.EnvPlan, roles *deployrole.Client, roleARN string) error {
	v, err := roles.Verify(ctx, roleARN, ep.DeployCalls())
	if err != nil {
		return err
	}
	if v.Skipped != "" {
		return access.WithFix(fmt.Errorf("verifying role %s: %s", roleARN, v.Skipped),
			"allow iam:SimulatePrincipalPolicy for the access role in the member account")
	}
	r.emit(engine.EventDone, ep.Env.Name, "verified %s: %d required calls allowed", roleARN, v.Checked)
	return nil
}
