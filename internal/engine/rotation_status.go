package engine

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/orgstrap/orgstrap/internal/deployrole"
)

// RotationStatus is the record of a deploy role's rotations, read from its tags.
type RotationStatus struct {
	Role       string `json:"role"`
	Generation int    `json:"generation"`
	// Created is the role's creation time, the start of its age when it
	// was never rotated.
	Created time.Time `json:"created"`
	// RotatedAt is the last completed rotation, nil when there was none.
	RotatedAt *time.Time `json:"rotated_at,omitempty"`
	// InProgress is set while a rotation is unfinished; rotate resumes it.
	InProgress bool `json:"in_progress,omitempty"`
	// Replaces is the previous generation's role that rotate --finish
	// has yet to delete.
	Replaces string `json:"replaces,omitempty"`
	// RevokedBefore is the cutoff of the role's session revocation
	// policy, nil without one: sessions issued earlier are denied.
	RevokedBefore *time.Time `json:"revoked_before,omitempty"`
}

// Since returns when the role's credentials were last renewed: the last
// rotation, or the role's creation.
func (r *RotationStatus) Since() time.Time {
	if r.RotatedAt != nil {
		return *r.RotatedAt
	}
	return r.Created
}

// rotationStatus reads the rotation tags of an environment's deploy role,
// or returns nil when the role does not exist.
func (e *Engine) rotationStatus(ep *EnvPlan) *RotationStatus {
	name := ep.DeployRole()
	role := ep.Observed.Roles[name]
	if role == nil {
		return nil
	}
	st := &RotationStatus{
		Role: name, Generation: Generation(e.cfg.Deployment.RoleName, name, role.Tags), Created: role.Created,
		InProgress: role.Tags[deployrole.TagRotation] == deployrole.RotationInProgress,
		Replaces:   role.Tags[deployrole.TagReplaces],
	}
	if at, err := time.Parse(time.RFC3339, role.Tags[deployrole.TagRotatedAt]); err == nil {
		st.RotatedAt = &at
	}
	if !role.RevokedBefore.IsZero() {
		cutoff := role.RevokedBefore
		st.RevokedBefore = &cutoff
	}
	return st
}

// ErrTooOld is returned by CheckMaxAge when a deploy role's credentials
// are older than allowed.
var ErrTooOld = errors.New("deploy roles are overdue for rotation")

// CheckMaxAge returns an error wrapping ErrTooOld that names every
// environment whose deploy role was last rotated (or, if never, created)
// more than maxAge before now. Environments without a role are skipped,
// because there are no credentials to age.
func CheckMaxAge(statuses []EnvStatus, maxAge time.Duration, now time.Time) error {
	var old []string
	for _, st := range statuses {
		r := st.Rotation
		if r == nil {
			continue
		}
		if age := now.Sub(r.Since()); age > maxAge {
			old = append(old, fmt.Sprintf("%s role %s (%s old)", st.Name, r.Role, FormatAge(age)))
		}
	}
	if len(old) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s exceed the maximum age of %s", ErrTooOld, strings.Join(old, ", "), FormatAge(maxAge))
}

// FormatAge renders a duration, truncated, in days and
// hours, hours and minutes below a day, minutes below an hour and seconds
// below a minute, such as 3d4h, 2h5m, 12m or 40s.
func FormatAge(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", d/time.Second)
	case d < time.Hour:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%dm", d/time.Hour, (d%time.Hour)/time.Minute)
	}
	days := d / (24 * time.Hour)
	return fmt.Sprintf("%dd%dh", days, (d-days*24*time.Hour)/time.Hour)
}
