package identity_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

// clock is a settable clock that the sandbox reads from its server
// goroutines while the test advances it.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now().UTC().Truncate(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is a running sandbox with IAM and STS clients for its administrator.
type env struct {
	t        *testing.T
	ctx      context.Context
	sb       *sandbox.Sandbox
	cfg      aws.Config
	iam      *iam.Client
	sts      *sts.Client
	account  string
	endpoint string
}

func start(t *testing.T, opts sandbox.Options) *env {
	t.Helper()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	sb, cfg := sandboxtest.Start(t, opts)
	return &env{
		t: t, ctx: t.Context(), sb: sb, cfg: cfg,
		iam: iam.NewFromConfig(cfg), sts: sts.NewFromConfig(cfg),
		account: sb.ManagementAccountID(), endpoint: aws.ToString(cfg.BaseEndpoint),
	}
}

func (e *env) roleARN(pathName string) string {
	return "arn:aws:iam::" + e.account + ":role/" + pathName
}

func (e *env) trustAccount() string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
		e.account + `:root"},"Action":"sts:AssumeRole"}]}`
}

func (e *env) createRole(name, trust, inline string) {
	e.t.Helper()
	if _, err := e.iam.CreateRole(e.ctx, &iam.CreateRoleInput{
		RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust),
	}); err != nil {
		e.t.Fatalf("CreateRole %s: %v", name, err)
	}
	if inline == "" {
		return
	}
	if _, err := e.iam.PutRolePolicy(e.ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String(name), PolicyName: aws.String("inline"), PolicyDocument: aws.String(inline),
	}); err != nil {
		e.t.Fatalf("PutRolePolicy %s: %v", name, err)
	}
}

// assume returns IAM and STS clients for a session of roleARN.
func (e *env) assume(client *sts.Client, in *sts.AssumeRoleInput) (*iam.Client, *sts.Client) {
	e.t.Helper()
	if in.RoleSessionName == nil {
		in.RoleSessionName = aws.String("e2e")
	}
	out, err := client.AssumeRole(e.ctx, in)
	if err != nil {
		e.t.Fatalf("AssumeRole %s: %v", aws.ToString(in.RoleArn), err)
	}
	c := out.Credentials
	cfg := sandboxtest.Config(e.endpoint, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	return iam.NewFromConfig(cfg), sts.NewFromConfig(cfg)
}

// wantAPIError fails unless err is an API error with code.
func wantAPIError(t *testing.T, err error, code string) smithy.APIError {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	return apiErr
}

const adminDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

func TestSDKRestrictedRole(t *testing.T) {
	e := start(t, sandbox.Options{EnforceIAM: true})
	e.createRole("Deployer", e.trustAccount(), `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:CreateRole","iam:PutRolePolicy","iam:GetRole"],
		 "Resource":"arn:aws:iam::`+e.account+`:role/app/*"}]}`)
	deployer, deployerSTS := e.assume(e.sts, &sts.AssumeRoleInput{RoleArn: aws.String(e.roleARN("Deployer"))})

	if _, err := deployer.CreateRole(e.ctx, &iam.CreateRoleInput{
		RoleName: aws.String("Service"), Path: aws.String("/app/"), AssumeRolePolicyDocument: aws.String(e.trustAccount()),
	}); err != nil {
		t.Fatalf("CreateRole under /app/: %v", err)
	}
	got, err := deployer.GetRole(e.ctx, &iam.GetRoleInput{RoleName: aws.String("Service")})
	if err != nil {
		t.Fatalf("GetRole: %v", err)
	}
	doc, _ := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument))
	if doc != e.trustAccount() || got.Role.CreateDate == nil || aws.ToInt32(got.Role.MaxSessionDuration) != 3600 {
		t.Errorf("role = %+v, document %q", got.Role, doc)
	}

	_, err = deployer.CreateRole(e.ctx, &iam.CreateRoleInput{
		RoleName: aws.String("Elsewhere"), AssumeRolePolicyDocument: aws.String(e.trustAccount()),
	})
	apiErr := wantAPIError(t, err, "AccessDenied")
	if !strings.Contains(apiErr.ErrorMessage(), "is not authorized to perform: iam:CreateRole on resource: "+e.roleARN("Elsewhere")) {
		t.Errorf("message = %q", apiErr.ErrorMessage())
	}
	_, err = deployer.CreatePolicy(e.ctx, &iam.CreatePolicyInput{PolicyName: aws.String("P"), PolicyDocument: aws.String(adminDoc)})
	wantAPIError(t, err, "AccessDenied")

	id, err := deployerSTS.GetCallerIdentity(e.ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if want := "arn:aws:sts::" + e.account + ":assumed-role/Deployer/e2e"; aws.ToString(id.Arn) != want {
		t.Errorf("Arn = %q, want %q", aws.ToString(id.Arn), want)
	}
}

