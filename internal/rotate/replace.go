package rotate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/deployrole"
	"github.com/orgstrap/orgstrap/internal/engine"
)

// Replacement is the outcome of a blue/green rotation of one environment:
// what CI must change to use the new role.
type Replacement struct {
	Environment string `json:"environment"`
	OldRoleARN  string `json:"old_role_arn"`
	NewRoleARN  string `json:"new_role_arn"`
	Generation  int    `json:"generation"`
	// ExternalID is the new role's external id, "" when it requires none.
	ExternalID string    `json:"external_id,omitempty"`
	RotatedAt  time.Time `json:"rotated_at"`
	Resumed    bool      `json:"resumed,omitempty"`
}

// Replace creates the next generation of each environment's deploy role
// (NAME-g2, NAME-g3, ...) with the same policies and permissions boundary
// and, when the config uses one, a new external id. Once the new role
// verifies, it becomes the active one: the member account's
// orgstrap:deploy-role tag and the AWS CLI profiles point at it. The
// previous role keeps working until Finish deletes it.
//
// NOTE: while both generations exist, an apply that drops a managed policy
// detaches it from the active role only, so deleting the policy fails
// until Finish has deleted the previous role.
func (r *Rotator) Replace(ctx context.Context, p *Plan) ([]Replacement, error) {
	done, err := eachEnv(ctx, r, p, "replacing the deploy role of environment %s: %w", r.replaceEnv)
	if len(done) > 0 {
		if perr := r.engine.WriteProfiles(p.Result); perr != nil {
			err = errors.Join(err, perr)
		}
	}
	return done, err
}

// NextRoleName returns the name of the generation after gen of the role
// called base.
func NextRoleName(base string, gen int) string { return fmt.Sprintf("%s-g%d", base, gen+1) }

func (r *Rotator) replaceEnv(ctx context.Context, ep *engine.EnvPlan) (*Replacement, error) {
	env, active := ep.Env.Name, ep.DeployRole()
	role := ep.Observed.Roles[active]
	client, roles := clients(ep)
	if old := role.Tags[deployrole.TagReplaces]; old != "" {
		if role.Tags[deployrole.TagRotation] == deployrole.RotationInProgress {
			// An earlier run switched to this role but stopped before
			// marking the replacement complete.
			return r.completeReplacement(ctx, ep, client, old, role)
		}
		return nil, access.WithFix(fmt.Errorf("role %s still has its previous generation %s beside it", active, old),
			"run orgstrap rotate --finish to delete "+old+" before replacing "+active)
	}
	if role.Tags[deployrole.TagRotation] == deployrole.RotationInProgress {
		return nil, access.WithFix(fmt.Errorf("an in-place rotation of role %s started %s is unfinished", active, role.Tags[deployrole.TagRotationStarted]),
			"run orgstrap rotate without --replace to finish it first")
	}
	gen := engine.Generation(r.cfg.Deployment.RoleName, active, role.Tags)
	next := NextRoleName(r.cfg.Deployment.RoleName, gen)
	rep := &Replacement{Environment: env, OldRoleARN: role.ARN, NewRoleARN: ep.Desired.RoleARN(next), Generation: gen + 1}

	tags, err := roleTags(ctx, client, next)
	if err != nil {
		return nil, err
	}
	started := r.opts.Now().UTC()
	if tags != nil {
		// Only a replacement creates a role of the next generation's name,
		// so finding one means an earlier run was interrupted.
		if !isManagedBy(tags, env) {
			return nil, &deployrole.ErrForeignRole{Role: next}
		}
		rep.Resumed = true
		if t, err := time.Parse(time.RFC3339Nano, tags[deployrole.TagRotationStarted]); err == nil {
			started = t
		}
		r.emit(engine.EventInfo, env, "resuming the replacement of %s by %s", active, next)
	}
	rep.RotatedAt = started.Truncate(time.Second)

	trust := ep.Desired.Roles[0].Trust
	if deployrole.ExternalID(trust) != "" {
		rep.ExternalID = newExternalID()
		if tags != nil && tags[deployrole.TagExternalIDRotatedAt] == startedTag(started) {
			observed, err := roles.Read(ctx, ep.DesiredWith(next, trust))
			if err != nil {
				return nil, err
			}
			if id := deployrole.ExternalID(observed.Roles[next].Trust); id != "" {
				rep.ExternalID = id
			}
		}
		trust = deployrole.WithExternalID(trust, rep.ExternalID)
	}
	want := ep.DesiredWith(next, trust)
	if _, err := r.runSteps(ctx, env, roles, want); err != nil {
		return nil, err
	}
	progress := map[string]string{
		deployrole.TagGeneration: fmt.Sprint(gen + 1), deployrole.TagReplaces: active,
		deployrole.TagRotation: deployrole.RotationInProgress, deployrole.TagRotationStarted: startedTag(started),
	}
	if rep.ExternalID != "" {
		progress[deployrole.TagExternalIDRotatedAt] = startedTag(started)
	}
	if err := tagRole(ctx, client, next, progress); err != nil {
		return nil, err
	}
	if err := r.verify(ctx, ep, roles, rep.NewRoleARN); err != nil {
		return nil, fmt.Errorf("%w (the active role is still %s)", err, active)
	}

	if err := r.engine.SwitchDeployRole(ctx, ep, next); err != nil {
		return nil, err
	}
	r.emit(engine.EventDone, env, "switched account %s to deploy role %s", ep.Account.ID, next)
	if err := r.markReplaced(ctx, client, active, next, rep.RotatedAt); err != nil {
		return nil, err
	}
	return rep, nil
}

