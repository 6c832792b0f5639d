package policy

import (
	"fmt"
	"strings"
)

// EvaluateTrust decides a request against a resource policy, such as a
// role's trust policy deciding sts:AssumeRole. A statement applies when its
// Principal matches req.Principal (or its NotPrincipal does not) and its
// Action and Condition elements match; Resource, which trust policies do not
// have, is matched only when a statement sets it. An explicit Deny wins over
// an Allow.
func EvaluateTrust(req Request, trust NamedPolicy) Evaluation {
	c := newRequestContext(req)
	doc := trust.Document
	if doc == nil {
		return Evaluation{Decision: ImplicitDeny, Statement: -1,
			Reason: fmt.Sprintf("trust policy %s is empty", trust.Name)}
	}

	variables := doc.Version == Version2012
	allow := -1
	for i := range doc.Statement {
		st := &doc.Statement[i]
		if st.Effect != "Allow" && st.Effect != "Deny" {
			continue
		}
		if !c.matchPrincipalElement(st) || !c.matchStatement(st, variables, false) {
			continue
		}
		if st.Effect == "Deny" {
			return c.explicitDeny(trust, i, "trust policy", false)
		}
		if allow < 0 {
			allow = i
		}
	}

	if allow < 0 {
		return Evaluation{
			Decision:  ImplicitDeny,
			Statement: -1,
			Reason: fmt.Sprintf("no statement in trust policy %s allows %s to perform %s",
				trust.Name, describePrincipal(req.Principal), req.Action),
		}
	}
	sid := doc.Statement[allow].Sid
	return Evaluation{
		Decision:  Allow,
		Policy:    trust.Name,
		Statement: allow,
		Sid:       sid,
		Reason:    fmt.Sprintf("allowed by trust policy %s %s", trust.Name, statementLabel(allow, sid)),
	}
}

func describePrincipal(p *RequestPrincipal) string {
	switch {
	case p == nil:
		return "an anonymous caller"
	case p.SessionARN != "":
		return p.SessionARN
	}
	return p.ID
}

// matchPrincipalElement applies Principal or NotPrincipal. A statement with
// neither applies to no one.
func (c *requestContext) matchPrincipalElement(st *Statement) bool {
	switch {
	case st.Principal != nil:
		return principalMatches(st.Principal, c.req.Principal)
	case st.NotPrincipal != nil:
		return !principalExcluded(st.NotPrincipal, c.req.Principal)
	}
	return false
}

// principalMatches reports whether a Principal element names the caller.
// An account, as "123456789012" or "arn:aws:iam::123456789012:root", names
// every principal of that account. A role ARN names the role's sessions, a
// session ARN that session only, and "*" everyone.
func principalMatches(p *Principal, rp *RequestPrincipal) bool {
	if p.Any || contains(p.AWS, "*") {
		return true
	}
	if rp == nil {
		return false
	}
	switch rp.Type {
	case "", "AWS":
		for _, v := range p.AWS {
			if account, ok := principalAccount(v); ok {
				if account == rp.Account {
					return true
				}
				continue
			}
			if v == rp.ID || rp.SessionARN != "" && v == rp.SessionARN {
				return true
			}
		}
	case "Service":
		for _, v := range p.Service {
			if v == "*" || strings.EqualFold(v, rp.ID) {
				return true
			}
		}
	case "Federated":
		for _, v := range p.Federated {
			if v == "*" || v == rp.ID {
				return true
			}
		}
	}
	return false
}

// principalExcluded reports whether a NotPrincipal element exempts the
// caller. IAM checks each identity in the caller's chain: the account first,
// then the user or role, then the role session. So the caller is exempt only
// when its account is listed together with the user, the role or the
// session. A user listed without its account stays subject to the statement.
//
// NOTE: a listed role ARN also exempts the role's sessions here. This
// follows AWS's advice to list the role and its account, but it is not
// checked against IAM. IAM also denies principals that have a permissions
// boundary whatever NotPrincipal lists, which this function cannot see.
func principalExcluded(p *Principal, rp *RequestPrincipal) bool {
	if p.Any || contains(p.AWS, "*") {
		return true
	}
	if rp == nil {
		return false
	}
	switch rp.Type {
	case "Service":
		return principalMatches(&Principal{Service: p.Service}, rp)
	case "Federated":
		return principalMatches(&Principal{Federated: p.Federated}, rp)
	}

	accountListed, identityListed := false, false
	for _, v := range p.AWS {
		if account, ok := principalAccount(v); ok {
			if account == rp.Account {
				accountListed = true
				// The root user is the account itself.
				identityListed = identityListed || isRootARN(rp.ID)
			}
			continue
		}
		identityListed = identityListed || v == rp.ID || rp.SessionARN != "" && v == rp.SessionARN
	}
	return accountListed && identityListed
}

// principalAccount returns the account of an account principal:
// "123456789012" or "arn:PARTITION:iam::123456789012:root".
func principalAccount(v string) (string, bool) {
	if isAccountID(v) {
		return v, true
	}
	if !isRootARN(v) {
		return "", false
	}
	return splitARN(v)[4], true
}

func isRootARN(v string) bool {
	parts := splitARN(v)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[3] == "" &&
		isAccountID(parts[4]) && parts[5] == "root"
}

func isAccountID(v string) bool {
	if len(v) != 12 {
		return false
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func contains(values Values, want string) bool {
	for _, v := range values {
		if v == want {
			return true
		}
	}
	return false
}
