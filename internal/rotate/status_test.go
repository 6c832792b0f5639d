package rotate

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orgstrap/orgstrap/internal/engine"
)

func TestStatusShowsLastRotation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	statuses, err := f.engine(nil).Status(ctx)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	for _, st := range statuses {
		if st.Rotation == nil {
			t.Fatalf("%s: no rotation status", st.Name)
		}
		if st.Rotation.RotatedAt != nil {
			t.Errorf("%s: rotated at %s before any rotation", st.Name, st.Rotation.RotatedAt)
		}
		if st.Rotation.Created.IsZero() {
			t.Errorf("%s: role creation time is zero", st.Name)
		}
	}

	rot := f.rotator(nil)
	done, err := rot.Rotate(ctx, f.plan(t, rot, "dev"))
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if statuses, err = f.engine(nil).Status(ctx); err != nil {
		t.Fatalf("Status: %v", err)
	}
	byName := map[string]engine.EnvStatus{}
	for _, st := range statuses {
		byName[st.Name] = st
	}
	dev := byName["dev"].Rotation
	if dev.RotatedAt == nil || !dev.RotatedAt.Equal(done[0].RotatedAt) {
		t.Fatalf("dev rotated at: got %v, want %s", dev.RotatedAt, done[0].RotatedAt)
	}
	if dev.RevokedBefore == nil || !dev.RevokedBefore.Equal(done[0].RevokedBefore) {
		t.Errorf("dev sessions revoked before: got %v, want %s", dev.RevokedBefore, done[0].RevokedBefore)
	}
	if dev.Generation != 1 || dev.Role != deployRole || dev.InProgress {
		t.Errorf("dev rotation status: got %+v, want generation 1 of %s, not in progress", dev, deployRole)
	}
	if drift := byName["dev"].Drift; drift != engine.DriftInSync {
		t.Errorf("dev drift after rotation: got %s, want %s", drift, engine.DriftInSync)
	}

	// An hour later, a 30-minute limit names prod (never rotated) and dev.
	later := f.clock.Now().Add(time.Hour)
	if err := engine.CheckMaxAge(statuses, 2*time.Hour, later); err != nil {
		t.Errorf("CheckMaxAge 2h: %v", err)
	}
	err = engine.CheckMaxAge(statuses, 30*time.Minute, later)
	if !errors.Is(err, engine.ErrTooOld) {
		t.Fatalf("CheckMaxAge 30m: got %v, want ErrTooOld", err)
	}
	for _, want := range []string{"dev role " + deployRole, "prod role " + deployRole} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("CheckMaxAge message %q does not name %q", err, want)
		}
	}
}
