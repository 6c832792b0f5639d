package policy

import (
	"fmt"
	"strings"
)

// Decision is the outcome of evaluating a request.
type Decision int

// The zero Decision is ImplicitDeny, so a forgotten evaluation denies.
const (
	ImplicitDeny Decision = iota
	Allow
	ExplicitDeny
)

func (d Decision) String() string {
	switch d {
	case ImplicitDeny:
		return "implicitDeny"
	case Allow:
		return "allowed"
	case ExplicitDeny:
		return "explicitDeny"
	}
	return fmt.Sprintf("Decision(%d)", int(d))
}

// NamedPolicy is a policy document with the name reported when it decides an
// evaluation.
type NamedPolicy struct {
	Name     string
	Document *Document
}

// RequestPrincipal is the caller as resource policies see it.
type RequestPrincipal struct {
	// Type is "AWS", "Service" or "Federated"; "" means "AWS".
	Type string
	// ID is, for AWS, the principal's IAM ARN: the user's, or the role's for
	// an assumed-role session. For Service it is the service principal such
	// as "cloudformation.amazonaws.com", for Federated the provider ARN.
	ID string
	// Account is the 12-digit account id of an AWS principal.
	Account string
	// SessionARN is arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION for
	// assumed-role sessions, empty otherwise.
	SessionARN string
}

// Request is one API call to evaluate.
type Request struct {
	Action    string // such as "iam:CreateRole"
	Resource  string // an ARN, or "*"
	Principal *RequestPrincipal
	// Context holds the condition keys and their values. Keys are matched
	// without regard to case. When Principal is set, aws:PrincipalArn,
	// aws:PrincipalAccount and, for IAM users, aws:username are derived from
	// it unless Context has them.
	Context map[string][]string
}

// Evaluation is the decision on a request and what made it.
type Evaluation struct {
	Decision Decision
	// Policy is the name of the policy whose statement decided; "" for an
	// implicit deny.
	Policy string
	// Statement is the index of the deciding statement in that policy's
	// Statement list, -1 when no statement decided.
	Statement int
	Sid       string
	// Boundary is true when the permissions boundary decided: its explicit
	// deny, or an implicit deny because it allows nothing the identity
	// policies allow.
	Boundary bool
	// Reason is a one-line explanation for people.
	Reason string
}

// Evaluate decides a request against a principal's identity policies and an
// optional permissions boundary, following IAM's evaluation logic within one
// account. An explicit Deny in any of them wins. Otherwise the request is
// allowed only when an identity policy allows it and a non-nil boundary
// allows it too. Every other request is implicitly denied.
func Evaluate(req Request, identity []NamedPolicy, boundary *NamedPolicy) Evaluation {
	c := newRequestContext(req)

	allowPolicy, allowIndex := -1, -1
	for i, p := range identity {
		deny, allow := c.scan(p.Document, true)
		if deny >= 0 {
			return c.explicitDeny(p, deny, "identity policy", false)
		}
		if allow >= 0 && allowPolicy < 0 {
			allowPolicy, allowIndex = i, allow
		}
	}

	boundaryAllows := true
	if boundary != nil {
		deny, allow := c.scan(boundary.Document, true)
		if deny >= 0 {
			return c.explicitDeny(*boundary, deny, "permissions boundary", true)
		}
		boundaryAllows = allow >= 0
	}

	if allowPolicy < 0 {
		return Evaluation{
			Decision:  ImplicitDeny,
			Statement: -1,
			Reason:    fmt.Sprintf("no identity policy allows %s on %s", req.Action, req.Resource),
		}
	}
	allowed := identity[allowPolicy]
	if !boundaryAllows {
		return Evaluation{
			Decision:  ImplicitDeny,
			Statement: -1,
			Boundary:  true,
			Reason: fmt.Sprintf("allowed by identity policy %s but not by permissions boundary %s",
				allowed.Name, boundary.Name),
		}
	}
	st := allowed.Document.Statement[allowIndex]
	return Evaluation{
		Decision:  Allow,
		Policy:    allowed.Name,
		Statement: allowIndex,
		Sid:       st.Sid,
		Reason: fmt.Sprintf("allowed by identity policy %s %s",
			allowed.Name, statementLabel(allowIndex, st.Sid)),
	}
}

