package policy

import (
	"strings"
	"testing"
)

var (
	aliceUser = &RequestPrincipal{Type: "AWS", ID: "arn:aws:iam::111122223333:user/alice", Account: "111122223333"}
	bobUser   = &RequestPrincipal{ID: "arn:aws:iam::111122223333:user/bob", Account: "111122223333"}
	rootUser  = &RequestPrincipal{ID: "arn:aws:iam::111122223333:root", Account: "111122223333"}
	ciSession = &RequestPrincipal{ID: "arn:aws:iam::111122223333:role/ci/deployer", Account: "111122223333",
		SessionARN: "arn:aws:sts::111122223333:assumed-role/deployer/build-42"}
	strangerRole = &RequestPrincipal{ID: "arn:aws:iam::444455556666:role/deployer", Account: "444455556666",
		SessionARN: "arn:aws:sts::444455556666:assumed-role/deployer/x"}
	cloudFormation = &RequestPrincipal{Type: "Service", ID: "cloudformation.amazonaws.com"}
	githubOIDC     = &RequestPrincipal{Type: "Federated",
		ID: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}
)

func trustDoc(principal string, extra string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"Trust","Effect":"Allow","Principal":` + principal +
		`,"Action":["sts:AssumeRole","sts:AssumeRoleWithWebIdentity","sts:TagSession"]` + extra + `}]}`
}

func TestEvaluateTrustPrincipals(t *testing.T) {
	tests := []struct {
		name      string
		principal string
		caller    *RequestPrincipal
		want      Decision
	}{
		{"account root ARN trusts a user", `{"AWS":"arn:aws:iam::111122223333:root"}`, aliceUser, Allow},
		{"account root ARN trusts a role session", `{"AWS":"arn:aws:iam::111122223333:root"}`, ciSession, Allow},
		{"account root ARN trusts the root user", `{"AWS":"arn:aws:iam::111122223333:root"}`, rootUser, Allow},
		{"account root ARN rejects another account", `{"AWS":"arn:aws:iam::111122223333:root"}`, strangerRole, ImplicitDeny},
		{"bare account id", `{"AWS":"111122223333"}`, bobUser, Allow},
		{"bare account id of another account", `{"AWS":"111122223333"}`, strangerRole, ImplicitDeny},
		{"user ARN trusts that user", `{"AWS":"arn:aws:iam::111122223333:user/alice"}`, aliceUser, Allow},
		{"user ARN rejects another user", `{"AWS":"arn:aws:iam::111122223333:user/alice"}`, bobUser, ImplicitDeny},
		{"role ARN trusts its sessions", `{"AWS":"arn:aws:iam::111122223333:role/ci/deployer"}`, ciSession, Allow},
		{"session ARN trusts that session", `{"AWS":"arn:aws:sts::111122223333:assumed-role/deployer/build-42"}`, ciSession, Allow},
		{"session ARN rejects other sessions", `{"AWS":"arn:aws:sts::111122223333:assumed-role/deployer/build-43"}`, ciSession, ImplicitDeny},
		{"list of principals", `{"AWS":["arn:aws:iam::444455556666:root","arn:aws:iam::111122223333:user/bob"]}`, bobUser, Allow},
		{"star string trusts anyone", `"*"`, strangerRole, Allow},
		{"AWS star trusts anyone", `{"AWS":"*"}`, cloudFormation, Allow},
		{"star trusts an anonymous caller", `"*"`, nil, Allow},
		{"anonymous caller not trusted by an account", `{"AWS":"111122223333"}`, nil, ImplicitDeny},
		{"service principal", `{"Service":"cloudformation.amazonaws.com"}`, cloudFormation, Allow},
		{"service principal in a list", `{"Service":["lambda.amazonaws.com","cloudformation.amazonaws.com"]}`, cloudFormation, Allow},
		{"other service rejected", `{"Service":"lambda.amazonaws.com"}`, cloudFormation, ImplicitDeny},
		{"service does not match an AWS principal", `{"AWS":"cloudformation.amazonaws.com"}`, cloudFormation, ImplicitDeny},
		{"account does not trust a service", `{"AWS":"arn:aws:iam::111122223333:root"}`, cloudFormation, ImplicitDeny},
		{"federated provider", `{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}`, githubOIDC, Allow},
		{"federated provider of another account", `{"Federated":"arn:aws:iam::444455556666:oidc-provider/token.actions.githubusercontent.com"}`, githubOIDC, ImplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trust := named(t, "trust", trustDoc(tt.principal, ""))
			req := Request{Action: "sts:AssumeRole", Resource: "arn:aws:iam::111122223333:role/target", Principal: tt.caller}

			got := EvaluateTrust(req, trust)
			if got.Decision != tt.want {
				t.Errorf("EvaluateTrust() = %v (%s), want %v", got.Decision, got.Reason, tt.want)
			}
			if tt.want == Allow && (got.Policy != "trust" || got.Statement != 0 || got.Sid != "Trust") {
				t.Errorf("EvaluateTrust() decided by %q statement %d Sid %q, want \"trust\" statement 0 Sid \"Trust\"",
					got.Policy, got.Statement, got.Sid)
			}
		})
	}
}

func TestEvaluateTrustConditions(t *testing.T) {
	const github = `{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}`
	const oidcCondition = `,"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},
		"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/app:*"}}`
	tests := []struct {
		name    string
		action  string
		context map[string][]string
		want    Decision
	}{
		{"matching audience and subject", "sts:AssumeRoleWithWebIdentity",
			ctx("token.actions.githubusercontent.com:aud", "sts.amazonaws.com",
				"token.actions.githubusercontent.com:sub", "repo:acme/app:ref:refs/heads/main"), Allow},
		{"other repository", "sts:AssumeRoleWithWebIdentity",
			ctx("token.actions.githubusercontent.com:aud", "sts.amazonaws.com",
				"token.actions.githubusercontent.com:sub", "repo:evil/app:ref:refs/heads/main"), ImplicitDeny},
		{"missing audience", "sts:AssumeRoleWithWebIdentity",
			ctx("token.actions.githubusercontent.com:sub", "repo:acme/app:ref:refs/heads/main"), ImplicitDeny},
		{"action not in the statement", "sts:AssumeRoleWithSAML",
			ctx("token.actions.githubusercontent.com:aud", "sts.amazonaws.com",
				"token.actions.githubusercontent.com:sub", "repo:acme/app:x"), ImplicitDeny},
	}
	trust := named(t, "github", trustDoc(github, oidcCondition))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Request{Action: tt.action, Principal: githubOIDC, Context: tt.context}
			got := EvaluateTrust(req, trust)
			if got.Decision != tt.want {
				t.Errorf("EvaluateTrust() = %v (%s), want %v", got.Decision, got.Reason, tt.want)
			}
		})
	}
}

func TestEvaluateTrustDeny(t *testing.T) {
	trust := named(t, "trust", `{"Version":"2012-10-17","Statement":[
		{"Sid":"Account","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"},
		{"Sid":"NotBob","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"sts:*"},
		{"Sid":"NoExternal","Effect":"Deny","Principal":"*","Action":"sts:AssumeRole",
		 "Condition":{"Bool":{"aws:ViaAWSService":"true"}}}]}`)
	tests := []struct {
		name    string
		caller  *RequestPrincipal
		context map[string][]string
		want    outcome
	}{
		{"allowed user", aliceUser, nil, outcome{Decision: Allow, Policy: "trust", Statement: 0, Sid: "Account"}},
		{"denied user", bobUser, nil, outcome{Decision: ExplicitDeny, Policy: "trust", Statement: 1, Sid: "NotBob"}},
		{"deny by condition", aliceUser, ctx("aws:ViaAWSService", "true"),
			outcome{Decision: ExplicitDeny, Policy: "trust", Statement: 2, Sid: "NoExternal"}},
		{"other account", strangerRole, nil, outcome{Decision: ImplicitDeny, Statement: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EvaluateTrust(Request{Action: "sts:AssumeRole", Principal: tt.caller, Context: tt.context}, trust)
			if outcomeOf(got) != tt.want {
				t.Errorf("EvaluateTrust() = %+v, want %+v", outcomeOf(got), tt.want)
			}
		})
	}
}

func TestEvaluateTrustNotPrincipal(t *testing.T) {
	// A resource policy that denies everyone except the listed principals,
	// next to an Allow for everyone in the account.
	policy := func(listed string) NamedPolicy {
		return named(t, "bucket", `{"Version":"2012-10-17","Statement":[
			{"Sid":"Account","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:*"},
			{"Sid":"OnlyListed","Effect":"Deny","NotPrincipal":{"AWS":`+listed+`},"Action":"s3:*"}]}`)
	}
	tests := []struct {
		name   string
		listed string
		caller *RequestPrincipal
		want   Decision
	}{
		{"listed user with account", `["arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:root"]`,
			aliceUser, Allow},
		{"unlisted user", `["arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:root"]`,
			bobUser, ExplicitDeny},
		{"listed user without account", `["arn:aws:iam::111122223333:user/alice"]`,
			aliceUser, ExplicitDeny},
		{"role and account cover the session", `["arn:aws:iam::111122223333:role/ci/deployer","111122223333"]`,
			ciSession, Allow},
		{"session and account", `["arn:aws:sts::111122223333:assumed-role/deployer/build-42","arn:aws:iam::111122223333:root"]`,
			ciSession, Allow},
		{"account alone does not exempt a user", `"arn:aws:iam::111122223333:root"`,
			aliceUser, ExplicitDeny},
		{"account alone exempts the root user", `"arn:aws:iam::111122223333:root"`,
			rootUser, Allow},
		{"star exempts everyone", `"*"`, bobUser, Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EvaluateTrust(Request{Action: "s3:GetObject", Principal: tt.caller}, policy(tt.listed))
			if got.Decision != tt.want {
				t.Errorf("EvaluateTrust() = %v (%s), want %v", got.Decision, got.Reason, tt.want)
			}
		})
	}
}

func TestEvaluateTrustNotPrincipalService(t *testing.T) {
	p := named(t, "queue", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage"},
		{"Sid":"OnlySNS","Effect":"Deny","NotPrincipal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage"}]}`)
	tests := []struct {
		name   string
		caller *RequestPrincipal
		want   Decision
	}{
		{"listed service", &RequestPrincipal{Type: "Service", ID: "sns.amazonaws.com"}, Allow},
		{"other service", cloudFormation, ExplicitDeny},
		{"AWS principal", aliceUser, ExplicitDeny},
		{"anonymous caller", nil, ExplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EvaluateTrust(Request{Action: "sqs:SendMessage", Principal: tt.caller}, p)
			if got.Decision != tt.want {
				t.Errorf("EvaluateTrust() = %v (%s), want %v", got.Decision, got.Reason, tt.want)
			}
		})
	}
}

func TestEvaluateTrustReasons(t *testing.T) {
	trust := named(t, "deploy-trust", trustDoc(`{"AWS":"111122223333"}`, ""))
	got := EvaluateTrust(Request{Action: "sts:AssumeRole", Principal: strangerRole}, trust)
	want := "no statement in trust policy deploy-trust allows arn:aws:sts::444455556666:assumed-role/deployer/x to perform sts:AssumeRole"
	if got.Reason != want {
		t.Errorf("EvaluateTrust().Reason = %q, want %q", got.Reason, want)
	}

	got = EvaluateTrust(Request{Action: "sts:AssumeRole"}, NamedPolicy{Name: "none"})
	if got.Decision != ImplicitDeny || !strings.Contains(got.Reason, "none") {
		t.Errorf("EvaluateTrust() on a nil document = %v %q, want implicitDeny naming the policy", got.Decision, got.Reason)
	}

	statementless := named(t, "no-principal", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)
	got = EvaluateTrust(Request{Action: "sts:AssumeRole", Principal: aliceUser}, statementless)
	if got.Decision != ImplicitDeny {
		t.Errorf("EvaluateTrust() on a statement without Principal = %v, want %v", got.Decision, ImplicitDeny)
	}
}
