package library

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/orgstrap/orgstrap/internal/policy"
)

// IAM quotas: a customer managed policy holds at most 6,144 characters, not
// counting whitespace, and a role has at most 10 managed policies attached
// by default (the quota can be raised to 20 on request).
const (
	MaxPolicySize      = 6144
	MaxPoliciesPerRole = 10
)

// grant is one expanded statement before compaction.
type grant struct {
	sid       string
	effect    string
	actions   []string
	resources []string
	cond      policy.Conditions
}

// compact merges grants into few statements: each action's resources are
// joined per effect and condition, then actions with equal resource sets
// are joined. A resource "*" absorbs the others. The result is sorted, so
// equal inputs give byte-equal documents.
func compact(grants []grant) []policy.Statement {
	type actionKey struct{ effect, cond, action string }
	resources := map[actionKey]map[string]bool{}
	sids := map[actionKey]string{}
	conds := map[string]policy.Conditions{}
	for _, g := range grants {
		ck := conditionKey(g.cond)
		conds[ck] = g.cond
		for _, a := range g.actions {
			k := actionKey{g.effect, ck, a}
			if resources[k] == nil {
				resources[k] = map[string]bool{}
			}
			for _, r := range g.resources {
				resources[k][r] = true
			}
			if sids[k] == "" || g.sid < sids[k] {
				sids[k] = g.sid
			}
		}
	}

	type groupKey struct{ effect, cond, resources string }
	groups := map[groupKey]*policy.Statement{}
	for k, set := range resources {
		list := setList(set)
		if set["*"] {
			list = []string{"*"}
		}
		gk := groupKey{k.effect, k.cond, strings.Join(list, "\n")}
		s := groups[gk]
		if s == nil {
			s = &policy.Statement{Sid: sids[k], Effect: k.effect, Resource: list, Condition: conds[k.cond]}
			groups[gk] = s
		}
		s.Action = append(s.Action, k.action)
		if sids[k] < s.Sid {
			s.Sid = sids[k]
		}
	}

	out := make([]policy.Statement, 0, len(groups))
	for _, s := range groups {
		s.Action = dropCovered(s.Action)
		sort.Strings(s.Action)
		out = append(out, *s)
	}
	sortStatements(out)
	uniqueSids(out)
	return out
}

func conditionKey(c policy.Conditions) string {
	if len(c) == 0 {
		return ""
	}
	data, _ := json.Marshal(c) // maps marshal with sorted keys
	return string(data)
}

func setList(set map[string]bool) []string {
	list := make([]string, 0, len(set))
	for v := range set {
		list = append(list, v)
	}
	sort.Strings(list)
	return list
}

// sortStatements orders Allow before Deny, then by Sid, actions and
// resources.
func sortStatements(list []policy.Statement) {
	key := func(s policy.Statement) string {
		return strings.Join([]string{s.Sid, strings.Join(s.Action, ","), strings.Join(s.Resource, ","), conditionKey(s.Condition)}, "\x00")
	}
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].Effect != list[j].Effect {
			return list[i].Effect == "Allow"
		}
		return key(list[i]) < key(list[j])
	})
}

// uniqueSids numbers repeated Sids (Roles, Roles2, Roles3), because IAM
// rejects a policy whose statements share a Sid.
func uniqueSids(list []policy.Statement) {
	seen := map[string]int{}
	for i := range list {
		sid := list[i].Sid
		seen[sid]++
		if n := seen[sid]; n > 1 {
			list[i].Sid = fmt.Sprintf("%s%d", sid, n)
		}
	}
}

func newDocument(stmts ...policy.Statement) *policy.Document {
	return &policy.Document{Version: policy.Version2012, Statement: stmts}
}

// split packs statements into managed policies named PREFIX-1, PREFIX-2, ...
// of at most MaxPolicySize characters each, in order. A statement too large
// for a policy of its own is cut into several by its resources, then by its
// actions.
func split(prefix string, stmts []policy.Statement) ([]policy.NamedPolicy, error) {
	var pieces []policy.Statement
	for _, s := range stmts {
		parts, err := fitStatement(s)
		if err != nil {
			return nil, err
		}
		pieces = append(pieces, parts...)
	}

	var docs []*policy.Document
	for _, s := range pieces {
		if n := len(docs); n > 0 {
			last := docs[n-1]
			last.Statement = append(last.Statement, s)
			if policy.Size(last) <= MaxPolicySize {
				continue
			}
			last.Statement = last.Statement[:len(last.Statement)-1]
		}
		docs = append(docs, newDocument(s))
	}

	named := make([]policy.NamedPolicy, len(docs))
	for i, doc := range docs {
		uniqueSids(doc.Statement)
		named[i] = policy.NamedPolicy{Name: fmt.Sprintf("%s-%d", prefix, i+1), Document: doc}
	}
	return named, nil
}

// fitStatement cuts a statement in halves until each part fits a policy.
func fitStatement(s policy.Statement) ([]policy.Statement, error) {
	if policy.Size(newDocument(s)) <= MaxPolicySize {
		return []policy.Statement{s}, nil
	}
	a, b := s, s
	switch {
	case len(s.Resource) > 1:
		half := len(s.Resource) / 2
		a.Resource, b.Resource = s.Resource[:half], s.Resource[half:]
	case len(s.Action) > 1:
		half := len(s.Action) / 2
		a.Action, b.Action = s.Action[:half], s.Action[half:]
	default:
		return nil, fmt.Errorf("statement %s alone exceeds %d characters: shorten its resource and condition values", s.Sid, MaxPolicySize)
	}
	first, err := fitStatement(a)
	if err != nil {
		return nil, err
	}
	second, err := fitStatement(b)
	if err != nil {
		return nil, err
	}
	return append(first, second...), nil
}

// dropCovered removes actions that a "service:*" in the same list covers.
func dropCovered(actions []string) []string {
	wild := map[string]bool{}
	for _, a := range actions {
		if strings.HasSuffix(a, ":*") {
			wild[strings.ToLower(serviceOf(a))] = true
		}
	}
	out := actions[:0]
	for _, a := range actions {
		if strings.HasSuffix(a, ":*") || !wild[strings.ToLower(serviceOf(a))] {
			out = append(out, a)
		}
	}
	return out
}
