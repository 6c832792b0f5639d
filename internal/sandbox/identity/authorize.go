package identity

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/orgstrap/orgstrap/internal/policy"
	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// principalPolicies are the policies that decide what a caller may do.
type principalPolicies struct {
	identity []policy.NamedPolicy
	boundary *policy.NamedPolicy
	// session holds the session policies passed to AssumeRole; nil when the
	// session has none, which leaves the identity policies unrestricted.
	session []policy.NamedPolicy
}

// Authorize checks a call against the caller's identity policies,
// permissions boundary and session policies when EnforceIAM is set, and
// returns AccessDenied with AWS's message when they do not allow it. The
// root user is never denied, nor is sts:GetCallerIdentity. The caller's
// aws:* condition keys are added to ctx.
func (s *Store) Authorize(caller *api.Caller, action, resource string, ctx map[string][]string) *api.Error {
	if !s.opts.EnforceIAM || caller == nil || caller.Kind == api.KindRoot ||
		strings.EqualFold(action, "sts:GetCallerIdentity") {
		return nil
	}
	req := policy.Request{Action: action, Resource: resource, Context: s.requestContext(caller, ctx)}
	why, ok := s.decide(caller, req)
	if ok {
		return nil
	}
	return &api.Error{Code: "AccessDenied", Status: 403, Message: fmt.Sprintf(
		"User: %s is not authorized to perform: %s on resource: %s %s", caller.ARN, action, resource, why)}
}

// check authorizes a call made through HandleIAM or HandleSTS.
func (s *Store) check(c *call, action, resource string, ctx map[string][]string) *api.Error {
	return s.Authorize(c.caller, action, resource, ctx)
}

// decide evaluates req for caller. When the request is denied, it returns
// the end of AWS's AccessDenied message, which gives the reason.
func (s *Store) decide(caller *api.Caller, req policy.Request) (string, bool) {
	pp := s.callerPolicies(caller, s.cutoff())
	ev := policy.Evaluate(req, pp.identity, pp.boundary)
	switch {
	case ev.Decision == policy.ExplicitDeny && ev.Boundary:
		return "with an explicit deny in a permissions boundary", false
	case ev.Decision == policy.ExplicitDeny:
		return "with an explicit deny in an identity-based policy", false
	case ev.Decision != policy.Allow && ev.Boundary:
		return "because no permissions boundary allows the " + req.Action + " action", false
	case ev.Decision != policy.Allow:
		return "because no identity-based policy allows the " + req.Action + " action", false
	}
	if pp.session == nil {
		return "", true
	}
	sev := policy.Evaluate(req, pp.session, nil)
	switch sev.Decision {
	case policy.Allow:
		return "", true
	case policy.ExplicitDeny:
		return "with an explicit deny in a session policy", false
	}
	return "because no session policy allows the " + req.Action + " action", false
}

// callerPolicies returns the policies of a caller as they stood at cutoff:
// a user's own, or for a role session the role's current policies (changes
// to a role apply to its existing sessions) plus the session's policies. A
// deleted or recreated role leaves a session with no policies.
func (s *Store) callerPolicies(caller *api.Caller, cutoff time.Time) principalPolicies {
	var pp principalPolicies
	acct := s.state.Accounts[caller.AccountID]
	if acct == nil {
		return pp
	}
	var perms permissions
	var ok bool
	switch caller.Kind {
	case api.KindUser:
		u := acct.Users[strings.ToLower(caller.Name)]
		if u == nil || u.ARN != caller.PrincipalARN {
			return pp
		}
		perms, ok = effectiveAt(u.Perms, cutoff)
	case api.KindAssumedRole:
		r := acct.Roles[strings.ToLower(caller.Name)]
		if r == nil || !strings.HasPrefix(caller.UserID, r.ID+":") {
			return pp
		}
		perms, ok = effectiveAt(r.Perms, cutoff)
		if sess := s.state.Sessions[caller.AccessKeyID]; sess != nil && sess.hasSessionPolicies() {
			pp.session = s.sessionPolicies(sess, cutoff)
		}
	}
	if !ok {
		return pp
	}
	pp.identity, pp.boundary = s.resolve(perms, cutoff)
	return pp
}

