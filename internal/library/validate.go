package library

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/orgstrap/orgstrap/internal/library/catalog"
)

var (
	profileNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	identifierPattern  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)
	sidPattern         = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	actionPattern      = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9*?]+$`)
)

// validator collects the problems of one profile.
type validator struct {
	p        *Profile
	cat      *catalog.Catalog
	declared map[string]bool // profile variables
	scopes   map[string]string
	errs     []*FileError
}

func (v *validator) fail(field, format string, args ...any) {
	v.errs = append(v.errs, &FileError{File: v.p.File, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// validate checks a parsed profile. The returned errors carry File and Field;
// the caller fills in Line.
func validate(p *Profile, cat *catalog.Catalog) []*FileError {
	v := &validator{p: p, cat: cat, declared: map[string]bool{}, scopes: map[string]string{}}
	v.header()
	v.escalation()
	for i, s := range p.Statements {
		v.statement(fmt.Sprintf("statements[%d]", i), s, true)
	}
	v.broad()
	for i, a := range p.Boundary.Allow {
		field := fmt.Sprintf("boundary.allow[%d]", i)
		if v.action(field, a) {
			v.notEscalation(field, a, "an application role's boundary", true)
		}
	}
	v.roles()
	v.commands()
	return v.errs
}

func (v *validator) header() {
	if !profileNamePattern.MatchString(v.p.Name) {
		v.fail("name", "%q is not a valid profile name: use lower-case letters, digits and hyphens", v.p.Name)
	}
	if strings.TrimSpace(v.p.Description) == "" {
		v.fail("description", "missing: say which framework and versions the profile covers")
	}
	for i, variable := range v.p.Variables {
		if err := checkTemplate(variable.Default, v.declared); err != nil {
			v.fail(fmt.Sprintf("variables[%d].default", i), "%v", err)
		}
		field := fmt.Sprintf("variables[%d].name", i)
		switch {
		case !identifierPattern.MatchString(variable.Name):
			v.fail(field, "%q is not a valid variable name: use letters and digits, starting with a letter", variable.Name)
		case builtinVariables[variable.Name] != "":
			v.fail(field, "%q is a built-in variable: choose another name", variable.Name)
		case v.declared[variable.Name]:
			v.fail(field, "variable %q is declared twice", variable.Name)
		}
		v.declared[variable.Name] = true
	}
	if len(v.p.Statements) == 0 && len(v.p.Roles) == 0 {
		v.fail("statements", "missing: a profile needs at least one statement")
	}
}

func (v *validator) escalation() {
	for i, e := range v.p.Escalation {
		field := fmt.Sprintf("escalation[%d]", i)
		if e.Scope != ScopeBoundary && e.Scope != ScopePassedToService && e.Scope != ScopeResource {
			v.fail(field+".scope", "%q is not a scope: use %s, %s or %s", e.Scope, ScopeBoundary, ScopePassedToService, ScopeResource)
			continue
		}
		for j, a := range e.Actions {
			afield := fmt.Sprintf("%s.actions[%d]", field, j)
			want := escalationScope(a)
			switch {
			case want == "":
				v.fail(afield, "%q is not an escalation-sensitive action: remove it from escalation", a)
			case want == scopeNever:
				v.fail(afield, "%q can never be granted to a deploy role", a)
			case want != e.Scope:
				v.fail(afield, "%q needs scope %s, not %s", a, want, e.Scope)
			default:
				v.scopes[strings.ToLower(a)] = e.Scope
			}
		}
	}
}

// statement checks one templated statement. scoped statements may hold
// escalation actions when their scope conditions are met.
func (v *validator) statement(field string, s Statement, allowCloudFormation bool) {
	if !sidPattern.MatchString(s.Sid) {
		v.fail(field+".sid", "%q is not a valid Sid: use letters and digits only", s.Sid)
	}
	switch {
	case s.Caller == "" || s.Caller == CallerCLI:
	case (s.Caller == CallerCloudFormation || s.Caller == CallerBoth) && allowCloudFormation:
	default:
		v.fail(field+".caller", "%q is not a valid caller here: use %s, %s or %s", s.Caller, CallerCLI, CallerCloudFormation, CallerBoth)
	}
	if s.Effect != "" && s.Effect != "Allow" && s.Effect != "Deny" {
		v.fail(field+".effect", "%q is not an effect: use Allow or Deny", s.Effect)
	}
	if len(s.Actions) == 0 {
		v.fail(field+".actions", "missing: list at least one action")
	}
	if len(s.Resources) == 0 {
		v.fail(field+".resources", "missing: list at least one resource, or \"*\"")
	}
	for i, r := range s.Resources {
		v.resource(fmt.Sprintf("%s.resources[%d]", field, i), r)
	}
	v.conditions(field+".conditions", s.Conditions)
	for i, a := range s.Actions {
		afield := fmt.Sprintf("%s.actions[%d]", field, i)
		if v.action(afield, a) && s.Effect != "Deny" {
			v.scoped(afield, a, s)
		}
	}
}

func (v *validator) resource(field, r string) {
	if r != "*" && !strings.HasPrefix(r, "arn:") {
		v.fail(field, "%q is not an ARN template: start it with arn:${partition}: or use \"*\"", r)
	}
	if err := checkTemplate(r, v.declared); err != nil {
		v.fail(field, "%v", err)
	}
}

func (v *validator) conditions(field string, conds map[string]map[string][]string) {
	for _, op := range sortedKeys(conds) {
		if !knownOperator(op) {
			v.fail(field+"."+op, "%q is not an IAM condition operator", op)
		}
		for _, key := range sortedKeys(conds[op]) {
			for i, value := range conds[op][key] {
				if err := checkTemplate(value, v.declared); err != nil {
					v.fail(fmt.Sprintf("%s.%s.%s[%d]", field, op, key, i), "%v", err)
				}
			}
		}
	}
}

// action checks that a name or pattern denotes real IAM actions and returns
// whether it does.
func (v *validator) action(field, a string) bool {
	if !actionPattern.MatchString(a) {
		v.fail(field, "%q is not an IAM action: write service:Action, such as s3:GetObject", a)
		return false
	}
	service, _, _ := strings.Cut(a, ":")
	switch {
	case forbiddenServices[service]:
		v.fail(field, "%q is never granted: deploy roles get no %s actions", a, service)
		return false
	case !v.cat.HasService(service):
		v.fail(field, "%q is not an IAM action: no service has the prefix %q", a, service)
		return false
	case len(v.cat.Match(a)) == 0:
		if strings.ContainsAny(a, "*?") {
			v.fail(field, "%q matches no IAM action", a)
		} else {
			v.fail(field, "%q is not an IAM action", a)
		}
		return false
	}
	return true
}

// scoped checks the escalation actions a pattern matches against the scope
// the profile declares for them.
func (v *validator) scoped(field, pattern string, s Statement) {
	for _, a := range v.cat.Match(pattern) {
		name := strings.ToLower(a.String())
		need := escalationScopes[name]
		if need == "" {
			continue
		}
		if need == scopeNever {
			v.fail(field, "%q grants %s, which can never be granted to a deploy role", pattern, a)
			return
		}
		if v.scopes[name] == "" {
			v.fail(field, "%s is escalation-sensitive: declare it under escalation with scope %s", a, need)
			return
		}
		if msg := scopeProblem(need, s); msg != "" {
			v.fail(field, "%s is escalation-sensitive (scope %s): %s", a, need, msg)
			return
		}
	}
}

// scopeProblem describes what a statement lacks for an escalation scope, or "".
func scopeProblem(scope string, s Statement) string {
	if slices.Contains(s.Resources, "*") {
		return `resource "*" is too wide: name the application's resources`
	}
	switch scope {
	case ScopeResource:
		for _, r := range s.Resources {
			if accountWide(r) {
				return fmt.Sprintf("resource %q names every resource of its type: name the application's resources", r)
			}
		}
	case ScopeBoundary:
		if !slices.Equal(s.Conditions["StringEquals"]["iam:PermissionsBoundary"], []string{"${boundaryArn}"}) {
			return "add the condition StringEquals iam:PermissionsBoundary: [${boundaryArn}]"
		}
	case ScopePassedToService:
		if len(s.Conditions["StringEquals"]["iam:PassedToService"]) == 0 &&
			len(s.Conditions["StringLike"]["iam:PassedToService"]) == 0 {
			return "add the condition StringEquals iam:PassedToService with the services that run the roles"
		}
	}
	return ""
}

