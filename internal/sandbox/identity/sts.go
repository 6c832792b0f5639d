package identity

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/orgstrap/orgstrap/internal/policy"
	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// STS limits, from the AssumeRole API reference.
const (
	minSessionSeconds     = 900
	defaultSessionSeconds = 3600
	// chainedSessionSeconds caps a session made with assumed-role
	// credentials (role chaining).
	chainedSessionSeconds = 3600
	maxPackedPolicySize   = 2048
)

var externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]+$`)

func stsGetCallerIdentity(s *Store, c *call) (any, bool, *api.Error) {
	return struct {
		UserId  string
		Account string
		Arn     string
	}{c.caller.UserID, c.caller.AccountID, c.caller.ARN}, false, nil
}

// sessionRequest holds the parameters AssumeRole and
// AssumeRoleWithWebIdentity share.
type sessionRequest struct {
	roleARN     string
	sessionName string
	duration    int
	policy      string
	policyARNs  []string
}

// readSessionRequest reads and validates the parameters of a session
// request.
func (s *Store) readSessionRequest(c *call) (sessionRequest, *api.Error) {
	var sr sessionRequest
	var err *api.Error
	if sr.roleARN, err = c.required("RoleArn"); err != nil {
		return sr, err
	}
	if len(sr.roleARN) < 20 || len(sr.roleARN) > 2048 {
		return sr, validationError("Value '%s' at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048", sr.roleARN)
	}
	if sr.sessionName, err = c.required("RoleSessionName"); err != nil {
		return sr, err
	}
	if err := validateSessionName("roleSessionName", sr.sessionName); err != nil {
		return sr, err
	}
	if sr.duration, err = c.integer("DurationSeconds", defaultSessionSeconds); err != nil {
		return sr, err
	}
	if sr.duration < minSessionSeconds || sr.duration > maxMaxSessionDuration {
		return sr, validationError("Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value between %d and %d",
			sr.duration, minSessionSeconds, maxMaxSessionDuration)
	}

	sr.policy, sr.policyARNs, err = s.readSessionPolicies(c)
	return sr, err
}

// readSessionPolicies reads the Policy document and the PolicyArns list
// that narrow a session.
func (s *Store) readSessionPolicies(c *call) (string, []string, *api.Error) {
	text := c.get("Policy")
	if text != "" {
		doc, err := parsePolicy(text, policy.KindIdentity, 0, "")
		if err != nil {
			return "", nil, err
		}
		if policy.Size(doc) > maxPackedPolicySize {
			return "", nil, &api.Error{Code: "PackedPolicyTooLarge", Status: 400,
				Message: "Packed policy consumes more than 100% of the allotted space."}
		}
	}

	var arns []string
	for i := 1; ; i++ {
		arn := c.get(fmt.Sprintf("PolicyArns.member.%d.arn", i))
		if arn == "" {
			return text, arns, nil
		}
		if _, err := s.findPolicy(arn); err != nil {
			return "", nil, invalidInput("Policy %s does not exist.", arn)
		}
		arns = append(arns, arn)
	}
}

// validateSessionName checks a role session name or source identity: 2 to
// 64 characters of IAM's name set.
func validateSessionName(member, name string) *api.Error {
	if len(name) < 2 || len(name) > 64 {
		return validationError("Value '%s' at '%s' failed to satisfy constraint: Member must have length between 2 and 64", name, member)
	}
	if !namePattern.MatchString(name) {
		return validationError("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", name, member)
	}
	return nil
}

// assumableRole returns the role with ARN arn and the trust policy that STS
// applies to it: the newest one older than the consistency delay. A role created
// within the delay is not found yet.
func (s *Store) assumableRole(arn string) (*role, *policy.Document, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:"+s.opts.Partition+":iam::")
	if !ok {
		return nil, nil, false
	}
	acctID, resource, _ := strings.Cut(rest, ":")
	acct := s.state.Accounts[acctID]
	if acct == nil || !strings.HasPrefix(resource, "role/") {
		return nil, nil, false
	}
	r := acct.Roles[strings.ToLower(resource[strings.LastIndex(resource, "/")+1:])]
	if r == nil || r.ARN != arn {
		return nil, nil, false
	}
	text, ok := effectiveAt(r.Trust, s.cutoff())
	if !ok {
		return nil, nil, false
	}
	doc, err := policy.ParseDocument([]byte(text))
	if err != nil {
		return nil, nil, false
	}
	return r, doc, true
}

func stsAssumeRole(s *Store, c *call) (any, bool, *api.Error) {
	sr, err := s.readSessionRequest(c)
	if err != nil {
		return nil, false, err
	}
	externalID := c.get("ExternalId")
	if c.has("ExternalId") && (len(externalID) < 2 || len(externalID) > 1224 || !externalIDPattern.MatchString(externalID)) {
		return nil, false, validationError("Value '%s' at 'externalId' failed to satisfy constraint: Member must have length between 2 and 1224 and match [\\w+=,.@:\\/-]*", externalID)
	}
	sourceIdentity := c.get("SourceIdentity")
	if sourceIdentity != "" {
		if err := validateSessionName("sourceIdentity", sourceIdentity); err != nil {
			return nil, false, err
		}
	}
	if c.caller.SourceIdentity != "" {
		// A source identity, once set, carries through role chaining.
		sourceIdentity = c.caller.SourceIdentity
	}
	tags, err := c.tags("Tags")
	if err != nil {
		return nil, false, err
	}

	denied := &api.Error{Code: "AccessDenied", Status: 403, Message: fmt.Sprintf(
		"User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.caller.ARN, sr.roleARN)}
	r, trust, ok := s.assumableRole(sr.roleARN)
	if !ok {
		return nil, false, denied
	}
	extra := tagRequestContext(tags)
	extra["sts:RoleSessionName"] = []string{sr.sessionName}
	if c.has("ExternalId") {
		extra["sts:ExternalId"] = []string{externalID}
	}
	if sourceIdentity != "" {
		extra["sts:SourceIdentity"] = []string{sourceIdentity}
		extra["aws:SourceIdentity"] = []string{sourceIdentity}
	}
	principal := &policy.RequestPrincipal{Type: "AWS", ID: c.caller.PrincipalARN, Account: c.caller.AccountID}
	if c.caller.Kind == api.KindAssumedRole {
		principal.SessionARN = c.caller.ARN
	}
	req := policy.Request{Action: "sts:AssumeRole", Resource: r.ARN, Principal: principal,
		Context: s.requestContext(c.caller, extra)}
	ev := policy.EvaluateTrust(req, policy.NamedPolicy{Name: "trust policy of " + r.Name, Document: trust})
	if ev.Decision != policy.Allow {
		return nil, false, denied
	}
	if !s.identityMayAssume(c.caller, req, trust.Statement[ev.Statement], principal) {
		return nil, false, denied
	}

	// The chaining cap is checked first, since it is the cause whenever
	// both limits are exceeded.
	chained := c.caller.Kind == api.KindAssumedRole
	if chained && sr.duration > chainedSessionSeconds {
		return nil, false, &api.Error{Code: "ValidationError", Status: 400,
			Message: "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."}
	}
	if sr.duration > r.MaxSessionDuration {
		return nil, false, &api.Error{Code: "ValidationError", Status: 400,
			Message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."}
	}

	ss := s.issueSession(r, accountOfARN(r.ARN), sr.sessionName, time.Duration(sr.duration)*time.Second)
	ss.Chained = chained
	ss.SourceIdentity = sourceIdentity
	ss.Tags = tags
	ss.Policy, ss.PolicyARNs = sr.policy, sr.policyARNs
	creds, user := s.credentialsXML(ss)
	out := struct {
		Credentials      credentialsXML
		AssumedRoleUser  assumedRoleUserXML
		PackedPolicySize int    `xml:",omitempty"`
		SourceIdentity   string `xml:",omitempty"`
	}{Credentials: creds, AssumedRoleUser: user, SourceIdentity: sourceIdentity}
	if sr.policy != "" || len(tags) > 0 {
		out.PackedPolicySize = packedPercent(sr.policy, tags)
	}
	return out, true, nil
}

// identityMayAssume applies the caller's own policies to sts:AssumeRole
// when EnforceIAM is set. AWS requires them to allow the call unless the
// role is in the caller's account and the trust statement names the caller's
// user or role ARN itself, not the account. An explicit deny always wins.
func (s *Store) identityMayAssume(caller *api.Caller, req policy.Request, st policy.Statement, p *policy.RequestPrincipal) bool {
	if !s.opts.EnforceIAM || caller.Kind == api.KindRoot {
		return true
	}
	why, ok := s.decide(caller, policy.Request{Action: req.Action, Resource: req.Resource, Context: req.Context})
	if ok {
		return true
	}
	if strings.HasPrefix(why, "with an explicit deny") {
		return false
	}
	if accountOfARN(req.Resource) != caller.AccountID || st.Principal == nil {
		return false
	}
	for _, v := range st.Principal.AWS {
		if v == p.ID || (p.SessionARN != "" && v == p.SessionARN) {
			return true
		}
	}
	return false
}

// packedPercent estimates PackedPolicySize: the share, in percent, of the
// packed space that the session policy and tags use.
//
// NOTE: AWS compresses session policies and tags with an undocumented
// packing; this estimate divides their characters by the 2,048 the Policy
// parameter may use.
func packedPercent(sessionPolicy string, tags []tag) int {
	n := len(sessionPolicy)
	for _, t := range tags {
		n += len(t.Key) + len(t.Value)
	}
	return (n*100 + maxPackedPolicySize - 1) / maxPackedPolicySize
}

// accountOfARN returns the account field of an ARN.
func accountOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}
