package rotate

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/sandbox"
)

// eventually retries check every 50 ms until it returns nil or timeout
// passes, and returns its last error.
func eventually(timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRotateWithThrottlingAndConsistencyDelay(t *testing.T) {
	const delay = 300 * time.Millisecond
	f := newFixtureWith(t, sandbox.Options{ThrottleRate: 0.2, ConsistencyDelay: delay, Seed: 11})
	ctx := context.Background()
	arn := f.roleARN(t, "dev", deployRole)
	session := f.mustAssumeEventually(t, arn, firstExternalID)

	rot := f.rotator(nil)
	done, err := rot.Rotate(ctx, f.plan(t, rot, "dev"))
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	// IAM applies the revocation after its propagation delay.
	err = eventually(delay+2*time.Second, func() error {
		if err := deployCall(ctx, session, "dev"); access.ErrorCode(err) != "AccessDenied" {
			return fmt.Errorf("old session call: got %v, want AccessDenied", err)
		}
		return nil
	})
	if err != nil {
		t.Errorf("after the consistency delay: %v", err)
	}
	f.clock.Advance(1100 * time.Millisecond)
	fresh := f.mustAssumeEventually(t, arn, done[0].ExternalID)
	if err := eventually(delay+2*time.Second, func() error { return deployCall(ctx, fresh, "dev") }); err != nil {
		t.Errorf("call with a new session: %v", err)
	}

	rot = f.rotator(nil)
	reps, err := rot.Replace(ctx, f.plan(t, rot, "dev"))
	if err != nil {
		t.Fatalf("Replace: %v", err)
	}
	rot = f.rotator(nil)
	if _, err := rot.Finish(ctx, f.plan(t, rot, "dev")); err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if got, want := deployRoles(t, f.member(t, "dev")), []string{deployRole + "-g2"}; !slices.Equal(got, want) {
		t.Errorf("deploy roles: got %v, want %v", got, want)
	}
	f.mustAssumeEventually(t, reps[0].NewRoleARN, reps[0].ExternalID)
}

// mustAssumeEventually is mustAssume that waits out the consistency delay
// of a new role or trust policy.
func (f *fixture) mustAssumeEventually(t *testing.T, roleARN, externalID string) *iam.Client {
	t.Helper()
	var client *iam.Client
	err := eventually(3*time.Second, func() error {
		var err error
		client, err = f.assume(context.Background(), roleARN, externalID)
		return err
	})
	if err != nil {
		t.Fatalf("assuming %s with external id %s: %v", roleARN, externalID, err)
	}
	return client
}
