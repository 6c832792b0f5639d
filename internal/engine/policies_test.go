package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgstrap/orgstrap/internal/engine/plan"
	"github.com/orgstrap/orgstrap/internal/sandbox"
)

func TestPolicyUpdatesKeepFiveVersions(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	restricted := strings.Replace(oneEnvConfig, "access: broad", "access: restricted", 1)
	regions := []string{"[us-east-1]", "[eu-west-1]", "[us-west-2]", "[eu-central-1]", "[ap-southeast-2]", "[us-east-2]", "[eu-west-2]"}
	var r *Result
	for i, region := range regions {
		text := strings.Replace(restricted, "[us-east-1, eu-west-1]", region, 1)
		r = f.apply(t, text)
		if i == 0 {
			continue
		}
		updated := false
		for _, c := range r.Plan.Changes {
			if c.Kind == plan.KindPolicy && c.Action == plan.ActionUpdate && c.Before != "" {
				updated = true
			}
		}
		if !updated {
			t.Fatalf("apply %d (%s): no policy update planned", i, region)
		}
	}

	client := f.memberIAM(t, r, "dev")
	name := r.Envs[0].Desired.Policies[0].Name
	out, err := client.ListPolicyVersions(context.Background(), &iam.ListPolicyVersionsInput{
		PolicyArn: aws.String(r.Envs[0].Desired.PolicyARN(name)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(out.Versions); got != 5 {
		t.Errorf("versions of %s: got %d, want 5", name, got)
	}
}

func TestBroadAccessDropsRoleBoundary(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	f.apply(t, twoEnvConfig)

	broad := strings.Replace(twoEnvConfig, "access: restricted", "access: broad", 1)
	r := f.apply(t, broad)
	client := f.memberIAM(t, r, "prod")
	role, err := client.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String("orgstrap-deploy")})
	if err != nil {
		t.Fatal(err)
	}
	if role.Role.PermissionsBoundary != nil {
		t.Errorf("role keeps the boundary %s", aws.ToString(role.Role.PermissionsBoundary.PermissionsBoundaryArn))
	}
	if r = f.apply(t, broad); !r.Plan.Empty() {
		t.Errorf("plan after the switch has changes: %+v", r.Plan.Changes)
	}
}

func TestUnwantedPoliciesAreDeleted(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	r := f.apply(t, oneEnvConfig)
	client := f.memberIAM(t, r, "dev")
	ctx := context.Background()
	out, err := client.CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName:     aws.String("orgstrap-deploy-stale"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	stale := aws.ToString(out.Policy.Arn)
	if _, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("orgstrap-deploy"), PolicyArn: aws.String(stale)}); err != nil {
		t.Fatal(err)
	}

	r = f.apply(t, oneEnvConfig)
	deleted := false
	for _, c := range r.Plan.Changes {
		if c.Kind == plan.KindPolicy && c.Action == plan.ActionDelete && c.Target == "orgstrap-deploy-stale" {
			deleted = true
		}
	}
	if !deleted {
		t.Errorf("plan does not delete orgstrap-deploy-stale: %+v", r.Plan.Changes)
	}
	if _, err := client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(stale)}); err == nil {
		t.Errorf("policy %s still exists after apply", stale)
	}
	if r = f.apply(t, oneEnvConfig); !r.Plan.Empty() {
		t.Errorf("plan after cleanup has changes: %+v", r.Plan.Changes)
	}
}

func TestPlanShowsPolicyDiff(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	f.apply(t, twoEnvConfig)
	text := strings.Replace(twoEnvConfig, "services: [orders]", "services: [orders, billing]", 1)
	r, err := f.engine(t, text).Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := r.Plan.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "~ [prod] update policy") || !strings.Contains(out.String(), "billing") {
		t.Errorf("plan text lacks the policy update with the new service:\n%s", out.String())
	}
}

func TestForeignPoliciesAreRemoved(t *testing.T) {
	f := newFixture(t, sandbox.Options{})
	r := f.apply(t, oneEnvConfig)
	client := f.memberIAM(t, r, "dev")
	ctx := context.Background()
	admin := "arn:aws:iam::aws:policy/AdministratorAccess"
	if _, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("orgstrap-deploy"), PolicyArn: aws.String(admin)}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String("orgstrap-deploy"), PolicyName: aws.String("extra"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`),
	}); err != nil {
		t.Fatal(err)
	}

	statuses, err := f.engine(t, oneEnvConfig).Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if statuses[0].Drift != DriftOutside {
		t.Errorf("drift: got %s, want %s", statuses[0].Drift, DriftOutside)
	}
	r = f.apply(t, oneEnvConfig)
	detached := false
	for _, c := range r.Plan.Changes {
		detached = detached || (c.Kind == plan.KindPolicy && c.Action == plan.ActionDelete && c.Target == admin)
	}
	if !detached {
		t.Errorf("plan does not detach %s: %+v", admin, r.Plan.Changes)
	}
	out, err := client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("orgstrap-deploy")})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range out.AttachedPolicies {
		if aws.ToString(p.PolicyArn) == admin {
			t.Errorf("AdministratorAccess is still attached after apply")
		}
	}
	inline, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("orgstrap-deploy")})
	if err != nil {
		t.Fatal(err)
	}
	if len(inline.PolicyNames) != 0 {
		t.Errorf("inline policies after apply: got %v, want none", inline.PolicyNames)
	}
	if r = f.apply(t, oneEnvConfig); !r.Plan.Empty() {
		t.Errorf("plan after the repair has changes: %+v", r.Plan.Changes)
	}
}
