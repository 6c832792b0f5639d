package rotate

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/deployrole"
)

func TestRotateResumesAfterInterruption(t *testing.T) {
	tests := []struct {
		name   string
		cancel string // cancel once an event message contains this
	}{
		{"after the external id", "replaced the external id"},
		{"after the policy versions", "new policy versions"},
		{"after the revocation", "revoked the sessions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			arn := f.roleARN(t, "dev", deployRole)
			old := f.mustAssume(t, arn, firstExternalID)

			ctx, onEvent := cancelOn(tt.cancel)
			rot := f.rotator(onEvent)
			if _, err := rot.Rotate(ctx, f.plan(t, rot, "dev")); err == nil {
				t.Fatalf("Rotate with a context cancelled %s: got no error", tt.name)
			}
			client := f.member(t, "dev")
			tags := roleTagsOf(t, client, deployRole)
			if got := tags[deployrole.TagRotation]; got != deployrole.RotationInProgress {
				t.Fatalf("tag %s after the interruption: got %q, want %q", deployrole.TagRotation, got, deployrole.RotationInProgress)
			}
			started, err := time.Parse(time.RFC3339Nano, tags[deployrole.TagRotationStarted])
			if err != nil {
				t.Fatalf("tag %s: %v", deployrole.TagRotationStarted, err)
			}

			f.clock.Advance(3 * time.Second)
			rot = f.rotator(nil)
			done, err := rot.Rotate(context.Background(), f.plan(t, rot, "dev"))
			if err != nil {
				t.Fatalf("Rotate again: %v", err)
			}
			r := done[0]
			if !r.Resumed {
				t.Errorf("second run: Resumed is false, want true")
			}
			if !r.RotatedAt.Equal(started.Truncate(time.Second)) {
				t.Errorf("rotation time: got %s, want the interrupted run's %s", r.RotatedAt, started.Truncate(time.Second))
			}
			if got := trustExternalID(t, client, deployRole); got != r.ExternalID {
				t.Errorf("external id in the trust policy: got %q, want the printed %q", got, r.ExternalID)
			}
			if err := deployCall(context.Background(), old, "dev"); access.ErrorCode(err) != "AccessDenied" {
				t.Errorf("call with the session from before the rotation: got %v, want AccessDenied", err)
			}
			fresh := f.mustAssume(t, arn, r.ExternalID)
			if err := deployCall(context.Background(), fresh, "dev"); err != nil {
				t.Errorf("call with a new session: %v", err)
			}
			if got := roleTagsOf(t, client, deployRole)[deployrole.TagRotation]; got != deployrole.RotationComplete {
				t.Errorf("tag %s after resuming: got %q, want %q", deployrole.TagRotation, got, deployrole.RotationComplete)
			}
		})
	}
}

func TestReplaceRejectsUnfinishedRotation(t *testing.T) {
	f := newFixture(t)
	ctx, onEvent := cancelOn("new policy versions")
	rot := f.rotator(onEvent)
	if _, err := rot.Rotate(ctx, f.plan(t, rot, "dev")); err == nil {
		t.Fatalf("interrupted Rotate: got no error")
	}
	rot = f.rotator(nil)
	_, err := rot.Replace(context.Background(), f.plan(t, rot, "dev"))
	if err == nil || !strings.Contains(access.Fix(err), "without --replace") {
		t.Fatalf("Replace during an unfinished rotation: got %v (fix %q), want advice to finish it", err, access.Fix(err))
	}
	if got := deployRoles(t, f.member(t, "dev")); len(got) != 1 {
		t.Errorf("deploy roles after the rejected Replace: got %v, want only %s", got, deployRole)
	}
}
