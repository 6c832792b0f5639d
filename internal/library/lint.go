package library

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/orgstrap/orgstrap/internal/library/catalog"
	"github.com/orgstrap/orgstrap/internal/policy"
)

// Severity ranks a lint finding.
type Severity string

const (
	SeverityHigh   Severity = "high"
	SeverityMedium Severity = "medium"
	SeverityLow    Severity = "low"
	SeverityInfo   Severity = "info"
)

var severityRank = map[Severity]int{SeverityHigh: 0, SeverityMedium: 1, SeverityLow: 2, SeverityInfo: 3}

// Lint rules.
const (
	RuleEscalation       = "escalation"
	RuleUnscopedWrite    = "unscoped-write"
	RuleUnknownAction    = "unknown-action"
	RuleResourceMismatch = "resource-mismatch"
	RuleNotAction        = "not-action"
)

// Finding is one lint result.
type Finding struct {
	Severity Severity
	Rule     string
	Policy   string
	// Statement is the index in the policy's Statement list, -1 for findings
	// that span statements.
	Statement int
	Sid       string `json:",omitempty"`
	Message   string
}

// Lint checks policy documents for privilege-escalation paths, writes on
// "*", action names that do not exist, and resources that cannot match an
// action's resource types. An escalation path whose grants are all scoped to
// named resources or bounded by a condition has severity info, because a
// deploy role needs some of them. An unscoped path has severity high.
func Lint(docs []policy.NamedPolicy) []Finding {
	lt := &linter{cat: catalog.Default()}
	for _, doc := range docs {
		for i, st := range doc.Document.Statement {
			lt.statement(doc.Name, i, st)
		}
	}
	lt.escalations(docs)
	sort.SliceStable(lt.findings, func(i, j int) bool {
		a, b := lt.findings[i], lt.findings[j]
		if severityRank[a.Severity] != severityRank[b.Severity] {
			return severityRank[a.Severity] < severityRank[b.Severity]
		}
		if a.Policy != b.Policy {
			return a.Policy < b.Policy
		}
		return a.Statement < b.Statement
	})
	return lt.findings
}

type linter struct {
	cat      *catalog.Catalog
	findings []Finding
}

func (lt *linter) add(sev Severity, rule, pol string, index int, sid, format string, args ...any) {
	lt.findings = append(lt.findings, Finding{Severity: sev, Rule: rule, Policy: pol, Statement: index, Sid: sid, Message: fmt.Sprintf(format, args...)})
}

func (lt *linter) statement(pol string, index int, st policy.Statement) {
	if st.Effect != "Allow" {
		return
	}
	if len(st.NotAction) > 0 {
		lt.add(SeverityHigh, RuleNotAction, pol, index, st.Sid, "Allow with NotAction grants every action not listed; list the actions instead")
	}
	for _, pattern := range st.Action {
		actions := lt.cat.Match(pattern)
		if pattern == "*" {
			lt.add(SeverityHigh, RuleUnscopedWrite, pol, index, st.Sid, `action "*" allows every action`)
			continue
		}
		if len(actions) == 0 {
			lt.add(SeverityHigh, RuleUnknownAction, pol, index, st.Sid, "%q is not an IAM action (catalogue %s)", pattern, lt.cat.Version)
			continue
		}
		lt.unscopedWrites(pol, index, st, pattern, actions)
		lt.resourceMismatch(pol, index, st, pattern, actions)
	}
}

// unscopedWrites reports mutating actions on "*" that support resource-level
// scoping; actions without resource types can only be granted on "*".
func (lt *linter) unscopedWrites(pol string, index int, st policy.Statement, pattern string, actions []catalog.Action) {
	if !containsValue(st.Resource, "*") {
		return
	}
	var scopable []string
	for _, a := range actions {
		if a.Mutating() && len(a.ResourceTypes) > 0 {
			scopable = append(scopable, a.String())
		}
	}
	if len(scopable) == 0 {
		return
	}
	sev, note := SeverityMedium, ""
	if len(st.Condition) > 0 {
		sev, note = SeverityLow, " (limited by conditions)"
	}
	lt.add(sev, RuleUnscopedWrite, pol, index, st.Sid, "%s allows %d write actions on \"*\"%s although they support resource-level scoping, such as %s",
		pattern, len(scopable), note, strings.Join(firstN(scopable, 3), ", "))
}