// notEscalation rejects a pattern on "*" that matches an action needing a
// boundary or service condition, and with never also one that may never be
// granted. Broad access passes never=false because its rendered policy denies
// those actions explicitly.
func (v *validator) notEscalation(field, pattern, where string, never bool) {
	for _, a := range v.cat.Match(pattern) {
		scope := escalationScope(a.String())
		if scope == ScopeBoundary || scope == ScopePassedToService || (never && scope == scopeNever) {
			v.fail(field, "%q matches %s, which may not be allowed on \"*\" in %s: grant it in a scoped statement", pattern, a, where)
			return
		}
	}
}

func (v *validator) broad() {
	for i, a := range v.p.Broad.Actions {
		field := fmt.Sprintf("broad.actions[%d]", i)
		if v.action(field, a) {
			v.notEscalation(field, a, "broad access", false)
		}
	}
	for i, s := range v.p.Broad.Statements {
		v.statement(fmt.Sprintf("broad.statements[%d]", i), s, false)
	}
}

func (v *validator) roles() {
	keys := map[string]bool{}
	for i, r := range v.p.Roles {
		field := fmt.Sprintf("roles[%d]", i)
		switch {
		case !profileNamePattern.MatchString(r.Key):
			v.fail(field+".key", "%q is not a valid role key: use lower-case letters, digits and hyphens", r.Key)
		case keys[r.Key] || r.Key == CallerCLI || r.Key == CallerCloudFormation:
			v.fail(field+".key", "role key %q is used twice or reserved", r.Key)
		}
		keys[r.Key] = true
		if r.Name == "" {
			v.fail(field+".name", "missing: give the role name template")
		} else if err := checkTemplate(r.Name, v.declared); err != nil {
			v.fail(field+".name", "%v", err)
		}
		if len(r.Trust.Services) == 0 && len(r.Trust.Accounts) == 0 {
			v.fail(field+".trust", "missing: list the services or accounts that may assume the role")
		}
		for j, s := range r.Statements {
			v.statement(fmt.Sprintf("%s.statements[%d]", field, j), s, false)
		}
		for j, arn := range r.ManagedPolicies {
			v.resource(fmt.Sprintf("%s.managedPolicies[%d]", field, j), arn)
		}
	}
}

