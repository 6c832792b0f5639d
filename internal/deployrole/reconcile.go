package deployrole

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/orgstrap/orgstrap/internal/engine/plan"
)

// Step is one change and the calls that make it.
type Step struct {
	Change plan.Change
	Do     func(ctx context.Context) error
}

// ErrForeignRole is returned when a role of the wanted name exists but
// orgstrap did not create it.
type ErrForeignRole struct{ Role string }

func (e *ErrForeignRole) Error() string {
	return fmt.Sprintf("role %s exists but is not tagged %s=true, so orgstrap did not create it", e.Role, TagManaged)
}

// Steps compares d with o and returns the steps that make the account
// match d, in the order they must run: OIDC provider and policies before
// the roles that reference them, cleanup, and the tags last.
func (c *Client) Steps(d *Desired, o *Observed) ([]Step, error) {
	for _, spec := range d.Roles {
		if role := o.Roles[spec.Name]; role != nil && role.Tags[TagManaged] != "true" {
			return nil, &ErrForeignRole{Role: spec.Name}
		}
	}
	versions := newVersions(o)
	var steps []Step
	if d.GitHubOIDC && !o.OIDCProvider {
		steps = append(steps, Step{
			Change: d.change(plan.KindOIDCProvider, plan.ActionCreate, GitHubOIDCHost, "GitHub Actions trust needs the account's OIDC provider"),
			Do:     func(ctx context.Context) error { return c.createOIDCProvider(ctx, d) },
		})
	}
	policyChanged := false
	for i := range d.Policies {
		p := c.policySteps(d, &d.Policies[i], o.Policies[d.Policies[i].Name], versions)
		policyChanged = policyChanged || len(p) > 0
		steps = append(steps, p...)
	}
	var tags []Step
	for i, spec := range d.Roles {
		roleSteps, reason := c.roleSteps(d, spec, o.Roles[spec.Name])
		steps = append(steps, roleSteps...)
		names := d.recordedBy(i)
		if role := o.Roles[spec.Name]; reason == "" && role != nil && (policyChanged || role.Tags[TagVersions] != versions.value(names)) {
			reason = "record the versions of the managed policies"
		}
		if reason != "" {
			tags = append(tags, c.tagStep(d, spec.Name, reason, versions, names))
		}
	}
	steps = append(steps, c.cleanupSteps(d, o)...)
	return append(steps, tags...), nil
}

func (d *Desired) change(kind plan.Kind, action plan.Action, target, reason string) plan.Change {
	return plan.Change{Kind: kind, Action: action, Environment: d.Environment, Target: target, Reason: reason}
}

func (c *Client) policySteps(d *Desired, want *Policy, have *ManagedPolicy, versions *versions) []Step {
	kind := plan.KindPolicy
	if want.Boundary {
		kind = plan.KindBoundary
	}
	if have == nil {
		ch := d.change(kind, plan.ActionCreate, want.Name, "no managed policy of this name in the account")
		ch.After = plan.IndentJSON(want.Document)
		return []Step{{Change: ch, Do: func(ctx context.Context) error { return c.createPolicy(ctx, d, want, versions) }}}
	}
	if sameDocument(have.Document, want.Document) {
		return nil
	}
	ch := d.change(kind, plan.ActionUpdate, want.Name, "the document differs from the one rendered from the config and policy library")
	ch.Before, ch.After = plan.IndentJSON(have.Document), plan.IndentJSON(want.Document)
	return []Step{{Change: ch, Do: func(ctx context.Context) error { return c.updatePolicy(ctx, have, want, versions) }}}
}

// roleSteps returns the steps of one role and, when its tags need writing,
// the reason.
func (c *Client) roleSteps(d *Desired, spec RoleSpec, role *Role) ([]Step, string) {
	if role == nil {
		ch := d.change(plan.KindRole, plan.ActionCreate, spec.Name, "no role of this name in the account")
		ch.After = plan.IndentJSON(spec.Trust)
		steps := []Step{{Change: ch, Do: func(ctx context.Context) error { return c.createRole(ctx, d, spec) }}}
		for _, name := range spec.Policies {
			steps = append(steps, c.attachStep(d, spec.Name, name, d.PolicyARN(name)))
		}
		for _, arn := range spec.AWSManaged {
			steps = append(steps, c.attachStep(d, spec.Name, arn, arn))
		}
		return steps, "record the digest once the new role is configured"
	}

	var steps []Step
	if !sameDocument(role.Trust, spec.Trust) {
		ch := d.change(plan.KindTrustPolicy, plan.ActionUpdate, spec.Name, "the principals allowed to assume the role changed")
		ch.Before, ch.After = plan.IndentJSON(role.Trust), plan.IndentJSON(spec.Trust)
		steps = append(steps, Step{Change: ch, Do: func(ctx context.Context) error { return c.updateTrust(ctx, spec) }})
	}
	if wantDuration(spec) != role.MaxSessionDuration {
		reason := fmt.Sprintf("max session duration is %s, want %s", role.MaxSessionDuration, wantDuration(spec))
		steps = append(steps, Step{Change: d.change(plan.KindRole, plan.ActionUpdate, spec.Name, reason),
			Do: func(ctx context.Context) error { return c.updateDuration(ctx, spec) }})
	}
	if step, ok := c.boundaryStep(d, spec, role); ok {
		steps = append(steps, step)
	}
	for _, name := range spec.Policies {
		if !slices.Contains(role.Attached, d.PolicyARN(name)) {
			steps = append(steps, c.attachStep(d, spec.Name, name, d.PolicyARN(name)))
		}
	}
	for _, arn := range spec.AWSManaged {
		if !slices.Contains(role.Attached, arn) {
			steps = append(steps, c.attachStep(d, spec.Name, arn, arn))
		}
	}
	steps = append(steps, c.detachSteps(d, spec, role)...)
	if !tagsContain(role.Tags, d.tags()) {
		return steps, tagReason(role.Tags, d)
	}
	return steps, ""
}

