package policy

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Kind is the role a document plays, which decides the elements it must and
// must not have.
type Kind int

const (
	KindIdentity Kind = iota // attached to a user, group or role
	KindBoundary             // a permissions boundary; validated as an identity policy
	KindTrust                // a role's trust policy, a resource policy
)

func (k Kind) String() string {
	switch k {
	case KindIdentity:
		return "identity policy"
	case KindBoundary:
		return "permissions boundary"
	case KindTrust:
		return "trust policy"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Version2008 is the older policy language version, without policy
// variables.
const Version2008 = "2008-10-17"

var (
	// actionPattern is "service:Action" with wildcards; IAM also accepts "*".
	actionPattern = regexp.MustCompile(`^[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+$`)
	sidPattern    = regexp.MustCompile(`^[A-Za-z0-9]*$`)
)

// Validate checks a document the way IAM does when a policy is written, so
// the error text can serve as the message of a MalformedPolicyDocument
// error. It returns the first problem found, naming the statement.
func Validate(doc *Document, kind Kind) error {
	if doc == nil {
		return errors.New("policy document is missing")
	}
	switch doc.Version {
	case "", Version2012, Version2008:
	default:
		return fmt.Errorf("policy Version %q is not supported: use %s", doc.Version, Version2012)
	}
	if len(doc.Statement) == 0 {
		return errors.New("policy has no statements: Statement must list at least one")
	}

	sids := map[string]bool{}
	for i := range doc.Statement {
		st := &doc.Statement[i]
		if err := validateStatement(st, kind); err != nil {
			return fmt.Errorf("%s: %w", statementLabel(i, st.Sid), err)
		}
		if st.Sid != "" {
			if sids[st.Sid] {
				return fmt.Errorf("%s: Sid %q is used twice: statement ids in one policy must be unique",
					statementLabel(i, st.Sid), st.Sid)
			}
			sids[st.Sid] = true
		}
	}
	return nil
}

func validateStatement(st *Statement, kind Kind) error {
	if !sidPattern.MatchString(st.Sid) {
		return fmt.Errorf("invalid Sid %q: use only letters and digits", st.Sid)
	}
	switch st.Effect {
	case "Allow", "Deny":
	case "":
		return errors.New("missing required field Effect: use Allow or Deny")
	default:
		return fmt.Errorf("invalid Effect %q: use Allow or Deny", st.Effect)
	}

	if err := validateActions(st, kind); err != nil {
		return err
	}
	if len(st.Resource) > 0 && len(st.NotResource) > 0 {
		return errors.New("both Resource and NotResource are set: use only one")
	}
	hasResource := len(st.Resource) > 0 || len(st.NotResource) > 0
	hasPrincipal := st.Principal != nil || st.NotPrincipal != nil

	if kind == KindTrust {
		if err := validatePrincipals(st); err != nil {
			return err
		}
		if hasResource {
			return errors.New("has prohibited field Resource: trust policies name no resource")
		}
	} else {
		if hasPrincipal {
			return fmt.Errorf("%s should not specify a principal: remove Principal and NotPrincipal", kind)
		}
		if !hasResource {
			return errors.New("missing required field Resource: add Resource or NotResource")
		}
		if err := validateResources(st); err != nil {
			return err
		}
	}
	return validateConditions(st.Condition)
}

func validateActions(st *Statement, kind Kind) error {
	switch {
	case len(st.Action) > 0 && len(st.NotAction) > 0:
		return errors.New("both Action and NotAction are set: use only one")
	case len(st.Action) == 0 && len(st.NotAction) == 0:
		return errors.New("statement must contain actions: add Action or NotAction")
	}
	for _, list := range []Values{st.Action, st.NotAction} {
		for _, a := range list {
			if a == "*" {
				continue
			}
			if !actionPattern.MatchString(a) {
				return fmt.Errorf("action %q is invalid: actions must be prefixed by a service, "+
					"such as iam:CreateRole or s3:Get*", a)
			}
			// IAM accepts only STS actions in a role's trust policy.
			if kind == KindTrust && !strings.EqualFold(a[:strings.IndexByte(a, ':')], "sts") {
				return fmt.Errorf("action %q is not allowed in a trust policy: use STS actions "+
					"such as sts:AssumeRole or sts:AssumeRoleWithWebIdentity", a)
			}
		}
	}
	return nil
}

func validateResources(st *Statement) error {
	for _, list := range []Values{st.Resource, st.NotResource} {
		for _, r := range list {
			if r == "*" {
				continue
			}
			if !strings.HasPrefix(r, "arn:") || len(splitARN(r)) < 6 {
				return fmt.Errorf("resource %q must be in ARN format or \"*\"", r)
			}
		}
	}
	return nil
}

func validatePrincipals(st *Statement) error {
	if st.Principal != nil && st.NotPrincipal != nil {
		return errors.New("both Principal and NotPrincipal are set: use only one")
	}
	p, field := st.Principal, "Principal"
	if p == nil {
		p, field = st.NotPrincipal, "NotPrincipal"
	}
	if p == nil {
		return errors.New("missing required field Principal")
	}
	if st.NotPrincipal != nil {
		// IAM rejects NotPrincipal in role trust policies; other resource
		// policies accept it only with Deny. EvaluateTrust evaluates it either
		// way.
		return errors.New("NotPrincipal is not supported in a trust policy: use Principal, " +
			"or a Deny statement with an ArnNotEquals condition on aws:PrincipalArn")
	}
	if p.Any {
		return nil
	}
	if len(p.AWS)+len(p.Service)+len(p.Federated) == 0 {
		return fmt.Errorf("%s names no principal: add AWS, Service or Federated", field)
	}
	for _, v := range p.AWS {
		if v == "*" || isAccountID(v) {
			continue
		}
		parts := splitARN(v)
		if len(parts) != 6 || parts[0] != "arn" || (parts[2] != "iam" && parts[2] != "sts") {
			return fmt.Errorf("invalid principal in policy: %q: use an account id, an IAM ARN or \"*\"", v)
		}
	}
	for _, v := range p.Service {
		if v != "*" && !strings.Contains(v, ".") {
			return fmt.Errorf("invalid principal in policy: service %q: use a name such as "+
				"cloudformation.amazonaws.com", v)
		}
	}
	return nil
}

func validateConditions(conds Conditions) error {
	for _, name := range conds.Operators() {
		if _, ok := parseOperator(name); !ok {
			return fmt.Errorf("condition operator %q is not supported: use one such as "+
				"StringEquals, ArnLike or ForAnyValue:StringLike", name)
		}
		keys := conds[name]
		if len(keys) == 0 {
			return fmt.Errorf("condition operator %s has no condition keys", name)
		}
		for _, key := range sortedKeys(keys) {
			if key == "" {
				return fmt.Errorf("condition operator %s has an empty condition key", name)
			}
			if len(keys[key]) == 0 {
				return fmt.Errorf("condition key %s under %s has no values", key, name)
			}
		}
	}
	return nil
}
