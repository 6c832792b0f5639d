package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/engine/plan"
	"github.com/orgstrap/orgstrap/internal/sandbox"
)

var oneEnvConfig = strings.Replace(twoEnvConfig, `  - name: prod
    account_name: acme-prod
    email: aws+prod@example.com
    ou: Workloads/Prod
    access: restricted
`, "", 1)

func TestApplyAddsOnlyNewEnvironment(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	f.apply(t, oneEnvConfig)

	f.sb.ResetCalls()
	r := f.apply(t, twoEnvConfig)
	for _, c := range r.Plan.Changes {
		if c.Environment == "dev" {
			t.Errorf("plan changes dev: %+v", c)
		}
	}
	calls := f.sb.Calls()
	if got := calls["organizations:CreateAccount"]; got != 1 {
		t.Errorf("CreateAccount calls: got %d, want 1", got)
	}
	for _, call := range []string{"iam:UpdateAssumeRolePolicy", "iam:CreatePolicyVersion", "organizations:TagResource"} {
		if calls[call] != 0 {
			t.Errorf("%s calls: got %d, want 0", call, calls[call])
		}
	}
	if got := calls["iam:CreateRole"]; got != 1 {
		t.Errorf("CreateRole calls: got %d, want 1 (prod's deploy role)", got)
	}
}

func TestApplyWithThrottlingAndConsistencyDelay(t *testing.T) {
	f := newFixture(t, sandbox.Options{ThrottleRate: 0.2, ConsistencyDelay: time.Second, Seed: 7})
	f.apply(t, twoEnvConfig)

	f.sb.ResetCalls()
	r := f.apply(t, twoEnvConfig)
	if !r.Plan.Empty() {
		t.Errorf("plan after apply has %d changes, want none", len(r.Plan.Changes))
	}
	if mutating, _ := splitCalls(f.sb.Calls()); len(mutating) != 0 {
		t.Errorf("second apply made mutating calls: %v", mutating)
	}
	waited := false
	for _, ev := range f.events {
		if ev.Kind == EventWaiting && strings.Contains(ev.Message, "assumable") {
			waited = true
		}
	}
	if !waited {
		t.Errorf("no event reported waiting for the access role through the consistency delay")
	}
}

func TestApplyResubmitsConcurrentCreations(t *testing.T) {
	// One creation at a time: the second environment's first request fails
	// with CONCURRENT_ACCOUNT_MODIFICATION and is submitted again.
	f := newFixture(t, sandbox.Options{MaxConcurrentCreations: 1})
	f.apply(t, twoEnvConfig)
	if got := f.sb.Calls()["organizations:CreateAccount"]; got < 3 {
		t.Errorf("CreateAccount calls: got %d, want at least 3 (two environments, one resubmission)", got)
	}
	r := f.apply(t, twoEnvConfig)
	if !r.Plan.Empty() {
		t.Errorf("plan after apply has %d changes, want none", len(r.Plan.Changes))
	}
	for _, ep := range r.Envs {
		if ep.Account == nil || ep.MatchedBy != "tag" {
			t.Errorf("environment %s: account %+v matched by %q, want its tagged account", ep.Env.Name, ep.Account, ep.MatchedBy)
		}
	}
}

func TestApplyAfterInterruption(t *testing.T) {
	tests := []struct {
		name   string
		cancel string // cancel once an event message contains this
	}{
		{"after account submission", "submitted creation"},
		{"while account is created", "still being created"},
		{"after role creation", "create role"},
		{"after policy attachment", "attach to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, sandbox.Options{CreateAccountDelay: 300 * time.Millisecond})
			e := f.engine(t, twoEnvConfig)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			onEvent := e.opts.OnEvent
			e.opts.OnEvent = func(ev Event) {
				onEvent(ev)
				if strings.Contains(ev.Message, tt.cancel) {
					cancel()
				}
			}
			r, err := e.Plan(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Apply(ctx, r); !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted Apply: got %v, want context.Canceled", err)
			}

			f.apply(t, twoEnvConfig)
			f.sb.ResetCalls()
			again := f.apply(t, twoEnvConfig)
			if !again.Plan.Empty() {
				t.Errorf("plan after recovery has %d changes, want none: %+v", len(again.Plan.Changes), again.Plan.Changes)
			}
			out, err := organizations.NewFromConfig(f.aws).ListAccounts(context.Background(), &organizations.ListAccountsInput{})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(out.Accounts); got != 3 {
				t.Errorf("accounts: got %d, want 3: no duplicate after the interruption", got)
			}
		})
	}
}

func TestApplyExplainsAccountQuota(t *testing.T) {
	f := newFixture(t, sandbox.Options{AccountQuota: 2})
	e := f.engine(t, twoEnvConfig)
	ctx := context.Background()
	r, err := e.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = e.Apply(ctx, r)
	if err == nil {
		t.Fatal("Apply: got nil error, want the account quota error")
	}
	if fix := access.Fix(err); !strings.Contains(fix, "Service Quotas") {
		t.Errorf("fix: got %q, want advice to raise the quota in Service Quotas (error %v)", fix, err)
	}
}