// completeReplacement finishes a replacement interrupted after the switch
// to the new role.
func (r *Rotator) completeReplacement(ctx context.Context, ep *engine.EnvPlan, client iamAPI, old string, role *deployrole.Role) (*Replacement, error) {
	r.emit(engine.EventInfo, ep.Env.Name, "resuming the replacement of %s by %s", old, role.Name)
	started, err := time.Parse(time.RFC3339Nano, role.Tags[deployrole.TagRotationStarted])
	if err != nil {
		started = r.opts.Now().UTC()
	}
	rep := &Replacement{
		Environment: ep.Env.Name, OldRoleARN: ep.Desired.RoleARN(old), NewRoleARN: role.ARN,
		Generation: engine.Generation(r.cfg.Deployment.RoleName, role.Name, role.Tags),
		ExternalID: deployrole.ExternalID(role.Trust), RotatedAt: started.Truncate(time.Second), Resumed: true,
	}
	if err := r.markReplaced(ctx, client, old, role.Name, rep.RotatedAt); err != nil {
		return nil, err
	}
	return rep, nil
}

// markReplaced records a finished switch: the new role's rotation is
// complete and the old role is superseded by it.
func (r *Rotator) markReplaced(ctx context.Context, client iamAPI, old, next string, at time.Time) error {
	err := tagRole(ctx, client, next, map[string]string{
		deployrole.TagRotation: deployrole.RotationComplete, deployrole.TagRotatedAt: at.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return err
	}
	return tagRole(ctx, client, old, map[string]string{
		deployrole.TagRotation: deployrole.RotationSuperseded, deployrole.TagSupersededBy: next,
	})
}

// Finished is the outcome of rotate --finish for one environment.
type Finished struct {
	Environment string `json:"environment"`
	RoleARN     string `json:"role_arn"`
	// Deleted is the previous role that was deleted, "" when there was
	// none to delete.
	Deleted string `json:"deleted,omitempty"`
}

// Finish deletes, in every environment of p, the role that a blue/green
// rotation replaced: after checking that the active role verifies, it
// detaches the old role's policies, deletes its inline policies and then
// the role. It rejects an environment whose active role does not verify,
// so an environment is never left without a working deploy role.
func (r *Rotator) Finish(ctx context.Context, p *Plan) ([]Finished, error) {
	return eachEnv(ctx, r, p, "finishing the rotation of environment %s: %w", r.finishEnv)
}

func (r *Rotator) finishEnv(ctx context.Context, ep *engine.EnvPlan) (*Finished, error) {
	env, active := ep.Env.Name, ep.DeployRole()
	role := ep.Observed.Roles[active]
	f := &Finished{Environment: env, RoleARN: role.ARN}
	old := role.Tags[deployrole.TagReplaces]
	if old == "" {
		r.emit(engine.EventInfo, env, "role %s replaces no earlier role: nothing to finish", active)
		return f, nil
	}
	if role.Tags[deployrole.TagRotation] == deployrole.RotationInProgress {
		return nil, access.WithFix(fmt.Errorf("the replacement of %s by %s is still in progress", old, active),
			"run orgstrap rotate --replace again to complete it")
	}
	client, roles := clients(ep)
	if err := r.verify(ctx, ep, roles, role.ARN); err != nil {
		return nil, fmt.Errorf("%w (keeping %s)", err, old)
	}

	tags, err := roleTags(ctx, client, old)
	if err != nil {
		return nil, err
	}
	if tags != nil {
		if !isManagedBy(tags, env) || tags[deployrole.TagSupersededBy] != active {
			return nil, fmt.Errorf("deleting role %s: it is not tagged %s=%s, so orgstrap does not know it as replaced: delete it by hand if it is unused",
				old, deployrole.TagSupersededBy, active)
		}
		r.emit(engine.EventStart, env, "deleting role %s", old)
		if err := deleteRole(ctx, client, old); err != nil {
			return nil, err
		}
		f.Deleted = ep.Desired.RoleARN(old)
		r.emit(engine.EventDone, env, "deleted role %s", old)
	}
	if err := untagRole(ctx, client, active, deployrole.TagReplaces); err != nil {
		return nil, err
	}
	return f, nil
}
