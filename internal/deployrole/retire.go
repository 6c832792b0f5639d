package deployrole

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/orgstrap/orgstrap/internal/engine/plan"
)

// RetireSteps returns the steps that delete the roles d.Retire names:
// first orgstrap's managed policies that only those roles use and d no
// longer lists, then each role with its remaining attachments and inline
// policies. A policy is orgstrap's when its name has one of d's owned
// prefixes or a retired role's TagVersions tag lists it. The policies go
// first because a policy detached from a role that is already deleted
// could no longer be found.
func (c *Client) RetireSteps(d *Desired, o *Observed) []Step {
	roles := d.retired(o)
	var steps []Step
	for _, name := range retiredPolicyNames(d, roles) {
		have, owned := o.Policies[name], true
		if have == nil {
			have = o.OtherPolicies[name]
			owned = recordedByAny(roles, name)
		}
		if have == nil || !owned {
			continue
		}
		users := attachedTo(roles, have.ARN)
		if have.AttachmentCount > len(users) {
			continue
		}
		reason := "no role uses it once the roles being deleted are gone"
		if len(users) > 0 {
			reason = "only role " + strings.Join(users, ", ") + ", which is being deleted, uses it"
		}
		ch := d.change(plan.KindPolicy, plan.ActionDelete, name, reason)
		ch.Before = plan.IndentJSON(have.Document)
		steps = append(steps, Step{Change: ch, Do: func(ctx context.Context) error {
			return c.deletePolicy(ctx, have, users)
		}})
	}
	for _, role := range roles {
		inline := slices.Clone(role.Inline)
		if !role.RevokedBefore.IsZero() {
			inline = append(inline, RevokeSessionsPolicy)
		}
		var work []string
		if n := len(role.Attached); n > 0 {
			work = append(work, fmt.Sprintf("detach its %d managed policies", n))
		}
		if n := len(inline); n > 0 {
			work = append(work, fmt.Sprintf("delete its %d inline policies", n))
		}
		work = append(work, "delete it once the deploy role verifies")
		reason := fmt.Sprintf("tagged %s=true and %s=%s, but the config no longer has this role: %s",
			TagManaged, TagEnvironment, d.Environment, strings.Join(work, ", "))
		ch := d.change(plan.KindRole, plan.ActionDelete, role.Name, reason)
		steps = append(steps, Step{Change: ch, Do: func(ctx context.Context) error {
			return c.deleteRole(ctx, role, inline)
		}})
	}
	return steps
}

// retired returns the roles of o.Others that d.Retire names, by name.
func (d *Desired) retired(o *Observed) []*Role {
	var roles []*Role
	for _, name := range slices.Sorted(slices.Values(d.Retire)) {
		if role := o.Others[name]; role != nil {
			roles = append(roles, role)
		}
	}
	return roles
}

// retiring returns the names of the policies that the roles d retires
// attach or record, which cleanupSteps leaves to RetireSteps.
func (d *Desired) retiring(o *Observed) map[string]bool {
	names := map[string]bool{}
	for _, name := range retiredPolicyNames(d, d.retired(o)) {
		names[name] = true
	}
	return names
}

// retiredPolicyNames returns, sorted, the policies that roles attach or
// record and that d does not list.
func retiredPolicyNames(d *Desired, roles []*Role) []string {
	names := map[string]bool{}
	for _, role := range roles {
		for _, name := range role.policyNames(d) {
			if d.policy(name) == nil {
				names[name] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(names))
}

func recordedByAny(roles []*Role, name string) bool {
	for _, role := range roles {
		if slices.Contains(role.recordedPolicies(), name) {
			return true
		}
	}
	return false
}

func attachedTo(roles []*Role, arn string) []string {
	var names []string
	for _, role := range roles {
		if slices.Contains(role.Attached, arn) {
			names = append(names, role.Name)
		}
	}
	return names
}

// deleteRole detaches every managed policy from role, deletes the named
// inline policies and then the role. IAM rejects deleting a role that
// still has policies. A policy or role already gone counts as done, so a
// re-run after an interruption finishes the job.
func (c *Client) deleteRole(ctx context.Context, role *Role, inline []string) error {
	for _, arn := range role.Attached {
		if err := c.detach(ctx, role.Name, arn); err != nil {
			return err
		}
	}
	for _, name := range inline {
		if err := c.deleteInline(ctx, role.Name, name); err != nil {
			return err
		}
	}
	_, err := c.api.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(role.Name)})
	var missing *types.NoSuchEntityException
	if err != nil && !errors.As(err, &missing) {
		return explain(fmt.Errorf("deleting role %s: %w", role.Name, err))
	}
	return nil
}