func TestApplyExplainsDuplicateEmail(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	text := strings.Replace(oneEnvConfig, "aws+dev@example.com", "management@sandbox.orgstrap.invalid", 1)
	e := f.engine(t, text)
	ctx := context.Background()
	r, err := e.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = e.Apply(ctx, r)
	if fix := access.Fix(err); !strings.Contains(fix, "choose another email") {
		t.Errorf("fix: got %q, want advice to choose another email (error %v)", fix, err)
	}
}

func TestAdoptUnknownAccountChangesNothing(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	f.apply(t, oneEnvConfig)
	f.sb.ResetCalls()
	text := strings.Replace(twoEnvConfig, "    access: restricted\n", "    access: restricted\n    account_id: \"999999999999\"\n", 1)
	_, err := f.engine(t, text).Plan(context.Background())
	if err == nil || !strings.Contains(err.Error(), "999999999999") {
		t.Fatalf("Plan: got %v, want an error naming the unknown account", err)
	}
	if mutating, _ := splitCalls(f.sb.Calls()); len(mutating) != 0 {
		t.Errorf("rejected plan made mutating calls: %v", mutating)
	}
}

// memberIAM returns an IAM client in an environment's account, through its
// access role.
func (f *fixture) memberIAM(t *testing.T, r *Result, env string) *iam.Client {
	t.Helper()
	for _, ep := range r.Envs {
		if ep.Env.Name != env {
			continue
		}
		a := &access.Assumer{STS: stsClient(f.aws), Base: f.aws}
		cfg, err := a.Assume(context.Background(), ep.Account.ID, access.DefaultAccessRole, "test")
		if err != nil {
			t.Fatal(err)
		}
		return iam.NewFromConfig(cfg)
	}
	t.Fatalf("no environment %s", env)
	return nil
}

func TestStatusReportsOutsideChange(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	r := f.apply(t, twoEnvConfig)
	client := f.memberIAM(t, r, "prod")
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
		f.sb.ManagementAccountID() + `:root"},"Action":"sts:AssumeRole"}]}`
	_, err := client.UpdateAssumeRolePolicy(context.Background(), &iam.UpdateAssumeRolePolicyInput{
		RoleName: aws.String("orgstrap-deploy"), PolicyDocument: aws.String(doc),
	})
	if err != nil {
		t.Fatal(err)
	}

	statuses, err := f.engine(t, twoEnvConfig).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range statuses {
		got[s.Name] = s.Drift
	}
	if got["dev"] != DriftInSync || got["prod"] != DriftOutside {
		t.Errorf("drift: got %v, want dev in-sync and prod changed-outside", got)
	}

	f.apply(t, twoEnvConfig)
	statuses, err = f.engine(t, twoEnvConfig).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range statuses {
		if s.Drift != DriftInSync {
			t.Errorf("%s after repair: drift %s, want in-sync: %v", s.Name, s.Drift, s.Changes)
		}
	}
}

func TestApplyConvergesWithManyRoles(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	text := strings.Replace(twoEnvConfig, "profiles: [serverless-framework]",
		"profiles: [serverless-framework, aws-cdk, aws-sam]\n  service_role: true", 1)
	r := f.apply(t, text)
	if got := len(r.Envs[1].Desired.Roles); got < 3 {
		t.Fatalf("prod roles: got %d, want the deploy role, the execution role and the CDK roles", got)
	}

	f.sb.ResetCalls()
	r = f.apply(t, text)
	if !r.Plan.Empty() {
		t.Errorf("second plan has %d changes, want none: %+v", len(r.Plan.Changes), r.Plan.Changes[0])
	}
	if mutating, _ := splitCalls(f.sb.Calls()); len(mutating) != 0 {
		t.Errorf("second apply made mutating calls: %v", mutating)
	}
}

func TestApplyWaitsForCreationInProgress(t *testing.T) {
	f := newFixture(t, sandbox.Options{CreateAccountDelay: time.Second})
	ctx := context.Background()
	orgs := organizations.NewFromConfig(f.aws)
	if _, err := orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	// A crashed run submitted the creation without its tags reaching the
	// account yet.
	if _, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String("acme-dev"), Email: aws.String("aws+dev@example.com"),
	}); err != nil {
		t.Fatal(err)
	}

	f.sb.ResetCalls()
	r := f.apply(t, oneEnvConfig)
	waited := false
	for _, c := range r.Plan.Changes {
		waited = waited || (c.Kind == plan.KindAccount && c.Action == plan.ActionWait)
	}
	if !waited {
		t.Errorf("plan does not wait for the creation in progress: %+v", r.Plan.Changes)
	}
	if got := f.sb.Calls()["organizations:CreateAccount"]; got != 0 {
		t.Errorf("CreateAccount calls: got %d, want 0", got)
	}
	if r = f.apply(t, oneEnvConfig); !r.Plan.Empty() {
		t.Errorf("plan after the wait has changes: %+v", r.Plan.Changes)
	}
}