func TestSDKTrustAndExternalID(t *testing.T) {
	e := start(t, sandbox.Options{})
	e.createRole("OtherAccount", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]}`, "")
	_, err := e.sts.AssumeRole(e.ctx, &sts.AssumeRoleInput{RoleArn: aws.String(e.roleARN("OtherAccount")), RoleSessionName: aws.String("e2e")})
	wantAPIError(t, err, "AccessDenied")

	e.createRole("Partner", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+e.account+`"},
		"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"partner-7"}}}]}`, "")
	_, err = e.sts.AssumeRole(e.ctx, &sts.AssumeRoleInput{RoleArn: aws.String(e.roleARN("Partner")), RoleSessionName: aws.String("e2e")})
	wantAPIError(t, err, "AccessDenied")
	e.assume(e.sts, &sts.AssumeRoleInput{RoleArn: aws.String(e.roleARN("Partner")), ExternalId: aws.String("partner-7")})
}

func TestSDKRoleChainingCap(t *testing.T) {
	e := start(t, sandbox.Options{})
	e.createRole("First", e.trustAccount(), adminDoc)
	e.createRole("Second", e.trustAccount(), "")
	_, firstSTS := e.assume(e.sts, &sts.AssumeRoleInput{RoleArn: aws.String(e.roleARN("First"))})
	_, err := firstSTS.AssumeRole(e.ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(e.roleARN("Second")), RoleSessionName: aws.String("e2e"), DurationSeconds: aws.Int32(3601),
	})
	apiErr := wantAPIError(t, err, "ValidationError")
	if want := "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."; apiErr.ErrorMessage() != want {
		t.Errorf("message = %q, want %q", apiErr.ErrorMessage(), want)
	}
	e.assume(firstSTS, &sts.AssumeRoleInput{RoleArn: aws.String(e.roleARN("Second")), DurationSeconds: aws.Int32(3600)})
}

func TestSDKConsistencyDelay(t *testing.T) {
	c := newClock()
	e := start(t, sandbox.Options{Now: c.Now, ConsistencyDelay: 5 * time.Second})
	e.createRole("Fresh", e.trustAccount(), "")
	in := &sts.AssumeRoleInput{RoleArn: aws.String(e.roleARN("Fresh")), RoleSessionName: aws.String("e2e")}
	_, err := e.sts.AssumeRole(e.ctx, in)
	wantAPIError(t, err, "AccessDenied")
	c.advance(5 * time.Second)
	e.assume(e.sts, in)
}

