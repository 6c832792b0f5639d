package rotate

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/deployrole"
)

const deployRole = config.DefaultRoleName

func TestRotateRevokesOlderSessions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	arn := f.roleARN(t, "dev", deployRole)
	before := f.mustAssume(t, arn, firstExternalID)
	if err := deployCall(ctx, before, "dev"); err != nil {
		t.Fatalf("call with the session from before the rotation, before rotating: %v", err)
	}

	rot := f.rotator(nil)
	done, err := rot.Rotate(ctx, f.plan(t, rot, "dev"))
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if len(done) != 1 {
		t.Fatalf("rotations: got %d, want 1", len(done))
	}
	err = deployCall(ctx, before, "dev")
	if err == nil || access.ErrorCode(err) != "AccessDenied" {
		t.Errorf("call with the session from before the rotation: got %v, want AccessDenied", err)
	}
	if err != nil && !strings.Contains(err.Error(), "explicit deny") {
		t.Errorf("denial of the old session: got %q, want an explicit deny", err)
	}

	// The cutoff is rounded up to a whole second, so a session issued
	// within the rotation's second is revoked too.
	f.clock.Advance(time.Second + 100*time.Millisecond)
	after := f.mustAssume(t, arn, done[0].ExternalID)
	if err := deployCall(ctx, after, "dev"); err != nil {
		t.Errorf("call with a session issued after the rotation: %v", err)
	}
}

func TestRotateSameSecondSessionIsRevoked(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	arn := f.roleARN(t, "dev", deployRole)
	// Place the clock just after a whole second, so that the session and
	// the rotation fall in the same second of aws:TokenIssueTime.
	now := f.clock.Now()
	f.clock.Advance(now.Truncate(time.Second).Add(time.Second + 10*time.Millisecond).Sub(now))
	session := f.mustAssume(t, arn, firstExternalID)

	rot := f.rotator(nil)
	done, err := rot.Rotate(ctx, f.plan(t, rot, "dev"))
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if !done[0].RevokedBefore.After(done[0].RotatedAt) {
		t.Errorf("cutoff %s is not after the rotation time %s", done[0].RevokedBefore, done[0].RotatedAt)
	}
	if err := deployCall(ctx, session, "dev"); access.ErrorCode(err) != "AccessDenied" {
		t.Errorf("call with a session from the rotation's second: got %v, want AccessDenied", err)
	}
}

func TestRotateReplacesExternalID(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rot := f.rotator(nil)
	done, err := rot.Rotate(ctx, f.plan(t, rot))
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if len(done) != 2 {
		t.Fatalf("rotations: got %d, want 2 (dev and prod)", len(done))
	}
	ids := map[string]bool{}
	for _, r := range done {
		if r.ExternalID == "" || r.ExternalID == firstExternalID {
			t.Fatalf("%s external id: got %q, want a new one", r.Environment, r.ExternalID)
		}
		ids[r.ExternalID] = true
		arn := f.roleARN(t, r.Environment, deployRole)
		if _, err := f.assume(ctx, arn, firstExternalID); access.ErrorCode(err) != "AccessDenied" {
			t.Errorf("%s AssumeRole with the old external id: got %v, want AccessDenied", r.Environment, err)
		}
		f.clock.Advance(1100 * time.Millisecond)
		client := f.mustAssume(t, arn, r.ExternalID)
		if err := deployCall(ctx, client, r.Environment); err != nil {
			t.Errorf("%s call with the new external id: %v", r.Environment, err)
		}
		tags := roleTagsOf(t, f.member(t, r.Environment), deployRole)
		if got, want := tags[deployrole.TagRotatedAt], r.RotatedAt.Format(time.RFC3339); got != want {
			t.Errorf("%s tag %s: got %q, want %q", r.Environment, deployrole.TagRotatedAt, got, want)
		}
		if got := tags[deployrole.TagRotation]; got != deployrole.RotationComplete {
			t.Errorf("%s tag %s: got %q, want %q", r.Environment, deployrole.TagRotation, got, deployrole.RotationComplete)
		}
	}
	if len(ids) != 2 {
		t.Errorf("dev and prod got the same external id")
	}

	// The trust policy, not the config, contains the rotated id: a later
	// plan must not change it back.
	r, err := f.engine(nil).Plan(ctx)
	if err != nil {
		t.Fatalf("Plan after rotation: %v", err)
	}
	if !r.Plan.Empty() {
		for _, c := range r.Plan.Changes {
			t.Errorf("plan after rotation changes %s %s %s: %s", c.Action, c.Kind, c.Target, c.Reason)
		}
	}
}

func TestRotateWritesPolicyVersions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	client := f.member(t, "prod")
	arns := managedPolicies(t, client, deployRole)
	if len(arns) == 0 {
		t.Fatalf("the prod deploy role has no managed policies")
	}

	// Six rotations make six versions beyond the first, which IAM's limit
	// of five forces rotate to prune.
	for i := range 6 {
		rot := f.rotator(nil)
		done, err := rot.Rotate(ctx, f.plan(t, rot, "prod"))
		if err != nil {
			t.Fatalf("Rotate %d: %v", i+1, err)
		}
		if got, want := len(done[0].PolicyVersions), len(arns)+1; got != want {
			// +1: the boundary policy is rewritten too.
			t.Errorf("rotation %d wrote %d policy versions, want %d", i+1, got, want)
		}
		f.clock.Advance(1100 * time.Millisecond)
	}
	for _, arn := range arns {
		out, err := client.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("ListPolicyVersions %s: %v", arn, err)
		}
		if got := len(out.Versions); got != 5 {
			t.Errorf("%s has %d versions, want 5", arn, got)
		}
		for _, v := range out.Versions {
			if v.IsDefaultVersion && aws.ToString(v.VersionId) != "v7" {
				t.Errorf("%s default version: got %s, want v7", arn, aws.ToString(v.VersionId))
			}
		}
	}
}

// managedPolicies lists the ARNs of the managed policies attached to role.
func managedPolicies(t *testing.T, client *iam.Client, role string) []string {
	t.Helper()
	out, err := client.ListAttachedRolePolicies(context.Background(), &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)})
	if err != nil {
		t.Fatalf("ListAttachedRolePolicies: %v", err)
	}
	var arns []string
	for _, p := range out.AttachedPolicies {
		arns = append(arns, aws.ToString(p.PolicyArn))
	}
	return arns
}

func TestRotateWithoutExternalID(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.cfg.Trust.ExternalID = ""
	e := f.engine(nil)
	r, err := e.Plan(ctx)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if err := e.Apply(ctx, r); err != nil {
		t.Fatalf("Apply without the external id: %v", err)
	}
	arn := f.roleARN(t, "dev", deployRole)
	f.clock.Advance(1100 * time.Millisecond)
	before := f.mustAssume(t, arn, "")

	rot := f.rotator(nil)
	done, err := rot.Rotate(ctx, f.plan(t, rot, "dev"))
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if done[0].ExternalID != "" {
		t.Errorf("external id of a role without one: got %q, want none", done[0].ExternalID)
	}
	if got := trustExternalID(t, f.member(t, "dev"), deployRole); got != "" {
		t.Errorf("trust policy external id: got %q, want none", got)
	}
	if err := deployCall(ctx, before, "dev"); access.ErrorCode(err) != "AccessDenied" {
		t.Errorf("call with the session from before the rotation: got %v, want AccessDenied", err)
	}
	f.clock.Advance(1100 * time.Millisecond)
	if err := deployCall(ctx, f.mustAssume(t, arn, ""), "dev"); err != nil {
		t.Errorf("call with a new session: %v", err)
	}
}
