package library

import "github.com/orgstrap/orgstrap/internal/policy"

// serviceRole rewrites the deploy role's grants for CloudFormation
// service-role mode. CreateStack, UpdateStack and CreateChangeSet are only
// allowed with the execution role as cloudformation:RoleArn. ExecuteChangeSet
// has no such key, so the role is enforced when the change set is created.
// The deploy role may pass only the execution role, and only to
// CloudFormation. Profiles without CloudFormation statements, such as
// aws-cdk with its own execution role, leave nothing to move.
func (r *renderer) serviceRole() {
	if !r.usesExecutionRole() {
		return
	}
	roleARN := r.t.executionRoleARN()
	var out []grant
	for _, g := range r.grants[toDeployRole] {
		var guarded, rest []string
		for _, a := range g.actions {
			if passesRoleARN(a) {
				guarded = append(guarded, a)
			} else {
				rest = append(rest, a)
			}
		}
		if len(guarded) > 0 {
			cond := policy.Conditions{"StringEquals": {"cloudformation:RoleArn": {roleARN}}}
			for op, keys := range g.cond {
				if cond[op] == nil {
					cond[op] = map[string]policy.Values{}
				}
				for key, values := range keys {
					cond[op][key] = values
				}
			}
			out = append(out, grant{sid: g.sid + "WithRole", effect: g.effect, actions: guarded, resources: g.resources, cond: cond})
		}
		if len(rest) > 0 {
			g.actions = rest
			out = append(out, g)
		}
	}
	out = append(out, grant{
		sid:       "PassExecutionRole",
		effect:    "Allow",
		actions:   []string{"iam:PassRole"},
		resources: []string{roleARN},
		cond:      policy.Conditions{"StringEquals": {"iam:PassedToService": {"cloudformation.amazonaws.com"}}},
	})
	r.grants[toDeployRole] = out
}

// usesExecutionRole reports whether the rendering has an execution role:
// service-role mode, restricted access, and statements for it to hold.
func (r *renderer) usesExecutionRole() bool {
	return r.t.ServiceRole && r.t.Access == AccessRestricted && len(r.grants[toExecutionRole]) > 0
}
