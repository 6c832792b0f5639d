package rotate

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/deployrole"
	"github.com/orgstrap/orgstrap/internal/engine"
)

func TestReplaceThenFinishLeavesOneRole(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	client := f.member(t, "dev")
	oldARN := f.roleARN(t, "dev", deployRole)

	rot := f.rotator(nil)
	reps, err := rot.Replace(ctx, f.plan(t, rot, "dev"))
	if err != nil {
		t.Fatalf("Replace: %v", err)
	}
	rep := reps[0]
	if want := f.roleARN(t, "dev", deployRole+"-g2"); rep.NewRoleARN != want {
		t.Errorf("new role: got %s, want %s", rep.NewRoleARN, want)
	}
	if rep.Generation != 2 || rep.OldRoleARN != oldARN {
		t.Errorf("replacement: got generation %d from %s, want 2 from %s", rep.Generation, rep.OldRoleARN, oldARN)
	}
	if rep.ExternalID == "" || rep.ExternalID == firstExternalID {
		t.Errorf("new role's external id: got %q, want a new one", rep.ExternalID)
	}
	if err := deployCall(ctx, f.mustAssume(t, rep.NewRoleARN, rep.ExternalID), "dev"); err != nil {
		t.Errorf("call as the new role: %v", err)
	}
	if err := deployCall(ctx, f.mustAssume(t, oldARN, firstExternalID), "dev"); err != nil {
		t.Errorf("call as the old role before --finish: %v", err)
	}
	if got := f.accountTags(t, "dev")[engine.TagDeployRole]; got != deployRole+"-g2" {
		t.Errorf("account tag %s: got %q, want %q", engine.TagDeployRole, got, deployRole+"-g2")
	}
	profiles, err := os.ReadFile(f.profileFile)
	if err != nil {
		t.Fatalf("reading the AWS CLI profiles: %v", err)
	}
	if !strings.Contains(string(profiles), "role_arn = "+rep.NewRoleARN+"\n") {
		t.Errorf("profiles do not point at the new role:\n%s", profiles)
	}
	if !strings.Contains(string(profiles), "role_arn = "+f.roleARN(t, "prod", deployRole)+"\n") {
		t.Errorf("profiles lost prod's role:\n%s", profiles)
	}
	f.expectConverged(t)

	rot = f.rotator(nil)
	finished, err := rot.Finish(ctx, f.plan(t, rot, "dev"))
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if finished[0].Deleted != oldARN {
		t.Errorf("deleted: got %q, want %s", finished[0].Deleted, oldARN)
	}
	if got, want := deployRoles(t, client), []string{deployRole + "-g2"}; !slices.Equal(got, want) {
		t.Errorf("deploy roles after --finish: got %v, want %v", got, want)
	}
	if err := deployCall(ctx, f.mustAssume(t, rep.NewRoleARN, rep.ExternalID), "dev"); err != nil {
		t.Errorf("call as the new role after --finish: %v", err)
	}
	if _, ok := roleTagsOf(t, client, deployRole+"-g2")[deployrole.TagReplaces]; ok {
		t.Errorf("the new role still has tag %s after --finish", deployrole.TagReplaces)
	}
	f.expectConverged(t)

	// The next replacement counts on from the current generation.
	f.clock.Advance(1100 * time.Millisecond)
	rot = f.rotator(nil)
	if reps, err = rot.Replace(ctx, f.plan(t, rot, "dev")); err != nil {
		t.Fatalf("second Replace: %v", err)
	}
	if want := f.roleARN(t, "dev", deployRole+"-g3"); reps[0].NewRoleARN != want {
		t.Errorf("second new role: got %s, want %s", reps[0].NewRoleARN, want)
	}
	rot = f.rotator(nil)
	if _, err := rot.Finish(ctx, f.plan(t, rot, "dev")); err != nil {
		t.Fatalf("second Finish: %v", err)
	}
	if got, want := deployRoles(t, client), []string{deployRole + "-g3"}; !slices.Equal(got, want) {
		t.Errorf("deploy roles after the second --finish: got %v, want %v", got, want)
	}
}

func TestFinishRejectsUnverifiedRole(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	client := f.member(t, "dev")
	rot := f.rotator(nil)
	reps, err := rot.Replace(ctx, f.plan(t, rot, "dev"))
	if err != nil {
		t.Fatalf("Replace: %v", err)
	}
	// Break the new role, as an outside change would.
	next := deployRole + "-g2"
	for _, arn := range managedPolicies(t, client, next) {
		if _, err := client.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(next), PolicyArn: aws.String(arn)}); err != nil {
			t.Fatalf("DetachRolePolicy: %v", err)
		}
	}
	rot = f.rotator(nil)
	_, err = rot.Finish(ctx, f.plan(t, rot, "dev"))
	if !deployrole.IsDenied(err) {
		t.Fatalf("Finish with a broken new role: got %v, want a verification failure", err)
	}
	if got := deployRoles(t, client); len(got) != 2 {
		t.Errorf("deploy roles after the rejected --finish: got %v, want both", got)
	}
	if err := deployCall(ctx, f.mustAssume(t, reps[0].OldRoleARN, firstExternalID), "dev"); err != nil {
		t.Errorf("call as the old role after the rejected --finish: %v", err)
	}
}

