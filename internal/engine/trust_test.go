package engine

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgstrap/orgstrap/internal/engine/plan"
	"github.com/orgstrap/orgstrap/internal/sandbox"
)

const githubTrust = `trust:
  github:
    repository: acme/orders
    branches: [main]
    environments: [prod]
  external_id: orgstrap-test
  max_session_duration: 2h
`

func TestGitHubTrustInstallsOIDCProvider(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	r := f.apply(t, oneEnvConfig+githubTrust)
	kinds := map[plan.Kind]bool{}
	for _, c := range r.Plan.Changes {
		kinds[c.Kind] = true
	}
	if !kinds[plan.KindOIDCProvider] {
		t.Errorf("plan has no OIDC provider change: %+v", r.Plan.Changes)
	}

	client := f.memberIAM(t, r, "dev")
	ctx := context.Background()
	if _, err := client.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{
		OpenIDConnectProviderArn: aws.String(r.Envs[0].Desired.OIDCProviderARN()),
	}); err != nil {
		t.Errorf("OIDC provider: %v", err)
	}
	role, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("orgstrap-deploy")})
	if err != nil {
		t.Fatal(err)
	}
	trust, _ := url.QueryUnescape(aws.ToString(role.Role.AssumeRolePolicyDocument))
	for _, want := range []string{"repo:acme/orders:ref:refs/heads/main", "repo:acme/orders:environment:prod", "orgstrap-test", "sts:AssumeRoleWithWebIdentity"} {
		if !strings.Contains(trust, want) {
			t.Errorf("trust policy lacks %q: %s", want, trust)
		}
	}
	if got := aws.ToInt32(role.Role.MaxSessionDuration); got != 7200 {
		t.Errorf("max session duration: got %d, want 7200", got)
	}

	if r = f.apply(t, oneEnvConfig+githubTrust); !r.Plan.Empty() {
		t.Errorf("second plan has changes: %+v", r.Plan.Changes)
	}
	callerOnly := oneEnvConfig + "trust:\n  max_session_duration: 3h\n"
	r = f.apply(t, callerOnly)
	trustUpdate := false
	for _, c := range r.Plan.Changes {
		trustUpdate = trustUpdate || c.Kind == plan.KindTrustPolicy
	}
	if !trustUpdate {
		t.Errorf("dropping GitHub trust planned no trust policy update: %+v", r.Plan.Changes)
	}
	if r = f.apply(t, callerOnly); !r.Plan.Empty() {
		t.Errorf("plan after the trust update has changes: %+v", r.Plan.Changes)
	}
	role, err = client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("orgstrap-deploy")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToInt32(role.Role.MaxSessionDuration); got != 3*3600 {
		t.Errorf("max session duration after the update: got %d, want %d", got, 3*3600)
	}
}

func TestAdoptAccountByEmail(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	f.apply(t, strings.Replace(oneEnvConfig, "name: dev", "name: other", 1))
	// The account now carries orgstrap:environment=other; remove that
	// environment and let dev claim the same email.
	ctx := context.Background()
	orgs := organizations.NewFromConfig(f.aws)
	out, err := orgs.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, a := range out.Accounts {
		if aws.ToString(a.Email) == "aws+dev@example.com" {
			id = aws.ToString(a.Id)
		}
	}
	if _, err := orgs.UntagResource(ctx, &organizations.UntagResourceInput{
		ResourceId: aws.String(id), TagKeys: []string{TagManaged, TagEnvironment},
	}); err != nil {
		t.Fatal(err)
	}

	r := f.apply(t, oneEnvConfig)
	adopted := false
	for _, c := range r.Plan.Changes {
		adopted = adopted || (c.Kind == plan.KindAccount && c.Action == plan.ActionAdopt)
	}
	if !adopted || r.Envs[0].Account.ID != id {
		t.Errorf("dev: adopted %v, account %s; want account %s adopted by email", adopted, r.Envs[0].Account.ID, id)
	}
	tags, err := orgs.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, tag := range tags.Tags {
		found = found || (aws.ToString(tag.Key) == TagEnvironment && aws.ToString(tag.Value) == "dev")
	}
	if !found {
		t.Errorf("adopted account lacks %s=dev: %+v", TagEnvironment, tags.Tags)
	}

	// Naming the account by account_id converges too: once it is tagged,
	// a re-run plans nothing and tags nothing again.
	byID := strings.Replace(oneEnvConfig, "    access: broad\n", "    access: broad\n    account_id: \""+id+"\"\n", 1)
	if byID == oneEnvConfig {
		t.Fatal("the test config has no \"access: broad\" line to add account_id after")
	}
	f.apply(t, byID)
	f.sb.ResetCalls()
	if r := f.apply(t, byID); !r.Plan.Empty() {
		t.Errorf("re-run with account_id plans %d changes, want none: %+v", len(r.Plan.Changes), r.Plan.Changes)
	}
	if mutating, _ := splitCalls(f.sb.Calls()); len(mutating) != 0 {
		t.Errorf("re-run with account_id made mutating calls: %v", mutating)
	}
}
