package library

import (
	"fmt"
	"sort"

	"github.com/orgstrap/orgstrap/internal/policy"
)

// broad renders service-wide development access: each profile's broad
// actions on "*", its scoped broad statements (role management under the
// boundary), and an explicit deny of everything a deploy role must never
// do, so that the wildcards cannot reach it.
func (r *renderer) broad() {
	for _, name := range r.t.Profiles {
		p := r.lib.profiles[name]
		if len(p.Broad.Actions) > 0 {
			r.grants[toDeployRole] = append(r.grants[toDeployRole],
				grant{sid: "Broad", effect: "Allow", actions: p.Broad.Actions, resources: []string{"*"}})
		}
	}
	r.each(func(p *Profile, service, region string, vars map[string]string) {
		for _, s := range p.Broad.Statements {
			r.add(toDeployRole, s, vars)
		}
	})
	r.grants[toDeployRole] = append(r.grants[toDeployRole],
		grant{sid: "DenyOutsideDeployment", effect: "Deny", actions: r.neverActions(), resources: []string{"*"}},
		grant{sid: "DenyAdministrativeRoles", effect: "Deny", actions: administrativeRoleActions,
			resources: r.administrativeRoles()})
}

// administrativeRoleActions are denied on the administrative roles even in
// broad access. Passing OrganizationAccountAccessRole, which holds
// AdministratorAccess, to a new function would make the deployer an
// administrator of the account. Deleting or retagging the deploy role would
// take the account out of orgstrap's hands.
var administrativeRoleActions = []string{
	"iam:DeleteRole", "iam:PassRole", "iam:TagRole", "iam:UntagRole",
	"iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "sts:AssumeRole",
}

// administrativeRoles returns the ARNs of the account's access role and of
// the deploy role with its rotation generations (NAME-g2, NAME-g3, ...).
func (r *renderer) administrativeRoles() []string {
	prefix := fmt.Sprintf("arn:%s:iam::%s:role/", r.t.Partition, r.t.AccountID)
	return []string{
		prefix + "OrganizationAccountAccessRole",
		prefix + r.t.PolicyPrefix,
		prefix + r.t.PolicyPrefix + "-g*",
	}
}

// neverActions lists the actions no deploy role gets, spelled as AWS does.
func (r *renderer) neverActions() []string {
	actions := []string{}
	for service := range forbiddenServices {
		actions = append(actions, service+":*")
	}
	for key, scope := range escalationScopes {
		if scope != scopeNever {
			continue
		}
		if a, ok := r.lib.catalog.Lookup(key); ok {
			actions = append(actions, a.String())
		}
	}
	sort.Strings(actions)
	return actions
}

// boundary derives the permissions boundary when a profile lets the deployer
// create roles. It allows what application roles may do, plus the services
// the deploy role's own statements use, so that it can bound the deploy role
// as well. It denies creating roles or users without this boundary, changing
// or deleting the boundary policy, and removing a boundary from any role or
// user.
func (r *renderer) boundary() (*policy.NamedPolicy, error) {
	var app []string
	for _, name := range r.t.Profiles {
		app = append(app, r.lib.profiles[name].Boundary.Allow...)
	}
	if len(app) == 0 {
		return nil, nil
	}
	var allows []grant
	for _, dest := range []string{toDeployRole, toExecutionRole} {
		for _, g := range r.grants[dest] {
			if g.effect == "Allow" {
				allows = append(allows, g)
			}
		}
	}
	base := append([]grant{{sid: "ApplicationRoles", effect: "Allow", actions: sortedUnique(app), resources: []string{"*"}}},
		r.boundaryDenies()...)

	// Other services are capped at service level, so regions add nothing to
	// the boundary. IAM and STS stay exact, since those are the ones that
	// could escape the boundary.
	// NOTE: the exact IAM grants add about 150 characters per service, so
	// with serverless-framework the boundary outgrows one managed policy at
	// about 28 services (measured with services named service00, ...).
	doc := newDocument(compact(append(coarsen(allows), base...))...)
	if size := policy.Size(doc); size > MaxPolicySize {
		return nil, fmt.Errorf("render permissions boundary: %d characters for %s, more than the %d of one managed policy: "+
			"render fewer services per account", size, count(len(r.t.Services), "service"), MaxPolicySize)
	}
	return &policy.NamedPolicy{Name: r.t.BoundaryName, Document: doc}, nil
}

func (r *renderer) boundaryDenies() []grant {
	arn := r.t.boundaryARN()
	return []grant{
		{
			sid: "DenyWithoutBoundary", effect: "Deny", actions: boundaryDeniedActions, resources: []string{"*"},
			cond: policy.Conditions{"StringNotEquals": {"iam:PermissionsBoundary": {arn}}},
		},
		{sid: "DenyBoundaryChange", effect: "Deny", actions: boundaryProtectActions, resources: []string{arn}},
		{sid: "DenyBoundaryRemoval", effect: "Deny", actions: boundaryRemoveActions, resources: []string{"*"}},
	}
}

// coarsen replaces every grant outside IAM and STS by its services' "svc:*"
// on "*".
func coarsen(grants []grant) []grant {
	services := map[string]bool{}
	var out []grant
	for _, g := range grants {
		var exact []string
		for _, a := range g.actions {
			svc := serviceOf(a)
			if svc == "iam" || svc == "sts" {
				exact = append(exact, a)
			} else {
				services[svc+":*"] = true
			}
		}
		if len(exact) > 0 {
			g.actions = exact
			out = append(out, g)
		}
	}
	if len(services) > 0 {
		out = append(out, grant{sid: "DeployServices", effect: "Allow", actions: setList(services), resources: []string{"*"}})
	}
	return out
}

func serviceOf(action string) string {
	for i := 0; i < len(action); i++ {
		if action[i] == ':' {
			return action[:i]
		}
	}
	return action
}
