package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgstrap/orgstrap/internal/deployrole"
	"github.com/orgstrap/orgstrap/internal/engine/plan"
	"github.com/orgstrap/orgstrap/internal/sandbox"
)

// renamed is twoEnvConfig with deployment.role_name changed from the
// default orgstrap-deploy.
var renamed = strings.Replace(twoEnvConfig, "deployment:\n", "deployment:\n  role_name: deployer\n", 1)

// roleExists reports whether the member account has the named role.
func roleExists(t *testing.T, client *iam.Client, name string) bool {
	t.Helper()
	_, err := client.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(name)})
	var missing *types.NoSuchEntityException
	if errors.As(err, &missing) {
		return false
	}
	if err != nil {
		t.Fatalf("GetRole %s: %v", name, err)
	}
	return true
}

// localPolicies lists the names of the account's customer managed policies.
func localPolicies(t *testing.T, client *iam.Client) []string {
	t.Helper()
	out, err := client.ListPolicies(context.Background(), &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	if err != nil {
		t.Fatalf("ListPolicies: %v", err)
	}
	var names []string
	for _, p := range out.Policies {
		names = append(names, aws.ToString(p.PolicyName))
	}
	return names
}

// createTaggedRole creates a role in the member account with orgstrap's
// tags for env and the extra tags given.
func createTaggedRole(t *testing.T, client *iam.Client, name, env string, extra map[string]string) {
	t.Helper()
	tags := []types.Tag{
		{Key: aws.String(TagManaged), Value: aws.String("true")},
		{Key: aws.String(TagEnvironment), Value: aws.String(env)},
	}
	for k, v := range extra {
		tags = append(tags, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	_, err := client.CreateRole(context.Background(), &iam.CreateRoleInput{
		RoleName: aws.String(name), Tags: tags,
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	})
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
}

func TestRoleRenameDeletesOldRole(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	r := f.apply(t, twoEnvConfig)
	ctx := context.Background()
	dev := f.memberIAM(t, r, "dev")

	// Things apply must leave alone: a generation of the new name, a role
	// a rotation superseded, another environment's role, and a customer
	// policy orgstrap did not create that is attached to the old role.
	createTaggedRole(t, dev, "deployer-g2", "dev", nil)
	createTaggedRole(t, dev, "orgstrap-deploy-old", "dev", map[string]string{deployrole.TagSupersededBy: "orgstrap-deploy"})
	createTaggedRole(t, dev, "qa-role", "qa", nil)
	out, err := dev.CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName:     aws.String("team-extra"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, arn := range []string{aws.ToString(out.Policy.Arn), "arn:aws:iam::aws:policy/ReadOnlyAccess"} {
		if _, err := dev.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("orgstrap-deploy"), PolicyArn: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := dev.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String("orgstrap-deploy"), PolicyName: aws.String("extra"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`),
	}); err != nil {
		t.Fatal(err)
	}

	planned, err := f.engine(t, renamed).Plan(ctx)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	for _, env := range []string{"dev", "prod"} {
		var created, deleted int
		for i, c := range planned.Plan.ForEnvironment(env) {
			if c.Kind != plan.KindRole {
				continue
			}
			switch {
			case c.Action == plan.ActionCreate && c.Target == "deployer":
				created = i + 1
			case c.Action == plan.ActionDelete && c.Target == "orgstrap-deploy":
				deleted = i + 1
				if !strings.Contains(c.Reason, "no longer has this role") {
					t.Errorf("%s: reason of deleting orgstrap-deploy: got %q, want it to say why", env, c.Reason)
				}
			case c.Action == plan.ActionDelete:
				if c.Target != "orgstrap-deploy-cfn-exec" {
					t.Errorf("%s: plan deletes role %s, want only orgstrap-deploy and its execution role", env, c.Target)
				}
			}
		}
		if created == 0 || deleted == 0 || deleted < created {
			t.Errorf("%s: create deployer at %d, delete orgstrap-deploy at %d: want both, the deletion after", env, created, deleted)
		}
	}

	r = f.apply(t, renamed)
	verifiedAt, deletedAt := -1, -1
	for i, ev := range f.events {
		if ev.Environment != "dev" {
			continue
		}
		if ev.Kind == EventDone && strings.HasPrefix(ev.Message, "verified ") && strings.Contains(ev.Message, "role/deployer") {
			verifiedAt = i
		}
		if ev.Kind == EventStart && strings.HasPrefix(ev.Message, "delete role orgstrap-deploy:") {
			deletedAt = i
		}
	}
	if verifiedAt < 0 || deletedAt < verifiedAt {
		t.Errorf("dev events: verified deployer at %d, deleting orgstrap-deploy at %d: want the deletion after", verifiedAt, deletedAt)
	}
	for _, env := range []string{"dev", "prod"} {
		client := f.memberIAM(t, r, env)
		if !roleExists(t, client, "deployer") {
			t.Errorf("%s: role deployer is missing after apply", env)
		}
		if roleExists(t, client, "orgstrap-deploy") {
			t.Errorf("%s: old role orgstrap-deploy still exists after apply", env)
		}
		for _, name := range localPolicies(t, client) {
			if strings.HasPrefix(name, "orgstrap-deploy") {
				t.Errorf("%s: old policy %s still exists after apply", env, name)
			}
		}
	}
	for _, name := range []string{"deployer-g2", "orgstrap-deploy-old", "qa-role"} {
		if !roleExists(t, dev, name) {
			t.Errorf("dev: apply deleted role %s, which it must leave alone", name)
		}
	}
	if !slices.Contains(localPolicies(t, dev), "team-extra") {
		t.Errorf("dev: apply deleted policy team-extra, which orgstrap did not create")
	}

	f.sb.ResetCalls()
	r = f.apply(t, renamed)
	if !r.Plan.Empty() {
		t.Errorf("plan after the rename has changes: %+v", r.Plan.Changes)
	}
	mutating, reads := splitCalls(f.sb.Calls())
	if len(mutating) != 0 {
		t.Errorf("re-run after the rename made mutating calls: %v", mutating)
	}
	if limit := maxReadsPerEnvironment * len(r.Envs); reads > limit {
		t.Errorf("re-run after the rename made %d reads, want at most %d: %v", reads, limit, f.sb.Calls())
	}
}

func TestRemovedEnvironmentIsReported(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	first := f.apply(t, twoEnvConfig)
	prodID := first.Envs[1].Account.ID
	ctx := context.Background()

	f.sb.ResetCalls()
	r := f.apply(t, oneEnvConfig)
	var warnings []plan.Warning
	for _, w := range r.Plan.Warnings {
		if w.Kind == plan.WarningOrphanAccount {
			warnings = append(warnings, w)
		}
	}
	if len(warnings) != 1 {
		t.Fatalf("orphan warnings: got %+v, want one for prod", r.Plan.Warnings)
	}
	want := "account acme-prod (" + prodID + ") is tagged orgstrap:environment=prod but prod is not in orgstrap.yaml"
	if warnings[0].Message != want {
		t.Errorf("warning: got %q, want %q", warnings[0].Message, want)
	}
	if !strings.Contains(warnings[0].Fix, "add it back") {
		t.Errorf("fix: got %q, want advice to add it back", warnings[0].Fix)
	}
	for _, c := range r.Plan.Changes {
		if c.Kind != plan.KindAWSProfile {
			t.Errorf("plan changes %s %s %s, want only the prod profile deleted", c.Action, c.Kind, c.Target)
		}
	}
	if mutating, _ := splitCalls(f.sb.Calls()); len(mutating) != 0 {
		t.Errorf("apply without prod made mutating calls: %v", mutating)
	}
	accounts, err := organizations.NewFromConfig(f.aws).ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(accounts.Accounts); got != 3 {
		t.Errorf("accounts: got %d, want 3: prod's account is kept", got)
	}
	if !roleExists(t, f.memberIAM(t, first, "prod"), "orgstrap-deploy") {
		t.Errorf("prod's deploy role was deleted")
	}

	statuses, err := f.engine(t, oneEnvConfig).Status(ctx)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	var orphan *EnvStatus
	for i := range statuses {
		if statuses[i].Name == "prod" {
			orphan = &statuses[i]
		}
	}
	if orphan == nil {
		t.Fatalf("status lists no prod: %+v", statuses)
	}
	if orphan.Drift != DriftNotInConfig || orphan.AccountID != prodID {
		t.Errorf("prod status: got %+v, want drift %s and account %s", *orphan, DriftNotInConfig, prodID)
	}
	// Workloads/Prod is no configured path, so status shows the OU's id.
	if !strings.HasPrefix(orphan.OU, "ou-") {
		t.Errorf("prod OU: got %q, want the id of the OU it is in", orphan.OU)
	}
	if len(orphan.Notes) != 1 || !strings.Contains(orphan.Notes[0], want) {
		t.Errorf("prod notes: got %q, want the warning", orphan.Notes)
	}

	f.sb.ResetCalls()
	r = f.apply(t, oneEnvConfig)
	if !r.Plan.Empty() {
		t.Errorf("re-run plan has changes: %+v", r.Plan.Changes)
	}
	mutating, reads := splitCalls(f.sb.Calls())
	if len(mutating) != 0 {
		t.Errorf("re-run made mutating calls: %v", mutating)
	}
	// Discovery reads the tags of every member account, so the orphan
	// counts as an environment of the budget.
	if limit := maxReadsPerEnvironment * (len(r.Envs) + len(r.Orphans)); reads > limit {
		t.Errorf("re-run made %d reads, want at most %d: %v", reads, limit, f.sb.Calls())
	}
}

func TestAccountNameAndEmailChangesAreReported(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	first := f.apply(t, oneEnvConfig)
	devID := first.Envs[0].Account.ID
	edited := strings.Replace(oneEnvConfig, "account_name: acme-dev", "account_name: acme-development", 1)
	edited = strings.Replace(edited, "aws+dev@example.com", "aws+development@example.com", 1)

	f.sb.ResetCalls()
	r := f.apply(t, edited)
	if !r.Plan.Empty() {
		t.Errorf("plan has changes: %+v", r.Plan.Changes)
	}
	if mutating, _ := splitCalls(f.sb.Calls()); len(mutating) != 0 {
		t.Errorf("apply made mutating calls: %v", mutating)
	}
	tests := []struct {
		name    string
		message string
		fix     string
	}{
		{"name", `is named "acme-dev" in AWS, but account_name in orgstrap.yaml is "acme-development"`, "set account_name: acme-dev"},
		{"email", "has the root email aws+dev@example.com in AWS, but email in orgstrap.yaml is aws+development@example.com", "set email: aws+dev@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var found *plan.Warning
			for i, w := range r.Plan.Warnings {
				if strings.Contains(w.Message, tt.message) {
					found = &r.Plan.Warnings[i]
				}
			}
			if found == nil {
				t.Fatalf("warnings: got %+v, want one saying %q", r.Plan.Warnings, tt.message)
			}
			if found.Kind != plan.WarningAccountDrift || found.AccountID != devID || found.Environment != "dev" {
				t.Errorf("warning: got %+v, want kind %s for dev's account %s", *found, plan.WarningAccountDrift, devID)
			}
			if !strings.Contains(found.Fix, tt.fix) || !strings.Contains(found.Fix, "AWS console") {
				t.Errorf("fix: got %q, want the console and %q", found.Fix, tt.fix)
			}
		})
	}

	statuses, err := f.engine(t, edited).Status(context.Background())
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if got := statuses[0].Drift; got != DriftOutside {
		t.Errorf("drift: got %s, want %s", got, DriftOutside)
	}
	if got := len(statuses[0].Notes); got != 2 {
		t.Errorf("notes: got %d (%v), want 2", got, statuses[0].Notes)
	}

	f.sb.ResetCalls()
	r = f.apply(t, edited)
	mutating, reads := splitCalls(f.sb.Calls())
	if len(mutating) != 0 {
		t.Errorf("re-run made mutating calls: %v", mutating)
	}
	if limit := maxReadsPerEnvironment * len(r.Envs); reads > limit {
		t.Errorf("re-run made %d reads, want at most %d: %v", reads, limit, f.sb.Calls())
	}
}

func TestRoleRenameKeepsOldRoleUnverified(t *testing.T) {
	f := newFixture(t, sandbox.Options{EnforceIAM: true})
	r := f.apply(t, oneEnvConfig)
	ctx := context.Background()
	dev := f.memberIAM(t, r, "dev")
	// Without iam:SimulatePrincipalPolicy apply cannot verify the new
	// role, so it must keep the old one.
	deny := &iam.PutRolePolicyInput{
		RoleName: aws.String("OrganizationAccountAccessRole"), PolicyName: aws.String("no-simulation"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:SimulatePrincipalPolicy","Resource":"*"}]}`),
	}
	if _, err := dev.PutRolePolicy(ctx, deny); err != nil {
		t.Fatal(err)
	}
	renamedOne := strings.Replace(oneEnvConfig, "deployment:\n", "deployment:\n  role_name: deployer\n", 1)

	f.apply(t, renamedOne)
	if !roleExists(t, dev, "deployer") {
		t.Fatalf("role deployer is missing after apply")
	}
	if !roleExists(t, dev, "orgstrap-deploy") {
		t.Errorf("apply deleted orgstrap-deploy although verification was skipped")
	}
	warned := false
	for _, ev := range f.events {
		warned = warned || (ev.Kind == EventWarning && strings.Contains(ev.Message, "was not verified"))
	}
	if !warned {
		t.Errorf("no warning says the old roles were kept")
	}
	statuses, err := f.engine(t, renamedOne).Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses[0].Drift; got != DriftPending {
		t.Errorf("drift with the old role kept: got %s, want %s", got, DriftPending)
	}

	if _, err := dev.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: deny.RoleName, PolicyName: deny.PolicyName}); err != nil {
		t.Fatal(err)
	}
	f.apply(t, renamedOne)
	if roleExists(t, dev, "orgstrap-deploy") {
		t.Errorf("orgstrap-deploy still exists after a verified apply")
	}
	if r = f.apply(t, renamedOne); !r.Plan.Empty() {
		t.Errorf("plan after the deletion has changes: %+v", r.Plan.Changes)
	}
}

func TestRoleRenameToPrefixOfOldName(t *testing.T) {
	// The new name "orgstrap" is a prefix of the old policies' names, so
	// they count as owned by the new role name too. Their deletion must
	// still wait for the old role's retirement.
	f := newFixture(t, sandbox.Options{})
	f.apply(t, twoEnvConfig)
	short := strings.Replace(twoEnvConfig, "deployment:\n", "deployment:\n  role_name: orgstrap\n", 1)
	r := f.apply(t, short)
	for _, env := range []string{"dev", "prod"} {
		client := f.memberIAM(t, r, env)
		if roleExists(t, client, "orgstrap-deploy") {
			t.Errorf("%s: old role orgstrap-deploy still exists after apply", env)
		}
		for _, name := range localPolicies(t, client) {
			if strings.HasPrefix(name, "orgstrap-deploy") {
				t.Errorf("%s: old policy %s still exists after apply", env, name)
			}
		}
	}
	if r = f.apply(t, short); !r.Plan.Empty() {
		t.Errorf("plan after the rename has changes: %+v", r.Plan.Changes)
	}
}

func TestRoleRenameAfterInterruptedDetach(t *testing.T) {
	// An interrupted apply may have detached an old policy without
	// deleting it. The old role's orgstrap:policy-versions tag still
	// lists the policy, so the next apply finds and deletes it.
	f := newFixture(t, sandbox.Options{})
	r := f.apply(t, oneEnvConfig)
	ctx := context.Background()
	dev := f.memberIAM(t, r, "dev")
	old := r.Envs[0].Desired.PolicyARN("orgstrap-deploy-1")
	if _, err := dev.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("orgstrap-deploy"), PolicyArn: aws.String(old)}); err != nil {
		t.Fatal(err)
	}

	renamedOne := strings.Replace(oneEnvConfig, "deployment:\n", "deployment:\n  role_name: deployer\n", 1)
	f.apply(t, renamedOne)
	if roleExists(t, dev, "orgstrap-deploy") {
		t.Errorf("old role orgstrap-deploy still exists after apply")
	}
	if slices.Contains(localPolicies(t, dev), "orgstrap-deploy-1") {
		t.Errorf("detached policy orgstrap-deploy-1 still exists after apply")
	}
}
