package tui

import (
	"context"
	"errors"
	"time"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/deployrole"
	"github.com/orgstrap/orgstrap/internal/engine"
	"github.com/orgstrap/orgstrap/internal/rotate"
)

var rotationModes = []rotate.Mode{rotate.ModeInPlace, rotate.ModeReplace, rotate.ModeFinish}

// PlanRotation plans cfg and describes, for every environment whose
// account and orgstrap-managed deploy role exist, what each mode would
// do. The other environments are listed with the reason they cannot be
// rotated, so one missing account does not block the rest.
func (b *EngineBackend) PlanRotation(ctx context.Context, cfg *config.Config) (*RotationPlan, error) {
	eng := engine.New(b.AWS, cfg, b.Library, b.Options)
	res, err := eng.Plan(ctx)
	if err != nil {
		return nil, err
	}

	out := &RotationPlan{}
	for _, ep := range res.Envs {
		t := RotationTarget{Name: ep.Env.Name}
		role := ep.Observed.Roles[ep.DeployRole()]
		switch {
		case ep.Account == nil:
			t.Unavailable = "no account yet: apply the config first"
		case role == nil:
			t.AccountID, t.Unavailable = ep.Account.ID, "no deploy role "+ep.DeployRole()+" yet: apply the config first"
		case role.Tags[deployrole.TagManaged] != "true":
			t.AccountID, t.Unavailable = ep.Account.ID, "role "+role.Name+" exists but orgstrap does not manage it"
		}
		if t.Unavailable != "" {
			out.Environments = append(out.Environments, t)
			continue
		}
		t.AccountID, t.RoleARN = ep.Account.ID, role.ARN
		// The same tags that orgstrap status reads.
		t.InProgress = role.Tags[deployrole.TagRotation] == deployrole.RotationInProgress
		t.Replaces = role.Tags[deployrole.TagReplaces]
		t.RotatedAt, _ = time.Parse(time.RFC3339, role.Tags[deployrole.TagRotatedAt])
		one := &rotate.Plan{Result: res, Envs: []*engine.EnvPlan{ep}}
		t.Actions = map[rotate.Mode]string{}
		for _, mode := range rotationModes {
			t.Actions[mode] = one.Describe(mode)[0]
		}
		out.Environments = append(out.Environments, t)
	}
	return out, nil
}

// Rotate rotates each environment named on its own, so that every
// environment's outcome, error and fix stays apart. It stops at the first
// environment after ctx is cancelled. Events carry no external id: the
// new ids are only in the result.
func (b *EngineBackend) Rotate(ctx context.Context, cfg *config.Config, envs []string, mode rotate.Mode, events chan<- Event) (*RotationResult, error) {
	forward := func(e engine.Event) {
		ev := Event{Environment: e.Environment, Message: e.Message, Time: e.Time, Fraction: -1}
		if e.Kind == engine.EventFailed || e.Kind == engine.EventWarning {
			ev.Message = string(e.Kind) + ": " + e.Message
		}
		events <- ev
	}
	opts := b.Options
	opts.OnEvent = forward
	eng := engine.New(b.AWS, cfg, b.Library, opts)
	rotator := rotate.New(eng, cfg, rotate.Options{OnEvent: forward})

	p, err := rotator.Plan(ctx, envs)
	if err != nil {
		return nil, err
	}
	result := &RotationResult{Mode: mode}
	var errs []error
	for _, ep := range p.Envs {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		env, err := rotateOne(ctx, rotator, &rotate.Plan{Result: p.Result, Envs: []*engine.EnvPlan{ep}}, mode)
		env.Name = ep.Env.Name
		done := Event{Environment: env.Name, Done: true, Fraction: 1, Message: "done"}
		if err != nil {
			env.Err, env.Fix = err, access.Fix(err)
			done.Err, done.Fix, done.Fraction, done.Message = err, env.Fix, -1, "failed"
			errs = append(errs, err)
		}
		events <- done
		result.Environments = append(result.Environments, env)
	}
	return result, errors.Join(errs...)
}

// rotateOne runs mode on the one environment of p.
func rotateOne(ctx context.Context, r *rotate.Rotator, p *rotate.Plan, mode rotate.Mode) (RotatedEnvironment, error) {
	var env RotatedEnvironment
	switch mode {
	case rotate.ModeReplace:
		done, err := r.Replace(ctx, p)
		for _, d := range done {
			env = RotatedEnvironment{RoleARN: d.NewRoleARN, PreviousRoleARN: d.OldRoleARN, Generation: d.Generation,
				RotatedAt: d.RotatedAt, ExternalID: d.ExternalID, Resumed: d.Resumed}
		}
		return env, err
	case rotate.ModeFinish:
		done, err := r.Finish(ctx, p)
		for _, d := range done {
			env = RotatedEnvironment{RoleARN: d.RoleARN, Deleted: d.Deleted}
		}
		return env, err
	}
	done, err := r.Rotate(ctx, p)
	for _, d := range done {
		env = RotatedEnvironment{RoleARN: d.RoleARN, RotatedAt: d.RotatedAt, RevokedBefore: d.RevokedBefore,
			ExternalID: d.ExternalID, Resumed: d.Resumed}
	}
	return env, err
}