func wantDuration(spec RoleSpec) time.Duration {
	if spec.MaxSessionDuration == 0 {
		return time.Hour
	}
	return spec.MaxSessionDuration
}

func (c *Client) boundaryStep(d *Desired, spec RoleSpec, role *Role) (Step, bool) {
	want := ""
	if spec.Boundary != "" {
		want = d.PolicyARN(spec.Boundary)
	}
	if role.BoundaryARN == want {
		return Step{}, false
	}
	if want == "" {
		ch := d.change(plan.KindBoundary, plan.ActionDelete, spec.Name, "broad access has no permissions boundary")
		return Step{Change: ch, Do: func(ctx context.Context) error { return c.removeBoundary(ctx, spec.Name) }}, true
	}
	reason := "restricted access needs the permissions boundary " + spec.Boundary
	ch := d.change(plan.KindBoundary, plan.ActionUpdate, spec.Name, reason)
	return Step{Change: ch, Do: func(ctx context.Context) error { return c.putBoundary(ctx, spec.Name, want) }}, true
}

// detachSteps detaches managed policies attached to the role outside
// orgstrap and deletes its inline policies.
// orgstrap's own unwanted policies are left to cleanupSteps, which also
// deletes them.
func (c *Client) detachSteps(d *Desired, spec RoleSpec, role *Role) []Step {
	var steps []Step
	for _, arn := range role.Attached {
		name := arn[strings.LastIndex(arn, "/")+1:]
		wanted := slices.Contains(spec.AWSManaged, arn) ||
			(slices.Contains(spec.Policies, name) && arn == d.PolicyARN(name))
		if wanted || (arn == d.PolicyARN(name) && d.owns(name) && d.policy(name) == nil) {
			continue
		}
		ch := d.change(plan.KindPolicy, plan.ActionDelete, arn, "attached to role "+spec.Name+" outside orgstrap: detach it")
		steps = append(steps, Step{Change: ch, Do: func(ctx context.Context) error { return c.detach(ctx, spec.Name, arn) }})
	}
	for _, name := range role.Inline {
		ch := d.change(plan.KindPolicy, plan.ActionDelete, spec.Name+"/"+name, "inline policy put on role "+spec.Name+" outside orgstrap: delete it")
		steps = append(steps, Step{Change: ch, Do: func(ctx context.Context) error { return c.deleteInline(ctx, spec.Name, name) }})
	}
	return steps
}

func (c *Client) attachStep(d *Desired, role, name, arn string) Step {
	ch := d.change(plan.KindPolicy, plan.ActionUpdate, name, "attach to role "+role)
	return Step{Change: ch, Do: func(ctx context.Context) error { return c.attach(ctx, role, arn) }}
}

func (c *Client) tagStep(d *Desired, role, reason string, versions *versions, names []string) Step {
	ch := d.change(plan.KindTags, plan.ActionUpdate, role, reason)
	return Step{Change: ch, Do: func(ctx context.Context) error {
		tags := d.tags()
		tags[TagVersions] = versions.value(names)
		return c.tagRole(ctx, role, tags)
	}}
}

func (d *Desired) tags() map[string]string {
	return map[string]string{TagManaged: "true", TagEnvironment: d.Environment, TagDigest: d.Digest}
}

// tagsContain reports whether have includes every tag of want.
func tagsContain(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

func tagReason(have map[string]string, d *Desired) string {
	if have[TagDigest] == "" {
		return "the role has no digest tag: an earlier run stopped before configuring it fully"
	}
	if have[TagDigest] != d.Digest {
		return fmt.Sprintf("record the new digest %.12s (was %.12s)", d.Digest, have[TagDigest])
	}
	return "record the digest of the policy inputs"
}

// cleanupSteps detaches and deletes orgstrap's policies that d no longer
// lists, except those of the roles d retires. A policy still attached to a
// role orgstrap does not manage is detached from orgstrap's roles only and
// reported as kept.
func (c *Client) cleanupSteps(d *Desired, o *Observed) []Step {
	var steps []Step
	retiring := d.retiring(o)
	for _, name := range slices.Sorted(maps.Keys(o.Policies)) {
		if d.policy(name) != nil || retiring[name] {
			continue
		}
		have := o.Policies[name]
		var roles []string
		for _, spec := range d.Roles {
			if role := o.Roles[spec.Name]; role != nil && slices.Contains(role.Attached, have.ARN) {
				roles = append(roles, spec.Name)
			}
		}
		ch := d.change(plan.KindPolicy, plan.ActionDelete, name, "the config and policy library no longer use it")
		ch.Before = plan.IndentJSON(have.Document)
		steps = append(steps, Step{Change: ch, Do: func(ctx context.Context) error {
			return c.deletePolicy(ctx, have, roles)
		}})
	}
	return steps
}
