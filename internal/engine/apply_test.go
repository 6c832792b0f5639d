package engine

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgstrap/orgstrap/internal/engine/plan"
	"github.com/orgstrap/orgstrap/internal/sandbox"
)

func TestApplyBootstrapsTwoEnvironments(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	r := f.apply(t, twoEnvConfig)

	kinds := map[plan.Kind]int{}
	for _, c := range r.Plan.Changes {
		kinds[c.Kind]++
	}
	if kinds[plan.KindOrganization] != 1 || kinds[plan.KindOU] != 3 || kinds[plan.KindAccount] != 2 {
		t.Errorf("planned kinds: got %v, want 1 organization, 3 OUs and 2 accounts", kinds)
	}

	ctx := context.Background()
	client := organizations.NewFromConfig(f.aws)
	out, err := client.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(out.Accounts); got != 3 {
		t.Errorf("accounts: got %d, want 3 (management, dev, prod)", got)
	}
	for _, ep := range r.Envs {
		if ep.Account == nil {
			t.Fatalf("environment %s has no account after apply", ep.Env.Name)
		}
		parents, err := client.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(ep.Account.ID)})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := aws.ToString(parents.Parents[0].Id), r.State.OUs[ep.Env.OU]; got != want {
			t.Errorf("%s parent: got %s, want %s (%s)", ep.Env.Name, got, want, ep.Env.OU)
		}
	}

	data, err := os.ReadFile(f.profileFile)
	if err != nil {
		t.Fatalf("reading the written AWS config: %v", err)
	}
	for _, want := range []string{"[profile orgstrap-dev]", "[profile orgstrap-prod]", "source_profile = management"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("AWS config lacks %q:\n%s", want, data)
		}
	}
}

// maxReadsPerEnvironment is the read budget of a converged re-run.
const maxReadsPerEnvironment = 10

func TestApplyConverges(t *testing.T) {
	prodOnly := strings.Replace(twoEnvConfig, `  - name: dev
    account_name: acme-dev
    email: aws+dev@example.com
    ou: Workloads/Dev
    access: broad
`, "", 1)
	manyRoles := strings.Replace(twoEnvConfig, "profiles: [serverless-framework]",
		"profiles: [serverless-framework, aws-cdk, aws-sam]\n  service_role: true", 1)
	tests := []struct {
		name   string
		config string
	}{
		{"one broad environment", oneEnvConfig},
		{"one restricted environment", prodOnly},
		{"two environments", twoEnvConfig},
		{"two environments with CDK roles", manyRoles},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, sandbox.Options{})
			f.apply(t, tt.config)

			f.sb.ResetCalls()
			r := f.apply(t, tt.config)
			if !r.Plan.Empty() {
				var b strings.Builder
				_ = r.Plan.WriteText(&b)
				t.Errorf("second plan is not empty:\n%s", b.String())
			}
			mutating, reads := splitCalls(f.sb.Calls())
			if len(mutating) != 0 {
				t.Errorf("second apply made mutating calls: %v", mutating)
			}
			if limit := maxReadsPerEnvironment * len(r.Envs); reads > limit {
				t.Errorf("second apply made %d reads, want at most %d: %v", reads, limit, f.sb.Calls())
			}
			t.Logf("converged re-run: %d reads for %d environments: %v", reads, len(r.Envs), f.sb.Calls())
		})
	}
}

func TestPlanRejectsForeignProfileSection(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	if err := os.WriteFile(f.profileFile, []byte("[profile orgstrap-dev]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := f.engine(t, oneEnvConfig).Plan(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not written by orgstrap") {
		t.Fatalf("Plan: got %v, want the profile clash", err)
	}
	if mutating, _ := splitCalls(f.sb.Calls()); len(mutating) != 0 {
		t.Errorf("rejected plan made mutating calls: %v", mutating)
	}
}