// resolve turns permissions into named documents. Inline policies are named
// by their policy name and managed ones by ARN, which cannot collide because
// policy names have no colons. A managed policy whose default version is
// newer than cutoff does not apply yet.
func (s *Store) resolve(perms permissions, cutoff time.Time) ([]policy.NamedPolicy, *policy.NamedPolicy) {
	var identity []policy.NamedPolicy
	for _, name := range sortedKeys(perms.Inline) {
		if doc, err := policy.ParseDocument([]byte(perms.Inline[name])); err == nil {
			identity = append(identity, policy.NamedPolicy{Name: name, Document: doc})
		}
	}
	for _, arn := range perms.Attached {
		if np, ok := s.managedDocument(arn, cutoff); ok {
			identity = append(identity, np)
		}
	}
	if perms.Boundary == "" {
		return identity, nil
	}
	np, ok := s.managedDocument(perms.Boundary, cutoff)
	if !ok {
		// A boundary that does not resolve allows nothing.
		np = policy.NamedPolicy{Name: perms.Boundary, Document: &policy.Document{Version: policy.Version2012}}
	}
	return identity, &np
}

func (s *Store) managedDocument(arn string, cutoff time.Time) (policy.NamedPolicy, bool) {
	mp, err := s.findPolicy(arn)
	if err != nil {
		return policy.NamedPolicy{}, false
	}
	text, ok := mp.effectiveDocument(cutoff)
	if !ok {
		return policy.NamedPolicy{}, false
	}
	doc, perr := policy.ParseDocument([]byte(text))
	if perr != nil {
		return policy.NamedPolicy{}, false
	}
	return policy.NamedPolicy{Name: arn, Document: doc}, true
}

// requestContext returns the global condition keys AWS supplies for a
// caller, overlaid with the request's own keys.
func (s *Store) requestContext(caller *api.Caller, extra map[string][]string) map[string][]string {
	now := s.now()
	ctx := map[string][]string{
		"aws:PrincipalArn":     {caller.PrincipalARN},
		"aws:PrincipalAccount": {caller.AccountID},
		"aws:userid":           {caller.UserID},
		"aws:CurrentTime":      {now.Format(time.RFC3339)},
		"aws:EpochTime":        {strconv.FormatInt(now.Unix(), 10)},
		"aws:RequestedRegion":  {"us-east-1"},
		// AWS's IAM and STS endpoints accept only HTTPS, so the key is true
		// there. The sandbox reports the same over its loopback HTTP.
		"aws:SecureTransport": {"true"},
	}
	switch caller.Kind {
	case api.KindUser:
		ctx["aws:PrincipalType"] = []string{"User"}
		ctx["aws:username"] = []string{caller.Name}
	case api.KindAssumedRole:
		ctx["aws:PrincipalType"] = []string{"AssumedRole"}
		ctx["aws:TokenIssueTime"] = []string{caller.IssuedAt.UTC().Format(time.RFC3339)}
		if caller.FederatedProvider != "" {
			ctx["aws:FederatedProvider"] = []string{caller.FederatedProvider}
		}
	case api.KindRoot:
		ctx["aws:PrincipalType"] = []string{"Account"}
	}
	if caller.SourceIdentity != "" {
		ctx["aws:SourceIdentity"] = []string{caller.SourceIdentity}
	}
	if s.opts.OrgOf != nil {
		if org := s.opts.OrgOf(caller.AccountID); org != "" {
			ctx["aws:PrincipalOrgID"] = []string{org}
		}
	}
	for _, t := range s.principalTags(caller) {
		ctx["aws:PrincipalTag/"+t.Key] = []string{t.Value}
	}
	for k, v := range extra {
		ctx[k] = v
	}
	return ctx
}

// principalTags returns the tags of the caller's user or role, with the
// session tags of a role session taking precedence.
func (s *Store) principalTags(caller *api.Caller) []tag {
	acct := s.state.Accounts[caller.AccountID]
	if acct == nil {
		return nil
	}
	switch caller.Kind {
	case api.KindUser:
		if u := acct.Users[strings.ToLower(caller.Name)]; u != nil {
			return u.Tags
		}
	case api.KindAssumedRole:
		var tags []tag
		if r := acct.Roles[strings.ToLower(caller.Name)]; r != nil {
			tags = r.Tags
		}
		if sess := s.state.Sessions[caller.AccessKeyID]; sess != nil {
			merged, _ := mergeTags(tags, sess.Tags)
			tags = merged
		}
		return tags
	}
	return nil
}
