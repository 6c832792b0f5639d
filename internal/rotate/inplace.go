package rotate

import (
	"context"
	"fmt"
	"time"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/deployrole"
	"github.com/orgstrap/orgstrap/internal/engine"
)

// Rotation is the outcome of an in-place rotation of one environment.
type Rotation struct {
	Environment string `json:"environment"`
	RoleARN     string `json:"role_arn"`
	// RotatedAt is when the rotation began, in whole seconds, as the
	// role's orgstrap:rotated-at tag records it.
	RotatedAt time.Time `json:"rotated_at"`
	// RevokedBefore is the cutoff of the revocation policy: sessions
	// issued before it are denied everything.
	RevokedBefore time.Time `json:"revoked_before"`
	// ExternalID is the new external id callers must pass to AssumeRole,
	// "" when the role requires none.
	ExternalID string `json:"external_id,omitempty"`
	// PolicyVersions are the policy versions written, by policy name.
	PolicyVersions map[string]string `json:"policy_versions"`
	// Resumed is set when the run finished an interrupted rotation.
	Resumed bool `json:"resumed,omitempty"`
}

// Rotate rotates the deploy role of every environment of p in place, one
// environment after the other. The role stays assumable throughout: only
// sessions issued before the rotation began stop working, and, when the
// role uses an external id, callers must pass the new one. An environment
// that fails does not stop the others; the error joins every failure.
func (r *Rotator) Rotate(ctx context.Context, p *Plan) ([]Rotation, error) {
	return eachEnv(ctx, r, p, "rotating environment %s: %w", r.rotateEnv)
}

func (r *Rotator) rotateEnv(ctx context.Context, ep *engine.EnvPlan) (*Rotation, error) {
	env, name := ep.Env.Name, ep.DeployRole()
	role := ep.Observed.Roles[name]
	if old := role.Tags[deployrole.TagReplaces]; old != "" {
		return nil, access.WithFix(fmt.Errorf("role %s still has its previous generation %s beside it", name, old),
			"run orgstrap rotate --finish to delete "+old+", then rotate")
	}
	client, roles := clients(ep)
	rot := &Rotation{Environment: env, RoleARN: role.ARN}

	started, resumed, err := r.start(ctx, client, role)
	if err != nil {
		return nil, err
	}
	rot.RotatedAt, rot.Resumed = started.Truncate(time.Second), resumed
	rot.RevokedBefore = revokeBefore(started)

	trust := ep.Desired.Roles[0].Trust
	if deployrole.ExternalID(trust) != "" {
		// The new id goes into the trust policy before the tag that marks
		// it as this rotation's, so a resumed run reuses an id only once
		// AWS stores it.
		rot.ExternalID = deployrole.ExternalID(role.Trust)
		if role.Tags[deployrole.TagExternalIDRotatedAt] != startedTag(started) || rot.ExternalID == "" {
			rot.ExternalID = newExternalID()
			if err := updateTrust(ctx, client, name, deployrole.WithExternalID(trust, rot.ExternalID)); err != nil {
				return nil, err
			}
			if err := tagRole(ctx, client, name, map[string]string{deployrole.TagExternalIDRotatedAt: startedTag(started)}); err != nil {
				return nil, err
			}
			r.emit(engine.EventDone, env, "replaced the external id in the trust policy of %s", name)
		}
		trust = deployrole.WithExternalID(trust, rot.ExternalID)
	} else if err := updateTrust(ctx, client, name, trust); err != nil {
		// Writing the trust policy even when it looks unchanged makes IAM
		// hold exactly the document rendered from the current config.
		return nil, err
	}
	want := ep.DesiredWith(name, trust)

	observed, err := r.runSteps(ctx, env, roles, want)
	if err != nil {
		return nil, err
	}
	if rot.PolicyVersions, err = roles.RewritePolicies(ctx, want, observed, started); err != nil {
		return nil, err
	}
	r.emit(engine.EventDone, env, "wrote %d new policy versions", len(rot.PolicyVersions))

	if err := revokeSessions(ctx, client, name, rot.RevokedBefore); err != nil {
		return nil, err
	}
	r.emit(engine.EventDone, env, "revoked the sessions of %s issued before %s", name, rot.RevokedBefore.Format(time.RFC3339))
	if err := r.verify(ctx, ep, roles, role.ARN); err != nil {
		return nil, err
	}
	err = tagRole(ctx, client, name, map[string]string{
		deployrole.TagRotation: deployrole.RotationComplete, deployrole.TagRotatedAt: rot.RotatedAt.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return nil, err
	}
	r.emit(engine.EventDone, env, "rotated %s", role.ARN)
	return rot, nil
}

// start marks the role's rotation as in progress, or, when an earlier run
// was interrupted, returns that rotation's start so the run resumes it.
func (r *Rotator) start(ctx context.Context, client iamAPI, role *deployrole.Role) (time.Time, bool, error) {
	if role.Tags[deployrole.TagRotation] == deployrole.RotationInProgress {
		started, err := time.Parse(time.RFC3339Nano, role.Tags[deployrole.TagRotationStarted])
		if err == nil {
			r.emit(engine.EventInfo, role.Tags[deployrole.TagEnvironment], "resuming the rotation of %s started %s", role.Name, started.Format(time.RFC3339))
			return started, true, nil
		}
	}
	started := r.opts.Now().UTC()
	err := tagRole(ctx, client, role.Name, map[string]string{
		deployrole.TagRotation: deployrole.RotationInProgress, deployrole.TagRotationStarted: startedTag(started),
	})
	if err != nil {
		return time.Time{}, false, err
	}
	role.Tags[deployrole.TagRotation] = deployrole.RotationInProgress
	role.Tags[deployrole.TagRotationStarted] = startedTag(started)
	return started, false, nil
}
