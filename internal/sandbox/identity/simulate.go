package identity

import (
	"fmt"
	"sort"
	"strings"

	"github.com/orgstrap/orgstrap/internal/policy"
	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// simPolicy is a policy in a simulation with the id and type that
// MatchedStatements report for it.
type simPolicy struct {
	named    policy.NamedPolicy
	id, kind string
	text     string
}

type positionXML struct {
	Line   int
	Column int
}

type statementXML struct {
	SourcePolicyId   string
	SourcePolicyType string
	StartPosition    *positionXML `xml:",omitempty"`
	EndPosition      *positionXML `xml:",omitempty"`
}

type boundaryDetailXML struct {
	AllowedByPermissionsBoundary bool
}

type evaluationResultXML struct {
	EvalActionName                    string
	EvalResourceName                  string
	EvalDecision                      string
	MatchedStatements                 []statementXML     `xml:"MatchedStatements>member"`
	MissingContextValues              []string           `xml:"MissingContextValues>member"`
	PermissionsBoundaryDecisionDetail *boundaryDetailXML `xml:",omitempty"`
}

type simulationXML struct {
	EvaluationResults []evaluationResultXML `xml:"EvaluationResults>member"`
	IsTruncated       bool
	Marker            string `xml:",omitempty"`
}

func iamSimulatePrincipalPolicy(s *Store, c *call) (any, bool, *api.Error) {
	source, err := c.required("PolicySourceArn")
	if err != nil {
		return nil, false, err
	}
	if err := s.check(c, "iam:SimulatePrincipalPolicy", source, nil); err != nil {
		return nil, false, err
	}
	perms, kind, err := s.principalPermissions(source)
	if err != nil {
		return nil, false, err
	}

	var identity []simPolicy
	for _, name := range sortedKeys(perms.Inline) {
		identity = append(identity, s.simInline(name, kind, perms.Inline[name]))
	}
	for _, arn := range perms.Attached {
		if sp, ok := s.simManaged(arn); ok {
			identity = append(identity, sp)
		}
	}
	var boundary *simPolicy
	if perms.Boundary != "" {
		if sp, ok := s.simManaged(perms.Boundary); ok {
			boundary = &sp
		}
	}
	return s.simulate(c, identity, boundary)
}

func iamSimulateCustomPolicy(s *Store, c *call) (any, bool, *api.Error) {
	if len(c.list("PolicyInputList")) == 0 {
		return nil, false, validationError("Value null at 'policyInputList' failed to satisfy constraint: Member must not be null")
	}
	if err := s.check(c, "iam:SimulateCustomPolicy", "*", nil); err != nil {
		return nil, false, err
	}
	return s.simulate(c, nil, nil)
}

// principalPermissions returns the current policies of the role or user
// with ARN arn, and "role" or "user".
func (s *Store) principalPermissions(arn string) (permissions, string, *api.Error) {
	acct := s.state.Accounts[accountOfARN(arn)]
	_, resource, _ := strings.Cut(strings.TrimPrefix(arn, "arn:"+s.opts.Partition+":iam::"), ":")
	kind, rest, _ := strings.Cut(resource, "/")
	name := strings.ToLower(rest[strings.LastIndex(rest, "/")+1:])
	if acct != nil {
		switch kind {
		case "role":
			if r := acct.Roles[name]; r != nil && r.ARN == arn {
				return r.current(), "role", nil
			}
		case "user":
			if u := acct.Users[name]; u != nil && u.ARN == arn {
				return u.current(), "user", nil
			}
		}
	}
	return permissions{}, "", noSuchEntity("The principal %s does not exist or is not a role or user the sandbox can simulate.", arn)
}

func (s *Store) simInline(name, kind, text string) simPolicy {
	doc, _ := policy.ParseDocument([]byte(text))
	return simPolicy{named: policy.NamedPolicy{Name: name, Document: doc}, id: name, kind: kind, text: text}
}

func (s *Store) simManaged(arn string) (simPolicy, bool) {
	mp, err := s.findPolicy(arn)
	if err != nil {
		return simPolicy{}, false
	}
	v := mp.version(mp.defaultVersion())
	if v == nil {
		return simPolicy{}, false
	}
	doc, perr := policy.ParseDocument([]byte(v.Document))
	if perr != nil {
		return simPolicy{}, false
	}
	kind := "user-managed"
	if mp.AWSManaged {
		kind = "aws-managed"
	}
	return simPolicy{named: policy.NamedPolicy{Name: arn, Document: doc}, id: mp.Name, kind: kind, text: v.Document}, true
}

// simulate evaluates every pair of ActionNames and ResourceArns against the
// given policies plus PolicyInputList, with
// PermissionsBoundaryPolicyInputList replacing the boundary when given.
func (s *Store) simulate(c *call, identity []simPolicy, boundary *simPolicy) (any, bool, *api.Error) {
	actions := c.list("ActionNames")
	if len(actions) == 0 {
		return nil, false, validationError("Value null at 'actionNames' failed to satisfy constraint: Member must not be null")
	}
	resources := c.list("ResourceArns")
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	offset, max, err := c.page()
	if err != nil {
		return nil, false, err
	}
	for i, text := range c.list("PolicyInputList") {
		sp, err := inputPolicy(fmt.Sprintf("PolicyInputList.%d", i+1), text)
		if err != nil {
			return nil, false, err
		}
		identity = append(identity, sp)
	}
	if inputs := c.list("PermissionsBoundaryPolicyInputList"); len(inputs) > 0 {
		sp, err := inputPolicy("PermissionsBoundaryPolicyInputList.1", inputs[0])
		if err != nil {
			return nil, false, err
		}
		boundary = &sp
	}
	ctx := c.contextEntries()

	byName := map[string]simPolicy{}
	var named []policy.NamedPolicy
	for _, sp := range identity {
		byName[sp.named.Name] = sp
		named = append(named, sp.named)
	}
	var boundaryNamed *policy.NamedPolicy
	if boundary != nil {
		boundaryNamed = &boundary.named
	}

	var results []evaluationResultXML
	for _, action := range actions {
		for _, resource := range resources {
			req := policy.Request{Action: action, Resource: resource, Context: ctx}
			ev := policy.Evaluate(req, named, boundaryNamed)
			res := evaluationResultXML{EvalActionName: action, EvalResourceName: resource, EvalDecision: ev.Decision.String()}
			if ev.Statement >= 0 {
				sp, ok := byName[ev.Policy]
				if ev.Boundary && boundary != nil {
					sp, ok = *boundary, true
				}
				if ok {
					res.MatchedStatements = []statementXML{matchedStatement(sp, ev.Statement)}
				}
			}
			if boundary != nil {
				bev := policy.Evaluate(req, []policy.NamedPolicy{boundary.named}, nil)
				res.PermissionsBoundaryDecisionDetail = &boundaryDetailXML{AllowedByPermissionsBoundary: bev.Decision == policy.Allow}
			}
			res.MissingContextValues = missingContextKeys(append(named, boundaryNamedList(boundaryNamed)...), action, ctx)
			results = append(results, res)
		}
	}
	from, to, truncated, marker := pageOf(len(results), offset, max)
	return simulationXML{EvaluationResults: results[from:to], IsTruncated: truncated, Marker: marker}, false, nil
}

func boundaryNamedList(b *policy.NamedPolicy) []policy.NamedPolicy {
	if b == nil {
		return nil
	}
	return []policy.NamedPolicy{*b}
}

func inputPolicy(id, text string) (simPolicy, *api.Error) {
	doc, err := parsePolicy(text, policy.KindIdentity, 0, "")
	if err != nil {
		return simPolicy{}, err
	}
	return simPolicy{named: policy.NamedPolicy{Name: id, Document: doc}, id: id, kind: "none", text: text}, nil
}

func matchedStatement(sp simPolicy, index int) statementXML {
	st := statementXML{SourcePolicyId: sp.id, SourcePolicyType: sp.kind}
	if spans := statementSpans(sp.text); index < len(spans) {
		st.StartPosition, st.EndPosition = &spans[index][0], &spans[index][1]
	}
	return st
}

// contextEntries reads ContextEntries.member.N.ContextKeyName and its
// ContextKeyValues list. The ContextKeyType is not needed: the evaluator
// interprets values by the condition operator.
func (c *call) contextEntries() map[string][]string {
	ctx := map[string][]string{}
	for i := 1; ; i++ {
		prefix := fmt.Sprintf("ContextEntries.member.%d.", i)
		name := c.get(prefix + "ContextKeyName")
		if name == "" {
			return ctx
		}
		ctx[name] = append(ctx[name], c.list(prefix+"ContextKeyValues")...)
	}
}

// missingContextKeys lists the condition keys of statements whose action
// element covers action and that ctx does not supply, as IAM reports them.
// Policy variables inside values are not counted.
func missingContextKeys(policies []policy.NamedPolicy, action string, ctx map[string][]string) []string {
	have := map[string]bool{}
	for k := range ctx {
		have[strings.ToLower(k)] = true
	}
	missing := map[string]string{}
	for _, np := range policies {
		for _, st := range np.Document.Statement {
			if !statementCoversAction(st, action) {
				continue
			}
			for _, keys := range st.Condition {
				for key := range keys {
					if !have[strings.ToLower(key)] {
						missing[strings.ToLower(key)] = key
					}
				}
			}
		}
	}
	var out []string
	for _, key := range missing {
		out = append(out, key)
	}
	sort.Strings(out)
	return out
}

func statementCoversAction(st policy.Statement, action string) bool {
	if len(st.NotAction) > 0 {
		for _, p := range st.NotAction {
			if policy.MatchAction(p, action) {
				return false
			}
		}
		return true
	}
	for _, p := range st.Action {
		if policy.MatchAction(p, action) {
			return true
		}
	}
	return false
}
