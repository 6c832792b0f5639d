package engine

import (
	"context"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/deployrole"
	"github.com/orgstrap/orgstrap/internal/policy"
)

// TagDeployRole is the member account tag naming the environment's active
// deploy role. A blue/green rotation sets it to the new generation's role
// (such as orgstrap-deploy-g2); without it the active role is the config's
// deployment.role_name.
const TagDeployRole = "orgstrap:deploy-role"

// Member returns the access role credentials of the environment's
// account, assumed during planning. It is the zero Config when the
// account does not exist yet.
func (ep *EnvPlan) Member() aws.Config { return ep.member }

// DeployCalls returns the calls the deploy role must be allowed to make.
func (ep *EnvPlan) DeployCalls() []deployrole.Call { return requiredCalls(ep.Rendered)[""] }

// DeployRole returns the name of the environment's active deploy role.
func (ep *EnvPlan) DeployRole() string { return ep.Desired.Roles[0].Name }

// DesiredWith returns a copy of the environment's desired account whose
// deploy role is called name and has trust as its trust policy, with the
// digest recomputed to match.
func (ep *EnvPlan) DesiredWith(name string, trust *policy.Document) *deployrole.Desired {
	d := *ep.Desired
	d.Roles = append([]deployrole.RoleSpec(nil), ep.Desired.Roles...)
	d.Roles[0].Name, d.Roles[0].Trust = name, trust
	d.Digest = digest(ep.Rendered.Digest, d.Roles)
	return &d
}

// SwitchDeployRole records name as the environment's active deploy role
// on the member account, so that later plans, applies and profiles use it.
func (e *Engine) SwitchDeployRole(ctx context.Context, ep *EnvPlan, name string) error {
	if err := e.org.Tag(ctx, ep.Account.ID, map[string]string{TagDeployRole: name}); err != nil {
		return err
	}
	if ep.Account.Tags == nil {
		ep.Account.Tags = map[string]string{}
	}
	ep.Account.Tags[TagDeployRole] = name
	trust := ep.Desired.Roles[0].Trust
	ep.Desired = ep.DesiredWith(name, trust)
	return nil
}

// WriteProfiles writes the AWS CLI profiles of r's environments, pointing
// at each one's active deploy role.
func (e *Engine) WriteProfiles(r *Result) error { return e.writeProfiles(r) }

// activeDeployRole returns the deploy role an account's tag names, or the
// config's role name when the account has no such tag. A tag naming a
// role outside the config role name's generations, as after a change of
// deployment.role_name, is ignored.
func activeDeployRole(cfg *config.Config, ep *EnvPlan) string {
	base := cfg.Deployment.RoleName
	if ep.Account != nil {
		name := ep.Account.Tags[TagDeployRole]
		if name == base || Generation(base, name, nil) > 1 {
			return name
		}
	}
	return base
}

// selectDeployRole renames the desired deploy role to the account's active
// generation.
func (e *Engine) selectDeployRole(ep *EnvPlan) {
	name := activeDeployRole(e.cfg, ep)
	if name != ep.Desired.Roles[0].Name {
		ep.Desired = ep.DesiredWith(name, ep.Desired.Roles[0].Trust)
	}
}

// keepRotatedExternalID makes the desired trust policy keep the deploy
// role's current external id once a rotation has replaced the config's
// one. AWS is the source of truth for a rotated external id, and the
// config's value is only the first one a new role gets.
func keepRotatedExternalID(ep *EnvPlan) {
	spec := ep.Desired.Roles[0]
	role := ep.Observed.Roles[spec.Name]
	if role == nil || role.Tags[deployrole.TagExternalIDRotatedAt] == "" {
		return
	}
	current := deployrole.ExternalID(role.Trust)
	if current == "" || current == deployrole.ExternalID(spec.Trust) {
		return
	}
	trust := deployrole.WithExternalID(spec.Trust, current)
	if trust == nil {
		return
	}
	ep.Desired = ep.DesiredWith(spec.Name, trust)
}

// Generation returns the blue/green generation of a deploy role: its
// orgstrap:generation tag, else the number after a "-g" suffix of base,
// else 1 for the role named base.
func Generation(base, name string, tags map[string]string) int {
	if n, err := strconv.Atoi(tags[deployrole.TagGeneration]); err == nil && n > 0 {
		return n
	}
	if rest, ok := strings.CutPrefix(name, base+"-g"); ok {
		if n, err := strconv.Atoi(rest); err == nil && n > 1 {
			return n
		}
	}
	return 1
}