func (c *requestContext) explicitDeny(p NamedPolicy, index int, kind string, boundary bool) Evaluation {
	sid := p.Document.Statement[index].Sid
	return Evaluation{
		Decision:  ExplicitDeny,
		Policy:    p.Name,
		Statement: index,
		Sid:       sid,
		Boundary:  boundary,
		Reason:    fmt.Sprintf("explicit deny in %s %s %s", kind, p.Name, statementLabel(index, sid)),
	}
}

// scan returns the index of the first Deny statement and of the first Allow
// statement of doc that apply to the request, -1 for none. A Deny ends the
// scan. requireResource makes statements without Resource or NotResource
// apply to nothing, as IAM rejects them in identity policies.
func (c *requestContext) scan(doc *Document, requireResource bool) (deny, allow int) {
	deny, allow = -1, -1
	if doc == nil {
		return deny, allow
	}
	variables := doc.Version == Version2012
	for i := range doc.Statement {
		st := &doc.Statement[i]
		if st.Effect != "Allow" && st.Effect != "Deny" {
			continue
		}
		if st.Effect == "Allow" && allow >= 0 {
			continue
		}
		if !c.matchStatement(st, variables, requireResource) {
			continue
		}
		if st.Effect == "Deny" {
			return i, allow
		}
		allow = i
	}
	return deny, allow
}

// matchStatement reports whether a statement's Action, Resource and
// Condition elements all apply to the request; Principal is the caller's
// business.
func (c *requestContext) matchStatement(st *Statement, variables, requireResource bool) bool {
	if !c.matchActionElement(st) {
		return false
	}
	if !c.matchResourceElement(st, variables, requireResource) {
		return false
	}
	return c.matchConditions(st.Condition, variables)
}

func (c *requestContext) matchActionElement(st *Statement) bool {
	switch {
	case len(st.Action) > 0:
		for _, p := range st.Action {
			if MatchAction(p, c.req.Action) {
				return true
			}
		}
		return false
	case len(st.NotAction) > 0:
		for _, p := range st.NotAction {
			if MatchAction(p, c.req.Action) {
				return false
			}
		}
		return true
	}
	return false
}

// matchResourceElement applies Resource or NotResource. A Resource value whose
// variable cannot be resolved matches nothing. A NotResource value that
// cannot be resolved makes the whole statement not apply, because IAM cannot
// tell which resources it excludes.
func (c *requestContext) matchResourceElement(st *Statement, variables, requireResource bool) bool {
	switch {
	case len(st.Resource) > 0:
		for _, v := range st.Resource {
			p, ok := c.expandValue(v, variables)
			if ok && matchResource(p, c.req.Resource) {
				return true
			}
		}
		return false
	case len(st.NotResource) > 0:
		for _, v := range st.NotResource {
			p, ok := c.expandValue(v, variables)
			if !ok || matchResource(p, c.req.Resource) {
				return false
			}
		}
		return true
	}
	return !requireResource
}

// statementLabel names a statement by its Sid, or by its index without one.
func statementLabel(index int, sid string) string {
	if sid != "" {
		return "statement " + sid
	}
	return fmt.Sprintf("Statement[%d]", index)
}

// requestContext is a request prepared for evaluation, with condition keys
// folded to lower case for lookup.
type requestContext struct {
	req  *Request
	keys map[string][]string
}

func newRequestContext(req Request) *requestContext {
	keys := make(map[string][]string, len(req.Context)+3)
	for k, v := range req.Context {
		keys[strings.ToLower(k)] = v
	}
	if p := req.Principal; p != nil && (p.Type == "" || p.Type == "AWS") {
		setDefault(keys, "aws:principalarn", p.ID)
		setDefault(keys, "aws:principalaccount", p.Account)
		if name, ok := userName(p.ID); ok {
			setDefault(keys, "aws:username", name)
		}
	}
	return &requestContext{req: &req, keys: keys}
}

func setDefault(keys map[string][]string, key, value string) {
	if _, ok := keys[key]; !ok && value != "" {
		keys[key] = []string{value}
	}
}

// userName returns the name of an IAM user from its ARN
// arn:PARTITION:iam::ACCOUNT:user/PATH/NAME.
func userName(arn string) (string, bool) {
	parts := splitARN(arn)
	if len(parts) != 6 || parts[2] != "iam" || !strings.HasPrefix(parts[5], "user/") {
		return "", false
	}
	return parts[5][strings.LastIndexByte(parts[5], '/')+1:], true
}

// lookup returns the values of a condition key; present is false when the
// key is missing or has no values.
func (c *requestContext) lookup(key string) (values []string, present bool) {
	values = c.keys[strings.ToLower(key)]
	return values, len(values) > 0
}
