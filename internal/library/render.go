package library

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/orgstrap/orgstrap/internal/policy"
)

// Call is one API call a framework command makes, with its resource and
// request context filled in.
type Call struct {
	Profile  string
	Command  string
	Action   string
	Resource string
	Context  map[string][]string
	// Role is the name of the role that makes the call: "" for the deploy
	// role, the execution role's name in service-role mode, or one of
	// Rendered.Roles.
	Role string
}

// Rendered holds the policies derived for a Target.
type Rendered struct {
	// Policies are the deploy role's managed policies, each at most
	// MaxPolicySize characters.
	Policies []policy.NamedPolicy
	// Boundary is the permissions boundary for the deploy role and every
	// role the deployer creates; nil when no profile creates roles.
	Boundary *policy.NamedPolicy
	// ExecutionRole is the CloudFormation execution role, nil unless
	// Target.ServiceRole is set, access is restricted and a profile has
	// statements for CloudFormation.
	ExecutionRole *ExecutionRole
	// Roles are further roles the profiles define, such as the AWS CDK
	// bootstrap roles, one per region; empty for broad access.
	Roles []ExecutionRole
	// RequiredCalls must all be allowed for the frameworks to work. Broad
	// renderings leave out the calls of profile roles, which orgstrap only
	// renders for restricted access.
	RequiredCalls []Call
	// Digest is the sha256 (hex) of the target and the documents, for
	// tagging the role so that a changed policy is detected.
	Digest string
}

// ExecutionRole is a role orgstrap renders beside the deploy role.
type ExecutionRole struct {
	Name     string
	Trust    *policy.Document
	Policies []policy.NamedPolicy
	// ManagedPolicyARNs are AWS managed policies to attach as well.
	ManagedPolicyARNs []string `json:",omitempty"`
}

// TooManyPoliciesError reports a role whose permissions do not fit the
// managed policies IAM lets a role have.
type TooManyPoliciesError struct {
	Role     string
	Needed   int
	Services int
	Regions  int
	// ServiceRole is set when the rendering already used service-role
	// mode, so suggesting it would not help.
	ServiceRole bool
}

func (e *TooManyPoliciesError) Error() string {
	fix := "render fewer services or regions per account, or use CloudFormation service-role mode"
	if e.ServiceRole {
		fix = "render fewer services or regions per account"
	}
	return fmt.Sprintf("the %s needs %d managed policies (at most %d characters each) for %s and %s, more than the %d a role can have: %s",
		e.Role, e.Needed, MaxPolicySize, count(e.Services, "service"), count(e.Regions, "region"), MaxPoliciesPerRole, fix)
}

// destination names where a grant goes while rendering.
const (
	toDeployRole    = ""
	toExecutionRole = "\x00execution"
)

// renderer holds the state of one Render call.
type renderer struct {
	lib    *Library
	t      Target
	grants map[string][]grant // by destination: deploy role, execution role or role name
	roles  map[string]*ExecutionRole
	order  []string // role names in the order first rendered
}

// Render derives the deploy role's policies, the boundary, the execution
// role and the required calls for t.
func (l *Library) Render(t Target) (*Rendered, error) {
	t, err := t.normalize(l)
	if err != nil {
		return nil, fmt.Errorf("render policies: %w", err)
	}
	r := &renderer{lib: l, t: t, grants: map[string][]grant{}, roles: map[string]*ExecutionRole{}}
	if t.Access == AccessBroad {
		r.broad()
	} else {
		r.restricted()
	}
	return r.finish()
}

// each calls fn for every profile, service and region of the target with
// that combination's template variables.
func (r *renderer) each(fn func(p *Profile, service, region string, vars map[string]string)) {
	for _, name := range r.t.Profiles {
		p := r.lib.profiles[name]
		for _, service := range r.t.Services {
			for _, region := range r.t.Regions {
				fn(p, service, region, r.t.variables(p, service, region))
			}
		}
	}
}

func (r *renderer) add(dest string, s Statement, vars map[string]string) {
	effect := s.Effect
	if effect == "" {
		effect = "Allow"
	}
	g := grant{sid: s.Sid, effect: effect, actions: s.Actions, cond: expandConditions(s.Conditions, vars)}
	for _, res := range s.Resources {
		g.resources = append(g.resources, expand(res, vars))
	}
	r.grants[dest] = append(r.grants[dest], g)
}

func (r *renderer) restricted() {
	r.each(func(p *Profile, service, region string, vars map[string]string) {
		for _, s := range p.Statements {
			caller := callerOf(s.Caller)
			if !r.t.ServiceRole {
				r.add(toDeployRole, s, vars)
				continue
			}
			if caller == CallerCLI || caller == CallerBoth {
				r.add(toDeployRole, s, vars)
			}
			if caller == CallerCloudFormation || caller == CallerBoth {
				r.add(toExecutionRole, s, vars)
			}
		}
		for _, rt := range p.Roles {
			name := expand(rt.Name, vars)
			r.role(name, rt, vars)
			for _, s := range rt.Statements {
				r.add(name, s, vars)
			}
		}
	})
	if r.t.ServiceRole {
		r.serviceRole()
	}
}

// role records a profile role the first time its name appears.
func (r *renderer) role(name string, rt RoleTemplate, vars map[string]string) {
	if r.roles[name] != nil {
		return
	}
	trust := trustDocument(rt.Trust, vars)
	role := &ExecutionRole{Name: name, Trust: trust}
	for _, arn := range rt.ManagedPolicies {
		role.ManagedPolicyARNs = append(role.ManagedPolicyARNs, expand(arn, vars))
	}
	r.roles[name] = role
	r.order = append(r.order, name)
}