// resourceMismatch reports when none of a statement's resources can name a
// resource of any action the pattern matches.
func (lt *linter) resourceMismatch(pol string, index int, st policy.Statement, pattern string, actions []catalog.Action) {
	if containsValue(st.Resource, "*") || len(st.Resource) == 0 {
		return
	}
	var formats []string
	for _, a := range actions {
		f := lt.formats(a)
		for _, r := range st.Resource {
			for _, format := range f {
				if arnsIntersect(format, r) {
					return
				}
			}
		}
		formats = append(formats, f...)
	}
	if len(formats) == 0 {
		lt.add(SeverityMedium, RuleResourceMismatch, pol, index, st.Sid,
			"%s supports no resource types, so it only works with resource \"*\", not %s", pattern, strings.Join(st.Resource, ", "))
		return
	}
	lt.add(SeverityMedium, RuleResourceMismatch, pol, index, st.Sid,
		"no resource of %s can match %s, whose ARNs look like %s", strings.Join(st.Resource, ", "), pattern,
		strings.Join(firstN(sortedUnique(formats), 3), ", "))
}

var arnVariable = regexp.MustCompile(`\$\{[^}]*\}`)

// formats returns an action's resource ARN formats as glob patterns.
func (lt *linter) formats(a catalog.Action) []string {
	var out []string
	for _, rt := range a.ResourceTypes {
		if arn := lt.cat.ResourceARN(a.Service, rt); arn != "" {
			out = append(out, arnVariable.ReplaceAllString(arn, "*"))
		}
	}
	return append(out, extraResourceFormats[strings.ToLower(a.String())]...)
}

func containsValue(values policy.Values, v string) bool {
	for _, x := range values {
		if x == v {
			return true
		}
	}
	return false
}

func firstN(list []string, n int) []string {
	if len(list) > n {
		return append(list[:n:n], "...")
	}
	return list
}

// arnsIntersect reports whether a resource pattern can name a resource of an
// ARN format. When both have their first five fields without wildcards, the
// fields are compared one by one, so a wildcard in the resource part cannot
// stand for another service's ARN; otherwise the whole strings are compared.
func arnsIntersect(format, resource string) bool {
	f := strings.SplitN(format, ":", 6)
	r := strings.SplitN(resource, ":", 6)
	if len(f) < 6 || len(r) < 6 || strings.ContainsAny(strings.Join(r[:5], ":"), "*?") {
		return globsIntersect(format, resource)
	}
	for i := 1; i < 5; i++ {
		if !globsIntersect(f[i], r[i]) {
			return false
		}
	}
	return globsIntersect(f[5], r[5])
}

// globsIntersect reports whether some string matches both patterns, where *
// matches any run of characters and ? any one character.
func globsIntersect(p, q string) bool {
	memo := map[[2]int]bool{}
	seen := map[[2]int]bool{}
	var f func(i, j int) bool
	f = func(i, j int) bool {
		k := [2]int{i, j}
		if seen[k] {
			return memo[k]
		}
		seen[k] = true
		var r bool
		switch {
		case i == len(p) && j == len(q):
			r = true
		case i < len(p) && p[i] == '*':
			r = f(i+1, j) || (j < len(q) && f(i, j+1))
		case j < len(q) && q[j] == '*':
			r = f(i, j+1) || (i < len(p) && f(i+1, j))
		case i == len(p) || j == len(q):
			r = false
		case p[i] == '?' || q[j] == '?' || p[i] == q[j]:
			r = f(i+1, j+1)
		}
		memo[k] = r
		return r
	}
	return f(0, 0)
}

// SampleTarget is the environment profiles are rendered for when linted on
// their own.
func SampleTarget(profile string) Target {
	return Target{
		AccountID: "123456789012",
		Regions:   []string{"us-east-1"},
		Services:  []string{"app"},
		Stage:     "prod",
		Profiles:  []string{profile},
		Access:    AccessRestricted,
	}
}

// LintRendered lints each role of a rendering on its own, since escalation
// paths only combine within one principal's policies.
func LintRendered(r *Rendered) []Finding {
	findings := Lint(r.Policies)
	if r.ExecutionRole != nil && len(r.ExecutionRole.Policies) > 0 {
		findings = append(findings, Lint(r.ExecutionRole.Policies)...)
	}
	for _, role := range r.Roles {
		if len(role.Policies) > 0 {
			findings = append(findings, Lint(role.Policies)...)
		}
	}
	return findings
}
