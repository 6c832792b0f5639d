package engine

import (
	"context"
	"fmt"

	"github.com/orgstrap/orgstrap/internal/deployrole"
)

// Drift values of an environment's status.
const (
	DriftInSync  = "in-sync"
	DriftPending = "pending"         // config or policy library changed since the last apply
	DriftOutside = "changed-outside" // AWS differs from what orgstrap last applied
	DriftMissing = "missing"         // account or role does not exist
)

// EnvStatus is the state of one environment.
type EnvStatus struct {
	Name        string   `json:"name"`
	AccountID   string   `json:"account_id,omitempty"`
	AccountName string   `json:"account_name"`
	Email       string   `json:"email"`
	OU          string   `json:"ou"`
	State       string   `json:"state,omitempty"`
	Roles       []string `json:"roles,omitempty"`
	Drift       string   `json:"drift"`
	// Changes summarise what apply would change.
	Changes []string `json:"changes,omitempty"`
	// Rotation records the deploy role's rotations; nil without a role.
	Rotation *RotationStatus `json:"rotation,omitempty"`
}

// Status reports every environment's account, OU, roles and drift. It
// makes only read calls.
func (e *Engine) Status(ctx context.Context) ([]EnvStatus, error) {
	r, err := e.Plan(ctx)
	if err != nil {
		return nil, err
	}
	statuses := make([]EnvStatus, 0, len(r.Envs))
	for _, ep := range r.Envs {
		st := EnvStatus{Name: ep.Env.Name, AccountName: ep.Env.AccountName, Email: ep.Env.Email, OU: ouLabel(ep.Env.OU)}
		for _, c := range ep.Changes {
			st.Changes = append(st.Changes, fmt.Sprintf("%s %s %s", c.Action, c.Kind, c.Target))
		}
		for _, step := range ep.Steps {
			c := step.Change
			st.Changes = append(st.Changes, fmt.Sprintf("%s %s %s", c.Action, c.Kind, c.Target))
		}
		if ep.Account == nil {
			st.Drift = DriftMissing
			statuses = append(statuses, st)
			continue
		}
		st.AccountID, st.State = ep.Account.ID, ep.Account.Status
		if ep.Move {
			if st.OU, err = e.actualOU(ctx, r.State, ep.Account.ID); err != nil {
				return nil, err
			}
		}
		for _, spec := range ep.Desired.Roles {
			if role := ep.Observed.Roles[spec.Name]; role != nil {
				st.Roles = append(st.Roles, role.ARN)
			}
		}
		st.Rotation = e.rotationStatus(ep)
		st.Drift = drift(ep)
		statuses = append(statuses, st)
	}
	return statuses, nil
}

func drift(ep *EnvPlan) string {
	if len(ep.Changes) == 0 && len(ep.Steps) == 0 {
		return DriftInSync
	}
	for _, spec := range ep.Desired.Roles {
		if ep.Observed.Roles[spec.Name] == nil {
			return DriftMissing
		}
	}
	role := ep.Observed.Roles[ep.Desired.Roles[0].Name]
	if len(ep.Steps) > 0 && role.Tags[deployrole.TagDigest] == ep.Desired.Digest {
		return DriftOutside
	}
	if ep.Move {
		return DriftOutside
	}
	return DriftPending
}

// actualOU returns the path of the OU an account is in, or its parent id
// when the parent is not on a configured path.
func (e *Engine) actualOU(ctx context.Context, s *State, accountID string) (string, error) {
	parent, err := e.org.Parent(ctx, accountID)
	if err != nil {
		return "", err
	}
	for p, id := range s.OUs {
		if id == parent {
			return ouLabel(p), nil
		}
	}
	return parent, nil
}