func trustDocument(t Trust, vars map[string]string) *policy.Document {
	p := &policy.Principal{}
	for _, s := range t.Services {
		p.Service = append(p.Service, expand(s, vars))
	}
	actions := policy.Values{"sts:AssumeRole"}
	for _, a := range t.Accounts {
		p.AWS = append(p.AWS, fmt.Sprintf("arn:%s:iam::%s:root", vars["partition"], expand(a, vars)))
	}
	if len(p.AWS) > 0 {
		// Account principals may pass session tags, as the CDK bootstrap
		// template's roles allow.
		actions = append(actions, "sts:TagSession")
	}
	return newDocument(policy.Statement{Effect: "Allow", Principal: p, Action: actions})
}

// finish compacts and splits every role's grants, derives the boundary and
// expands the required calls.
func (r *renderer) finish() (*Rendered, error) {
	out := &Rendered{}
	var err error
	if out.Policies, err = r.policies(toDeployRole, "deploy role", r.t.PolicyPrefix); err != nil {
		return nil, err
	}
	if r.usesExecutionRole() {
		role := &ExecutionRole{Name: r.t.executionRoleName(), Trust: trustDocument(Trust{Services: []string{"cloudformation.amazonaws.com"}}, nil)}
		if role.Policies, err = r.policies(toExecutionRole, "execution role "+role.Name, role.Name); err != nil {
			return nil, err
		}
		out.ExecutionRole = role
	}
	for _, name := range r.order {
		role := r.roles[name]
		if role.Policies, err = r.policies(name, "role "+name, name); err != nil {
			return nil, err
		}
		out.Roles = append(out.Roles, *role)
	}
	if out.Boundary, err = r.boundary(); err != nil {
		return nil, err
	}
	out.RequiredCalls = r.requiredCalls()
	out.Digest, err = digest(r.t, out)
	return out, err
}

func (r *renderer) policies(dest, label, prefix string) ([]policy.NamedPolicy, error) {
	if len(r.grants[dest]) == 0 {
		return nil, nil
	}
	named, err := split(prefix, compact(r.grants[dest]))
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", label, err)
	}
	if len(named) > MaxPoliciesPerRole {
		return nil, &TooManyPoliciesError{Role: label, Needed: len(named), Services: len(r.t.Services),
			Regions: len(r.t.Regions), ServiceRole: r.t.ServiceRole}
	}
	return named, nil
}

// requiredCalls expands every command's calls for every service and region.
func (r *renderer) requiredCalls() []Call {
	var calls []Call
	for _, name := range r.t.Profiles {
		p := r.lib.profiles[name]
		for _, cmd := range p.Commands {
			for _, service := range r.t.Services {
				for _, region := range r.t.Regions {
					vars := r.t.variables(p, service, region)
					for _, ct := range cmd.Calls {
						if r.t.Access == AccessBroad && !isBuiltinCaller(ct.Caller) {
							// Development accounts use the framework's own
							// roles (such as CDK's bootstrap roles), which
							// orgstrap does not render there.
							continue
						}
						calls = append(calls, r.call(p, cmd.Name, ct, vars))
					}
				}
			}
		}
	}
	return calls
}

func (r *renderer) call(p *Profile, command string, ct CallTemplate, vars map[string]string) Call {
	c := Call{Profile: p.Name, Command: command, Action: ct.Action, Resource: expand(ct.Resource, vars)}
	for key, values := range ct.Context {
		if c.Context == nil {
			c.Context = map[string][]string{}
		}
		for _, v := range values {
			c.Context[key] = append(c.Context[key], expand(v, vars))
		}
	}
	switch caller := callerOf(ct.Caller); caller {
	case CallerCLI:
		if r.usesExecutionRole() && passesRoleARN(c.Action) {
			if c.Context == nil {
				c.Context = map[string][]string{}
			}
			c.Context["cloudformation:RoleArn"] = []string{r.t.executionRoleARN()}
		}
	case CallerCloudFormation:
		if r.usesExecutionRole() {
			c.Role = r.t.executionRoleName()
		}
	default:
		for _, rt := range p.Roles {
			if rt.Key == caller {
				c.Role = expand(rt.Name, vars)
			}
		}
	}
	return c
}

func digest(t Target, out *Rendered) (string, error) {
	data, err := json.Marshal(struct {
		Target        Target
		Policies      []policy.NamedPolicy
		Boundary      *policy.NamedPolicy
		ExecutionRole *ExecutionRole
		Roles         []ExecutionRole
	}{t, out.Policies, out.Boundary, out.ExecutionRole, out.Roles})
	if err != nil {
		return "", fmt.Errorf("compute policy digest: %w", err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// Find returns the identity policies and boundary that decide a call made by
// role: the deploy role for "", the execution role, or one of Roles.
func (r *Rendered) Find(role string) ([]policy.NamedPolicy, *policy.NamedPolicy, error) {
	if role == "" {
		return r.Policies, r.Boundary, nil
	}
	if r.ExecutionRole != nil && r.ExecutionRole.Name == role {
		return r.ExecutionRole.Policies, nil, nil
	}
	for _, er := range r.Roles {
		if er.Name == role {
			return er.Policies, nil, nil
		}
	}
	return nil, nil, errors.New("role " + role + " is not among the rendered roles")
}

// count writes n with the noun in singular or plural.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func isBuiltinCaller(caller string) bool {
	caller = callerOf(caller)
	return caller == CallerCLI || caller == CallerCloudFormation
}

// passesRoleARN reports whether CloudFormation checks cloudformation:RoleArn
// on an action in service-role mode.
func passesRoleARN(action string) bool {
	switch strings.ToLower(action) {
	case "cloudformation:createstack", "cloudformation:updatestack", "cloudformation:createchangeset":
		return true
	}
	return false
}
