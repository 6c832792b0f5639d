package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/deployrole"
	"github.com/orgstrap/orgstrap/internal/library"
	"github.com/orgstrap/orgstrap/internal/policy"
)

// placeholderAccountID stands for an account not created yet, so a plan
// can show the documents the new account's role will get.
const placeholderAccountID = "000000000000"

// desired renders env's policies for accountID and builds what the member
// account should contain.
func (e *Engine) desired(env config.Environment, accountID string, caller access.Caller) (*deployrole.Desired, *library.Rendered, error) {
	d := e.cfg.Deployment
	target := library.Target{
		AccountID: accountID, Regions: d.Regions, Services: d.Services, Stage: env.Stage,
		Profiles: d.Profiles, Access: library.Access(env.Access), ServiceRole: d.ServiceRole,
		BoundaryName: library.DefaultBoundaryName, PolicyPrefix: d.RoleName,
		Variables: d.Variables,
	}
	rendered, err := e.renderer.Render(target)
	if err != nil {
		return nil, nil, fmt.Errorf("rendering policies for environment %s: %w", env.Name, err)
	}

	want := &deployrole.Desired{
		AccountID: accountID, Environment: env.Name, GitHubOIDC: e.cfg.Trust.GitHub != nil,
		OwnedPrefixes: []string{d.RoleName, library.DefaultBoundaryName},
	}
	spec := deployrole.RoleSpec{
		Name: d.RoleName, Trust: e.trustPolicy(accountID, caller), MaxSessionDuration: e.cfg.Trust.SessionDuration,
	}
	for _, p := range rendered.Policies {
		want.Policies = append(want.Policies, deployrole.Policy{Name: p.Name, Document: p.Document})
		spec.Policies = append(spec.Policies, p.Name)
	}
	if b := rendered.Boundary; b != nil {
		// Both access levels get the boundary policy, because the deploy
		// policies require it on every role the deployer creates. Only
		// restricted access puts it on the deploy role itself.
		want.Policies = append(want.Policies, deployrole.Policy{Name: b.Name, Document: b.Document, Boundary: true})
		if env.Access == config.AccessRestricted {
			spec.Boundary = b.Name
		}
	}
	want.Roles = append(want.Roles, spec)
	var extra []library.ExecutionRole
	if rendered.ExecutionRole != nil {
		extra = append(extra, *rendered.ExecutionRole)
	}
	for _, x := range append(extra, rendered.Roles...) {
		role := deployrole.RoleSpec{Name: x.Name, Trust: x.Trust, AWSManaged: x.ManagedPolicyARNs}
		for _, p := range x.Policies {
			want.Policies = append(want.Policies, deployrole.Policy{Name: p.Name, Document: p.Document})
			role.Policies = append(role.Policies, p.Name)
		}
		want.Roles = append(want.Roles, role)
	}
	want.Digest = digest(rendered.Digest, want.Roles)
	return want, rendered, nil
}

// digest extends the library's digest of the rendered documents with the
// role settings it does not cover (trust policies and session durations),
// so the role's digest tag changes whenever anything orgstrap sets does.
func digest(renderedDigest string, roles []deployrole.RoleSpec) string {
	h := sha256.New()
	h.Write([]byte(renderedDigest))
	for _, r := range roles {
		trust, _ := json.Marshal(r.Trust)
		fmt.Fprintf(h, "\x00%s\x00%s\x00%d", r.Name, trust, r.MaxSessionDuration)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// trustPolicy builds the deploy role's trust policy from the config: the
// caller and listed role ARNs through sts:AssumeRole (with the external id
// when set), and GitHub Actions through its OIDC provider.
func (e *Engine) trustPolicy(accountID string, caller access.Caller) *policy.Document {
	t := e.cfg.Trust
	doc := &policy.Document{Version: policy.Version2012}
	var principals []string
	if t.TrustsCaller() && caller.PrincipalARN != "" {
		principals = append(principals, caller.PrincipalARN)
	}
	principals = append(principals, t.RoleARNs...)
	if len(principals) > 0 {
		s := policy.Statement{
			Sid: "AssumeFromPrincipals", Effect: "Allow",
			Principal: &policy.Principal{AWS: principals}, Action: policy.Values{"sts:AssumeRole"},
		}
		if t.ExternalID != "" {
			s.Condition = policy.Conditions{"StringEquals": {"sts:ExternalId": {t.ExternalID}}}
		}
		doc.Statement = append(doc.Statement, s)
	}
	if gh := t.GitHub; gh != nil {
		provider := fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", accountID, deployrole.GitHubOIDCHost)
		var subjects policy.Values
		for _, b := range gh.Branches {
			subjects = append(subjects, fmt.Sprintf("repo:%s:ref:refs/heads/%s", gh.Repository, b))
		}
		for _, env := range gh.Environments {
			subjects = append(subjects, fmt.Sprintf("repo:%s:environment:%s", gh.Repository, env))
		}
		host := deployrole.GitHubOIDCHost
		doc.Statement = append(doc.Statement, policy.Statement{
			Sid: "AssumeFromGitHubActions", Effect: "Allow",
			Principal: &policy.Principal{Federated: policy.Values{provider}},
			Action:    policy.Values{"sts:AssumeRoleWithWebIdentity"},
			Condition: policy.Conditions{
				"StringEquals": {host + ":aud": {"sts.amazonaws.com"}},
				"StringLike":   {host + ":sub": subjects},
			},
		})
	}
	return doc
}

// requiredCalls groups the library's calls by the role that makes them;
// "" is the deploy role.
func requiredCalls(r *library.Rendered) map[string][]deployrole.Call {
	calls := map[string][]deployrole.Call{}
	for _, c := range r.RequiredCalls {
		calls[c.Role] = append(calls[c.Role], deployrole.Call{Action: c.Action, Resource: c.Resource, Context: c.Context})
	}
	return calls
}

// roleSessionName is the session name orgstrap uses in member accounts.
func roleSessionName(env string) string {
	name := "orgstrap-" + env
	return strings.TrimRight(name[:min(len(name), 64)], "-")
}