func TestReplaceResumesAfterInterruption(t *testing.T) {
	tests := []struct {
		name   string
		cancel string // cancel once an event message contains this
		active string // the role the account uses after the interruption
	}{
		{"after creating the role", "attach to role " + deployRole + "-g2", deployRole},
		{"after verifying", "verified", deployRole},
		{"after switching", "switched account", deployRole + "-g2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			client := f.member(t, "dev")
			ctx, onEvent := cancelOn(tt.cancel)
			rot := f.rotator(onEvent)
			if _, err := rot.Replace(ctx, f.plan(t, rot, "dev")); err == nil {
				t.Fatalf("Replace with a context cancelled %s: got no error", tt.name)
			}

			// The environment still has a working deploy role.
			rot = f.rotator(nil)
			p := f.plan(t, rot, "dev")
			if got := p.Envs[0].DeployRole(); got != tt.active {
				t.Fatalf("active role after the interruption: got %s, want %s", got, tt.active)
			}
			id := trustExternalID(t, client, tt.active)
			if err := deployCall(context.Background(), f.mustAssume(t, f.roleARN(t, "dev", tt.active), id), "dev"); err != nil {
				t.Errorf("call as the active role %s after the interruption: %v", tt.active, err)
			}

			reps, err := rot.Replace(context.Background(), p)
			if err != nil {
				t.Fatalf("Replace again: %v", err)
			}
			if !reps[0].Resumed {
				t.Errorf("second run: Resumed is false, want true")
			}
			if got := trustExternalID(t, client, deployRole+"-g2"); got != reps[0].ExternalID {
				t.Errorf("new role's external id: got %q in the trust policy, want the printed %q", got, reps[0].ExternalID)
			}
			rot = f.rotator(nil)
			if _, err := rot.Finish(context.Background(), f.plan(t, rot, "dev")); err != nil {
				t.Fatalf("Finish: %v", err)
			}
			if got, want := deployRoles(t, client), []string{deployRole + "-g2"}; !slices.Equal(got, want) {
				t.Errorf("deploy roles: got %v, want %v", got, want)
			}
			if err := deployCall(context.Background(), f.mustAssume(t, reps[0].NewRoleARN, reps[0].ExternalID), "dev"); err != nil {
				t.Errorf("call as the new role: %v", err)
			}
		})
	}
}

func TestRotateRejectsPendingReplacement(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rot := f.rotator(nil)
	if _, err := rot.Replace(ctx, f.plan(t, rot, "dev")); err != nil {
		t.Fatalf("Replace: %v", err)
	}
	for _, tt := range []struct {
		name string
		run  func(*Rotator, *Plan) error
	}{
		{"in place", func(r *Rotator, p *Plan) error { _, err := r.Rotate(ctx, p); return err }},
		{"replace", func(r *Rotator, p *Plan) error { _, err := r.Replace(ctx, p); return err }},
	} {
		rot = f.rotator(nil)
		err := tt.run(rot, f.plan(t, rot, "dev"))
		if err == nil || !strings.Contains(access.Fix(err), "--finish") {
			t.Errorf("%s rotation with a replacement pending: got %v (fix %q), want advice to run --finish", tt.name, err, access.Fix(err))
		}
	}
}

// accountTags reads the Organizations tags of an environment's account.
func (f *fixture) accountTags(t *testing.T, env string) map[string]string {
	t.Helper()
	out, err := organizations.NewFromConfig(f.aws).ListTagsForResource(context.Background(),
		&organizations.ListTagsForResourceInput{ResourceId: aws.String(f.accountID(t, env))})
	if err != nil {
		t.Fatalf("ListTagsForResource: %v", err)
	}
	tags := map[string]string{}
	for _, tag := range out.Tags {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return tags
}

// expectConverged fails the test when a plan would change anything.
func (f *fixture) expectConverged(t *testing.T) {
	t.Helper()
	r, err := f.engine(nil).Plan(context.Background())
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	for _, c := range r.Plan.Changes {
		t.Errorf("plan changes %s %s %s: %s", c.Action, c.Kind, c.Target, c.Reason)
	}
}

func TestReplaceKeepsPermissionsBoundary(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	client := f.member(t, "prod")
	boundary := func(role string) string {
		t.Helper()
		out, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)})
		if err != nil {
			t.Fatalf("GetRole %s: %v", role, err)
		}
		if out.Role.PermissionsBoundary == nil {
			return ""
		}
		return aws.ToString(out.Role.PermissionsBoundary.PermissionsBoundaryArn)
	}
	want := boundary(deployRole)
	if want == "" {
		t.Fatalf("prod's restricted deploy role has no permissions boundary")
	}

	rot := f.rotator(nil)
	reps, err := rot.Replace(ctx, f.plan(t, rot, "prod"))
	if err != nil {
		t.Fatalf("Replace: %v", err)
	}
	if got := boundary(deployRole + "-g2"); got != want {
		t.Errorf("new role's permissions boundary: got %q, want %q", got, want)
	}
	if got, want := managedPolicies(t, client, deployRole+"-g2"), managedPolicies(t, client, deployRole); !slices.Equal(got, want) {
		t.Errorf("new role's managed policies: got %v, want the old role's %v", got, want)
	}
	if err := deployCall(ctx, f.mustAssume(t, reps[0].NewRoleARN, reps[0].ExternalID), "prod"); err != nil {
		t.Errorf("call as the new prod role: %v", err)
	}
}

func TestRoleNameChangeIgnoresGenerationTag(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rot := f.rotator(nil)
	if _, err := rot.Replace(ctx, f.plan(t, rot, "dev")); err != nil {
		t.Fatalf("Replace: %v", err)
	}
	// A new role_name starts a new line of generations, so the account's
	// tag naming orgstrap-deploy-g2 no longer applies.
	f.cfg.Deployment.RoleName = "deployer"
	r, err := f.engine(nil).Plan(ctx)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	for _, ep := range r.Envs {
		if got := ep.DeployRole(); got != "deployer" {
			t.Errorf("%s deploy role after renaming: got %s, want deployer", ep.Env.Name, got)
		}
	}
}
