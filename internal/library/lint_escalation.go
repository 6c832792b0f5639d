package library

import (
	"fmt"
	"sort"
	"strings"

	"github.com/orgstrap/orgstrap/internal/policy"
)

// Scopes of an escalation path's grants, from widest to narrowest.
const (
	scopeUnscoped = "unscoped"
	scopeScoped   = "scoped"
	scopeBounded  = "bounded"
)

// escalations reports each escalation path whose every action some Allow
// statement grants and no unconditional Deny on "*" takes away.
func (lt *linter) escalations(docs []policy.NamedPolicy) {
	for _, path := range escalationPaths {
		scope := scopeBounded
		var where []string
		complete := true
		for _, action := range path.Actions {
			s, grants := grantScope(docs, action)
			if s == "" {
				complete = false
				break
			}
			scope = wider(scope, s)
			where = append(where, fmt.Sprintf("%s (%s)", action, strings.Join(grants, ", ")))
		}
		if !complete {
			continue
		}
		sev := SeverityInfo
		if scope == scopeUnscoped {
			sev = SeverityHigh
		}
		lt.add(sev, RuleEscalation, policyNames(docs), -1, "", "%s escalation path, %s: %s",
			scope, path.Name, strings.Join(where, "; "))
	}
}

// grantScope returns the widest scope with which the documents allow action,
// "" when they do not, and the statements that allow it.
func grantScope(docs []policy.NamedPolicy, action string) (string, []string) {
	scope := ""
	var grants []string
	for _, doc := range docs {
		for i, st := range doc.Document.Statement {
			if !matchesAny(st.Action, action) {
				continue
			}
			if st.Effect == "Deny" && containsValue(st.Resource, "*") && len(st.Condition) == 0 {
				return "", nil
			}
			if st.Effect != "Allow" {
				continue
			}
			s := statementScope(st)
			scope = wider(scope, s)
			grants = append(grants, fmt.Sprintf("%s %s", doc.Name, statementName(i, st.Sid)))
		}
	}
	return scope, grants
}

func statementScope(st policy.Statement) string {
	for _, keys := range st.Condition {
		for _, key := range boundingKeys {
			for k := range keys {
				if strings.EqualFold(k, key) {
					return scopeBounded
				}
			}
		}
	}
	if len(st.Condition) > 0 {
		return scopeScoped
	}
	for _, r := range st.Resource {
		if accountWide(r) {
			return scopeUnscoped
		}
	}
	return scopeScoped
}

// accountWide reports whether a resource names every resource of its type,
// such as "*", "arn:aws:iam::123456789012:role/*" or
// "arn:aws:lambda:us-east-1:123456789012:function:*".
func accountWide(resource string) bool {
	if resource == "*" {
		return true
	}
	fields := strings.SplitN(resource, ":", 6)
	if len(fields) < 6 {
		return false
	}
	segments := strings.FieldsFunc(fields[5], func(r rune) bool { return r == ':' || r == '/' })
	wild := false
	for i, s := range segments {
		switch {
		case s == "*":
			wild = true
		case i == 0 && !strings.ContainsAny(s, "*?"):
			// The resource type, such as "function" or "role".
		default:
			return false
		}
	}
	return wild
}

func wider(a, b string) string {
	rank := map[string]int{"": -1, scopeBounded: 0, scopeScoped: 1, scopeUnscoped: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

func matchesAny(patterns policy.Values, action string) bool {
	for _, p := range patterns {
		if policy.MatchAction(p, action) {
			return true
		}
	}
	return false
}

func statementName(i int, sid string) string {
	if sid != "" {
		return sid
	}
	return fmt.Sprintf("statement %d", i)
}

func policyNames(docs []policy.NamedPolicy) string {
	names := make([]string, len(docs))
	for i, d := range docs {
		names[i] = d.Name
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}