func (v *validator) commands() {
	roles := map[string]bool{CallerCLI: true, CallerCloudFormation: true}
	for _, r := range v.p.Roles {
		roles[r.Key] = true
	}
	if len(v.p.Commands) == 0 {
		v.fail("commands", "missing: list the framework's commands and the calls each makes, which prove the restricted policy works")
	}
	seen := map[string]bool{}
	for i, c := range v.p.Commands {
		field := fmt.Sprintf("commands[%d]", i)
		if !profileNamePattern.MatchString(c.Name) || seen[c.Name] {
			v.fail(field+".name", "%q is missing, invalid or used twice: use a unique lower-case name such as deploy-first", c.Name)
		}
		seen[c.Name] = true
		if len(c.Calls) == 0 {
			v.fail(field+".calls", "missing: list the calls the command makes")
		}
		for j, call := range c.Calls {
			v.call(fmt.Sprintf("%s.calls[%d]", field, j), call, roles)
		}
	}
}

func (v *validator) call(field string, c CallTemplate, roles map[string]bool) {
	if strings.ContainsAny(c.Action, "*?") {
		v.fail(field+".action", "%q is a pattern: a call names one action", c.Action)
	} else {
		v.action(field+".action", c.Action)
	}
	v.resource(field+".resource", c.Resource)
	if !roles[callerOf(c.Caller)] {
		v.fail(field+".caller", "%q is not a caller: use cli, cloudformation or a key under roles", c.Caller)
	}
	for _, key := range sortedKeys(c.Context) {
		for i, value := range c.Context[key] {
			if err := checkTemplate(value, v.declared); err != nil {
				v.fail(fmt.Sprintf("%s.context.%s[%d]", field, key, i), "%v", err)
			}
		}
	}
}

var baseOperators = []string{
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
	"StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan",
	"NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals",
	"DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
	"DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals",
	"ArnLike", "ArnNotEquals", "ArnNotLike",
}

func knownOperator(op string) bool {
	op = strings.TrimPrefix(strings.TrimPrefix(op, "ForAllValues:"), "ForAnyValue:")
	if op == "Null" {
		return true
	}
	return slices.Contains(baseOperators, strings.TrimSuffix(op, "IfExists"))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