func TestSDKPolicyLimits(t *testing.T) {
	e := start(t, sandbox.Options{})
	out, err := e.iam.CreatePolicy(e.ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Versions"), PolicyDocument: aws.String(adminDoc)})
	if err != nil {
		t.Fatal(err)
	}
	arn := out.Policy.Arn
	for range 4 {
		if _, err := e.iam.CreatePolicyVersion(e.ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(adminDoc)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = e.iam.CreatePolicyVersion(e.ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(adminDoc)})
	var limit *iamtypes.LimitExceededException
	if !errors.As(err, &limit) {
		t.Errorf("sixth version error = %v, want LimitExceededException", err)
	}
	_, err = e.iam.DeletePolicyVersion(e.ctx, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")})
	var conflict *iamtypes.DeleteConflictException
	if !errors.As(err, &conflict) {
		t.Errorf("delete default version error = %v, want DeleteConflictException", err)
	}

	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` +
		strings.Repeat("b", 6100) + `/*"}]}`
	_, err = e.iam.CreatePolicy(e.ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Big"), PolicyDocument: aws.String(big)})
	if !errors.As(err, &limit) {
		t.Errorf("oversized policy error = %v, want LimitExceededException", err)
	}

	e.createRole("Many", e.trustAccount(), "")
	for i := range 10 {
		name := aws.String("p" + string(rune('a'+i)))
		p, err := e.iam.CreatePolicy(e.ctx, &iam.CreatePolicyInput{PolicyName: name, PolicyDocument: aws.String(adminDoc)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.iam.AttachRolePolicy(e.ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("Many"), PolicyArn: p.Policy.Arn}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = e.iam.AttachRolePolicy(e.ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("Many"), PolicyArn: arn})
	if !errors.As(err, &limit) || !strings.Contains(limit.ErrorMessage(), "PoliciesPerRole: 10") {
		t.Errorf("eleventh attachment error = %v, want LimitExceededException for PoliciesPerRole", err)
	}
	attached, err := e.iam.ListAttachedRolePolicies(e.ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("Many")})
	if err != nil || len(attached.AttachedPolicies) != 10 {
		t.Errorf("ListAttachedRolePolicies = %d policies, %v; want 10", len(attached.AttachedPolicies), err)
	}
	_, err = e.iam.GetRole(e.ctx, &iam.GetRoleInput{RoleName: aws.String("Nope")})
	var missing *iamtypes.NoSuchEntityException
	if !errors.As(err, &missing) {
		t.Errorf("GetRole of a missing role error = %v, want NoSuchEntityException", err)
	}
}

func TestSDKSimulatePrincipalPolicy(t *testing.T) {
	e := start(t, sandbox.Options{})
	e.createRole("Sim", e.trustAccount(), `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:*","Resource":"*"},
		{"Effect":"Deny","Action":"iam:DeleteRole","Resource":"*"}]}`)
	if _, err := e.iam.PutRolePermissionsBoundary(e.ctx, &iam.PutRolePermissionsBoundaryInput{
		RoleName: aws.String("Sim"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess"),
	}); err != nil {
		t.Fatal(err)
	}
	out, err := e.iam.SimulatePrincipalPolicy(e.ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(e.roleARN("Sim")),
		ActionNames:     []string{"iam:GetRole", "iam:CreateRole", "iam:DeleteRole"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []iamtypes.PolicyEvaluationDecisionType{"allowed", "implicitDeny", "explicitDeny"}
	if len(out.EvaluationResults) != len(want) {
		t.Fatalf("got %d results, want %d", len(out.EvaluationResults), len(want))
	}
	for i, r := range out.EvaluationResults {
		if r.EvalDecision != want[i] {
			t.Errorf("%s decision = %s, want %s", aws.ToString(r.EvalActionName), r.EvalDecision, want[i])
		}
		if r.PermissionsBoundaryDecisionDetail == nil {
			t.Errorf("%s has no boundary detail", aws.ToString(r.EvalActionName))
		}
	}
	if d := out.EvaluationResults[1].PermissionsBoundaryDecisionDetail; d != nil && d.AllowedByPermissionsBoundary {
		t.Errorf("CreateRole allowed by the read-only boundary")
	}
	if m := out.EvaluationResults[0].MatchedStatements; len(m) != 1 || aws.ToString(m[0].SourcePolicyId) != "inline" || m[0].StartPosition == nil {
		t.Errorf("GetRole matched statements = %+v", m)
	}
}

func TestSDKWebIdentity(t *testing.T) {
	e := start(t, sandbox.Options{})
	issuer := "https://token.actions.githubusercontent.com"
	provider, err := e.iam.CreateOpenIDConnectProvider(e.ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String(issuer), ClientIDList: []string{"sts.amazonaws.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.createRole("GitHub", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"Federated":"`+aws.ToString(provider.OpenIDConnectProviderArn)+`"},
		"Action":"sts:AssumeRoleWithWebIdentity","Condition":{
		"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},
		"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/*:environment:prod"}}}]}`, "")

	token := func(sub string) string {
		enc := func(v any) string {
			data, _ := json.Marshal(v)
			return base64.RawURLEncoding.EncodeToString(data)
		}
		return enc(map[string]string{"alg": "RS256"}) + "." + enc(map[string]any{
			"iss": issuer, "aud": "sts.amazonaws.com", "sub": sub, "exp": time.Now().Add(time.Hour).Unix(),
		}) + ".c2ln"
	}
	// The SDK sends AssumeRoleWithWebIdentity unsigned, as for real AWS.
	anonymous := sts.NewFromConfig(sandboxtest.Config(e.endpoint, "", "", ""), func(o *sts.Options) {
		o.Credentials = aws.AnonymousCredentials{}
	})
	out, err := anonymous.AssumeRoleWithWebIdentity(e.ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(e.roleARN("GitHub")), RoleSessionName: aws.String("gha"),
		WebIdentityToken: aws.String(token("repo:acme/app:environment:prod")),
	})
	if err != nil {
		t.Fatalf("AssumeRoleWithWebIdentity: %v", err)
	}
	if aws.ToString(out.SubjectFromWebIdentityToken) != "repo:acme/app:environment:prod" || out.Credentials.Expiration == nil {
		t.Errorf("result = %+v", out)
	}
	_, err = anonymous.AssumeRoleWithWebIdentity(e.ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(e.roleARN("GitHub")), RoleSessionName: aws.String("gha"),
		WebIdentityToken: aws.String(token("repo:acme/app:environment:dev")),
	})
	wantAPIError(t, err, "AccessDenied")
	_, err = anonymous.AssumeRoleWithWebIdentity(e.ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(e.roleARN("GitHub")), RoleSessionName: aws.String("gha"),
		WebIdentityToken: aws.String("not-a-token"),
	})
	wantAPIError(t, err, "InvalidIdentityToken")
}

func TestSDKRevokeOlderSessions(t *testing.T) {
	c := newClock()
	e := start(t, sandbox.Options{Now: c.Now, EnforceIAM: true})
	e.createRole("Revoked", e.trustAccount(), adminDoc)
	old, _ := e.assume(e.sts, &sts.AssumeRoleInput{RoleArn: aws.String(e.roleARN("Revoked"))})
	if _, err := old.ListRoles(e.ctx, &iam.ListRolesInput{}); err != nil {
		t.Fatalf("ListRoles before revoking: %v", err)
	}

	c.advance(time.Minute)
	revoke := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
		"Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + c.Now().Format(time.RFC3339) + `"}}}]}`
	if _, err := e.iam.PutRolePolicy(e.ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String("Revoked"), PolicyName: aws.String("AWSRevokeOlderSessions"), PolicyDocument: aws.String(revoke),
	}); err != nil {
		t.Fatal(err)
	}
	_, err := old.ListRoles(e.ctx, &iam.ListRolesInput{})
	apiErr := wantAPIError(t, err, "AccessDenied")
	if !strings.HasSuffix(apiErr.ErrorMessage(), "with an explicit deny in an identity-based policy") {
		t.Errorf("message = %q", apiErr.ErrorMessage())
	}

	c.advance(time.Second)
	fresh, _ := e.assume(e.sts, &sts.AssumeRoleInput{RoleArn: aws.String(e.roleARN("Revoked"))})
	if _, err := fresh.ListRoles(e.ctx, &iam.ListRolesInput{}); err != nil {
		t.Errorf("ListRoles with a new session: %v", err)
	}
}

func TestSDKUpdateRole(t *testing.T) {
	e := start(t, sandbox.Options{})
	e.createRole("Deploy", e.trustAccount(), "")
	if _, err := e.iam.UpdateRole(e.ctx, &iam.UpdateRoleInput{
		RoleName: aws.String("Deploy"), MaxSessionDuration: aws.Int32(7200),
		Description: aws.String("deploys the app"),
	}); err != nil {
		t.Fatalf("UpdateRole: %v", err)
	}
	got, err := e.iam.GetRole(e.ctx, &iam.GetRoleInput{RoleName: aws.String("Deploy")})
	if err != nil {
		t.Fatal(err)
	}
	if d := aws.ToInt32(got.Role.MaxSessionDuration); d != 7200 {
		t.Errorf("MaxSessionDuration = %d, want 7200", d)
	}
	if d := aws.ToString(got.Role.Description); d != "deploys the app" {
		t.Errorf("Description = %q, want %q", d, "deploys the app")
	}
}
